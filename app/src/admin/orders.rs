//! Orders and customers for staff: the order list, its CSV for a courier's
//! bulk upload and one order (permission `orders`), shipping (one or many),
//! delivering and cancelling through the orders' own lifecycle; the customers, one customer, and adjusting a balance with a
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
    orders::{self, lifecycle, lifecycle::Dispatch, Actor, AdminOrderQuery},
    paging::Paging,
    points,
    shipping::{Carrier, TrackingNumber},
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

/// `POST /api/admin/orders/ship`: `order_id`, `carrier` (`cj`, `lotte`,
/// `hanjin`, `epost`, `logen`), `tracking_number` (10 to 14 digits). The
/// order, shipped; 409 `ORDER_NOT_FULFILLABLE` unless it is placed.
#[server(prefix = "/api", endpoint = "admin/orders/ship")]
pub async fn ship_order(
    order_id: OrderId,
    carrier: String,
    tracking_number: String,
) -> Result<OrderDetail, AppError> {
    let staff = require(Permission::Orders).await?;
    let parcel = Dispatch {
        order_id,
        carrier: Carrier::parse(&carrier)?,
        tracking_number: TrackingNumber::parse(&tracking_number)?,
    };
    let mut shipped = lifecycle::ship(&db()?, staff.user_id, &[parcel]).await?;
    wake_dispatcher();
    crate::flash::done(crate::locale::td_string!(
        Locale::current(),
        flash.order_shipped
    ))
    .await;
    back_to_order(order_id);
    shipped
        .pop()
        .ok_or_else(|| AppError::internal("shipping an order", "nothing shipped"))
}

/// One row of the bulk shipping form, or of a JSON client's list.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShipLine {
    pub order_id: OrderId,
    pub carrier: String,
    /// Empty: the row is left out (the form's rows not filled in).
    #[serde(default)]
    pub tracking_number: String,
}

/// The answer to a bulk shipment: the orders shipped.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShippedOrders {
    pub items: Vec<OrderDetail>,
}

/// At most this many orders shipped at once (a page of the list, and more).
pub const MAX_SHIP_AT_ONCE: usize = 200;

/// `POST /api/admin/orders/ship-many`: `shipments: [{order_id, carrier,
/// tracking_number}]` (lines with no number are left out; at least one,
/// at most 200, each order once). All of them shipped, or none: 400 names
/// the order and field at fault (`details.order_id`), 409
/// `ORDER_NOT_FULFILLABLE` the order that is not placed.
#[server(prefix = "/api", endpoint = "admin/orders/ship-many")]
pub async fn ship_orders(shipments: Option<Vec<ShipLine>>) -> Result<ShippedOrders, AppError> {
    let staff = require(Permission::Orders).await?;
    let parcels = dispatches(shipments.unwrap_or_default())?;
    let shipped = lifecycle::ship(&db()?, staff.user_id, &parcels).await?;
    wake_dispatcher();
    crate::flash::done(crate::locale::td_string!(
        Locale::current(),
        flash.orders_shipped,
        count = shipped.len()
    ))
    .await;
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect("/admin/orders?status=placed");
    }
    Ok(ShippedOrders { items: shipped })
}

/// The lines with a number, each checked; a refusal names its order.
#[cfg(feature = "ssr")]
fn dispatches(lines: Vec<ShipLine>) -> Result<Vec<Dispatch>, AppError> {
    use crate::error::{ErrorCode, ErrorDetails};
    let locale = Locale::current();
    let lines: Vec<ShipLine> = lines
        .into_iter()
        .filter(|l| !l.tracking_number.trim().is_empty())
        .collect();
    if lines.is_empty() || lines.len() > MAX_SHIP_AT_ONCE {
        return Err(AppError::invalid_field(
            ErrorCode::BadRequest,
            "shipments",
            crate::locale::td_string!(locale, shipping.error_ship_lines, max = MAX_SHIP_AT_ONCE),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    lines
        .into_iter()
        .map(|line| {
            let order_id = line.order_id;
            let naming = |error: AppError| {
                let field = error.field().unwrap_or("shipments").to_string();
                let message = crate::locale::td_string!(
                    locale,
                    shipping.error_in_order,
                    order = order_id,
                    message = &error.message
                )
                .to_string();
                AppError::new(error.code, message).with_details(ErrorDetails {
                    field: Some(field),
                    order_id: Some(order_id.0),
                    ..ErrorDetails::default()
                })
            };
            if !seen.insert(order_id) {
                return Err(naming(AppError::invalid_field(
                    ErrorCode::BadRequest,
                    "shipments",
                    crate::locale::td_string!(locale, shipping.error_twice),
                )));
            }
            Ok(Dispatch {
                order_id,
                carrier: Carrier::parse(&line.carrier).map_err(naming)?,
                tracking_number: TrackingNumber::parse(&line.tracking_number).map_err(naming)?,
            })
        })
        .collect()
}

/// `POST /api/admin/orders/deliver`: `order_id`. The order, delivered; 409
/// `ORDER_NOT_FULFILLABLE` unless it is shipped.
#[server(prefix = "/api", endpoint = "admin/orders/deliver")]
pub async fn deliver_order(order_id: OrderId) -> Result<OrderDetail, AppError> {
    let staff = require(Permission::Orders).await?;
    let order = lifecycle::deliver(&db()?, staff.user_id, order_id).await?;
    wake_dispatcher();
    crate::flash::done(crate::locale::td_string!(
        Locale::current(),
        flash.order_delivered
    ))
    .await;
    back_to_order(order_id);
    Ok(order)
}

/// The order's event is in the outbox: sent now rather than at the next poll.
#[cfg(feature = "ssr")]
fn wake_dispatcher() {
    if let Some(wakeup) = use_context::<crate::platform::dispatcher::Wakeup>() {
        wakeup.wake();
    }
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
    wake_dispatcher();
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

/// At most this many orders in one CSV download.
pub const MAX_EXPORT_ROWS: i64 = 10_000;

/// `GET /api/admin/orders/export?status&from&to&user_id&product_id`: the
/// staff's order list (oldest first, at most [`MAX_EXPORT_ROWS`]) as CSV
/// for a courier's bulk upload: order, recipient, phone, postal code,
/// address, memo, items with their options. UTF-8 with a byte-order mark
/// (a spreadsheet reads the Korean right); a cell a spreadsheet would take
/// for a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first)
/// is written with a `'` before it, so it shows as the text it is.
#[cfg(feature = "ssr")]
pub async fn shipping_csv(
    db: &crate::db::Db,
    query: &AdminOrderQuery,
    locale: Locale,
) -> Result<Vec<u8>, AppError> {
    use crate::locale::td_string;
    let orders = orders::store::to_ship(db, query, MAX_EXPORT_ROWS, locale).await?;
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let write_error = |e: csv::Error| AppError::internal("writing the CSV", e.to_string());
    out.write_record([
        td_string!(locale, shipping.csv_order),
        td_string!(locale, shipping.csv_ordered_at),
        td_string!(locale, shipping.csv_status),
        td_string!(locale, shipping.csv_recipient),
        td_string!(locale, shipping.csv_phone),
        td_string!(locale, shipping.csv_postal_code),
        td_string!(locale, shipping.csv_address),
        td_string!(locale, shipping.csv_memo),
        td_string!(locale, shipping.csv_items),
    ])
    .map_err(write_error)?;
    for order in orders {
        let items = order
            .items
            .iter()
            .map(|(name, label, quantity)| match label.is_empty() {
                true => format!("{name} x{quantity}"),
                false => format!("{name} ({label}) x{quantity}"),
            })
            .collect::<Vec<_>>()
            .join("; ");
        let to = order.ship_to.as_ref();
        let address = to
            .map(|t| match t.address2.is_empty() {
                true => t.address1.clone(),
                false => format!("{} {}", t.address1, t.address2),
            })
            .unwrap_or_default();
        let record = [
            order.order_id.to_string(),
            crate::dates::format_millis(order.ordered_at, locale),
            order.status.label(locale).to_string(),
            to.map(|t| t.recipient.clone()).unwrap_or_default(),
            to.map(|t| t.phone.as_str().to_string()).unwrap_or_default(),
            to.map(|t| t.postal_code.as_str().to_string())
                .unwrap_or_default(),
            address,
            to.map(|t| t.memo.clone()).unwrap_or_default(),
            items,
        ];
        out.write_record(record.iter().map(|cell| inert(cell).into_owned()))
            .map_err(write_error)?;
    }
    out.into_inner()
        .map_err(|e| AppError::internal("writing the CSV", e.to_string()))
}

/// A cell a spreadsheet shows as the text it is: one starting like a
/// formula gets a `'` before it (OWASP's advice for CSV injection).
#[cfg(feature = "ssr")]
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::inert;

    #[test]
    fn formulas_are_shown_as_text() {
        assert_eq!(
            inert("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(inert("+82"), "'+82");
        assert_eq!(inert("-1"), "'-1");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("\tx"), "'\tx");
        assert_eq!(inert("홍길동"), "홍길동");
        assert_eq!(inert("010-1234-5678"), "010-1234-5678");
        assert_eq!(inert(""), "");
    }
}
