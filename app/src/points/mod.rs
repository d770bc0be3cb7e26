//! Points: the balance, charging it, and the ledger of every charge, use,
//! refund and staff adjustment. One point is one won. The balance always
//! equals the ledger's sum.

use crate::{
    error::{deserialize_parsed, AppError, AppResult, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};

#[cfg(feature = "ssr")]
pub mod charging;
#[cfg(feature = "ssr")]
pub mod store;

/// The most a balance may hold.
pub const MAX_BALANCE: i64 = 10_000_000;

/// An amount to charge: a whole number of points within the limits of
/// how points are charged (`payments::ChargeLimits`: 1 to 1,000,000 demo
/// points, 1,000 to 2,000,000 won through a payment service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ChargeAmount(i64);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    ChargeAmount,
    crate::schema::integer(
        Some(ChargeAmount::MIN),
        Some(ChargeAmount::MAX),
        "Points to charge"
    )
);

impl<'de> Deserialize<'de> for ChargeAmount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_parsed(deserializer, Self::parse)
    }
}

impl ChargeAmount {
    /// The bounds of every setting (the schema's).
    pub const MIN: i64 = 1;
    pub const MAX: i64 = 2_000_000;
    /// The amounts the points page charges in one click.
    pub const QUICK: [Self; 3] = [Self(10_000), Self(50_000), Self(100_000)];

    /// Parses what a form or a JSON client sent: digits only, so `1.5`,
    /// `-3`, `1e3`, text and numbers past `i64` are all refused alike.
    pub fn parse(raw: &str) -> AppResult<Self> {
        Self::parse_within(raw, crate::payments::ChargeLimits::current())
    }

    pub fn parse_within(raw: &str, limits: crate::payments::ChargeLimits) -> AppResult<Self> {
        let raw = raw.trim();
        let amount = (!raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()))
            .then(|| raw.parse::<i64>().ok())
            .flatten()
            .filter(|a| (limits.min..=limits.max).contains(a));
        amount.map(Self).ok_or_else(|| {
            let locale = Locale::current();
            AppError::invalid_field(
                ErrorCode::InvalidAmount,
                "amount",
                td_string!(
                    locale,
                    errors.charge_range,
                    min = crate::money::Won(limits.min).grouped(),
                    max = crate::money::Won(limits.max).grouped()
                ),
            )
        })
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointBalance {
    pub user_id: UserId,
    pub points: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargeResult {
    pub user_id: UserId,
    pub points: i64,
    pub charged: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    Charge,
    Use,
    /// The points of a cancelled order, back.
    Refund,
    /// Changed by staff, with a reason.
    Adjustment,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 4] = [
        LedgerKind::Charge,
        LedgerKind::Use,
        LedgerKind::Refund,
        LedgerKind::Adjustment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Charge => "charge",
            LedgerKind::Use => "use",
            LedgerKind::Refund => "refund",
            LedgerKind::Adjustment => "adjustment",
        }
    }

    /// The kind as stored; an unknown value is `None`, never a guess.
    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == stored)
    }

    /// Whether the balance cap applies. It limits the points that come in
    /// (charges, staff adjustments); a refund gives back points already
    /// paid, in full, even when that takes the balance past the cap (the
    /// shopper may have charged up to it since ordering). A balance over
    /// the cap only refuses further charges until it is spent below.
    pub fn capped(self) -> bool {
        matches!(self, LedgerKind::Charge | LedgerKind::Adjustment)
    }
}

/// The longest reason staff give for changing a balance.
pub const MAX_REASON: usize = 200;

/// A staff change of a balance: a whole number of points, not zero, at
/// most 1,000,000 either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PointDelta(i64);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    PointDelta,
    crate::schema::integer(
        Some(-PointDelta::MAX),
        Some(PointDelta::MAX),
        "Points to add (negative to take away), not zero"
    )
);

impl PointDelta {
    pub const MAX: i64 = 1_000_000;

    pub fn parse(raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        let digits = raw.strip_prefix('-').unwrap_or(raw);
        let delta = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| raw.parse::<i64>().ok())
            .flatten()
            .filter(|d| *d != 0 && d.abs() <= Self::MAX);
        delta.map(Self).ok_or_else(|| {
            AppError::invalid_field(
                ErrorCode::InvalidAmount,
                "delta",
                td_string!(Locale::current(), errors.delta_range, max = Self::MAX),
            )
        })
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for PointDelta {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_parsed(deserializer, Self::parse)
    }
}

/// One row of the ledger: `amount` is positive for a charge or a refund,
/// negative for a use, either for an adjustment.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub kind: LedgerKind,
    pub amount: i64,
    pub balance_after: i64,
    pub order_id: Option<i64>,
    /// Unix milliseconds.
    pub at: i64,
    /// An adjustment's reason; empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerPage {
    pub items: Vec<LedgerEntry>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// `GET /api/points`
#[server(prefix = "/api", endpoint = "points", input = server_fn::codec::GetUrl)]
pub async fn get_points() -> Result<PointBalance, AppError> {
    let user_id = crate::identity::require_user().await?;
    let points = store::balance(&crate::db::db()?, user_id).await?;
    Ok(PointBalance { user_id, points })
}

/// What a charge says once it is done: the points charged and the
/// balance (the island's words, and a no-JS form's flash message).
pub fn charged_message(charged: i64, points: i64, locale: Locale) -> String {
    td_string!(
        locale,
        islands.charged,
        charged = crate::money::show_points(charged, locale),
        points = crate::money::show_points(points, locale)
    )
    .to_string()
}

/// A charge started at the payment service: the shopper pays at
/// `redirect_url` and comes back.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargeStarted {
    pub charge_id: crate::payments::ChargeId,
    /// `pending`.
    pub status: crate::payments::ChargeStatus,
    pub redirect_url: String,
}

/// What a charge answers: demo points at once, or a payment to make.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ChargeAnswer {
    Charged(ChargeResult),
    Started(ChargeStarted),
}

/// `POST /api/points/charge`: 400 `INVALID_AMOUNT`, 409
/// `POINT_LIMIT_EXCEEDED`. Demo points are added at once; through a
/// payment service a pending charge is started (`{charge_id, status,
/// redirect_url}`; a form is sent on to `redirect_url`), 503
/// `PAYMENT_UNAVAILABLE` when the service does not start it.
#[server(prefix = "/api", endpoint = "points/charge")]
pub async fn charge_points(amount: ChargeAmount) -> Result<ChargeAnswer, AppError> {
    use crate::payments::provider::Payments;
    let user_id = crate::identity::require_user().await?;
    let db = crate::db::db()?;
    let (service, public_url) = match Payments::current() {
        Payments::Demo => {
            let points = store::charge(&db, user_id, amount).await?;
            crate::flash::done(charged_message(amount.get(), points, Locale::current())).await;
            return Ok(ChargeAnswer::Charged(ChargeResult {
                user_id,
                points,
                charged: amount.get(),
            }));
        }
        Payments::Provider {
            service,
            public_url,
            ..
        } => (service, public_url),
    };
    let mobile = Payments::on_a_phone();
    let begun = charging::begin(
        &db,
        service.as_ref(),
        &public_url,
        user_id,
        amount.get(),
        mobile,
    )
    .await?;
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect(&begun.redirect_url);
        crate::http_status::set_response_status(303);
    }
    Ok(ChargeAnswer::Started(ChargeStarted {
        charge_id: begun.charge_id,
        status: crate::payments::ChargeStatus::Pending,
        redirect_url: begun.redirect_url,
    }))
}

/// `GET /api/points/charges`: my charges through a payment service,
/// newest first (the latest 50).
#[server(prefix = "/api", endpoint = "points/charges", input = server_fn::codec::GetUrl)]
pub async fn my_charges() -> Result<Vec<crate::payments::Charge>, AppError> {
    let user_id = crate::identity::require_user().await?;
    crate::payments::store::of_user(&crate::db::db()?, user_id, 50).await
}

/// `GET /api/points/charges/get?id=`: one of my charges; 404 `NOT_FOUND`
/// for anyone else's.
#[server(prefix = "/api", endpoint = "points/charges/get", input = server_fn::codec::GetUrl)]
pub async fn get_charge(id: String) -> Result<crate::payments::Charge, AppError> {
    let user_id = crate::identity::require_user().await?;
    let id = id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(crate::payments::flow::no_such_charge)?;
    match crate::payments::store::get(&crate::db::db()?, crate::payments::ChargeId(id)).await? {
        Some(charge) if charge.user_id == user_id => Ok(charge),
        _ => Err(crate::payments::flow::no_such_charge()),
    }
}

/// `GET /api/points/history?page&per_page`: newest first.
#[server(prefix = "/api", endpoint = "points/history", input = server_fn::codec::GetUrl)]
pub async fn point_history(
    page: Option<String>,
    per_page: Option<String>,
) -> Result<LedgerPage, AppError> {
    let user_id = crate::identity::require_user().await?;
    let paging = crate::paging::Paging::parse(page.as_deref(), per_page.as_deref(), 20)?;
    store::history(&crate::db::db()?, user_id, paging).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charge_amounts_are_whole_numbers_in_range() {
        use crate::payments::ChargeLimits;
        assert_eq!(ChargeAmount::parse("1").unwrap().get(), 1);
        assert_eq!(
            ChargeAmount::parse_within("2000000", ChargeLimits::PAID)
                .unwrap()
                .get(),
            2_000_000
        );
        for bad in ["999", "2000001", "0"] {
            assert!(
                ChargeAmount::parse_within(bad, ChargeLimits::PAID).is_err(),
                "{bad}"
            );
        }
        assert_eq!(ChargeAmount::parse(" 1000000 ").unwrap().get(), 1_000_000);
        for bad in [
            "0",
            "-1",
            "1.5",
            "1e3",
            "abc",
            "",
            "1000001",
            "99999999999999999999999",
            "+5",
            "0x10",
        ] {
            let err = ChargeAmount::parse(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidAmount, "{bad}");
            assert_eq!(err.field().unwrap(), "amount");
        }
    }
}
