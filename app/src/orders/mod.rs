//! Orders: placing one (checkout takes stock, spends points and writes the
//! order in one transaction), and reading my orders back. Checkout sits
//! above the catalog, points and cart, which it uses.

use crate::{
    catalog::{ProductId, Quantity},
    error::{AppError, AppResult, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
    money::Won,
    paging::Paging,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg(feature = "ssr")]
pub mod checkout;
#[cfg(feature = "ssr")]
pub mod idempotency;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(pub i64);

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// At most this many lines in one order.
pub const MAX_ORDER_LINES: usize = 100;

/// How long a key's answer is kept (and the key stays taken): 24 hours.
pub const IDEMPOTENCY_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// The client's name for one attempt to order: 8 to 100 of
/// `[A-Za-z0-9_-]` (a UUID fits). Keys belong to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    IdempotencyKey,
    crate::schema::text(
        r"^[A-Za-z0-9_-]{8,100}$",
        "One attempt to order, e.g. a UUID"
    )
);

impl IdempotencyKey {
    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 100;

    pub fn parse(raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        let valid = (Self::MIN_LEN..=Self::MAX_LEN).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(raw.to_string()))
        } else {
            Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                "idempotency_key",
                td_string!(
                    Locale::current(),
                    errors.idempotency_key,
                    min = Self::MIN_LEN,
                    max = Self::MAX_LEN
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for IdempotencyKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::error::deserialize_parsed(deserializer, Self::parse)
    }
}

/// One line a client asks for; `price` is what the client was shown, and
/// when it differs from today's price nothing is ordered (409).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRequest {
    pub product_id: ProductId,
    pub quantity: Quantity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Won>,
}

/// What to order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRequest {
    /// These lines; the cart is left as it is.
    Items(Vec<LineRequest>),
    /// Everything in my cart, which is emptied. With `seen` (the lines the
    /// checkout page showed, with their prices) the cart must still hold
    /// exactly those (else 409 `CART_CHANGED`) and the prices are checked.
    FromCart { seen: Option<Vec<LineRequest>> },
}

impl OrderRequest {
    /// `items`, `from_cart: true`, or both (the cart as it was seen); 1 to
    /// 100 lines, each product once (a product listed twice is refused,
    /// not merged).
    pub fn parse(items: Option<Vec<LineRequest>>, from_cart: Option<bool>) -> AppResult<Self> {
        let from_cart = from_cart.unwrap_or(false);
        let Some(items) = items else {
            return if from_cart {
                Ok(Self::FromCart { seen: None })
            } else {
                Err(AppError::invalid_field(
                    ErrorCode::BadRequest,
                    "items",
                    td_string!(Locale::current(), errors.what_to_order),
                ))
            };
        };
        let items_field =
            |message: String| AppError::invalid_field(ErrorCode::BadRequest, "items", message);
        if items.is_empty() || items.len() > MAX_ORDER_LINES {
            return Err(items_field(
                td_string!(Locale::current(), errors.order_lines, max = MAX_ORDER_LINES)
                    .to_string(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = items.iter().find(|l| !seen.insert(l.product_id)) {
            return Err(items_field(
                td_string!(
                    Locale::current(),
                    errors.listed_twice,
                    product = twice.product_id
                )
                .to_string(),
            ));
        }
        Ok(if from_cart {
            Self::FromCart { seen: Some(items) }
        } else {
            Self::Items(items)
        })
    }

    /// What the request asked for, the same whatever the order of its
    /// lines: an idempotency key is bound to it.
    pub fn fingerprint(&self) -> String {
        let lines = |items: &[LineRequest]| {
            let mut lines: Vec<String> = items
                .iter()
                .map(|l| {
                    let price = l.price.map(|p| p.get().to_string()).unwrap_or_default();
                    format!("{}x{}@{}", l.product_id, l.quantity.get(), price)
                })
                .collect();
            lines.sort();
            lines.join(",")
        };
        match self {
            Self::Items(items) => format!("items:{}", lines(items)),
            Self::FromCart { seen: None } => "from_cart".to_string(),
            Self::FromCart { seen: Some(items) } => format!("from_cart:{}", lines(items)),
        }
    }
}

/// One line of an order, with the name and price it was sold at.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub product_id: ProductId,
    pub name: String,
    pub unit_price: Won,
    pub quantity: Quantity,
}

impl OrderLine {
    pub fn line_total(&self) -> Won {
        Won(self.unit_price.get() * self.quantity.get())
    }
}

/// The answer to placing an order (201).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedOrder {
    pub order_id: OrderId,
    pub total: Won,
    pub points_left: i64,
    pub items: Vec<OrderLine>,
    /// Unix milliseconds.
    pub ordered_at: i64,
}

/// One of my orders, as listed.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub order_id: OrderId,
    pub total: Won,
    /// Items, counting quantities.
    pub item_count: i64,
    /// The first line's product name, to recognise the order by.
    pub first_item: String,
    pub ordered_at: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPage {
    pub items: Vec<OrderSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl OrderPage {
    pub fn page_count(&self) -> u32 {
        Paging::page_count(self.total, self.per_page)
    }
}

/// One order in full: its lines at the prices paid, and the points spent.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub order_id: OrderId,
    pub user_id: UserId,
    pub total: Won,
    pub points_spent: i64,
    pub items: Vec<OrderLine>,
    pub ordered_at: i64,
}

/// What the checkout page shows before the shopper places the order.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutSummary {
    pub cart: crate::cart::Cart,
    pub points: i64,
    /// A fresh key for this page's order button.
    pub idempotency_key: String,
}

/// `POST /api/orders/place`: `idempotency_key` and either `items` or
/// `from_cart: true`. 201 with the order; 404 `PRODUCT_NOT_FOUND`; 409
/// `INSUFFICIENT_STOCK`, `INSUFFICIENT_POINTS`, `PRICE_CHANGED` (every
/// problem listed in `details.problems`), `REQUEST_IN_PROGRESS`; 422
/// `IDEMPOTENCY_KEY_REUSED`.
#[server(prefix = "/api", endpoint = "orders/place")]
pub async fn place_order(
    idempotency_key: IdempotencyKey,
    items: Option<Vec<LineRequest>>,
    from_cart: Option<bool>,
) -> Result<PlacedOrder, AppError> {
    let user_id = crate::identity::require_user().await?;
    let request = OrderRequest::parse(items, from_cart)?;
    let db = crate::db::db()?;
    let placed = checkout::place_order(&db, user_id, &idempotency_key, &request).await?;
    // The order's event is in the outbox: send it now rather than at the next poll.
    if let Some(wakeup) = use_context::<crate::platform::dispatcher::Wakeup>() {
        wakeup.wake();
    }
    crate::http_status::created();
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect(&format!("/orders/{}", placed.order_id));
    }
    Ok(placed)
}

/// `GET /api/orders?page&per_page`: my orders, newest first.
#[server(prefix = "/api", endpoint = "orders", input = server_fn::codec::GetUrl)]
pub async fn list_orders(
    page: Option<String>,
    per_page: Option<String>,
) -> Result<OrderPage, AppError> {
    let user_id = crate::identity::require_user().await?;
    let paging = Paging::parse(page.as_deref(), per_page.as_deref(), 10)?;
    store::list(&crate::db::db()?, user_id, paging, Locale::current()).await
}

/// `GET /api/orders/get?id`: one of my orders; anyone else's is 404.
#[server(prefix = "/api", endpoint = "orders/get", input = server_fn::codec::GetUrl)]
pub async fn get_order(id: String) -> Result<OrderDetail, AppError> {
    let user_id = crate::identity::require_user().await?;
    let not_found = || {
        AppError::new(
            ErrorCode::OrderNotFound,
            td_string!(Locale::current(), errors.no_such_order),
        )
    };
    let id = id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(not_found)?;
    store::get(&crate::db::db()?, user_id, OrderId(id), Locale::current())
        .await?
        .ok_or_else(not_found)
}

/// `GET /api/checkout`: my cart against my balance, with a fresh key.
#[server(prefix = "/api", endpoint = "checkout", input = server_fn::codec::GetUrl)]
pub async fn checkout_view() -> Result<CheckoutSummary, AppError> {
    let user_id = crate::identity::require_user().await?;
    let db = crate::db::db()?;
    let cart = crate::cart::store::CartOwner::User(user_id)
        .cart(&db)
        .await?;
    let points = crate::points::store::balance(&db, user_id).await?;
    Ok(CheckoutSummary {
        cart,
        points,
        idempotency_key: idempotency::new_key(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: i64, quantity: i64) -> LineRequest {
        LineRequest {
            product_id: ProductId(id),
            quantity: Quantity::new(quantity).unwrap(),
            price: None,
        }
    }

    #[test]
    fn keys_are_short_plain_tokens() {
        assert!(IdempotencyKey::parse("0b9f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b").is_ok());
        for bad in [
            "",
            "short",
            "has space here",
            "ünïcode-key",
            &"k".repeat(101),
        ] {
            let err = IdempotencyKey::parse(bad).unwrap_err();
            assert_eq!(err.field().unwrap(), "idempotency_key", "{bad}");
        }
    }

    #[test]
    fn a_request_is_items_or_the_cart() {
        assert_eq!(
            OrderRequest::parse(None, Some(true)).unwrap(),
            OrderRequest::FromCart { seen: None }
        );
        assert!(OrderRequest::parse(None, None).is_err());
        assert!(OrderRequest::parse(None, Some(false)).is_err());
        assert_eq!(
            OrderRequest::parse(Some(vec![line(1, 1)]), Some(true)).unwrap(),
            OrderRequest::FromCart {
                seen: Some(vec![line(1, 1)])
            }
        );
        assert!(OrderRequest::parse(Some(vec![]), None).is_err());
        let many = (1..=101).map(|i| line(i, 1)).collect();
        assert!(OrderRequest::parse(Some(many), None).is_err());
        let twice = OrderRequest::parse(Some(vec![line(1, 1), line(1, 2)]), None).unwrap_err();
        assert_eq!(twice.field().unwrap(), "items");
    }

    #[test]
    fn fingerprints_ignore_line_order() {
        let a = OrderRequest::Items(vec![line(1, 2), line(3, 1)]);
        let b = OrderRequest::Items(vec![line(3, 1), line(1, 2)]);
        let c = OrderRequest::Items(vec![line(1, 3), line(3, 1)]);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        let cart = OrderRequest::FromCart { seen: None };
        assert_ne!(a.fingerprint(), cart.fingerprint());
    }
}
