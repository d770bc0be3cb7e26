//! Likes: one per (user, product), idempotent both ways, and a
//! `like_count` that always equals the number of like rows.

use crate::{
    catalog::{ProductId, ProductPage},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

mod button;
#[cfg(feature = "ssr")]
pub mod store;

pub use button::{
    action as like_action, attributes as like_attributes, label as like_label, LikeForm, LikeLink,
};

/// The answer to liking or unliking.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikeState {
    pub product_id: ProductId,
    pub liked: bool,
    pub like_count: i64,
}

/// `POST /api/likes/add`: liking twice changes nothing.
#[server(prefix = "/api", endpoint = "likes/add")]
pub async fn like_product(product_id: ProductId) -> Result<LikeState, AppError> {
    let user_id = crate::identity::require_user().await?;
    store::set_like(&crate::db::db()?, user_id, product_id, true).await
}

/// `POST /api/likes/remove`: unliking what is not liked changes nothing.
#[server(prefix = "/api", endpoint = "likes/remove")]
pub async fn unlike_product(product_id: ProductId) -> Result<LikeState, AppError> {
    let user_id = crate::identity::require_user().await?;
    store::set_like(&crate::db::db()?, user_id, product_id, false).await
}

/// `GET /api/likes?page&per_page`: the products I like, newest like first.
#[server(prefix = "/api", endpoint = "likes", input = server_fn::codec::GetUrl)]
pub async fn liked_products(
    page: Option<String>,
    per_page: Option<String>,
) -> Result<ProductPage, AppError> {
    let user_id = crate::identity::require_user().await?;
    let paging = crate::paging::Paging::parse(page.as_deref(), per_page.as_deref(), 12)?;
    store::liked_products(
        &crate::db::db()?,
        user_id,
        paging,
        crate::locale::Locale::current(),
    )
    .await
}
