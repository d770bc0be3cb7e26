//! The audit log: every staff action, written in the action's own
//! transaction (who, what, which thing, a short before and after, when,
//! and the request it came with). A failed action writes nothing.

use crate::{
    error::{AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
    paging::Paging,
};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[cfg(feature = "ssr")]
pub mod store;

/// What was done.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditKind {
    #[serde(rename = "product.created")]
    ProductCreated,
    #[serde(rename = "product.updated")]
    ProductUpdated,
    #[serde(rename = "product.price")]
    PriceChanged,
    #[serde(rename = "product.sale")]
    SaleChanged,
    #[serde(rename = "product.picture")]
    PictureChanged,
    #[serde(rename = "stock.adjusted")]
    StockAdjusted,
    #[serde(rename = "staff.granted")]
    RoleGranted,
    #[serde(rename = "staff.revoked")]
    RoleRevoked,
    /// Written before shipments had a carrier: an order marked shipped.
    #[serde(rename = "order.fulfilled")]
    OrderFulfilled,
    #[serde(rename = "order.shipped")]
    OrderShipped,
    #[serde(rename = "order.delivered")]
    OrderDelivered,
    #[serde(rename = "order.cancelled")]
    OrderCancelled,
    #[serde(rename = "points.adjusted")]
    PointsAdjusted,
    #[serde(rename = "platform.retry")]
    EventRetried,
    #[serde(rename = "coupon.created")]
    CouponCreated,
    #[serde(rename = "coupon.updated")]
    CouponUpdated,
    #[serde(rename = "payment.refunded")]
    ChargeRefunded,
    #[serde(rename = "product.options")]
    OptionsChanged,
    #[serde(rename = "variant.updated")]
    VariantUpdated,
}

impl AuditKind {
    pub const ALL: [AuditKind; 19] = [
        AuditKind::ProductCreated,
        AuditKind::ProductUpdated,
        AuditKind::PriceChanged,
        AuditKind::SaleChanged,
        AuditKind::PictureChanged,
        AuditKind::StockAdjusted,
        AuditKind::RoleGranted,
        AuditKind::RoleRevoked,
        AuditKind::OrderFulfilled,
        AuditKind::OrderShipped,
        AuditKind::OrderDelivered,
        AuditKind::OrderCancelled,
        AuditKind::PointsAdjusted,
        AuditKind::EventRetried,
        AuditKind::CouponCreated,
        AuditKind::CouponUpdated,
        AuditKind::ChargeRefunded,
        AuditKind::OptionsChanged,
        AuditKind::VariantUpdated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::ProductCreated => "product.created",
            AuditKind::ProductUpdated => "product.updated",
            AuditKind::PriceChanged => "product.price",
            AuditKind::SaleChanged => "product.sale",
            AuditKind::PictureChanged => "product.picture",
            AuditKind::StockAdjusted => "stock.adjusted",
            AuditKind::RoleGranted => "staff.granted",
            AuditKind::RoleRevoked => "staff.revoked",
            AuditKind::OrderFulfilled => "order.fulfilled",
            AuditKind::OrderShipped => "order.shipped",
            AuditKind::OrderDelivered => "order.delivered",
            AuditKind::OrderCancelled => "order.cancelled",
            AuditKind::PointsAdjusted => "points.adjusted",
            AuditKind::EventRetried => "platform.retry",
            AuditKind::CouponCreated => "coupon.created",
            AuditKind::CouponUpdated => "coupon.updated",
            AuditKind::ChargeRefunded => "payment.refunded",
            AuditKind::OptionsChanged => "product.options",
            AuditKind::VariantUpdated => "variant.updated",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            AuditKind::ProductCreated => td_string!(locale, admin.kind_product_created),
            AuditKind::ProductUpdated => td_string!(locale, admin.kind_product_updated),
            AuditKind::PriceChanged => td_string!(locale, admin.kind_price_changed),
            AuditKind::SaleChanged => td_string!(locale, admin.kind_sale_changed),
            AuditKind::PictureChanged => td_string!(locale, admin.kind_picture_changed),
            AuditKind::StockAdjusted => td_string!(locale, admin.kind_stock_adjusted),
            AuditKind::RoleGranted => td_string!(locale, admin.kind_role_granted),
            AuditKind::RoleRevoked => td_string!(locale, admin.kind_role_revoked),
            AuditKind::OrderFulfilled => td_string!(locale, admin.kind_order_fulfilled),
            AuditKind::OrderShipped => td_string!(locale, admin.kind_order_shipped),
            AuditKind::OrderDelivered => td_string!(locale, admin.kind_order_delivered),
            AuditKind::OrderCancelled => td_string!(locale, admin.kind_order_cancelled),
            AuditKind::PointsAdjusted => td_string!(locale, admin.kind_points_adjusted),
            AuditKind::EventRetried => td_string!(locale, admin.kind_event_retried),
            AuditKind::CouponCreated => td_string!(locale, admin.kind_coupon_created),
            AuditKind::CouponUpdated => td_string!(locale, admin.kind_coupon_updated),
            AuditKind::ChargeRefunded => td_string!(locale, admin.kind_charge_refunded),
            AuditKind::OptionsChanged => td_string!(locale, admin.kind_options_changed),
            AuditKind::VariantUpdated => td_string!(locale, admin.kind_variant_updated),
        }
    }
}

impl FromStr for AuditKind {
    type Err = AppError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| {
                AppError::invalid_field(
                    ErrorCode::BadRequest,
                    "kind",
                    td_string!(Locale::current(), admin.error_audit_kind),
                )
            })
    }
}

/// One row of the log.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// The staff member's login id; absent for the command line.
    pub actor: Option<String>,
    pub kind: AuditKind,
    /// The thing acted on: `product:<id>`, `user:<login id>`, `order:<id>`,
    /// `coupon:<campaign id>` or `event:<event id>`.
    pub target: String,
    /// A short before and after.
    pub summary: String,
    pub request_id: Option<String>,
    /// Unix milliseconds.
    pub at: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A validated request for the log: newest first, filtered by who, what
/// and which thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub paging: Paging,
    pub actor: Option<String>,
    pub kind: Option<AuditKind>,
    pub target: Option<String>,
}

impl AuditQuery {
    pub const PER_PAGE: u32 = 50;

    pub fn parse(
        page: Option<&str>,
        per_page: Option<&str>,
        actor: Option<&str>,
        kind: Option<&str>,
        target: Option<&str>,
    ) -> AppResult<Self> {
        fn present(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let text = |field: &str, raw: Option<&str>| -> AppResult<Option<String>> {
            match present(raw) {
                Some(v) if v.chars().count() > 100 || v.chars().any(char::is_control) => {
                    Err(AppError::invalid_field(
                        ErrorCode::BadRequest,
                        field,
                        td_string!(Locale::current(), errors.text_too_long, field, max = 100),
                    ))
                }
                other => Ok(other.map(str::to_string)),
            }
        };
        Ok(Self {
            paging: Paging::parse(page, per_page, Self::PER_PAGE)?,
            actor: text("actor", actor)?,
            kind: present(kind).map(str::parse).transpose()?,
            target: text("target", target)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in AuditKind::ALL {
            assert_eq!(kind.as_str().parse::<AuditKind>().unwrap(), kind);
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().into())
            );
        }
        assert_eq!(
            AuditQuery::parse(None, None, None, Some("nope"), None)
                .unwrap_err()
                .field(),
            Some("kind")
        );
    }
}
