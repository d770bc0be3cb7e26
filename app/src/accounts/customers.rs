//! Customers as staff see them: every account with its balance and how
//! many orders it placed, and one customer with their orders and point
//! ledger (read through the orders' and the points' own queries).

use crate::{
    error::{AppError, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
    orders::OrderPage,
    paging::Paging,
    points::LedgerPage,
};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub user_id: UserId,
    pub login_id: String,
    pub points: i64,
    /// Orders placed, whatever became of them.
    pub orders: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub items: Vec<CustomerSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl CustomerPage {
    pub fn page_count(&self) -> u32 {
        Paging::page_count(self.total, self.per_page)
    }
}

/// One customer: the first page of their orders and of their point ledger.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub user_id: UserId,
    pub login_id: String,
    pub points: i64,
    /// Unix milliseconds.
    pub created_at: i64,
    pub orders: OrderPage,
    pub ledger: LedgerPage,
    /// Charges through a payment service, newest first (the latest 20).
    #[serde(default)]
    pub charges: Vec<crate::payments::Charge>,
}

/// The longest text a customer search takes.
pub const MAX_SEARCH: usize = 20;

pub fn no_such_customer() -> AppError {
    AppError::new(
        ErrorCode::UserNotFound,
        td_string!(Locale::current(), errors.no_such_customer),
    )
}

#[cfg(feature = "ssr")]
pub mod store {
    use super::{no_such_customer, CustomerDetail, CustomerPage, CustomerSummary};
    use crate::{db::Db, error::AppResult, identity::UserId, locale::Locale, paging::Paging};
    use sqlx::{any::AnyRow, Row};

    /// Customers whose login id holds `search` (any case), newest first.
    pub async fn list(db: &Db, search: Option<&str>, paging: Paging) -> AppResult<CustomerPage> {
        let pattern = search.map(crate::text::like_pattern);
        let filter = if pattern.is_some() {
            " WHERE u.login_key LIKE $3 ESCAPE '\\'"
        } else {
            ""
        };
        let items_sql = format!(
            "SELECT u.id, u.login_id, u.points, \
               (SELECT COUNT(*) FROM orders o WHERE o.user_id = u.id) AS orders \
             FROM users u{filter} ORDER BY u.id DESC LIMIT $1 OFFSET $2"
        );
        let mut items = sqlx::query(&items_sql)
            .bind(i64::from(paging.per_page))
            .bind(paging.offset());
        if let Some(pattern) = &pattern {
            items = items.bind(pattern.clone());
        }
        let items = items
            .try_map(|row: AnyRow| {
                Ok(CustomerSummary {
                    user_id: UserId(row.try_get("id")?),
                    login_id: row.try_get("login_id")?,
                    points: row.try_get("points")?,
                    orders: row.try_get("orders")?,
                })
            })
            .fetch_all(db.pool())
            .await?;
        let count_filter = filter.replace("$3", "$1");
        let count_sql = format!("SELECT COUNT(*) FROM users u{count_filter}");
        let mut total = sqlx::query_scalar(&count_sql);
        if let Some(pattern) = pattern {
            total = total.bind(pattern);
        }
        let total: i64 = total.fetch_one(db.pool()).await?;
        Ok(CustomerPage {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    /// One customer, with the first page of their orders and ledger.
    pub async fn get(db: &Db, user: UserId, locale: Locale) -> AppResult<CustomerDetail> {
        let row: Option<(String, i64, i64)> =
            sqlx::query_as("SELECT login_id, points, created_at FROM users WHERE id = $1")
                .bind(user.0)
                .fetch_optional(db.pool())
                .await?;
        let (login_id, points, created_at) = row.ok_or_else(no_such_customer)?;
        let first = Paging {
            page: 1,
            per_page: 20,
        };
        Ok(CustomerDetail {
            user_id: user,
            login_id,
            points,
            created_at,
            orders: crate::orders::store::list(db, user, first, locale).await?,
            ledger: crate::points::store::history(db, user, first).await?,
            charges: crate::payments::store::of_user(db, user, 20).await?,
        })
    }
}
