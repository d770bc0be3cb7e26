//! Coupons: campaigns staff create (a fixed or a percentage discount, a
//! minimum order, how many may be issued, when they are valid), handed out
//! first come, first served and one per shopper, spent by checkout in the
//! order's transaction and given back by a cancel. The discount rule and
//! a coupon's status are written here once; checkout, the pages and the
//! admin functions use them.

use crate::{
    error::{deserialize_parsed, AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
    money::Won,
    paging::Paging,
};
use leptos::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

#[cfg(feature = "ssr")]
pub mod store;

macro_rules! id_type {
    ($name:ident, $field:literal, $what:literal) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        #[cfg(feature = "ssr")]
        crate::schema::newtype_schema!($name, crate::schema::integer(Some(1), None, $what));

        /// As a server function's argument it is the field named here.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserialize_parsed(deserializer, Self::parse)
            }
        }

        impl $name {
            /// A positive whole number; anything else is 400 naming the field.
            pub fn parse(raw: &str) -> AppResult<Self> {
                match raw.trim().parse::<i64>() {
                    Ok(id) if id > 0 => Ok(Self(id)),
                    _ => Err(AppError::invalid_field(
                        ErrorCode::BadRequest,
                        $field,
                        td_string!(Locale::current(), errors.id_format),
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(CampaignId, "campaign_id", "A coupon campaign's id");
id_type!(CouponId, "coupon_id", "A shopper's coupon's id");

/// What a coupon takes off: a fixed number of won, or a percentage.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CouponKind {
    Fixed,
    Percent,
}

impl CouponKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CouponKind::Fixed => "fixed",
            CouponKind::Percent => "percent",
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        [CouponKind::Fixed, CouponKind::Percent]
            .into_iter()
            .find(|k| k.as_str() == stored)
    }
}

/// A campaign's discount: the one rule of what a coupon takes off.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub kind: CouponKind,
    /// Won off (`fixed`), or percent (`percent`, 1 to 100).
    pub value: i64,
    /// A percentage's cap in won.
    pub max_discount: Option<Won>,
    /// The order total (before the discount) the coupon needs.
    pub min_order: Won,
}

impl Terms {
    /// What the coupon takes off `subtotal`: a percentage rounded down to
    /// the won, capped, and never more than the subtotal itself.
    pub fn discount(&self, subtotal: Won) -> Won {
        let subtotal = subtotal.get().max(0);
        let off = match self.kind {
            CouponKind::Fixed => self.value,
            CouponKind::Percent => {
                let off = i128::from(subtotal) * i128::from(self.value) / 100;
                let off = i64::try_from(off).unwrap_or(i64::MAX);
                self.max_discount.map_or(off, |cap| off.min(cap.get()))
            }
        };
        Won(off.clamp(0, subtotal))
    }

    /// Whether `subtotal` reaches the minimum.
    pub fn reached_by(&self, subtotal: Won) -> bool {
        subtotal >= self.min_order
    }

    /// `3,000원 할인` / `10% off (up to ₩5,000)`.
    pub fn describe(&self, locale: Locale) -> String {
        match (self.kind, self.max_discount) {
            (CouponKind::Fixed, _) => td_string!(
                locale,
                coupons.fixed_off,
                amount = Won(self.value).show(locale)
            )
            .to_string(),
            (CouponKind::Percent, None) => {
                td_string!(locale, coupons.percent_off, percent = self.value).to_string()
            }
            (CouponKind::Percent, Some(cap)) => td_string!(
                locale,
                coupons.percent_off_capped,
                percent = self.value,
                cap = cap.show(locale)
            )
            .to_string(),
        }
    }
}

/// When a campaign's coupons can be used: from `valid_from` (included) to
/// `valid_until` (excluded), unix milliseconds; absent ends are open.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Validity {
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
}

impl Validity {
    pub fn started(&self, now: i64) -> bool {
        self.valid_from.is_none_or(|from| now >= from)
    }

    pub fn ended(&self, now: i64) -> bool {
        self.valid_until.is_some_and(|until| now >= until)
    }
}

/// Where a shopper's coupon is.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CouponStatus {
    Usable,
    /// Spent on an order (`order_id`).
    Used,
    Expired,
    NotYetValid,
}

impl CouponStatus {
    /// A coupon's status now: `used` as stored, else from its dates.
    pub fn of(used: bool, validity: Validity, now: i64) -> Self {
        if used {
            CouponStatus::Used
        } else if validity.ended(now) {
            CouponStatus::Expired
        } else if !validity.started(now) {
            CouponStatus::NotYetValid
        } else {
            CouponStatus::Usable
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CouponStatus::Usable => "usable",
            CouponStatus::Used => "used",
            CouponStatus::Expired => "expired",
            CouponStatus::NotYetValid => "not_yet_valid",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            CouponStatus::Usable => td_string!(locale, coupons.status_usable),
            CouponStatus::Used => td_string!(locale, coupons.status_used),
            CouponStatus::Expired => td_string!(locale, coupons.status_expired),
            CouponStatus::NotYetValid => td_string!(locale, coupons.status_not_yet_valid),
        }
    }
}

/// A campaign's name in the reader's language: its English name for
/// English readers when it has one, else its Korean name.
pub fn shown_name(name: &str, name_en: Option<&str>, locale: Locale) -> String {
    match (locale, name_en) {
        (Locale::en, Some(en)) if !en.is_empty() => en.to_string(),
        _ => name.to_string(),
    }
}

/// A campaign as staff see it, with its counts.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub name: String,
    pub name_en: Option<String>,
    #[serde(flatten)]
    pub terms: Terms,
    /// How many may be issued; absent: unlimited.
    pub quantity: Option<i64>,
    #[serde(flatten)]
    pub validity: Validity,
    /// Shoppers may claim it.
    pub open: bool,
    pub issued: i64,
    pub used: i64,
    /// Unix milliseconds.
    pub created_at: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignPage {
    pub items: Vec<Campaign>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl CampaignPage {
    pub fn page_count(&self) -> u32 {
        Paging::page_count(self.total, self.per_page)
    }
}

/// An open campaign a shopper may claim, with what is left.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub campaign_id: CampaignId,
    pub name: String,
    #[serde(flatten)]
    pub terms: Terms,
    /// Absent: unlimited.
    pub left: Option<i64>,
    #[serde(flatten)]
    pub validity: Validity,
    /// Whether the caller already holds one (always false for a guest).
    pub claimed: bool,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferList {
    pub items: Vec<Offer>,
}

/// The answer to a claim (201).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCoupon {
    pub coupon_id: CouponId,
    pub campaign_id: CampaignId,
    pub status: CouponStatus,
}

/// One of my coupons.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCoupon {
    pub coupon_id: CouponId,
    pub campaign_id: CampaignId,
    pub name: String,
    #[serde(flatten)]
    pub terms: Terms,
    #[serde(flatten)]
    pub validity: Validity,
    pub status: CouponStatus,
    /// The order it paid for, while `used`.
    pub order_id: Option<i64>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCouponList {
    pub items: Vec<MyCoupon>,
}

/// Why a coupon cannot pay for an order, as checkout lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not mine (or no such coupon), used, expired or not yet valid.
    NotUsable(&'static str),
    /// The subtotal does not reach the minimum.
    MinimumNotMet { min_order: Won },
}

/// A coupon as checkout finds it: the shopper's, with its terms and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub id: CouponId,
    pub terms: Terms,
    pub status: CouponStatus,
}

impl Held {
    /// The discount this coupon gives an order of `subtotal`, or why it
    /// gives none.
    pub fn discount_for(&self, subtotal: Won) -> Result<Won, Refusal> {
        if self.status != CouponStatus::Usable {
            return Err(Refusal::NotUsable(self.status.as_str()));
        }
        if !self.terms.reached_by(subtotal) {
            return Err(Refusal::MinimumNotMet {
                min_order: self.terms.min_order,
            });
        }
        Ok(self.terms.discount(subtotal))
    }
}

/// The longest campaign name.
pub const MAX_NAME: usize = 80;
/// The most a fixed coupon or a cap may take off, and the highest minimum.
pub const MAX_WON: i64 = 100_000_000;
/// The most coupons a campaign may issue.
pub const MAX_QUANTITY: i64 = 10_000_000;

/// A campaign as staff send it (create and edit alike), checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignInput {
    pub name: String,
    pub name_en: Option<String>,
    pub terms: Terms,
    pub quantity: Option<i64>,
    pub validity: Validity,
    pub open: bool,
}

/// The raw fields of a campaign form or JSON body.
#[derive(Debug, Clone, Copy, Default)]
pub struct CampaignFields<'a> {
    pub name: Option<&'a str>,
    pub name_en: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub value: Option<&'a str>,
    pub max_discount: Option<&'a str>,
    pub min_order: Option<&'a str>,
    pub quantity: Option<&'a str>,
    pub valid_from: Option<&'a str>,
    pub valid_until: Option<&'a str>,
    pub open: Option<&'a str>,
}

impl CampaignInput {
    pub fn parse(fields: CampaignFields<'_>) -> AppResult<Self> {
        fn present(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let bad = |field: &str, message: String| {
            AppError::invalid_field(ErrorCode::BadRequest, field, message)
        };
        let whole =
            |field: &str, raw: Option<&str>, min: i64, max: i64| -> AppResult<Option<i64>> {
                present(raw)
                    .map(|raw| {
                        raw.parse::<i64>()
                            .ok()
                            .filter(|n| (min..=max).contains(n))
                            .ok_or_else(|| {
                                bad(
                                    field,
                                    td_string!(
                                        Locale::current(),
                                        coupons.error_number,
                                        field,
                                        min,
                                        max
                                    )
                                    .to_string(),
                                )
                            })
                    })
                    .transpose()
            };
        let name = crate::text::field(
            "name",
            fields.name.unwrap_or_default(),
            true,
            MAX_NAME,
            false,
        )?;
        let name_en = crate::text::field(
            "name_en",
            fields.name_en.unwrap_or_default(),
            false,
            MAX_NAME,
            false,
        )?;
        let kind = match present(fields.kind) {
            Some(raw) => CouponKind::from_stored(raw).ok_or_else(|| {
                bad(
                    "kind",
                    td_string!(Locale::current(), coupons.error_kind).to_string(),
                )
            })?,
            None => {
                return Err(bad(
                    "kind",
                    td_string!(Locale::current(), coupons.error_kind).to_string(),
                ))
            }
        };
        let value_max = match kind {
            CouponKind::Fixed => MAX_WON,
            CouponKind::Percent => 100,
        };
        let value = whole("value", fields.value, 1, value_max)?.ok_or_else(|| {
            bad(
                "value",
                td_string!(
                    Locale::current(),
                    coupons.error_number,
                    field = "value",
                    min = 1,
                    max = value_max
                )
                .to_string(),
            )
        })?;
        let max_discount = whole("max_discount", fields.max_discount, 1, MAX_WON)?.map(Won);
        if max_discount.is_some() && kind == CouponKind::Fixed {
            return Err(bad(
                "max_discount",
                td_string!(Locale::current(), coupons.error_cap_fixed).to_string(),
            ));
        }
        let min_order = Won(whole("min_order", fields.min_order, 0, MAX_WON)?.unwrap_or(0));
        let quantity = whole("quantity", fields.quantity, 1, MAX_QUANTITY)?;
        // Unix milliseconds from 2000 to 2100 (JSON clients), or a time
        // in Seoul as the form sends it: `YYYY-MM-DDTHH:MM`, or a day
        // `YYYY-MM-DD` (from its start; until its end).
        const TIMES: std::ops::RangeInclusive<i64> = 946_684_800_000..=4_102_444_800_000;
        let time = |field: &str, raw: Option<&str>, day_end: bool| -> AppResult<Option<i64>> {
            let Some(raw) = present(raw) else {
                return Ok(None);
            };
            if raw.bytes().all(|b| b.is_ascii_digit()) {
                return whole(field, Some(raw), *TIMES.start(), *TIMES.end());
            }
            crate::dates::parse_day_in_seoul(raw)
                .map(|start| start + if day_end { 86_400_000 } else { 0 })
                .or_else(|| crate::dates::parse_time_in_seoul(raw))
                .filter(|t| TIMES.contains(t))
                .map(Some)
                .ok_or_else(|| {
                    bad(
                        field,
                        td_string!(Locale::current(), coupons.error_time, field).to_string(),
                    )
                })
        };
        let validity = Validity {
            valid_from: time("valid_from", fields.valid_from, false)?,
            valid_until: time("valid_until", fields.valid_until, true)?,
        };
        if let (Some(from), Some(until)) = (validity.valid_from, validity.valid_until) {
            if from >= until {
                return Err(bad(
                    "valid_until",
                    td_string!(Locale::current(), coupons.error_dates).to_string(),
                ));
            }
        }
        let open = match present(fields.open) {
            None | Some("false" | "0" | "off") => false,
            Some("true" | "1" | "on") => true,
            Some(_) => {
                return Err(bad(
                    "open",
                    td_string!(Locale::current(), coupons.error_open).to_string(),
                ))
            }
        };
        Ok(Self {
            name,
            name_en: (!name_en.is_empty()).then_some(name_en),
            terms: Terms {
                kind,
                value,
                max_discount,
                min_order,
            },
            quantity,
            validity,
            open,
        })
    }
}

/// `GET /api/coupons/available`: the open campaigns one may claim now or
/// ahead of their start, with what is left. Anyone; `claimed` says which a
/// logged-in shopper already holds.
#[server(prefix = "/api", endpoint = "coupons/available", input = server_fn::codec::GetUrl)]
pub async fn available_coupons() -> Result<OfferList, AppError> {
    let user = crate::identity::current_user_id().await?;
    let items = store::offers(&crate::db::db()?, user, Locale::current()).await?;
    Ok(OfferList { items })
}

/// `POST /api/coupons/issue`: `campaign_id`. First come, first served, one
/// per shopper: 201 the coupon; 409 `COUPON_SOLD_OUT`,
/// `COUPON_ALREADY_ISSUED`; 404 for an unknown, closed or ended campaign.
#[server(prefix = "/api", endpoint = "coupons/issue")]
pub async fn claim_coupon(campaign_id: CampaignId) -> Result<IssuedCoupon, AppError> {
    let user = crate::identity::require_user().await?;
    let issued = store::issue(&crate::db::db()?, user, campaign_id).await?;
    crate::flash::done(td_string!(Locale::current(), flash.coupon_claimed)).await;
    crate::http_status::created();
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect("/coupons");
    }
    Ok(issued)
}

/// `GET /api/coupons`: my coupons, newest first, each with its status.
#[server(prefix = "/api", endpoint = "coupons", input = server_fn::codec::GetUrl)]
pub async fn my_coupons() -> Result<MyCouponList, AppError> {
    let user = crate::identity::require_user().await?;
    let items = store::mine(&crate::db::db()?, user, Locale::current()).await?;
    Ok(MyCouponList { items })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(kind: CouponKind, value: i64, cap: Option<i64>, min: i64) -> Terms {
        Terms {
            kind,
            value,
            max_discount: cap.map(Won),
            min_order: Won(min),
        }
    }

    #[test]
    fn discounts_round_down_cap_and_never_pass_the_total() {
        let fixed = terms(CouponKind::Fixed, 3_000, None, 0);
        assert_eq!(fixed.discount(Won(10_000)), Won(3_000));
        assert_eq!(fixed.discount(Won(2_000)), Won(2_000));
        let percent = terms(CouponKind::Percent, 15, None, 0);
        assert_eq!(percent.discount(Won(9_999)), Won(1_499));
        let capped = terms(CouponKind::Percent, 50, Some(4_000), 0);
        assert_eq!(capped.discount(Won(100_000)), Won(4_000));
        assert_eq!(capped.discount(Won(5_000)), Won(2_500));
        let all = terms(CouponKind::Percent, 100, None, 0);
        assert_eq!(all.discount(Won(12_345)), Won(12_345));
        let huge = terms(CouponKind::Percent, 99, None, 0);
        let exact = i128::from(i64::MAX) * 99 / 100;
        assert_eq!(i128::from(huge.discount(Won(i64::MAX)).get()), exact);
    }

    #[test]
    fn a_coupon_is_usable_inside_its_dates_once() {
        let dates = Validity {
            valid_from: Some(100),
            valid_until: Some(200),
        };
        assert_eq!(
            CouponStatus::of(false, dates, 99),
            CouponStatus::NotYetValid
        );
        assert_eq!(CouponStatus::of(false, dates, 100), CouponStatus::Usable);
        assert_eq!(CouponStatus::of(false, dates, 200), CouponStatus::Expired);
        assert_eq!(CouponStatus::of(true, dates, 150), CouponStatus::Used);
        let held = Held {
            id: CouponId(1),
            terms: terms(CouponKind::Fixed, 1_000, None, 5_000),
            status: CouponStatus::Usable,
        };
        assert_eq!(
            held.discount_for(Won(4_999)),
            Err(Refusal::MinimumNotMet {
                min_order: Won(5_000)
            })
        );
        assert_eq!(held.discount_for(Won(5_000)), Ok(Won(1_000)));
    }

    #[test]
    fn campaigns_are_checked_field_by_field() {
        let ok = CampaignFields {
            name: Some("신규 가입 3,000원"),
            kind: Some("fixed"),
            value: Some("3000"),
            quantity: Some("100"),
            open: Some("true"),
            ..CampaignFields::default()
        };
        let input = CampaignInput::parse(ok).unwrap();
        assert_eq!(input.terms.value, 3_000);
        assert!(input.open);
        // A form's days and times are Seoul's; a day "until" runs to its end.
        let dated = CampaignInput::parse(CampaignFields {
            valid_from: Some("2026-12-24T09:00"),
            valid_until: Some("2026-12-25"),
            ..ok
        })
        .unwrap();
        assert_eq!(
            dated.validity.valid_from,
            crate::dates::parse_time_in_seoul("2026-12-24T09:00")
        );
        assert_eq!(
            dated.validity.valid_until,
            crate::dates::parse_day_in_seoul("2026-12-26")
        );
        let unix = CampaignInput::parse(CampaignFields {
            valid_from: Some("1796193420000"),
            ..ok
        })
        .unwrap();
        assert_eq!(unix.validity.valid_from, Some(1_796_193_420_000));
        for (fields, field) in [
            (CampaignFields { name: None, ..ok }, "name"),
            (
                CampaignFields {
                    kind: Some("gift"),
                    ..ok
                },
                "kind",
            ),
            (
                CampaignFields {
                    value: Some("0"),
                    ..ok
                },
                "value",
            ),
            (
                CampaignFields {
                    kind: Some("percent"),
                    value: Some("101"),
                    ..ok
                },
                "value",
            ),
            (
                CampaignFields {
                    max_discount: Some("500"),
                    ..ok
                },
                "max_discount",
            ),
            (
                CampaignFields {
                    quantity: Some("-1"),
                    ..ok
                },
                "quantity",
            ),
            (
                CampaignFields {
                    valid_from: Some("1800000000000"),
                    valid_until: Some("1700000000000"),
                    ..ok
                },
                "valid_until",
            ),
            (
                CampaignFields {
                    open: Some("maybe"),
                    ..ok
                },
                "open",
            ),
            (
                CampaignFields {
                    valid_from: Some("2026-02-30"),
                    ..ok
                },
                "valid_from",
            ),
            (
                CampaignFields {
                    valid_until: Some("soon"),
                    ..ok
                },
                "valid_until",
            ),
        ] {
            assert_eq!(
                CampaignInput::parse(fields).unwrap_err().field(),
                Some(field)
            );
        }
    }
}
