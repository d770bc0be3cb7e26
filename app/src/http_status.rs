//! Setting the HTTP status of a server function's answer.
//!
//! leptos answers every server-function error with 500 unless the status is
//! set on the response; `AppError::ser` calls [`set_status`] so that happens
//! in one place. A plain HTML form post (JS off) is left alone: leptos
//! answers it with a redirect back to the page, which must stay a redirect.

use http::{header::ACCEPT, request::Parts, HeaderMap, StatusCode};
use leptos::prelude::{use_context, with_context};
use leptos_axum::ResponseOptions;

/// Whether the request is a plain HTML form post (JS off), which is
/// answered with a redirect rather than JSON.
pub fn is_plain_form_post() -> bool {
    with_context::<Parts, _>(|parts| accepts_html(&parts.headers)).unwrap_or(false)
}

/// Whether a request comes from a browser's own navigation or form (it
/// asks for `text/html`), not from `fetch` or a JSON client: the rule
/// server_fn's form redirects follow too.
pub fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The status of a server function's answer (not for plain form posts).
pub fn set_status(status: u16) {
    if !is_plain_form_post() {
        set_response_status(status);
    }
}

/// The status of whatever is being answered, e.g. 404 for a page.
pub fn set_response_status(status: u16) {
    if let (Some(options), Ok(status)) = (
        use_context::<ResponseOptions>(),
        StatusCode::from_u16(status),
    ) {
        options.set_status(status);
    }
}

/// A server function that creates something answers 201 Created.
pub fn created() {
    set_status(201);
}
