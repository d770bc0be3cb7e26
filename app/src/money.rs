//! Money: whole won in `i64`, never a float. One point is one won.

use crate::locale::Locale;
use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Won(pub i64);

impl Won {
    pub const ZERO: Won = Won(0);

    pub fn get(self) -> i64 {
        self.0
    }

    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }

    pub fn checked_mul(self, quantity: i64) -> Option<Won> {
        self.0.checked_mul(quantity).map(Won)
    }

    pub fn checked_add(self, other: Won) -> Option<Won> {
        self.0.checked_add(other.0).map(Won)
    }
}

impl Won {
    /// The amount with thousands separators and no unit: `12,900`.
    pub fn grouped(self) -> String {
        grouped(self.0)
    }
}

/// A number with thousands separators: `12,900`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{grouped}")
}

impl Won {
    /// A price as the shopper's language writes it: `12,900원` in Korean,
    /// `₩12,900` in English.
    pub fn show(self, locale: Locale) -> String {
        match locale {
            Locale::ko => format!("{}원", self.grouped()),
            Locale::en if self.0 < 0 => format!("-₩{}", Won(-self.0).grouped()),
            Locale::en => format!("₩{}", self.grouped()),
        }
    }
}

/// Points as the shopper's language writes them: `500,000P` in Korean,
/// `500,000 P` in English.
pub fn show_points(points: i64, locale: Locale) -> String {
    match locale {
        Locale::ko => format!("{}P", Won(points).grouped()),
        Locale::en => format!("{} P", Won(points).grouped()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_written_the_korean_way_and_the_english_way() {
        let ko = |n| Won(n).show(Locale::ko);
        let en = |n| Won(n).show(Locale::en);
        assert_eq!(ko(0), "0원");
        assert_eq!(ko(999), "999원");
        assert_eq!(ko(1_000), "1,000원");
        assert_eq!(ko(89_000), "89,000원");
        assert_eq!(ko(10_000_000), "10,000,000원");
        assert_eq!(ko(-1_500), "-1,500원");
        assert_eq!(en(89_000), "₩89,000");
        assert_eq!(en(0), "₩0");
        assert_eq!(en(-1_500), "-₩1,500");
    }

    #[test]
    fn points_carry_their_unit() {
        assert_eq!(show_points(500_000, Locale::ko), "500,000P");
        assert_eq!(show_points(500_000, Locale::en), "500,000 P");
        assert_eq!(show_points(-26_000, Locale::ko), "-26,000P");
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Won(1_000).checked_mul(3), Some(Won(3_000)));
        assert_eq!(Won(i64::MAX).checked_mul(2), None);
        assert_eq!(Won(i64::MAX).checked_add(Won(1)), None);
    }
}
