//! A shopper's address book (배송지 관리): up to [`MAX_ADDRESSES`]
//! addresses, one of them the default (the first one is). Checkout sends an
//! order to one of them and keeps a copy ([`ShippingAddress`]), so editing
//! or removing an address later never changes an order.

use crate::{
    error::{AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg(feature = "ssr")]
pub mod store;

/// At most this many addresses per shopper.
pub const MAX_ADDRESSES: usize = 20;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AddressId(pub i64);

impl fmt::Display for AddressId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl AddressId {
    /// The id a form or a JSON client sent; anything else is the 404 an
    /// unknown one gets.
    pub fn parse(raw: &str) -> AppResult<Self> {
        raw.trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Self)
            .ok_or_else(not_found)
    }
}

/// A Korean telephone number, kept as `010-1234-5678` (mobile), `02-123-4567`
/// (Seoul), `031-123-4567` (the other areas) or `070-1234-5678`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    Phone,
    crate::schema::text(
        r"^(01[016789]|02|03[1-3]|04[1-4]|05[1-5]|06[1-4]|070)-?[0-9]{3,4}-?[0-9]{4}$",
        "A Korean number, with or without hyphens: 010-1234-5678"
    )
);

/// Area codes besides Seoul's `02`, with mobile and internet telephony.
const PREFIXES: [&str; 23] = [
    "010", "011", "016", "017", "018", "019", "070", "031", "032", "033", "041", "042", "043",
    "044", "051", "052", "053", "054", "055", "061", "062", "063", "064",
];

impl Phone {
    /// With or without hyphens where Koreans write them (`010-1234-5678`,
    /// `01012345678`); kept with them.
    pub fn parse(raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        let digits: String = raw.chars().filter(|c| *c != '-').collect();
        let refused = || {
            AppError::invalid_field(
                ErrorCode::BadRequest,
                "phone",
                td_string!(Locale::current(), addresses.error_phone),
            )
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refused());
        }
        let (prefix, rest) = if digits.starts_with("02") {
            digits.split_at(2)
        } else if PREFIXES.iter().any(|p| digits.starts_with(p)) {
            digits.split_at(3)
        } else {
            return Err(refused());
        };
        // The exchange: 3 or 4 digits (4 for every new mobile number),
        // then the line's 4.
        let exchange = match rest.len() {
            7 => 3,
            8 => 4,
            _ => return Err(refused()),
        };
        if prefix == "010" && exchange != 4 {
            return Err(refused());
        }
        let (exchange, line) = rest.split_at(exchange);
        // Hyphens, when written, are where Koreans write them (each may be
        // left out).
        let written = [
            format!("{prefix}-{exchange}-{line}"),
            format!("{prefix}{exchange}-{line}"),
            format!("{prefix}-{exchange}{line}"),
            digits.clone(),
        ];
        if !written.iter().any(|w| w == raw) {
            return Err(refused());
        }
        Ok(Self(format!("{prefix}-{exchange}-{line}")))
    }

    /// A number as stored (normalised when it was written).
    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::error::deserialize_parsed(deserializer, Self::parse)
    }
}

/// A Korean postal code: the five digits in use since 2015.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PostalCode(String);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    PostalCode,
    crate::schema::text(r"^[0-9]{5}$", "The five-digit postal code (2015)")
);

impl PostalCode {
    pub fn parse(raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        if raw.len() == 5 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_string()))
        } else {
            Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                "postal_code",
                td_string!(Locale::current(), addresses.error_postal_code),
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

impl<'de> Deserialize<'de> for PostalCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::error::deserialize_parsed(deserializer, Self::parse)
    }
}

/// Where goods go: who receives them, how to reach them, the address and a
/// note for the courier. An order keeps one as it was.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingAddress {
    pub recipient: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub phone: Phone,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub postal_code: PostalCode,
    /// The street or lot address (기본 주소).
    pub address1: String,
    /// The flat, floor or building (상세 주소); may be empty.
    pub address2: String,
    /// A note for the courier (배송 메모); may be empty.
    pub memo: String,
}

impl ShippingAddress {
    pub const MAX_RECIPIENT: usize = 30;
    pub const MAX_ADDRESS1: usize = 200;
    pub const MAX_ADDRESS2: usize = 100;
    pub const MAX_MEMO: usize = 100;

    /// The fields as a form or a JSON client sent them, each held to its
    /// rule (400 naming the field).
    pub fn parse(
        recipient: &str,
        phone: &str,
        postal_code: &str,
        address1: &str,
        address2: Option<&str>,
        memo: Option<&str>,
    ) -> AppResult<Self> {
        use crate::text::field;
        Ok(Self {
            recipient: field("recipient", recipient, true, Self::MAX_RECIPIENT, false)?,
            phone: Phone::parse(phone)?,
            postal_code: PostalCode::parse(postal_code)?,
            address1: field("address1", address1, true, Self::MAX_ADDRESS1, false)?,
            address2: field(
                "address2",
                address2.unwrap_or_default(),
                false,
                Self::MAX_ADDRESS2,
                false,
            )?,
            memo: field(
                "memo",
                memo.unwrap_or_default(),
                false,
                Self::MAX_MEMO,
                false,
            )?,
        })
    }

    /// The address on one line: `(04524) 세종대로 110, 3층`.
    pub fn one_line(&self) -> String {
        match self.address2.is_empty() {
            true => format!("({}) {}", self.postal_code.as_str(), self.address1),
            false => format!(
                "({}) {}, {}",
                self.postal_code.as_str(),
                self.address1,
                self.address2
            ),
        }
    }
}

/// One address of my address book.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub address_id: AddressId,
    /// What I call it (집, 회사); may be empty.
    pub label: String,
    #[serde(flatten)]
    pub to: ShippingAddress,
    pub is_default: bool,
}

impl Address {
    pub const MAX_LABEL: usize = 20;
}

/// `GET /api/addresses`: mine, the default first.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressBook {
    pub items: Vec<Address>,
    /// How many one may keep.
    pub max: usize,
}

impl AddressBook {
    pub fn default_address(&self) -> Option<&Address> {
        self.items.iter().find(|a| a.is_default)
    }
}

pub fn not_found() -> AppError {
    AppError::new(
        ErrorCode::AddressNotFound,
        td_string!(Locale::current(), addresses.error_not_found),
    )
}

/// An address's fields as a form or a JSON client sends them (flattened
/// into the request: `recipient`, `phone`, … at its top level).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressForm {
    pub label: Option<String>,
    pub recipient: String,
    pub phone: String,
    pub postal_code: String,
    pub address1: String,
    pub address2: Option<String>,
    pub memo: Option<String>,
    /// A checkbox (`on`, `true`, `1`) or a JSON boolean sent as a form.
    pub is_default: Option<String>,
}

impl AddressForm {
    /// The label (0 to 20 characters), the address, each held to its rule,
    /// and whether it is to be the default.
    pub fn parse(&self) -> AppResult<(String, ShippingAddress, bool)> {
        let label = crate::text::field(
            "label",
            self.label.as_deref().unwrap_or_default(),
            false,
            Address::MAX_LABEL,
            false,
        )?;
        let to = ShippingAddress::parse(
            &self.recipient,
            &self.phone,
            &self.postal_code,
            &self.address1,
            self.address2.as_deref(),
            self.memo.as_deref(),
        )?;
        let make_default = matches!(
            self.is_default.as_deref().map(str::trim),
            Some("on" | "true" | "1")
        );
        Ok((label, to, make_default))
    }
}

/// Where a form posted without JS goes next (its `next`, else my addresses).
#[cfg(feature = "ssr")]
fn back(next: Option<&str>) {
    if crate::http_status::is_plain_form_post() {
        let to = next.map_or_else(|| PAGE.to_string(), |n| crate::url::safe_next(Some(n)));
        leptos_axum::redirect(&to);
    }
}

/// The address book's page.
pub const PAGE: &str = "/account/addresses";

/// `GET /api/addresses`: my addresses, the default first.
#[server(prefix = "/api", endpoint = "addresses", input = server_fn::codec::GetUrl)]
pub async fn list_addresses() -> Result<AddressBook, AppError> {
    let user = crate::identity::require_user().await?;
    store::book(&crate::db::db()?, user).await
}

/// `POST /api/addresses`: `label?`, `recipient`, `phone`, `postal_code`,
/// `address1`, `address2?`, `memo?`, `is_default?`. 201 with the address
/// (the first one is the default); 400 naming the field; 409
/// `TOO_MANY_ADDRESSES` past [`MAX_ADDRESSES`].
#[server(prefix = "/api", endpoint = "addresses")]
pub async fn add_address(
    #[server(flatten)] address: AddressForm,
    next: Option<String>,
) -> Result<Address, AppError> {
    let user = crate::identity::require_user().await?;
    let (label, to, make_default) = address.parse()?;
    let address = store::add(&crate::db::db()?, user, &label, &to, make_default).await?;
    crate::http_status::created();
    crate::flash::done(td_string!(Locale::current(), flash.address_added)).await;
    back(next.as_deref());
    Ok(address)
}

/// `POST /api/addresses/update`: `address_id` and every field as for a new
/// one; `is_default: true` makes it the default (a default stays one until
/// another is made the default). 404 `ADDRESS_NOT_FOUND` (anyone else's
/// too).
#[server(prefix = "/api", endpoint = "addresses/update")]
pub async fn update_address(
    address_id: String,
    #[server(flatten)] address: AddressForm,
) -> Result<Address, AppError> {
    let user = crate::identity::require_user().await?;
    let id = AddressId::parse(&address_id)?;
    let (label, to, make_default) = address.parse()?;
    let address = store::update(&crate::db::db()?, user, id, &label, &to, make_default).await?;
    crate::flash::done(td_string!(Locale::current(), flash.address_saved)).await;
    back(None);
    Ok(address)
}

/// `POST /api/addresses/default`: `address_id`, my default from now on.
#[server(prefix = "/api", endpoint = "addresses/default")]
pub async fn make_default_address(
    address_id: String,
    next: Option<String>,
) -> Result<AddressBook, AppError> {
    let user = crate::identity::require_user().await?;
    let id = AddressId::parse(&address_id)?;
    let db = crate::db::db()?;
    store::make_default(&db, user, id).await?;
    crate::flash::done(td_string!(Locale::current(), flash.address_default)).await;
    back(next.as_deref());
    store::book(&db, user).await
}

/// `POST /api/addresses/remove`: `address_id`. When it was the default,
/// the newest of the rest is. Orders sent there keep their copy.
#[server(prefix = "/api", endpoint = "addresses/remove")]
pub async fn remove_address(address_id: String) -> Result<AddressBook, AppError> {
    let user = crate::identity::require_user().await?;
    let id = AddressId::parse(&address_id)?;
    let db = crate::db::db()?;
    store::remove(&db, user, id).await?;
    crate::flash::done(td_string!(Locale::current(), flash.address_removed)).await;
    back(None);
    store::book(&db, user).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_korean_numbers_kept_with_hyphens() {
        for (raw, kept) in [
            ("010-1234-5678", "010-1234-5678"),
            ("01012345678", "010-1234-5678"),
            (" 010-9876-5432 ", "010-9876-5432"),
            ("011-123-4567", "011-123-4567"),
            ("0111234567", "011-123-4567"),
            ("02-123-4567", "02-123-4567"),
            ("0212345678", "02-1234-5678"),
            ("031-123-4567", "031-123-4567"),
            ("064-1234-5678", "064-1234-5678"),
            ("070-1234-5678", "070-1234-5678"),
            ("0101234-5678", "010-1234-5678"),
        ] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), kept, "{raw}");
        }
        for bad in [
            "",
            "010",
            "010-123-4567",
            "0101234567",
            "010-1234-56789",
            "01-1234-5678",
            "099-123-4567",
            "010 1234 5678",
            "010-12-345678",
            "0101-234-5678",
            "010--1234-5678",
            "-010-1234-5678",
            "+82-10-1234-5678",
            "010-1234-567８",
            "abc-defg-hijk",
        ] {
            let err = Phone::parse(bad).unwrap_err();
            assert_eq!(err.field(), Some("phone"), "{bad}");
        }
    }

    #[test]
    fn postal_codes_have_five_digits() {
        assert_eq!(PostalCode::parse("04524").unwrap().as_str(), "04524");
        for bad in ["", "0452", "045240", "04-524", "o4524", "４５２４５"] {
            assert_eq!(
                PostalCode::parse(bad).unwrap_err().field(),
                Some("postal_code"),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_address_names_the_field_it_refuses() {
        let ok = ShippingAddress::parse(
            "홍길동",
            "01012345678",
            "04524",
            "서울 중구 세종대로 110",
            Some("3층"),
            None,
        )
        .unwrap();
        assert_eq!(ok.one_line(), "(04524) 서울 중구 세종대로 110, 3층");
        let long = "가".repeat(31);
        for (fields, field) in [
            (["", "01012345678", "04524", "a", "", ""], "recipient"),
            (
                [long.as_str(), "01012345678", "04524", "a", "", ""],
                "recipient",
            ),
            (["a", "1234", "04524", "a", "", ""], "phone"),
            (["a", "01012345678", "4524", "a", "", ""], "postal_code"),
            (["a", "01012345678", "04524", " ", "", ""], "address1"),
            (
                ["a", "01012345678", "04524", "a", "b\u{0007}", ""],
                "address2",
            ),
            (["a", "01012345678", "04524", "a", "", "x\ny"], "memo"),
        ] {
            let [recipient, phone, postal, a1, a2, memo] = fields;
            let err = ShippingAddress::parse(recipient, phone, postal, a1, Some(a2), Some(memo))
                .unwrap_err();
            assert_eq!(err.field(), Some(field));
        }
    }
}
