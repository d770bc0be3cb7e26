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
pub mod flow;
#[cfg(feature = "ssr")]
pub mod kakaopay;
#[cfg(feature = "ssr")]
pub mod provider;
#[cfg(feature = "ssr")]
pub mod store;

/// How much one charge may be, in won (points): free demo points, or a
/// payment through a service (whose own bounds these are within).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChargeLimits {
    pub min: i64,
    pub max: i64,
    /// Demo points: no money is taken.
    pub demo: bool,
}

impl ChargeLimits {
    pub const DEMO: Self = Self {
        min: 1,
        max: 1_000_000,
        demo: true,
    };
    pub const PAID: Self = Self {
        min: 1_000,
        max: 2_000_000,
        demo: false,
    };

    /// The limits of this server's setting (`PAYMENTS`); demo where no
    /// server is asked (the browser).
    pub fn current() -> Self {
        #[cfg(feature = "ssr")]
        {
            provider::Payments::current().limits()
        }
        #[cfg(not(feature = "ssr"))]
        {
            Self::DEMO
        }
    }
}

/// How long a charge may stay pending before the reconciler gives up on
/// the shopper and settles it from the payment service's answer alone.
pub const WAIT_FOR_SHOPPER_MS: i64 = 30 * 60 * 1000;

/// While the shop is asking the service for a charge's money (and a
/// while after, when the answer was lost), nothing else closes the
/// charge: an expiry or a cancel racing the approval waits this long.
pub const APPROVAL_GRACE_MS: i64 = 60 * 1000;

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
    /// Paid for an order since cancelled: the shop owes the money back
    /// and asks the service until it has given it (the reconciler retries).
    Refunding,
    /// Paid, then given back (by staff, or for a cancelled order).
    Refunded,
}

impl ChargeStatus {
    pub const ALL: [ChargeStatus; 6] = [
        ChargeStatus::Pending,
        ChargeStatus::Paid,
        ChargeStatus::Failed,
        ChargeStatus::Cancelled,
        ChargeStatus::Refunding,
        ChargeStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargeStatus::Pending => "pending",
            ChargeStatus::Paid => "paid",
            ChargeStatus::Failed => "failed",
            ChargeStatus::Cancelled => "cancelled",
            ChargeStatus::Refunding => "refunding",
            ChargeStatus::Refunded => "refunded",
        }
    }

    /// The status as stored; an unknown value is `None`, never a guess.
    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == stored)
    }

    /// What the shopper and staff read.
    pub fn label(self, locale: crate::locale::Locale) -> &'static str {
        use crate::locale::td_string;
        match self {
            ChargeStatus::Pending => td_string!(locale, points.status_pending),
            ChargeStatus::Paid => td_string!(locale, points.status_paid),
            ChargeStatus::Failed => td_string!(locale, points.status_failed),
            ChargeStatus::Cancelled => td_string!(locale, points.status_cancelled),
            ChargeStatus::Refunding => td_string!(locale, points.status_refunding),
            ChargeStatus::Refunded => td_string!(locale, points.status_refunded),
        }
    }

    /// Whether a charge in this status can still be settled.
    pub fn is_open(self) -> bool {
        self == ChargeStatus::Pending
    }
}

/// One charge as the shop keeps it (`GET /api/points/charges/get`).
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
    /// The order it pays for (part of); absent: it buys points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i64>,
}

/// A pending charge is failing once the reconciler has looked at it this
/// often without settling it: the operator's platform page shows it.
pub const FAILING_AFTER: i64 = 5;

/// A pending charge the reconciler keeps failing to settle.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StuckCharge {
    pub charge_id: ChargeId,
    pub amount: i64,
    /// Looks that settled nothing.
    pub attempts: i64,
    pub last_error: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// `GET /api/admin/payments`: what the operator's platform page shows.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentsStatus {
    pub pending: i64,
    /// Paid for orders since cancelled, the money not yet given back.
    #[serde(default)]
    pub refunding: i64,
    /// Pending charges looked at `FAILING_AFTER` times or more.
    pub failing: i64,
    /// Age of the oldest pending charge, in milliseconds.
    pub oldest_pending_ms: Option<i64>,
    /// The failing charges, oldest first (at most 20).
    pub stuck: Vec<StuckCharge>,
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
