//! The HTTP side of signing in through OpenID Connect providers:
//! `GET /auth/{name}/start`, `GET /auth/{name}/callback` and
//! `POST /auth/{name}/link`. The protocol is `app::accounts::oidc`, what an
//! identity means for an account `app::accounts::identities`; this module
//! only reads the request, picks the answer and keeps tokens out of the log.

use app::{
    accounts::{
        identities::{self, Linked, SignInProblem},
        log_in,
        oidc::{CallbackQuery, SignInProviders},
        safe_next,
    },
    db::Db,
    error::{AppError, ErrorCode},
    identity::{user_of, AuthSettings, UserId},
    locale::{td_string, Locale},
    url::encode,
};
use axum::{
    extract::{FromRef, Path, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Router,
};
use http::HeaderMap;
use serde::Deserialize;
use tower_sessions::Session;

/// The routes, for any router state that holds the providers and the
/// database.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    SignInProviders: FromRef<S>,
    Db: FromRef<S>,
{
    Router::new()
        .route("/auth/{name}/start", get(start))
        .route("/auth/{name}/callback", get(callback))
        .route("/auth/{name}/link", post(link))
}

#[derive(Debug, Deserialize)]
struct Next {
    next: Option<String>,
}

/// `GET /auth/{name}/start?next=/path`: 303 to the provider.
async fn start(
    State(providers): State<SignInProviders>,
    Extension(locale): Extension<Locale>,
    Path(name): Path<String>,
    Query(query): Query<Next>,
    session: Session,
) -> Response {
    let next = safe_next(query.next.as_deref());
    if providers.label(&name).is_none() {
        return no_such_provider(locale);
    }
    match providers.begin(&session, &name, next.clone(), None).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(problem) => to_login(&next, problem),
    }
}

/// `POST /auth/{name}/link`: a logged-in shopper links the provider's
/// identity to their account (303 to the provider; a guest goes to log in).
async fn link(
    State(providers): State<SignInProviders>,
    State(db): State<Db>,
    Extension(auth): Extension<AuthSettings>,
    Extension(locale): Extension<Locale>,
    Path(name): Path<String>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    if providers.label(&name).is_none() {
        return no_such_provider(locale);
    }
    let Some(user) = current_user(&db, auth, &headers, &session).await else {
        return Redirect::to(&app::url::login_href("/account")).into_response();
    };
    match providers
        .begin(&session, &name, "/account".to_string(), Some(user))
        .await
    {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(problem) => to_account(problem),
    }
}

/// `GET /auth/{name}/callback`: the provider sends the shopper back; the
/// sign-in (or the link) is finished, or the shopper is told why not.
async fn callback(
    State(providers): State<SignInProviders>,
    State(db): State<Db>,
    Extension(auth): Extension<AuthSettings>,
    Path(name): Path<String>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    let pending = match providers
        .take_pending(&session, query.state.as_deref())
        .await
    {
        Ok(Some(pending)) => pending,
        Ok(None) => {
            // The path's name is not known to be a provider's: not logged.
            tracing::info!("a sign-in came back with no state this session started, or too late");
            return to_login("/", SignInProblem::Expired);
        }
        Err(problem) => return to_login("/", problem),
    };
    let linking = pending.link_to;
    let fail = |problem| match linking {
        Some(_) => to_account(problem),
        None => to_login(&pending.next, problem),
    };
    let identity = match providers.finish(&name, &pending, &query).await {
        Ok(identity) => identity,
        Err(problem) => return fail(problem),
    };
    match linking {
        Some(user) => {
            // Still the shopper who asked for the link.
            if current_user(&db, auth, &headers, &session).await != Some(user) {
                return fail(SignInProblem::Expired);
            }
            match identities::link(&db, user, &identity).await {
                Ok(Linked::Done) => {
                    Redirect::to(&format!("/account?linked={}", encode(&name))).into_response()
                }
                Ok(Linked::Taken) => fail(SignInProblem::Taken),
                Ok(Linked::ProviderInUse) => fail(SignInProblem::AlreadyLinked),
                Err(e) => internal(e),
            }
        }
        None => {
            let user = match identities::sign_in_with(&db, &identity).await {
                Ok(user) => user,
                Err(e) => return internal(e),
            };
            match log_in(&db, &session, user).await {
                Ok(()) => Redirect::to(&pending.next).into_response(),
                Err(e) => internal(e),
            }
        }
    }
}

async fn current_user(
    db: &Db,
    auth: AuthSettings,
    headers: &HeaderMap,
    session: &Session,
) -> Option<UserId> {
    user_of(db, auth, headers.get("x-user-id"), Some(session))
        .await
        .ok()
        .flatten()
}

/// Back to the login page (and on to `next` from there), saying why.
fn to_login(next: &str, problem: SignInProblem) -> Response {
    Redirect::to(&format!(
        "/login?sign_in={}&next={}",
        problem.as_str(),
        encode(next)
    ))
    .into_response()
}

fn to_account(problem: SignInProblem) -> Response {
    Redirect::to(&format!("/account?sign_in={}", problem.as_str())).into_response()
}

fn no_such_provider(locale: Locale) -> Response {
    AppError::new(
        ErrorCode::NotFound,
        td_string!(locale, errors.no_such_provider),
    )
    .into_response()
}

fn internal(error: AppError) -> Response {
    tracing::error!(error = %error.message, "finishing a sign-in");
    error.into_response()
}
