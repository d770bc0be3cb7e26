//! The data platform: every placed and every cancelled order, and every
//! payment charged or refunded, is sent to it as an event, and the best sellers are read from its aggregate. The order's transaction
//! writes the event to the outbox (`outbox.rs`); the dispatcher
//! (`dispatcher.rs`) sends it after the commit to the embedded platform
//! (`embedded.rs`, the default) or over HTTP, retrying until it arrives.

use crate::{
    catalog::{ProductId, Quantity},
    error::AppError,
    identity::UserId,
    money::Won,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod dispatcher;
#[cfg(feature = "ssr")]
pub mod embedded;
#[cfg(feature = "ssr")]
pub mod outbox;

/// What the data platform hears: every placed order and every cancel of
/// one, every charge paid through a payment service and every refund of
/// one. Sent as JSON with its kind in `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PlatformEvent {
    #[serde(rename = "order.placed")]
    Placed(OrderPlaced),
    #[serde(rename = "order.cancelled")]
    Cancelled(OrderCancelled),
    #[serde(rename = "order.shipped")]
    Shipped(OrderShipped),
    #[serde(rename = "order.delivered")]
    Delivered(OrderDelivered),
    #[serde(rename = "payment.charged")]
    Charged(PaymentEvent),
    #[serde(rename = "payment.refunded")]
    Refunded(PaymentEvent),
}

impl PlatformEvent {
    /// Stable across every delivery of this event: receivers deduplicate by it.
    pub fn event_id(&self) -> &str {
        match self {
            PlatformEvent::Placed(e) => &e.event_id,
            PlatformEvent::Cancelled(e) => &e.event_id,
            PlatformEvent::Shipped(e) => &e.event_id,
            PlatformEvent::Delivered(e) => &e.event_id,
            PlatformEvent::Charged(e) | PlatformEvent::Refunded(e) => &e.event_id,
        }
    }

    /// The `type` it is sent with.
    pub fn kind(&self) -> &'static str {
        match self {
            PlatformEvent::Placed(_) => OrderPlaced::KIND,
            PlatformEvent::Cancelled(_) => OrderCancelled::KIND,
            PlatformEvent::Shipped(_) => OrderShipped::KIND,
            PlatformEvent::Delivered(_) => OrderDelivered::KIND,
            PlatformEvent::Charged(_) => PaymentEvent::CHARGED,
            PlatformEvent::Refunded(_) => PaymentEvent::REFUNDED,
        }
    }

    /// The order an order's event is about.
    pub fn order_id(&self) -> Option<i64> {
        match self {
            PlatformEvent::Placed(e) => Some(e.order_id),
            PlatformEvent::Cancelled(e) => Some(e.order_id),
            PlatformEvent::Shipped(e) => Some(e.order_id),
            PlatformEvent::Delivered(e) => Some(e.order_id),
            PlatformEvent::Charged(_) | PlatformEvent::Refunded(_) => None,
        }
    }
}

/// `payment.charged` (points bought through a payment service) and
/// `payment.refunded` (that money given back, the points taken back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEvent {
    pub event_id: String,
    /// The shop's charge (the service's order id).
    pub charge_id: i64,
    pub user_id: UserId,
    /// Won paid (or given back).
    pub amount: Won,
    /// The payment service: `kakaopay`.
    pub provider: String,
    /// Unix milliseconds.
    pub at: i64,
}

impl PaymentEvent {
    pub const CHARGED: &'static str = "payment.charged";
    pub const REFUNDED: &'static str = "payment.refunded";

    /// A new event (with a new id) for `charge`.
    #[cfg(feature = "ssr")]
    pub fn new(charge_id: i64, user_id: UserId, amount: i64, provider: &str, at: i64) -> Self {
        Self {
            event_id: uuid::Uuid::new_v4().to_string(),
            charge_id,
            user_id,
            amount: Won(amount),
            provider: provider.to_string(),
            at,
        }
    }
}

impl From<OrderPlaced> for PlatformEvent {
    fn from(event: OrderPlaced) -> Self {
        PlatformEvent::Placed(event)
    }
}

impl From<OrderCancelled> for PlatformEvent {
    fn from(event: OrderCancelled) -> Self {
        PlatformEvent::Cancelled(event)
    }
}

impl From<OrderShipped> for PlatformEvent {
    fn from(event: OrderShipped) -> Self {
        PlatformEvent::Shipped(event)
    }
}

impl From<OrderDelivered> for PlatformEvent {
    fn from(event: OrderDelivered) -> Self {
        PlatformEvent::Delivered(event)
    }
}

/// `order.shipped`: an order left with a courier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderShipped {
    pub event_id: String,
    pub order_id: i64,
    pub user_id: UserId,
    /// The courier's code: `cj`, `lotte`, `hanjin`, `epost`, `logen`.
    pub carrier: String,
    pub tracking_number: String,
    /// Unix milliseconds.
    pub shipped_at: i64,
}

impl OrderShipped {
    pub const KIND: &'static str = "order.shipped";
}

/// `order.delivered`: a shipped order arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDelivered {
    pub event_id: String,
    pub order_id: i64,
    pub user_id: UserId,
    /// Unix milliseconds.
    pub delivered_at: i64,
}

impl OrderDelivered {
    pub const KIND: &'static str = "order.delivered";
}

/// `order.placed`: what the platform learns of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPlaced {
    pub event_id: String,
    pub order_id: i64,
    pub user_id: UserId,
    /// What was paid: `subtotal - discount + shipping_fee`.
    pub total: Won,
    /// What the lines came to. Events written before coupons have none
    /// (they paid their subtotal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtotal: Option<Won>,
    /// The coupon's discount.
    #[serde(default)]
    pub discount: Won,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_id: Option<i64>,
    /// What delivery cost (absent: nothing).
    #[serde(default, skip_serializing_if = "Won::is_zero")]
    pub shipping_fee: Won,
    pub items: Vec<SoldLine>,
    /// Unix milliseconds.
    pub ordered_at: i64,
}

impl OrderPlaced {
    pub const KIND: &'static str = "order.placed";

    /// A new event (with a new id) for an order just written, which paid
    /// its `total` in full.
    #[cfg(feature = "ssr")]
    pub fn new(
        order_id: i64,
        user_id: UserId,
        total: Won,
        ordered_at: i64,
        items: Vec<SoldLine>,
    ) -> Self {
        Self {
            event_id: uuid::Uuid::new_v4().to_string(),
            order_id,
            user_id,
            total,
            subtotal: Some(total),
            discount: Won::ZERO,
            coupon_id: None,
            shipping_fee: Won::ZERO,
            items,
            ordered_at,
        }
    }

    /// The same order paid with a coupon: `discount` off `subtotal`.
    pub fn with_coupon(self, coupon_id: i64, subtotal: Won, discount: Won) -> Self {
        Self {
            subtotal: Some(subtotal),
            discount,
            coupon_id: Some(coupon_id),
            ..self
        }
    }
}

/// `order.cancelled`: an order the platform heard of is undone. It carries
/// the lines and the original `ordered_at`, so the platform can take the
/// sale back out of the hour it was made in without anything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelled {
    pub event_id: String,
    pub order_id: i64,
    pub user_id: UserId,
    /// What the order came to (and what was refunded).
    pub total: Won,
    pub items: Vec<SoldLine>,
    /// Unix milliseconds, as in the order's `order.placed`.
    pub ordered_at: i64,
    /// Unix milliseconds.
    pub cancelled_at: i64,
}

impl OrderCancelled {
    pub const KIND: &'static str = "order.cancelled";
}

/// One line of a placed order, as sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoldLine {
    pub product_id: ProductId,
    /// The variant sold and its SKU (absent in the events of orders
    /// queued before products had variants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<crate::catalog::VariantId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub name: String,
    pub unit_price: Won,
    pub quantity: Quantity,
}

/// What an operator wants to know of the outbox.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxStats {
    pub pending: i64,
    pub delivered: i64,
    /// Pending events that failed at least once.
    pub failing: i64,
    /// Age of the oldest pending event, in milliseconds.
    pub oldest_pending_ms: Option<i64>,
    /// The error of the most recently failed pending event.
    pub last_error: Option<String>,
}

/// An event not delivered yet.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEvent {
    pub event_id: String,
    /// `order.placed`, `order.cancelled`, `payment.charged` or `payment.refunded`.
    pub kind: String,
    /// Failed attempts so far.
    pub attempts: i64,
    /// Unix milliseconds.
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
}

/// `GET /api/admin/platform`'s answer: what `server outbox` prints, and
/// the events that keep failing.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformStatus {
    /// `embedded`, or the external platform's address.
    pub destination: String,
    #[serde(flatten)]
    pub stats: OutboxStats,
    /// At most 20, the most recently failed first.
    pub failing_events: Vec<PendingEvent>,
}

/// Best sellers are counted over this many days back from now.
pub const TOP_WINDOW_DAYS: u32 = 3;
/// At most this many best sellers.
pub const TOP_LIMIT: usize = 5;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopProduct {
    pub product_id: ProductId,
    pub name: String,
    pub quantity_sold: i64,
    /// Path of the picture under the site root.
    pub image: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BestSellers {
    pub window_days: u32,
    pub items: Vec<TopProduct>,
}

/// `GET /api/top-products`: the five products sold most over the last
/// three days, from the platform's aggregate; ties go to the lower id.
#[server(prefix = "/api", endpoint = "top-products", input = server_fn::codec::GetUrl)]
pub async fn top_products() -> Result<BestSellers, AppError> {
    let items = embedded::top_products(
        &crate::db::db()?,
        crate::db::now_millis(),
        crate::locale::Locale::current(),
    )
    .await?;
    Ok(BestSellers {
        window_days: TOP_WINDOW_DAYS,
        items,
    })
}
