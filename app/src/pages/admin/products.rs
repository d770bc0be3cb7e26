use super::{loading, AdminError, AdminNav};
use crate::{
    admin::catalog::admin_products,
    catalog::edit::AdminProductPage,
    components::Pagination,
    locale::{td_string, Locale},
    url::encode,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/admin/products?q&on_sale&page`: every product, on sale or not.
#[component]
pub fn ProductsAdminPage() -> impl IntoView {
    let locale = Locale::current();
    let (page, q, on_sale) =
        use_query_map().with_untracked(|m| (m.get("page"), m.get("q"), m.get("on_sale")));
    let products = OnceResource::new(admin_products(page, None, q.clone(), on_sale.clone()));
    let sale = on_sale.clone().unwrap_or_default();
    let option = move |value: &'static str, text: &'static str| {
        view! { <option value=value selected=sale == value>{text}</option> }
    };
    view! {
        <Title text=td_string!(locale, admin.products) />
        <section class="admin">
            <AdminNav />
            <h1>{td_string!(locale, admin.products)}</h1>
            <form method="get" action="/admin/products" class="admin-filter" role="search">
                <label>
                    {td_string!(locale, admin.search_products)}
                    <input type="search" name="q" value=q.clone().unwrap_or_default() maxlength="100" />
                </label>
                <label>
                    {td_string!(locale, admin.sale_state)}
                    <select name="on_sale">
                        {option("", td_string!(locale, admin.all))}
                        {option("true", td_string!(locale, admin.on_sale))}
                        {option("false", td_string!(locale, admin.off_sale))}
                    </select>
                </label>
                <button type="submit">{td_string!(locale, admin.find)}</button>
            </form>
            <p><a class="button" href="/admin/products/new">{td_string!(locale, admin.new_product)}</a></p>
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    let (q, on_sale) = (q.clone(), on_sale.clone());
                    match products.await {
                        Ok(page) => view! { <ProductTable page q on_sale /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ProductTable(
    page: AdminProductPage,
    q: Option<String>,
    on_sale: Option<String>,
) -> impl IntoView {
    let locale = Locale::current();
    if page.items.is_empty() {
        return view! { <p class="empty">{td_string!(locale, admin.no_products)}</p> }.into_any();
    }
    let page_count = crate::paging::Paging::page_count(page.total, page.per_page);
    let href = move |n: u32| {
        format!(
            "/admin/products?q={}&on_sale={}&page={n}",
            encode(q.as_deref().unwrap_or_default()),
            encode(on_sale.as_deref().unwrap_or_default())
        )
    };
    view! {
        <p>{td_string!(locale, admin.product_count, count = page.total)}</p>
        <table class="admin-table" data-testid="admin-products">
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, admin.sku)}</th>
                    <th scope="col">{td_string!(locale, admin.name)}</th>
                    <th scope="col">{td_string!(locale, admin.brand)}</th>
                    <th scope="col">{td_string!(locale, admin.price)}</th>
                    <th scope="col">{td_string!(locale, admin.stock)}</th>
                    <th scope="col">{td_string!(locale, admin.sale_state)}</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|p| {
                        let state = if p.on_sale {
                            td_string!(locale, admin.on_sale)
                        } else {
                            td_string!(locale, admin.off_sale)
                        };
                        let sku = p.sku.clone();
                        view! {
                            <tr data-testid="admin-product-row" data-sku=sku>
                                <td>{p.sku}</td>
                                <td><a href=format!("/admin/products/{}", p.id)>{p.name}</a></td>
                                <td>{p.brand}</td>
                                <td class="num">{p.price.show(locale)}</td>
                                <td class="num">{p.stock}</td>
                                <td>{state}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Pagination current=page.page page_count href label=td_string!(locale, admin.product_pages) />
    }
    .into_any()
}
