//! Refuses state-changing calls from other sites: a `POST` to `/api/*` or
//! `/auth/*` (linking a provider) whose `Origin` is not this host, or whose
//! `Sec-Fetch-Site` says `cross-site`, gets 403 `FORBIDDEN_ORIGIN`. Requests with neither header (curl, a
//! server-to-server client) pass: browsers always send one of them.

use crate::language;
use app::{
    error::{AppError, ErrorCode},
    locale::td_string,
};
use axum::{
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header, HeaderMap, Method};

pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if request.method() == Method::POST
        && ["/api/", "/auth/"]
            .iter()
            .any(|p| request.uri().path().starts_with(p))
        && is_cross_site(request.headers())
    {
        return AppError::new(
            ErrorCode::ForbiddenOrigin,
            td_string!(language::of(&request), errors.forbidden_origin),
        )
        .into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site") == Some("cross-site") {
        return true;
    }
    match text(header::ORIGIN.as_str()) {
        None => false,
        Some(origin) => {
            let host = text(header::HOST.as_str()).unwrap_or_default();
            // `scheme://host[:port]` must name this host; `null` never does.
            origin
                .split_once("://")
                .map(|(_, authority)| !authority.eq_ignore_ascii_case(host))
                .unwrap_or(true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_cross_site;
    use http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn same_origin_and_headerless_requests_pass() {
        assert!(!is_cross_site(&headers(&[])));
        assert!(!is_cross_site(&headers(&[
            ("host", "shop.test:3000"),
            ("origin", "http://shop.test:3000")
        ])));
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(is_cross_site(&headers(&[
            ("host", "shop.test"),
            ("origin", "https://evil.test")
        ])));
        assert!(is_cross_site(&headers(&[
            ("host", "shop.test"),
            ("origin", "null")
        ])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[
            ("host", "shop.test:3000"),
            ("origin", "http://shop.test:4000")
        ])));
    }
}
