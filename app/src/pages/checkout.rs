use crate::{
    cart::CartLine,
    components::{Enhance, ErrorNotice, Then},
    money::Won,
    orders::{checkout_view, CheckoutSummary, PlaceOrder},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use server_fn::ServerFn;

/// `/checkout`: my cart against my balance, and the one button that places
/// the order. The page embeds an idempotency key, so a double click or a
/// resubmitted form never orders twice. The form works without JS; with
/// JS an `Enhance` island sends it.
#[component]
pub fn CheckoutPage() -> impl IntoView {
    let view_data = Resource::new(|| (), |_| checkout_view());
    view! {
        <Title text="Checkout" />
        <Meta name="description" content="Check out: confirm the items in your cart and pay for them with your Storefront points." />
        <section class="checkout-page">
            <h1>"Checkout"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    view_data.get().map(|r| match r {
                        Ok(data) if data.cart.lines.is_empty() => view! {
                            <p class="empty" data-testid="checkout-empty">
                                "Your cart is empty. " <a href="/">"Find something you like"</a>
                            </p>
                        }
                            .into_any(),
                        Ok(data) => view! {
                            // Sent once (a second click while it is on its
                            // way does nothing); a refusal fetches the form
                            // again (today's prices and stock, a fresh key)
                            // and says what is wrong beside each line.
                            <Enhance then=Then::OpenOrder refresh="checkout-form".to_string() alert_id="checkout-error".to_string()>
                                <div id="checkout-form">
                                    <CheckoutForm data />
                                </div>
                            </Enhance>
                        }
                            .into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}

/// The form as the server renders it: the lines with the hidden fields
/// that say what was shown, the total against the balance, the button.
#[component]
fn CheckoutForm(data: CheckoutSummary) -> impl IntoView {
    let total = data.cart.total;
    let points = data.points;
    view! {
        <form method="post" action=PlaceOrder::url() class="checkout-form">
            <input type="hidden" name="idempotency_key" value=data.idempotency_key />
            <input type="hidden" name="from_cart" value="true" />
            <ul class="cart-lines" data-testid="checkout-lines">
                {data
                    .cart
                    .lines
                    .into_iter()
                    .enumerate()
                    .map(|(i, line)| view! { <CheckoutLine i line /> })
                    .collect_view()}
            </ul>
            <aside class="cart-summary">
                <p class="cart-summary__total">
                    "Total " <strong data-testid="checkout-total">{total.to_string()}</strong>
                </p>
                <p data-testid="checkout-balance">
                    {format!("Your points: {} P", Won(points).grouped())}
                </p>
                {(points < total.get()).then(|| view! {
                    <p class="field-error" data-testid="points-short">
                        {format!("You need {} P more. ", Won(total.get() - points).grouped())}
                        <a href="/points">"Charge points"</a>
                    </p>
                })}
                <button type="submit" class="button" data-testid="place-order">"Place order"</button>
            </aside>
        </form>
    }
}

/// One line, with the hidden fields that tell the server what was shown.
#[component]
fn CheckoutLine(i: usize, line: CartLine) -> impl IntoView {
    let id = line.product_id;
    let field = move |name: &str| format!("items[{i}][{name}]");
    view! {
        <li class="cart-line" data-testid="checkout-line" data-product-id=id.to_string()>
            <input type="hidden" name=field("product_id") value=id.to_string() />
            <input type="hidden" name=field("quantity") value=line.quantity.get().to_string() />
            <input type="hidden" name=field("price") value=line.price.get().to_string() />
            <img src=line.image.clone() alt="" width="80" height="80" />
            <div class="cart-line__info">
                <a href=format!("/products/{id}")>{line.name.clone()}</a>
                <p class="cart-line__price">
                    {format!("{} × {}", line.price, line.quantity.get())}
                </p>
            </div>
            <p class="cart-line__total">{line.line_total.to_string()}</p>
        </li>
    }
}
