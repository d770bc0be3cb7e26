//! Orders and customers for staff: the order list and one order (permission
//! `orders`), fulfilling and cancelling one through the orders' own
//! lifecycle; the customers, one customer, and adjusting a balance with a
//! reason (permission `customers`).

use crate::{
    accounts::customers::{CustomerDetail, CustomerPage},
    error::AppError,
    identity::UserId,
    orders::{AdminOrder, AdminOrderPage, CancelledOrder, IdempotencyKey, OrderDetail, OrderId},
    points::{PointBalance, PointDelta},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    accounts::customers,
    audit::{self, AuditKind},
    db::db,
    locale::Locale,
    orders::{self, lifecycle, Actor, AdminOrderQuery},
    paging::Paging,
    points,
    staff::{require, Permission},
};

/// `GET /api/admin/orders?status&from&to&user_id&product_id&page&per_page`:
/// every order, newest first; `from` and `to` are days (`YYYY-MM-DD`, Seoul).
#[server(prefix = "/api", endpoint = "admin/orders", input = server_fn::codec::GetUrl)]
#[allow(clippy::too_many_arguments)]
pub async fn admin_orders(
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    user_id: Option<String>,
    product_id: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
) -> Result<AdminOrderPage, AppError> {
    require(Permission::Orders).await?;
    let query = AdminOrderQuery::parse(
        page.as_deref(),
        per_page.as_deref(),
        status.as_deref(),
        from.as_deref(),
        to.as_deref(),
        user_id.as_deref(),
        product_id.as_deref(),
    )?;
    orders::store::list_all(&db()?, &query, Locale::current()).await
}

/// `GET /api/admin/orders/get?id`: one order with its lines, payment,
/// customer and status history.
#[server(prefix = "/api", endpoint = "admin/orders/get", input = server_fn::codec::GetUrl)]
pub async fn admin_order_detail(id: String) -> Result<AdminOrder, AppError> {
    require(Permission::Orders).await?;
    let id = orders::parse_order_id(&id)?;
    orders::store::get_for_staff(&db()?, id, Locale::current())
        .await?
        .ok_or_else(orders::order_not_found)
}

/// `POST /api/admin/orders/fulfil`: `order_id`, `note?` (a tracking
/// number). The order, shipped; 409 `ORDER_NOT_FULFILLABLE` unless placed.
#[server(prefix = "/api", endpoint = "admin/orders/fulfil")]
pub async fn fulfil_order(
    order_id: OrderId,
    note: Option<String>,
) -> Result<OrderDetail, AppError> {
    let staff = require(Permission::Orders).await?;
    let note = crate::text::field(
        "note",
        note.as_deref().unwrap_or_default(),
        false,
        orders::MAX_REASON,
        false,
    )?;
    let order = lifecycle::fulfil(&db()?, staff.user_id, order_id, &note).await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.order_shipped
    ))
    .await;
    back_to_order(order_id);
    Ok(order)
}

/// `POST /api/admin/orders/cancel`: `order_id`, `idempotency_key`,
/// `reason`. As the shopper's cancel, for any placed order.
#[server(prefix = "/api", endpoint = "admin/orders/cancel")]
pub async fn cancel_order_as_staff(
    order_id: OrderId,
    idempotency_key: IdempotencyKey,
    reason: String,
) -> Result<CancelledOrder, AppError> {
    let staff = require(Permission::Orders).await?;
    let reason = crate::text::field("reason", &reason, true, orders::MAX_REASON, false)?;
    let cancelled = lifecycle::cancel(
        &db()?,
        Actor::Staff(staff.user_id),
        order_id,
        &idempotency_key,
        &reason,
    )
    .await?;
    if let Some(wakeup) = use_context::<crate::platform::dispatcher::Wakeup>() {
        wakeup.wake();
    }
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.order_cancelled
    ))
    .await;
    back_to_order(order_id);
    Ok(cancelled)
}

/// A form posted without JS comes back to the order's page.
#[cfg(feature = "ssr")]
fn back_to_order(order_id: OrderId) {
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect(&format!("/admin/orders/{order_id}"));
    }
}

/// `GET /api/admin/customers?q&page&per_page`: customers whose login id
/// holds `q`, newest first.
#[server(prefix = "/api", endpoint = "admin/customers", input = server_fn::codec::GetUrl)]
pub async fn admin_customers(
    q: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
) -> Result<CustomerPage, AppError> {
    require(Permission::Customers).await?;
    let paging = Paging::parse(page.as_deref(), per_page.as_deref(), 30)?;
    let q = crate::text::field(
        "q",
        q.as_deref().unwrap_or_default(),
        false,
        customers::MAX_SEARCH,
        false,
    )?;
    customers::store::list(&db()?, (!q.is_empty()).then_some(q.as_str()), paging).await
}

/// `GET /api/admin/customers/get?id`: one customer with their orders and
/// point ledger; 404 `USER_NOT_FOUND`.
#[server(prefix = "/api", endpoint = "admin/customers/get", input = server_fn::codec::GetUrl)]
pub async fn admin_customer(id: String) -> Result<CustomerDetail, AppError> {
    require(Permission::Customers).await?;
    let id = id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(customers::no_such_customer)?;
    customers::store::get(&db()?, UserId(id), Locale::current()).await
}

/// `POST /api/admin/payments/refund`: `charge_id`, `reason`. Gives a paid
/// charge's money back through the payment service and takes its points
/// back; the new balance. 409 `INSUFFICIENT_POINTS` when the shopper
/// spent them, `CHARGE_NOT_REFUNDABLE` when it is not paid; 404
/// `NOT_FOUND`; 503 `PAYMENT_UNAVAILABLE` when the service will not.
#[server(prefix = "/api", endpoint = "admin/payments/refund")]
pub async fn refund_charge(charge_id: String, reason: String) -> Result<PointBalance, AppError> {
    use crate::payments::{provider::Payments, store as charges, ChargeId};
    let staff = require(Permission::Customers).await?;
    let reason = crate::text::field("reason", &reason, true, points::MAX_REASON, false)?;
    let id = charge_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(ChargeId)
        .ok_or_else(crate::payments::flow::no_such_charge)?;
    let db = db()?;
    let charge = charges::get(&db, id)
        .await?
        .ok_or_else(crate::payments::flow::no_such_charge)?;
    let payments = Payments::current();
    let Some(service) = payments.service().filter(|s| s.name() == charge.provider) else {
        return Err(AppError::new(
            crate::error::ErrorCode::PaymentUnavailable,
            crate::locale::td_string!(Locale::current(), errors.payment_unavailable),
        ));
    };
    let balance =
        points::charging::refund(&db, service.as_ref(), id, &reason, staff.user_id).await?;
    if let Some(wakeup) = leptos::prelude::use_context::<crate::platform::dispatcher::Wakeup>() {
        wakeup.wake();
    }
    let points = crate::money::show_points(balance, Locale::current());
    crate::flash::done(crate::locale::td_string!(
        Locale::current(),
        flash.points_adjusted,
        points
    ))
    .await;
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect(&format!("/admin/customers/{}", charge.user_id));
    }
    Ok(PointBalance {
        user_id: charge.user_id,
        points: balance,
    })
}

/// `POST /api/admin/customers/points`: `user_id`, `delta` (±1,000,000, not
/// 0), `reason`. The new balance; 409 `INSUFFICIENT_POINTS` below zero,
/// `POINT_LIMIT_EXCEEDED` past the cap; 404 `USER_NOT_FOUND`.
#[server(prefix = "/api", endpoint = "admin/customers/points")]
pub async fn adjust_points(
    user_id: UserId,
    delta: PointDelta,
    reason: String,
) -> Result<PointBalance, AppError> {
    let staff = require(Permission::Customers).await?;
    let reason = crate::text::field("reason", &reason, true, points::MAX_REASON, false)?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let login_id: String = sqlx::query_scalar("SELECT login_id FROM users WHERE id = $1")
        .bind(user_id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(customers::no_such_customer)?;
    let balance = points::store::adjust(&mut tx, user_id, delta, staff.user_id, &reason).await?;
    audit::store::record(
        &mut tx,
        Some(staff.user_id),
        AuditKind::PointsAdjusted,
        &format!("user:{login_id}"),
        &format!("{:+} → {balance}; {reason:?}", delta.get()),
    )
    .await?;
    tx.commit().await?;
    let points = crate::money::show_points(balance, crate::locale::Locale::current());
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.points_adjusted,
        points
    ))
    .await;
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect(&format!("/admin/customers/{user_id}"));
    }
    Ok(PointBalance {
        user_id,
        points: balance,
    })
}
