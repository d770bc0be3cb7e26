//! Stock: the one answer to "can this many of this variant be sold now".
//! The cart asks it to flag and refuse lines; every change of stock (a
//! sale, a staff adjustment, a cancel) goes through the one conditional
//! statement in `catalog::store::change_stock`, which writes its movement
//! beside it: a variant's stock is the sum of its movements.

use crate::{
    error::{deserialize_parsed, AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
};
use serde::{Deserialize, Deserializer, Serialize};

/// How many of one product a line holds: 1 to 99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Quantity(i64);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    Quantity,
    crate::schema::integer(
        Some(Quantity::MIN),
        Some(Quantity::MAX),
        "How many of one product"
    )
);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_parsed(deserializer, Self::parse)
    }
}

impl Quantity {
    pub const MIN: i64 = 1;
    pub const MAX: i64 = 99;
    pub const ONE: Quantity = Quantity(1);

    pub fn parse(raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        raw.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| raw.parse::<i64>().ok())
            .flatten()
            .and_then(Self::new)
            .ok_or_else(|| {
                AppError::invalid_field(
                    ErrorCode::InvalidQuantity,
                    "quantity",
                    td_string!(
                        Locale::current(),
                        errors.quantity_range,
                        min = Self::MIN,
                        max = Self::MAX
                    ),
                )
            })
    }

    pub fn new(n: i64) -> Option<Self> {
        (Self::MIN..=Self::MAX).contains(&n).then_some(Self(n))
    }

    /// A quantity read back from the database; out of range is a decoding
    /// error (the schema's checks make it impossible), never a guess.
    #[cfg(feature = "ssr")]
    pub fn from_stored(n: i64) -> Result<Self, sqlx::Error> {
        Self::new(n)
            .ok_or_else(|| sqlx::Error::Decode(format!("stored quantity {n} out of range").into()))
    }

    /// `self + more`, capped at 99.
    pub fn saturating_add(self, more: Quantity) -> Self {
        Self((self.0 + more.0).min(Self::MAX))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// What the stock says about selling a quantity now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Available,
    /// Some are left, fewer than asked for.
    Short {
        left: i64,
    },
    SoldOut,
}

impl Availability {
    /// `stock` units left, `quantity` wanted.
    pub fn of(stock: i64, quantity: Quantity) -> Self {
        if stock <= 0 {
            Self::SoldOut
        } else if stock < quantity.get() {
            Self::Short { left: stock }
        } else {
            Self::Available
        }
    }
}

/// Why a product's stock moved.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementReason {
    /// Where its history starts: the stock it was created with.
    Initial,
    /// Sold in an order.
    Sale,
    /// Changed by staff, with a cause.
    Adjustment,
    /// Back from a cancelled order.
    Cancel,
    /// Back from an order never paid (cancelled or expired unpaid).
    Release,
}

impl MovementReason {
    pub const ALL: [MovementReason; 5] = [
        MovementReason::Initial,
        MovementReason::Sale,
        MovementReason::Adjustment,
        MovementReason::Cancel,
        MovementReason::Release,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MovementReason::Initial => "initial",
            MovementReason::Sale => "sale",
            MovementReason::Adjustment => "adjustment",
            MovementReason::Cancel => "cancel",
            MovementReason::Release => "release",
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == stored)
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            MovementReason::Initial => td_string!(locale, admin.reason_initial),
            MovementReason::Sale => td_string!(locale, admin.reason_sale),
            MovementReason::Adjustment => td_string!(locale, admin.reason_adjustment),
            MovementReason::Cancel => td_string!(locale, admin.reason_cancel),
            MovementReason::Release => td_string!(locale, admin.reason_release),
        }
    }
}

/// Why staff adjusted a product's stock.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustCause {
    /// Goods came in.
    Received,
    /// A count found a different number.
    Correction,
    /// Broken or spoiled goods went out.
    Damaged,
}

impl AdjustCause {
    pub const ALL: [AdjustCause; 3] = [
        AdjustCause::Received,
        AdjustCause::Correction,
        AdjustCause::Damaged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdjustCause::Received => "received",
            AdjustCause::Correction => "correction",
            AdjustCause::Damaged => "damaged",
        }
    }

    pub fn parse(raw: &str) -> AppResult<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw.trim())
            .ok_or_else(|| {
                AppError::invalid_field(
                    ErrorCode::BadRequest,
                    "reason",
                    td_string!(Locale::current(), admin.error_cause),
                )
            })
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            AdjustCause::Received => td_string!(locale, admin.cause_received),
            AdjustCause::Correction => td_string!(locale, admin.cause_correction),
            AdjustCause::Damaged => td_string!(locale, admin.cause_damaged),
        }
    }
}

impl<'de> Deserialize<'de> for AdjustCause {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_parsed(deserializer, Self::parse)
    }
}

/// How much a staff adjustment moves the stock: a whole number, not zero,
/// at most a million either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct StockDelta(i64);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    StockDelta,
    crate::schema::integer(
        Some(-StockDelta::MAX),
        Some(StockDelta::MAX),
        "Units added (positive) or taken away (negative); not zero"
    )
);

impl<'de> Deserialize<'de> for StockDelta {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_parsed(deserializer, Self::parse)
    }
}

impl StockDelta {
    pub const MAX: i64 = 1_000_000;

    pub fn parse(raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        let digits = raw.strip_prefix('-').unwrap_or(raw);
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| raw.parse::<i64>().ok())
            .flatten()
            .filter(|d| *d != 0 && d.abs() <= Self::MAX)
            .map(Self)
            .ok_or_else(|| {
                AppError::invalid_field(
                    ErrorCode::BadRequest,
                    "delta",
                    td_string!(Locale::current(), admin.error_delta, max = Self::MAX),
                )
            })
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// One change of a product's stock, as staff see it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockMovement {
    pub id: i64,
    /// The variant it moved, and its SKU.
    pub variant_id: super::VariantId,
    pub sku: String,
    pub delta: i64,
    pub reason: MovementReason,
    /// An adjustment's cause.
    pub cause: Option<AdjustCause>,
    /// The order a sale or a cancel belongs to.
    pub order_id: Option<i64>,
    /// The staff member who adjusted it.
    pub by: Option<String>,
    pub note: String,
    pub stock_after: i64,
    /// Unix milliseconds.
    pub at: i64,
}

/// The answer to a stock adjustment.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjusted {
    pub product_id: super::ProductId,
    pub variant_id: super::VariantId,
    /// The variant's stock after.
    pub stock: i64,
    pub movement: StockMovement,
}

/// A sold-out product cannot be put in a cart.
pub fn sold_out_error() -> AppError {
    AppError::new(
        ErrorCode::InsufficientStock,
        td_string!(Locale::current(), errors.sold_out),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_one_to_ninety_nine() {
        assert_eq!(Quantity::parse("1").unwrap().get(), 1);
        assert_eq!(Quantity::parse(" 99 ").unwrap().get(), 99);
        for bad in [
            "0",
            "100",
            "-1",
            "1.5",
            "two",
            "",
            "+3",
            "99999999999999999999",
        ] {
            let err = Quantity::parse(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidQuantity, "{bad}");
        }
        assert_eq!(Quantity(60).saturating_add(Quantity(60)).get(), 99);
    }

    #[test]
    fn availability_follows_the_stock() {
        let two = Quantity(2);
        assert_eq!(Availability::of(5, two), Availability::Available);
        assert_eq!(Availability::of(2, two), Availability::Available);
        assert_eq!(Availability::of(1, two), Availability::Short { left: 1 });
        assert_eq!(Availability::of(0, two), Availability::SoldOut);
    }

    #[test]
    fn deltas_are_signed_whole_numbers_but_not_zero() {
        assert_eq!(StockDelta::parse("5").unwrap().get(), 5);
        assert_eq!(StockDelta::parse(" -3 ").unwrap().get(), -3);
        for bad in ["0", "-0", "", "-", "1.5", "+2", "1000001", "--1", "x"] {
            assert_eq!(
                StockDelta::parse(bad).unwrap_err().field(),
                Some("delta"),
                "{bad}"
            );
        }
        for cause in AdjustCause::ALL {
            assert_eq!(AdjustCause::parse(cause.as_str()).unwrap(), cause);
        }
        assert!(AdjustCause::parse("stolen").is_err());
        for reason in MovementReason::ALL {
            assert_eq!(MovementReason::from_stored(reason.as_str()), Some(reason));
        }
    }
}
