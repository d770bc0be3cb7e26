//! Idempotency keys: one key, one order. A key is claimed before the order
//! is attempted, completed in the order's own transaction with the answer
//! sent, and released when the order failed (nothing was ordered, so the
//! key may be used again).

use super::{IdempotencyKey, PlacedOrder, IDEMPOTENCY_WINDOW_MS};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
};
use sqlx::{Any, Row, Transaction};

/// A claim still `running` after this long belongs to an attempt that
/// died with its server (any live one ends within the request time limit).
const ABANDONED_AFTER_MS: i64 = 5 * 60 * 1000;

/// A fresh key for a checkout page.
pub fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Claims `key` for a request with `fingerprint`. `Ok(None)`: claimed, go
/// on. `Ok(Some(answer))`: the key already ordered this, here is the first
/// answer. 422 when it ordered something else, 409 while it is running.
pub async fn claim(
    db: &Db,
    user: UserId,
    key: &IdempotencyKey,
    fingerprint: &str,
) -> AppResult<Option<PlacedOrder>> {
    let now = now_millis();
    // A new key, an expired one or an abandoned claim is (re)claimed in one
    // statement, so two concurrent requests never both claim it.
    let claimed: Option<i64> = sqlx::query_scalar(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, state, created_at) \
         VALUES ($1, $2, $3, 'running', $4) \
         ON CONFLICT (user_id, key) DO UPDATE SET \
           request_hash = excluded.request_hash, state = 'running', order_id = NULL, \
           response = NULL, created_at = excluded.created_at \
         WHERE idempotency_keys.created_at < $5 \
            OR (idempotency_keys.state = 'running' AND idempotency_keys.created_at < $6) \
         RETURNING user_id",
    )
    .bind(user.0)
    .bind(key.as_str())
    .bind(fingerprint)
    .bind(now)
    .bind(now - IDEMPOTENCY_WINDOW_MS)
    .bind(now - ABANDONED_AFTER_MS)
    .fetch_optional(db.pool())
    .await?;
    if claimed.is_some() {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT request_hash, state, response FROM idempotency_keys \
         WHERE user_id = $1 AND key = $2",
    )
    .bind(user.0)
    .bind(key.as_str())
    .fetch_optional(db.pool())
    .await?;
    // Released between our two statements: the caller may simply try again.
    let Some(row) = row else {
        return Err(in_progress());
    };
    let stored_hash: String = row.try_get("request_hash")?;
    if stored_hash != fingerprint {
        return Err(AppError::invalid_field(
            ErrorCode::IdempotencyKeyReused,
            "idempotency_key",
            td_string!(Locale::current(), errors.key_reused),
        ));
    }
    let state: String = row.try_get("state")?;
    let response: Option<String> = row.try_get("response")?;
    match (state.as_str(), response) {
        ("done", Some(response)) => serde_json::from_str(&response)
            .map(Some)
            .map_err(|e| AppError::internal("reading a stored order answer", e)),
        _ => Err(in_progress()),
    }
}

fn in_progress() -> AppError {
    AppError::new(
        ErrorCode::RequestInProgress,
        td_string!(Locale::current(), errors.in_progress),
    )
}

/// Records the answer inside the order's transaction: the key is done
/// exactly when the order exists.
pub async fn complete(
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    key: &IdempotencyKey,
    placed: &PlacedOrder,
) -> AppResult<()> {
    let response = serde_json::to_string(placed)
        .map_err(|e| AppError::internal("storing an order answer", e))?;
    sqlx::query(
        "UPDATE idempotency_keys SET state = 'done', order_id = $3, response = $4 \
         WHERE user_id = $1 AND key = $2",
    )
    .bind(user.0)
    .bind(key.as_str())
    .bind(placed.order_id.0)
    .bind(response)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Frees a claim whose order failed.
pub async fn release(db: &Db, user: UserId, key: &IdempotencyKey) -> AppResult<()> {
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND state = 'running'",
    )
    .bind(user.0)
    .bind(key.as_str())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Removes keys past the 24-hour window; returns how many.
pub async fn delete_expired(db: &Db) -> AppResult<u64> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(now_millis() - IDEMPOTENCY_WINDOW_MS)
            .execute(db.pool())
            .await?
            .rows_affected(),
    )
}
