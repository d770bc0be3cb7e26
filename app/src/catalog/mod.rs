//! The catalog: products, their listing (sort, filter, search, pages) and
//! the demo catalog a fresh database starts with.

use crate::{
    error::{deserialize_parsed, AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
    money::Won,
    paging::Paging,
};
use leptos::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};
use std::{fmt, str::FromStr};

pub mod edit;
#[cfg(feature = "ssr")]
pub mod manage;
#[cfg(feature = "ssr")]
pub mod options;
#[cfg(feature = "ssr")]
pub mod picture;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod seed;
mod stock;
#[cfg(feature = "ssr")]
pub mod store;
pub mod variants;

pub use stock::{
    sold_out_error, AdjustCause, Availability, MovementReason, Quantity, StockAdjusted, StockDelta,
    StockMovement,
};
pub use variants::{Choices, ProductWithVariants, Variant, VariantId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ProductId(pub i64);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    ProductId,
    crate::schema::integer(Some(1), None, "A product's id")
);

/// As a server function's argument it is the `product_id` field.
impl<'de> Deserialize<'de> for ProductId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_parsed(deserializer, |raw| Self::parse_field(raw, "product_id"))
    }
}

impl ProductId {
    /// Parses an id from a path or a query value; anything but a positive
    /// whole number is a bad request.
    pub fn parse(raw: &str) -> AppResult<Self> {
        Self::parse_field(raw, "id")
    }

    /// Like [`ProductId::parse`], naming `field` in the error.
    pub fn parse_field(raw: &str, field: &str) -> AppResult<Self> {
        match raw.trim().parse::<i64>() {
            Ok(id) if id > 0 => Ok(Self(id)),
            _ => Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                field,
                td_string!(Locale::current(), errors.product_id),
            )),
        }
    }
}

impl fmt::Display for ProductId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A product as shoppers and JSON clients see it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub brand: String,
    pub description: String,
    pub price: Won,
    pub stock: i64,
    pub like_count: i64,
    /// Whether the caller likes it (always false for a guest).
    pub liked: bool,
    /// Path of the picture under the site root.
    pub image: String,
    /// Whether it comes in options (sizes, colours): `price` is then the
    /// lowest, and a cart line names a variant.
    #[serde(default)]
    pub has_options: bool,
}

impl Product {
    pub fn sold_out(&self) -> bool {
        Availability::of(self.stock, Quantity::ONE) == Availability::SoldOut
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductPage {
    pub items: Vec<Product>,
    pub total: i64,
    /// The count stopped at its bound (`search::COUNT_BOUND`, 1,000): there
    /// are more.
    #[serde(default)]
    pub total_capped: bool,
    pub page: u32,
    pub per_page: u32,
}

impl ProductPage {
    pub fn page_count(&self) -> u32 {
        Paging::page_count(self.total, self.per_page)
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Latest,
    PriceAsc,
    PriceDesc,
    LikesDesc,
}

impl Sort {
    pub const ALL: [Sort; 4] = [
        Sort::Latest,
        Sort::PriceAsc,
        Sort::PriceDesc,
        Sort::LikesDesc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Latest => "latest",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
            Sort::LikesDesc => "likes_desc",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Sort::Latest => td_string!(locale, catalog.sort_latest),
            Sort::PriceAsc => td_string!(locale, catalog.sort_price_asc),
            Sort::PriceDesc => td_string!(locale, catalog.sort_price_desc),
            Sort::LikesDesc => td_string!(locale, catalog.sort_likes_desc),
        }
    }
}

impl FromStr for Sort {
    type Err = AppError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sort::ALL
            .into_iter()
            .find(|sort| sort.as_str() == s)
            .ok_or_else(|| {
                AppError::invalid_field(
                    ErrorCode::BadRequest,
                    "sort",
                    td_string!(Locale::current(), errors.sort),
                )
            })
    }
}

/// A validated product listing request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductQuery {
    pub paging: Paging,
    pub sort: Sort,
    pub brand: Option<String>,
    pub search: Option<String>,
}

impl ProductQuery {
    pub const DEFAULT_PER_PAGE: u32 = 12;
    const MAX_TEXT: usize = 100;

    /// Parses the raw query values; empty values count as absent.
    pub fn parse(
        page: Option<&str>,
        per_page: Option<&str>,
        sort: Option<&str>,
        brand: Option<&str>,
        search: Option<&str>,
    ) -> AppResult<Self> {
        fn present(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let text = |field: &str, raw: Option<&str>| match present(raw) {
            Some(v) if v.chars().count() > Self::MAX_TEXT => Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                field,
                td_string!(
                    Locale::current(),
                    errors.text_too_long,
                    field,
                    max = Self::MAX_TEXT
                ),
            )),
            Some(v) if v.chars().any(char::is_control) => Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                field,
                td_string!(Locale::current(), errors.text_control, field),
            )),
            other => Ok(other.map(str::to_string)),
        };
        Ok(Self {
            paging: Paging::parse(page, per_page, Self::DEFAULT_PER_PAGE)?,
            sort: present(sort)
                .map(str::parse)
                .transpose()?
                .unwrap_or_default(),
            brand: text("brand", brand)?,
            search: text("q", search)?,
        })
    }
}

/// `GET /api/products?page&per_page&sort&brand&q`
#[server(prefix = "/api", endpoint = "products", input = server_fn::codec::GetUrl)]
pub async fn list_products(
    page: Option<String>,
    per_page: Option<String>,
    sort: Option<String>,
    brand: Option<String>,
    q: Option<String>,
) -> Result<ProductPage, AppError> {
    let query = ProductQuery::parse(
        page.as_deref(),
        per_page.as_deref(),
        sort.as_deref(),
        brand.as_deref(),
        q.as_deref(),
    )?;
    let viewer = crate::identity::current_user_id().await?;
    store::list(&crate::db::db()?, &query, viewer, Locale::current()).await
}

/// `GET /api/products/get?id`: the product with its options and variants.
#[server(prefix = "/api", endpoint = "products/get", input = server_fn::codec::GetUrl)]
pub async fn get_product(id: String) -> Result<ProductWithVariants, AppError> {
    let id = ProductId::parse(&id)?;
    let viewer = crate::identity::current_user_id().await?;
    store::get_with_variants(&crate::db::db()?, id, viewer, Locale::current())
        .await?
        .ok_or_else(AppError::product_not_found)
}

/// How many brands the home page offers as filters: those with the most
/// products on sale (a catalog of 200 makers would bury the page in chips).
pub const HOME_BRANDS: u32 = 20;

/// `GET /api/brands?limit`: every brand on sale, for the filter; with
/// `limit` (1 to 100), the brands with the most products, in order of name.
#[server(prefix = "/api", endpoint = "brands", input = server_fn::codec::GetUrl)]
pub async fn list_brands(limit: Option<String>) -> Result<Vec<String>, AppError> {
    const MAX_BRANDS: u32 = 100;
    let limit = match limit.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(raw) => Some(crate::paging::number("limit", Some(raw), 1, MAX_BRANDS)?),
    };
    store::brands(&crate::db::db()?, limit).await
}

/// The brand chips of a listing: `top`, and the brand it is filtered by
/// when that one has products but is not among them, in order of name.
pub fn shown_brands(mut top: Vec<String>, filtered: Option<&str>, found: bool) -> Vec<String> {
    if let Some(brand) = filtered.filter(|_| found) {
        if let Err(at) = top.binary_search_by(|b| b.as_str().cmp(brand)) {
            top.insert(at, brand.to_string());
        }
    }
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(page: &str, per_page: &str, sort: &str) -> AppResult<ProductQuery> {
        ProductQuery::parse(Some(page), Some(per_page), Some(sort), None, None)
    }

    #[test]
    fn defaults_when_absent_or_empty() {
        let q = ProductQuery::parse(None, None, None, Some(" "), Some("")).unwrap();
        assert_eq!(
            q.paging,
            Paging {
                page: 1,
                per_page: ProductQuery::DEFAULT_PER_PAGE
            }
        );
        assert_eq!(q.sort, Sort::Latest);
        assert_eq!(q.brand, None);
        assert_eq!(q.search, None);
    }

    #[test]
    fn bad_numbers_and_sorts_are_bad_requests() {
        for (page, per_page, sort, field) in [
            ("0", "10", "latest", "page"),
            ("-1", "10", "latest", "page"),
            ("x", "10", "latest", "page"),
            ("1", "lots", "latest", "per_page"),
            ("1", "101", "latest", "per_page"),
            ("1", "10", "cheapest", "sort"),
        ] {
            let err = parse(page, per_page, sort).unwrap_err();
            assert_eq!(err.code, ErrorCode::BadRequest, "{page} {per_page} {sort}");
            assert_eq!(err.field().unwrap(), field);
        }
    }

    #[test]
    fn sorts_round_trip() {
        for sort in Sort::ALL {
            assert_eq!(sort.as_str().parse::<Sort>().unwrap(), sort);
        }
        let q = parse("3", "20", "price_desc").unwrap();
        assert_eq!(
            (q.paging.page, q.paging.per_page, q.sort),
            (3, 20, Sort::PriceDesc)
        );
        assert_eq!(q.paging.offset(), 40);
    }

    #[test]
    fn long_search_text_is_refused() {
        let long = "a".repeat(101);
        let err = ProductQuery::parse(None, None, None, None, Some(&long)).unwrap_err();
        assert_eq!(err.field().unwrap(), "q");
        let err = ProductQuery::parse(None, None, None, Some("So\0ra"), None).unwrap_err();
        assert_eq!(err.field().unwrap(), "brand");
    }

    #[test]
    fn product_ids_are_positive_numbers() {
        assert_eq!(ProductId::parse("42").unwrap(), ProductId(42));
        assert!(ProductId::parse("0").is_err());
        assert!(ProductId::parse("abc").is_err());
        assert!(ProductId::parse("-3").is_err());
    }

    #[test]
    fn the_filtered_brand_joins_the_chips_when_it_has_products() {
        let top = || vec!["Alpha".to_string(), "Gamma".to_string()];
        assert_eq!(
            shown_brands(top(), Some("Beta"), true),
            ["Alpha", "Beta", "Gamma"]
        );
        assert_eq!(shown_brands(top(), Some("Beta"), false), ["Alpha", "Gamma"]);
        assert_eq!(shown_brands(top(), Some("Gamma"), true), ["Alpha", "Gamma"]);
        assert_eq!(shown_brands(top(), None, true), ["Alpha", "Gamma"]);
    }

    #[test]
    fn page_count_rounds_up() {
        let page = ProductPage {
            items: vec![],
            total: 25,
            total_capped: false,
            page: 1,
            per_page: 12,
        };
        assert_eq!(page.page_count(), 3);
        let empty = ProductPage {
            items: vec![],
            total: 0,
            total_capped: false,
            page: 1,
            per_page: 12,
        };
        assert_eq!(empty.page_count(), 1);
    }
}
