//! Accounts: signup, login, logout and `me`, with the password and
//! login-throttling rules. Logging in merges the guest cart, so this sits
//! above the cart; who the caller is lives below every domain
//! (`crate::identity`).

use crate::{
    error::{AppError, AppResult, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

pub mod customers;
pub mod identities;
pub mod oidc;
#[cfg(feature = "ssr")]
mod password;
mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
mod throttle;

pub use state::{use_auth, Auth};

/// A login id: 3 to 20 of `[a-zA-Z0-9_]`. `Bob` and `bob` are one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginId(String);

impl LoginId {
    pub fn parse(raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        let valid_chars = raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if (3..=20).contains(&raw.len()) && valid_chars {
            Ok(Self(raw.to_string()))
        } else {
            Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                "login_id",
                td_string!(Locale::current(), errors.login_id_format),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What uniqueness is checked on.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// A password as typed: 8 to 128 characters. Never serialised or logged.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    pub fn parse(raw: &str) -> AppResult<Self> {
        let len = raw.chars().count();
        if (Self::MIN..=Self::MAX).contains(&len) {
            Ok(Self(raw.to_string()))
        } else {
            Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                "password",
                td_string!(
                    Locale::current(),
                    errors.password_length,
                    min = Self::MIN,
                    max = Self::MAX
                ),
            ))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The answer to signup and login.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    pub user_id: UserId,
    pub login_id: String,
}

/// The logged-in user with their balance (`GET /api/me`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub user_id: UserId,
    pub login_id: String,
    pub points: i64,
    /// The role of a member of staff; absent for a shopper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<crate::staff::Role>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedOut {
    pub logged_out: bool,
}

pub use crate::url::safe_next;

/// `POST /api/signup`: creates the account and logs it in (201).
#[server(prefix = "/api", endpoint = "signup")]
pub async fn signup(
    login_id: String,
    password: String,
    next: Option<String>,
) -> Result<UserInfo, AppError> {
    let login_id = LoginId::parse(&login_id)?;
    let password = Password::parse(&password)?;
    let db = crate::db::db()?;
    let hash = password::hash(password).await?;
    let user_id = store::insert_user(&db, &login_id, &hash)
        .await?
        .ok_or_else(|| {
            AppError::invalid_field(
                ErrorCode::LoginIdTaken,
                "login_id",
                td_string!(Locale::current(), errors.login_id_taken),
            )
        })?;
    start_session(&db, user_id).await?;
    crate::http_status::created();
    redirect_form_to(next.as_deref());
    Ok(UserInfo {
        user_id,
        login_id: login_id.as_str().to_string(),
    })
}

/// `POST /api/login`: 401 `INVALID_CREDENTIALS` for an unknown id or a wrong
/// password alike; 429 `TOO_MANY_ATTEMPTS` after repeated failures.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    login_id: String,
    password: String,
    next: Option<String>,
) -> Result<UserInfo, AppError> {
    if login_id.trim().is_empty() {
        return Err(AppError::invalid_field(
            ErrorCode::BadRequest,
            "login_id",
            td_string!(Locale::current(), errors.enter_login_id),
        ));
    }
    if password.is_empty() {
        return Err(AppError::invalid_field(
            ErrorCode::BadRequest,
            "password",
            td_string!(Locale::current(), errors.enter_password),
        ));
    }
    let db = crate::db::db()?;
    let key = login_id.trim().to_ascii_lowercase();
    let keys = throttle::keys(&key, crate::identity::client_address().await);
    throttle::attempt(&db, &keys).await?;

    let user = store::find_by_key(&db, &key).await?;
    // An account without a password (made through a provider) is
    // answered as an unknown id.
    let stored_hash = user.as_ref().and_then(|u| u.password_hash.clone());
    // An unknown id still pays for a hash, so both failures take as long.
    let verified = password::verify(password, stored_hash).await?;
    let user = match (user, verified) {
        (Some(user), true) => user,
        _ => {
            return Err(AppError::new(
                ErrorCode::InvalidCredentials,
                td_string!(Locale::current(), errors.invalid_credentials),
            ));
        }
    };
    throttle::succeeded(&db, &keys).await?;
    start_session(&db, user.id).await?;
    redirect_form_to(next.as_deref());
    Ok(UserInfo {
        user_id: user.id,
        login_id: user.login_id,
    })
}

/// `POST /api/logout`: ends the session.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout(next: Option<String>) -> Result<LoggedOut, AppError> {
    crate::identity::session()
        .await?
        .flush()
        .await
        .map_err(|e| AppError::internal("ending the session", e))?;
    redirect_form_to(next.as_deref());
    Ok(LoggedOut { logged_out: true })
}

/// `GET /api/me`: who is logged in, with their points; 401 otherwise.
#[server(prefix = "/api", endpoint = "me", input = server_fn::codec::GetUrl)]
pub async fn me() -> Result<CurrentUser, AppError> {
    let user_id = crate::identity::require_user().await?;
    store::me(&crate::db::db()?, user_id)
        .await?
        .ok_or_else(crate::identity::unauthenticated)
}

#[cfg(feature = "ssr")]
pub use ssr::log_in;
#[cfg(feature = "ssr")]
use ssr::{redirect_form_to, start_session};

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        error::AppError,
        identity::{session, UserId, USER_ID_KEY},
    };

    /// Logs `user_id` in under a new session id (no fixation) and merges
    /// the cart they filled as a guest into theirs.
    pub(super) async fn start_session(db: &crate::db::Db, user_id: UserId) -> Result<(), AppError> {
        log_in(db, &session().await?, user_id).await
    }

    /// [`start_session`] for a handler that holds the session itself (a
    /// provider's callback).
    pub async fn log_in(
        db: &crate::db::Db,
        session: &tower_sessions::Session,
        user_id: UserId,
    ) -> Result<(), AppError> {
        session
            .cycle_id()
            .await
            .map_err(|e| AppError::internal("renewing the session id", e))?;
        session
            .insert(USER_ID_KEY, user_id)
            .await
            .map_err(|e| AppError::internal("writing the session", e))?;
        crate::cart::store::merge_guest_cart(db, session, user_id).await
    }

    /// A no-JS form post is sent on to `next`. JSON clients get no
    /// redirect, and with JS the page navigates itself once the user is
    /// loaded (a redirect header would arrive before that).
    pub(super) fn redirect_form_to(next: Option<&str>) {
        if next.is_some() && crate::http_status::is_plain_form_post() {
            leptos_axum::redirect(&super::safe_next(next));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_ids() {
        for ok in ["bob", "Bob_42", "a_b", "abcdefghijklmnopqrst"] {
            assert!(LoginId::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ab",
            "abcdefghijklmnopqrstu",
            "bob!",
            "b o b",
            "밥밥밥",
            "bob-1",
        ] {
            let err = LoginId::parse(bad).unwrap_err();
            assert_eq!(err.field().unwrap(), "login_id", "{bad}");
        }
        assert_eq!(LoginId::parse("Bob").unwrap().key(), "bob");
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("12345678").is_ok());
        assert!(
            Password::parse("비밀번호비밀번호").is_ok(),
            "counted in characters"
        );
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret-pw").unwrap()),
            "Password(<redacted>)"
        );
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/points?x=1")), "/points?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("javascript:alert(1)")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
