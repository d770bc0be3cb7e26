//! Orders in the database: written by checkout (with the address they go
//! to), moved on by the lifecycle (each move one conditional update from
//! the state it leaves), shipped and delivered (`shipments`), read back by
//! their owner and staff.

use super::{
    Actor, AdminOrder, AdminOrderPage, AdminOrderQuery, AdminOrderSummary, OrderDetail, OrderId,
    OrderLine, OrderPage, OrderState, OrderStatus, OrderSummary, Payment, ServicePayment,
    StatusEntry,
};
use crate::{
    addresses::{
        store::{bind_shipping, shipping_of},
        ShippingAddress,
    },
    catalog::{store::ForSale, ProductId, Quantity, VariantId},
    coupons::CouponId,
    db::Db,
    error::{AppError, AppResult},
    identity::UserId,
    locale::Locale,
    money::Won,
    paging::Paging,
    shipping::{Carrier, Shipment, TrackingNumber},
};
use sqlx::{any::AnyRow, Any, AnyConnection, Row, Transaction};

/// Writes the order (what it came to, with its coupon) and its lines with
/// their price and name snapshots: the base name beside the price, and the
/// name in every language the product has (`order_item_names`), as they
/// are in this transaction.
/// `pay_by`: the order waits for its payment until then
/// (`awaiting_payment`); `None`: it is paid (`placed`). `ship_to`: a copy
/// of the address it goes to.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    payment: &Payment,
    ordered_at: i64,
    lines: &[OrderLine],
    sold: &[ForSale],
    pay_by: Option<i64>,
    ship_to: &ShippingAddress,
) -> AppResult<OrderId> {
    let status = match pay_by {
        Some(_) => OrderStatus::AwaitingPayment,
        None => OrderStatus::Placed,
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO orders (user_id, total, subtotal, discount, coupon_id, ordered_at, status, \
                             pay_by, shipping_fee) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(user.0)
    .bind(payment.total.get())
    .bind(payment.subtotal.get())
    .bind(payment.discount.get())
    .bind(payment.coupon_id.map(|c| c.0))
    .bind(ordered_at)
    .bind(status.as_str())
    .bind(pay_by)
    .bind(payment.shipping_fee.get())
    .fetch_one(&mut **tx)
    .await?;
    let copy = sqlx::query(
        "INSERT INTO order_addresses \
           (order_id, recipient, phone, postal_code, address1, address2, memo) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id);
    bind_shipping(copy, ship_to).execute(&mut **tx).await?;
    // All its lines in one statement, their names in another.
    let rows: Vec<String> = (0..lines.len())
        .map(|i| {
            let at = |k: usize| format!("${}", 1 + i * 7 + k);
            format!(
                "($1, {product}, {}, {}, (SELECT name FROM products WHERE id = {product}), {}, {}, {}, {})",
                at(2),
                at(3),
                at(4),
                at(5),
                at(6),
                at(7),
                product = at(1),
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO order_items \
           (order_id, product_id, variant_id, sku, name, label, label_en, unit_price, quantity) \
         VALUES {}",
        rows.join(", ")
    );
    let mut items = sqlx::query(&sql).bind(id);
    for line in lines {
        let (label, label_en) = sold
            .iter()
            .find(|s| s.variant_id == line.variant_id)
            .map(|s| (s.label.as_str(), s.label_en.as_str()))
            .unwrap_or_default();
        items = items
            .bind(line.product_id.0)
            .bind(line.variant_id.0)
            .bind(&line.sku)
            .bind(label)
            .bind(label_en)
            .bind(line.unit_price.get())
            .bind(line.quantity.get());
    }
    items.execute(&mut **tx).await?;
    // The names are the product's: two sizes of it share them.
    let mut products: Vec<i64> = lines.iter().map(|l| l.product_id.0).collect();
    products.sort_unstable();
    products.dedup();
    let sql = format!(
        "INSERT INTO order_item_names (order_id, product_id, lang, name) \
         SELECT $1, product_id, lang, name FROM product_translations WHERE product_id IN ({}) \
         ON CONFLICT (order_id, product_id, lang) DO NOTHING",
        crate::db::placeholders(2, products.len())
    );
    let mut names = sqlx::query(&sql).bind(id);
    for product in products {
        names = names.bind(product);
    }
    names.execute(&mut **tx).await?;
    Ok(OrderId(id))
}

/// The order line `i`'s name as it was ordered, in `locale` (its base name
/// when the product had none in that language).
fn line_name(locale: Locale) -> String {
    format!(
        "COALESCE((SELECT n.name FROM order_item_names n WHERE n.order_id = i.order_id \
         AND n.product_id = i.product_id AND n.lang = '{}'), i.name)",
        locale.tag()
    )
}

/// The order line `i`'s label in `locale` (English falls back to Korean).
fn line_label(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "CASE WHEN i.label_en <> '' THEN i.label_en ELSE i.label END",
        _ => "i.label",
    }
}

/// Won an order `o` was paid through the payment service.
const PAID_BY_SERVICE: &str = "CAST(COALESCE((SELECT SUM(c.amount) FROM charges c \
     WHERE c.order_id = o.id AND c.status IN ('paid', 'refunding', 'refunded')), 0) AS BIGINT) \
     AS paid_by_service";

/// The columns `state_of` reads, of an order `o`.
const STATE_COLUMNS: &str = "o.status, o.status_at, o.status_note, \
     CASE WHEN o.status_as = 'shopper' THEN 'shopper' \
          ELSE (SELECT u.login_id FROM users u WHERE u.id = o.status_by) END AS status_by";

fn state_of(row: &AnyRow) -> Result<OrderState, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let note: String = row.try_get("status_note")?;
    Ok(OrderState {
        status: OrderStatus::from_stored(&status).ok_or_else(|| {
            sqlx::Error::Decode(format!("unknown order status {status:?}").into())
        })?,
        status_at: row.try_get("status_at")?,
        status_by: row.try_get("status_by")?,
        reason: (!note.is_empty()).then_some(note),
    })
}

/// A page of a user's orders, newest first: `$1` user, `$2` limit, `$3`
/// offset. Public so the benchmark can show its query plan.
pub fn list_sql(locale: Locale) -> String {
    format!(
        "SELECT o.id, o.total, o.ordered_at, {STATE_COLUMNS}, {PAID_BY_SERVICE}, \
            CAST((SELECT SUM(i.quantity) FROM order_items i WHERE i.order_id = o.id) AS BIGINT) \
              AS item_count, \
            (SELECT {} FROM order_items i WHERE i.order_id = o.id \
             ORDER BY i.product_id, i.variant_id LIMIT 1) AS first_item \
         FROM orders o WHERE o.user_id = $1 ORDER BY o.id DESC LIMIT $2 OFFSET $3",
        line_name(locale)
    )
}

/// My orders, newest first.
pub async fn list(db: &Db, user: UserId, paging: Paging, locale: Locale) -> AppResult<OrderPage> {
    let items = sqlx::query(&list_sql(locale))
        .bind(user.0)
        .bind(i64::from(paging.per_page))
        .bind(paging.offset())
        .try_map(|row: AnyRow| {
            Ok(OrderSummary {
                order_id: OrderId(row.try_get("id")?),
                total: Won(row.try_get("total")?),
                item_count: row.try_get("item_count")?,
                first_item: row.try_get("first_item")?,
                ordered_at: row.try_get("ordered_at")?,
                state: state_of(&row)?,
                paid_by_service: row.try_get("paid_by_service")?,
            })
        })
        .fetch_all(db.pool())
        .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE user_id = $1")
        .bind(user.0)
        .fetch_one(db.pool())
        .await?;
    Ok(OrderPage {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}

/// One order: `owner`'s (`None` for an unknown id or someone else's), or
/// any (`owner` `None`, for staff).
pub async fn get(
    db: &Db,
    owner: Option<UserId>,
    id: OrderId,
    locale: Locale,
) -> AppResult<Option<OrderDetail>> {
    let mut conn = db.pool().acquire().await?;
    detail_on(&mut conn, owner, id, locale).await
}

/// An order as `tx` sees it.
pub async fn get_in(
    tx: &mut Transaction<'static, Any>,
    id: OrderId,
    locale: Locale,
) -> AppResult<Option<OrderDetail>> {
    detail_on(tx, None, id, locale).await
}

async fn detail_on(
    conn: &mut AnyConnection,
    owner: Option<UserId>,
    id: OrderId,
    locale: Locale,
) -> AppResult<Option<OrderDetail>> {
    let Some(order) = sqlx::query(&format!(
        "SELECT o.id, o.user_id, o.total, o.subtotal, o.discount, o.coupon_id, o.ordered_at, \
                o.pay_by, o.shipping_fee, {STATE_COLUMNS}, \
                CAST(COALESCE((SELECT -SUM(l.amount) FROM point_ledger l \
                               WHERE l.order_id = o.id AND l.kind = 'use'), 0) AS BIGINT) AS points_spent \
         FROM orders o WHERE o.id = $1 AND ($2 = 0 OR o.user_id = $2)"
    ))
    .bind(id.0)
    .bind(owner.map_or(0, |u| u.0))
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let items = sqlx::query(&format!(
        "SELECT i.product_id, i.variant_id, i.sku, {} AS name, {} AS label, i.unit_price, \
                i.quantity FROM order_items i \
         WHERE i.order_id = $1 ORDER BY i.product_id, i.variant_id",
        line_name(locale),
        line_label(locale)
    ))
    .bind(id.0)
    .try_map(|row: AnyRow| {
        Ok(OrderLine {
            product_id: ProductId(row.try_get("product_id")?),
            variant_id: VariantId(row.try_get("variant_id")?),
            sku: row.try_get("sku")?,
            name: row.try_get("name")?,
            label: row.try_get("label")?,
            unit_price: Won(row.try_get("unit_price")?),
            quantity: Quantity::from_stored(row.try_get("quantity")?)?,
        })
    })
    .fetch_all(&mut *conn)
    .await?;
    let paid_with = crate::payments::store::paid_for_order(conn, id.0)
        .await?
        .map(|(charge, reference)| ServicePayment {
            provider: charge.provider,
            reference,
            amount: charge.amount,
            status: charge.status,
            approved_at: charge.paid_at,
        });
    let ship_to = sqlx::query(
        "SELECT recipient, phone, postal_code, address1, address2, memo \
         FROM order_addresses WHERE order_id = $1",
    )
    .bind(id.0)
    .try_map(|row: AnyRow| shipping_of(&row))
    .fetch_optional(&mut *conn)
    .await?;
    let shipment = shipment_on(conn, id).await?;
    let state = state_of(&order)?;
    Ok(Some(OrderDetail {
        order_id: OrderId(order.try_get("id")?),
        user_id: UserId(order.try_get("user_id")?),
        payment: Payment {
            total: Won(order.try_get("total")?),
            subtotal: Won(order.try_get("subtotal")?),
            discount: Won(order.try_get("discount")?),
            coupon_id: order.try_get::<Option<i64>, _>("coupon_id")?.map(CouponId),
            shipping_fee: Won(order.try_get("shipping_fee")?),
        },
        points_spent: order.try_get("points_spent")?,
        items,
        ordered_at: order.try_get("ordered_at")?,
        pay_by: order
            .try_get::<Option<i64>, _>("pay_by")?
            .filter(|_| state.status == OrderStatus::AwaitingPayment),
        state,
        paid_with,
        ship_to,
        shipment,
    }))
}

/// Order `id`'s parcel, once shipped.
async fn shipment_on(conn: &mut AnyConnection, id: OrderId) -> AppResult<Option<Shipment>> {
    let row = sqlx::query(
        "SELECT carrier, tracking_number, shipped_at, delivered_at FROM shipments \
         WHERE order_id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let carrier: Option<String> = row.try_get("carrier")?;
    let number: Option<String> = row.try_get("tracking_number")?;
    Ok(Some(Shipment::new(
        carrier.as_deref().and_then(Carrier::from_code),
        number.map(TrackingNumber::from_stored),
        row.try_get("shipped_at")?,
        row.try_get("delivered_at")?,
    )))
}

/// A `placed` order leaves with `carrier` under `number`: its shipment,
/// written beside the move (`leave_placed` to `shipped` comes first).
pub async fn record_shipment(
    tx: &mut Transaction<'static, Any>,
    id: OrderId,
    carrier: Carrier,
    number: &TrackingNumber,
    at: i64,
    staff: UserId,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO shipments (order_id, carrier, tracking_number, shipped_at, shipped_by) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.0)
    .bind(carrier.code())
    .bind(number.as_str())
    .bind(at)
    .bind(staff.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A shipped order arrived (`leave_shipped` to `delivered` comes first).
pub async fn record_delivery(
    tx: &mut Transaction<'static, Any>,
    id: OrderId,
    at: i64,
    staff: UserId,
) -> AppResult<()> {
    sqlx::query("UPDATE shipments SET delivered_at = $2, delivered_by = $3 WHERE order_id = $1")
        .bind(id.0)
        .bind(at)
        .bind(staff.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Who owns order `id`, and where it is; `None` for no such order.
pub async fn owner_and_status(
    tx: &mut Transaction<'static, Any>,
    id: OrderId,
) -> AppResult<Option<(UserId, OrderStatus)>> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT user_id, status FROM orders WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut **tx)
            .await?;
    row.map(|(user, status)| {
        OrderStatus::from_stored(&status)
            .map(|status| (UserId(user), status))
            .ok_or_else(|| AppError::internal("reading an order", format!("status {status:?}")))
    })
    .transpose()
}

/// An order's status as `tx` sees it.
pub async fn status_in(
    tx: &mut Transaction<'static, Any>,
    id: OrderId,
) -> AppResult<Option<OrderStatus>> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(status.and_then(|s| OrderStatus::from_stored(&s)))
}

/// Moves a `placed` order to `to`, recording when, by whom and why. The
/// one guard of the lifecycle: the update happens only while the order is
/// `placed`, so of any number of concurrent moves exactly one does
/// anything. Returns whether this one did.
pub async fn leave_placed(
    tx: &mut Transaction<'static, Any>,
    id: OrderId,
    to: OrderStatus,
    at: i64,
    actor: Actor,
    note: &str,
) -> AppResult<bool> {
    leave(tx, id, OrderStatus::Placed, to, at, Some(actor), note).await
}

/// Moves a `shipped` order to `delivered` (or whatever `to`), as
/// `leave_placed` does from `placed`: whether this call moved it.
pub async fn leave_shipped(
    tx: &mut Transaction<'static, Any>,
    id: OrderId,
    to: OrderStatus,
    at: i64,
    actor: Actor,
    note: &str,
) -> AppResult<bool> {
    leave(tx, id, OrderStatus::Shipped, to, at, Some(actor), note).await
}

/// Moves an `awaiting_payment` order to `to` (`cancelled` or `expired`),
/// recording when, by whom (`None`: the shop, on expiry or the payment
/// service's word) and why. Conditional like `leave_placed`: whether this
/// call moved it.
pub async fn leave_awaiting(
    tx: &mut Transaction<'static, Any>,
    id: OrderId,
    to: OrderStatus,
    at: i64,
    actor: Option<Actor>,
    note: &str,
) -> AppResult<bool> {
    leave(tx, id, OrderStatus::AwaitingPayment, to, at, actor, note).await
}

/// Moves an order from `from` to `to` in one conditional update, recording
/// when, by whom and why; whether this call moved it.
async fn leave(
    tx: &mut Transaction<'static, Any>,
    id: OrderId,
    from: OrderStatus,
    to: OrderStatus,
    at: i64,
    actor: Option<Actor>,
    note: &str,
) -> AppResult<bool> {
    let as_ = actor.map(|actor| match actor {
        Actor::Shopper(_) => "shopper",
        Actor::Staff(_) => "staff",
    });
    let moved = sqlx::query(
        "UPDATE orders SET status = $2, status_at = $3, status_by = $4, status_as = $5, \
         status_note = $6 WHERE id = $1 AND status = $7",
    )
    .bind(id.0)
    .bind(to.as_str())
    .bind(at)
    .bind(actor.map(|a| a.user().0))
    .bind(as_)
    .bind(note)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(moved == 1)
}

/// Its payment is in: an `awaiting_payment` order is `placed` (when it
/// still awaited it). Whether this call moved it.
pub async fn mark_paid(tx: &mut Transaction<'static, Any>, id: OrderId) -> AppResult<bool> {
    let moved = sqlx::query(
        "UPDATE orders SET status = 'placed' WHERE id = $1 AND status = 'awaiting_payment'",
    )
    .bind(id.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(moved == 1)
}

/// Until when (unix ms) order `id` may be paid; `None` when it is not
/// awaiting its payment.
pub async fn pay_by(db: &Db, id: OrderId) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT pay_by FROM orders WHERE id = $1 AND status = 'awaiting_payment'",
    )
    .bind(id.0)
    .fetch_optional(db.pool())
    .await?
    .flatten())
}

/// Orders whose hold ran out before `now` with no payment pending at the
/// service (it never started, or failed): `(order, owner)`, at most `limit`.
pub async fn unpaid_past(db: &Db, now: i64, limit: i64) -> AppResult<Vec<(OrderId, UserId)>> {
    Ok(sqlx::query_as::<_, (i64, i64)>(
        "SELECT o.id, o.user_id FROM orders o \
         WHERE o.status = 'awaiting_payment' AND o.pay_by < $1 \
           AND NOT EXISTS (SELECT 1 FROM charges c WHERE c.order_id = o.id AND c.status = 'pending') \
         ORDER BY o.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|(id, user)| (OrderId(id), UserId(user)))
    .collect())
}

/// An order's lines as sold: the variant, the product's base name, the
/// label (English, else Korean), price and quantity; in variant order, the
/// order the stock rule locks them in.
pub async fn sold_lines(
    tx: &mut Transaction<'static, Any>,
    id: OrderId,
) -> AppResult<Vec<OrderLine>> {
    Ok(sqlx::query(&format!(
        "SELECT i.product_id, i.variant_id, i.sku, i.name, {} AS label, i.unit_price, i.quantity \
         FROM order_items i WHERE i.order_id = $1 ORDER BY i.variant_id",
        line_label(Locale::en)
    ))
    .bind(id.0)
    .try_map(|row: AnyRow| {
        Ok(OrderLine {
            product_id: ProductId(row.try_get("product_id")?),
            variant_id: VariantId(row.try_get("variant_id")?),
            sku: row.try_get("sku")?,
            name: row.try_get("name")?,
            label: row.try_get("label")?,
            unit_price: Won(row.try_get("unit_price")?),
            quantity: Quantity::from_stored(row.try_get("quantity")?)?,
        })
    })
    .fetch_all(&mut **tx)
    .await?)
}

/// The `WHERE` of the staff's order list (of `o`) and the values it binds
/// (`$1`, `$2`, … in order).
fn staff_filter(query: &AdminOrderQuery) -> (String, Vec<i64>) {
    let mut conditions = Vec::new();
    let mut values: Vec<i64> = Vec::new();
    let mut condition = |sql: &str, value: i64, values: &mut Vec<i64>| {
        values.push(value);
        conditions.push(sql.replace('?', &format!("${}", values.len())));
    };
    let mut status_sql = None;
    if let Some(status) = query.status {
        // A fixed word from the enum: safe in the text.
        status_sql = Some(format!("o.status = '{}'", status.as_str()));
    }
    if let Some(from) = query.from {
        condition("o.ordered_at >= ?", from, &mut values);
    }
    if let Some(to) = query.to {
        condition("o.ordered_at < ?", to, &mut values);
    }
    if let Some(user) = query.user_id {
        condition("o.user_id = ?", user.0, &mut values);
    }
    if let Some(product) = query.product_id {
        condition(
            "EXISTS (SELECT 1 FROM order_items f WHERE f.order_id = o.id AND f.product_id = ?)",
            product.0,
            &mut values,
        );
    }
    conditions.extend(status_sql);
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    (filter, values)
}

/// Every order, for staff: newest first, filtered.
pub async fn list_all(
    db: &Db,
    query: &AdminOrderQuery,
    locale: Locale,
) -> AppResult<AdminOrderPage> {
    let (filter, values) = staff_filter(query);
    let n = values.len();
    let sql = format!(
        "SELECT o.id, o.user_id, u.login_id, o.total, o.ordered_at, {STATE_COLUMNS}, \
            {PAID_BY_SERVICE}, \
            CAST((SELECT SUM(i.quantity) FROM order_items i WHERE i.order_id = o.id) AS BIGINT) \
              AS item_count, \
            (SELECT {} FROM order_items i WHERE i.order_id = o.id \
             ORDER BY i.product_id, i.variant_id LIMIT 1) AS first_item \
         FROM orders o JOIN users u ON u.id = o.user_id{filter} \
         ORDER BY o.id DESC LIMIT ${} OFFSET ${}",
        line_name(locale),
        n + 1,
        n + 2
    );
    let mut items_query = sqlx::query(&sql);
    for v in &values {
        items_query = items_query.bind(*v);
    }
    let items = items_query
        .bind(i64::from(query.paging.per_page))
        .bind(query.paging.offset())
        .try_map(|row: AnyRow| {
            Ok(AdminOrderSummary {
                order: OrderSummary {
                    order_id: OrderId(row.try_get("id")?),
                    total: Won(row.try_get("total")?),
                    item_count: row.try_get("item_count")?,
                    first_item: row.try_get("first_item")?,
                    ordered_at: row.try_get("ordered_at")?,
                    state: state_of(&row)?,
                    paid_by_service: row.try_get("paid_by_service")?,
                },
                user_id: UserId(row.try_get("user_id")?),
                login_id: row.try_get("login_id")?,
            })
        })
        .fetch_all(db.pool())
        .await?;
    let count_sql = format!("SELECT COUNT(*) FROM orders o{filter}");
    let mut count_query = sqlx::query_scalar(&count_sql);
    for v in &values {
        count_query = count_query.bind(*v);
    }
    let total: i64 = count_query.fetch_one(db.pool()).await?;
    Ok(AdminOrderPage {
        items,
        total,
        page: query.paging.page,
        per_page: query.paging.per_page,
    })
}

/// One order for staff: with its customer and its status history (placed
/// by the shopper, or awaiting its payment and then placed by the payment
/// service, then shipped and delivered, or the one other move it made).
pub async fn get_for_staff(db: &Db, id: OrderId, locale: Locale) -> AppResult<Option<AdminOrder>> {
    let Some(order) = get(db, None, id, locale).await? else {
        return Ok(None);
    };
    let login_id: String = sqlx::query_scalar("SELECT login_id FROM users WHERE id = $1")
        .bind(order.user_id.0)
        .fetch_one(db.pool())
        .await?;
    // An order paid partly through the payment service first waited for
    // it, then was placed when it came in (by the service).
    let charged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM charges WHERE order_id = $1")
        .bind(id.0)
        .fetch_one(db.pool())
        .await?;
    let first = match charged {
        0 => OrderStatus::Placed,
        _ => OrderStatus::AwaitingPayment,
    };
    let mut history = vec![StatusEntry {
        status: first,
        at: order.ordered_at,
        by: "shopper".to_string(),
        reason: None,
    }];
    if let Some(paid) = order.paid_with.as_ref() {
        history.push(StatusEntry {
            status: OrderStatus::Placed,
            at: paid.approved_at.unwrap_or(order.ordered_at),
            by: paid.provider.clone(),
            reason: None,
        });
    }
    // Delivered: it left first (the shipment says when and by whom).
    if order.state.status == OrderStatus::Delivered {
        if let Some(shipment) = order.shipment.as_ref() {
            let by: Option<String> = sqlx::query_scalar(
                "SELECT u.login_id FROM shipments s JOIN users u ON u.id = s.shipped_by \
                 WHERE s.order_id = $1",
            )
            .bind(id.0)
            .fetch_optional(db.pool())
            .await?;
            history.push(StatusEntry {
                status: OrderStatus::Shipped,
                at: shipment.shipped_at,
                by: by.unwrap_or_default(),
                reason: None,
            });
        }
    }
    if let (Some(at), Some(by)) = (order.state.status_at, order.state.status_by.clone()) {
        history.push(StatusEntry {
            status: order.state.status,
            at,
            by,
            reason: order.state.reason.clone(),
        });
    }
    Ok(Some(AdminOrder {
        order,
        login_id,
        history,
    }))
}

/// One order as a courier's bulk upload wants it: where it goes and what
/// is in the parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToShip {
    pub order_id: OrderId,
    pub ordered_at: i64,
    pub status: OrderStatus,
    /// `None` for orders placed before the shop asked for an address.
    pub ship_to: Option<ShippingAddress>,
    /// Each line: its name, its options' label and quantity.
    pub items: Vec<(String, String, i64)>,
}

/// The staff's order list as the courier wants it (oldest first, at most
/// `limit`), each order with its address and lines.
pub async fn to_ship(
    db: &Db,
    query: &AdminOrderQuery,
    limit: i64,
    locale: Locale,
) -> AppResult<Vec<ToShip>> {
    let (filter, values) = staff_filter(query);
    let sql = format!(
        "SELECT o.id, o.ordered_at, o.status, a.recipient, a.phone, a.postal_code, a.address1, \
                a.address2, a.memo \
         FROM orders o LEFT JOIN order_addresses a ON a.order_id = o.id{filter} \
         ORDER BY o.id LIMIT ${}",
        values.len() + 1
    );
    let mut orders_query = sqlx::query(&sql);
    for v in &values {
        orders_query = orders_query.bind(*v);
    }
    let mut orders: Vec<ToShip> = orders_query
        .bind(limit)
        .try_map(|row: AnyRow| {
            let status: String = row.try_get("status")?;
            let recipient: Option<String> = row.try_get("recipient")?;
            Ok(ToShip {
                order_id: OrderId(row.try_get("id")?),
                ordered_at: row.try_get("ordered_at")?,
                status: OrderStatus::from_stored(&status).ok_or_else(|| {
                    sqlx::Error::Decode(format!("unknown order status {status:?}").into())
                })?,
                ship_to: match recipient {
                    Some(_) => Some(shipping_of(&row)?),
                    None => None,
                },
                items: Vec::new(),
            })
        })
        .fetch_all(db.pool())
        .await?;
    let (Some(first), Some(last)) = (orders.first(), orders.last()) else {
        return Ok(orders);
    };
    // The lines of those orders, in one read of their id range.
    let lines: Vec<(i64, String, String, i64)> = sqlx::query(&format!(
        "SELECT i.order_id, {} AS name, {} AS label, i.quantity FROM order_items i \
         WHERE i.order_id BETWEEN $1 AND $2 ORDER BY i.order_id, i.product_id, i.variant_id",
        line_name(locale),
        line_label(locale)
    ))
    .bind(first.order_id.0)
    .bind(last.order_id.0)
    .try_map(|row: AnyRow| {
        Ok((
            row.try_get("order_id")?,
            row.try_get("name")?,
            row.try_get("label")?,
            row.try_get("quantity")?,
        ))
    })
    .fetch_all(db.pool())
    .await?;
    for (order_id, name, label, quantity) in lines {
        if let Ok(i) = orders.binary_search_by_key(&order_id, |o| o.order_id.0) {
            orders[i].items.push((name, label, quantity));
        }
    }
    Ok(orders)
}

/// How many orders are `status` now (`placed`: the orders to ship).
pub async fn count_with_status(db: &Db, status: OrderStatus) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE status = $1")
            .bind(status.as_str())
            .fetch_one(db.pool())
            .await?,
    )
}

/// How many orders placed since `since` (unix ms) still stand (paid, not
/// cancelled), and what they came to.
pub async fn totals_since(db: &Db, since: i64) -> AppResult<(i64, Won)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(total), 0) AS BIGINT) AS revenue \
         FROM orders WHERE ordered_at >= $1 AND status IN ('placed', 'shipped', 'delivered')",
    )
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok((row.try_get("n")?, Won(row.try_get("revenue")?)))
}
