use crate::{
    accounts::use_auth,
    cart::{use_cart, Cart, CartLine, RemoveFromCart, SetCartQuantity},
    catalog::{Availability, Quantity},
    components::{Enhance, ErrorNotice, Then},
    money::Won,
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
    view! {
        <Title text="Cart" />
        <Meta name="description" content="Your Storefront cart: what you are about to buy, with quantities you can change and the total in points." />
        <section class="cart-page">
            <h1>"Cart"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
    if cart.lines.is_empty() {
        return view! {
            <p class="empty" data-testid="cart-empty">
                "Your cart is empty. " <a href="/">"Find something you like"</a>
            </p>
        }
        .into_any();
    }
    let total = cart.total;
    let needs_attention = cart
        .lines
        .iter()
        .any(|l| l.availability() != Availability::Available);
    view! {
        <ul class="cart-lines" data-testid="cart-lines">
            {cart.lines.into_iter().map(|line| view! { <CartLineRow line /> }).collect_view()}
        </ul>
        <aside class="cart-summary">
            <p class="cart-summary__total">
                "Total " <strong data-testid="cart-total">{total.to_string()}</strong>
            </p>
            {match points {
                Some(points) => {
                    let covers = points >= total.get();
                    view! {
                        <p data-testid="cart-balance">
                            {format!("Your points: {} P", Won(points).grouped())}
                        </p>
                        {if covers {
                            view! { <p class="stock">"Your points cover this order."</p> }.into_any()
                        } else {
                            view! {
                                <p class="field-error" data-testid="points-short">
                                    {format!("You need {} P more. ", Won(total.get() - points).grouped())}
                                    <a href="/points">"Charge points"</a>
                                </p>
                            }.into_any()
                        }}
                    }.into_any()
                }
                None => view! {
                    <p><a href="/login?next=%2Fcart">"Log in"</a>" to pay with your points."</p>
                }.into_any(),
            }}
            {needs_attention.then(|| view! {
                <p class="field-error">"Some lines have less stock than you asked for."</p>
            })}
            <a class="button" href="/checkout" data-testid="checkout">"Checkout"</a>
        </aside>
    }
    .into_any()
}

#[component]
fn CartLineRow(line: CartLine) -> impl IntoView {
    let id = line.product_id.to_string();
    let (href, form_id, remove_id) = (format!("/products/{id}"), id.clone(), id.clone());
    let quantity = line.quantity.get();
    let warning = match line.availability() {
        Availability::SoldOut => Some("Sold out since you added it.".to_string()),
        Availability::Short { left } => Some(format!("Only {left} left.")),
        Availability::Available => None,
    };
    view! {
        <li class="cart-line" data-testid="cart-line" data-product-id=id>
            <img src=line.image.clone() alt="" width="80" height="80" />
            <div class="cart-line__info">
                <a href=href data-testid="cart-line-name">{line.name.clone()}</a>
                <p class="cart-line__price">
                    {line.price.to_string()}
                    {line.price_was.map(|was| view! {
                        <span class="price-changed" data-testid="price-changed">
                            {format!(" (was {was} when added)")}
                        </span>
                    })}
                </p>
                {warning.map(|w| view! { <p class="field-error" data-testid="stock-warning">{w}</p> })}
            </div>
            // The buttons carry the quantity they set.
            <form method="post" action=SetCartQuantity::url() class="stepper">
                <input type="hidden" name="product_id" value=form_id />
                <button
                    type="submit"
                    name="quantity"
                    value=(quantity - 1).to_string()
                    aria-label="One fewer"
                    disabled={quantity <= Quantity::MIN}
                >
                    "−"
                </button>
                <span class="stepper__value" data-testid="quantity">{quantity}</span>
                <button
                    type="submit"
                    name="quantity"
                    value=(quantity + 1).to_string()
                    aria-label="One more"
                    disabled={quantity >= Quantity::MAX}
                >
                    "+"
                </button>
            </form>
            <p class="cart-line__total" data-testid="line-total">{line.line_total.to_string()}</p>
            <form method="post" action=RemoveFromCart::url()>
                <input type="hidden" name="product_id" value=remove_id />
                <button type="submit" class="link-button">"Remove"</button>
            </form>
        </li>
    }
}
