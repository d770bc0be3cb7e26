//! The embedded data platform: events are consumed inside the app into the
//! platform's own tables. Each event id counts once, however often it is
//! delivered. Whatever platform the events go to, the shop keeps this
//! aggregate for its best sellers.

use super::{OrderPlaced, TopProduct, TOP_LIMIT, TOP_WINDOW_DAYS};
use crate::{
    catalog::ProductId,
    db::{now_millis, Db},
    error::AppResult,
};
use sqlx::{any::AnyRow, Row};

const HOUR_MS: i64 = 60 * 60 * 1000;

/// Adds an order's lines to the hourly sales, once per event id. Returns
/// whether the event was new.
pub async fn consume(db: &Db, event: &OrderPlaced) -> AppResult<bool> {
    let mut tx = db.begin_write().await?;
    let new: Option<String> = sqlx::query_scalar(
        "INSERT INTO platform_events (event_id, received_at) VALUES ($1, $2) \
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
    )
    .bind(&event.event_id)
    .bind(now_millis())
    .fetch_optional(&mut *tx)
    .await?;
    if new.is_none() {
        return Ok(false);
    }
    let hour = event.ordered_at.div_euclid(HOUR_MS);
    for line in &event.items {
        sqlx::query(
            "INSERT INTO platform_hourly_sales (product_id, hour, quantity) VALUES ($1, $2, $3) \
             ON CONFLICT (product_id, hour) DO UPDATE \
             SET quantity = platform_hourly_sales.quantity + excluded.quantity",
        )
        .bind(line.product_id.0)
        .bind(hour)
        .bind(line.quantity.get())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The best sellers since hour `$1`, at most `$2` of them. Public so the
/// benchmark can show its query plan.
pub const TOP_PRODUCTS_SQL: &str =
    "SELECT s.product_id, p.name, p.image, CAST(SUM(s.quantity) AS BIGINT) AS sold \
     FROM platform_hourly_sales s JOIN products p ON p.id = s.product_id \
     WHERE s.hour >= $1 \
     GROUP BY s.product_id, p.name, p.image \
     ORDER BY sold DESC, s.product_id ASC LIMIT $2";

/// The best sellers at `now`: quantities summed over the hours of the last
/// three days (the current hour and the 71 before it), most first, ties to
/// the lower product id. Reads at most 72 hourly rows per product sold.
pub async fn top_products(db: &Db, now: i64) -> AppResult<Vec<TopProduct>> {
    let first_hour = now.div_euclid(HOUR_MS) - i64::from(TOP_WINDOW_DAYS) * 24 + 1;
    let rows = sqlx::query(TOP_PRODUCTS_SQL)
        .bind(first_hour)
        .bind(TOP_LIMIT as i64)
        .try_map(|row: AnyRow| {
            Ok(TopProduct {
                product_id: ProductId(row.try_get("product_id")?),
                name: row.try_get("name")?,
                quantity_sold: row.try_get("sold")?,
                image: row.try_get("image")?,
            })
        })
        .fetch_all(db.pool())
        .await?;
    Ok(rows)
}
