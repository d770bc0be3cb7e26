use crate::{
    components::ErrorNotice,
    locale::{td_string, Locale},
    platform::{top_products, BestSellers, TOP_WINDOW_DAYS},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// The home page's strip: the five best sellers of the last three days.
#[component]
pub fn BestSellersStrip() -> impl IntoView {
    let top = OnceResource::new(top_products());
    let locale = Locale::current();
    view! {
        <section class="best-sellers" aria-labelledby="best-sellers-title" data-testid="best-sellers">
            <div class="best-sellers__head">
                <h2 id="best-sellers-title">{td_string!(locale, catalog.best_sellers_strip, days = TOP_WINDOW_DAYS)}</h2>
                <a href="/best-sellers">{td_string!(locale, catalog.see_chart)}</a>
            </div>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {move || {
                    top.get().map(|r| match r {
                        Ok(best) if best.items.is_empty() => view! {
                            <p class="empty">{td_string!(locale, catalog.nothing_sold)}</p>
                        }.into_any(),
                        Ok(best) => view! {
                            <ol class="best-sellers__list">
                                {best.items.into_iter().map(|item| view! {
                                    <li data-testid="best-seller">
                                        <a href=format!("/products/{}", item.product_id)>
                                            <img src=item.image alt="" width="64" height="64" loading="lazy" />
                                            <span class="best-sellers__name">{item.name}</span>
                                        </a>
                                        <span class="best-sellers__sold">{td_string!(locale, catalog.sold, count = item.quantity_sold)}</span>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}

/// `/best-sellers`: the five with their quantities as a bar chart. The
/// chart is a table, so the figures are there as text without CSS or JS.
#[component]
pub fn BestSellersPage() -> impl IntoView {
    let top = OnceResource::new(top_products());
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, catalog.best_sellers) />
        <Meta name="description" content=td_string!(locale, catalog.best_sellers_description) />
        <section class="best-sellers-page">
            <h1>{td_string!(locale, catalog.best_sellers)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {move || {
                    top.get().map(|r| match r {
                        Ok(best) => view! { <BestSellersChart best /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn BestSellersChart(best: BestSellers) -> impl IntoView {
    let locale = Locale::current();
    if best.items.is_empty() {
        return view! { <p class="empty">{td_string!(locale, catalog.nothing_sold)}</p> }
            .into_any();
    }
    let most = best
        .items
        .iter()
        .map(|i| i.quantity_sold)
        .max()
        .unwrap_or(1)
        .max(1);
    view! {
        <table class="bar-chart" data-testid="best-sellers-chart">
            <caption>{td_string!(locale, catalog.chart_caption, days = best.window_days)}</caption>
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, catalog.product)}</th>
                    <th scope="col">{td_string!(locale, catalog.units_sold)}</th>
                </tr>
            </thead>
            <tbody>
                {best.items.into_iter().map(|item| {
                    // A bar drawn by SVG's own width attribute: the page's
                    // policy allows no inline style.
                    let width = (item.quantity_sold * 100 / most).max(1).to_string();
                    view! {
                        <tr data-testid="best-seller-row">
                            <th scope="row">
                                <a href=format!("/products/{}", item.product_id)>{item.name}</a>
                            </th>
                            <td>
                                <svg class="bar-chart__bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                                    <rect width=width height="10" rx="2" />
                                </svg>
                                <span class="bar-chart__value" data-testid="best-seller-quantity">{item.quantity_sold}</span>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
