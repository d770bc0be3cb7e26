//! Staff: users of the shop with a role, and what each role may do. A user
//! with no role is a shopper. Every admin server function begins with
//! [`require`]: no session 401 `UNAUTHENTICATED`, a role without the
//! permission 403 `FORBIDDEN`.

use crate::{
    error::{AppError, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
};
use serde::{Deserialize, Deserializer, Serialize};
use std::str::FromStr;

#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// What a member of staff may do.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Products, prices, pictures, stock.
    Catalog,
    /// See, fulfil and cancel orders.
    Orders,
    /// See customers, adjust points.
    Customers,
    /// Grant and revoke roles, read the audit log.
    Staff,
}

impl Permission {
    pub const ALL: [Permission; 4] = [
        Permission::Catalog,
        Permission::Orders,
        Permission::Customers,
        Permission::Staff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Catalog => "catalog",
            Permission::Orders => "orders",
            Permission::Customers => "customers",
            Permission::Staff => "staff",
        }
    }
}

/// A member of staff's role: the permissions come with it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    CatalogManager,
    OrderManager,
    /// Orders and customers.
    Support,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::CatalogManager,
        Role::OrderManager,
        Role::Support,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::CatalogManager => "catalog_manager",
            Role::OrderManager => "order_manager",
            Role::Support => "support",
        }
    }

    pub fn permissions(self) -> &'static [Permission] {
        match self {
            Role::Admin => &Permission::ALL,
            Role::CatalogManager => &[Permission::Catalog],
            Role::OrderManager => &[Permission::Orders],
            Role::Support => &[Permission::Orders, Permission::Customers],
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Role::Admin => td_string!(locale, admin.role_admin),
            Role::CatalogManager => td_string!(locale, admin.role_catalog_manager),
            Role::OrderManager => td_string!(locale, admin.role_order_manager),
            Role::Support => td_string!(locale, admin.role_support),
        }
    }

    /// A role read back from the database; unknown is a decoding error.
    #[cfg(feature = "ssr")]
    pub fn from_stored(stored: &str) -> Result<Self, sqlx::Error> {
        stored
            .parse()
            .map_err(|_| sqlx::Error::Decode(format!("unknown stored role {stored:?}").into()))
    }
}

impl FromStr for Role {
    type Err = AppError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s.trim())
            .ok_or_else(|| {
                AppError::invalid_field(
                    ErrorCode::BadRequest,
                    "role",
                    td_string!(Locale::current(), admin.error_role),
                )
            })
    }
}

/// As a server function's argument it is the `role` field.
impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::error::deserialize_parsed(deserializer, str::parse)
    }
}

/// One member of staff.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub user_id: UserId,
    pub login_id: String,
    pub role: Role,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StaffList {
    pub items: Vec<StaffMember>,
}

/// The caller, a member of staff allowed what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Staff {
    pub user_id: UserId,
    pub role: Role,
}

pub fn forbidden() -> AppError {
    AppError::new(
        ErrorCode::Forbidden,
        td_string!(Locale::current(), admin.error_forbidden),
    )
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{forbidden, Permission, Staff};
    use crate::{error::AppError, identity};

    /// The one way into an admin function: the caller's role must allow
    /// `permission` (401 without a login, 403 without the permission).
    pub async fn require(permission: Permission) -> Result<Staff, AppError> {
        let user_id = identity::require_user().await?;
        match super::store::role_of(&crate::db::db()?, user_id).await? {
            Some(role) if role.allows(permission) => Ok(Staff { user_id, role }),
            _ => Err(forbidden()),
        }
    }

    /// Any member of staff (401 without a login, 403 for a shopper).
    pub async fn require_staff() -> Result<Staff, AppError> {
        let user_id = identity::require_user().await?;
        match super::store::role_of(&crate::db::db()?, user_id).await? {
            Some(role) => Ok(Staff { user_id, role }),
            None => Err(forbidden()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_carry_their_permissions() {
        assert!(Permission::ALL.iter().all(|p| Role::Admin.allows(*p)));
        assert!(Role::CatalogManager.allows(Permission::Catalog));
        assert!(!Role::CatalogManager.allows(Permission::Orders));
        assert!(Role::Support.allows(Permission::Orders));
        assert!(Role::Support.allows(Permission::Customers));
        assert!(!Role::Support.allows(Permission::Staff));
        assert!(!Role::OrderManager.allows(Permission::Customers));
    }

    #[test]
    fn roles_round_trip_and_unknown_ones_are_refused() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::Value::String(role.as_str().into())
            );
        }
        let err = "owner".parse::<Role>().unwrap_err();
        assert_eq!(err.field(), Some("role"));
    }
}
