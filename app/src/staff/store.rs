//! Staff roles in the database, for both backends.

use super::{Role, StaffList, StaffMember};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode, ErrorDetails},
    identity::UserId,
    locale::{td_string, Locale},
};
use sqlx::{any::AnyRow, Any, Row, Transaction};

pub async fn role_of(db: &Db, user: UserId) -> AppResult<Option<Role>> {
    let stored: Option<String> =
        sqlx::query_scalar("SELECT role FROM staff_roles WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(db.pool())
            .await?;
    Ok(stored.as_deref().map(Role::from_stored).transpose()?)
}

fn member(row: AnyRow) -> Result<StaffMember, sqlx::Error> {
    Ok(StaffMember {
        user_id: UserId(row.try_get("user_id")?),
        login_id: row.try_get("login_id")?,
        role: Role::from_stored(&row.try_get::<String, _>("role")?)?,
    })
}

const LIST_SQL: &str = "SELECT s.user_id, u.login_id, s.role FROM staff_roles s \
     JOIN users u ON u.id = s.user_id ORDER BY u.login_key";

/// Every member of staff, by login id.
pub async fn list(db: &Db) -> AppResult<StaffList> {
    Ok(StaffList {
        items: sqlx::query(LIST_SQL)
            .try_map(member)
            .fetch_all(db.pool())
            .await?,
    })
}

/// The staff list as `tx` sees it.
pub async fn list_in(tx: &mut Transaction<'static, Any>) -> AppResult<StaffList> {
    Ok(StaffList {
        items: sqlx::query(LIST_SQL)
            .try_map(member)
            .fetch_all(&mut **tx)
            .await?,
    })
}

/// What a grant or a revoke changed: the user and their role before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChange {
    pub user_id: UserId,
    pub login_id: String,
    pub before: Option<Role>,
    pub after: Option<Role>,
}

/// The user with `login_id` (any case), locked until `tx` ends.
async fn find_user(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    login_id: &str,
) -> AppResult<(UserId, String)> {
    let row = sqlx::query(&format!(
        "SELECT id, login_id FROM users WHERE login_key = $1{}",
        db.for_update()
    ))
    .bind(login_id.trim().to_lowercase())
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        Some(row) => Ok((UserId(row.try_get("id")?), row.try_get("login_id")?)),
        None => Err(AppError::invalid_field(
            ErrorCode::UserNotFound,
            "login_id",
            td_string!(Locale::current(), admin.error_no_such_user),
        )),
    }
}

/// Gives `login_id` the role `role` (replacing any other), by `by` (`None`:
/// the command line). Refused with 409 `LAST_ADMIN` when it would leave no admin.
pub async fn grant(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    login_id: &str,
    role: Role,
    by: Option<UserId>,
) -> AppResult<RoleChange> {
    let (user_id, login_id) = find_user(db, tx, login_id).await?;
    let before = lock_roles(db, tx, user_id).await?;
    if before == Some(Role::Admin) && role != Role::Admin {
        keep_an_admin(tx).await?;
    }
    sqlx::query(
        "INSERT INTO staff_roles (user_id, role, granted_by, granted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, \
           granted_by = excluded.granted_by, granted_at = excluded.granted_at",
    )
    .bind(user_id.0)
    .bind(role.as_str())
    .bind(by.map(|u| u.0))
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    Ok(RoleChange {
        user_id,
        login_id,
        before,
        after: Some(role),
    })
}

/// Takes `login_id`'s role away (they become a shopper). Refused with 409
/// `LAST_ADMIN` for the last admin.
pub async fn revoke(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    login_id: &str,
) -> AppResult<RoleChange> {
    let (user_id, login_id) = find_user(db, tx, login_id).await?;
    let before = lock_roles(db, tx, user_id).await?;
    if before == Some(Role::Admin) {
        keep_an_admin(tx).await?;
    }
    sqlx::query("DELETE FROM staff_roles WHERE user_id = $1")
        .bind(user_id.0)
        .execute(&mut **tx)
        .await?;
    Ok(RoleChange {
        user_id,
        login_id,
        before,
        after: None,
    })
}

/// Locks every admin's row (in one order, so two changes never wait on
/// each other in a circle) and returns `user`'s role. Two admins demoting
/// each other at once then run one after the other, and the second sees
/// the first's change.
async fn lock_roles(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    user: UserId,
) -> AppResult<Option<Role>> {
    sqlx::query(&format!(
        "SELECT user_id FROM staff_roles WHERE role = 'admin' ORDER BY user_id{}",
        db.for_update()
    ))
    .fetch_all(&mut **tx)
    .await?;
    let stored: Option<String> =
        sqlx::query_scalar("SELECT role FROM staff_roles WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(stored.as_deref().map(Role::from_stored).transpose()?)
}

/// 409 `LAST_ADMIN` unless another admin remains after one goes.
async fn keep_an_admin(tx: &mut Transaction<'static, Any>) -> AppResult<()> {
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_roles WHERE role = 'admin'")
        .fetch_one(&mut **tx)
        .await?;
    if admins <= 1 {
        return Err(AppError::new(
            ErrorCode::LastAdmin,
            td_string!(Locale::current(), admin.error_last_admin),
        )
        .with_details(ErrorDetails {
            field: Some("role".into()),
            ..ErrorDetails::default()
        }));
    }
    Ok(())
}
