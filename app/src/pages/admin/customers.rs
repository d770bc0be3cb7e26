use super::{loading, AdminError, AdminNav};
use crate::{
    accounts::customers::{CustomerPage, MAX_SEARCH},
    admin::orders::admin_customers,
    components::Pagination,
    locale::{td_string, Locale},
    money::show_points,
    url::encode,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/admin/customers?q&page`: every customer, newest first, with their
/// balance and how many orders they placed.
#[component]
pub fn CustomersAdminPage() -> impl IntoView {
    let locale = Locale::current();
    let (page, q) = use_query_map().with_untracked(|m| (m.get("page"), m.get("q")));
    let customers = OnceResource::new(admin_customers(q.clone(), page, None));
    view! {
        <Title text=td_string!(locale, admin.customers) />
        <section class="admin">
            <AdminNav />
            <h1>{td_string!(locale, admin.customers)}</h1>
            <form method="get" action="/admin/customers" class="admin-filter" role="search">
                <label>
                    {td_string!(locale, admin.search_customers)}
                    <input type="search" name="q" value=q.clone().unwrap_or_default() maxlength=MAX_SEARCH />
                </label>
                <button type="submit">{td_string!(locale, admin.find)}</button>
            </form>
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    let q = q.clone();
                    match customers.await {
                        Ok(page) => view! { <CustomerTable page q /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CustomerTable(page: CustomerPage, q: Option<String>) -> impl IntoView {
    let locale = Locale::current();
    if page.items.is_empty() {
        return view! { <p class="empty">{td_string!(locale, admin.no_customers)}</p> }.into_any();
    }
    let page_count = page.page_count();
    let href = move |n: u32| {
        format!(
            "/admin/customers?q={}&page={n}",
            encode(q.as_deref().unwrap_or_default())
        )
    };
    view! {
        <p>{td_string!(locale, admin.customer_count, count = page.total)}</p>
        <table class="admin-table" data-testid="admin-customers">
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, admin.login_id)}</th>
                    <th scope="col">{td_string!(locale, admin.points)}</th>
                    <th scope="col">{td_string!(locale, admin.orders_placed)}</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|c| {
                        let login = c.login_id.clone();
                        view! {
                            <tr data-testid="admin-customer-row" data-login=login>
                                <td><a href=format!("/admin/customers/{}", c.user_id)>{c.login_id}</a></td>
                                <td class="num">{show_points(c.points, locale)}</td>
                                <td class="num">{c.orders}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Pagination current=page.page page_count href label=td_string!(locale, admin.customer_pages) />
    }
    .into_any()
}
