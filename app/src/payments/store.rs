//! The charges and their events: the one place a charge changes.

use super::{
    Charge, ChargeId, ChargeStatus, PaymentsStatus, StuckCharge, APPROVAL_GRACE_MS, FAILING_AFTER,
};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult},
    identity::UserId,
};
use sqlx::{any::AnyRow, Any, Row, Transaction};

const COLUMNS: &str = "id, user_id, amount, status, provider, created_at, paid_at, order_id";

/// A new `pending` charge of `amount` won for `user` through `provider`,
/// with its `created` event: for points, or part of order `order_id`.
pub async fn create(
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    amount: i64,
    provider: &str,
    order_id: Option<i64>,
) -> AppResult<Charge> {
    let now = now_millis();
    let created = sqlx::query(&format!(
        "INSERT INTO charges (user_id, amount, provider, status, created_at, updated_at, order_id) \
         VALUES ($1, $2, $3, 'pending', $4, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(user.0)
    .bind(amount)
    .bind(provider)
    .bind(now)
    .bind(order_id)
    .try_map(|row: AnyRow| charge(&row))
    .fetch_one(&mut **tx)
    .await?;
    event(tx, created.charge_id, "created", "").await?;
    Ok(created)
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

/// Why a charge is closed without the service saying it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// Still open at the service, and past the time the shopper had.
    Expired,
    /// Given up by the shop's side alone (the order cancelled, a fresh
    /// payment started), the service not asked.
    Abandoned,
}

/// The shop is about to ask the service for a pending charge's money:
/// marked so, nothing closes it by time or by the shopper's word for
/// `APPROVAL_GRACE_MS` (`close_unless_approving`). Whether it is still
/// pending (else nothing is asked).
pub async fn claim_for_approval(db: &Db, id: ChargeId) -> AppResult<bool> {
    let mut tx = db.begin_write().await?;
    let claimed = sqlx::query(
        "UPDATE charges SET approving_at = $2, updated_at = $2 WHERE id = $1 AND status = 'pending'",
    )
    .bind(id.0)
    .bind(now_millis())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    tx.commit().await?;
    Ok(claimed)
}

/// Closes a pending charge without the service's word that it ended: like
/// `settle`, but never while the shop may be taking its money. `Closing::
/// Expired` (the service says it is still open, and its hold ran out): not
/// while an approval asked less than `APPROVAL_GRACE_MS` ago may still
/// land. `Closing::Abandoned` (the shopper cancelled the order, or a fresh
/// payment replaces it, the service not asked): not once an approval was
/// ever asked, whose money only the service can tell of. `None` then, as
/// for a charge no longer pending.
pub async fn close_unless_approving(
    tx: &mut Transaction<'static, Any>,
    id: ChargeId,
    to: ChargeStatus,
    closing: Closing,
    detail: &str,
) -> AppResult<Option<Charge>> {
    if !matches!(to, ChargeStatus::Failed | ChargeStatus::Cancelled) {
        return Err(AppError::internal(
            "closing a charge",
            format!("a charge is not closed as {}", to.as_str()),
        ));
    }
    let now = now_millis();
    let asked_before = match closing {
        Closing::Expired => now - APPROVAL_GRACE_MS,
        Closing::Abandoned => i64::MIN,
    };
    let moved = sqlx::query(&format!(
        "UPDATE charges SET status = $2, updated_at = $3 \
         WHERE id = $1 AND status = 'pending' \
           AND (approving_at IS NULL OR approving_at < $4) RETURNING {COLUMNS}"
    ))
    .bind(id.0)
    .bind(to.as_str())
    .bind(now)
    .bind(asked_before)
    .try_map(|row: AnyRow| charge(&row))
    .fetch_optional(&mut **tx)
    .await?;
    if moved.is_some() {
        event(tx, id, to.as_str(), detail).await?;
    }
    Ok(moved)
}

/// The pending charge of order `order_id`, if it has one, with the
/// service's reference.
/// How many charges are in each status (`/metrics`).
pub async fn count_by_status(db: &Db) -> AppResult<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT status, COUNT(*) FROM charges GROUP BY status ORDER BY status")
            .fetch_all(db.pool())
            .await?,
    )
}

pub async fn pending_for_order(
    tx: &mut Transaction<'static, Any>,
    order_id: i64,
) -> AppResult<Option<(Charge, Option<String>)>> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS}, provider_ref FROM charges \
         WHERE order_id = $1 AND status = 'pending' ORDER BY id DESC LIMIT 1"
    ))
    .bind(order_id)
    .try_map(|row: AnyRow| with_reference_of(&row))
    .fetch_optional(&mut **tx)
    .await?)
}

/// The charge that paid for order `order_id` (paid, or since given back
/// or being given back), with the service's reference.
pub async fn paid_for_order(
    conn: &mut sqlx::AnyConnection,
    order_id: i64,
) -> AppResult<Option<(Charge, Option<String>)>> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS}, provider_ref FROM charges WHERE order_id = $1 \
         AND status IN ('paid', 'refunding', 'refunded') ORDER BY id DESC LIMIT 1"
    ))
    .bind(order_id)
    .try_map(|row: AnyRow| with_reference_of(&row))
    .fetch_optional(&mut *conn)
    .await?)
}

/// A paid charge whose order was cancelled: the shop owes its money back
/// (`refunding`, one conditional update). `None` when it was not paid.
pub async fn mark_refunding(
    tx: &mut Transaction<'static, Any>,
    id: ChargeId,
    detail: &str,
) -> AppResult<Option<Charge>> {
    let moved = sqlx::query(&format!(
        "UPDATE charges SET status = 'refunding', updated_at = $2, attempts = 0, last_error = '' \
         WHERE id = $1 AND status = 'paid' RETURNING {COLUMNS}"
    ))
    .bind(id.0)
    .bind(now_millis())
    .try_map(|row: AnyRow| charge(&row))
    .fetch_optional(&mut **tx)
    .await?;
    if moved.is_some() {
        event(tx, id, "refunding", detail).await?;
    }
    Ok(moved)
}

/// The service gave a `refunding` charge's money back: `refunded`.
/// Whether this call moved it (of two at once, one does).
pub async fn refund_done(db: &Db, id: ChargeId, detail: &str) -> AppResult<bool> {
    let mut tx = db.begin_write().await?;
    let moved = sqlx::query(
        "UPDATE charges SET status = 'refunded', updated_at = $2 \
         WHERE id = $1 AND status = 'refunding'",
    )
    .bind(id.0)
    .bind(now_millis())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if moved {
        event(&mut tx, id, "refunded", detail).await?;
    }
    tx.commit().await?;
    Ok(moved)
}

/// Charges whose money the shop owes back and has not been able to give
/// (at most `limit`), untouched since `before`, with their references.
pub async fn refunding_due(
    db: &Db,
    before: i64,
    limit: i64,
) -> AppResult<Vec<(Charge, Option<String>)>> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS}, provider_ref FROM charges \
         WHERE status = 'refunding' AND updated_at <= $1 ORDER BY updated_at, id LIMIT $2"
    ))
    .bind(before)
    .bind(limit)
    .try_map(|row: AnyRow| with_reference_of(&row))
    .fetch_all(db.pool())
    .await?)
}

/// Moves a paid charge for points to `refunded` (one conditional update:
/// of two refunds at once, one moves it). `None` when it was not paid, or
/// paid for an order (whose cancel gives it back).
pub async fn mark_refunded(
    tx: &mut Transaction<'static, Any>,
    id: ChargeId,
    detail: &str,
) -> AppResult<Option<Charge>> {
    let moved = sqlx::query(&format!(
        "UPDATE charges SET status = 'refunded', updated_at = $2 \
         WHERE id = $1 AND status = 'paid' AND order_id IS NULL RETURNING {COLUMNS}"
    ))
    .bind(id.0)
    .bind(now_millis())
    .try_map(|row: AnyRow| charge(&row))
    .fetch_optional(&mut **tx)
    .await?;
    if moved.is_some() {
        event(tx, id, "refunded", detail).await?;
    }
    Ok(moved)
}

/// Undoes `mark_refunded` when the payment service did not give the
/// money back: the charge is paid again.
pub async fn unrefund(
    tx: &mut Transaction<'static, Any>,
    id: ChargeId,
    detail: &str,
) -> AppResult<bool> {
    let moved = sqlx::query(
        "UPDATE charges SET status = 'paid', updated_at = $2 WHERE id = $1 AND status = 'refunded'",
    )
    .bind(id.0)
    .bind(now_millis())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if moved {
        event(tx, id, "refund_failed", detail).await?;
    }
    Ok(moved)
}

/// A look at a pending charge that settled nothing: the charge is not due
/// again for a while. A look that failed (`error`: what went wrong) is
/// counted and kept; one where the service said the payment is still open
/// (`error` empty: the shopper may still be paying) is not.
pub async fn record_look(db: &Db, id: ChargeId, error: &str) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE charges SET updated_at = $3, \
         attempts = attempts + CASE WHEN $2 = '' THEN 0 ELSE 1 END, \
         last_error = CASE WHEN $2 = '' THEN last_error ELSE $2 END \
         WHERE id = $1 AND status IN ('pending', 'refunding')",
    )
    .bind(id.0)
    .bind(error)
    .bind(now_millis())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 1 && !error.is_empty() {
        event(&mut tx, id, "look_failed", error).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Appends an event to a charge's story (`detail`: what happened).
pub async fn note(db: &Db, id: ChargeId, kind: &str, detail: &str) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    event(&mut tx, id, kind, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Pending charges untouched since `before` (unix ms), oldest first, with
/// the service's reference when they have one.
pub async fn due(db: &Db, before: i64, limit: i64) -> AppResult<Vec<(Charge, Option<String>)>> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS}, provider_ref FROM charges \
         WHERE status = 'pending' AND updated_at <= $1 ORDER BY updated_at, id LIMIT $2"
    ))
    .bind(before)
    .bind(limit)
    .try_map(|row: AnyRow| with_reference_of(&row))
    .fetch_all(db.pool())
    .await?)
}

/// A charge and the service's reference of its payment.
pub async fn with_reference(db: &Db, id: ChargeId) -> AppResult<Option<(Charge, Option<String>)>> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS}, provider_ref FROM charges WHERE id = $1"
    ))
    .bind(id.0)
    .try_map(|row: AnyRow| with_reference_of(&row))
    .fetch_optional(db.pool())
    .await?)
}

/// A shopper's charges for points, newest first.
pub async fn of_user(db: &Db, user: UserId, limit: i64) -> AppResult<Vec<Charge>> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS} FROM charges WHERE user_id = $1 AND order_id IS NULL \
         ORDER BY id DESC LIMIT $2"
    ))
    .bind(user.0)
    .bind(limit)
    .try_map(|row: AnyRow| charge(&row))
    .fetch_all(db.pool())
    .await?)
}

/// The won of a shopper's charges for points still pending (they count
/// toward the balance cap until settled).
pub async fn pending_total(tx: &mut Transaction<'static, Any>, user: UserId) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM charges \
         WHERE user_id = $1 AND status = 'pending' AND order_id IS NULL",
    )
    .bind(user.0)
    .fetch_one(&mut **tx)
    .await?)
}

/// What the operator's platform page shows of payments: pending charges,
/// those the reconciler keeps failing to settle (at most `limit`), the
/// oldest pending one's age.
pub async fn status(db: &Db, limit: i64) -> AppResult<PaymentsStatus> {
    let (pending, failing, oldest): (i64, i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), \
         CAST(COALESCE(SUM(CASE WHEN attempts >= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
         MIN(created_at) FROM charges WHERE status = 'pending'",
    )
    .bind(FAILING_AFTER)
    .fetch_one(db.pool())
    .await?;
    let refunding: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM charges WHERE status = 'refunding'")
            .fetch_one(db.pool())
            .await?;
    // Failing charges, and every refund the shop still owes.
    let stuck = sqlx::query_as::<_, (i64, i64, i64, String, i64)>(
        "SELECT id, amount, attempts, last_error, created_at FROM charges \
         WHERE (status = 'pending' AND attempts >= $1) OR status = 'refunding' \
         ORDER BY created_at LIMIT $2",
    )
    .bind(FAILING_AFTER)
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(
        |(id, amount, attempts, last_error, created_at)| StuckCharge {
            charge_id: ChargeId(id),
            amount,
            attempts,
            last_error,
            created_at,
        },
    )
    .collect();
    Ok(PaymentsStatus {
        pending,
        refunding,
        failing,
        oldest_pending_ms: oldest.map(|at| (now_millis() - at).max(0)),
        stuck,
    })
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

/// A charge read with `provider_ref` beside its columns.
fn with_reference_of(row: &AnyRow) -> Result<(Charge, Option<String>), sqlx::Error> {
    Ok((charge(row)?, row.try_get("provider_ref")?))
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
        order_id: row.try_get("order_id")?,
    })
}
