//! The benchmark's yardstick for rendering: the home page written by hand
//! with `maud`, from the same queries the Leptos page makes (the catalog's
//! page and count, its brands, the best sellers, and for a shopper who
//! they are and their cart), in the same server behind the same layers.
//! `make bench` checks its visible text equal to the Leptos page's and
//! reports Leptos ÷ hand-written. Served only with `BENCH_ENDPOINTS=true`,
//! at `GET /_bench/twin/` (the home page's query: `page`, `per_page`,
//! `sort`, `brand`, `q`, read and linked as the Leptos page does, by
//! [`CatalogView`]).

use app::{
    accounts::store as accounts,
    cart::store::CartOwner,
    catalog::{store as catalog, Product, ProductPage, ProductQuery, Sort},
    components::page_numbers,
    db::{now_millis, Db},
    identity::{UserId, USER_ID_KEY},
    likes::{like_attributes, like_label},
    locale::{td_string, Locale},
    money::show_points,
    pages::CatalogView,
    platform::{embedded, TopProduct, TOP_WINDOW_DAYS},
    url::{encode, login_href},
};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Extension,
};
use maud::{html, Markup, DOCTYPE};
use tower_sessions::Session;

/// What the header shows of a shopper.
struct Shopper {
    login_id: String,
    points: i64,
    admin: bool,
}

/// `GET /_bench/twin/`: the home page, by hand.
pub async fn home(
    State(db): State<Db>,
    Extension(locale): Extension<Locale>,
    session: Session,
    Query(view): Query<CatalogView>,
) -> Response {
    match render(&db, locale, session, view).await {
        Ok(page) => page.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn render(
    db: &Db,
    locale: Locale,
    session: Session,
    view: CatalogView,
) -> anyhow::Result<Markup> {
    let user: Option<UserId> = session.get(USER_ID_KEY).await?;
    let query = ProductQuery::parse(
        view.page.as_deref(),
        view.per_page.as_deref(),
        view.sort.as_deref(),
        view.brand.as_deref(),
        view.q.as_deref(),
    )?;
    let shopper = match user {
        Some(id) => accounts::me(db, id).await?.map(|me| Shopper {
            login_id: me.login_id,
            points: me.points,
            admin: me.role.is_some(),
        }),
        None => None,
    };
    let owner = match user {
        Some(id) => CartOwner::User(id),
        None => CartOwner::Guest(session),
    };
    let cart_count = owner.cart(db).await?.item_count;
    let products = catalog::list(db, &query, user, locale).await?;
    let brands = catalog::brands(db).await?;
    let top = embedded::top_products(db, now_millis(), locale).await?;
    let here = view.href(view.page.as_deref().and_then(|p| p.parse().ok()));
    Ok(document(
        locale,
        header(locale, &here, cart_count, shopper.as_ref()),
        catalog_section(locale, &view, &products, &brands, &top, shopper.is_some()),
    ))
}

fn document(locale: Locale, header: Markup, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                link rel="icon" type="image/svg+xml" href="/favicon.svg";
                link id="leptos" rel="stylesheet" href="/pkg/storefront.css";
                meta name="description" content=(td_string!(locale, catalog.description));
                title { (td_string!(locale, common.title, page = td_string!(locale, catalog.shop))) }
            }
            body {
                (header)
                main class="page" { (main) }
                footer class="site-footer" { p { (td_string!(locale, common.footer)) } }
            }
        }
    }
}

/// A value of a Leptos island as the server writes it.
fn island(component: &str, props: &str, inner: Markup) -> Markup {
    html! {
        leptos-island data-component=(component) data-props=(props) { (inner) }
    }
}

fn header(locale: Locale, here: &str, cart_count: i64, shopper: Option<&Shopper>) -> Markup {
    html! {
        header class="site-header" {
            a class="logo" href="/" { (td_string!(locale, common.shop_name)) }
            nav class="site-nav" aria-label=(td_string!(locale, common.main_nav)) {
                a href="/" { (td_string!(locale, common.shop)) }
                a href="/likes" { (td_string!(locale, common.likes)) }
                a href="/coupons" { (td_string!(locale, coupons.coupons)) }
                a href="/cart" class="cart-link" {
                    (td_string!(locale, common.cart)) " "
                    span class="cart-count" data-testid="cart-count" {
                        (island("Live", &format!(r#"{{"what":"CartCount","value":{cart_count}}}"#), html! { (cart_count) }))
                    }
                }
                @match shopper {
                    Some(shopper) => {
                        a href="/account" class="who" data-testid="current-user" { (shopper.login_id) }
                        a href="/points" class="balance" data-testid="balance" title=(td_string!(locale, common.your_points)) {
                            (island("Live", &format!(r#"{{"what":"Balance","value":{}}}"#, shopper.points), html! { (show_points(shopper.points, locale)) }))
                        }
                        @if shopper.admin {
                            a href="/admin" data-testid="admin-link" { (td_string!(locale, common.admin)) }
                        }
                        form method="post" action="/api/logout" class="logout" {
                            input type="hidden" name="next" value="/";
                            button type="submit" class="link-button" { (td_string!(locale, common.log_out)) }
                        }
                    }
                    None => {
                        a href="/login" { (td_string!(locale, common.log_in)) }
                        a href="/signup" { (td_string!(locale, common.sign_up)) }
                    }
                }
                span class="languages" role="group" aria-label=(td_string!(locale, common.language)) {
                    @for to in [Locale::ko, Locale::en] {
                        a href=(format!("/language?lang={}&next={}", to.tag(), encode(here)))
                            lang=(to.tag()) hreflang=(to.tag())
                            aria-current=[(to == locale).then_some("true")]
                            data-testid=(format!("language-{}", to.tag())) {
                            (td_string!(to, common.language_name))
                        }
                    }
                }
            }
        }
    }
}

fn catalog_section(
    locale: Locale,
    view: &CatalogView,
    products: &ProductPage,
    brands: &[String],
    top: &[TopProduct],
    logged_in: bool,
) -> Markup {
    let current_sort = view.sort();
    html! {
        h1 class="page-title" { (view.heading(locale)) }
        (best_sellers(locale, top))
        section class="catalog" {
            div class="catalog__toolbar" {
                form method="get" action="/" class="search" role="search" {
                    input type="search" name="q" placeholder=(td_string!(locale, catalog.search_products))
                        aria-label=(td_string!(locale, catalog.search_products))
                        value=(view.q.as_deref().unwrap_or_default());
                    @if let Some(sort) = view.sort.as_deref().filter(|v| !v.is_empty()) { input type="hidden" name="sort" value=(sort); }
                    @if let Some(brand) = view.brand.as_deref().filter(|v| !v.is_empty()) { input type="hidden" name="brand" value=(brand); }
                    button type="submit" { (td_string!(locale, catalog.search)) }
                }
                nav class="sorts" aria-label=(td_string!(locale, catalog.sort)) {
                    @for sort in Sort::ALL {
                        @let link = view.with_sort(sort);
                        a href=(link.href(None)) aria-current=[(current_sort == sort).then_some("true")] class="chip" { (sort.label(locale)) }
                    }
                }
            }
            nav class="brands" aria-label=(td_string!(locale, catalog.brands)) {
                a class="chip" href=(view.with_brand(None).href(None))
                    aria-current=[view.brand.is_none().then_some("true")] { (td_string!(locale, catalog.all_brands)) }
                @for brand in brands {
                    a class="chip" href=(view.with_brand(Some(brand.clone())).href(None))
                        aria-current=[(view.brand.as_deref() == Some(brand.as_str())).then_some("true")] { (brand) }
                }
            }
            @if products.items.is_empty() {
                p class="empty" data-testid="empty" { (td_string!(locale, catalog.no_match)) }
            } @else {
                p class="catalog__count" data-testid="result-count" { (td_string!(locale, catalog.result_count, total = products.total)) }
                div class="product-grid" data-testid="product-grid" {
                    @for product in &products.items { (card(locale, product, logged_in, &view.href(Some(products.page)))) }
                }
                (pagination(locale, products.page, products.page_count(), |p| view.href(Some(p))))
            }
        }
    }
}

fn best_sellers(locale: Locale, top: &[TopProduct]) -> Markup {
    html! {
        section class="best-sellers" aria-labelledby="best-sellers-title" data-testid="best-sellers" {
            div class="best-sellers__head" {
                h2 id="best-sellers-title" { (td_string!(locale, catalog.best_sellers_strip, days = TOP_WINDOW_DAYS)) }
                a href="/best-sellers" { (td_string!(locale, catalog.see_chart)) }
            }
            @if top.is_empty() {
                p class="empty" { (td_string!(locale, catalog.nothing_sold)) }
            } @else {
                ol class="best-sellers__list" {
                    @for item in top {
                        li data-testid="best-seller" {
                            a href=(format!("/products/{}", item.product_id)) {
                                img src=(item.image) alt="" width="64" height="64" loading="lazy";
                                span class="best-sellers__name" { (item.name) }
                            }
                            span class="best-sellers__sold" { (td_string!(locale, catalog.sold, count = item.quantity_sold)) }
                        }
                    }
                }
            }
        }
    }
}

const ENHANCE: &str = "Enhance";

fn enhance(then: &str, form: Markup) -> Markup {
    island(
        ENHANCE,
        &format!(r#"{{"then":"{then}","next":null,"refresh":null,"alert_id":null}}"#),
        html! { div aria-busy="false" class="enhanced" { leptos-children { (form) } } },
    )
}

fn card(locale: Locale, product: &Product, logged_in: bool, here: &str) -> Markup {
    let href = format!("/products/{}", product.id);
    let sold_out = product.sold_out();
    html! {
        article class="product-card" data-testid="product-card" {
            a href=(href) class="product-card__image" tabindex="-1" aria-hidden="true" {
                img src=(product.image) alt="" loading="lazy" width="400" height="400";
            }
            div class="product-card__body" {
                p class="product-card__brand" { (product.brand) }
                h2 class="product-card__name" { a href=(href) { (product.name) } }
                p class="product-card__price" data-testid="price" data-price=(product.price.get()) { (product.price.show(locale)) }
                @if !sold_out {
                    (enhance("SayAdded", html! {
                        form method="post" action="/api/cart/add" class="add-to-cart" {
                            input type="hidden" name="product_id" value=(product.id);
                            button type="submit" data-testid="add-to-cart" { (td_string!(locale, common.add_to_cart)) }
                        }
                    }))
                }
                div class="product-card__meta" {
                    @if sold_out {
                        span class="badge badge--sold-out" { (td_string!(locale, common.sold_out)) }
                    } @else {
                        span class="stock" { (td_string!(locale, common.in_stock, count = product.stock)) }
                    }
                    div class="like" {
                        @if logged_in {
                            @let [(_, pressed), (_, title)] = like_attributes(product.liked, locale);
                            (enhance("Like", html! {
                                form method="post" action=(app::likes::like_action(product.liked)) {
                                    input type="hidden" name="product_id" value=(product.id);
                                    button type="submit" class="like-button" data-testid="like-button"
                                        aria-pressed=(pressed) title=(title) data-count=(product.like_count) {
                                        (like_label(product.liked, product.like_count))
                                    }
                                }
                            }))
                        } @else {
                            a class="like-button" data-testid="like-button" href=(login_href(here.split('?').next().unwrap_or("/")))
                                title=(td_string!(locale, common.log_in_to_like)) {
                                (like_label(product.liked, product.like_count))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn pagination(
    locale: Locale,
    current: u32,
    page_count: u32,
    link: impl Fn(u32) -> String,
) -> Markup {
    html! {
        @if page_count > 1 {
            nav class="pagination" aria-label=(td_string!(locale, common.pages)) {
                @if current > 1 { a href=(link(current - 1)) rel="prev" { (td_string!(locale, common.previous)) } }
                @for p in page_numbers(current, page_count) {
                    @match p {
                        Some(p) => a href=(link(p)) aria-current=[(p == current).then_some("page")] class="page-link" { (p) },
                        None => span class="page-gap" { "…" },
                    }
                }
                @if current < page_count { a href=(link(current + 1)) rel="next" { (td_string!(locale, common.next)) } }
            }
        }
    }
}
