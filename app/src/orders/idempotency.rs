//! Idempotency keys: one key, one change of an order (placing it,
//! cancelling it). A key is claimed by the first statement of the change's
//! own write transaction and completed in it with the answer sent: the key
//! is done exactly when the change is, and a change that fails leaves no
//! claim behind (its transaction is rolled back with it). A second request
//! with the key waits for the first's transaction (PostgreSQL holds its
//! claimed row; SQLite runs write transactions one at a time) and then
//! replays its answer.

use super::{IdempotencyKey, IDEMPOTENCY_WINDOW_MS};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
};
use serde::{de::DeserializeOwned, Serialize};
use sqlx::{Any, Row, Transaction};
use std::future::Future;

/// A transaction the database gave up on (a deadlock, a busy SQLite) is
/// run again this many times in all before the caller hears of it.
const ATTEMPTS: u32 = 3;

/// What [`once`] answered: the change's answer, and whether this request
/// made the change (`false`: the key's first answer, replayed).
#[derive(Debug)]
pub struct Once<T> {
    pub answer: T,
    pub fresh: bool,
}

/// Runs `attempt` once for `key`: the first time for real (again, up to
/// `ATTEMPTS` in all, while the database asks for it), and afterwards, for
/// the same `fingerprint`, by replaying its first answer. `attempt` gets the
/// write transaction that holds the key's claim; it must call [`complete`]
/// in it and commit it. When it fails, nothing changed and the key is free
/// again.
pub async fn once<T, F, Fut>(
    db: &Db,
    user: UserId,
    key: &IdempotencyKey,
    fingerprint: &str,
    mut attempt: F,
) -> AppResult<Once<T>>
where
    T: DeserializeOwned,
    F: FnMut(Transaction<'static, Any>) -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    let mut tries = 1;
    loop {
        let result: AppResult<Once<T>> = async {
            let mut tx = db.begin_write().await?;
            match claim(&mut tx, user, key, fingerprint).await? {
                Some(first_answer) => {
                    tx.rollback().await?;
                    Ok(Once {
                        answer: first_answer,
                        fresh: false,
                    })
                }
                None => Ok(Once {
                    answer: attempt(tx).await?,
                    fresh: true,
                }),
            }
        }
        .await;
        match result {
            Err(e) if e.retryable && tries < ATTEMPTS => {
                tracing::warn!(attempt = tries, "a transaction failed; running it again");
                tries += 1;
            }
            other => return other,
        }
    }
}

/// A claim still `running` after this long was left by a version of the
/// shop that committed claims before their change (one that died with its
/// server) (any live one ends within the request time limit).
const ABANDONED_AFTER_MS: i64 = 5 * 60 * 1000;

/// A fresh key for a checkout page.
pub fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Claims `key` for a request with `fingerprint`, in the change's
/// transaction. `Ok(None)`: claimed, go on. `Ok(Some(answer))`: the key
/// already did this, here is the first answer. 422 when it did something
/// else, 409 while a claim another version of the shop left is running.
async fn claim<T: DeserializeOwned>(
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    key: &IdempotencyKey,
    fingerprint: &str,
) -> AppResult<Option<T>> {
    let now = now_millis();
    // A new key, an expired one or an abandoned claim is (re)claimed in one
    // statement; a concurrent claim of the same key waits for this
    // transaction and then finds it done.
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
    .fetch_optional(&mut **tx)
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
    .fetch_optional(&mut **tx)
    .await?;
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

/// Records the answer inside the change's transaction: the key is done
/// exactly when the change is.
pub async fn complete<T: Serialize>(
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    key: &IdempotencyKey,
    order_id: i64,
    answer: &T,
) -> AppResult<()> {
    let response = serde_json::to_string(answer)
        .map_err(|e| AppError::internal("storing an order answer", e))?;
    sqlx::query(
        "UPDATE idempotency_keys SET state = 'done', order_id = $3, response = $4 \
         WHERE user_id = $1 AND key = $2",
    )
    .bind(user.0)
    .bind(key.as_str())
    .bind(order_id)
    .bind(response)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Replaces a done key's answer with what the change became after its
/// commit (an order's payment page, once the payment service gave it), so
/// a replay says the same as the first answer.
pub async fn amend<T: Serialize>(
    db: &Db,
    user: UserId,
    key: &IdempotencyKey,
    answer: &T,
) -> AppResult<()> {
    let response = serde_json::to_string(answer)
        .map_err(|e| AppError::internal("storing an order answer", e))?;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE idempotency_keys SET response = $3 WHERE user_id = $1 AND key = $2 AND state = 'done'",
    )
    .bind(user.0)
    .bind(key.as_str())
    .bind(response)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes keys past the 24-hour window; returns how many.
pub async fn delete_expired(db: &Db) -> AppResult<u64> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(now_millis() - IDEMPOTENCY_WINDOW_MS)
            .execute(db.writer())
            .await?
            .rows_affected(),
    )
}
