//! The data platform: every placed order is sent to it as an event, and
//! the best sellers are read from its aggregate. The order's transaction
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

/// `order.placed`: what the platform learns of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPlaced {
    /// Stable across every delivery of this event: receivers deduplicate by it.
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub order_id: i64,
    pub user_id: UserId,
    pub total: Won,
    pub items: Vec<SoldLine>,
    /// Unix milliseconds.
    pub ordered_at: i64,
}

impl OrderPlaced {
    pub const KIND: &'static str = "order.placed";

    /// A new event (with a new id) for an order just written.
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
            kind: Self::KIND.to_string(),
            order_id,
            user_id,
            total,
            items,
            ordered_at,
        }
    }
}

/// One line of a placed order, as sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoldLine {
    pub product_id: ProductId,
    pub name: String,
    pub unit_price: Won,
    pub quantity: Quantity,
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
