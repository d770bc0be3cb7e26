//! The embedded data platform: events are consumed inside the app into the
//! platform's own tables. Each event id counts once, however often it is
//! delivered, and a cancel takes back exactly its order's sale. Whatever platform the events go to, the shop keeps this
//! aggregate for its best sellers.

use super::{PlatformEvent, SoldLine, TopProduct, TOP_LIMIT, TOP_WINDOW_DAYS};
use crate::{
    catalog::{store::translated, ProductId},
    db::{now_millis, placeholders, value_rows, Db},
    error::AppResult,
    locale::Locale,
};
use sqlx::{any::AnyRow, Any, Row, Transaction};
use std::collections::{BTreeMap, HashSet};

const HOUR_MS: i64 = 60 * 60 * 1000;

/// Takes in one event, once per event id; returns whether it was new
/// ([`consume_in`] in a transaction of its own).
pub async fn consume(db: &Db, event: &PlatformEvent) -> AppResult<bool> {
    let mut tx = db.begin_write().await?;
    let new = consume_in(db, &mut tx, &[event]).await?;
    tx.commit().await?;
    Ok(new.first().copied().unwrap_or(false))
}

/// Rows written by one statement (each row binds at most three values).
const ROWS_PER_STATEMENT: usize = 200;

/// Takes in `events`, in their order, in `tx`, each event id once however
/// often it is delivered; returns which of them were new. An
/// `order.placed` adds its lines to the hour it was made in and, when
/// that hour is in the current window, to the window's totals; an
/// `order.cancelled` takes exactly that back out. Events may come in any
/// order (an external platform's retries do not keep it): the platform
/// keeps a record per order, so a cancel subtracts only what its placed
/// event added, and a placed event arriving after its cancel adds nothing.
/// The totals are never below zero and stay the sums of the hours.
///
/// A batch costs the same few statements as one event (its ids, the
/// window, its orders' records, the sums per product and hour), so the
/// dispatcher takes in what piled up during a rush at once.
pub async fn consume_in(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    events: &[&PlatformEvent],
) -> AppResult<Vec<bool>> {
    let now = now_millis();
    let mut inserted: HashSet<String> = HashSet::new();
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO platform_events (event_id, received_at) VALUES {} \
             ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
            value_rows(chunk.len(), 2)
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for event in chunk {
            query = query.bind(event.event_id()).bind(now);
        }
        inserted.extend(query.fetch_all(&mut **tx).await?);
    }
    // An id twice in one batch is new the first time only.
    let new: Vec<bool> = events
        .iter()
        .map(|e| inserted.remove(e.event_id()))
        .collect();
    // Payments and parcels count for nothing the embedded platform
    // aggregates.
    let sales: Vec<(i64, i64, i64, &[SoldLine])> = events
        .iter()
        .zip(&new)
        .filter(|(_, new)| **new)
        .filter_map(|(event, _)| match event {
            PlatformEvent::Placed(e) => Some((e.order_id, 1, e.ordered_at, e.items.as_slice())),
            PlatformEvent::Cancelled(e) => Some((e.order_id, -1, e.ordered_at, e.items.as_slice())),
            PlatformEvent::Charged(_)
            | PlatformEvent::Refunded(_)
            | PlatformEvent::Shipped(_)
            | PlatformEvent::Delivered(_) => None,
        })
        .collect();
    if sales.is_empty() {
        return Ok(new);
    }
    // Locked, so the window cannot move on between this read and the
    // commit (a move subtracts the hours it sees leaving). It also makes
    // every consume wait for the one before, so the orders' records below
    // are read and written by one batch at a time.
    let window = window_start(db, tx).await?;
    let mut orders = order_records(tx, sales.iter().map(|s| s.0)).await?;
    let mut hourly: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    let mut totals: BTreeMap<i64, i64> = BTreeMap::new();
    for (order_id, sign, ordered_at, items) in sales {
        let record = orders.entry(order_id).or_default();
        let counts = if sign > 0 {
            record.placed == 0 && record.cancelled == 0
        } else {
            record.placed == 1 && record.cancelled == 0
        };
        match sign > 0 {
            true => record.placed = 1,
            false => record.cancelled = 1,
        }
        if !counts {
            continue;
        }
        let hour = ordered_at.div_euclid(HOUR_MS);
        for line in items {
            let quantity = sign * line.quantity.get();
            *hourly.entry((line.product_id.0, hour)).or_default() += quantity;
            if hour >= window {
                *totals.entry(line.product_id.0).or_default() += quantity;
            }
        }
    }
    write_order_records(tx, &orders).await?;
    add_sales(tx, &hourly, &totals).await?;
    Ok(new)
}

/// What the platform knows of an order: whether its placed and its
/// cancelled event came.
#[derive(Debug, Default)]
struct OrderRecord {
    placed: i64,
    cancelled: i64,
}

async fn order_records(
    tx: &mut Transaction<'static, Any>,
    ids: impl Iterator<Item = i64>,
) -> AppResult<BTreeMap<i64, OrderRecord>> {
    let ids: Vec<i64> = ids
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut records = BTreeMap::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT order_id, placed, cancelled FROM platform_orders WHERE order_id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (i64, i64, i64)>(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for (order_id, placed, cancelled) in query.fetch_all(&mut **tx).await? {
            records.insert(order_id, OrderRecord { placed, cancelled });
        }
    }
    Ok(records)
}

async fn write_order_records(
    tx: &mut Transaction<'static, Any>,
    records: &BTreeMap<i64, OrderRecord>,
) -> AppResult<()> {
    // Every record here is of an order the batch told of.
    let records: Vec<(&i64, &OrderRecord)> = records.iter().collect();
    for chunk in records.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO platform_orders (order_id, placed, cancelled) VALUES {} \
             ON CONFLICT (order_id) DO UPDATE \
             SET placed = excluded.placed, cancelled = excluded.cancelled",
            value_rows(chunk.len(), 3)
        );
        let mut query = sqlx::query(&sql);
        for (order_id, record) in chunk {
            query = query
                .bind(**order_id)
                .bind(record.placed)
                .bind(record.cancelled);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Adds each product's net change per hour (`hourly`) and in the window's
/// totals (`totals`); rows that come to zero go, so a product whose sales
/// were all cancelled is not ranked. What a batch adds is written in one
/// statement per table; what it takes back, from rows its placed events
/// made, one row at a time (an upsert would test the negative row it
/// proposes against the totals' CHECK).
async fn add_sales(
    tx: &mut Transaction<'static, Any>,
    hourly: &BTreeMap<(i64, i64), i64>,
    totals: &BTreeMap<i64, i64>,
) -> AppResult<()> {
    let added: Vec<(i64, i64, i64)> = hourly
        .iter()
        .filter(|(_, q)| **q > 0)
        .map(|((product, hour), q)| (*product, *hour, *q))
        .collect();
    for chunk in added.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO platform_hourly_sales (product_id, hour, quantity) VALUES {} \
             ON CONFLICT (product_id, hour) DO UPDATE \
             SET quantity = platform_hourly_sales.quantity + excluded.quantity",
            value_rows(chunk.len(), 3)
        );
        let mut query = sqlx::query(&sql);
        for (product, hour, quantity) in chunk {
            query = query.bind(*product).bind(*hour).bind(*quantity);
        }
        query.execute(&mut **tx).await?;
    }
    let added: Vec<(i64, i64)> = totals
        .iter()
        .filter(|(_, q)| **q > 0)
        .map(|(product, q)| (*product, *q))
        .collect();
    for chunk in added.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO platform_window_sales (product_id, quantity) VALUES {} \
             ON CONFLICT (product_id) DO UPDATE \
             SET quantity = platform_window_sales.quantity + excluded.quantity",
            value_rows(chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (product, quantity) in chunk {
            query = query.bind(*product).bind(*quantity);
        }
        query.execute(&mut **tx).await?;
    }
    for ((product, hour), quantity) in hourly.iter().filter(|(_, q)| **q < 0) {
        sqlx::query(
            "UPDATE platform_hourly_sales SET quantity = quantity + $3 \
             WHERE product_id = $1 AND hour = $2",
        )
        .bind(*product)
        .bind(*hour)
        .bind(*quantity)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "DELETE FROM platform_hourly_sales WHERE product_id = $1 AND hour = $2 AND quantity = 0",
        )
        .bind(*product)
        .bind(*hour)
        .execute(&mut **tx)
        .await?;
    }
    for (product, quantity) in totals.iter().filter(|(_, q)| **q < 0) {
        sqlx::query(
            "UPDATE platform_window_sales SET quantity = quantity + $2 WHERE product_id = $1",
        )
        .bind(*product)
        .bind(*quantity)
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM platform_window_sales WHERE product_id = $1 AND quantity = 0")
            .bind(*product)
            .execute(&mut **tx)
            .await?;
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
