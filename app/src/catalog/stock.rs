//! Stock: the one answer to "can this many of this product be sold now".
//! The cart asks it to flag and refuse lines; checkout takes stock with
//! the one conditional statement in `catalog::store::take_stock`.

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
}
