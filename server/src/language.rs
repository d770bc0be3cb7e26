//! The language of every request, resolved once in front of the app: the
//! `lang` cookie, then `Accept-Language`, then Korean
//! ([`Locale::negotiate`]). It is kept in the request's extensions, where
//! pages, server functions and the layers read it (`Locale::current`), and
//! said in the answer: `Content-Language`, and `Vary: Cookie,
//! Accept-Language` so that no cache gives one shopper's language to
//! another (pages and JSON are `private` besides).
//!
//! `GET /language?lang=en&next=/cart` is the language switch: it sets the
//! cookie for a year and goes back to `next` (a path of this shop only,
//! checked as after login). A plain link: it works without JS.

use app::{accounts::safe_next, locale::Locale};
use axum::{
    extract::{Query, Request},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header, HeaderValue, StatusCode};
use serde::Deserialize;

/// The language of a request that went through [`negotiate`].
pub fn of(request: &Request) -> Locale {
    request
        .extensions()
        .get::<Locale>()
        .copied()
        .unwrap_or_default()
}

pub async fn negotiate(mut request: Request, next: Next) -> Response {
    let locale = from_headers(request.headers());
    request.extensions_mut().insert(locale);
    let mut response = next.run(request).await;
    if says_words(&response) {
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(locale.tag()),
        );
        headers.append(
            header::VARY,
            HeaderValue::from_static("cookie, accept-language"),
        );
    }
    response
}

fn from_headers(headers: &http::HeaderMap) -> Locale {
    let all = |name: header::HeaderName, separator: &str| {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(separator))
    };
    // HTTP/2 may send each cookie in a header of its own.
    Locale::negotiate(
        all(header::COOKIE, "; ").as_deref(),
        all(header::ACCEPT_LANGUAGE, ", ").as_deref(),
    )
}

/// Pages and JSON answers; files (wasm, css, pictures) are the same in
/// every language.
fn says_words(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"))
}

#[derive(Debug, Deserialize)]
pub struct Switch {
    lang: Option<String>,
    next: Option<String>,
}

/// `GET /language?lang=…&next=…`: remembers the language and goes back.
/// A language the shop does not have changes nothing.
pub async fn switch(secure: bool, Query(switch): Query<Switch>) -> Response {
    // A `next` that cannot be a header (control characters) goes home.
    let next = HeaderValue::from_str(&safe_next(switch.next.as_deref()))
        .unwrap_or(HeaderValue::from_static("/"));
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response();
    if let Some(locale) = switch.lang.as_deref().and_then(Locale::from_tag) {
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
            app::locale::COOKIE,
            locale.tag()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
