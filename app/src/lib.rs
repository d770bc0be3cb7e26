#![recursion_limit = "256"]
//! The storefront: pages, components and server functions, with the
//! server-only store code of each domain behind the `ssr` feature.

// The modules depend downward only, in this order (each uses only those
// before it): locale; http_status, security; error; money, dates, paging,
// url; web (the islands' browser side); head; db; identity; flash; staff,
// audit; catalog; platform; payments; likes, points, cart, coupons,
// addresses, shipping; orders; accounts; admin (the operator's side, a layer above the
// domains); components; pages.
pub mod accounts;
pub mod addresses;
pub mod admin;
pub mod audit;
pub mod cart;
pub mod catalog;
pub mod components;
pub mod coupons;
pub mod dates;
#[cfg(feature = "ssr")]
pub mod db;
pub mod error;
pub mod flash;
pub mod head;
#[cfg(feature = "ssr")]
pub mod http_status;
pub mod identity;
pub mod likes;
pub mod locale;
pub mod money;
pub mod orders;
pub mod pages;
pub mod paging;
pub mod payments;
pub mod platform;
pub mod points;
#[cfg(feature = "ssr")]
pub mod schema;
#[cfg(feature = "ssr")]
pub mod security;
pub mod shipping;
pub mod staff;
pub mod text;
pub mod url;
pub mod web;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's Content Security Policy, with this render's nonce.
    #[cfg(feature = "ssr")]
    security::set_page_policy();
    let locale = locale::Locale::current();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                // With hashed file names (release builds) the names come
                // from the build's hash.txt; the files are then cached for good.
                <link id="leptos" rel="stylesheet" href=head::stylesheet_href(&options) />
                // Islands: only the interactive parts of a page hydrate.
                <head::IslandScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    accounts::Auth::provide();
    cart::CartState::provide();

    // Resolved once for the page; every component reads it from here.
    let locale = locale::Locale::current();
    provide_context(locale);
    view! {
        <Title formatter=move |title: String| head::title(locale, &title) />
        // Every page is rendered whole before it is sent (`SsrMode::Async`):
        // it then works with JS off, and its status (404, redirects) is right.
        <Router>
            <components::ShopState>
                <components::Header />
                <main class="page">
                    <components::FlashNotice />
                    <Routes fallback=|| view! { <pages::NotFound /> }>
                        <Route path=path!("/") view=pages::HomePage ssr=SsrMode::Async />
                        <Route path=path!("/products/:id") view=pages::ProductPage ssr=SsrMode::Async />
                        <Route path=path!("/login") view=pages::LoginPage ssr=SsrMode::Async />
                        <Route path=path!("/signup") view=pages::SignupPage ssr=SsrMode::Async />
                        <Route path=path!("/account") view=pages::AccountPage ssr=SsrMode::Async />
                        <Route path=path!("/account/addresses") view=pages::AddressesPage ssr=SsrMode::Async />
                        <Route path=path!("/points") view=pages::PointsPage ssr=SsrMode::Async />
                        <Route path=path!("/likes") view=pages::LikesPage ssr=SsrMode::Async />
                        <Route path=path!("/cart") view=pages::CartPage ssr=SsrMode::Async />
                        <Route path=path!("/checkout") view=pages::CheckoutPage ssr=SsrMode::Async />
                        <Route path=path!("/coupons") view=pages::CouponsPage ssr=SsrMode::Async />
                        <Route path=path!("/best-sellers") view=pages::BestSellersPage ssr=SsrMode::Async />
                        <Route path=path!("/orders") view=pages::OrdersPage ssr=SsrMode::Async />
                        <Route path=path!("/orders/:id") view=pages::OrderDetailPage ssr=SsrMode::Async />
                        <Route path=path!("/admin") view=pages::admin::DashboardPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/products") view=pages::admin::ProductsAdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/products/new") view=pages::admin::NewProductPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/products/:id") view=pages::admin::ProductAdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/orders") view=pages::admin::OrdersAdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/orders/:id") view=pages::admin::OrderAdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/customers") view=pages::admin::CustomersAdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/customers/:id") view=pages::admin::CustomerAdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/platform") view=pages::admin::PlatformPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/staff") view=pages::admin::StaffPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/coupons") view=pages::admin::CouponsAdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/coupons/:id") view=pages::admin::CouponAdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/audit") view=pages::admin::AuditPage ssr=SsrMode::Async />
                    </Routes>
                </main>
                <components::Footer />
            </components::ShopState>
        </Router>
    }
}

/// Runs in the browser once the wasm has loaded, before the islands of
/// the page hydrate (the loader script walks the page right after this
/// returns, in the same task). The `data-hydrated` mark on `<body>` is set
/// in the next task, when every island is live, so tests (and people
/// debugging) can tell server HTML from a page that responds.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Readable panics in the console are a debugging aid; release builds
    // leave the hook (and its formatting code) out of the wasm.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    set_timeout(
        || {
            if let Some(body) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.body())
            {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
