//! The one rule for text a request brings: no field of a query string or
//! of a body (form, or JSON turned into a form by `json_forms`) may hold
//! NUL or another control character but tab and line breaks
//! (`app::text::is_never_text`, the rule every text field shares). PostgreSQL
//! refuses NUL in text (the request would end in a 500 after writing half
//! of what it meant to), and control characters have no business in a
//! shop's data or its log. Checked here, before any session, guard or
//! function runs, so that no server function, present or future, sees one
//! and nothing is written. Upload bodies (`multipart/form-data`) carry a
//! picture and a number, read by their function.
//!
//! The answer is 400 `BAD_REQUEST` naming the field, except for the login,
//! whose answer is the same 401 `INVALID_CREDENTIALS` as for an unknown id
//! (such an id cannot be anyone's), without a throttle row written.

use crate::language;
use app::{
    accounts::Login,
    error::{AppError, ErrorCode},
    locale::{td_string, Locale},
    text::is_never_text,
};
use axum::{
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::StatusCode;
use server_fn::ServerFn;

/// The first field of a urlencoded form or query whose name or value holds
/// a refused character.
pub fn refused_field(urlencoded: &[u8]) -> Option<String> {
    form_urlencoded::parse(urlencoded)
        .find(|(name, value)| name.chars().chain(value.chars()).any(is_never_text))
        .map(|(name, _)| name.chars().filter(|c| !is_never_text(*c)).collect())
}

/// The refusal of a request to `path` for `field`.
pub fn refusal(path: &str, field: &str, locale: Locale) -> AppError {
    if path == <Login as ServerFn>::PATH {
        return AppError::new(
            ErrorCode::InvalidCredentials,
            td_string!(locale, errors.invalid_credentials),
        );
    }
    AppError::invalid_field(
        ErrorCode::BadRequest,
        field,
        td_string!(locale, errors.text_control, field = field),
    )
}

/// Refuses a request whose query string holds a refused character: JSON
/// for `/api/*` and `/auth/*`, a short plain answer for a page.
pub async fn check_query(request: Request, next: Next) -> Response {
    let field = request
        .uri()
        .query()
        .and_then(|query| refused_field(query.as_bytes()));
    let Some(field) = field else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    let error = refusal(path, &field, language::of(&request));
    if path.starts_with("/api/") || path.starts_with("/auth/") {
        return error.into_response();
    }
    (StatusCode::BAD_REQUEST, error.message).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_in_names_and_values() {
        assert_eq!(refused_field(b"q=tee&brand=Sora%00"), Some("brand".into()));
        assert_eq!(refused_field(b"a%00b=1"), Some("ab".into()));
        assert_eq!(refused_field(b"note=bell%07"), Some("note".into()));
        assert_eq!(refused_field(b"note=%C2%85"), Some("note".into()));
        assert_eq!(refused_field(b"note=two%0D%0Alines%09tab"), None);
        assert_eq!(refused_field("q=%EA%B0%80%EB%B0%A9+bag".as_bytes()), None);
        assert_eq!(refused_field(b""), None);
    }
}
