//! Money: whole won in `i64`, never a float. One point is one won.

use serde::{Deserialize, Serialize};
use std::fmt;

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
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{grouped}")
    }
}

/// Shown as Korean shops do: `12,900원`.
impl fmt::Display for Won {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}원", self.grouped())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_thousands_separators() {
        assert_eq!(Won(0).to_string(), "0원");
        assert_eq!(Won(999).to_string(), "999원");
        assert_eq!(Won(1_000).to_string(), "1,000원");
        assert_eq!(Won(12_900).to_string(), "12,900원");
        assert_eq!(Won(10_000_000).to_string(), "10,000,000원");
        assert_eq!(Won(-1_500).to_string(), "-1,500원");
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Won(1_000).checked_mul(3), Some(Won(3_000)));
        assert_eq!(Won(i64::MAX).checked_mul(2), None);
        assert_eq!(Won(i64::MAX).checked_add(Won(1)), None);
    }
}
