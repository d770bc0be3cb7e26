use crate::url::encode;
use crate::{
    accounts::use_auth,
    catalog::{list_brands, list_products, shown_brands, ProductPage, Sort, HOME_BRANDS},
    components::{ErrorNotice, Pagination, ProductCard},
    locale::{td_string, Locale},
    pages::BestSellersStrip,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use std::future::IntoFuture;

/// What the grid shows, as it stands in the URL (`/?sort=&brand=&q=&page=`),
/// so a link reproduces the view. (The benchmark's hand-written home page
/// reads its query into one too.)
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
pub struct CatalogView {
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub sort: Option<String>,
    pub brand: Option<String>,
    pub q: Option<String>,
}

impl CatalogView {
    pub fn sort(&self) -> Sort {
        self.sort
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or_default()
    }

    /// The URL of this view; `page` is dropped unless asked for, since a new
    /// sort or filter starts again at page 1.
    pub fn href(&self, page: Option<u32>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut push = |key, value: &Option<String>| {
            if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
                pairs.push((key, v.clone()));
            }
        };
        push("q", &self.q);
        push("brand", &self.brand);
        push("sort", &self.sort);
        push("per_page", &self.per_page);
        if let Some(page) = page.filter(|p| *p > 1) {
            pairs.push(("page", page.to_string()));
        }
        if pairs.is_empty() {
            return "/".to_string();
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect();
        format!("/?{}", query.join("&"))
    }

    /// The page's heading: what the list shows.
    pub fn heading(&self, locale: Locale) -> String {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        match (given(&self.brand), given(&self.q)) {
            (Some(brand), Some(q)) => {
                td_string!(locale, catalog.brand_and_search, brand, q).to_string()
            }
            (Some(brand), None) => brand,
            (None, Some(q)) => td_string!(locale, catalog.results_for, q).to_string(),
            (None, None) => td_string!(locale, catalog.all_products).to_string(),
        }
    }

    pub fn with_sort(&self, sort: Sort) -> Self {
        let sort = (sort != Sort::Latest).then(|| sort.as_str().to_string());
        Self {
            sort,
            ..self.clone()
        }
    }

    pub fn with_brand(&self, brand: Option<String>) -> Self {
        Self {
            brand,
            ..self.clone()
        }
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let locale = Locale::current();
    let auth = use_auth();
    // Read once: a new view is a new page load (only islands hydrate, so
    // nothing on this page is rendered again in the browser). The page is
    // built from plain values once its data is in, in one boundary: no
    // reactive closure, memo or resource of its own to set up per render.
    let view_state = use_query_map().with_untracked(|q| CatalogView {
        page: q.get("page"),
        per_page: q.get("per_page"),
        sort: q.get("sort"),
        brand: q.get("brand"),
        q: q.get("q"),
    });
    let heading = view_state.heading(locale);
    // Loaded in a task of its own, beside the header's and the best
    // sellers': a future that only the render polled would hold its pool
    // connection while the render waits for the others.
    let data = {
        let v = view_state.clone();
        OnceResource::new(async move {
            futures::join!(
                list_products(v.page, v.per_page, v.sort, v.brand, v.q),
                list_brands(Some(HOME_BRANDS.to_string()))
            )
        })
    };
    let catalog = Suspend::new(async move {
        let ((products, brands), user) =
            futures::join!(data.into_future(), auth.user.into_future());
        let logged_in = user.is_ok();
        view! { <Catalog view_state products brands=brands.unwrap_or_default() logged_in /> }
    });
    view! {
        <Title text=td_string!(locale, catalog.shop) />
        <Meta name="description" content=td_string!(locale, catalog.description) />
        <h1 class="page-title">{heading}</h1>
        <BestSellersStrip />
        <Suspense>{catalog}</Suspense>
    }
}

/// The catalog's toolbar, brands and grid, for one view.
#[component]
fn Catalog(
    view_state: CatalogView,
    products: Result<ProductPage, crate::error::AppError>,
    brands: Vec<String>,
    logged_in: bool,
) -> impl IntoView {
    let locale = Locale::current();
    let v = &view_state;
    let current_sort = v.sort();
    // The sort and the brand stay as they are when searching; empty ones are left out.
    let kept = |name: &'static str, value: &Option<String>| {
        value
            .clone()
            .filter(|v| !v.is_empty())
            .map(|value| view! { <input type="hidden" name=name value=value /> })
    };
    let sorts = Sort::ALL
        .into_iter()
        .map(|sort| {
            let href = v.with_sort(sort).href(None);
            let current = (current_sort == sort).then_some("true");
            view! { <a href=href aria-current=current class="chip">{sort.label(locale)}</a> }
        })
        .collect_view();
    let found = products.as_ref().is_ok_and(|page| page.total > 0);
    let brand_links = shown_brands(brands, v.brand.as_deref(), found)
        .into_iter()
        .map(|brand| {
            let href = v.with_brand(Some(brand.clone())).href(None);
            let current = (v.brand.as_deref() == Some(brand.as_str())).then_some("true");
            view! { <a class="chip" href=href aria-current=current>{brand}</a> }
        })
        .collect_view();
    let all_brands_href = v.with_brand(None).href(None);
    let all_brands_current = v.brand.is_none().then_some("true");
    let hidden = (kept("sort", &v.sort), kept("brand", &v.brand));
    let search = v.q.clone().unwrap_or_default();
    let grid = match products {
        Ok(page) => Either::Left(view! { <ProductGrid page view_state logged_in /> }),
        Err(error) => Either::Right(view! { <ErrorNotice error /> }),
    };
    view! {
        <section class="catalog">
            <div class="catalog__toolbar">
                <form method="get" action="/" class="search" role="search">
                    <input
                        type="search"
                        name="q"
                        placeholder=td_string!(locale, catalog.search_products)
                        aria-label=td_string!(locale, catalog.search_products)
                        value=search
                    />
                    {hidden}
                    <button type="submit">{td_string!(locale, catalog.search)}</button>
                </form>
                <nav class="sorts" aria-label=td_string!(locale, catalog.sort)>{sorts}</nav>
            </div>
            <nav class="brands" aria-label=td_string!(locale, catalog.brands)>
                <a class="chip" href=all_brands_href aria-current=all_brands_current>
                    {td_string!(locale, catalog.all_brands)}
                </a>
                {brand_links}
            </nav>
            {grid}
        </section>
    }
}

#[component]
fn ProductGrid(page: ProductPage, view_state: CatalogView, logged_in: bool) -> impl IntoView {
    let page_count = page.page_count();
    let current = page.page;
    let total = crate::money::grouped(page.total);
    let capped = page.total_capped;
    let locale = Locale::current();
    if page.items.is_empty() {
        return Either::Left(
            view! { <p class="empty" data-testid="empty">{td_string!(locale, catalog.no_match)}</p> },
        );
    }
    let link = move |p: u32| view_state.href(Some(p));
    Either::Right(view! {
        <p class="catalog__count" data-testid="result-count">
            {if capped {
                td_string!(locale, catalog.result_count_more, total).to_string()
            } else {
                td_string!(locale, catalog.result_count, total).to_string()
            }}
        </p>
        <div class="product-grid" data-testid="product-grid">
            {page.items.into_iter().map(|product| view! { <ProductCard product logged_in /> }).collect_view()}
        </div>
        <Pagination current page_count href=link />
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_keep_the_view_and_reset_the_page() {
        let v = CatalogView {
            q: Some("red tee".into()),
            brand: Some("Mireu".into()),
            page: Some("3".into()),
            ..Default::default()
        };
        assert_eq!(v.href(None), "/?q=red+tee&brand=Mireu");
        assert_eq!(v.href(Some(2)), "/?q=red+tee&brand=Mireu&page=2");
        assert_eq!(
            v.with_sort(Sort::PriceAsc).href(None),
            "/?q=red+tee&brand=Mireu&sort=price_asc"
        );
        assert_eq!(
            v.with_sort(Sort::Latest).with_brand(None).href(None),
            "/?q=red+tee"
        );
        assert_eq!(CatalogView::default().href(Some(1)), "/");
    }
}
