//! The bodies posted to `/api/*`: at most [`MAX_BODY_BYTES`], and JSON
//! turned into a form. Every mutating server function takes form bodies
//! (so `<ActionForm>` and a no-JS `<form>` work), and this layer turns a
//! JSON body into the same form encoding before the function sees it.
//! The picture upload alone takes `multipart/form-data`, streamed to it
//! up to [`MAX_UPLOAD_BYTES`]; anything else sent there is refused here.
//! Every other body's text is held to the one rule of `text_input`.

use crate::{language, text_input};
use app::{
    error::AppError,
    locale::{td_string, Locale},
};
use axum::{
    body::{Body, Bytes},
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header::CONTENT_TYPE, HeaderValue, Method};
use http_body_util::BodyExt;
use serde_json::Value;
use server_fn::ServerFn;

/// Larger bodies are refused; no request of the shop comes near this.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// An upload's body: a picture of at most 5 MB and the form around it.
pub const MAX_UPLOAD_BYTES: usize = app::catalog::picture::MAX_BYTES + 64 * 1024;
/// The server functions that take `multipart/form-data`.
const MULTIPART_PATHS: [&str; 1] = [<app::admin::catalog::UploadPicture as ServerFn>::PATH];
/// A body over the limit is read (and dropped) up to this much, so the
/// client, still sending it, gets to read the refusal.
const DRAIN_BYTES: usize = 16 * 1024 * 1024;

pub async fn json_to_form(request: Request, next: Next) -> Response {
    if !(request.method() == Method::POST && request.uri().path().starts_with("/api/")) {
        return next.run(request).await;
    }
    let json = is_json(&request);
    let locale = language::of(&request);
    if MULTIPART_PATHS.contains(&request.uri().path()) {
        return upload(request, next, locale).await;
    }
    let (mut parts, body) = request.into_parts();
    let bytes = match read_limited(body, locale).await {
        Ok(bytes) => bytes,
        Err(err) => return err.into_response(),
    };
    let form = if json {
        match json_to_urlencoded(&bytes, locale) {
            Ok(form) => {
                parts.headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                );
                parts.headers.remove(http::header::CONTENT_LENGTH);
                Bytes::from(form)
            }
            Err(err) => return err.into_response(),
        }
    } else {
        bytes
    };
    if let Some(field) = text_input::refused_field(&form) {
        return text_input::refusal(parts.uri.path(), &field, locale).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(form))).await
}

/// A multipart upload goes on as a stream, cut off past
/// [`MAX_UPLOAD_BYTES`] (the function then refuses it); a body that is
/// not multipart with a boundary is refused here, before the function
/// could trip over it.
async fn upload(request: Request, next: Next, locale: Locale) -> Response {
    let boundary = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    if boundary.is_none() {
        return AppError::invalid_field(
            app::error::ErrorCode::BadRequest,
            "image",
            td_string!(locale, errors.multipart_expected),
        )
        .into_response();
    }
    let (parts, body) = request.into_parts();
    let limited = http_body_util::Limited::new(body, MAX_UPLOAD_BYTES);
    next.run(Request::from_parts(parts, Body::new(limited)))
        .await
}

fn is_json(request: &Request) -> bool {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// The whole body, or 400 when it is over the limit.
async fn read_limited(mut body: Body, locale: Locale) -> Result<Bytes, AppError> {
    let too_large = || AppError::bad_request(td_string!(locale, errors.body_too_large));
    let mut buffer = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|_| AppError::bad_request(td_string!(locale, errors.body_unreadable)))?;
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen > DRAIN_BYTES {
                return Err(too_large());
            }
            if seen <= MAX_BODY_BYTES {
                buffer.extend_from_slice(&data);
            }
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(too_large());
    }
    Ok(Bytes::from(buffer))
}

/// `{"a":1,"items":[{"b":2}]}` becomes `a=1&items[0][b]=2` (percent-encoded);
/// `null` fields are left out, as an absent form field would be.
pub fn json_to_urlencoded(body: &[u8], locale: Locale) -> Result<String, AppError> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|e| {
            AppError::bad_request(td_string!(locale, errors.json_invalid, detail = e))
        })?
    };
    let Value::Object(_) = value else {
        return Err(AppError::bad_request(td_string!(
            locale,
            errors.json_not_object
        )));
    };
    serde_qs::to_string(&strip_nulls(value))
        .map_err(|e| AppError::bad_request(td_string!(locale, errors.json_unreadable, detail = e)))
}

fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_objects_become_form_fields() {
        let form = json_to_urlencoded(
            br#"{"product_id": 3, "quantity": "2", "gone": null}"#,
            Locale::en,
        )
        .unwrap();
        assert!(form.contains("product_id=3"), "{form}");
        assert!(form.contains("quantity=2"), "{form}");
        assert!(!form.contains("gone"), "{form}");
    }

    #[test]
    fn nested_lists_keep_their_structure() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Line {
            product_id: i64,
            quantity: i64,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Order {
            key: String,
            items: Vec<Line>,
            from_cart: bool,
        }
        let form = json_to_urlencoded(
            br#"{"key":"k 1&x","from_cart":false,"items":[{"product_id":1,"quantity":2},{"product_id":5,"quantity":1}]}"#,
            Locale::en,
        )
        .unwrap();
        let order: Order = serde_qs::Config::new(5, false)
            .deserialize_str(&form)
            .unwrap();
        assert_eq!(order.key, "k 1&x");
        assert!(!order.from_cart);
        assert_eq!(
            order.items,
            vec![
                Line {
                    product_id: 1,
                    quantity: 2
                },
                Line {
                    product_id: 5,
                    quantity: 1
                }
            ]
        );
    }

    #[test]
    fn bad_bodies_are_bad_requests() {
        for body in [&b"{not json"[..], b"[1,2]", b"42"] {
            let err = json_to_urlencoded(body, Locale::en).unwrap_err();
            assert_eq!(err.code, app::error::ErrorCode::BadRequest);
        }
        assert_eq!(json_to_urlencoded(b"", Locale::en).unwrap(), "");
    }
}
