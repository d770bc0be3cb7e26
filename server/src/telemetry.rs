//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info`),
//! as text or, with `LOG_FORMAT=json`, one JSON object per line. Every
//! answered request is a line at `info` with its request id, method, route
//! (the template, `/products/{id}`, never the raw path), status and latency.
//!
//! What a log line may hold: no header's value (the session cookie, a
//! gateway's `X-USER-ID`), no query string or body (a password, a code), no
//! bound value of a statement; `server/tests/api/logs.rs` greps a run's
//! logs at `trace` for the secrets it used.

use axum::extract::MatchedPath;
use http::Request;
use std::time::Duration;
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    trace::{MakeSpan, OnResponse, TraceLayer},
};
use tracing::Span;
use tracing_subscriber::EnvFilter;

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `LOG_FORMAT`: `text` (the default) or `json`.
    pub fn from_env() -> anyhow::Result<Self> {
        match std::env::var("LOG_FORMAT").as_deref() {
            Err(_) | Ok("") | Ok("text") => Ok(Self::Text),
            Ok("json") => Ok(Self::Json),
            Ok(other) => anyhow::bail!("LOG_FORMAT must be text or json (got {other:?})"),
        }
    }
}

pub fn init() -> anyhow::Result<()> {
    init_as(LogFormat::from_env()?, "info,sqlx=warn,tower_sessions=warn");
    Ok(())
}

/// Text logs with another filter when `RUST_LOG` is unset (tests).
pub fn init_with_default(default_filter: &str) {
    init_as(LogFormat::Text, default_filter);
}

fn init_as(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second call (tests) keeps the first subscriber.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// The request's span: its id (set by the request-id layer outside this
/// one), method and route; the answer's line adds status and latency.
#[derive(Debug, Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or(crate::metrics::UNMATCHED, MatchedPath::as_str);
        tracing::info_span!(
            "request",
            request_id = %id,
            method = %request.method(),
            route = %route,
        )
    }
}

/// Every request's span and its answer's line at `info`; 5xx answers at
/// `error` (tower-http's classifier).
pub fn request_log(
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), Answered> {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(Answered)
}

/// The answer's line: its status and how long it took, as numbers.
#[derive(Debug, Clone, Copy)]
pub struct Answered;

impl<B> OnResponse<B> for Answered {
    fn on_response(self, response: &http::Response<B>, latency: Duration, _span: &Span) {
        tracing::info!(
            status = response.status().as_u16(),
            latency_ms = latency.as_secs_f64() * 1e3,
            "answered"
        );
    }
}
