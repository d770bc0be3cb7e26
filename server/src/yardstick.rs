//! The benchmark's yardstick for rendering: the pages of its first section
//! written by hand with `maud`, from the same queries the Leptos pages make
//! (for every page: who the shopper is and their cart, for the header; the
//! home page: the catalog's page and count, its brands, the best sellers;
//! the product page: the product; the cart page: the cart; the orders
//! page: a page of my orders; the checkout page: my balance, my usable
//! coupons, my addresses), in the same server behind the same layers.
//! `make bench` checks each one's visible text equal to the Leptos page's
//! and reports Leptos ÷ hand-written. Served only with
//! `BENCH_ENDPOINTS=true`: `GET /_bench/twin/` (the home page's query:
//! `page`, `per_page`, `sort`, `brand`, `q`, read and linked as the Leptos
//! page does, by [`CatalogView`]), `/_bench/twin/products/{id}`,
//! `/_bench/twin/cart`, and for a logged-in shopper only (a guest gets 401)
//! `/_bench/twin/orders` (`page`) and `/_bench/twin/checkout` (`coupon_id`,
//! `address_id`).

use app::{
    accounts::store as accounts,
    addresses::{Address, AddressId},
    cart::{store::CartOwner, AddToCart, Cart, CartLine, RemoveFromCart, SetCartQuantity},
    catalog::{
        store as catalog,
        variants::{Choice, Choices, ProductWithVariants},
        Availability, Product, ProductId, ProductPage, ProductQuery, Quantity, Sort,
    },
    components::page_numbers,
    dates::format_millis,
    db::{now_millis, Db},
    head::{island_scripts, stylesheet_href},
    identity::{UserId, USER_ID_KEY},
    likes::{like_attributes, like_label},
    locale::{td_string, Locale},
    money::{show_points, Won},
    orders::{
        checkout, parse_coupon_choice, store as orders, CheckoutSummary, CouponChoice, OrderPage,
        OrderStatus, PlaceOrder,
    },
    pages::{line_warning, meta_description, orders::fee_text, CatalogView},
    paging::Paging,
    payments::provider::Payments,
    platform::{embedded, TopProduct, TOP_WINDOW_DAYS},
    shipping::ShippingRates,
    url::{encode, login_href},
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Extension,
};
use leptos::config::LeptosOptions;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;
use server_fn::ServerFn;
use tower_sessions::Session;

/// What the header shows of a shopper.
struct Shopper {
    login_id: String,
    points: i64,
    admin: bool,
}

/// What every page's header needs: the shopper (if logged in) and their cart.
struct Chrome {
    user: Option<UserId>,
    shopper: Option<Shopper>,
    cart: Cart,
}

impl Chrome {
    async fn load(db: &Db, session: Session) -> anyhow::Result<Self> {
        let user: Option<UserId> = session.get(USER_ID_KEY).await?;
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
        let cart = owner.cart(db).await?;
        Ok(Self {
            user,
            shopper,
            cart,
        })
    }

    fn header(&self, locale: Locale, here: &str) -> Markup {
        header(locale, here, self.cart.item_count, self.shopper.as_ref())
    }
}

/// A twin of a page only a shopper sees, asked for by a guest (whom the
/// Leptos page sends to log in).
#[derive(Debug)]
struct LoggedOut;

impl std::fmt::Display for LoggedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("this page is a logged-in shopper's")
    }
}

impl std::error::Error for LoggedOut {}

fn answer(page: anyhow::Result<Markup>) -> Response {
    match page {
        Ok(page) => page.into_response(),
        Err(e) if e.is::<LoggedOut>() => (StatusCode::UNAUTHORIZED, e.to_string()).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// `GET /_bench/twin/`: the home page, by hand.
pub async fn home(
    State(db): State<Db>,
    State(options): State<LeptosOptions>,
    Extension(locale): Extension<Locale>,
    session: Session,
    Query(view): Query<CatalogView>,
) -> Response {
    answer(render_home(&db, &options, locale, session, view).await)
}

async fn render_home(
    db: &Db,
    options: &LeptosOptions,
    locale: Locale,
    session: Session,
    view: CatalogView,
) -> anyhow::Result<Markup> {
    let query = ProductQuery::parse(
        view.page.as_deref(),
        view.per_page.as_deref(),
        view.sort.as_deref(),
        view.brand.as_deref(),
        view.q.as_deref(),
    )?;
    let chrome = Chrome::load(db, session).await?;
    let products = catalog::list(db, &query, chrome.user, locale).await?;
    let brands = app::catalog::shown_brands(
        catalog::brands(db, Some(app::catalog::HOME_BRANDS)).await?,
        query.brand.as_deref(),
        products.total > 0,
    );
    let top = embedded::top_products(db, now_millis(), locale).await?;
    let here = view.href(view.page.as_deref().and_then(|p| p.parse().ok()));
    Ok(document(
        options,
        locale,
        td_string!(locale, catalog.shop),
        td_string!(locale, catalog.description),
        chrome.header(locale, &here),
        catalog_section(
            locale,
            &view,
            &products,
            &brands,
            &top,
            chrome.shopper.is_some(),
        ),
    ))
}

/// `GET /_bench/twin/products/{id}`: a product's page, by hand.
pub async fn product(
    State(db): State<Db>,
    State(options): State<LeptosOptions>,
    Extension(locale): Extension<Locale>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    answer(render_product(&db, &options, locale, session, &id).await)
}

async fn render_product(
    db: &Db,
    options: &LeptosOptions,
    locale: Locale,
    session: Session,
    id: &str,
) -> anyhow::Result<Markup> {
    let id = ProductId::parse(id)?;
    let chrome = Chrome::load(db, session).await?;
    let ProductWithVariants { product, choices } =
        catalog::get_with_variants(db, id, chrome.user, locale)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no product {id}"))?;
    let here = format!("/products/{id}");
    let description = meta_description(&product, locale);
    Ok(document(
        options,
        locale,
        &product.name,
        &description,
        chrome.header(locale, &here),
        product_detail(locale, &product, &choices, chrome.shopper.is_some(), &here),
    ))
}

/// `GET /_bench/twin/cart`: the cart page, by hand.
pub async fn cart(
    State(db): State<Db>,
    State(options): State<LeptosOptions>,
    Extension(locale): Extension<Locale>,
    session: Session,
) -> Response {
    answer(render_cart(&db, &options, locale, session).await)
}

async fn render_cart(
    db: &Db,
    options: &LeptosOptions,
    locale: Locale,
    session: Session,
) -> anyhow::Result<Markup> {
    let chrome = Chrome::load(db, session).await?;
    let points = chrome.shopper.as_ref().map(|s| s.points);
    let main = html! {
        section class="cart-page" {
            h1 { (td_string!(locale, cart.cart)) }
            (enhance("Stay", Some("cart-contents"), html! {
                div id="cart-contents" { (cart_contents(locale, &chrome.cart, points)) }
            }))
        }
    };
    Ok(document(
        options,
        locale,
        td_string!(locale, cart.cart),
        td_string!(locale, cart.description),
        chrome.header(locale, "/cart"),
        main,
    ))
}

/// `GET /_bench/twin/orders?page`: my orders, by hand.
pub async fn orders(
    State(db): State<Db>,
    State(options): State<LeptosOptions>,
    Extension(locale): Extension<Locale>,
    session: Session,
    Query(view): Query<OrdersView>,
) -> Response {
    answer(render_orders(&db, &options, locale, session, view).await)
}

/// The orders page's query.
#[derive(Debug, Default, Deserialize)]
pub struct OrdersView {
    page: Option<String>,
}

async fn render_orders(
    db: &Db,
    options: &LeptosOptions,
    locale: Locale,
    session: Session,
    view: OrdersView,
) -> anyhow::Result<Markup> {
    let chrome = Chrome::load(db, session).await?;
    let user = chrome.user.ok_or(LoggedOut)?;
    // Ten to a page unless asked, as `list_orders` reads it.
    let paging = Paging::parse(view.page.as_deref(), None, 10)?;
    let page = orders::list(db, user, paging, locale).await?;
    let main = html! {
        section class="orders-page" {
            h1 { (td_string!(locale, orders.my_orders)) }
            (order_table(locale, &page))
        }
    };
    Ok(document(
        options,
        locale,
        td_string!(locale, orders.my_orders),
        td_string!(locale, orders.description),
        chrome.header(locale, "/orders"),
        main,
    ))
}

/// `GET /_bench/twin/checkout?coupon_id&address_id`: the checkout page, by
/// hand. The shipping rates are the server's settings, handed to this
/// route as an extension (the Leptos page reads them from its context).
pub async fn checkout(
    State(db): State<Db>,
    State(options): State<LeptosOptions>,
    State(payments): State<Payments>,
    Extension(locale): Extension<Locale>,
    Extension(rates): Extension<ShippingRates>,
    session: Session,
    Query(view): Query<CheckoutView>,
) -> Response {
    answer(render_checkout(&db, &options, &payments, rates, locale, session, view).await)
}

/// The checkout page's query: the coupon and the address chosen.
#[derive(Debug, Default, Deserialize)]
pub struct CheckoutView {
    coupon_id: Option<String>,
    address_id: Option<String>,
}

async fn render_checkout(
    db: &Db,
    options: &LeptosOptions,
    payments: &Payments,
    rates: ShippingRates,
    locale: Locale,
    session: Session,
    view: CheckoutView,
) -> anyhow::Result<Markup> {
    let chrome = Chrome::load(db, session).await?;
    let user = chrome.user.ok_or(LoggedOut)?;
    let wanted = parse_coupon_choice(view.coupon_id.as_deref())?;
    // An address id that is not one of mine chooses nothing: my default.
    let wanted_address = view
        .address_id
        .as_deref()
        .and_then(|raw| AddressId::parse(raw).ok());
    // The page asks for its own summary (the header's cart is the layout's).
    let data = checkout::summary(db, user, wanted, wanted_address, locale, payments, rates).await?;
    // The Leptos page shows the form for a first address above the order
    // form; the benchmark's shopper has an address, and this twin does not
    // copy that form.
    if !data.cart.lines.is_empty() && data.addresses.is_empty() {
        anyhow::bail!("the checkout twin is for a shopper with an address");
    }
    let asked = view.coupon_id.filter(|c| !c.trim().is_empty()).is_some();
    let main = html! {
        section class="checkout-page" {
            h1 { (td_string!(locale, checkout.checkout)) }
            @if data.cart.lines.is_empty() {
                p class="empty" data-testid="checkout-empty" {
                    (td_string!(locale, cart.empty)) " "
                    a href="/" { (td_string!(locale, common.find_something)) }
                }
            } @else {
                // Asked for, but it cannot pay for this cart.
                (coupon_form(locale, &data.coupons, data.coupon_id.map(|id| id.0), asked && data.coupon_id.is_none()))
                (enhance_with("OpenOrder", Some("checkout-form"), Some("checkout-error"), html! {
                    div id="checkout-form" { (checkout_form(locale, &data)) }
                }))
            }
        }
    };
    Ok(document(
        options,
        locale,
        td_string!(locale, checkout.checkout),
        td_string!(locale, checkout.description),
        chrome.header(locale, "/checkout"),
        main,
    ))
}

/// Stands for a render's nonce (22 characters, as leptos makes them): the
/// hand-written pages send the same bytes.
const NONCE: &str = "yardstick0000000000000";

/// The page around `main`, with the same head as the Leptos shell's
/// (stylesheet, the islands' preloads and loader).
fn document(
    options: &LeptosOptions,
    locale: Locale,
    title: &str,
    description: &str,
    header: Markup,
    main: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                link rel="icon" type="image/svg+xml" href="/favicon.svg";
                link id="leptos" rel="stylesheet" href=(stylesheet_href(options));
                (PreEscaped(island_scripts(options, NONCE)))
                meta name="description" content=(description);
                title { (app::head::title_text(locale, title)) }
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
                (pagination(locale, td_string!(locale, common.pages), products.page, products.page_count(), |p| view.href(Some(p))))
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

fn enhance(then: &str, refresh: Option<&str>, form: Markup) -> Markup {
    enhance_with(then, refresh, None, form)
}

/// The `Enhance` island with the `data-testid` of its refusals' message.
fn enhance_with(then: &str, refresh: Option<&str>, alert_id: Option<&str>, form: Markup) -> Markup {
    let quoted = |value: Option<&str>| value.map_or("null".to_string(), |id| format!(r#""{id}""#));
    let (refresh, alert_id) = (quoted(refresh), quoted(alert_id));
    island(
        ENHANCE,
        &format!(r#"{{"then":"{then}","next":null,"refresh":{refresh},"alert_id":{alert_id}}}"#),
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
                p class="product-card__price" data-testid="price" data-price=(product.price.get()) {
                    @if product.has_options {
                        (td_string!(locale, catalog.price_from, price = product.price.show(locale)))
                    } @else {
                        (product.price.show(locale))
                    }
                }
                @if !sold_out {
                    @if product.has_options {
                        a class="button" href=(href) { (td_string!(locale, catalog.choose_options)) }
                    } @else {
                        (add_to_cart(locale, product.id, false, false))
                    }
                }
                div class="product-card__meta" {
                    @if sold_out {
                        span class="badge badge--sold-out" { (td_string!(locale, common.sold_out)) }
                    } @else {
                        span class="stock" { (td_string!(locale, common.in_stock, count = product.stock)) }
                    }
                    (like_button(locale, product, logged_in, here))
                }
            }
        }
    }
}

/// A product's options as the product page shows them before one is
/// chosen: a fieldset of radio buttons per option (values no variant can
/// be bought in disabled, and "sold out" beside them), the price ("from"
/// the lowest when they differ), what to do next, and the add-to-cart form
/// waiting for a choice, in one island. (The Leptos page also writes every
/// variant's row into the form for the island; this one does not.)
fn options_picker(locale: Locale, id: ProductId, choices: &Choices) -> Markup {
    let none: Choice = vec![None; choices.options.len()];
    let lowest = choices.lowest_price().unwrap_or_default();
    let any_buyable = choices.variants.iter().any(|v| v.buyable());
    let wait = if any_buyable {
        td_string!(locale, catalog.choose_options)
    } else {
        td_string!(locale, common.sold_out)
    };
    enhance(
        "SayAdded",
        None,
        html! {
            form method="get" action=(format!("/products/{id}")) class="variant-options" {
                @for (i, option) in choices.options.iter().enumerate() {
                    fieldset class="variant-option" data-testid=(format!("option-{i}")) {
                        legend { (option.name) }
                        @for value in &option.values {
                            @let buyable = choices.value_buyable(&none, i, value);
                            label class="option-value" {
                                input type="radio" name=(format!("o{i}")) value=(value) disabled[!buyable];
                                span { (value) }
                                span class="option-value__out" hidden[buyable] { (td_string!(locale, common.sold_out)) }
                            }
                        }
                    }
                }
                noscript { button type="submit" class="variant-apply" { (td_string!(locale, catalog.apply_options)) } }
            }
            p class="product-detail__price" data-testid="price" aria-live="polite" {
                @if choices.prices_differ() {
                    (td_string!(locale, catalog.price_from, price = lowest.show(locale)))
                } @else {
                    (lowest.show(locale))
                }
            }
            p class=(if any_buyable { "stock" } else { "stock stock--out" }) data-testid="stock" aria-live="polite" { (wait) }
            form method="post" action=(AddToCart::url()) class="add-to-cart" {
                input type="hidden" name="product_id" value=(id);
                input type="hidden" name="variant_id" data-testid="variant-id" value="";
                label class="quantity" {
                    (td_string!(locale, common.quantity))
                    input type="number" name="quantity" value="1" min=(Quantity::MIN) max=(Quantity::MAX) step="1" required inputmode="numeric";
                }
                button type="submit" data-testid="add-to-cart" disabled { (wait) }
            }
        },
    )
}

/// The add-to-cart form in its island (with a quantity on the product page).
fn add_to_cart(locale: Locale, id: ProductId, with_quantity: bool, sold_out: bool) -> Markup {
    enhance(
        "SayAdded",
        None,
        html! {
            form method="post" action=(AddToCart::url()) class="add-to-cart" {
                input type="hidden" name="product_id" value=(id);
                @if with_quantity {
                    label class="quantity" {
                        (td_string!(locale, common.quantity))
                        input type="number" name="quantity" value="1" min=(Quantity::MIN) max=(Quantity::MAX) step="1" required inputmode="numeric";
                    }
                }
                button type="submit" data-testid="add-to-cart" disabled[sold_out] {
                    @if sold_out { (td_string!(locale, common.sold_out)) } @else { (td_string!(locale, common.add_to_cart)) }
                }
            }
        },
    )
}

/// A shopper's like form in its island, or a guest's link to log in;
/// `here` is the page's path.
fn like_button(locale: Locale, product: &Product, logged_in: bool, here: &str) -> Markup {
    html! {
        div class="like" {
            @if logged_in {
                @let [(_, pressed), (_, title)] = like_attributes(product.liked, locale);
                (enhance("Like", None, html! {
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

fn product_detail(
    locale: Locale,
    product: &Product,
    choices: &Choices,
    logged_in: bool,
    here: &str,
) -> Markup {
    let sold_out = product.sold_out();
    html! {
        article class="product-detail" {
            img class="product-detail__image" src=(product.image) alt=(product.name) width="400" height="400";
            div class="product-detail__info" {
                p class="product-detail__brand" data-testid="brand" { (product.brand) }
                h1 data-testid="product-name" { (product.name) }
                @if choices.has_options() {
                    (options_picker(locale, product.id, choices))
                } @else {
                    p class="product-detail__price" data-testid="price" { (product.price.show(locale)) }
                    @if sold_out {
                        p class="stock stock--out" data-testid="stock" { (td_string!(locale, common.sold_out)) }
                    } @else {
                        p class="stock" data-testid="stock" { (td_string!(locale, catalog.left_in_stock, count = product.stock)) }
                    }
                    (add_to_cart(locale, product.id, true, sold_out))
                }
                (like_button(locale, product, logged_in, here))
                p class="product-detail__description" { (product.description) }
                p { a href="/" { (td_string!(locale, common.back_to_shop)) } }
            }
        }
    }
}

/// The cart's lines and summary; `points` is the shopper's balance.
fn cart_contents(locale: Locale, cart: &Cart, points: Option<i64>) -> Markup {
    let total = cart.total;
    let needs_attention = cart
        .lines
        .iter()
        .any(|l| !l.available || l.availability() != Availability::Available);
    html! {
        @if cart.lines.is_empty() {
            p class="empty" data-testid="cart-empty" {
                (td_string!(locale, cart.empty)) " "
                a href="/" { (td_string!(locale, common.find_something)) }
            }
        } @else {
            ul class="cart-lines" data-testid="cart-lines" {
                @for line in &cart.lines { (cart_line(locale, line)) }
            }
            aside class="cart-summary" {
                p class="cart-summary__total" {
                    (td_string!(locale, common.total)) " "
                    strong data-testid="cart-total" { (total.show(locale)) }
                }
                @match points {
                    Some(points) => {
                        p data-testid="cart-balance" { (td_string!(locale, cart.your_points, points = show_points(points, locale))) }
                        @if points >= total.get() {
                            p class="stock" { (td_string!(locale, cart.covered)) }
                        } @else {
                            p class="field-error" data-testid="points-short" {
                                (td_string!(locale, cart.need_more, points = show_points(total.get() - points, locale))) " "
                                a href="/points" { (td_string!(locale, common.charge_points)) }
                            }
                        }
                    }
                    None => p { (log_in_to_pay(locale)) },
                }
                @if needs_attention { p class="field-error" { (td_string!(locale, cart.short_lines)) } }
                a class="button" href="/checkout" data-testid="checkout" { (td_string!(locale, cart.checkout)) }
            }
        }
    }
}

/// "Log in to pay…", its link around the words the translation marks.
fn log_in_to_pay(locale: Locale) -> Markup {
    let text = td_string!(
        locale,
        cart.log_in_to_pay,
        <login> = |f: &mut std::fmt::Formatter<'_>, children: leptos_i18n::display::Children<'_>| {
            write!(f, "<a href=\"/login?next=%2Fcart\">{children}</a>")
        }
    )
    .to_string();
    maud::PreEscaped(text)
}

fn cart_line(locale: Locale, line: &CartLine) -> Markup {
    let quantity = line.quantity.get();
    let warning = line_warning(line, locale);
    html! {
        li class="cart-line" data-testid="cart-line" data-product-id=(line.product_id) {
            img src=(line.image) alt="" width="80" height="80";
            div class="cart-line__info" {
                a href=(format!("/products/{}", line.product_id)) data-testid="cart-line-name" { (line.name) }
                p class="cart-line__price" {
                    @if let Some(was) = line.price_was { s class="price-was" data-testid="price-was" { (was.show(locale)) } " " }
                    (line.price.show(locale))
                    @if let Some(was) = line.price_was {
                        span class="price-changed" data-testid="price-changed" { (td_string!(locale, cart.price_was, was = was.show(locale))) }
                    }
                }
                @if let Some(w) = warning { p class="field-error" data-testid="stock-warning" { (w) } }
            }
            form method="post" action=(SetCartQuantity::url()) class="stepper" {
                input type="hidden" name="product_id" value=(line.product_id);
                button type="submit" name="quantity" value=(quantity - 1) aria-label=(td_string!(locale, cart.one_fewer))
                    disabled[quantity <= Quantity::MIN] { "−" }
                span class="stepper__value" data-testid="quantity" { (quantity) }
                button type="submit" name="quantity" value=(quantity + 1) aria-label=(td_string!(locale, cart.one_more))
                    disabled[quantity >= Quantity::MAX] { "+" }
            }
            p class="cart-line__total" data-testid="line-total" { (line.line_total.show(locale)) }
            form method="post" action=(RemoveFromCart::url()) {
                input type="hidden" name="product_id" value=(line.product_id);
                button type="submit" class="link-button" { (td_string!(locale, cart.remove)) }
            }
        }
    }
}

/// Page links; `label` names what the pages are of.
fn pagination(
    locale: Locale,
    label: &str,
    current: u32,
    page_count: u32,
    link: impl Fn(u32) -> String,
) -> Markup {
    html! {
        @if page_count > 1 {
            nav class="pagination" aria-label=(label) {
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

/// A page of my orders: a row each (its number, when, what, the total with
/// what the payment service paid of it, the status), the page links; or
/// the invitation to shop when there is none.
fn order_table(locale: Locale, page: &OrderPage) -> Markup {
    html! {
        @if page.items.is_empty() {
            p class="empty" data-testid="orders-empty" {
                (td_string!(locale, orders.none_yet)) " "
                a href="/" { (td_string!(locale, common.find_something)) }
            }
        } @else {
            table class="ledger" data-testid="orders" {
                thead {
                    tr {
                        th { (td_string!(locale, orders.order)) }
                        th { (td_string!(locale, orders.when)) }
                        th { (td_string!(locale, orders.what)) }
                        th { (td_string!(locale, orders.total)) }
                        th { (td_string!(locale, orders.status)) }
                    }
                }
                tbody {
                    @for order in &page.items {
                        tr data-testid="order-row" {
                            td { a href=(format!("/orders/{}", order.order_id)) { "#" (order.order_id) } }
                            td { (format_millis(order.ordered_at, locale)) }
                            td { (order.what(locale)) }
                            td class="num" {
                                (order.total.show(locale))
                                @if order.paid_by_service > 0 {
                                    small class="split" data-testid="order-split" {
                                        (td_string!(locale, orders.split_service, amount = Won(order.paid_by_service).show(locale)))
                                    }
                                }
                            }
                            td { (status_label(locale, order.state.status)) }
                        }
                    }
                }
            }
            (pagination(locale, td_string!(locale, orders.order_pages), page.page, page.page_count(), |p| format!("/orders?page={p}")))
        }
    }
}

/// An order's status in words; `data-status` carries it whatever the language.
fn status_label(locale: Locale, status: OrderStatus) -> Markup {
    html! {
        span class=(format!("order-status order-status--{}", status.as_str())) data-testid="order-status" data-status=(status.as_str()) {
            (status.label(locale))
        }
    }
}

/// Choosing a coupon at checkout: a GET form of my usable ones, each with
/// what it takes off this cart or, disabled, the minimum it needs; or the
/// way to get some. `refused`: the one asked for cannot pay for this cart.
fn coupon_form(
    locale: Locale,
    coupons: &[CouponChoice],
    chosen: Option<i64>,
    refused: bool,
) -> Markup {
    let refusal = html! {
        @if refused {
            p class="field-error" data-testid="coupon-refused" { (td_string!(locale, checkout.coupon_refused)) }
        }
    };
    html! {
        @if coupons.is_empty() {
            div class="checkout-coupon" {
                (refusal)
                p data-testid="no-coupons" {
                    (td_string!(locale, checkout.no_coupons)) " "
                    a href="/coupons" { (td_string!(locale, checkout.get_coupons)) }
                }
            }
        } @else {
            form method="get" action="/checkout" class="checkout-coupon" data-testid="coupon-form" {
                label {
                    (td_string!(locale, checkout.coupon))
                    select name="coupon_id" data-testid="coupon-select" {
                        option value="" selected[chosen.is_none()] { (td_string!(locale, checkout.no_coupon)) }
                        @for c in coupons {
                            option value=(c.coupon_id.0) selected[chosen == Some(c.coupon_id.0)] disabled[c.discount.is_none()] {
                                @match c.discount {
                                    Some(off) => (td_string!(locale, checkout.coupon_option, name = &c.name, off = off.show(locale))),
                                    None => (td_string!(locale, checkout.coupon_minimum, name = &c.name, min_order = c.terms.min_order.show(locale))),
                                }
                            }
                        }
                    }
                }
                button type="submit" data-testid="apply-coupon" { (td_string!(locale, checkout.apply_coupon)) }
                (refusal)
            }
        }
    }
}

/// The order form: the lines with the hidden fields that say what was
/// shown, where it goes, the sums, the total against the balance (with a
/// payment service, the points to use and the rest), the button.
fn checkout_form(locale: Locale, data: &CheckoutSummary) -> Markup {
    let subtotal = data.cart.total;
    let discount = data.discount;
    let (fee, to_pay, points) = (data.shipping_fee, data.to_pay, data.points);
    let short_of_free = data.free_shipping_from.get() - (subtotal.get() - discount.get());
    // With a payment service, points pay all they can at first and the
    // service the rest.
    let usable = points.min(to_pay.get()).max(0);
    let rest = to_pay.get() - usable;
    let to_kakaopay = data.rest_paid_with.is_some() && rest > 0;
    html! {
        form method="post" action=(PlaceOrder::url()) class="checkout-form" {
            // A fresh key per render, as the Leptos page makes one: a
            // double click or a form sent again orders once.
            input type="hidden" name="idempotency_key" value=(data.idempotency_key);
            input type="hidden" name="from_cart" value="true";
            input type="hidden" name="coupon_id" value=(data.coupon_id.map(|id| id.to_string()).unwrap_or_default());
            ul class="cart-lines" data-testid="checkout-lines" {
                @for (i, line) in data.cart.lines.iter().enumerate() { (checkout_line(locale, i, line)) }
            }
            (ship_to_choice(locale, &data.addresses, data.address_id))
            aside class="cart-summary" {
                dl class="checkout-sums" {
                    div {
                        dt { (td_string!(locale, checkout.subtotal)) }
                        dd data-testid="checkout-subtotal" { (subtotal.show(locale)) }
                    }
                    @if data.coupon_id.is_some() {
                        div {
                            dt { (td_string!(locale, checkout.discount)) }
                            dd data-testid="checkout-discount" { (Won(-discount.get()).show(locale)) }
                        }
                    }
                    div {
                        dt { (td_string!(locale, orders.shipping_fee)) }
                        dd data-testid="checkout-shipping-fee" { (fee_text(fee, locale)) }
                    }
                }
                @if fee.get() > 0 && short_of_free > 0 {
                    p class="hint" data-testid="free-shipping-hint" {
                        (td_string!(locale, checkout.free_shipping_from, threshold = data.free_shipping_from.show(locale), more = Won(short_of_free).show(locale)))
                    }
                }
                p class="cart-summary__total" {
                    (td_string!(locale, checkout.to_pay)) " "
                    strong data-testid="checkout-total" { (to_pay.show(locale)) }
                }
                p data-testid="checkout-balance" { (td_string!(locale, cart.your_points, points = show_points(points, locale))) }
                @if data.rest_paid_with.is_some() && to_pay.get() > 0 {
                    label class="checkout-points" {
                        (td_string!(locale, checkout.points_to_use))
                        input type="number" name="points" min="0" max=(usable) step="1" value=(usable) inputmode="numeric" data-testid="points-to-use";
                    }
                    p class="hint" data-testid="rest-to-pay" { (td_string!(locale, checkout.rest_with_kakaopay, amount = Won(rest).show(locale))) }
                }
                @if data.rest_paid_with.is_none() && points < to_pay.get() {
                    p class="field-error" data-testid="points-short" {
                        (td_string!(locale, cart.need_more, points = show_points(to_pay.get() - points, locale))) " "
                        a href="/points" { (td_string!(locale, common.charge_points)) }
                    }
                }
                @if data.address_id.is_some() {
                    button type="submit" class=(if to_kakaopay { "button kakaopay-button" } else { "button" }) data-testid="place-order" {
                        @if to_kakaopay { (td_string!(locale, checkout.pay_with_kakaopay)) } @else { (td_string!(locale, checkout.place_order)) }
                    }
                } @else {
                    p class="hint" data-testid="address-first" { (td_string!(locale, checkout.address_first)) }
                }
            }
        }
    }
}

/// Where the order goes: my addresses (the chosen one checked) and the way
/// to the address book; nothing without an address.
fn ship_to_choice(locale: Locale, addresses: &[Address], chosen: Option<AddressId>) -> Markup {
    html! {
        @if !addresses.is_empty() {
            fieldset class="checkout-ship-to" data-testid="ship-to-choice" {
                legend { (td_string!(locale, orders.ship_to_heading)) }
                @for a in addresses {
                    label class="checkout-ship-to__option" {
                        input type="radio" name="address_id" value=(a.address_id.0) checked[chosen == Some(a.address_id)] required data-testid="ship-to-option";
                        strong {
                            @if !a.label.is_empty() { (a.label) " · " }
                            (a.to.recipient)
                        }
                        " "
                        span { (a.to.phone.as_str()) }
                        br;
                        span { (a.to.one_line()) }
                    }
                }
                p {
                    a href="/account/addresses?next=/checkout" data-testid="manage-addresses" { (td_string!(locale, checkout.manage_addresses)) }
                }
            }
        }
    }
}

/// A line of the order form, with the hidden fields that tell the server
/// what was shown.
fn checkout_line(locale: Locale, i: usize, line: &CartLine) -> Markup {
    let id = line.product_id;
    let field = |name: &str| format!("items[{i}][{name}]");
    html! {
        li class="cart-line" data-testid="checkout-line" data-product-id=(id) {
            input type="hidden" name=(field("product_id")) value=(id);
            input type="hidden" name=(field("variant_id")) value=(line.variant_id);
            input type="hidden" name=(field("quantity")) value=(line.quantity.get());
            input type="hidden" name=(field("price")) value=(line.price.get());
            img src=(line.image) alt="" width="80" height="80";
            div class="cart-line__info" {
                a href=(format!("/products/{id}")) { (line.name) }
                @if !line.label.is_empty() {
                    span class="line-label" data-testid="checkout-line-label" { (line.label) }
                }
                p class="cart-line__price" {
                    (td_string!(locale, checkout.line_price, price = line.price.show(locale), quantity = line.quantity.get()))
                }
            }
            p class="cart-line__total" { (line.line_total.show(locale)) }
        }
    }
}
