//! Staff's coupon functions: list campaigns with their counts, read one,
//! create one, change one. Each checks `catalog` first, runs the coupons'
//! own rules, and writes its audit row in the same transaction.

// A campaign's ten fields are the functions' arguments, as the form sends
// them; the `server` macro's browser side repeats them.
#![allow(clippy::too_many_arguments)]

use crate::{
    coupons::{Campaign, CampaignId, CampaignPage},
    error::AppError,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    audit::{store::record, AuditKind},
    coupons::{store, CampaignFields, CampaignInput},
    db::db,
    paging::Paging,
    staff::{require, Permission},
};

/// `GET /api/admin/coupons?page&per_page`: every campaign, newest first,
/// with how many were issued and used.
#[server(prefix = "/api", endpoint = "admin/coupons", input = server_fn::codec::GetUrl)]
pub async fn admin_coupons(
    page: Option<String>,
    per_page: Option<String>,
) -> Result<CampaignPage, AppError> {
    require(Permission::Catalog).await?;
    let paging = Paging::parse(page.as_deref(), per_page.as_deref(), 30)?;
    store::list(&db()?, paging).await
}

/// `GET /api/admin/coupons/get?id`: one campaign.
#[server(prefix = "/api", endpoint = "admin/coupons/get", input = server_fn::codec::GetUrl)]
pub async fn admin_coupon(id: String) -> Result<Campaign, AppError> {
    require(Permission::Catalog).await?;
    let id = CampaignId::parse(&id).map_err(|_| store::campaign_not_found())?;
    store::get(&db()?, id).await
}

/// `POST /api/admin/coupons`: 201 the new campaign. `kind` is `fixed` (won
/// off) or `percent` (1 to 100, `max_discount` its cap); `quantity` absent
/// for unlimited; times in unix milliseconds; `open` lets shoppers claim it.
#[server(prefix = "/api", endpoint = "admin/coupons")]
pub async fn create_campaign(
    name: Option<String>,
    name_en: Option<String>,
    kind: Option<String>,
    value: Option<String>,
    max_discount: Option<String>,
    min_order: Option<String>,
    quantity: Option<String>,
    valid_from: Option<String>,
    valid_until: Option<String>,
    open: Option<String>,
) -> Result<Campaign, AppError> {
    let staff = require(Permission::Catalog).await?;
    let input = CampaignInput::parse(CampaignFields {
        name: name.as_deref(),
        name_en: name_en.as_deref(),
        kind: kind.as_deref(),
        value: value.as_deref(),
        max_discount: max_discount.as_deref(),
        min_order: min_order.as_deref(),
        quantity: quantity.as_deref(),
        valid_from: valid_from.as_deref(),
        valid_until: valid_until.as_deref(),
        open: open.as_deref(),
    })?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let id = store::create(&mut tx, &input, staff.user_id).await?;
    let campaign = store::get_in(&mut tx, id).await?;
    record(
        &mut tx,
        Some(staff.user_id),
        AuditKind::CouponCreated,
        &target(id),
        &summary(&campaign),
    )
    .await?;
    tx.commit().await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.campaign_created
    ))
    .await;
    crate::http_status::created();
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect(&format!("/admin/coupons/{id}"));
    }
    Ok(campaign)
}

/// `POST /api/admin/coupons/update`: `campaign_id` and the campaign's
/// fields as `create_campaign` takes them, all of them (the form sends the
/// whole campaign). The quantity never goes below what was issued.
#[server(prefix = "/api", endpoint = "admin/coupons/update")]
pub async fn update_campaign(
    campaign_id: CampaignId,
    name: Option<String>,
    name_en: Option<String>,
    kind: Option<String>,
    value: Option<String>,
    max_discount: Option<String>,
    min_order: Option<String>,
    quantity: Option<String>,
    valid_from: Option<String>,
    valid_until: Option<String>,
    open: Option<String>,
) -> Result<Campaign, AppError> {
    let staff = require(Permission::Catalog).await?;
    let input = CampaignInput::parse(CampaignFields {
        name: name.as_deref(),
        name_en: name_en.as_deref(),
        kind: kind.as_deref(),
        value: value.as_deref(),
        max_discount: max_discount.as_deref(),
        min_order: min_order.as_deref(),
        quantity: quantity.as_deref(),
        valid_from: valid_from.as_deref(),
        valid_until: valid_until.as_deref(),
        open: open.as_deref(),
    })?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let before = store::lock(&db, &mut tx, campaign_id).await?;
    store::update(&mut tx, &before, &input).await?;
    let after = store::get_in(&mut tx, campaign_id).await?;
    if before != after {
        record(
            &mut tx,
            Some(staff.user_id),
            AuditKind::CouponUpdated,
            &target(campaign_id),
            &format!("{} → {}", summary(&before), summary(&after)),
        )
        .await?;
    }
    tx.commit().await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.saved
    ))
    .await;
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect(&format!("/admin/coupons/{campaign_id}"));
    }
    Ok(after)
}

#[cfg(feature = "ssr")]
fn target(id: CampaignId) -> String {
    format!("coupon:{id}")
}

/// A campaign in one line, for the audit log.
#[cfg(feature = "ssr")]
fn summary(c: &Campaign) -> String {
    let quantity = c
        .quantity
        .map_or_else(|| "unlimited".to_string(), |q| q.to_string());
    format!(
        "{:?} {} {}{} min {} × {quantity}{}",
        c.name,
        c.terms.kind.as_str(),
        c.terms.value,
        c.terms
            .max_discount
            .map(|cap| format!(" cap {}", cap.get()))
            .unwrap_or_default(),
        c.terms.min_order.get(),
        if c.open { " open" } else { " closed" },
    )
}
