//! Flash messages: what a form posted without JavaScript did, said once on
//! the next page of the same session. With JavaScript the islands say it
//! on the page itself (`components::Enhance`); a plain form post is
//! answered with a redirect, so the words travel in the session instead.
//!
//! - A server function that succeeded says so with [`done`] (only a plain
//!   form post keeps it).
//! - A refusal is kept by the server's form layer (`server::form_feedback`),
//!   whatever refused it: the function, a guard or a layer. It keeps the
//!   fields as typed (never a password), so the form comes back filled in
//!   with the message beside its field.
//! - The next page the browser opens takes the message out of the session
//!   before it renders ([`take`]), so a reload does not show it again. A
//!   page that shows one is a page of a session, never of the guests' cache.

use serde::{Deserialize, Serialize};

/// Success or refusal: `role="status"` or `role="alert"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tone {
    Done,
    Refused,
}

/// One message, with what a refused form needs to come back as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub tone: Tone,
    pub text: String,
    /// The path of the server function the form posted to.
    #[serde(default)]
    pub form: Option<String>,
    /// The field a refusal is about.
    #[serde(default)]
    pub field: Option<String>,
    /// The fields as they were sent (a refusal's; no password).
    #[serde(default)]
    pub values: Vec<(String, String)>,
}

/// The most of a form's values a refusal keeps, in bytes: a form of the
/// shop is far smaller; a larger one comes back with its message only.
pub const MAX_VALUES_BYTES: usize = 16 * 1024;

impl Flash {
    pub fn done(text: impl Into<String>) -> Self {
        Self {
            tone: Tone::Done,
            text: text.into(),
            form: None,
            field: None,
            values: Vec::new(),
        }
    }

    /// A refusal of the form posted to `form`, with the fields sent
    /// (`values`, URL-decoded pairs): passwords are dropped, and the rest
    /// kept only while it is small.
    pub fn refused(
        text: impl Into<String>,
        form: &str,
        field: Option<&str>,
        values: Vec<(String, String)>,
    ) -> Self {
        let values: Vec<_> = values
            .into_iter()
            .filter(|(name, _)| !name.contains("password"))
            .collect();
        let size: usize = values.iter().map(|(n, v)| n.len() + v.len()).sum();
        Self {
            tone: Tone::Refused,
            text: text.into(),
            form: Some(form.to_string()),
            field: field.map(str::to_string),
            values: if size <= MAX_VALUES_BYTES {
                values
            } else {
                Vec::new()
            },
        }
    }

    /// The message of this page's render, if the session had one.
    pub fn current() -> Option<Flash> {
        #[cfg(feature = "ssr")]
        {
            leptos::prelude::with_context::<http::request::Parts, _>(|parts| {
                parts.extensions.get::<Flash>().cloned()
            })
            .flatten()
        }
        #[cfg(not(feature = "ssr"))]
        None
    }
}

/// What a form shows of a refusal it sent: its fields as typed, and the
/// message beside the field it is about. Empty for any other form.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    values: Vec<(String, String)>,
    field: Option<(String, String)>,
}

impl FormState {
    /// The state of the form that posts to `action` (a server function's
    /// path, `ServerFn::PATH` or `::url()`).
    pub fn of(action: &str) -> Self {
        match Flash::current() {
            Some(flash) if flash.tone == Tone::Refused && flash.form.as_deref() == Some(action) => {
                Self {
                    field: flash.field.map(|f| (f, flash.text)),
                    values: flash.values,
                }
            }
            _ => Self::default(),
        }
    }

    /// Whether the form came back refused (its fields as typed).
    pub fn is_refused(&self) -> bool {
        !self.values.is_empty() || self.field.is_some()
    }

    /// What was typed into `name`, if the form came back refused.
    pub fn typed(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// What was typed into `name`, else `shown` (the form's own value).
    pub fn value_or(&self, name: &str, shown: impl ToString) -> String {
        self.typed(name).unwrap_or_else(|| shown.to_string())
    }

    /// The refusal's message, when it is about `name`.
    pub fn error(&self, name: &str) -> Option<String> {
        self.field
            .as_ref()
            .filter(|(field, _)| field == name)
            .map(|(_, text)| text.clone())
    }

    /// `aria-describedby` of the input `name`: its message, if it has one.
    pub fn described_by(&self, name: &str) -> Option<String> {
        self.error(name).map(|_| error_id(name))
    }

    /// `aria-invalid` of the input `name`.
    pub fn invalid(&self, name: &str) -> Option<&'static str> {
        self.error(name).map(|_| "true")
    }
}

/// The id of the message beside the field `name` (one refused form a page).
pub fn error_id(name: &str) -> String {
    format!("field-error-{name}")
}

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::Flash;
    use tower_sessions::Session;

    /// The session key of the message waiting for the next page.
    const KEY: &str = "flash";

    /// Keeps `flash` for the next page of the session (one message: a
    /// newer one replaces it). A session that cannot be written loses the
    /// message, never the answer it is about.
    pub async fn keep(session: &Session, flash: Flash) {
        if let Err(error) = session.insert(KEY, flash).await {
            tracing::warn!(%error, "a flash message was not kept");
        }
    }

    /// The waiting message, taken out of the session. Only a session that
    /// has one is changed (and so saved).
    pub async fn take(session: &Session) -> Option<Flash> {
        match session.get::<Flash>(KEY).await {
            Ok(Some(flash)) => {
                let _ = session.remove_value(KEY).await;
                Some(flash)
            }
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(%error, "a flash message could not be read");
                let _ = session.remove_value(KEY).await;
                None
            }
        }
    }

    /// A server function's success, said on the next page when the form
    /// was posted without JavaScript (a JSON answer says it itself).
    pub async fn done(text: impl Into<String>) {
        if !crate::http_status::is_plain_form_post() {
            return;
        }
        if let Ok(session) = crate::identity::session().await {
            keep(&session, Flash::done(text)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_no_password_and_no_large_form() {
        let flash = Flash::refused(
            "no",
            "/api/signup",
            Some("login_id"),
            vec![
                ("login_id".into(), "kim".into()),
                ("password".into(), "secret".into()),
                ("new_password".into(), "secret".into()),
            ],
        );
        assert_eq!(flash.values, vec![("login_id".into(), "kim".into())]);
        let large = Flash::refused(
            "no",
            "/api/x",
            None,
            vec![("note".into(), "x".repeat(MAX_VALUES_BYTES + 1))],
        );
        assert!(large.values.is_empty());
    }
}
