//! No response stays open forever: a request that has no answer within the
//! limit gets 503 `TIMED_OUT` (JSON under `/api`, a short page elsewhere)
//! and a warning in the log, and whatever it was doing is dropped (an open
//! database transaction rolls back).

use crate::language;
use app::{
    error::{AppError, ErrorCode},
    locale::{td_string, Locale},
};
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
    let locale = language::of(&request);
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(%method, %uri, limit_ms = limit.as_millis() as u64, "request timed out");
            let error = AppError::new(ErrorCode::TimedOut, td_string!(locale, errors.timed_out));
            if uri.path().starts_with("/api/") {
                error.into_response()
            } else {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Html(timed_out_page(&error, locale)),
                )
                    .into_response()
            }
        }
    }
}

fn timed_out_page(error: &AppError, locale: Locale) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <title>{}</title></head><body>\
         <main><h1>{}</h1><p>{}</p><p><a href=\"/\">{}</a></p></main>\
         </body></html>",
        locale.tag(),
        td_string!(
            locale,
            common.title,
            page = td_string!(locale, common.timed_out)
        ),
        td_string!(locale, common.timed_out),
        error.message,
        td_string!(locale, common.back_to_shop),
    )
}
