//! Payments: money coming in through a payment service. A charge is the
//! shop's record of one payment for points (충전): created `pending` before
//! the shopper is sent to the service, then settled once, to `paid`,
//! `failed` or `cancelled` (and a paid one may later be `refunded`). Every
//! change of a charge is an appended event, so what happened can be read
//! back. The shop's few states live here; a provider's own fields and
//! statuses stay in its module and are mapped to these in one place.
//!
//! Points sit above this domain: crediting a paid charge (the conditional
//! move from `pending` to `paid` and the ledger row naming the charge, in
//! one transaction) is `points::store::credit_paid_charge`.

use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg(feature = "ssr")]
pub mod store;

/// A charge's id; also the `partner_order_id` a provider is given.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChargeId(pub i64);

impl fmt::Display for ChargeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a charge is. Only `pending` moves on its own (once); `paid` moves
/// to `refunded` by staff.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeStatus {
    /// Sent to the payment service; its answer is not known yet.
    Pending,
    /// Paid, and its points credited.
    Paid,
    /// Refused by the payment service (a declined card, an expired or
    /// abandoned payment): no money taken, no points.
    Failed,
    /// Cancelled by the shopper at the payment service.
    Cancelled,
    /// Paid, then given back by staff, its points taken back.
    Refunded,
}

impl ChargeStatus {
    pub const ALL: [ChargeStatus; 5] = [
        ChargeStatus::Pending,
        ChargeStatus::Paid,
        ChargeStatus::Failed,
        ChargeStatus::Cancelled,
        ChargeStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargeStatus::Pending => "pending",
            ChargeStatus::Paid => "paid",
            ChargeStatus::Failed => "failed",
            ChargeStatus::Cancelled => "cancelled",
            ChargeStatus::Refunded => "refunded",
        }
    }

    /// The status as stored; an unknown value is `None`, never a guess.
    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == stored)
    }

    /// Whether a charge in this status can still be settled.
    pub fn is_open(self) -> bool {
        self == ChargeStatus::Pending
    }
}

/// One charge as the shop keeps it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    pub charge_id: ChargeId,
    pub user_id: crate::identity::UserId,
    /// Won paid, and points credited when paid.
    pub amount: i64,
    pub status: ChargeStatus,
    /// The payment service: `kakaopay`.
    pub provider: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub paid_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_only_pending_is_open() {
        for status in ChargeStatus::ALL {
            assert_eq!(ChargeStatus::from_stored(status.as_str()), Some(status));
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, serde_json::Value::String(status.as_str().into()));
            assert_eq!(status.is_open(), status == ChargeStatus::Pending);
        }
        assert_eq!(ChargeStatus::from_stored("PAID"), None);
    }
}
