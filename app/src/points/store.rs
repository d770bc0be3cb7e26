//! The one place a balance changes, always with its ledger row.

use super::{ChargeAmount, LedgerEntry, LedgerKind, LedgerPage, PointDelta, MAX_BALANCE};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode, ErrorDetails},
    identity::UserId,
    locale::{td_string, Locale},
    paging::Paging,
    payments::{self, ChargeId, ChargeStatus},
    platform::{self, PaymentEvent, PlatformEvent},
};
use sqlx::{any::AnyRow, Any, Row, Transaction};

/// Adds `delta` (negative to spend) to a balance inside `tx` and writes the
/// ledger row. The update is one conditional statement, so concurrent
/// changes never lose each other, the balance never goes below 0 and,
/// for the kinds the cap applies to (`LedgerKind::capped`), never past
/// MAX_BALANCE; when it would, nothing is written and the answer says why
/// (`INSUFFICIENT_POINTS` or `POINT_LIMIT_EXCEEDED`). Returns the new balance.
pub async fn change_balance(
    tx: &mut Transaction<'static, Any>,
    user_id: UserId,
    delta: i64,
    kind: LedgerKind,
    order_id: Option<i64>,
) -> AppResult<i64> {
    let source = Source {
        order_id,
        ..Source::default()
    };
    write(tx, user_id, delta, kind, source).await
}

/// Credits a charge the payment service says is paid: moves it from
/// `pending` to `paid` and adds its points with a ledger row naming it, in
/// one transaction. Whoever gets there first (the shopper's return, a
/// replay, the reconciler) credits it; the others find it settled and
/// change nothing (`None`). The points come in whatever the balance: the
/// money is taken (the cap was checked before the payment started). The
/// data platform hears `payment.charged` (the outbox, same transaction).
pub async fn credit_paid_charge(db: &Db, charge: ChargeId, detail: &str) -> AppResult<Option<i64>> {
    let mut tx = db.begin_write().await?;
    let Some(paid) = payments::store::settle(&mut tx, charge, ChargeStatus::Paid, detail).await?
    else {
        return Ok(None);
    };
    let source = Source {
        charge_id: Some(paid.charge_id.0),
        ..Source::default()
    };
    let balance = write(
        &mut tx,
        paid.user_id,
        paid.amount,
        LedgerKind::Charge,
        source,
    )
    .await?;
    let event = PaymentEvent::new(
        paid.charge_id.0,
        paid.user_id,
        paid.amount,
        &paid.provider,
        paid.paid_at.unwrap_or_else(now_millis),
    );
    platform::outbox::enqueue(&mut tx, &PlatformEvent::Charged(event)).await?;
    tx.commit().await?;
    Ok(Some(balance))
}

/// Takes a paid charge back (staff, `reason`): the charge is `refunded`
/// (one conditional update: of two refunds at once, one does it) and its
/// points leave the balance with a `refund` row, refused with
/// `INSUFFICIENT_POINTS` when the shopper has spent them (then nothing is
/// written). The platform hears `payment.refunded`, the audit log who
/// did it, in the same transaction. The caller gives the money back after
/// the commit, and undoes this with `undo_refund` if the service will not.
pub async fn refund_charge(
    db: &Db,
    charge: ChargeId,
    reason: &str,
    staff: UserId,
) -> AppResult<(payments::Charge, i64)> {
    let mut tx = db.begin_write().await?;
    let Some(refunded) = payments::store::mark_refunded(&mut tx, charge, reason).await? else {
        return Err(AppError::new(
            ErrorCode::ChargeNotRefundable,
            td_string!(Locale::current(), errors.charge_not_refundable),
        ));
    };
    let source = Source {
        staff: Some(staff),
        note: reason,
        ..Source::default()
    };
    let balance = write(
        &mut tx,
        refunded.user_id,
        -refunded.amount,
        LedgerKind::Refund,
        source,
    )
    .await?;
    let event = PaymentEvent::new(
        refunded.charge_id.0,
        refunded.user_id,
        refunded.amount,
        &refunded.provider,
        now_millis(),
    );
    platform::outbox::enqueue(&mut tx, &PlatformEvent::Refunded(event)).await?;
    crate::audit::store::record(
        &mut tx,
        Some(staff),
        crate::audit::AuditKind::ChargeRefunded,
        &format!("charge:{}", refunded.charge_id),
        &format!(
            "user {}: -{} → {balance}; {reason:?}",
            refunded.user_id.0, refunded.amount
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((refunded, balance))
}

/// The service did not give a refunded charge's money back: the charge is
/// paid again and its points return (an `adjustment` row saying why).
pub async fn undo_refund(db: &Db, charge: &payments::Charge, why: &str) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    if payments::store::unrefund(&mut tx, charge.charge_id, why).await? {
        let note = format!("charge #{}: {why}", charge.charge_id);
        let source = Source {
            note: &note,
            ..Source::default()
        };
        // Points the shopper had: back whatever the cap.
        write(
            &mut tx,
            charge.user_id,
            charge.amount,
            LedgerKind::Refund,
            source,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Staff change a balance by `delta` (either way, within the same bounds
/// as a charge and a use), with their reason in the ledger row.
pub async fn adjust(
    tx: &mut Transaction<'static, Any>,
    user_id: UserId,
    delta: PointDelta,
    staff: UserId,
    reason: &str,
) -> AppResult<i64> {
    let source = Source {
        staff: Some(staff),
        note: reason,
        ..Source::default()
    };
    write(tx, user_id, delta.get(), LedgerKind::Adjustment, source).await
}

/// What a ledger row is about, besides its kind.
#[derive(Default)]
struct Source<'a> {
    order_id: Option<i64>,
    /// The paid charge it credits.
    charge_id: Option<i64>,
    /// Who adjusted it, and why.
    staff: Option<UserId>,
    note: &'a str,
}

async fn write(
    tx: &mut Transaction<'static, Any>,
    user_id: UserId,
    delta: i64,
    kind: LedgerKind,
    source: Source<'_>,
) -> AppResult<i64> {
    // The cap stops points coming in; taking some away from a balance
    // over it (after a refund) is never refused by it, and a paid
    // charge's points come in whatever it is.
    let ceiling = if kind.capped() && delta > 0 && source.charge_id.is_none() {
        MAX_BALANCE
    } else {
        i64::MAX
    };
    let balance: Option<i64> = sqlx::query_scalar(
        "UPDATE users SET points = points + $1 \
         WHERE id = $2 AND points + $1 >= 0 AND points + $1 <= $3 \
         RETURNING points",
    )
    .bind(delta)
    .bind(user_id.0)
    .bind(ceiling)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(balance) = balance else {
        return Err(refusal(tx, user_id, delta).await?);
    };
    sqlx::query(
        "INSERT INTO point_ledger \
         (user_id, kind, amount, balance_after, order_id, at, staff_id, note, charge_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(user_id.0)
    .bind(kind.as_str())
    .bind(delta)
    .bind(balance)
    .bind(source.order_id)
    .bind(now_millis())
    .bind(source.staff.map(|s| s.0))
    .bind(source.note)
    .bind(source.charge_id)
    .execute(&mut **tx)
    .await?;
    Ok(balance)
}

/// The points order `order_id` was paid with, as `tx` sees the ledger.
pub async fn paid_for_order(tx: &mut Transaction<'static, Any>, order_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(-SUM(amount), 0) AS BIGINT) FROM point_ledger \
         WHERE order_id = $1 AND kind = 'use'",
    )
    .bind(order_id)
    .fetch_one(&mut **tx)
    .await?)
}

/// Why a balance change was refused, read in the same transaction.
async fn refusal(
    tx: &mut Transaction<'static, Any>,
    user_id: UserId,
    delta: i64,
) -> AppResult<AppError> {
    let current: Option<i64> = sqlx::query_scalar("SELECT points FROM users WHERE id = $1")
        .bind(user_id.0)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(current) = current else {
        return Ok(crate::identity::unauthenticated());
    };
    Ok(if delta < 0 {
        AppError::new(
            ErrorCode::InsufficientPoints,
            td_string!(
                Locale::current(),
                errors.points_short,
                current,
                needed = -delta
            ),
        )
        .with_details(ErrorDetails {
            points: Some(current),
            needed: Some(-delta),
            ..ErrorDetails::default()
        })
    } else {
        AppError::new(
            ErrorCode::PointLimitExceeded,
            td_string!(
                Locale::current(),
                errors.balance_limit,
                max = MAX_BALANCE,
                room = MAX_BALANCE - current
            ),
        )
        .with_details(ErrorDetails {
            points: Some(current),
            max_balance: Some(MAX_BALANCE),
            ..ErrorDetails::default()
        })
    })
}

pub async fn charge(db: &Db, user_id: UserId, amount: ChargeAmount) -> AppResult<i64> {
    let mut tx = db.begin_write().await?;
    let balance = change_balance(&mut tx, user_id, amount.get(), LedgerKind::Charge, None).await?;
    tx.commit().await?;
    Ok(balance)
}

/// The balance as `tx` sees it.
pub async fn balance_in(tx: &mut Transaction<'static, Any>, user_id: UserId) -> AppResult<i64> {
    sqlx::query_scalar("SELECT points FROM users WHERE id = $1")
        .bind(user_id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(crate::identity::unauthenticated)
}

/// [`balance_in`], locking the user's row until `tx` ends (what
/// `identity::lock_user` takes) in the same statement: a change that reads
/// the balance first takes the user's lock with it.
pub async fn lock_balance(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    user_id: UserId,
) -> AppResult<i64> {
    sqlx::query_scalar(&format!(
        "SELECT points FROM users WHERE id = $1{}",
        db.for_update()
    ))
    .bind(user_id.0)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(crate::identity::unauthenticated)
}

pub async fn balance(db: &Db, user_id: UserId) -> AppResult<i64> {
    sqlx::query_scalar("SELECT points FROM users WHERE id = $1")
        .bind(user_id.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(crate::identity::unauthenticated)
}

fn entry_from_row(row: &AnyRow) -> Result<LedgerEntry, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(LedgerEntry {
        id: row.try_get("id")?,
        kind: LedgerKind::from_stored(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown ledger kind {kind:?}").into()))?,
        amount: row.try_get("amount")?,
        balance_after: row.try_get("balance_after")?,
        order_id: row.try_get("order_id")?,
        at: row.try_get("at")?,
        note: row.try_get("note")?,
    })
}

pub async fn history(db: &Db, user_id: UserId, paging: Paging) -> AppResult<LedgerPage> {
    let items = sqlx::query(
        "SELECT id, kind, amount, balance_after, order_id, at, note FROM point_ledger \
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
    )
    .bind(user_id.0)
    .bind(i64::from(paging.per_page))
    .bind(paging.offset())
    .try_map(|row: AnyRow| entry_from_row(&row))
    .fetch_all(db.pool())
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM point_ledger WHERE user_id = $1")
        .bind(user_id.0)
        .fetch_one(db.pool())
        .await?;
    Ok(LedgerPage {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}

/// The ledger's sum for a user (what the balance must always equal).
pub async fn ledger_sum(db: &Db, user_id: UserId) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM point_ledger WHERE user_id = $1",
    )
    .bind(user_id.0)
    .fetch_one(db.pool())
    .await?)
}
