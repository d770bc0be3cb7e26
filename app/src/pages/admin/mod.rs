//! The operator's pages under `/admin`: server-rendered like the shop's,
//! every form working without JS and sent by the `Enhance` island with it.
//! Each page reads through the admin server functions, so it shows what
//! their permission checks allow: a shopper gets the 403 page.

mod audit;
mod coupons;
mod customer;
mod customers;
mod dashboard;
mod new_product;
mod order;
mod orders;
mod platform;
mod product;
mod products;
mod staff;
mod variants;

pub use audit::AuditPage;
pub use coupons::{CouponAdminPage, CouponsAdminPage};
pub use customer::CustomerAdminPage;
pub use customers::CustomersAdminPage;
pub use dashboard::DashboardPage;
pub use new_product::NewProductPage;
pub use order::OrderAdminPage;
pub use orders::OrdersAdminPage;
pub use platform::PlatformPage;
pub use product::ProductAdminPage;
pub use products::ProductsAdminPage;
pub use staff::StaffPage;

use crate::{
    components::ErrorNotice,
    error::AppError,
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// The operator's own navigation, on every admin page.
#[component]
fn AdminNav() -> impl IntoView {
    let locale = Locale::current();
    let here = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let link = move |href: &'static str, text: &'static str| {
        let current = (here == href).then_some("page");
        view! { <a href=href aria-current=current>{text}</a> }
    };
    view! {
        <Meta name="description" content=td_string!(locale, admin.description) />
        <nav class="admin-nav" aria-label=td_string!(locale, admin.nav)>
            {link("/admin", td_string!(locale, admin.dashboard))}
            {link("/admin/products", td_string!(locale, admin.products))}
            {link("/admin/products/new", td_string!(locale, admin.new_product))}
            {link("/admin/orders", td_string!(locale, admin.orders))}
            {link("/admin/customers", td_string!(locale, admin.customers))}
            {link("/admin/coupons", td_string!(locale, admin.coupons))}
            {link("/admin/platform", td_string!(locale, admin.platform))}
            {link("/admin/staff", td_string!(locale, admin.staff))}
            {link("/admin/audit", td_string!(locale, admin.audit))}
        </nav>
    }
}

/// A page the caller may not see, or that failed: the error, with its
/// status (403 for a shopper).
#[component]
fn AdminError(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::http_status::set_response_status(error.status());
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, admin.not_allowed) />
        <ErrorNotice error />
    }
}

/// While a page's data is on its way.
fn loading(locale: Locale) -> impl IntoView {
    view! { <p class="loading">{td_string!(locale, common.loading)}</p> }
}
