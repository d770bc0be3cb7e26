use crate::{
    accounts::use_auth,
    cart::{cart_action, use_cart, Cart, CartLine, RemoveFromCart, SetCartQuantity},
    catalog::{Availability, Quantity},
    components::ErrorNotice,
    money::Won,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::{Meta, Title};

/// `/cart`: lines with quantity and remove, totals, balance, checkout.
#[component]
pub fn CartPage() -> impl IntoView {
    let state = use_cart();
    let auth = use_auth();
    view! {
        <Title text="Cart" />
        <Meta name="description" content="Your Storefront cart: what you are about to buy, with quantities you can change and the total in points." />
        <section class="cart-page">
            <h1>"Cart"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    // The balance is read here too, not inside the lines.
                    let user = auth.user.get();
                    state.cart.get().zip(user).map(|(r, user)| match r {
                        Ok(cart) if cart.lines.is_empty() => view! {
                            <p class="empty" data-testid="cart-empty">
                                "Your cart is empty. " <a href="/">"Find something you like"</a>
                            </p>
                        }.into_any(),
                        Ok(cart) => view! { <CartContents cart points=user.ok().map(|u| u.points) /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
/// `points`: the shopper's balance, none for a guest.
fn CartContents(cart: Cart, points: Option<i64>) -> impl IntoView {
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
}

#[component]
fn CartLineRow(line: CartLine) -> impl IntoView {
    let set = cart_action::<SetCartQuantity>();
    let remove = cart_action::<RemoveFromCart>();
    let busy = move || set.pending().get() || remove.pending().get();
    let error = move || {
        set.value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
            .map(|e| e.message)
    };
    let id = line.product_id.to_string();
    let (id_for_set, id_for_remove) = (id.clone(), id.clone());
    let quantity = line.quantity.get();
    let warning = match line.availability() {
        Availability::SoldOut => Some("Sold out since you added it.".to_string()),
        Availability::Short { left } => Some(format!("Only {left} left.")),
        Availability::Available => None,
    };
    view! {
        <li class="cart-line" data-testid="cart-line" data-product-id=id.clone()>
            <img src=line.image.clone() alt="" width="80" height="80" />
            <div class="cart-line__info">
                <a href=format!("/products/{id}") data-testid="cart-line-name">{line.name.clone()}</a>
                <p class="cart-line__price">
                    {line.price.to_string()}
                    {line.price_was.map(|was| view! {
                        <span class="price-changed" data-testid="price-changed">
                            {format!(" (was {was} when added)")}
                        </span>
                    })}
                </p>
                {warning.map(|w| view! { <p class="field-error" data-testid="stock-warning">{w}</p> })}
                {move || error().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <ActionForm action=set attr:class="stepper">
                <input type="hidden" name="product_id" value=id_for_set />
                <button
                    type="submit"
                    name="quantity"
                    value=(quantity - 1).to_string()
                    aria-label="One fewer"
                    disabled=move || { quantity <= Quantity::MIN || busy() }
                >
                    "−"
                </button>
                <span class="stepper__value" data-testid="quantity">{quantity}</span>
                <button
                    type="submit"
                    name="quantity"
                    value=(quantity + 1).to_string()
                    aria-label="One more"
                    disabled=move || { quantity >= Quantity::MAX || busy() }
                >
                    "+"
                </button>
            </ActionForm>
            <p class="cart-line__total" data-testid="line-total">{line.line_total.to_string()}</p>
            <ActionForm action=remove>
                <input type="hidden" name="product_id" value=id_for_remove />
                <button type="submit" class="link-button" disabled=busy>"Remove"</button>
            </ActionForm>
        </li>
    }
}
