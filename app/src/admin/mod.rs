//! The operator's side: the server functions behind `/admin` and
//! `/api/admin/...`. A layer above the domains, like the pages: each
//! function checks the caller's permission before anything else, then
//! runs a domain's rule (the catalog's, the stock rule, the staff roles)
//! and writes its audit row in the same transaction. [`ACCESS`] says what
//! each function needs; a test calls every registered admin function as
//! every kind of caller and holds them to it.

use crate::staff::Permission;

pub mod catalog;
pub mod dashboard;
pub mod staff;

/// Who may call an admin function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Any member of staff.
    AnyStaff,
    Needs(Permission),
}

/// Every admin function's path and what it needs.
pub const ACCESS: &[(&str, Access)] = &[
    ("/api/admin/dashboard", Access::AnyStaff),
    ("/api/admin/products", Access::Needs(Permission::Catalog)),
    (
        "/api/admin/products/get",
        Access::Needs(Permission::Catalog),
    ),
    (
        "/api/admin/products/update",
        Access::Needs(Permission::Catalog),
    ),
    (
        "/api/admin/products/price",
        Access::Needs(Permission::Catalog),
    ),
    (
        "/api/admin/products/sale",
        Access::Needs(Permission::Catalog),
    ),
    (
        "/api/admin/products/picture",
        Access::Needs(Permission::Catalog),
    ),
    (
        "/api/admin/stock/adjust",
        Access::Needs(Permission::Catalog),
    ),
    ("/api/admin/staff", Access::Needs(Permission::Staff)),
    ("/api/admin/staff/grant", Access::Needs(Permission::Staff)),
    ("/api/admin/staff/revoke", Access::Needs(Permission::Staff)),
    ("/api/admin/audit", Access::Needs(Permission::Staff)),
];

/// What `path` needs, if it is an admin function.
pub fn access_of(path: &str) -> Option<Access> {
    ACCESS.iter().find(|(p, _)| *p == path).map(|(_, a)| *a)
}
