//! A charge's walk through a payment service, whatever it pays for: the
//! payment is started, the shopper comes back (approve, or cancel/fail),
//! the reconciler looks up what the shopper's return did not settle, and
//! money owed back is given back. What a paid or ended charge means (points
//! credited; an order placed, or its stock and points given back) is the
//! `Purpose` of the domain above that started it: every path that settles
//! a charge goes through it, and through the conditional moves of
//! `payments::store`, so a charge is settled once.

use super::{
    provider::{Outcome, PaymentProvider, ProviderError, Start},
    store, Charge, ChargeId, ChargeStatus,
};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
};
use std::time::Duration;

/// Why a charge ended without money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Declined or failed at the service.
    Failed,
    /// The shopper stopped it at the service.
    Cancelled,
    /// Never paid in the time the shopper had.
    Expired,
}

impl Ended {
    pub fn status(self) -> ChargeStatus {
        match self {
            Ended::Failed | Ended::Expired => ChargeStatus::Failed,
            Ended::Cancelled => ChargeStatus::Cancelled,
        }
    }
}

/// Ends the pending `charge` inside `tx` as `why`: on the service's word
/// (`by_service`) at once, else only if no approval may still be landing
/// (`store::close_unless_approving`). The charge as ended, or `None`.
pub async fn end(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    charge: &Charge,
    why: Ended,
    by_service: bool,
    detail: &str,
) -> AppResult<Option<Charge>> {
    let (id, to) = (charge.charge_id, why.status());
    if by_service {
        store::settle(tx, id, to, detail).await
    } else {
        store::close_unless_approving(tx, id, to, store::Closing::Expired, detail).await
    }
}

/// What a charge was for, told by the domain that started it.
#[async_trait::async_trait]
pub trait Purpose: Send + Sync {
    /// Settles the pending `charge` as paid (`store::settle`) and does what
    /// it paid for, in one transaction. False when someone else settled it
    /// first (then nothing is written).
    async fn paid(&self, db: &Db, charge: &Charge, detail: &str) -> AppResult<bool>;

    /// Settles the pending `charge` as ended and gives back whatever it
    /// held, in one transaction. False when it was no longer pending.
    /// `by_service`: the service said so (else the shop decides alone, as
    /// on expiry, and a charge being approved is left alone).
    async fn ended(
        &self,
        db: &Db,
        charge: &Charge,
        why: Ended,
        by_service: bool,
        detail: &str,
    ) -> AppResult<bool>;

    /// Until when (unix ms) the shopper may still pay `charge`.
    async fn pay_by(&self, db: &Db, charge: &Charge) -> AppResult<i64>;
}

/// Starts the payment of the pending `charge` at the service; the URL the
/// shopper goes to. When the service does not start it, the charge fails
/// (nothing stays pending) and the answer is 503 `PAYMENT_UNAVAILABLE`.
pub async fn start(
    db: &Db,
    service: &dyn PaymentProvider,
    public_url: &str,
    charge: &Charge,
    item_name: &str,
    mobile: bool,
) -> AppResult<String> {
    let id = charge.charge_id;
    let back = |what: &str| {
        format!(
            "{public_url}/payments/{}/{what}?charge={id}",
            service.name()
        )
    };
    let start = Start {
        item_name,
        approval_url: back("approve"),
        cancel_url: back("cancel"),
        fail_url: back("fail"),
        mobile,
    };
    match service.start(charge, start).await {
        Ok(started) => {
            let mut tx = db.begin_write().await?;
            store::set_provider_ref(&mut tx, id, &started.reference).await?;
            tx.commit().await?;
            Ok(started.redirect_url)
        }
        Err(error) => {
            tracing::warn!(charge = %id, %error, "a payment could not be started");
            let mut tx = db.begin_write().await?;
            store::settle(
                &mut tx,
                id,
                ChargeStatus::Failed,
                &format!("not started: {error}"),
            )
            .await?;
            tx.commit().await?;
            Err(AppError::new(
                ErrorCode::PaymentUnavailable,
                td_string!(Locale::current(), errors.payment_unavailable),
            ))
        }
    }
}

/// What the shopper is told on coming back from the payment service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returned {
    /// Paid, and what it paid for done.
    Paid,
    /// The payment failed: the service's words (may be empty).
    Failed(String),
    Cancelled,
    /// The shop could not learn how the payment ended: the reconciler will.
    Confirming,
}

/// The charge `id` of `user` (someone else's is not found), with the
/// service's reference.
pub async fn own_charge(
    db: &Db,
    user: UserId,
    id: ChargeId,
) -> AppResult<(Charge, Option<String>)> {
    match store::with_reference(db, id).await? {
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
fn as_returned(charge: &Charge) -> Returned {
    match charge.status {
        ChargeStatus::Pending => Returned::Confirming,
        ChargeStatus::Paid | ChargeStatus::Refunding | ChargeStatus::Refunded => Returned::Paid,
        ChargeStatus::Failed => Returned::Failed(String::new()),
        ChargeStatus::Cancelled => Returned::Cancelled,
    }
}

/// The charge as it is now.
async fn reread(db: &Db, id: ChargeId) -> AppResult<Charge> {
    store::get(db, id)
        .await?
        .ok_or_else(|| AppError::internal("reading a charge", "the charge is gone"))
}

/// `approval_url`: the shopper paid at the service and is back with its
/// token; the shop takes the money (approve) and the purpose is done. Only
/// the charge's own shopper can. A replay, or many at once, settle once;
/// while the approval is under way nothing closes the charge by time.
pub async fn approve_return(
    db: &Db,
    service: &dyn PaymentProvider,
    purpose: &dyn Purpose,
    charge: &Charge,
    reference: Option<&str>,
    token: &str,
) -> AppResult<Returned> {
    let id = charge.charge_id;
    let Some(reference) = reference.filter(|_| charge.status.is_open()) else {
        return Ok(as_returned(charge));
    };
    // Closed meanwhile (expired, or cancelled with its order): no money asked.
    if !store::claim_for_approval(db, id).await? {
        return Ok(as_returned(&reread(db, id).await?));
    }
    match service.approve(charge, reference, token).await {
        Ok(amount) if amount == charge.amount => {
            if purpose.paid(db, charge, "approved").await? {
                Ok(Returned::Paid)
            } else {
                // Settled by someone else first (a replay, the reconciler).
                Ok(as_returned(&reread(db, id).await?))
            }
        }
        Ok(amount) => {
            // Never expected: kept pending, for an operator to see.
            tracing::error!(charge = %id, amount, expected = charge.amount, "a payment approved for another amount");
            let why = format!("approved for {amount}, not {}", charge.amount);
            store::record_look(db, id, &why).await?;
            Ok(Returned::Confirming)
        }
        Err(ProviderError::Refused { message, .. }) => {
            // A no (a declined card, or a payment approved already by a
            // request racing this one): the service's own record decides.
            let settled = look(db, service, purpose, charge, reference).await?;
            let now = reread(db, id).await?;
            Ok(match (settled, now.status) {
                (Some(ChargeStatus::Failed), _) => Returned::Failed(message),
                // Still open there: this token did not approve it.
                (Some(ChargeStatus::Pending), ChargeStatus::Pending) => Returned::Failed(message),
                // The service did not say: the reconciler will ask again.
                (None, ChargeStatus::Pending) => Returned::Confirming,
                _ => as_returned(&now),
            })
        }
        Err(error) => {
            // The money may be taken or not: the reconciler will ask.
            tracing::warn!(charge = %id, %error, "a payment's approval is not known");
            store::record_look(db, id, &format!("approve: {error}")).await?;
            Ok(Returned::Confirming)
        }
    }
}

/// `cancel_url` / `fail_url`: the shopper stopped at the service, or it
/// failed there. What the service says decides (a paid payment is settled
/// as paid whatever URL the browser came back to); a payment it still has
/// open is closed here, so it can no longer be approved.
pub async fn abandoned_return(
    db: &Db,
    service: &dyn PaymentProvider,
    purpose: &dyn Purpose,
    charge: &Charge,
    reference: Option<&str>,
    failed: bool,
) -> AppResult<Returned> {
    let id = charge.charge_id;
    let Some(reference) = reference.filter(|_| charge.status.is_open()) else {
        return Ok(as_returned(charge));
    };
    match service.look_up(charge, reference).await {
        Ok(Outcome::Open(status)) => {
            let (why, words) = if failed {
                (Ended::Failed, "failed at the service")
            } else {
                (Ended::Cancelled, "cancelled by the shopper")
            };
            purpose
                .ended(db, charge, why, true, &format!("{words} ({status})"))
                .await?;
        }
        Ok(outcome) => {
            apply(db, purpose, charge, outcome).await?;
        }
        Err(error) => {
            store::record_look(db, id, &format!("order: {error}")).await?;
        }
    }
    Ok(as_returned(&reread(db, id).await?))
}

/// Asks the service where a pending charge's payment is and settles the
/// charge by it. The status it is in afterwards (`None`: the service did
/// not answer, counted as a failed look).
pub async fn look(
    db: &Db,
    service: &dyn PaymentProvider,
    purpose: &dyn Purpose,
    charge: &Charge,
    reference: &str,
) -> AppResult<Option<ChargeStatus>> {
    match service.look_up(charge, reference).await {
        Ok(outcome) => apply(db, purpose, charge, outcome).await.map(Some),
        Err(error) => {
            store::record_look(db, charge.charge_id, &format!("order: {error}")).await?;
            Ok(None)
        }
    }
}

/// Settles a pending charge by the service's outcome; the charge's status
/// afterwards.
async fn apply(
    db: &Db,
    purpose: &dyn Purpose,
    charge: &Charge,
    outcome: Outcome,
) -> AppResult<ChargeStatus> {
    let id = charge.charge_id;
    match outcome {
        Outcome::Paid { amount } if amount == charge.amount => {
            purpose.paid(db, charge, "paid (looked up)").await?;
        }
        Outcome::Paid { amount } => {
            tracing::error!(charge = %id, amount, expected = charge.amount, "a payment paid for another amount");
            let why = format!("paid {amount}, not {}", charge.amount);
            store::record_look(db, id, &why).await?;
        }
        Outcome::Failed(why) => {
            purpose.ended(db, charge, Ended::Failed, true, &why).await?;
        }
        Outcome::Cancelled(why) => {
            purpose
                .ended(db, charge, Ended::Cancelled, true, &why)
                .await?;
        }
        Outcome::Refunded => {
            let why = "given back";
            purpose.ended(db, charge, Ended::Failed, true, why).await?;
        }
        Outcome::Open(status) if now_millis() > purpose.pay_by(db, charge).await? => {
            let why = format!("expired ({status})");
            if !purpose
                .ended(db, charge, Ended::Expired, false, &why)
                .await?
            {
                // Being approved right now: looked at again next round.
                store::record_look(db, id, "").await?;
            }
        }
        Outcome::Open(_) => store::record_look(db, id, "").await?,
    }
    Ok(reread(db, id).await?.status)
}

/// Picks the purpose of a charge (the reconciler settles every kind).
pub type PurposeOf = fn(&Charge) -> &'static dyn Purpose;

/// The reconciler's round: every charge pending and untouched for
/// `quiet` is looked up and settled by what the service says (at most
/// `limit`); one never started ends once the shopper could no longer be
/// paying; every refund the shop owes is asked for again. The number of
/// charges settled.
pub async fn reconcile(
    db: &Db,
    service: &dyn PaymentProvider,
    purpose_of: PurposeOf,
    quiet: Duration,
    limit: i64,
) -> AppResult<usize> {
    let before = now_millis() - quiet.as_millis() as i64;
    let mut settled = 0;
    for (charge, reference) in store::due(db, before, limit).await? {
        let purpose = purpose_of(&charge);
        let status = match reference {
            Some(reference) => look(db, service, purpose, &charge, &reference).await?,
            None if now_millis() > purpose.pay_by(db, &charge).await? => {
                purpose
                    .ended(db, &charge, Ended::Expired, false, "never started")
                    .await?;
                Some(reread(db, charge.charge_id).await?.status)
            }
            None => {
                store::record_look(db, charge.charge_id, "").await?;
                None
            }
        };
        if status.is_some_and(|s| !s.is_open()) {
            settled += 1;
        }
    }
    for (charge, reference) in store::refunding_due(db, before, limit).await? {
        if give_back(
            db,
            service,
            &charge,
            reference.as_deref().unwrap_or_default(),
        )
        .await?
        {
            settled += 1;
        }
    }
    Ok(settled)
}

/// Asks the service to give back the whole of a `refunding` charge's
/// payment; true once it has (the charge is `refunded`). A refusal or no
/// answer is recorded on the charge, which the reconciler asks about
/// again.
pub async fn give_back(
    db: &Db,
    service: &dyn PaymentProvider,
    charge: &Charge,
    reference: &str,
) -> AppResult<bool> {
    let id = charge.charge_id;
    let error = match service.refund(charge, reference).await {
        Ok(()) => return store::refund_done(db, id, "given back").await.map(|_| true),
        Err(error) => error,
    };
    // Given back by an earlier call whose answer was lost?
    match service.look_up(charge, reference).await {
        Ok(Outcome::Refunded) => store::refund_done(db, id, "given back (looked up)")
            .await
            .map(|_| true),
        Ok(_) | Err(_) => {
            tracing::warn!(charge = %id, %error, "a refund the shop owes is not given yet");
            store::record_look(db, id, &format!("refund: {error}")).await?;
            Ok(false)
        }
    }
}
