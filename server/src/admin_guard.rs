//! The admin functions' door: before a request to `/api/admin/...` is read
//! into a function's arguments, its caller must be logged in (else 401
//! `UNAUTHENTICATED`) and their role must allow what the function needs
//! (else 403 `FORBIDDEN`), as `app::admin::ACCESS` says. A path missing
//! from that table is refused to everyone. Each function checks again
//! itself (the pages call them without HTTP).

use crate::language;
use app::{
    admin::{access_of, Access},
    db::Db,
    error::{AppError, ErrorCode},
    identity::{user_of, AuthSettings},
    locale::td_string,
    staff::store::role_of,
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

pub const PREFIX: &str = "/api/admin/";

pub async fn check_permission(State(db): State<Db>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !path.starts_with(PREFIX) {
        return next.run(request).await;
    }
    let locale = language::of(&request);
    let forbidden = || {
        AppError::new(
            ErrorCode::Forbidden,
            td_string!(locale, admin.error_forbidden),
        )
        .into_response()
    };
    let Some(access) = access_of(path) else {
        return forbidden();
    };
    let settings = request
        .extensions()
        .get::<AuthSettings>()
        .copied()
        .unwrap_or_default();
    let session = request.extensions().get::<Session>().cloned();
    let user = user_of(
        &db,
        settings,
        request.headers().get("x-user-id"),
        session.as_ref(),
    )
    .await;
    let user = match user {
        Ok(Some(user)) => user,
        Ok(None)
        | Err(AppError {
            code: ErrorCode::Unauthenticated,
            ..
        }) => {
            return AppError::new(
                ErrorCode::Unauthenticated,
                td_string!(locale, errors.log_in_first),
            )
            .into_response()
        }
        Err(other) => return other.into_response(),
    };
    let allowed = match role_of(&db, user).await {
        Ok(Some(role)) => match access {
            Access::AnyStaff => true,
            Access::Needs(permission) => role.allows(permission),
        },
        Ok(None) => false,
        Err(e) => return e.into_response(),
    };
    if !allowed {
        return forbidden();
    }
    next.run(request).await
}
