//! Accounts and sessions: who the caller is.

#[cfg(feature = "ssr")]
pub mod session_store;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use tower_sessions::Session;

    /// The session key holding the logged-in user's id.
    pub const USER_ID_KEY: &str = "user_id";

    pub async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>()
            .await
            .map_err(|e| AppError::internal("session layer missing", e))
    }

    /// The logged-in user's id, if any.
    pub async fn current_user_id() -> Result<Option<i64>, AppError> {
        session()
            .await?
            .get::<i64>(USER_ID_KEY)
            .await
            .map_err(|e| AppError::internal("reading the session", e))
    }
}
