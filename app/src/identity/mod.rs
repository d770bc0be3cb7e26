//! Who is calling: the user id, the session it lives in, and the one way
//! to require a login. Every domain sits on this; it uses none of them.

use crate::{
    error::{AppError, ErrorCode},
    locale::{td_string, Locale},
};
use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg(feature = "ssr")]
pub mod session_store;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Pages only a logged-in user sees; the server redirects guests to the
/// login page before rendering them.
pub const LOGIN_REQUIRED_PATHS: &[&str] = &[
    "/account",
    "/points",
    "/likes",
    "/checkout",
    "/orders",
    "/admin",
];

pub fn unauthenticated() -> AppError {
    AppError::new(
        ErrorCode::Unauthenticated,
        td_string!(Locale::current(), errors.log_in_first),
    )
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{unauthenticated, UserId};
    use crate::error::AppError;
    use http::request::Parts;
    use leptos::prelude::{use_context, with_context};
    use std::net::SocketAddr;
    use tower_sessions::Session;

    /// The session key holding the logged-in user's id.
    pub const USER_ID_KEY: &str = "user_id";

    /// Whether `X-USER-ID` is believed (only behind a trusted gateway).
    #[derive(Debug, Clone, Copy, Default)]
    pub struct AuthSettings {
        pub trust_user_id_header: bool,
    }

    /// The request's session, from its extensions (as its extractor
    /// takes it, without copying the request's other parts).
    pub async fn session() -> Result<Session, AppError> {
        with_context::<Parts, _>(|parts| parts.extensions.get::<Session>().cloned())
            .flatten()
            .ok_or_else(|| AppError::internal("session layer missing", "no session in the request"))
    }

    /// The logged-in user, if any: from the session, or from `X-USER-ID`
    /// when the server is told it sits behind a trusted gateway.
    pub async fn current_user_id() -> Result<Option<UserId>, AppError> {
        let settings = use_context::<AuthSettings>().unwrap_or_default();
        let header = with_context::<Parts, _>(|p| p.headers.get("x-user-id").cloned()).flatten();
        let session = match header {
            Some(_) if settings.trust_user_id_header => None,
            _ => Some(session().await?),
        };
        user_of(
            &crate::db::db()?,
            settings,
            header.as_ref(),
            session.as_ref(),
        )
        .await
    }

    /// The user a request comes from: its trusted `X-USER-ID` header, else
    /// its session. The one rule, for server functions and the layers
    /// that guard them alike.
    pub async fn user_of(
        db: &crate::db::Db,
        settings: AuthSettings,
        user_id_header: Option<&http::HeaderValue>,
        session: Option<&Session>,
    ) -> Result<Option<UserId>, AppError> {
        if let (true, Some(header)) = (settings.trust_user_id_header, user_id_header) {
            let id = header
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(unauthenticated)?;
            // The gateway vouches for the caller, not for our records.
            let known: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(db.pool())
                .await?;
            return known.map(|id| Some(UserId(id))).ok_or_else(unauthenticated);
        }
        match session {
            Some(session) => session
                .get::<UserId>(USER_ID_KEY)
                .await
                .map_err(|e| AppError::internal("reading the session", e)),
            None => Ok(None),
        }
    }

    /// The one way to require a user: 401 `UNAUTHENTICATED` without one.
    pub async fn require_user() -> Result<UserId, AppError> {
        current_user_id().await?.ok_or_else(unauthenticated)
    }

    /// Locks the user's row until `tx` ends. Whatever changes a user's
    /// cart or spends their points takes this first, so such changes run
    /// one after another and always lock in the same order (the user, then
    /// products), which keeps Postgres free of deadlocks. On SQLite there
    /// is nothing to ask: its write transactions (`Db::begin_write`)
    /// already run one at a time.
    pub async fn lock_user(
        db: &crate::db::Db,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        user: UserId,
    ) -> Result<(), AppError> {
        if db.backend() == crate::db::Backend::Sqlite {
            return Ok(());
        }
        sqlx::query(&format!(
            "SELECT id FROM users WHERE id = $1{}",
            db.for_update()
        ))
        .bind(user.0)
        .fetch_optional(&mut **tx)
        .await?;
        Ok(())
    }

    /// The caller's network address, when the server knows it.
    pub async fn client_address() -> Option<std::net::IpAddr> {
        leptos_axum::extract::<axum::extract::ConnectInfo<SocketAddr>>()
            .await
            .ok()
            .map(|info| info.0.ip())
    }
}
