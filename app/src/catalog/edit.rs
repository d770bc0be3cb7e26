//! What staff change in the catalog: a new product, its texts, its price,
//! on or off sale, its picture; and the catalog as staff see it (every
//! product, on sale or not, with its SKU, price history and movements).

use super::{ProductId, StockMovement};
use crate::{
    error::{deserialize_parsed, AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
    money::Won,
    paging::Paging,
};
use serde::{Deserialize, Deserializer, Serialize};

/// A product's stock-keeping unit: 1 to 40 of `A-Z a-z 0-9 - _`, unique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Sku(String);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    Sku,
    crate::schema::text(r"^[A-Za-z0-9_-]{1,40}$", "A product's stock-keeping unit")
);

impl<'de> Deserialize<'de> for Sku {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_parsed(deserializer, Self::parse)
    }
}

impl Sku {
    pub fn parse(raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        let good = (1..=40).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if good {
            Ok(Self(raw.to_string()))
        } else {
            Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                "sku",
                td_string!(Locale::current(), admin.error_sku),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A price staff can set: 1 to 100,000,000 won.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Price(Won);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    Price,
    crate::schema::integer(Some(Price::MIN), Some(Price::MAX), "A price in won")
);

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_parsed(deserializer, Self::parse)
    }
}

impl Price {
    pub const MIN: i64 = 1;
    pub const MAX: i64 = 100_000_000;

    pub fn parse(raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        (!raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()))
            .then(|| raw.parse::<i64>().ok())
            .flatten()
            .filter(|p| (Self::MIN..=Self::MAX).contains(p))
            .map(|p| Self(Won(p)))
            .ok_or_else(|| {
                AppError::invalid_field(
                    ErrorCode::InvalidAmount,
                    "price",
                    td_string!(Locale::current(), admin.error_price, max = Self::MAX),
                )
            })
    }

    pub fn won(self) -> Won {
        self.0
    }
}

/// The stock a new product starts with: 0 to 1,000,000.
pub const MAX_STARTING_STOCK: i64 = 1_000_000;

pub use crate::text::field as product_text;

/// The limits of a product's texts.
pub const MAX_NAME: usize = 100;
pub const MAX_BRAND: usize = 50;
pub const MAX_DESCRIPTION: usize = 2000;

/// A product as written by staff: Korean, and English if given (English
/// pages fall back to the Korean text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductTexts {
    pub name: String,
    pub description: String,
    pub name_en: Option<String>,
    pub description_en: Option<String>,
}

impl ProductTexts {
    /// The name events and error details carry: the English one if there
    /// is one, else the Korean (as the demo catalog's are English).
    pub fn base_name(&self) -> &str {
        self.name_en.as_deref().unwrap_or(&self.name)
    }

    pub fn base_description(&self) -> &str {
        match (&self.name_en, &self.description_en) {
            (Some(_), Some(en)) => en,
            _ => &self.description,
        }
    }
}

/// A new product, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    pub sku: Sku,
    pub brand: String,
    pub texts: ProductTexts,
    pub price: Price,
    pub stock: i64,
}

/// An optional text field: absent or empty is `None`.
fn optional(
    field: &str,
    raw: Option<&str>,
    max: usize,
    multiline: bool,
) -> AppResult<Option<String>> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => product_text(field, v, false, max, multiline).map(Some),
        None => Ok(None),
    }
}

impl NewProduct {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        sku: &str,
        name: &str,
        brand: &str,
        description: Option<&str>,
        price: &str,
        stock: &str,
        name_en: Option<&str>,
        description_en: Option<&str>,
    ) -> AppResult<Self> {
        let stock_raw = stock.trim();
        let stock = (!stock_raw.is_empty() && stock_raw.bytes().all(|b| b.is_ascii_digit()))
            .then(|| stock_raw.parse::<i64>().ok())
            .flatten()
            .filter(|s| (0..=MAX_STARTING_STOCK).contains(s))
            .ok_or_else(|| {
                AppError::invalid_field(
                    ErrorCode::BadRequest,
                    "stock",
                    td_string!(
                        Locale::current(),
                        admin.error_stock,
                        max = MAX_STARTING_STOCK
                    ),
                )
            })?;
        Ok(Self {
            sku: Sku::parse(sku)?,
            brand: product_text("brand", brand, true, MAX_BRAND, false)?,
            texts: ProductTexts {
                name: product_text("name", name, true, MAX_NAME, false)?,
                description: product_text(
                    "description",
                    description.unwrap_or_default(),
                    false,
                    MAX_DESCRIPTION,
                    true,
                )?,
                name_en: optional("name_en", name_en, MAX_NAME, false)?,
                description_en: optional("description_en", description_en, MAX_DESCRIPTION, true)?,
            },
            price: Price::parse(price)?,
            stock,
        })
    }
}

/// A text field a change may leave out, or send, even empty (which clears
/// an English text). A form's empty field is `Given("")`, not absent, as
/// `Option<String>` would read it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Given {
    #[default]
    Absent,
    Text(String),
}

impl Given {
    pub fn as_deref(&self) -> Option<&str> {
        match self {
            Given::Absent => None,
            Given::Text(text) => Some(text),
        }
    }
}

impl<'de> Deserialize<'de> for Given {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Given::Text)
    }
}

impl Serialize for Given {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_deref().serialize(serializer)
    }
}

/// Changes to a product's texts and brand: only what is given changes. An
/// English text sent empty is removed (the page falls back to Korean).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductChanges {
    pub name: Option<String>,
    pub brand: Option<String>,
    pub description: Option<String>,
    /// `Some(None)`: remove the English name.
    pub name_en: Option<Option<String>>,
    pub description_en: Option<Option<String>>,
}

impl ProductChanges {
    pub fn parse(
        name: Option<&str>,
        brand: Option<&str>,
        description: Option<&str>,
        name_en: Option<&str>,
        description_en: Option<&str>,
    ) -> AppResult<Self> {
        let changes = Self {
            name: name
                .map(|v| product_text("name", v, true, MAX_NAME, false))
                .transpose()?,
            brand: brand
                .map(|v| product_text("brand", v, true, MAX_BRAND, false))
                .transpose()?,
            description: description
                .map(|v| product_text("description", v, false, MAX_DESCRIPTION, true))
                .transpose()?,
            name_en: name_en
                .map(|v| optional("name_en", Some(v), MAX_NAME, false))
                .transpose()?,
            description_en: description_en
                .map(|v| optional("description_en", Some(v), MAX_DESCRIPTION, true))
                .transpose()?,
        };
        if changes == Self::default() {
            return Err(AppError::bad_request(td_string!(
                Locale::current(),
                admin.error_nothing_to_change
            )));
        }
        Ok(changes)
    }
}

/// A product as staff see it: on sale or not, with its SKU and its texts
/// in each language.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminProduct {
    pub id: ProductId,
    pub sku: String,
    /// The Korean name (what Korean pages show).
    pub name: String,
    pub name_en: Option<String>,
    pub brand: String,
    pub description: String,
    pub description_en: Option<String>,
    pub price: Won,
    pub stock: i64,
    pub on_sale: bool,
    /// Path of the picture under the site root.
    pub image: String,
    pub like_count: i64,
    /// Unix milliseconds.
    pub created_at: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminProductPage {
    pub items: Vec<AdminProduct>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// One change of a variant's price.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceChange {
    pub variant_id: super::VariantId,
    pub sku: String,
    pub from: Won,
    pub to: Won,
    /// The staff member's login id.
    pub by: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// A product with its options and variants, its price history and its
/// latest stock movements, newest first.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    #[serde(flatten)]
    pub product: AdminProduct,
    /// Its options (both languages, retired values too) and every variant
    /// in the options' order.
    pub options: Vec<super::variants::AdminOption>,
    pub variants: Vec<super::variants::AdminVariant>,
    pub price_history: Vec<PriceChange>,
    pub movements: Vec<StockMovement>,
    /// How many movements there are in all (`movements` holds the latest).
    pub movement_count: i64,
}

/// A validated admin listing request: every product, on sale or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminProductQuery {
    pub paging: Paging,
    /// A part of the name (any language) or the SKU.
    pub search: Option<String>,
    pub on_sale: Option<bool>,
}

impl AdminProductQuery {
    pub const PER_PAGE: u32 = 20;

    pub fn parse(
        page: Option<&str>,
        per_page: Option<&str>,
        q: Option<&str>,
        on_sale: Option<&str>,
    ) -> AppResult<Self> {
        let on_sale = match on_sale.map(str::trim).filter(|v| !v.is_empty()) {
            None | Some("all") => None,
            Some("true" | "1") => Some(true),
            Some("false" | "0") => Some(false),
            Some(_) => {
                return Err(AppError::invalid_field(
                    ErrorCode::BadRequest,
                    "on_sale",
                    td_string!(Locale::current(), admin.error_on_sale),
                ))
            }
        };
        Ok(Self {
            paging: Paging::parse(page, per_page, Self::PER_PAGE)?,
            search: optional("q", q, 100, false)?,
            on_sale,
        })
    }
}

/// `on_sale` as a form sends it (`true`/`false`, `1`/`0`, `on`/`off`).
pub fn parse_on_sale(raw: &str) -> AppResult<bool> {
    match raw.trim() {
        "true" | "1" | "on" => Ok(true),
        "false" | "0" | "off" => Ok(false),
        _ => Err(AppError::invalid_field(
            ErrorCode::BadRequest,
            "on_sale",
            td_string!(Locale::current(), admin.error_on_sale),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_and_prices_have_their_rules() {
        assert_eq!(Sku::parse(" TEE-01_b ").unwrap().as_str(), "TEE-01_b");
        for bad in ["", "a b", "../x", &"x".repeat(41), "티셔츠"] {
            assert_eq!(Sku::parse(bad).unwrap_err().field(), Some("sku"), "{bad}");
        }
        assert_eq!(Price::parse("1").unwrap().won(), Won(1));
        assert_eq!(Price::parse("100000000").unwrap().won(), Won(100_000_000));
        for bad in ["0", "100000001", "-5", "1.5", "", "1e3"] {
            assert_eq!(
                Price::parse(bad).unwrap_err().code,
                ErrorCode::InvalidAmount,
                "{bad}"
            );
        }
    }

    #[test]
    fn texts_are_trimmed_bounded_and_free_of_control_characters() {
        let new = NewProduct::parse(
            "S1",
            " 티셔츠 ",
            "Brand",
            Some("줄1\n줄2"),
            "1000",
            "0",
            Some(""),
            None,
        )
        .unwrap();
        assert_eq!(new.texts.name, "티셔츠");
        assert_eq!(new.texts.name_en, None);
        assert_eq!(new.texts.base_name(), "티셔츠");
        for (field, name, brand, description) in [
            ("name", "", "B", ""),
            ("name", "a\0b", "B", ""),
            ("brand", "N", "", ""),
            ("description", "N", "B", "\u{7}"),
        ] {
            let err = NewProduct::parse("S1", name, brand, Some(description), "1", "1", None, None)
                .unwrap_err();
            assert_eq!(
                err.field(),
                Some(field),
                "{name:?} {brand:?} {description:?}"
            );
        }
        let err = NewProduct::parse("S1", "N", "B", None, "1", "-1", None, None).unwrap_err();
        assert_eq!(err.field(), Some("stock"));
        assert!(ProductChanges::parse(None, None, None, None, None).is_err());
        let remove_en = ProductChanges::parse(None, None, None, Some(""), None).unwrap();
        assert_eq!(remove_en.name_en, Some(None));
    }
}
