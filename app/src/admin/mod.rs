//! The operator's side: the server functions behind `/admin` and
//! `/api/admin/...`. A layer above the domains, like the pages: each
//! function checks the caller's permission before anything else, then
//! runs a domain's rule (the catalog's, the stock rule, the staff roles,
//! an order's lifecycle, the points ledger, the coupons)
//! and writes its audit row in the same transaction. [`ACCESS`] says what
//! each function needs; a test calls every registered admin function as
//! every kind of caller and holds them to it.

use crate::staff::Permission;

pub mod catalog;
pub mod coupons;
pub mod dashboard;
pub mod orders;
pub mod platform;
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
    (
        "/api/admin/products/options",
        Access::Needs(Permission::Catalog),
    ),
    (
        "/api/admin/variants/update",
        Access::Needs(Permission::Catalog),
    ),
    ("/api/admin/coupons", Access::Needs(Permission::Catalog)),
    ("/api/admin/coupons/get", Access::Needs(Permission::Catalog)),
    (
        "/api/admin/coupons/update",
        Access::Needs(Permission::Catalog),
    ),
    ("/api/admin/orders", Access::Needs(Permission::Orders)),
    ("/api/admin/orders/get", Access::Needs(Permission::Orders)),
    ("/api/admin/orders/ship", Access::Needs(Permission::Orders)),
    (
        "/api/admin/orders/ship-many",
        Access::Needs(Permission::Orders),
    ),
    (
        "/api/admin/orders/deliver",
        Access::Needs(Permission::Orders),
    ),
    (
        "/api/admin/orders/export",
        Access::Needs(Permission::Orders),
    ),
    (
        "/api/admin/orders/cancel",
        Access::Needs(Permission::Orders),
    ),
    ("/api/admin/customers", Access::Needs(Permission::Customers)),
    (
        "/api/admin/customers/get",
        Access::Needs(Permission::Customers),
    ),
    (
        "/api/admin/customers/points",
        Access::Needs(Permission::Customers),
    ),
    (
        "/api/admin/payments/refund",
        Access::Needs(Permission::Customers),
    ),
    ("/api/admin/platform", Access::Needs(Permission::Orders)),
    ("/api/admin/payments", Access::Needs(Permission::Orders)),
    (
        "/api/admin/platform/retry",
        Access::Needs(Permission::Orders),
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
