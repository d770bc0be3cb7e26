//! The audit log in the database, for both backends.

use super::{AuditEntry, AuditKind, AuditPage, AuditQuery};
use crate::{
    db::{now_millis, Db},
    error::AppResult,
    identity::UserId,
};
use sqlx::{any::AnyRow, Any, Row, Transaction};

/// Writes one row inside the action's transaction `tx`; `actor` `None` is
/// the command line. The request id comes from the request being served.
pub async fn record(
    tx: &mut Transaction<'static, Any>,
    actor: Option<UserId>,
    kind: AuditKind,
    target: &str,
    summary: &str,
) -> AppResult<()> {
    let request_id = leptos::prelude::use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    sqlx::query(
        "INSERT INTO audit_log (actor_id, kind, target, summary, request_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor.map(|a| a.0))
    .bind(kind.as_str())
    .bind(target)
    .bind(summary)
    .bind(request_id)
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn entry(row: AnyRow) -> Result<AuditEntry, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(AuditEntry {
        id: row.try_get("id")?,
        actor: row.try_get("actor")?,
        kind: kind
            .parse()
            .map_err(|_| sqlx::Error::Decode(format!("unknown audit kind {kind:?}").into()))?,
        target: row.try_get("target")?,
        summary: row.try_get("summary")?,
        request_id: row.try_get("request_id")?,
        at: row.try_get("at")?,
    })
}

/// The log, newest first, with `query`'s filters.
pub async fn list(db: &Db, query: &AuditQuery) -> AppResult<AuditPage> {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    if let Some(actor) = &query.actor {
        values.push(actor.to_lowercase());
        conditions.push(format!("u.login_key = ${}", values.len()));
    }
    if let Some(kind) = query.kind {
        values.push(kind.as_str().to_string());
        conditions.push(format!("a.kind = ${}", values.len()));
    }
    if let Some(target) = &query.target {
        values.push(target.clone());
        conditions.push(format!("a.target = ${}", values.len()));
    }
    let filter = if conditions.is_empty() {
        "1 = 1".to_string()
    } else {
        conditions.join(" AND ")
    };
    let from = "FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id";
    let page_sql = format!(
        "SELECT a.id, u.login_id AS actor, a.kind, a.target, a.summary, a.request_id, a.at \
         {from} WHERE {filter} ORDER BY a.id DESC LIMIT ${} OFFSET ${}",
        values.len() + 1,
        values.len() + 2
    );
    let count_sql = format!("SELECT COUNT(*) {from} WHERE {filter}");
    let mut page = sqlx::query(&page_sql);
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for value in &values {
        page = page.bind(value.clone());
        count = count.bind(value.clone());
    }
    let items = page
        .bind(i64::from(query.paging.per_page))
        .bind(query.paging.offset())
        .try_map(entry)
        .fetch_all(db.pool())
        .await?;
    Ok(AuditPage {
        items,
        total: count.fetch_one(db.pool()).await?,
        page: query.paging.page,
        per_page: query.paging.per_page,
    })
}
