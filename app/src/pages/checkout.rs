use crate::{
    accounts::use_auth,
    cart::{use_cart, CartLine},
    catalog::ProductId,
    components::{ErrorNotice, RequireLogin},
    error::{AppError, ErrorCode},
    money::Won,
    orders::{checkout_view, CheckoutSummary, PlaceOrder},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::{Meta, Title};
use serde_json::Value;

/// `/checkout`: my cart against my balance, and the one button that places
/// the order. The page embeds an idempotency key, so a double click or a
/// resubmitted form never orders twice.
#[component]
pub fn CheckoutPage() -> impl IntoView {
    view! {
        <Title text="Checkout" />
        <Meta name="description" content="Check out: confirm the items in your cart and pay for them with your Storefront points." />
        <RequireLogin>
            <CheckoutContent />
        </RequireLogin>
    }
}

#[component]
fn CheckoutContent() -> impl IntoView {
    let auth = use_auth();
    let cart = use_cart();
    let place = ServerAction::<PlaceOrder>::new();
    // Fetched again after every attempt: a failed one shows today's prices
    // and stock beside its messages, under a fresh key.
    let view_data = Resource::new(move || place.version().get(), |_| checkout_view());
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(placed)) = place.value().get() {
            auth.refresh();
            cart.refresh();
            navigate(&format!("/orders/{}", placed.order_id), Default::default());
        }
    });
    let error = Signal::derive(move || place.value().get().and_then(Result::err));

    view! {
        <section class="checkout-page">
            <h1>"Checkout"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    view_data.get().map(|r| match r {
                        Ok(data) if data.cart.lines.is_empty() => view! {
                            <p class="empty" data-testid="checkout-empty">
                                "Your cart is empty. " <a href="/">"Find something you like"</a>
                            </p>
                        }.into_any(),
                        Ok(data) => view! { <CheckoutForm data place error /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn CheckoutForm(
    data: CheckoutSummary,
    place: ServerAction<PlaceOrder>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let total = data.cart.total;
    let points = data.points;
    let pending = move || place.pending().get();
    view! {
        <ActionForm action=place attr:class="checkout-form">
            <input type="hidden" name="idempotency_key" value=data.idempotency_key />
            <input type="hidden" name="from_cart" value="true" />
            <ul class="cart-lines" data-testid="checkout-lines">
                {data
                    .cart
                    .lines
                    .into_iter()
                    .enumerate()
                    .map(|(i, line)| view! { <CheckoutLine i line error /> })
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
                {move || points_problem(&error.get()).map(|shortfall| view! {
                    <p class="field-error" role="alert" data-testid="points-error">
                        {format!("Your points fell short by {} P. ", Won(shortfall).grouped())}
                        <a href="/points">"Charge points"</a>
                    </p>
                })}
                {move || general_problem(&error.get()).map(|m| view! {
                    <p class="notice notice--error" role="alert" data-testid="checkout-error">{m}</p>
                })}
                // A second click while the first is on its way does nothing
                // (and the key would return the same order anyway).
                <button
                    type="submit"
                    class="button"
                    data-testid="place-order"
                    disabled=pending
                    on:click=move |ev| {
                        if place.pending().get_untracked() {
                            ev.prevent_default();
                        }
                    }
                >
                    {move || if pending() { "Placing your order…" } else { "Place order" }}
                </button>
            </aside>
        </ActionForm>
    }
}

/// One line, with the hidden fields that tell the server what was shown,
/// and the problem the last attempt found with it.
#[component]
fn CheckoutLine(i: usize, line: CartLine, error: Signal<Option<AppError>>) -> impl IntoView {
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
                {move || line_problem(&error.get(), id).map(|m| view! {
                    <p class="field-error" role="alert" data-testid="line-error">{m}</p>
                })}
            </div>
            <p class="cart-line__total">{line.line_total.to_string()}</p>
        </li>
    }
}

fn problems(error: &Option<AppError>) -> Vec<Value> {
    error
        .as_ref()
        .and_then(|e| e.details.as_ref())
        .and_then(|d| d.get("problems"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// What the last attempt found wrong with the line of `product`.
fn line_problem(error: &Option<AppError>, product: ProductId) -> Option<String> {
    let messages: Vec<String> = problems(error)
        .iter()
        .filter(|p| p.get("product_id").and_then(Value::as_i64) == Some(product.0))
        .filter_map(|p| match p.get("code").and_then(Value::as_str)? {
            "INSUFFICIENT_STOCK" => Some(match p.get("left").and_then(Value::as_i64)? {
                0 => "Sold out: remove it from your cart to go on.".to_string(),
                left => format!("Only {left} left: lower the quantity in your cart."),
            }),
            "PRICE_CHANGED" => {
                let was = Won(p.get("sent").and_then(Value::as_i64)?);
                let now = Won(p.get("price").and_then(Value::as_i64)?);
                Some(format!("The price changed from {was} to {now}."))
            }
            _ => None,
        })
        .collect();
    (!messages.is_empty()).then(|| messages.join(" "))
}

fn points_problem(error: &Option<AppError>) -> Option<i64> {
    problems(error)
        .iter()
        .find(|p| p.get("code").and_then(Value::as_str) == Some("INSUFFICIENT_POINTS"))
        .and_then(|p| p.get("shortfall").and_then(Value::as_i64))
}

/// The message of an error that is about no line in particular.
fn general_problem(error: &Option<AppError>) -> Option<String> {
    let error = error.as_ref()?;
    let about_lines_or_points = matches!(
        error.code,
        ErrorCode::InsufficientStock | ErrorCode::InsufficientPoints | ErrorCode::PriceChanged
    );
    Some(if about_lines_or_points {
        format!("{} Nothing was charged.", error.message)
    } else {
        error.message.clone()
    })
}
