//! The first page staff see: today's orders and revenue, and the products
//! on sale running low.

use crate::{
    catalog::{ProductId, VariantId},
    error::AppError,
    money::Won,
    staff::Role,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A product on sale with this many or fewer left is low on stock.
pub const LOW_STOCK: i64 = 5;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The caller's role.
    pub role: Role,
    /// Orders placed today (Seoul time).
    pub orders_today: i64,
    pub revenue_today: Won,
    /// Orders paid and not shipped yet (`placed`).
    pub to_ship: i64,
    /// Variants on sale with `LOW_STOCK` or fewer left, fewest first (at most 20).
    pub low_stock: Vec<LowStock>,
}

/// A variant running low: which product, which size.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LowStock {
    pub product_id: ProductId,
    pub variant_id: VariantId,
    /// The variant's SKU.
    pub sku: String,
    /// The product's name (Korean) and the variant's label in the reader's language.
    pub name: String,
    pub label: String,
    pub stock: i64,
}

/// `GET /api/admin/dashboard`: any member of staff.
#[server(prefix = "/api", endpoint = "admin/dashboard", input = server_fn::codec::GetUrl)]
pub async fn admin_dashboard() -> Result<Dashboard, AppError> {
    let staff = crate::staff::require_staff().await?;
    let db = crate::db::db()?;
    let since = crate::dates::start_of_day_in_seoul(crate::db::now_millis());
    let (orders_today, revenue_today) = crate::orders::store::totals_since(&db, since).await?;
    let to_ship =
        crate::orders::store::count_with_status(&db, crate::orders::OrderStatus::Placed).await?;
    let english = crate::locale::Locale::current() == crate::locale::Locale::en;
    let low_stock = crate::catalog::manage::low_stock(&db, LOW_STOCK, 20)
        .await?
        .into_iter()
        .map(|(product, variant)| LowStock {
            product_id: product.id,
            variant_id: variant.variant_id,
            sku: variant.sku,
            name: match (english, product.name_en) {
                (true, Some(en)) => en,
                _ => product.name,
            },
            label: if english {
                variant.label_en
            } else {
                variant.label
            },
            stock: variant.stock,
        })
        .collect();
    Ok(Dashboard {
        role: staff.role,
        orders_today,
        revenue_today,
        to_ship,
        low_stock,
    })
}
