//! Staff's own functions: who is staff with which role, granting and
//! revoking roles, and the audit log. All need the `staff` permission.

use crate::{
    audit::AuditPage,
    error::AppError,
    staff::{Role, StaffList},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    audit::{self, AuditKind},
    db::db,
    staff::{require, store, Permission},
};

/// `GET /api/admin/staff`: every member of staff.
#[server(prefix = "/api", endpoint = "admin/staff", input = server_fn::codec::GetUrl)]
pub async fn list_staff() -> Result<StaffList, AppError> {
    require(Permission::Staff).await?;
    store::list(&db()?).await
}

/// `POST /api/admin/staff/grant`: gives a user a role (replacing theirs);
/// 404 `USER_NOT_FOUND`, 409 `LAST_ADMIN` when it would leave no admin.
#[server(prefix = "/api", endpoint = "admin/staff/grant")]
pub async fn grant_role(login_id: String, role: Role) -> Result<StaffList, AppError> {
    let staff = require(Permission::Staff).await?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let change = store::grant(&db, &mut tx, &login_id, role, Some(staff.user_id)).await?;
    if change.before != change.after {
        record_change(&mut tx, Some(staff.user_id), &change).await?;
    }
    let list = store::list_in(&mut tx).await?;
    tx.commit().await?;
    let login_id = change.login_id;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.role_granted,
        login_id
    ))
    .await;
    Ok(list)
}

/// `POST /api/admin/staff/revoke`: the user becomes a shopper; 409
/// `LAST_ADMIN` for the last admin.
#[server(prefix = "/api", endpoint = "admin/staff/revoke")]
pub async fn revoke_role(login_id: String) -> Result<StaffList, AppError> {
    let staff = require(Permission::Staff).await?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let change = store::revoke(&db, &mut tx, &login_id).await?;
    if change.before.is_some() {
        record_change(&mut tx, Some(staff.user_id), &change).await?;
    }
    let list = store::list_in(&mut tx).await?;
    tx.commit().await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.role_revoked
    ))
    .await;
    Ok(list)
}

/// The audit row of a role change, by `actor` (`None`: the command line).
#[cfg(feature = "ssr")]
pub async fn record_change(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    actor: Option<crate::identity::UserId>,
    change: &store::RoleChange,
) -> Result<(), AppError> {
    let name = |role: Option<Role>| role.map_or("shopper", Role::as_str);
    let kind = if change.after.is_some() {
        AuditKind::RoleGranted
    } else {
        AuditKind::RoleRevoked
    };
    audit::store::record(
        tx,
        actor,
        kind,
        &format!("user:{}", change.login_id),
        &format!("{} → {}", name(change.before), name(change.after)),
    )
    .await
}

/// `GET /api/admin/audit?page&per_page&actor&kind&target`: newest first.
#[server(prefix = "/api", endpoint = "admin/audit", input = server_fn::codec::GetUrl)]
pub async fn audit_log(
    page: Option<String>,
    per_page: Option<String>,
    actor: Option<String>,
    kind: Option<String>,
    target: Option<String>,
) -> Result<AuditPage, AppError> {
    require(Permission::Staff).await?;
    let query = audit::AuditQuery::parse(
        page.as_deref(),
        per_page.as_deref(),
        actor.as_deref(),
        kind.as_deref(),
        target.as_deref(),
    )?;
    audit::store::list(&db()?, &query).await
}
