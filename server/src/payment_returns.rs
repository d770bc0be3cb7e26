//! Where the payment service sends the shopper's browser back:
//! `GET /payments/{provider}/approve?charge=ID&pg_token=…`, `/cancel` and
//! `/fail`. The rules are `app::points::charging`; this module reads the
//! request, checks it is the charge's own shopper, and answers with the
//! points page and a message saying how the payment ended.

use app::{
    db::Db,
    flash::{self, Flash},
    identity::{user_of, AuthSettings},
    locale::{td_string, Locale},
    money::show_points,
    payments::{provider::Payments, ChargeId},
    points::{charging, ChargePoints},
    url::{encode, login_href},
};
use axum::{
    extract::{FromRef, Path, Query, State},
    http::Uri,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Extension, Router,
};
use http::HeaderMap;
use serde::Deserialize;
use server_fn::ServerFn;
use tower_sessions::Session;

pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Payments: FromRef<S>,
    Db: FromRef<S>,
{
    Router::new().route("/payments/{provider}/{what}", get(returned))
}

#[derive(Debug, Deserialize)]
struct Back {
    charge: Option<String>,
    pg_token: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn returned(
    State(payments): State<Payments>,
    State(db): State<Db>,
    Extension(auth): Extension<AuthSettings>,
    Extension(locale): Extension<Locale>,
    Path((provider, what)): Path<(String, String)>,
    Query(back): Query<Back>,
    uri: Uri,
    headers: HeaderMap,
    session: Session,
) -> Response {
    let Some(service) = payments.service().filter(|s| s.name() == provider) else {
        return not_found(locale);
    };
    let Some(id) = back
        .charge
        .as_deref()
        .and_then(|c| c.trim().parse::<i64>().ok())
        .filter(|id| *id > 0)
        .map(ChargeId)
    else {
        return not_found(locale);
    };
    let user = user_of(&db, auth, headers.get("x-user-id"), Some(&session))
        .await
        .ok()
        .flatten();
    let Some(user) = user else {
        // The session ended while the shopper was paying: log in, then
        // come back here (the token is still good).
        let here = uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        return Redirect::to(&login_href(&here)).into_response();
    };
    let result = match what.as_str() {
        "approve" => match back.pg_token.as_deref().map(str::trim) {
            Some(token) if !token.is_empty() && token.len() <= 100 => {
                charging::approve_return(&db, service.as_ref(), user, id, token).await
            }
            _ => charging::abandoned_return(&db, service.as_ref(), user, id, true).await,
        },
        "cancel" => charging::abandoned_return(&db, service.as_ref(), user, id, false).await,
        "fail" => charging::abandoned_return(&db, service.as_ref(), user, id, true).await,
        _ => return not_found(locale),
    };
    let flash = match result {
        Ok(charging::Returned::Paid { amount, balance }) => Flash::done(td_string!(
            locale,
            points.returned_paid,
            charged = show_points(amount, locale),
            points = show_points(balance, locale)
        )),
        Ok(charging::Returned::Confirming) => {
            Flash::done(td_string!(locale, points.returned_confirming))
        }
        Ok(charging::Returned::Cancelled) => refused(td_string!(locale, points.returned_cancelled)),
        Ok(charging::Returned::Failed(why)) if why.trim().is_empty() => {
            refused(td_string!(locale, points.returned_failed))
        }
        Ok(charging::Returned::Failed(why)) => {
            refused(td_string!(locale, points.returned_failed_why, why))
        }
        // Someone else's charge, or none: said in the shopper's language.
        Err(error) if error.code == app::error::ErrorCode::NotFound => {
            return not_found(locale);
        }
        Err(error) => {
            tracing::error!(charge = %id, error = %error.message, "a shopper's return from paying");
            refused(error.message)
        }
    };
    flash::keep(&session, flash).await;
    Redirect::to(&format!("/points?charge={}", encode(&id.to_string()))).into_response()
}

/// A message said as a refusal of the charge form.
fn refused(text: impl Into<String>) -> Flash {
    Flash::refused(text, ChargePoints::PATH, None, Vec::new())
}

fn not_found(locale: Locale) -> Response {
    app::error::AppError::new(
        app::error::ErrorCode::NotFound,
        td_string!(locale, errors.no_such_charge),
    )
    .into_response()
}
