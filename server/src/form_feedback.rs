//! What a form posted without JavaScript hears back (`app::flash`).
//!
//! - A plain form post to `/api/*` (the browser asks for `text/html`) that
//!   is refused, by the server function (leptos then redirects back with
//!   the error in the URL's `__err`) or by a layer or guard before it (an
//!   error answer), is answered `303` back to the page the form was on,
//!   with the error's message and the fields as sent kept in the session,
//!   and no `__err` in the address.
//! - A page opened by the browser (not `/api`, `/auth`, `/payments`: those
//!   answer with a redirect and leave messages of their own) takes the
//!   session's waiting message out before it renders, into the request the render reads
//!   (`Flash::current`), so it is shown once.
//!
//! Inside the session layer; the body has passed `json_forms` (bounded).

use app::{
    error::AppError,
    flash::{self, Flash},
    http_status::accepts_html,
};
use axum::{
    body::Body,
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;
use tower_sessions::Session;

pub async fn remember(mut request: Request, next: Next) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    let api = app::url::is_under(path, &["/api", "/auth", "/payments"]);
    if !accepts_html(request.headers()) {
        return next.run(request).await;
    }
    match *request.method() {
        Method::GET if !api => {
            let taken = flash::take(&session).await;
            if let Some(flash) = &taken {
                request.extensions_mut().insert(flash.clone());
            }
            let response = next.run(request).await;
            // Not shown (the page sent the browser on, e.g. to log in):
            // kept for the page it goes to.
            if let (Some(flash), true) = (taken, response.status().is_redirection()) {
                flash::keep(&session, flash).await;
            }
            response
        }
        Method::POST if path.starts_with("/api/") => answer_form(request, session, next).await,
        _ => next.run(request).await,
    }
}

/// A plain form post: passed on, and a refusal turned into a message for
/// the page it came from.
async fn answer_form(request: Request, session: Session, next: Next) -> Response {
    let form = request.uri().path().to_string();
    let host = header_text(request.headers(), header::HOST).to_string();
    let back = header_text(request.headers(), header::REFERER);
    let back = path_on(&host, back).unwrap_or_else(|| "/".to_string());
    let (parts, body) = request.into_parts();
    // The fields as sent, to fill the form in again (not a file upload's).
    let (values, body) = if is_urlencoded(&parts.headers) {
        match body.collect().await {
            Ok(collected) => {
                let bytes = collected.to_bytes();
                let values = form_urlencoded::parse(&bytes).into_owned().collect();
                (values, Body::from(bytes))
            }
            Err(_) => (Vec::new(), Body::empty()),
        }
    } else {
        (Vec::new(), body)
    };
    let response = next.run(Request::from_parts(parts, body)).await;
    match refusal(response).await {
        Ok(error) => {
            let flash = Flash::refused(error.message.clone(), &form, error.field(), values);
            flash::keep(&session, flash).await;
            see_other(&back)
        }
        Err(mut response) => {
            // leptos' way back is the whole `Referer` (with a bare `?` where
            // it took an earlier `__err` out): the same page, as a path.
            let location = response.headers().get(header::LOCATION);
            let path = location.and_then(|l| path_on(&host, l.to_str().ok()?));
            if let Some(value) = path.and_then(|p| HeaderValue::from_str(&p).ok()) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
    }
}

/// The error an answer carries: in the `__err` of leptos' redirect back,
/// or as the body of an error answer (a guard's, a layer's). Any other
/// answer is given back as it is.
async fn refusal(response: Response) -> Result<AppError, Response> {
    if let Some(location) = response.headers().get(header::LOCATION) {
        return location
            .to_str()
            .ok()
            .and_then(|l| query_value(l, "__err"))
            .and_then(|e| base64::engine::general_purpose::URL_SAFE.decode(e).ok())
            .and_then(|json| serde_json::from_slice::<AppError>(&json).ok())
            .ok_or(response);
    }
    if !(response.status().is_client_error() || response.status().is_server_error()) {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(Response::from_parts(parts, Body::empty())),
    };
    // Not the shop's error: the browser sees it as it is.
    serde_json::from_slice::<AppError>(&bytes)
        .map_err(|_| Response::from_parts(parts, Body::from(bytes)))
}

fn see_other(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response(),
    }
}

fn is_urlencoded(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The path and query of `url` when it is an address on `host` (less an
/// earlier refusal's `__err` and `__path`); `None` for another site's.
fn path_on(host: &str, url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if host.is_empty() || !authority.eq_ignore_ascii_case(host) {
        return None;
    }
    let path = path.split('#').next().unwrap_or_default();
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let path = if path.is_empty() { "/" } else { path };
    let kept: Vec<_> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k != "__err" && k != "__path")
        .collect();
    if kept.is_empty() {
        return Some(path.to_string());
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    Some(format!("{path}?{query}"))
}

/// The value of `name` in a URL's query.
fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_goes_back_to_its_page_on_this_host_only() {
        let back = |url| path_on("shop.test:3000", url);
        assert_eq!(
            back("http://shop.test:3000/products/3").unwrap(),
            "/products/3"
        );
        assert_eq!(
            back("http://shop.test:3000/coupons?page=2&__path=/api/x&__err=e30#top").unwrap(),
            "/coupons?page=2"
        );
        assert_eq!(back("http://shop.test:3000/cart?").unwrap(), "/cart");
        assert_eq!(back("http://shop.test:3000").unwrap(), "/");
        assert_eq!(back("https://evil.example/products/3"), None);
        assert_eq!(back("http://shop.test:3000.evil.example/x"), None);
        assert_eq!(back("/relative"), None);
        assert_eq!(path_on("", "http://shop.test:3000/x"), None);
    }

    #[test]
    fn the_error_is_read_from_leptos_redirect() {
        let json = br#"{"code":"COUPON_SOLD_OUT","message":"Sold out"}"#;
        let encoded = base64::engine::general_purpose::URL_SAFE.encode(json);
        let url =
            format!("http://shop.test/coupons?__path=%2Fapi%2Fcoupons%2Fclaim&__err={encoded}");
        assert_eq!(query_value(&url, "__err"), Some(encoded));
        assert_eq!(query_value("http://shop.test/coupons", "__err"), None);
    }
}
