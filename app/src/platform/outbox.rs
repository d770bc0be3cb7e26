//! The transactional outbox: an event is written in the same transaction
//! as the order it tells of, so it exists exactly when the order does.

use super::PlatformEvent;
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult},
};
use sqlx::{Any, Transaction};

pub async fn enqueue(tx: &mut Transaction<'static, Any>, event: &PlatformEvent) -> AppResult<()> {
    let payload =
        serde_json::to_string(event).map_err(|e| AppError::internal("encoding an event", e))?;
    let now = now_millis();
    sqlx::query(
        "INSERT INTO outbox (event_id, kind, payload, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(event.event_id())
    .bind(event.kind())
    .bind(payload)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An event claimed for delivery.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub attempts: i64,
    pub event: PlatformEvent,
}

/// Claims up to `limit` events that are due and not claimed by anyone
/// else, until `claimed_until`. On Postgres the rows another instance is
/// claiming at this moment are skipped (`SKIP LOCKED`); a claim whose lease
/// ran out (its instance died) is taken over.
pub async fn claim_due(
    db: &Db,
    now: i64,
    claimed_until: i64,
    limit: usize,
) -> AppResult<Vec<Claimed>> {
    let free = "delivered_at IS NULL AND next_attempt_at <= $2 \
                AND (claimed_until IS NULL OR claimed_until < $2)";
    let sql = format!(
        "UPDATE outbox SET claimed_until = $1 \
         WHERE {free} AND id IN (SELECT id FROM outbox WHERE {free} \
                                 ORDER BY next_attempt_at, id LIMIT $3{}) \
         RETURNING id, attempts, payload",
        db.skip_locked()
    );
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(&sql)
        .bind(claimed_until)
        .bind(now)
        .bind(limit as i64)
        .fetch_all(db.writer())
        .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for (id, attempts, payload) in rows {
        let event = serde_json::from_str(&payload)
            .map_err(|e| AppError::internal("reading an outbox event", e))?;
        claimed.push(Claimed {
            id,
            attempts,
            event,
        });
    }
    Ok(claimed)
}

/// Marks `ids` delivered in `tx` (with the embedded platform's taking
/// them in, so an event is counted exactly when it is marked).
pub async fn mark_delivered(tx: &mut Transaction<'static, Any>, ids: &[i64]) -> AppResult<()> {
    for chunk in ids.chunks(500) {
        let sql = format!(
            "UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, claimed_until = NULL, \
             last_error = NULL WHERE id IN ({})",
            crate::db::placeholders(2, chunk.len())
        );
        let mut query = sqlx::query(&sql).bind(now_millis());
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A claimed event not sent (its sender is stopping): due again at once.
pub async fn release(db: &Db, id: i64) -> AppResult<()> {
    sqlx::query("UPDATE outbox SET claimed_until = NULL WHERE id = $1 AND delivered_at IS NULL")
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// A failed attempt: tried again at `next_attempt_at`.
pub async fn mark_failed(db: &Db, id: i64, next_attempt_at: i64, error: &str) -> AppResult<()> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3, \
         claimed_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(next_attempt_at)
    .bind(error)
    .execute(db.writer())
    .await?;
    Ok(())
}

pub use super::{OutboxStats, PendingEvent};

pub async fn stats(db: &Db) -> AppResult<OutboxStats> {
    let (pending, delivered, failing, oldest): (i64, i64, i64, Option<i64>) = sqlx::query_as(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN delivered_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN delivered_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0) AS BIGINT), \
           MIN(CASE WHEN delivered_at IS NULL THEN created_at END) \
         FROM outbox",
    )
    .fetch_one(db.pool())
    .await?;
    let last_error: Option<String> = sqlx::query_scalar(
        "SELECT last_error FROM outbox WHERE delivered_at IS NULL AND last_error IS NOT NULL \
         ORDER BY next_attempt_at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(OutboxStats {
        pending,
        delivered,
        failing,
        oldest_pending_ms: oldest.map(|created| now_millis() - created),
        last_error,
    })
}

/// The pending events that failed at least once, the most recently failed
/// first: what an operator looks at when delivery is stuck.
pub async fn failing(db: &Db, limit: usize) -> AppResult<Vec<PendingEvent>> {
    let rows: Vec<(String, String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT event_id, kind, attempts, next_attempt_at, last_error FROM outbox \
         WHERE delivered_at IS NULL AND attempts > 0 \
         ORDER BY next_attempt_at DESC, id DESC LIMIT $1",
    )
    .bind(limit as i64)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(PendingEvent::from).collect())
}

/// Makes a pending event due now (its backoff forgotten, its attempts
/// kept); `None` when no such event is waiting to be delivered.
pub async fn retry_now(
    tx: &mut Transaction<'static, Any>,
    event_id: &str,
) -> AppResult<Option<PendingEvent>> {
    let row: Option<(String, String, i64, i64, Option<String>)> = sqlx::query_as(
        "UPDATE outbox SET next_attempt_at = $2 \
         WHERE event_id = $1 AND delivered_at IS NULL \
         RETURNING event_id, kind, attempts, next_attempt_at, last_error",
    )
    .bind(event_id)
    .bind(now_millis())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(PendingEvent::from))
}

impl From<(String, String, i64, i64, Option<String>)> for PendingEvent {
    fn from(
        (event_id, kind, attempts, next_attempt_at, last_error): (
            String,
            String,
            i64,
            i64,
            Option<String>,
        ),
    ) -> Self {
        PendingEvent {
            event_id,
            kind,
            attempts,
            next_attempt_at,
            last_error,
        }
    }
}
