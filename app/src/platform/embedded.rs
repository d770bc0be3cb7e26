//! The embedded data platform: events are consumed inside the app into the
//! platform's own tables. Each event id counts once, however often it is
//! delivered, and a cancel takes back exactly its order's sale. Whatever platform the events go to, the shop keeps this
//! aggregate for its best sellers.

use super::{PlatformEvent, SoldLine, TopProduct, TOP_LIMIT, TOP_WINDOW_DAYS};
use crate::{
    catalog::{store::translated, ProductId},
    db::{now_millis, Db},
    error::AppResult,
    locale::Locale,
};
use sqlx::{any::AnyRow, Any, Row, Transaction};

const HOUR_MS: i64 = 60 * 60 * 1000;

/// Takes in one event, once per event id; returns whether it was new. An
/// `order.placed` adds its lines to the hour it was made in and, when that
/// hour is in the current window, to the window's totals; an
/// `order.cancelled` takes exactly that back out. Events may come in any
/// order (an external platform's retries do not keep it): the platform
/// keeps a record per order, so a cancel subtracts only what its placed
/// event added, and a placed event arriving after its cancel adds nothing.
/// The totals are never below zero and stay the sums of the hours.
pub async fn consume(db: &Db, event: &PlatformEvent) -> AppResult<bool> {
    let mut tx = db.begin_write().await?;
    let new: Option<String> = sqlx::query_scalar(
        "INSERT INTO platform_events (event_id, received_at) VALUES ($1, $2) \
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
    )
    .bind(event.event_id())
    .bind(now_millis())
    .fetch_optional(&mut *tx)
    .await?;
    if new.is_none() {
        return Ok(false);
    }
    let (order_id, sign, ordered_at, items, column) = match event {
        PlatformEvent::Placed(e) => (e.order_id, 1, e.ordered_at, &e.items, "placed"),
        PlatformEvent::Cancelled(e) => (e.order_id, -1, e.ordered_at, &e.items, "cancelled"),
        // Payments and parcels count for nothing the embedded platform
        // aggregates.
        PlatformEvent::Charged(_)
        | PlatformEvent::Refunded(_)
        | PlatformEvent::Shipped(_)
        | PlatformEvent::Delivered(_) => {
            tx.commit().await?;
            return Ok(true);
        }
    };
    // Locked, so the window cannot move on between this read and the
    // commit (a move subtracts the hours it sees leaving). It also makes
    // every consume wait for the one before, so the order's record below
    // is read and written by one event at a time.
    let window = window_start(db, &mut tx).await?;
    let (placed, cancelled): (i64, i64) =
        sqlx::query_as("SELECT placed, cancelled FROM platform_orders WHERE order_id = $1")
            .bind(order_id)
            .fetch_optional(&mut *tx)
            .await?
            .unwrap_or((0, 0));
    let counts = if sign > 0 {
        placed == 0 && cancelled == 0
    } else {
        placed == 1 && cancelled == 0
    };
    sqlx::query(&format!(
        "INSERT INTO platform_orders (order_id, {column}) VALUES ($1, 1) \
         ON CONFLICT (order_id) DO UPDATE SET {column} = 1"
    ))
    .bind(order_id)
    .execute(&mut *tx)
    .await?;
    if counts {
        add_sales(&mut tx, window, ordered_at.div_euclid(HOUR_MS), items, sign).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Adds (`sign` 1) or takes back (`sign` -1) an order's lines in `hour`,
/// and in the window's totals when the hour is in it; rows that come to
/// zero go, so a product whose sales were all cancelled is not ranked.
async fn add_sales(
    tx: &mut Transaction<'static, Any>,
    window: i64,
    hour: i64,
    items: &[SoldLine],
    sign: i64,
) -> AppResult<()> {
    for line in items {
        let quantity = line.quantity.get();
        if sign > 0 {
            sqlx::query(
                "INSERT INTO platform_hourly_sales (product_id, hour, quantity) VALUES ($1, $2, $3) \
                 ON CONFLICT (product_id, hour) DO UPDATE \
                 SET quantity = platform_hourly_sales.quantity + excluded.quantity",
            )
            .bind(line.product_id.0)
            .bind(hour)
            .bind(quantity)
            .execute(&mut **tx)
            .await?;
            if hour >= window {
                sqlx::query(
                    "INSERT INTO platform_window_sales (product_id, quantity) VALUES ($1, $2) \
                     ON CONFLICT (product_id) DO UPDATE \
                     SET quantity = platform_window_sales.quantity + excluded.quantity",
                )
                .bind(line.product_id.0)
                .bind(quantity)
                .execute(&mut **tx)
                .await?;
            }
            continue;
        }
        // Taken back from rows its placed event made (an upsert would test
        // the negative row it proposes against the totals' CHECK).
        sqlx::query(
            "UPDATE platform_hourly_sales SET quantity = quantity - $3 \
             WHERE product_id = $1 AND hour = $2",
        )
        .bind(line.product_id.0)
        .bind(hour)
        .bind(quantity)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "DELETE FROM platform_hourly_sales WHERE product_id = $1 AND hour = $2 AND quantity = 0",
        )
        .bind(line.product_id.0)
        .bind(hour)
        .execute(&mut **tx)
        .await?;
        if hour >= window {
            sqlx::query(
                "UPDATE platform_window_sales SET quantity = quantity - $2 WHERE product_id = $1",
            )
            .bind(line.product_id.0)
            .bind(quantity)
            .execute(&mut **tx)
            .await?;
            sqlx::query("DELETE FROM platform_window_sales WHERE product_id = $1 AND quantity = 0")
                .bind(line.product_id.0)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// The first hour the window's totals count, read under a lock until `tx` ends.
async fn window_start(db: &Db, tx: &mut Transaction<'static, Any>) -> AppResult<i64> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT first_hour FROM platform_window WHERE id = 1{}",
        db.for_update()
    ))
    .fetch_one(&mut **tx)
    .await?)
}

/// Moves the window on to `first_hour`: the sales of the hours that left
/// it are subtracted from the totals, once, whichever instance gets here
/// first.
async fn advance_window(db: &Db, first_hour: i64) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let from = window_start(db, &mut tx).await?;
    if from >= first_hour {
        return Ok(());
    }
    sqlx::query(
        "UPDATE platform_window_sales SET quantity = quantity - ( \
           SELECT COALESCE(SUM(h.quantity), 0) FROM platform_hourly_sales h \
           WHERE h.product_id = platform_window_sales.product_id AND h.hour >= $1 AND h.hour < $2) \
         WHERE product_id IN ( \
           SELECT product_id FROM platform_hourly_sales WHERE hour >= $1 AND hour < $2)",
    )
    .bind(from)
    .bind(first_hour)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM platform_window_sales WHERE quantity = 0")
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE platform_window SET first_hour = $1 WHERE id = 1")
        .bind(first_hour)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The best sellers of the current window, at most `$1` of them, named in
/// `locale`: read from the totals' rank index. Public so the benchmark can
/// show its query plan.
pub fn top_products_sql(locale: Locale) -> String {
    format!(
        "SELECT w.product_id, {} AS name, p.image, w.quantity AS sold \
         FROM platform_window_sales w JOIN products p ON p.id = w.product_id \
         WHERE p.on_sale = 1 \
         ORDER BY w.quantity DESC, w.product_id ASC LIMIT $1",
        translated("name", locale)
    )
}

/// The best sellers since hour `$1`, at most `$2`, summed from the hourly
/// sales: for a moment before the window (the totals only go forward).
fn top_products_summed_sql(locale: Locale) -> String {
    format!(
        "SELECT s.product_id, {} AS name, p.image, CAST(SUM(s.quantity) AS BIGINT) AS sold \
         FROM platform_hourly_sales s JOIN products p ON p.id = s.product_id \
         WHERE s.hour >= $1 AND p.on_sale = 1 \
         GROUP BY s.product_id, p.id, p.name, p.image \
         ORDER BY sold DESC, s.product_id ASC LIMIT $2",
        translated("name", locale)
    )
}

/// The best sellers at `now`: quantities summed over the hours of the last
/// three days (the current hour and the 71 before it), most first, ties to
/// the lower product id. The window moves on first when `now` has left it
/// behind; its totals are then read through an index, whatever the number
/// of sales and products.
pub async fn top_products(db: &Db, now: i64, locale: Locale) -> AppResult<Vec<TopProduct>> {
    let first_hour = now.div_euclid(HOUR_MS) - i64::from(TOP_WINDOW_DAYS) * 24 + 1;
    let window: i64 = sqlx::query_scalar("SELECT first_hour FROM platform_window WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    if window < first_hour {
        advance_window(db, first_hour).await?;
    }
    let sql = if window > first_hour {
        top_products_summed_sql(locale)
    } else {
        top_products_sql(locale)
    };
    let mut query = sqlx::query(&sql);
    if window > first_hour {
        query = query.bind(first_hour);
    }
    let rows = query
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
