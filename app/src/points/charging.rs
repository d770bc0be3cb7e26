//! Charging points with money: a charge is started at the payment service,
//! the shopper pays there and comes back, and the charge is settled from
//! what the service says. Every path that settles a charge (the shopper's
//! return, a replay of it, the reconciler, staff's refund) goes through
//! the conditional moves of `payments::store` and the ledger rows of
//! `points::store`, so a charge is credited once and refunded once.

use super::{store, MAX_BALANCE};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode, ErrorDetails},
    identity::UserId,
    locale::{td_string, Locale},
    payments::{
        provider::{Outcome, PaymentProvider, ProviderError, Start},
        store as charges, Charge, ChargeId, ChargeStatus, WAIT_FOR_SHOPPER_MS,
    },
};
use std::time::Duration;

/// A charge started: where the shopper goes to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Begun {
    pub charge_id: ChargeId,
    pub redirect_url: String,
}

/// Starts a charge of `amount` won for `user`: refused with
/// `POINT_LIMIT_EXCEEDED` when the balance and the charges still pending
/// would pass the cap, and with `PAYMENT_UNAVAILABLE` (nothing left
/// pending) when the service does not start the payment.
pub async fn begin(
    db: &Db,
    service: &dyn PaymentProvider,
    public_url: &str,
    user: UserId,
    amount: i64,
    mobile: bool,
) -> AppResult<Begun> {
    let locale = Locale::current();
    let mut tx = db.begin_write().await?;
    crate::identity::lock_user(db, &mut tx, user).await?;
    let current = store::balance_in(&mut tx, user).await?;
    let pending = charges::pending_total(&mut tx, user).await?;
    if current + pending + amount > MAX_BALANCE {
        return Err(AppError::new(
            ErrorCode::PointLimitExceeded,
            td_string!(
                locale,
                errors.balance_limit,
                max = MAX_BALANCE,
                room = (MAX_BALANCE - current - pending).max(0)
            ),
        )
        .with_details(ErrorDetails {
            points: Some(current),
            max_balance: Some(MAX_BALANCE),
            ..ErrorDetails::default()
        }));
    }
    let charge = charges::create(&mut tx, user, amount, service.name()).await?;
    tx.commit().await?;
    let id = charge.charge_id;
    let back = |what: &str| {
        format!(
            "{public_url}/payments/{}/{what}?charge={id}",
            service.name()
        )
    };
    let item_name = td_string!(locale, points.item_name).to_string();
    let start = Start {
        item_name: &item_name,
        approval_url: back("approve"),
        cancel_url: back("cancel"),
        fail_url: back("fail"),
        mobile,
    };
    match service.start(&charge, start).await {
        Ok(started) => {
            let mut tx = db.begin_write().await?;
            charges::set_provider_ref(&mut tx, id, &started.reference).await?;
            tx.commit().await?;
            Ok(Begun {
                charge_id: id,
                redirect_url: started.redirect_url,
            })
        }
        Err(error) => {
            // No payment was started that the shopper could pay: nothing
            // stays pending.
            tracing::warn!(charge = %id, %error, "a payment could not be started");
            let mut tx = db.begin_write().await?;
            charges::settle(
                &mut tx,
                id,
                ChargeStatus::Failed,
                &format!("not started: {error}"),
            )
            .await?;
            tx.commit().await?;
            Err(AppError::new(
                ErrorCode::PaymentUnavailable,
                td_string!(locale, errors.payment_unavailable),
            ))
        }
    }
}

/// What the shopper is told on coming back from the payment service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returned {
    /// Paid and credited: the balance now.
    Paid {
        amount: i64,
        balance: i64,
    },
    /// The payment failed: the service's words (may be empty).
    Failed(String),
    Cancelled,
    /// The shop could not learn how the payment ended: the reconciler will.
    Confirming,
}

/// The charge `id` of `user` (someone else's is not found), with the
/// service's reference.
async fn own_charge(db: &Db, user: UserId, id: ChargeId) -> AppResult<(Charge, Option<String>)> {
    match charges::with_reference(db, id).await? {
        Some((charge, reference)) if charge.user_id == user => Ok((charge, reference)),
        _ => Err(no_such_charge()),
    }
}

pub fn no_such_charge() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        td_string!(Locale::current(), errors.no_such_charge),
    )
}

/// What a settled charge tells a shopper coming back (again).
async fn as_returned(db: &Db, charge: &Charge) -> AppResult<Returned> {
    Ok(match charge.status {
        ChargeStatus::Pending => Returned::Confirming,
        ChargeStatus::Paid | ChargeStatus::Refunded => Returned::Paid {
            amount: charge.amount,
            balance: store::balance(db, charge.user_id).await?,
        },
        ChargeStatus::Failed => Returned::Failed(String::new()),
        ChargeStatus::Cancelled => Returned::Cancelled,
    })
}

/// The charge as it is now.
async fn reread(db: &Db, id: ChargeId) -> AppResult<Charge> {
    charges::get(db, id)
        .await?
        .ok_or_else(|| AppError::internal("reading a charge", "the charge is gone"))
}

/// `approval_url`: the shopper paid at the service and is back with its
/// token; the shop takes the money (approve) and credits the points. Only
/// the charge's own shopper can. A replay, or many at once, credit once.
pub async fn approve_return(
    db: &Db,
    service: &dyn PaymentProvider,
    user: UserId,
    id: ChargeId,
    token: &str,
) -> AppResult<Returned> {
    let (charge, reference) = own_charge(db, user, id).await?;
    let Some(reference) = reference.filter(|_| charge.status.is_open()) else {
        return as_returned(db, &charge).await;
    };
    match service.approve(&charge, &reference, token).await {
        Ok(amount) if amount == charge.amount => {
            match store::credit_paid_charge(db, id, "approved").await? {
                Some(balance) => Ok(Returned::Paid { amount, balance }),
                // Credited by someone else first (a replay, the reconciler).
                None => as_returned(db, &reread(db, id).await?).await,
            }
        }
        Ok(amount) => {
            // Never expected: kept pending, for an operator to see.
            tracing::error!(charge = %id, amount, expected = charge.amount, "a payment approved for another amount");
            let why = format!("approved for {amount}, not {}", charge.amount);
            charges::record_look(db, id, &why).await?;
            Ok(Returned::Confirming)
        }
        Err(ProviderError::Refused { message, .. }) => {
            // A no (a declined card, or a payment approved already by a
            // request racing this one): the service's own record decides.
            let settled = look(db, service, &charge, &reference).await?;
            let now = reread(db, id).await?;
            Ok(match (settled, now.status) {
                (Some(ChargeStatus::Failed), _) => Returned::Failed(message),
                // Still open there: this token did not approve it.
                (Some(ChargeStatus::Pending), ChargeStatus::Pending) => Returned::Failed(message),
                // The service did not say: the reconciler will ask again.
                (None, ChargeStatus::Pending) => Returned::Confirming,
                _ => as_returned(db, &now).await?,
            })
        }
        Err(error) => {
            // The money may be taken or not: the reconciler will ask.
            tracing::warn!(charge = %id, %error, "a payment's approval is not known");
            charges::record_look(db, id, &format!("approve: {error}")).await?;
            Ok(Returned::Confirming)
        }
    }
}

/// `cancel_url` / `fail_url`: the shopper stopped at the service, or it
/// failed there. What the service says decides (a paid payment is
/// credited whatever URL the browser came back to); a payment it still
/// has open is closed here, so it can no longer be approved.
pub async fn abandoned_return(
    db: &Db,
    service: &dyn PaymentProvider,
    user: UserId,
    id: ChargeId,
    failed: bool,
) -> AppResult<Returned> {
    let (charge, reference) = own_charge(db, user, id).await?;
    let Some(reference) = reference.filter(|_| charge.status.is_open()) else {
        return as_returned(db, &charge).await;
    };
    match service.look_up(&charge, &reference).await {
        Ok(Outcome::Open(status)) => {
            let (to, why) = if failed {
                (ChargeStatus::Failed, "failed at the service")
            } else {
                (ChargeStatus::Cancelled, "cancelled by the shopper")
            };
            let mut tx = db.begin_write().await?;
            charges::settle(&mut tx, id, to, &format!("{why} ({status})")).await?;
            tx.commit().await?;
        }
        Ok(outcome) => {
            apply(db, &charge, outcome).await?;
        }
        Err(error) => {
            charges::record_look(db, id, &format!("order: {error}")).await?;
        }
    }
    as_returned(db, &reread(db, id).await?).await
}

/// Asks the service where a pending charge's payment is and settles the
/// charge by it. The status it is in afterwards (`None`: the service did
/// not answer, counted as a failed look).
pub async fn look(
    db: &Db,
    service: &dyn PaymentProvider,
    charge: &Charge,
    reference: &str,
) -> AppResult<Option<ChargeStatus>> {
    match service.look_up(charge, reference).await {
        Ok(outcome) => apply(db, charge, outcome).await.map(Some),
        Err(error) => {
            charges::record_look(db, charge.charge_id, &format!("order: {error}")).await?;
            Ok(None)
        }
    }
}

/// Settles a pending charge by the service's outcome; the charge's status
/// afterwards.
async fn apply(db: &Db, charge: &Charge, outcome: Outcome) -> AppResult<ChargeStatus> {
    let id = charge.charge_id;
    let settle = |to: ChargeStatus, detail: String| async move {
        let mut tx = db.begin_write().await?;
        charges::settle(&mut tx, id, to, &detail).await?;
        tx.commit().await?;
        AppResult::Ok(())
    };
    match outcome {
        Outcome::Paid { amount } if amount == charge.amount => {
            store::credit_paid_charge(db, id, "paid (looked up)").await?;
        }
        Outcome::Paid { amount } => {
            tracing::error!(charge = %id, amount, expected = charge.amount, "a payment paid for another amount");
            let why = format!("paid {amount}, not {}", charge.amount);
            charges::record_look(db, id, &why).await?;
        }
        Outcome::Failed(why) => settle(ChargeStatus::Failed, why).await?,
        Outcome::Cancelled(why) => settle(ChargeStatus::Cancelled, why).await?,
        Outcome::Refunded => settle(ChargeStatus::Failed, "given back".into()).await?,
        Outcome::Open(status) if now_millis() - charge.created_at > WAIT_FOR_SHOPPER_MS => {
            settle(ChargeStatus::Failed, format!("expired ({status})")).await?;
        }
        Outcome::Open(_) => charges::record_look(db, id, "").await?,
    }
    Ok(reread(db, id).await?.status)
}

/// The reconciler's round: every charge pending and untouched for
/// `quiet` is looked up and settled by what the service says (at most
/// `limit`). A charge the service never heard of is failed once the
/// shopper could no longer be paying. The number of charges settled.
pub async fn reconcile(
    db: &Db,
    service: &dyn PaymentProvider,
    quiet: Duration,
    limit: i64,
) -> AppResult<usize> {
    let before = now_millis() - quiet.as_millis() as i64;
    let mut settled = 0;
    for (charge, reference) in charges::due(db, before, limit).await? {
        let status = match reference {
            Some(reference) => look(db, service, &charge, &reference).await?,
            None if now_millis() - charge.created_at > WAIT_FOR_SHOPPER_MS => {
                let mut tx = db.begin_write().await?;
                charges::settle(
                    &mut tx,
                    charge.charge_id,
                    ChargeStatus::Failed,
                    "never started",
                )
                .await?;
                tx.commit().await?;
                Some(ChargeStatus::Failed)
            }
            None => {
                charges::record_look(db, charge.charge_id, "").await?;
                None
            }
        };
        if status.is_some_and(|s| !s.is_open()) {
            settled += 1;
        }
    }
    Ok(settled)
}

/// Runs `reconcile` every `every` until the task is dropped; a failed
/// round is logged and the next one tries again.
pub async fn run_reconciler(db: Db, service: std::sync::Arc<dyn PaymentProvider>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match reconcile(&db, service.as_ref(), every, 100).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(settled = n, "the reconciler settled pending charges"),
            Err(error) => tracing::warn!(error = %error.message, "a reconciler round failed"),
        }
    }
}

/// Staff give a paid charge's money back: the points leave the balance
/// (409 `INSUFFICIENT_POINTS` if spent, `CHARGE_NOT_REFUNDABLE` if not
/// paid), then the service returns the money; if it will not, the charge
/// is paid again and its points come back (503 `PAYMENT_UNAVAILABLE`).
/// The balance afterwards.
pub async fn refund(
    db: &Db,
    service: &dyn PaymentProvider,
    id: ChargeId,
    reason: &str,
    staff: UserId,
) -> AppResult<i64> {
    let (charge, balance) = store::refund_charge(db, id, reason, staff).await?;
    let reference = charges::with_reference(db, id)
        .await?
        .and_then(|(_, reference)| reference)
        .unwrap_or_default();
    let charge = &charge;
    let refused = |why: String| async move {
        store::undo_refund(db, charge, &why).await?;
        Err(AppError::new(
            ErrorCode::PaymentUnavailable,
            td_string!(Locale::current(), errors.refund_refused),
        ))
    };
    match service.refund(charge, &reference).await {
        Ok(()) => Ok(balance),
        Err(ProviderError::Unknown(why)) => match service.look_up(charge, &reference).await {
            Ok(Outcome::Refunded) => Ok(balance),
            Ok(_) => refused(why).await,
            Err(error) => {
                // Not known either way: left refunded, and said.
                tracing::error!(charge = %id, %error, "a refund's outcome is not known");
                charges::note(db, id, "refund_unconfirmed", &format!("{why}; {error}")).await?;
                Err(AppError::new(
                    ErrorCode::PaymentUnavailable,
                    td_string!(Locale::current(), errors.refund_unconfirmed),
                ))
            }
        },
        Err(error) => refused(error.to_string()).await,
    }
}
