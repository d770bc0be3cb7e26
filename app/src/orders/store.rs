//! Orders in the database: written once by checkout, read back by their owner.

use super::{OrderDetail, OrderId, OrderLine, OrderPage, OrderSummary};
use crate::{
    catalog::{ProductId, Quantity},
    db::Db,
    error::AppResult,
    identity::UserId,
    locale::Locale,
    money::Won,
    paging::Paging,
};
use sqlx::{any::AnyRow, Any, Row, Transaction};

/// Writes the order and its lines with their price and name snapshots: the
/// base name beside the price, and the name in every language the product
/// has (`order_item_names`), as they are in this transaction.
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    total: Won,
    ordered_at: i64,
    lines: &[OrderLine],
) -> AppResult<OrderId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO orders (user_id, total, ordered_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(user.0)
    .bind(total.get())
    .bind(ordered_at)
    .fetch_one(&mut **tx)
    .await?;
    for line in lines {
        sqlx::query(
            "INSERT INTO order_items (order_id, product_id, name, unit_price, quantity) \
             VALUES ($1, $2, (SELECT name FROM products WHERE id = $2), $3, $4)",
        )
        .bind(id)
        .bind(line.product_id.0)
        .bind(line.unit_price.get())
        .bind(line.quantity.get())
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO order_item_names (order_id, product_id, lang, name) \
             SELECT $1, product_id, lang, name FROM product_translations WHERE product_id = $2",
        )
        .bind(id)
        .bind(line.product_id.0)
        .execute(&mut **tx)
        .await?;
    }
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

/// A page of a user's orders, newest first: `$1` user, `$2` limit, `$3`
/// offset. Public so the benchmark can show its query plan.
pub fn list_sql(locale: Locale) -> String {
    format!(
        "SELECT o.id, o.total, o.ordered_at, \
            CAST((SELECT SUM(i.quantity) FROM order_items i WHERE i.order_id = o.id) AS BIGINT) \
              AS item_count, \
            (SELECT {} FROM order_items i WHERE i.order_id = o.id \
             ORDER BY i.product_id LIMIT 1) AS first_item \
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

/// One order of `user`'s; `None` for an unknown id or someone else's.
pub async fn get(
    db: &Db,
    user: UserId,
    id: OrderId,
    locale: Locale,
) -> AppResult<Option<OrderDetail>> {
    let Some(order) = sqlx::query(
        "SELECT o.id, o.user_id, o.total, o.ordered_at, \
                CAST(COALESCE((SELECT -SUM(l.amount) FROM point_ledger l \
                               WHERE l.order_id = o.id AND l.kind = 'use'), 0) AS BIGINT) AS points_spent \
         FROM orders o WHERE o.id = $1 AND o.user_id = $2",
    )
    .bind(id.0)
    .bind(user.0)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let items = sqlx::query(&format!(
        "SELECT i.product_id, {} AS name, i.unit_price, i.quantity FROM order_items i \
         WHERE i.order_id = $1 ORDER BY i.product_id",
        line_name(locale)
    ))
    .bind(id.0)
    .try_map(|row: AnyRow| {
        Ok(OrderLine {
            product_id: ProductId(row.try_get("product_id")?),
            name: row.try_get("name")?,
            unit_price: Won(row.try_get("unit_price")?),
            quantity: Quantity::from_stored(row.try_get("quantity")?)?,
        })
    })
    .fetch_all(db.pool())
    .await?;
    Ok(Some(OrderDetail {
        order_id: OrderId(order.try_get("id")?),
        user_id: UserId(order.try_get("user_id")?),
        total: Won(order.try_get("total")?),
        points_spent: order.try_get("points_spent")?,
        items,
        ordered_at: order.try_get("ordered_at")?,
    }))
}

/// How many orders were placed since `since` (unix ms), and what they came to.
pub async fn totals_since(db: &Db, since: i64) -> AppResult<(i64, Won)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(total), 0) AS BIGINT) AS revenue \
         FROM orders WHERE ordered_at >= $1",
    )
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok((row.try_get("n")?, Won(row.try_get("revenue")?)))
}
