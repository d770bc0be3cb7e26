use crate::{
    accounts::use_auth,
    cart::{use_cart, Cart, CartLine, RemoveFromCart, SetCartQuantity},
    catalog::{Availability, Quantity},
    components::{Enhance, ErrorNotice, PointsShort, Then},
    locale::{td, td_string, Locale},
    money::show_points,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use server_fn::ServerFn;

/// `/cart`: lines with quantity and remove, totals, balance, checkout. The
/// forms work without JS; with JS an `Enhance` island sends them, the
/// badge follows and `#cart-contents` is fetched again.
#[component]
pub fn CartPage() -> impl IntoView {
    let state = use_cart();
    let auth = use_auth();
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, cart.cart) />
        <Meta name="description" content=td_string!(locale, cart.description) />
        <section class="cart-page">
            <h1>{td_string!(locale, cart.cart)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {move || {
                    // The balance is read here too, not inside the lines.
                    let user = auth.user.get();
                    state.cart.get().zip(user).map(|(r, user)| match r {
                        Ok(cart) => {
                            let points = user.ok().map(|u| u.points);
                            view! {
                                <Enhance then=Then::Stay refresh="cart-contents".to_string()>
                                    <div id="cart-contents">
                                        <CartContents cart points />
                                    </div>
                                </Enhance>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}

/// `points`: the shopper's balance, none for a guest.
#[component]
fn CartContents(cart: Cart, points: Option<i64>) -> impl IntoView {
    let locale = Locale::current();
    if cart.lines.is_empty() {
        return view! {
            <p class="empty" data-testid="cart-empty">
                {td_string!(locale, cart.empty)} " "
                <a href="/">{td_string!(locale, common.find_something)}</a>
            </p>
        }
        .into_any();
    }
    let total = cart.total;
    let needs_attention = cart
        .lines
        .iter()
        .any(|l| !l.available || l.availability() != Availability::Available);
    view! {
        <ul class="cart-lines" data-testid="cart-lines">
            {cart.lines.into_iter().map(|line| view! { <CartLineRow line /> }).collect_view()}
        </ul>
        <aside class="cart-summary">
            <p class="cart-summary__total">
                {td_string!(locale, common.total)} " "
                <strong data-testid="cart-total">{total.show(locale)}</strong>
            </p>
            {match points {
                Some(points) => {
                    let covers = points >= total.get();
                    view! {
                        <p data-testid="cart-balance">
                            {td_string!(locale, cart.your_points, points = show_points(points, locale))}
                        </p>
                        {if covers {
                            view! { <p class="stock">{td_string!(locale, cart.covered)}</p> }.into_any()
                        } else {
                            view! { <PointsShort short=total.get() - points locale /> }.into_any()
                        }}
                    }.into_any()
                }
                None => view! {
                    <p>
                        {td!(
                            locale,
                            cart.log_in_to_pay,
                            <login> = |children: ChildrenFn| view! { <a href="/login?next=%2Fcart">{children()}</a> }
                        )}
                    </p>
                }.into_any(),
            }}
            {needs_attention.then(|| view! {
                <p class="field-error">{td_string!(locale, cart.short_lines)}</p>
            })}
            <a class="button" href="/checkout" data-testid="checkout">{td_string!(locale, cart.checkout)}</a>
        </aside>
    }
    .into_any()
}

/// What a cart line warns of, if anything: off sale, sold out since it
/// was added, or fewer left than it asks for.
pub fn line_warning(line: &CartLine, locale: Locale) -> Option<String> {
    match line.availability() {
        _ if !line.available => Some(td_string!(locale, cart.no_longer_sold).to_string()),
        Availability::SoldOut => Some(td_string!(locale, cart.sold_out_since).to_string()),
        Availability::Short { left } => Some(td_string!(locale, cart.only_left, left).to_string()),
        Availability::Available => None,
    }
}

#[component]
fn CartLineRow(line: CartLine) -> impl IntoView {
    let locale = Locale::current();
    let id = line.product_id.to_string();
    let variant = line.variant_id.to_string();
    let href = match line.label.is_empty() {
        true => format!("/products/{id}"),
        false => format!("/products/{id}?variant={variant}"),
    };
    let (form_id, remove_id) = (id.clone(), id.clone());
    let (form_variant, remove_variant) = (variant.clone(), variant.clone());
    let quantity = line.quantity.get();
    let warning = line_warning(&line, locale);
    view! {
        <li class="cart-line" data-testid="cart-line" data-product-id=id data-variant-id=variant>
            <img src=line.image.clone() alt="" width="80" height="80" />
            <div class="cart-line__info">
                <a href=href data-testid="cart-line-name">{line.name.clone()}</a>
                {(!line.label.is_empty()).then(|| view! {
                    <span class="line-label" data-testid="cart-line-label">{line.label.clone()}</span>
                })}
                <p class="cart-line__price">
                    // The price it had when added, struck through beside today's.
                    {line.price_was.map(|was| view! {
                        <s class="price-was" data-testid="price-was">{was.show(locale)}</s>
                        " "
                    })}
                    {line.price.show(locale)}
                    {line.price_was.map(|was| view! {
                        <span class="price-changed" data-testid="price-changed">
                            {td_string!(locale, cart.price_was, was = was.show(locale))}
                        </span>
                    })}
                </p>
                {warning.map(|w| view! { <p class="field-error" data-testid="stock-warning">{w}</p> })}
            </div>
            // The buttons carry the quantity they set.
            <form method="post" action=SetCartQuantity::url() class="stepper">
                <input type="hidden" name="product_id" value=form_id />
                <input type="hidden" name="variant_id" value=form_variant />
                <button
                    type="submit"
                    name="quantity"
                    value=(quantity - 1).to_string()
                    aria-label=td_string!(locale, cart.one_fewer)
                    disabled={quantity <= Quantity::MIN}
                >
                    "−"
                </button>
                <span class="stepper__value" data-testid="quantity">{quantity}</span>
                <button
                    type="submit"
                    name="quantity"
                    value=(quantity + 1).to_string()
                    aria-label=td_string!(locale, cart.one_more)
                    disabled={quantity >= Quantity::MAX}
                >
                    "+"
                </button>
            </form>
            <p class="cart-line__total" data-testid="line-total">{line.line_total.show(locale)}</p>
            <form method="post" action=RemoveFromCart::url()>
                <input type="hidden" name="product_id" value=remove_id />
                <input type="hidden" name="variant_id" value=remove_variant />
                <button type="submit" class="link-button">{td_string!(locale, cart.remove)}</button>
            </form>
        </li>
    }
}
