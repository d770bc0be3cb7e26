//! Orders: placing one (checkout takes stock, spends points and writes the
//! order in one transaction), reading my orders back, and an order's life
//! after that (fulfilled by staff, or cancelled by its shopper or staff,
//! which gives the stock and the points back in one transaction). Checkout
//! and the lifecycle sit above the catalog, points and cart, which they use.

use crate::{
    addresses::{Address, AddressId, ShippingAddress},
    catalog::{ProductId, Quantity, VariantId},
    coupons::CouponId,
    error::{AppError, AppResult, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
    money::Won,
    paging::Paging,
    shipping::Shipment,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg(feature = "ssr")]
pub mod checkout;
#[cfg(feature = "ssr")]
pub mod idempotency;
#[cfg(feature = "ssr")]
pub mod lifecycle;
#[cfg(feature = "ssr")]
pub mod paying;
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
    /// Which of the product's variants; a product without options may
    /// leave it out (400 `VARIANT_REQUIRED` for one with options).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<VariantId>,
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
    /// 100 lines, each variant once (a variant listed twice is refused,
    /// not merged; two sizes of one shoe are two lines).
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
        if let Some(twice) = items
            .iter()
            .find(|l| !seen.insert((l.product_id, l.variant_id)))
        {
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
                    let variant = l.variant_id.map(|v| format!("/{v}")).unwrap_or_default();
                    format!("{}{variant}x{}@{}", l.product_id, l.quantity.get(), price)
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

/// Where an order is: `placed` (paid), then `shipped` and `delivered`, or
/// `cancelled` before it ships. An order paid partly through a payment
/// service is first `awaiting_payment`, holding its stock, points and
/// coupon, and then `placed`, `cancelled` (given up, or declined) or
/// `expired` (never paid in time). Neither `delivered`, `cancelled` nor
/// `expired` changes.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    AwaitingPayment,
    #[default]
    Placed,
    /// Answers stored before shipments said `fulfilled`.
    #[serde(alias = "fulfilled")]
    Shipped,
    Delivered,
    Cancelled,
    Expired,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::AwaitingPayment,
        OrderStatus::Placed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Placed => "placed",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
        }
    }

    /// The status as stored; an unknown value is `None`, never a guess.
    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == stored)
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => td_string!(locale, orders.status_awaiting_payment),
            OrderStatus::Placed => td_string!(locale, orders.status_placed),
            OrderStatus::Shipped => td_string!(locale, orders.status_shipped),
            OrderStatus::Delivered => td_string!(locale, orders.status_delivered),
            OrderStatus::Cancelled => td_string!(locale, orders.status_cancelled),
            OrderStatus::Expired => td_string!(locale, orders.status_expired),
        }
    }
}

impl std::str::FromStr for OrderStatus {
    type Err = AppError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_stored(s.trim()).ok_or_else(|| {
            AppError::invalid_field(
                ErrorCode::BadRequest,
                "status",
                td_string!(Locale::current(), errors.order_status),
            )
        })
    }
}

/// An order's status as every answer carries it: when it is not `placed`,
/// also when it changed, who changed it (`shopper`, or the staff member's
/// login id) and why (a cancel's reason, a fulfilment's note).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderState {
    /// Answers stored before orders had a status were all `placed`.
    #[serde(default)]
    pub status: OrderStatus,
    /// Unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Who moves an order on. A shopper may only cancel their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Shopper(UserId),
    Staff(UserId),
}

impl Actor {
    pub fn user(self) -> UserId {
        match self {
            Actor::Shopper(user) | Actor::Staff(user) => user,
        }
    }
}

/// The longest cancel reason.
pub const MAX_REASON: usize = 200;

/// One line of an order, with the name and price it was sold at.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub product_id: ProductId,
    pub variant_id: VariantId,
    /// The variant's SKU and its options ("Size 270 / Colour Black"; empty
    /// without options) as they were ordered.
    pub sku: String,
    pub name: String,
    pub label: String,
    pub unit_price: Won,
    pub quantity: Quantity,
}

impl OrderLine {
    pub fn line_total(&self) -> Won {
        Won(self.unit_price.get() * self.quantity.get())
    }
}

/// What an order came to: its lines' `subtotal`, the coupon's `discount`,
/// the `shipping_fee` and `total`, what was paid (`subtotal - discount +
/// shipping_fee`, in points and through the payment service).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub total: Won,
    pub subtotal: Won,
    pub discount: Won,
    /// The coupon that gave the discount.
    pub coupon_id: Option<CouponId>,
    /// What delivery cost (0 from the free-shipping threshold on, and for
    /// orders placed before the shop charged for it).
    pub shipping_fee: Won,
}

/// Answers stored before coupons (the idempotency store keeps them for a
/// day) carry only `total`: they paid their subtotal; before shipping fees,
/// no fee.
impl<'de> Deserialize<'de> for Payment {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Stored {
            total: Won,
            subtotal: Option<Won>,
            #[serde(default)]
            discount: Won,
            #[serde(default)]
            coupon_id: Option<CouponId>,
            #[serde(default)]
            shipping_fee: Won,
        }
        let stored = Stored::deserialize(deserializer)?;
        Ok(Self {
            total: stored.total,
            subtotal: stored.subtotal.unwrap_or(stored.total),
            discount: stored.discount,
            coupon_id: stored.coupon_id,
            shipping_fee: stored.shipping_fee,
        })
    }
}

/// The answer to placing an order (201).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedOrder {
    pub order_id: OrderId,
    #[serde(flatten)]
    pub payment: Payment,
    /// Points spent on it (answers from before this field spent `total`).
    #[serde(default)]
    pub points_used: i64,
    /// Won left to pay through the payment service (`awaiting_payment`).
    #[serde(default)]
    pub to_pay: i64,
    /// `awaiting_payment`: where the shopper pays the rest (the payment
    /// service's page; the order's page when it could not be started).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// `awaiting_payment`: until when (unix ms) the order holds its stock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_by: Option<i64>,
    pub points_left: i64,
    pub items: Vec<OrderLine>,
    /// Where it goes (answers stored before addresses have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<ShippingAddress>,
    /// Unix milliseconds.
    pub ordered_at: i64,
    #[serde(flatten)]
    pub state: OrderState,
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
    #[serde(flatten)]
    pub state: OrderState,
    /// Won paid through the payment service (the rest in points).
    #[serde(default)]
    pub paid_by_service: i64,
}

impl OrderSummary {
    /// What the order holds, in a few words: its first item, and how many
    /// more.
    pub fn what(&self, locale: Locale) -> String {
        match self.item_count {
            1 => self.first_item.clone(),
            n => td_string!(
                locale,
                orders.first_and_more,
                first = &self.first_item,
                more = n - 1
            )
            .to_string(),
        }
    }
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
    #[serde(flatten)]
    pub payment: Payment,
    pub points_spent: i64,
    pub items: Vec<OrderLine>,
    pub ordered_at: i64,
    #[serde(flatten)]
    pub state: OrderState,
    /// The part paid through the payment service, once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_with: Option<ServicePayment>,
    /// `awaiting_payment`: until when (unix ms) it may be paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_by: Option<i64>,
    /// Where it goes, as it was when ordered (none for orders placed
    /// before the shop asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<ShippingAddress>,
    /// Its parcel, once shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment: Option<Shipment>,
}

/// The part of an order paid through a payment service.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePayment {
    /// `kakaopay`.
    pub provider: String,
    /// The service's id of the payment (KakaoPay's `tid`).
    pub reference: Option<String>,
    /// Won.
    pub amount: i64,
    /// `paid`; `refunding` or `refunded` once the order was cancelled.
    pub status: crate::payments::ChargeStatus,
    /// Unix milliseconds.
    pub approved_at: Option<i64>,
}

impl OrderDetail {
    /// Won still to pay through the payment service while it awaits it.
    pub fn to_pay(&self) -> i64 {
        match self.state.status {
            OrderStatus::AwaitingPayment => self.payment.total.get() - self.points_spent,
            _ => 0,
        }
    }
}

/// The answer to a cancel: the order, cancelled, and the points given back.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelledOrder {
    #[serde(flatten)]
    pub order: OrderDetail,
    pub refunded: i64,
    /// Won the payment service gives back (its part of a paid order).
    #[serde(default)]
    pub refunded_by_service: i64,
    /// The order's coupon is usable again (it was still within its dates).
    #[serde(default)]
    pub coupon_returned: bool,
}

/// One order in the staff's list: whose it is, too.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOrderSummary {
    #[serde(flatten)]
    pub order: OrderSummary,
    pub user_id: UserId,
    pub login_id: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOrderPage {
    pub items: Vec<AdminOrderSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl AdminOrderPage {
    pub fn page_count(&self) -> u32 {
        Paging::page_count(self.total, self.per_page)
    }
}

/// One step of an order's life.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    pub status: OrderStatus,
    /// Unix milliseconds.
    pub at: i64,
    /// `shopper`, or the staff member's login id.
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One order as staff see it: its customer and its status history.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOrder {
    #[serde(flatten)]
    pub order: OrderDetail,
    pub login_id: String,
    pub history: Vec<StatusEntry>,
}

/// A validated request for the staff's order list: newest first, by
/// status, a range of days in Seoul (`from` to `to`, both included),
/// customer and product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminOrderQuery {
    pub paging: Paging,
    pub status: Option<OrderStatus>,
    /// Unix milliseconds, included.
    pub from: Option<i64>,
    /// Unix milliseconds, excluded (the end of the `to` day).
    pub to: Option<i64>,
    pub user_id: Option<UserId>,
    pub product_id: Option<ProductId>,
}

impl AdminOrderQuery {
    pub const PER_PAGE: u32 = 30;

    pub fn parse(
        page: Option<&str>,
        per_page: Option<&str>,
        status: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        user_id: Option<&str>,
        product_id: Option<&str>,
    ) -> AppResult<Self> {
        fn present(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let day = |field: &str, raw: Option<&str>| -> AppResult<Option<i64>> {
            present(raw)
                .map(|raw| {
                    crate::dates::parse_day_in_seoul(raw).ok_or_else(|| {
                        AppError::invalid_field(
                            ErrorCode::BadRequest,
                            field,
                            td_string!(Locale::current(), errors.day_format),
                        )
                    })
                })
                .transpose()
        };
        let id = |field: &str, raw: Option<&str>| -> AppResult<Option<i64>> {
            present(raw)
                .map(|raw| {
                    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                        AppError::invalid_field(
                            ErrorCode::BadRequest,
                            field,
                            td_string!(Locale::current(), errors.id_format),
                        )
                    })
                })
                .transpose()
        };
        Ok(Self {
            paging: Paging::parse(page, per_page, Self::PER_PAGE)?,
            status: present(status).map(str::parse).transpose()?,
            from: day("from", from)?,
            to: day("to", to)?.map(|start| start + 24 * 60 * 60 * 1000),
            user_id: id("user_id", user_id)?.map(UserId),
            product_id: id("product_id", product_id)?.map(ProductId),
        })
    }
}

/// What the checkout page shows before the shopper places the order.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutSummary {
    pub cart: crate::cart::Cart,
    pub points: i64,
    /// A fresh key for this page's order button.
    pub idempotency_key: String,
    /// My usable coupons, each with what it takes off this cart.
    pub coupons: Vec<CouponChoice>,
    /// The coupon asked for, when it can pay for this cart.
    pub coupon_id: Option<CouponId>,
    /// What it takes off the cart's total.
    pub discount: Won,
    /// What delivery costs this cart (after the coupon).
    pub shipping_fee: Won,
    /// From what (after the coupon) delivery is free.
    pub free_shipping_from: Won,
    /// What the order would cost: the cart's total less the discount, plus
    /// the shipping fee.
    pub to_pay: Won,
    /// My addresses, the default first.
    pub addresses: Vec<Address>,
    /// The address the order goes to: the one asked for, else my default.
    pub address_id: Option<AddressId>,
    /// The payment service that can pay what points do not (`kakaopay`);
    /// absent: the order is paid in points alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest_paid_with: Option<String>,
}

/// One of my usable coupons against the cart at checkout.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponChoice {
    pub coupon_id: CouponId,
    pub name: String,
    pub terms: crate::coupons::Terms,
    /// What it takes off this cart; absent when the cart's total does not
    /// reach its minimum.
    pub discount: Option<Won>,
}

/// `POST /api/orders/place`: `idempotency_key`, `address_id` (one of mine:
/// where it goes) and either `items` or `from_cart: true`, `coupon_id`
/// (one of mine; empty for none) and `points` (how many to spend, 0 to the
/// total; empty or absent: all of it). The total adds the shipping fee
/// below the free-shipping threshold. 201 with the order: `placed`, or
/// `awaiting_payment` with `redirect_url` where the rest is paid (a form
/// is sent there, 303); 400 `points`, `ADDRESS_REQUIRED`; 404
/// `PRODUCT_NOT_FOUND`, `ADDRESS_NOT_FOUND`; 409 `INSUFFICIENT_STOCK`,
/// `INSUFFICIENT_POINTS` (also the rest without a payment service),
/// `PRICE_CHANGED`, `COUPON_NOT_USABLE`, `COUPON_MINIMUM_NOT_MET` (every
/// problem listed in `details.problems`), `REQUEST_IN_PROGRESS`; 422
/// `IDEMPOTENCY_KEY_REUSED`.
#[server(prefix = "/api", endpoint = "orders/place")]
pub async fn place_order(
    idempotency_key: IdempotencyKey,
    items: Option<Vec<LineRequest>>,
    from_cart: Option<bool>,
    coupon_id: Option<String>,
    points: Option<String>,
    address_id: Option<String>,
) -> Result<PlacedOrder, AppError> {
    let user_id = crate::identity::require_user().await?;
    let request = OrderRequest::parse(items, from_cart)?;
    let choices = OrderChoices {
        address: parse_address_choice(address_id.as_deref())?,
        coupon: parse_coupon_choice(coupon_id.as_deref())?,
        points: parse_points(points.as_deref())?,
    };
    let db = crate::db::db()?;
    let payments = crate::payments::provider::Payments::current();
    let placed = checkout::place_order(
        &db,
        user_id,
        &idempotency_key,
        &request,
        &choices,
        &payments,
        crate::shipping::ShippingRates::current(),
    )
    .await?;
    // The order's event is in the outbox: send it now rather than at the next poll.
    if let Some(wakeup) = use_context::<crate::platform::dispatcher::Wakeup>() {
        wakeup.wake();
    }
    crate::http_status::created();
    match &placed.redirect_url {
        Some(url) => {
            if crate::http_status::is_plain_form_post() {
                leptos_axum::redirect(url);
                crate::http_status::set_response_status(303);
            }
        }
        None => {
            crate::flash::done(td_string!(Locale::current(), flash.order_placed)).await;
            if crate::http_status::is_plain_form_post() {
                leptos_axum::redirect(&format!("/orders/{}", placed.order_id));
            }
        }
    }
    Ok(placed)
}

/// What the shopper chose at checkout besides the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderChoices {
    /// Where it goes: one of my addresses.
    pub address: AddressId,
    pub coupon: Option<CouponId>,
    /// Points to spend; `None`: the whole total.
    pub points: Option<i64>,
}

/// The address an order goes to: required (400 `ADDRESS_REQUIRED`).
pub fn parse_address_choice(raw: Option<&str>) -> AppResult<AddressId> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        Some(raw) => AddressId::parse(raw),
        None => Err(AppError::invalid_field(
            ErrorCode::AddressRequired,
            "address_id",
            td_string!(Locale::current(), errors.address_required),
        )),
    }
}

/// Points a checkout form or a JSON client chose to spend: all of the
/// total when absent or empty; else a whole number, at least 0.
pub fn parse_points(raw: Option<&str>) -> AppResult<Option<i64>> {
    let Some(raw) = raw.map(str::trim).filter(|raw| !raw.is_empty()) else {
        return Ok(None);
    };
    raw.replace(',', "")
        .parse::<i64>()
        .ok()
        .filter(|points| *points >= 0)
        .map(Some)
        .ok_or_else(|| {
            AppError::invalid_field(
                ErrorCode::BadRequest,
                "points",
                td_string!(Locale::current(), errors.points_whole_number),
            )
        })
}

/// Where the shopper goes to pay an order's rest.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRedirect {
    pub order_id: OrderId,
    pub redirect_url: String,
}

/// `POST /api/orders/pay`: `order_id`. A fresh payment of the rest of my
/// order while it awaits it (the one started before can no longer be
/// paid): where to pay (a form is sent there, 303). 404 not mine; 409
/// `ORDER_NOT_PAYABLE` (`details.status`; or its payment is being
/// confirmed); 503 `PAYMENT_UNAVAILABLE`.
#[server(prefix = "/api", endpoint = "orders/pay")]
pub async fn pay_order(order_id: OrderId) -> Result<PaymentRedirect, AppError> {
    let user_id = crate::identity::require_user().await?;
    let db = crate::db::db()?;
    let payments = crate::payments::provider::Payments::current();
    let redirect_url = paying::pay_again(&db, &payments, user_id, order_id).await?;
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect(&redirect_url);
        crate::http_status::set_response_status(303);
    }
    Ok(PaymentRedirect {
        order_id,
        redirect_url,
    })
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
    let id = parse_order_id(&id)?;
    store::get(&crate::db::db()?, Some(user_id), id, Locale::current())
        .await?
        .ok_or_else(order_not_found)
}

/// The coupon a checkout form or a JSON client chose: none when absent or
/// empty (the form's "no coupon").
pub fn parse_coupon_choice(raw: Option<&str>) -> AppResult<Option<CouponId>> {
    raw.map(str::trim)
        .filter(|raw| !raw.is_empty())
        .map(CouponId::parse)
        .transpose()
}

/// The order id a client sent, or the 404 an unknown one gets.
pub fn parse_order_id(raw: &str) -> AppResult<OrderId> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(OrderId)
        .ok_or_else(order_not_found)
}

pub fn order_not_found() -> AppError {
    AppError::new(
        ErrorCode::OrderNotFound,
        td_string!(Locale::current(), errors.no_such_order),
    )
}

/// `POST /api/orders/cancel`: `order_id`, `idempotency_key`, `reason?`. My
/// own `placed` order, cancelled: the stock and the points come back.
/// 404 not mine; 409 `ORDER_NOT_CANCELLABLE` (its `status` in `details`),
/// `REQUEST_IN_PROGRESS`; 422 `IDEMPOTENCY_KEY_REUSED`. The same key
/// replays the first answer.
#[server(prefix = "/api", endpoint = "orders/cancel")]
pub async fn cancel_order(
    order_id: OrderId,
    idempotency_key: IdempotencyKey,
    reason: Option<String>,
) -> Result<CancelledOrder, AppError> {
    let user_id = crate::identity::require_user().await?;
    let reason = crate::text::field(
        "reason",
        reason.as_deref().unwrap_or_default(),
        false,
        MAX_REASON,
        false,
    )?;
    let db = crate::db::db()?;
    let cancelled = lifecycle::cancel(
        &db,
        Actor::Shopper(user_id),
        order_id,
        &idempotency_key,
        &reason,
    )
    .await?;
    if let Some(wakeup) = use_context::<crate::platform::dispatcher::Wakeup>() {
        wakeup.wake();
    }
    crate::flash::done(td_string!(Locale::current(), flash.order_cancelled)).await;
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect(&format!("/orders/{order_id}"));
    }
    Ok(cancelled)
}

/// A fresh idempotency key, for a page's form that changes an order.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreshKey {
    pub idempotency_key: String,
}

/// `GET /api/orders/key`: a fresh idempotency key for a form that cancels
/// an order (the order pages render one into each cancel form, so a form
/// sent twice cancels once). Any logged-in user.
#[server(prefix = "/api", endpoint = "orders/key", input = server_fn::codec::GetUrl)]
pub async fn new_order_key() -> Result<FreshKey, AppError> {
    crate::identity::require_user().await?;
    Ok(FreshKey {
        idempotency_key: idempotency::new_key(),
    })
}

/// `GET /api/checkout?coupon_id&address_id`: my cart against my balance,
/// with a fresh key, my usable coupons and what the chosen one takes off,
/// the shipping fee, and my addresses with the one it would go to (the
/// one asked for, else my default).
#[server(prefix = "/api", endpoint = "checkout", input = server_fn::codec::GetUrl)]
pub async fn checkout_view(
    coupon_id: Option<String>,
    address_id: Option<String>,
) -> Result<CheckoutSummary, AppError> {
    let user_id = crate::identity::require_user().await?;
    let wanted = parse_coupon_choice(coupon_id.as_deref())?;
    // An address that is not one of mine (or no address id at all) is
    // not chosen: the page shows my default.
    let wanted_address = address_id
        .as_deref()
        .and_then(|raw| AddressId::parse(raw).ok());
    checkout::summary(
        &crate::db::db()?,
        user_id,
        wanted,
        wanted_address,
        Locale::current(),
        &crate::payments::provider::Payments::current(),
        crate::shipping::ShippingRates::current(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: i64, quantity: i64) -> LineRequest {
        LineRequest {
            product_id: ProductId(id),
            variant_id: None,
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
