//! Users in the database.

use super::{CurrentUser, LoginId};
use crate::identity::UserId;
use crate::{db::now_millis, db::Db, error::AppResult};
use sqlx::Row;

pub struct UserRow {
    pub id: UserId,
    pub login_id: String,
    /// None: the account has no password (a provider made it).
    pub password_hash: Option<String>,
}

/// Creates a user; `None` when the login id (in any case) is taken.
pub async fn insert_user(
    db: &Db,
    login_id: &LoginId,
    password_hash: &str,
) -> AppResult<Option<UserId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (login_id, login_key, password_hash, points, created_at) \
         VALUES ($1, $2, $3, 0, $4) ON CONFLICT (login_key) DO NOTHING RETURNING id",
    )
    .bind(login_id.as_str())
    .bind(login_id.key())
    .bind(password_hash)
    .bind(now_millis())
    .fetch_optional(db.writer())
    .await?;
    Ok(id.map(UserId))
}

pub async fn find_by_key(db: &Db, login_key: &str) -> AppResult<Option<UserRow>> {
    let row = sqlx::query("SELECT id, login_id, password_hash FROM users WHERE login_key = $1")
        .bind(login_key)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(row) => Some(UserRow {
            id: UserId(row.try_get("id")?),
            login_id: row.try_get("login_id")?,
            password_hash: Some(row.try_get::<String, _>("password_hash")?)
                .filter(|hash| !hash.is_empty()),
        }),
        None => None,
    })
}

pub async fn me(db: &Db, user_id: UserId) -> AppResult<Option<CurrentUser>> {
    let row = sqlx::query(
        "SELECT u.id, u.login_id, u.points, s.role FROM users u \
         LEFT JOIN staff_roles s ON s.user_id = u.id WHERE u.id = $1",
    )
    .bind(user_id.0)
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        Some(row) => Some(CurrentUser {
            user_id: UserId(row.try_get("id")?),
            login_id: row.try_get("login_id")?,
            points: row.try_get("points")?,
            role: row
                .try_get::<Option<String>, _>("role")?
                .as_deref()
                .map(crate::staff::Role::from_stored)
                .transpose()?,
        }),
        None => None,
    })
}
