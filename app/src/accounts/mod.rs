//! Accounts and sessions: signup, login, logout, and who the caller is.

use crate::error::{AppError, AppResult, ErrorCode};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg(feature = "ssr")]
mod password;
#[cfg(feature = "ssr")]
pub mod session_store;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
mod throttle;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

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
                "A login id is 3 to 20 letters, digits or underscores.",
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
                format!(
                    "A password is {} to {} characters long.",
                    Self::MIN,
                    Self::MAX
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    pub user_id: UserId,
    pub login_id: String,
}

/// The logged-in user with their balance (`GET /api/me`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub user_id: UserId,
    pub login_id: String,
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedOut {
    pub logged_out: bool,
}

/// Pages only a logged-in user sees; the server redirects guests to the
/// login page before rendering them.
pub const LOGIN_REQUIRED_PATHS: &[&str] = &["/account", "/points", "/likes"];

/// Where to go after logging in: only a path on this site, never elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

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
                "This login id is taken. Please choose another.",
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
            "Enter your login id.",
        ));
    }
    if password.is_empty() {
        return Err(AppError::invalid_field(
            ErrorCode::BadRequest,
            "password",
            "Enter your password.",
        ));
    }
    let db = crate::db::db()?;
    let key = login_id.trim().to_ascii_lowercase();
    let keys = throttle::keys(&key, client_address().await);
    throttle::attempt(&db, &keys).await?;

    let user = store::find_by_key(&db, &key).await?;
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    // An unknown id still pays for a hash, so both failures take as long.
    let verified = password::verify(password, stored_hash).await?;
    let user = match (user, verified) {
        (Some(user), true) => user,
        _ => {
            return Err(AppError::new(
                ErrorCode::InvalidCredentials,
                "The login id or the password is wrong.",
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
    session()
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
    let user_id = require_user().await?;
    store::me(&crate::db::db()?, user_id)
        .await?
        .ok_or_else(unauthenticated)
}

pub fn unauthenticated() -> AppError {
    AppError::new(ErrorCode::Unauthenticated, "Please log in first.")
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{unauthenticated, UserId};
    use crate::error::AppError;
    use http::request::Parts;
    use leptos::prelude::use_context;
    use std::net::SocketAddr;
    use tower_sessions::Session;

    /// The session key holding the logged-in user's id.
    pub const USER_ID_KEY: &str = "user_id";

    /// Whether `X-USER-ID` is believed (only behind a trusted gateway).
    #[derive(Debug, Clone, Copy, Default)]
    pub struct AuthSettings {
        pub trust_user_id_header: bool,
    }

    pub async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>()
            .await
            .map_err(|e| AppError::internal("session layer missing", e))
    }

    /// The logged-in user, if any: from the session, or from `X-USER-ID`
    /// when the server is told it sits behind a trusted gateway.
    pub async fn current_user_id() -> Result<Option<UserId>, AppError> {
        let settings = use_context::<AuthSettings>().unwrap_or_default();
        if settings.trust_user_id_header {
            if let Some(header) =
                use_context::<Parts>().and_then(|p| p.headers.get("x-user-id").cloned())
            {
                let id = header
                    .to_str()
                    .ok()
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .ok_or_else(unauthenticated)?;
                // The gateway vouches for the caller, not for our records.
                let known: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(crate::db::db()?.pool())
                    .await?;
                return known.map(|id| Some(UserId(id))).ok_or_else(unauthenticated);
            }
        }
        session()
            .await?
            .get::<UserId>(USER_ID_KEY)
            .await
            .map_err(|e| AppError::internal("reading the session", e))
    }

    /// The one way to require a user: 401 `UNAUTHENTICATED` without one.
    pub async fn require_user() -> Result<UserId, AppError> {
        current_user_id().await?.ok_or_else(unauthenticated)
    }

    /// Logs `user_id` in under a new session id (no fixation) and merges
    /// the cart they filled as a guest into theirs.
    pub(super) async fn start_session(db: &crate::db::Db, user_id: UserId) -> Result<(), AppError> {
        let session = session().await?;
        session
            .cycle_id()
            .await
            .map_err(|e| AppError::internal("renewing the session id", e))?;
        session
            .insert(USER_ID_KEY, user_id)
            .await
            .map_err(|e| AppError::internal("writing the session", e))?;
        crate::cart::store::merge_guest_cart(db, &session, user_id).await
    }

    pub(super) async fn client_address() -> Option<String> {
        leptos_axum::extract::<axum::extract::ConnectInfo<SocketAddr>>()
            .await
            .ok()
            .map(|info| info.0.ip().to_string())
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
            assert_eq!(err.details.unwrap()["field"], "login_id", "{bad}");
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
        assert_eq!(safe_next(None), "/");
    }
}

/// The shopper's login state in the browser, shared by the header and the
/// pages: the account actions, the current user (fetched again when one of
/// the actions completes) and their point balance (also fetched again on
/// [`Auth::refresh`], so a charge does not re-render every page).
#[derive(Clone, Copy)]
pub struct Auth {
    pub login: ServerAction<Login>,
    pub signup: ServerAction<Signup>,
    pub logout: ServerAction<Logout>,
    pub user: Resource<Result<CurrentUser, AppError>>,
    pub points: Resource<Result<crate::points::PointBalance, AppError>>,
    changed: RwSignal<u32>,
}

impl Auth {
    pub fn provide() -> Self {
        let login = ServerAction::<Login>::new();
        let signup = ServerAction::<Signup>::new();
        let logout = ServerAction::<Logout>::new();
        let changed = RwSignal::new(0);
        let session = move || {
            (
                login.version().get(),
                signup.version().get(),
                logout.version().get(),
            )
        };
        let user = Resource::new(session, |_| me());
        let points = Resource::new(
            move || (session(), changed.get()),
            |_| crate::points::get_points(),
        );
        let auth = Self {
            login,
            signup,
            logout,
            user,
            points,
            changed,
        };
        provide_context(auth);
        auth
    }

    /// The balance changed (a charge, an order): fetch it again.
    pub fn refresh(&self) {
        self.changed.update(|n| *n += 1);
    }

    /// The balance to show, once loaded (none for a guest).
    pub fn balance(&self) -> Option<i64> {
        self.points.get().and_then(Result::ok).map(|b| b.points)
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// After `action` succeeds, goes to `next` as soon as the logged-in user
/// has been loaded (so a page that needs a login finds them there).
pub fn go_next_after<S>(action: ServerAction<S>, next: Memo<String>)
where
    S: server_fn::ServerFn<Output = UserInfo, Error = AppError> + Clone + Send + Sync + 'static,
    ServerAction<S>: Copy,
{
    let auth = use_auth();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let done = matches!(action.value().get(), Some(Ok(_)));
        if done && matches!(auth.user.get(), Some(Ok(_))) {
            action.value().set(None);
            navigate(&next.get_untracked(), Default::default());
        }
    });
}
