//! Getting goods to the shopper: the shipping fee an order pays (free from
//! a threshold), the couriers the shop hands parcels to, and a shipment as
//! an order shows it (carrier, tracking number and the link to follow it,
//! when it left and when it arrived). The order's life (`orders::lifecycle`)
//! moves an order to `shipped` and `delivered`.

use crate::{
    error::{AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
    money::Won,
};
use serde::{Deserialize, Serialize};

/// What an order pays for its delivery: `fee` (`SHIPPING_FEE`, 3,000 won)
/// unless what its lines come to after the coupon reaches `free_from`
/// (`FREE_SHIPPING_FROM`, 50,000 won).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShippingRates {
    pub fee: Won,
    pub free_from: Won,
}

impl Default for ShippingRates {
    fn default() -> Self {
        Self {
            fee: Won(3_000),
            free_from: Won(50_000),
        }
    }
}

impl ShippingRates {
    /// The render's or the server function's setting (the default when none).
    #[cfg(feature = "ssr")]
    pub fn current() -> Self {
        leptos::prelude::use_context::<ShippingRates>().unwrap_or_default()
    }

    /// The fee for goods coming to `after_coupon`.
    pub fn fee_for(self, after_coupon: Won) -> Won {
        if after_coupon.get() >= self.free_from.get() {
            Won::ZERO
        } else {
            self.fee
        }
    }
}

/// The couriers the shop ships with, by their codes.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Carrier {
    Cj,
    Lotte,
    Hanjin,
    Epost,
    Logen,
}

impl Carrier {
    pub const ALL: [Carrier; 5] = [
        Carrier::Cj,
        Carrier::Lotte,
        Carrier::Hanjin,
        Carrier::Epost,
        Carrier::Logen,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Carrier::Cj => "cj",
            Carrier::Lotte => "lotte",
            Carrier::Hanjin => "hanjin",
            Carrier::Epost => "epost",
            Carrier::Logen => "logen",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// A carrier a form or a JSON client named (400 `carrier` otherwise).
    pub fn parse(raw: &str) -> AppResult<Self> {
        Self::from_code(raw.trim()).ok_or_else(|| {
            AppError::invalid_field(
                ErrorCode::BadRequest,
                "carrier",
                td_string!(Locale::current(), shipping.error_carrier),
            )
        })
    }

    pub fn name(self, locale: Locale) -> &'static str {
        match self {
            Carrier::Cj => td_string!(locale, shipping.carrier_cj),
            Carrier::Lotte => td_string!(locale, shipping.carrier_lotte),
            Carrier::Hanjin => td_string!(locale, shipping.carrier_hanjin),
            Carrier::Epost => td_string!(locale, shipping.carrier_epost),
            Carrier::Logen => td_string!(locale, shipping.carrier_logen),
        }
    }

    /// The carrier's own page following the parcel `number`.
    pub fn tracking_url(self, number: &TrackingNumber) -> String {
        let n = number.as_str();
        match self {
            Carrier::Cj => format!("https://trace.cjlogistics.com/next/tracking.html?wblNo={n}"),
            Carrier::Lotte => format!(
                "https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo={n}"
            ),
            Carrier::Hanjin => format!(
                "https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&schLang=KR&wblnumText2={n}"
            ),
            Carrier::Epost => format!(
                "https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1={n}"
            ),
            Carrier::Logen => format!("https://www.ilogen.com/web/personal/trace/{n}"),
        }
    }
}

/// A waybill number (송장번호): 10 to 14 digits, kept without hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TrackingNumber(String);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    TrackingNumber,
    crate::schema::text(r"^[0-9-]{10,20}$", "10 to 14 digits (hyphens are dropped)")
);

impl TrackingNumber {
    pub const MIN: usize = 10;
    pub const MAX: usize = 14;

    pub fn parse(raw: &str) -> AppResult<Self> {
        let digits: String = raw.trim().chars().filter(|c| *c != '-').collect();
        if (Self::MIN..=Self::MAX).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
        {
            Ok(Self(digits))
        } else {
            Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                "tracking_number",
                td_string!(
                    Locale::current(),
                    shipping.error_tracking_number,
                    min = Self::MIN,
                    max = Self::MAX
                ),
            ))
        }
    }

    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for TrackingNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::error::deserialize_parsed(deserializer, Self::parse)
    }
}

/// An order's parcel: who carries it and under which number (absent for
/// orders shipped before the shop recorded them), when it left and when
/// it arrived.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Carrier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub tracking_number: Option<TrackingNumber>,
    /// The carrier's page following the parcel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
    /// Unix milliseconds.
    pub shipped_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<i64>,
}

impl Shipment {
    pub fn new(
        carrier: Option<Carrier>,
        tracking_number: Option<TrackingNumber>,
        shipped_at: i64,
        delivered_at: Option<i64>,
    ) -> Self {
        let tracking_url = carrier
            .zip(tracking_number.as_ref())
            .map(|(c, n)| c.tracking_url(n));
        Self {
            carrier,
            tracking_number,
            tracking_url,
            shipped_at,
            delivered_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fee_is_free_from_the_threshold_after_the_coupon() {
        let rates = ShippingRates::default();
        assert_eq!(rates.fee_for(Won(0)), Won(3_000));
        assert_eq!(rates.fee_for(Won(49_999)), Won(3_000));
        assert_eq!(rates.fee_for(Won(50_000)), Won::ZERO);
        assert_eq!(rates.fee_for(Won(89_000)), Won::ZERO);
        let free = ShippingRates {
            fee: Won::ZERO,
            free_from: Won(50_000),
        };
        assert_eq!(free.fee_for(Won(1_000)), Won::ZERO);
    }

    #[test]
    fn tracking_numbers_are_ten_to_fourteen_digits() {
        assert_eq!(
            TrackingNumber::parse("6789-0123-4567").unwrap().as_str(),
            "678901234567"
        );
        assert!(TrackingNumber::parse("1234567890").is_ok());
        assert!(TrackingNumber::parse("12345678901234").is_ok());
        for bad in [
            "",
            "123456789",
            "123456789012345",
            "12345abcde",
            "１２３４５６７８９０",
        ] {
            assert_eq!(
                TrackingNumber::parse(bad).unwrap_err().field(),
                Some("tracking_number"),
                "{bad}"
            );
        }
    }

    #[test]
    fn carriers_by_code_with_a_tracking_link() {
        for carrier in Carrier::ALL {
            assert_eq!(Carrier::parse(carrier.code()).unwrap(), carrier);
            let url = carrier.tracking_url(&TrackingNumber::parse("1234567890").unwrap());
            assert!(
                url.starts_with("https://") && url.ends_with("1234567890"),
                "{url}"
            );
        }
        assert!(Carrier::parse("dhl").is_err());
        assert!(Carrier::parse("CJ").is_err());
    }
}
