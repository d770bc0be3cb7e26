//! Security headers, and the endpoint that hears of policy violations.
//!
//! Every answer: `X-Content-Type-Options: nosniff`, and with https
//! (`COOKIE_SECURE=true`) `Strict-Transport-Security`. HTML answers also
//! carry the document's policies: the Content Security Policy (the shell
//! sets it with its render's nonce; any other HTML gets it without one, so
//! no script runs there), no framing, no full URL in the `Referer` of
//! outbound links, no camera, microphone, location or payment, a browsing
//! context of their own, and where to report violations. JSON, files and
//! the rest carry none of that. Each header is a tower-http layer.

use app::security::{ContentPolicy, REPORT_PATH};
use axum::{
    body::{Body, Bytes},
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    response::Response,
    routing::post,
    Router,
};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use http::{header, HeaderName, HeaderValue};
use serde_json::Value;
use std::{
    num::NonZeroU32,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};
use tower_http::set_header::SetResponseHeaderLayer;

/// Reports logged per minute at most; the others are counted.
const REPORTS_PER_MINUTE: u32 = 30;
/// A report larger than this is refused (browsers send a few hundred bytes).
const MAX_REPORT_BYTES: usize = 16 * 1024;

const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

/// The headers' layers around `router`.
pub fn headers(router: Router, policy: &ContentPolicy, https: bool) -> Router {
    let html_only = |name: HeaderName, value: HeaderValue| {
        SetResponseHeaderLayer::if_not_present(name, move |response: &Response<Body>| {
            is_html(response).then(|| value.clone())
        })
    };
    let fallback_policy = HeaderValue::from_str(&policy.header(None))
        .expect("a policy of checked origins is a header value");
    let mut router = router
        .layer(html_only(header::CONTENT_SECURITY_POLICY, fallback_policy))
        .layer(html_only(
            HeaderName::from_static("reporting-endpoints"),
            HeaderValue::from_str(&format!("csp=\"{REPORT_PATH}\""))
                .expect("a path is a header value"),
        ))
        .layer(html_only(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(html_only(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(html_only(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ))
        .layer(html_only(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ));
    if https {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router
}

fn is_html(response: &Response<Body>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// What the report endpoint keeps between requests.
#[derive(Clone)]
pub struct Reports {
    limiter: Arc<DefaultDirectRateLimiter>,
    dropped: Arc<AtomicU64>,
}

impl Reports {
    fn new() -> Self {
        Self {
            limiter: Arc::new(RateLimiter::direct(Quota::per_minute(
                NonZeroU32::new(REPORTS_PER_MINUTE).expect("not zero"),
            ))),
            dropped: Arc::new(AtomicU64::new(0)),
        }
    }
}

/// `POST /csp-report`: a browser's violation report, in either format
/// (`application/csp-report` from `report-uri`, `application/reports+json`
/// from `report-to`), logged at WARN, at most [`REPORTS_PER_MINUTE`] a
/// minute (the rest are counted and the count logged with the next one).
/// 204; a body that is not JSON is 400, one over 16 KB 413.
pub fn report_route() -> Router {
    Router::new()
        .route(REPORT_PATH, post(report))
        .layer(DefaultBodyLimit::max(MAX_REPORT_BYTES))
        .with_state(Reports::new())
}

async fn report(State(reports): State<Reports>, body: Bytes) -> StatusCode {
    let Ok(json) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    if reports.limiter.check().is_err() {
        reports.dropped.fetch_add(1, Ordering::Relaxed);
        return StatusCode::NO_CONTENT;
    }
    let dropped = reports.dropped.swap(0, Ordering::Relaxed);
    for violation in violations(&json) {
        tracing::warn!(
            directive = %violation.directive,
            blocked = %violation.blocked,
            page = %violation.page,
            dropped_before = dropped,
            "content security policy violation"
        );
    }
    StatusCode::NO_CONTENT
}

/// One violation, as much as a log line needs (each part cut short).
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    directive: String,
    blocked: String,
    page: String,
}

/// The violations in a report of either format.
fn violations(json: &Value) -> Vec<Violation> {
    let field = |body: &Value, names: &[&str]| -> String {
        let text = names
            .iter()
            .find_map(|n| body.get(*n).and_then(Value::as_str))
            .unwrap_or("?");
        text.chars().take(200).collect()
    };
    let one = |body: &Value| Violation {
        directive: field(
            body,
            &[
                "effective-directive",
                "effectiveDirective",
                "violated-directive",
            ],
        ),
        blocked: field(body, &["blocked-uri", "blockedURL"]),
        page: field(body, &["document-uri", "documentURL"]),
    };
    match json {
        // `report-uri`: {"csp-report": {...}}
        Value::Object(map) => map.get("csp-report").map(one).into_iter().collect(),
        // `report-to`: [{"type": "csp-violation", "body": {...}}, ...]
        Value::Array(list) => list
            .iter()
            .filter(|r| r.get("type").and_then(Value::as_str) == Some("csp-violation"))
            .filter_map(|r| r.get("body"))
            .take(20)
            .map(one)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_report_formats_are_read() {
        let old: Value = serde_json::from_str(
            r#"{"csp-report":{"document-uri":"http://shop/","violated-directive":"script-src",
                "effective-directive":"script-src-elem","blocked-uri":"inline"}}"#,
        )
        .unwrap();
        assert_eq!(
            violations(&old),
            vec![Violation {
                directive: "script-src-elem".into(),
                blocked: "inline".into(),
                page: "http://shop/".into()
            }]
        );
        let new: Value = serde_json::from_str(
            r#"[{"type":"csp-violation","body":{"documentURL":"http://shop/cart",
                 "effectiveDirective":"img-src","blockedURL":"https://evil.example/x.png"}},
                {"type":"deprecation","body":{}}]"#,
        )
        .unwrap();
        let found = violations(&new);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].directive, "img-src");
        assert!(violations(&Value::String("x".into())).is_empty());
    }
}
