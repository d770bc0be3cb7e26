//! The charges and their events: the one place a charge changes.

use super::{Charge, ChargeId, ChargeStatus};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult},
    identity::UserId,
};
use sqlx::{any::AnyRow, Any, Row, Transaction};

const COLUMNS: &str = "id, user_id, amount, status, provider, created_at, paid_at";

/// A new `pending` charge of `amount` won for `user` through `provider`,
/// with its `created` event.
pub async fn create(
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    amount: i64,
    provider: &str,
) -> AppResult<ChargeId> {
    let now = now_millis();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO charges (user_id, amount, provider, status, created_at, updated_at) \
         VALUES ($1, $2, $3, 'pending', $4, $4) RETURNING id",
    )
    .bind(user.0)
    .bind(amount)
    .bind(provider)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    event(tx, ChargeId(id), "created", "").await?;
    Ok(ChargeId(id))
}

/// The payment service's own reference of the payment (KakaoPay's `tid`),
/// once it has one; a charge's reference is never replaced.
pub async fn set_provider_ref(
    tx: &mut Transaction<'static, Any>,
    id: ChargeId,
    reference: &str,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE charges SET provider_ref = $2, updated_at = $3 \
         WHERE id = $1 AND provider_ref IS NULL",
    )
    .bind(id.0)
    .bind(reference)
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    event(tx, id, "started", reference).await
}

/// Moves a pending charge to `to` (`paid`, `failed` or `cancelled`), with an
/// event saying why (`detail`). One conditional update: of everyone
/// settling a charge at once (the shopper's return, a replay, the
/// reconciler), exactly one moves it. The charge as moved, or `None` when
/// it was no longer pending (or is unknown): then nothing is written.
pub async fn settle(
    tx: &mut Transaction<'static, Any>,
    id: ChargeId,
    to: ChargeStatus,
    detail: &str,
) -> AppResult<Option<Charge>> {
    if to.is_open() || to == ChargeStatus::Refunded {
        return Err(AppError::internal(
            "settling a charge",
            format!("a pending charge cannot be settled as {}", to.as_str()),
        ));
    }
    let now = now_millis();
    let moved = sqlx::query(&format!(
        "UPDATE charges SET status = $2, updated_at = $3, \
         paid_at = CASE WHEN $2 = 'paid' THEN $3 ELSE paid_at END \
         WHERE id = $1 AND status = 'pending' RETURNING {COLUMNS}"
    ))
    .bind(id.0)
    .bind(to.as_str())
    .bind(now)
    .try_map(|row: AnyRow| charge(&row))
    .fetch_optional(&mut **tx)
    .await?;
    if moved.is_some() {
        event(tx, id, to.as_str(), detail).await?;
    }
    Ok(moved)
}

pub async fn get(db: &Db, id: ChargeId) -> AppResult<Option<Charge>> {
    Ok(
        sqlx::query(&format!("SELECT {COLUMNS} FROM charges WHERE id = $1"))
            .bind(id.0)
            .try_map(|row: AnyRow| charge(&row))
            .fetch_optional(db.pool())
            .await?,
    )
}

/// A charge's events, oldest first: `(kind, detail, at)`.
pub async fn events(db: &Db, id: ChargeId) -> AppResult<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT kind, detail, at FROM charge_events WHERE charge_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(db.pool())
    .await?)
}

async fn event(
    tx: &mut Transaction<'static, Any>,
    id: ChargeId,
    kind: &str,
    detail: &str,
) -> AppResult<()> {
    sqlx::query("INSERT INTO charge_events (charge_id, kind, detail, at) VALUES ($1, $2, $3, $4)")
        .bind(id.0)
        .bind(kind)
        .bind(detail)
        .bind(now_millis())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn charge(row: &AnyRow) -> Result<Charge, sqlx::Error> {
    let status: String = row.try_get("status")?;
    Ok(Charge {
        charge_id: ChargeId(row.try_get("id")?),
        user_id: UserId(row.try_get("user_id")?),
        amount: row.try_get("amount")?,
        status: ChargeStatus::from_stored(&status).ok_or_else(|| {
            sqlx::Error::Decode(format!("unknown charge status {status:?}").into())
        })?,
        provider: row.try_get("provider")?,
        created_at: row.try_get("created_at")?,
        paid_at: row.try_get("paid_at")?,
    })
}
