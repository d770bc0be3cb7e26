use crate::{
    cart::CartLine,
    components::{Enhance, ErrorNotice, PointsShort, Then},
    locale::{td_string, Locale},
    money::show_points,
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
    let view_data = Resource::new(|| (), |_| checkout_view(None));
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, checkout.checkout) />
        <Meta name="description" content=td_string!(locale, checkout.description) />
        <section class="checkout-page">
            <h1>{td_string!(locale, checkout.checkout)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {move || {
                    view_data.get().map(|r| match r {
                        Ok(data) if data.cart.lines.is_empty() => view! {
                            <p class="empty" data-testid="checkout-empty">
                                {td_string!(locale, cart.empty)} " "
                                <a href="/">{td_string!(locale, common.find_something)}</a>
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
    let locale = Locale::current();
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
                    {td_string!(locale, common.total)} " "
                    <strong data-testid="checkout-total">{total.show(locale)}</strong>
                </p>
                <p data-testid="checkout-balance">
                    {td_string!(locale, cart.your_points, points = show_points(points, locale))}
                </p>
                {(points < total.get()).then(|| view! { <PointsShort short=total.get() - points locale /> })}
                <button type="submit" class="button" data-testid="place-order">
                    {td_string!(locale, checkout.place_order)}
                </button>
            </aside>
        </form>
    }
}

/// One line, with the hidden fields that tell the server what was shown.
#[component]
fn CheckoutLine(i: usize, line: CartLine) -> impl IntoView {
    let id = line.product_id;
    let locale = Locale::current();
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
                    {td_string!(
                        locale,
                        checkout.line_price,
                        price = line.price.show(locale),
                        quantity = line.quantity.get()
                    )}
                </p>
            </div>
            <p class="cart-line__total">{line.line_total.show(locale)}</p>
        </li>
    }
}
