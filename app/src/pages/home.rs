use crate::url::encode;
use crate::{
    accounts::use_auth,
    catalog::{list_brands, list_products, ProductPage, Sort},
    components::{ErrorNotice, Pagination, ProductCard},
    locale::{td_string, Locale},
    pages::BestSellersStrip,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

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
    let query = use_query_map();
    let view_state = Memo::new(move |_| {
        query.with(|q| CatalogView {
            page: q.get("page"),
            per_page: q.get("per_page"),
            sort: q.get("sort"),
            brand: q.get("brand"),
            q: q.get("q"),
        })
    });
    let products = Resource::new(
        move || view_state.get(),
        |v| list_products(v.page, v.per_page, v.sort, v.brand, v.q),
    );
    let brands = Resource::new(|| (), |_| list_brands());

    view! {
        <Title text=td_string!(locale, catalog.shop) />
        <Meta name="description" content=td_string!(locale, catalog.description) />
        <h1 class="page-title">{move || view_state.get().heading(locale)}</h1>
        <BestSellersStrip />
        <section class="catalog">
            <div class="catalog__toolbar">
                <form method="get" action="/" class="search" role="search">
                    <input
                        type="search"
                        name="q"
                        placeholder=td_string!(locale, catalog.search_products)
                        aria-label=td_string!(locale, catalog.search_products)
                        value=move || view_state.get().q.unwrap_or_default()
                    />
                    // The sort and the brand stay as they are; empty ones are left out.
                    {move || {
                        let v = view_state.get();
                        let kept = |name: &'static str, value: Option<String>| {
                            value
                                .filter(|v| !v.is_empty())
                                .map(|value| view! { <input type="hidden" name=name value=value /> })
                        };
                        (kept("sort", v.sort), kept("brand", v.brand))
                    }}
                    <button type="submit">{td_string!(locale, catalog.search)}</button>
                </form>
                <nav class="sorts" aria-label=td_string!(locale, catalog.sort)>
                    {Sort::ALL
                        .into_iter()
                        .map(|sort| {
                            let href = move || view_state.get().with_sort(sort).href(None);
                            let current = move || (view_state.get().sort() == sort).then_some("true");
                            view! {
                                <a href=href aria-current=current class="chip">{sort.label(locale)}</a>
                            }
                        })
                        .collect_view()}
                </nav>
            </div>
            <nav class="brands" aria-label=td_string!(locale, catalog.brands)>
                <a
                    class="chip"
                    href=move || view_state.get().with_brand(None).href(None)
                    aria-current=move || view_state.get().brand.is_none().then_some("true")
                >
                    {td_string!(locale, catalog.all_brands)}
                </a>
                <Suspense>
                    {move || {
                        brands
                            .get()
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|brand| {
                                let b = brand.clone();
                                let href = move || view_state.get().with_brand(Some(b.clone())).href(None);
                                let b = brand.clone();
                                let current = move || {
                                    (view_state.get().brand.as_deref() == Some(b.as_str())).then_some("true")
                                };
                                view! { <a class="chip" href=href aria-current=current>{brand}</a> }
                            })
                            .collect_view()
                    }}
                </Suspense>
            </nav>
            <Transition fallback=move || view! { <p class="loading">{td_string!(locale, catalog.loading_products)}</p> }>
                {move || {
                    // Both resources are read here, at the top of this one
                    // boundary: the like buttons need the login state.
                    let logged_in = auth.user.get().map(|user| user.is_ok());
                    products
                        .get()
                        .zip(logged_in)
                        .map(|(result, logged_in)| match result {
                            Ok(page) => view! { <ProductGrid page view_state logged_in /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn ProductGrid(page: ProductPage, view_state: Memo<CatalogView>, logged_in: bool) -> impl IntoView {
    let page_count = page.page_count();
    let current = page.page;
    let total = page.total;
    let locale = Locale::current();
    if page.items.is_empty() {
        return view! { <p class="empty" data-testid="empty">{td_string!(locale, catalog.no_match)}</p> }.into_any();
    }
    let link = move |p: u32| view_state.get_untracked().href(Some(p));
    view! {
        <p class="catalog__count" data-testid="result-count">{td_string!(locale, catalog.result_count, total)}</p>
        <div class="product-grid" data-testid="product-grid">
            {page.items.into_iter().map(|product| view! { <ProductCard product logged_in /> }).collect_view()}
        </div>
        <Pagination current page_count href=link />
    }
    .into_any()
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
