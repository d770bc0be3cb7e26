//! Pages that need a login answer a guest with a redirect to the login
//! page (and back) before anything is rendered.

use app::{
    identity::{AuthSettings, UserId, LOGIN_REQUIRED_PATHS, USER_ID_KEY},
    url::{is_under, login_href},
};
use axum::{
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use http::Method;
use tower_sessions::Session;

pub async fn redirect_guests(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let guarded = request.method() == Method::GET && is_under(path, LOGIN_REQUIRED_PATHS);
    let trusted_header = request
        .extensions()
        .get::<AuthSettings>()
        .is_some_and(|s| s.trust_user_id_header)
        && request.headers().contains_key("x-user-id");
    let session = request.extensions().get::<Session>().cloned();
    // With a trusted gateway's header the page itself checks its user.
    if guarded && !trusted_header && !is_logged_in(session).await {
        let here = request
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| path.to_string());
        return Redirect::to(&login_href(&here)).into_response();
    }
    next.run(request).await
}

async fn is_logged_in(session: Option<Session>) -> bool {
    match session {
        Some(session) => matches!(session.get::<UserId>(USER_ID_KEY).await, Ok(Some(_))),
        None => false,
    }
}
