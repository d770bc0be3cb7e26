//! Charging points with money: a charge is started at the payment service,
//! the shopper pays there and comes back, and the charge is settled from
//! what the service says (`payments::flow`, with `PointsCharge` as its
//! purpose: a paid charge's points are credited once). Staff's refund of a
//! paid charge is here too.

use super::{store, MAX_BALANCE};
use crate::{
    db::Db,
    error::{AppError, AppResult, ErrorCode, ErrorDetails},
    identity::UserId,
    locale::{td_string, Locale},
    payments::{
        flow::{self, Ended, Purpose},
        provider::{Outcome, PaymentProvider, ProviderError},
        store as charges, Charge, ChargeId, WAIT_FOR_SHOPPER_MS,
    },
};

/// A charge that buys points: paid, its points come in; ended, nothing
/// was held.
pub struct PointsCharge;

#[async_trait::async_trait]
impl Purpose for PointsCharge {
    async fn paid(&self, db: &Db, charge: &Charge, detail: &str) -> AppResult<bool> {
        Ok(store::credit_paid_charge(db, charge.charge_id, detail)
            .await?
            .is_some())
    }

    async fn ended(
        &self,
        db: &Db,
        charge: &Charge,
        why: Ended,
        by_service: bool,
        detail: &str,
    ) -> AppResult<bool> {
        let mut tx = db.begin_write().await?;
        let moved = flow::end(&mut tx, charge, why, by_service, detail).await?;
        tx.commit().await?;
        Ok(moved.is_some())
    }

    async fn pay_by(&self, _: &Db, charge: &Charge) -> AppResult<i64> {
        Ok(charge.created_at + WAIT_FOR_SHOPPER_MS)
    }
}

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
    let charge = charges::create(&mut tx, user, amount, service.name(), None).await?;
    tx.commit().await?;
    let item_name = td_string!(locale, points.item_name).to_string();
    let redirect_url = flow::start(db, service, public_url, &charge, &item_name, mobile).await?;
    Ok(Begun {
        charge_id: charge.charge_id,
        redirect_url,
    })
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
