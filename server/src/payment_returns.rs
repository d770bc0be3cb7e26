//! Where the payment service sends the shopper's browser back:
//! `GET /payments/{provider}/approve?charge=ID&pg_token=…`, `/cancel` and
//! `/fail`. The rules are `app::payments::flow`, with the charge's purpose
//! (points, or an order's payment); this module reads the request, checks
//! it is the charge's own shopper, and answers with the points page or the
//! order's page and a message saying how the payment ended.

use app::{
    db::Db,
    flash::{self, Flash},
    identity::{user_of, AuthSettings},
    locale::{td_string, Locale},
    money::{show_points, Won},
    orders::paying,
    payments::{
        flow::{self, Returned},
        provider::Payments,
        Charge, ChargeId,
    },
    points::{self, ChargePoints},
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
    let (charge, reference) = match flow::own_charge(&db, user, id).await {
        Ok(found) => found,
        // Someone else's charge, or none: said in the shopper's language.
        Err(_) => return not_found(locale),
    };
    let purpose = paying::purpose_of(&charge);
    let (service, reference) = (service.as_ref(), reference.as_deref());
    let result = match what.as_str() {
        "approve" => match back.pg_token.as_deref().map(str::trim) {
            Some(token) if !token.is_empty() && token.len() <= 100 => {
                flow::approve_return(&db, service, purpose, &charge, reference, token).await
            }
            _ => flow::abandoned_return(&db, service, purpose, &charge, reference, true).await,
        },
        "cancel" => flow::abandoned_return(&db, service, purpose, &charge, reference, false).await,
        "fail" => flow::abandoned_return(&db, service, purpose, &charge, reference, true).await,
        _ => return not_found(locale),
    };
    let (flash, back_to) = match charge.order_id {
        Some(order) => (
            order_flash(&db, &charge, result, locale).await,
            format!("/orders/{}", encode(&order.to_string())),
        ),
        None => (
            points_flash(&db, &charge, result, locale).await,
            format!("/points?charge={}", encode(&id.to_string())),
        ),
    };
    flash::keep(&session, flash).await;
    Redirect::to(&back_to).into_response()
}

/// How a points charge ended, said on the points page.
async fn points_flash(
    db: &Db,
    charge: &Charge,
    result: app::error::AppResult<Returned>,
    locale: Locale,
) -> Flash {
    match result {
        Ok(Returned::Paid) => {
            let balance = points::store::balance(db, charge.user_id)
                .await
                .unwrap_or_default();
            Flash::done(td_string!(
                locale,
                points.returned_paid,
                charged = show_points(charge.amount, locale),
                points = show_points(balance, locale)
            ))
        }
        Ok(Returned::Confirming) => Flash::done(td_string!(locale, points.returned_confirming)),
        Ok(Returned::Cancelled) => refused(td_string!(locale, points.returned_cancelled)),
        Ok(Returned::Failed(why)) if why.trim().is_empty() => {
            refused(td_string!(locale, points.returned_failed))
        }
        Ok(Returned::Failed(why)) => refused(td_string!(locale, points.returned_failed_why, why)),
        Err(error) => {
            tracing::error!(charge = %charge.charge_id, error = %error.message, "a shopper's return from paying");
            refused(error.message)
        }
    }
}

/// How an order's payment ended, said on the order's page.
async fn order_flash(
    db: &Db,
    charge: &Charge,
    result: app::error::AppResult<Returned>,
    locale: Locale,
) -> Flash {
    let amount = Won(charge.amount).show(locale);
    // A payment that did not go through while its order still waits (a
    // page replaced by "pay now", a refused approval KakaoPay keeps open):
    // the order can still be paid.
    // Or one whose order expired while the shopper was at the service.
    let ended = matches!(result, Ok(Returned::Failed(_) | Returned::Cancelled));
    if ended {
        let order = charge.order_id.map(app::orders::OrderId);
        let status = match order {
            Some(id) => app::orders::store::get(db, Some(charge.user_id), id, locale)
                .await
                .ok()
                .flatten()
                .map(|o| o.state.status),
            None => None,
        };
        match status {
            Some(app::orders::OrderStatus::AwaitingPayment) => {
                return Flash::done(td_string!(locale, orders.returned_still_waiting))
            }
            Some(app::orders::OrderStatus::Expired) => {
                return Flash::done(td_string!(locale, orders.returned_expired))
            }
            _ => {}
        }
    }
    match result {
        Ok(Returned::Paid) => Flash::done(td_string!(locale, orders.returned_paid, amount)),
        Ok(Returned::Confirming) => Flash::done(td_string!(locale, orders.returned_confirming)),
        Ok(Returned::Cancelled) => Flash::done(td_string!(locale, orders.returned_cancelled)),
        Ok(Returned::Failed(why)) if why.trim().is_empty() => {
            Flash::done(td_string!(locale, orders.returned_failed))
        }
        Ok(Returned::Failed(why)) => {
            Flash::done(td_string!(locale, orders.returned_failed_why, why))
        }
        Err(error) => {
            tracing::error!(charge = %charge.charge_id, error = %error.message, "a shopper's return from paying for an order");
            Flash::done(error.message)
        }
    }
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
