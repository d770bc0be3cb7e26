//! No response stays open forever: a request that has no answer within the
//! limit gets 503 `TIMED_OUT` (JSON under `/api`, a short page elsewhere)
//! and a warning in the log, and whatever it was doing is dropped (an open
//! database transaction rolls back).

use app::error::{AppError, ErrorCode};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use http::StatusCode;
use std::time::Duration;

pub async fn enforce(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(%method, %uri, limit_ms = limit.as_millis() as u64, "request timed out");
            let error = AppError::new(
                ErrorCode::TimedOut,
                "The shop took too long to answer. Please try again.",
            );
            if uri.path().starts_with("/api/") {
                error.into_response()
            } else {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Html(timed_out_page(&error)),
                )
                    .into_response()
            }
        }
    }
}

fn timed_out_page(error: &AppError) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Try again · Storefront</title></head><body>\
         <main><h1>Try again</h1><p>{}</p><p><a href=\"/\">Back to the shop</a></p></main>\
         </body></html>",
        error.message
    )
}
