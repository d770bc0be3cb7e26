//! The data platform for staff: what `server outbox` prints, the events
//! that keep failing, and sending one again now. Permission `orders`: the
//! events are the orders'.

use crate::{
    error::AppError,
    platform::{PendingEvent, PlatformStatus},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    audit::{self, AuditKind},
    db::db,
    error::ErrorCode,
    locale::{td_string, Locale},
    platform::{dispatcher, outbox},
    staff::{require, Permission},
};

/// `GET /api/admin/platform`: pending, failing, delivered, the oldest
/// pending event's age, the last error, and the failing events.
#[server(prefix = "/api", endpoint = "admin/platform", input = server_fn::codec::GetUrl)]
pub async fn admin_platform() -> Result<PlatformStatus, AppError> {
    require(Permission::Orders).await?;
    let db = db()?;
    Ok(PlatformStatus {
        destination: use_context::<dispatcher::Destination>()
            .map(|d| d.0)
            .unwrap_or_else(|| "embedded".to_string()),
        stats: outbox::stats(&db).await?,
        failing_events: outbox::failing(&db, 20).await?,
    })
}

/// `GET /api/admin/payments`: charges pending, failing (the reconciler
/// keeps failing to settle them), the oldest pending one's age, and the
/// failing ones.
#[server(prefix = "/api", endpoint = "admin/payments", input = server_fn::codec::GetUrl)]
pub async fn admin_payments() -> Result<crate::payments::PaymentsStatus, AppError> {
    require(Permission::Orders).await?;
    crate::payments::store::status(&db()?, 20).await
}

/// `POST /api/admin/platform/retry`: `event_id`. The event, due now (the
/// dispatcher is woken for it); 404 `NOT_FOUND` when no such event waits.
#[server(prefix = "/api", endpoint = "admin/platform/retry")]
pub async fn retry_event(event_id: String) -> Result<PendingEvent, AppError> {
    let staff = require(Permission::Orders).await?;
    let event_id = crate::text::field("event_id", &event_id, true, 100, false)?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let event = outbox::retry_now(&mut tx, &event_id)
        .await?
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                td_string!(Locale::current(), errors.no_such_event),
            )
        })?;
    audit::store::record(
        &mut tx,
        Some(staff.user_id),
        AuditKind::EventRetried,
        &format!("event:{event_id}"),
        &format!("{} after {} failed attempts", event.kind, event.attempts),
    )
    .await?;
    tx.commit().await?;
    if let Some(wakeup) = use_context::<dispatcher::Wakeup>() {
        wakeup.wake();
    }
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.event_retried
    ))
    .await;
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect("/admin/platform");
    }
    Ok(event)
}
