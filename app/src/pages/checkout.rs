use crate::{
    addresses::{Address, AddressId},
    cart::CartLine,
    components::{Enhance, ErrorNotice, PointsShort, Then},
    locale::{td_string, Locale},
    money::{show_points, Won},
    orders::{checkout_view, CheckoutSummary, CouponChoice, PlaceOrder},
    pages::{orders::fee_text, NewAddress},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// `/checkout?coupon_id&address_id`: my cart against my balance, the
/// coupon chosen and what it takes off, where it goes (my addresses, the
/// default chosen; a form for the first one when I have none), the
/// shipping fee, and the one button that places the order. The
/// page embeds an idempotency key, so a double click or a resubmitted form
/// never orders twice. The coupon is chosen with a GET form that loads
/// this page again; the order form carries the coupon shown. Both work
/// without JS; with JS an `Enhance` island sends the order form.
#[component]
pub fn CheckoutPage() -> impl IntoView {
    let (coupon_id, address_id) =
        use_query_map().with_untracked(|q| (q.get("coupon_id"), q.get("address_id")));
    let view_data = OnceResource::new(checkout_view(coupon_id.clone(), address_id));
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, checkout.checkout) />
        <Meta name="description" content=td_string!(locale, checkout.description) />
        <section class="checkout-page">
            <h1>{td_string!(locale, checkout.checkout)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {Suspend::new(async move {
                    let asked = coupon_id.filter(|c| !c.trim().is_empty());
                    match view_data.await {
                        Ok(data) if data.cart.lines.is_empty() => view! {
                            <p class="empty" data-testid="checkout-empty">
                                {td_string!(locale, cart.empty)} " "
                                <a href="/">{td_string!(locale, common.find_something)}</a>
                            </p>
                        }
                            .into_any(),
                        Ok(data) => {
                            // Asked for, but it cannot pay for this cart.
                            let refused = asked.is_some() && data.coupon_id.is_none();
                            let no_address = data.addresses.is_empty();
                            view! {
                                // Outside the island: a GET that loads the page again.
                                <CouponForm coupons=data.coupons.clone() chosen=data.coupon_id.map(|c| c.0) refused />
                                // The first address, before the order can go anywhere.
                                {no_address.then(|| view! { <NewAddress next=Some("/checkout".to_string()) /> })}
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
                                .into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Choosing a coupon: my usable ones, each with what it takes off this
/// cart, or, greyed out, the minimum it needs.
#[component]
fn CouponForm(coupons: Vec<CouponChoice>, chosen: Option<i64>, refused: bool) -> impl IntoView {
    let locale = Locale::current();
    if coupons.is_empty() {
        return view! {
            <div class="checkout-coupon">
                {refused.then(|| view! {
                    <p class="field-error" data-testid="coupon-refused">{td_string!(locale, checkout.coupon_refused)}</p>
                })}
                <p data-testid="no-coupons">
                    {td_string!(locale, checkout.no_coupons)} " "
                    <a href="/coupons">{td_string!(locale, checkout.get_coupons)}</a>
                </p>
            </div>
        }
        .into_any();
    }
    view! {
        <form method="get" action="/checkout" class="checkout-coupon" data-testid="coupon-form">
            <label>
                {td_string!(locale, checkout.coupon)}
                <select name="coupon_id" data-testid="coupon-select">
                    <option value="" selected=chosen.is_none()>{td_string!(locale, checkout.no_coupon)}</option>
                    {coupons
                        .into_iter()
                        .map(|c| {
                            let id = c.coupon_id.0;
                            let text = match c.discount {
                                Some(off) => td_string!(
                                    locale,
                                    checkout.coupon_option,
                                    name = &c.name,
                                    off = off.show(locale)
                                )
                                .to_string(),
                                None => td_string!(
                                    locale,
                                    checkout.coupon_minimum,
                                    name = &c.name,
                                    min_order = c.terms.min_order.show(locale)
                                )
                                .to_string(),
                            };
                            view! {
                                <option value=id.to_string() selected=chosen == Some(id) disabled=c.discount.is_none()>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button type="submit" data-testid="apply-coupon">{td_string!(locale, checkout.apply_coupon)}</button>
            {refused.then(|| view! {
                <p class="field-error" data-testid="coupon-refused">{td_string!(locale, checkout.coupon_refused)}</p>
            })}
        </form>
    }
    .into_any()
}

/// The form as the server renders it: the lines with the hidden fields
/// that say what was shown, the coupon chosen, the total against the
/// balance, the button.
#[component]
fn CheckoutForm(data: CheckoutSummary) -> impl IntoView {
    let (subtotal, discount, to_pay) = (data.cart.total, data.discount, data.to_pay);
    let (fee, free_from) = (data.shipping_fee, data.free_shipping_from);
    let short_of_free = free_from.get() - (subtotal.get() - discount.get());
    let (addresses, address_id) = (data.addresses, data.address_id);
    let has_address = address_id.is_some();
    let points = data.points;
    let coupon = data.coupon_id;
    // With a payment service, points pay as much as the shopper says (all
    // they can, at first) and the service the rest.
    let service = data.rest_paid_with.is_some();
    let usable = points.min(to_pay.get()).max(0);
    let rest = to_pay.get() - usable;
    let to_kakaopay = service && rest > 0;
    let locale = Locale::current();
    view! {
        <form method="post" action=PlaceOrder::url() class="checkout-form">
            <input type="hidden" name="idempotency_key" value=data.idempotency_key />
            <input type="hidden" name="from_cart" value="true" />
            <input type="hidden" name="coupon_id" value=coupon.map(|c| c.to_string()).unwrap_or_default() />
            <ul class="cart-lines" data-testid="checkout-lines">
                {data
                    .cart
                    .lines
                    .into_iter()
                    .enumerate()
                    .map(|(i, line)| view! { <CheckoutLine i line /> })
                    .collect_view()}
            </ul>
            <ShipToChoice addresses chosen=address_id />
            <aside class="cart-summary">
                <dl class="checkout-sums">
                    <div>
                        <dt>{td_string!(locale, checkout.subtotal)}</dt>
                        <dd data-testid="checkout-subtotal">{subtotal.show(locale)}</dd>
                    </div>
                    {coupon.map(|_| view! {
                        <div>
                            <dt>{td_string!(locale, checkout.discount)}</dt>
                            <dd data-testid="checkout-discount">{Won(-discount.get()).show(locale)}</dd>
                        </div>
                    })}
                    <div>
                        <dt>{td_string!(locale, orders.shipping_fee)}</dt>
                        <dd data-testid="checkout-shipping-fee">{fee_text(fee, locale)}</dd>
                    </div>
                </dl>
                {(fee.get() > 0 && short_of_free > 0).then(|| view! {
                    <p class="hint" data-testid="free-shipping-hint">
                        {td_string!(
                            locale,
                            checkout.free_shipping_from,
                            threshold = free_from.show(locale),
                            more = Won(short_of_free).show(locale)
                        )}
                    </p>
                })}
                <p class="cart-summary__total">
                    {td_string!(locale, checkout.to_pay)} " "
                    <strong data-testid="checkout-total">{to_pay.show(locale)}</strong>
                </p>
                <p data-testid="checkout-balance">
                    {td_string!(locale, cart.your_points, points = show_points(points, locale))}
                </p>
                {(service && to_pay.get() > 0).then(|| view! {
                    <label class="checkout-points">
                        {td_string!(locale, checkout.points_to_use)}
                        <input type="number" name="points" min="0" max=usable step="1" value=usable
                            inputmode="numeric" data-testid="points-to-use" />
                    </label>
                    <p class="hint" data-testid="rest-to-pay">
                        {td_string!(locale, checkout.rest_with_kakaopay, amount = Won(rest).show(locale))}
                    </p>
                })}
                {(!service && points < to_pay.get()).then(|| view! { <PointsShort short=to_pay.get() - points locale /> })}
                {if has_address {
                    view! {
                        <button type="submit" class="button" class:kakaopay-button=to_kakaopay data-testid="place-order">
                            {if to_kakaopay {
                                td_string!(locale, checkout.pay_with_kakaopay)
                            } else {
                                td_string!(locale, checkout.place_order)
                            }}
                        </button>
                    }
                    .into_any()
                } else {
                    view! { <p class="hint" data-testid="address-first">{td_string!(locale, checkout.address_first)}</p> }.into_any()
                }}
            </aside>
        </form>
    }
}

/// Where the order goes: one of my addresses (the chosen one checked), and
/// the way to the address book to add or change one.
#[component]
fn ShipToChoice(addresses: Vec<Address>, chosen: Option<AddressId>) -> impl IntoView {
    let locale = Locale::current();
    if addresses.is_empty() {
        return ().into_any();
    }
    view! {
        <fieldset class="checkout-ship-to" data-testid="ship-to-choice">
            <legend>{td_string!(locale, orders.ship_to_heading)}</legend>
            {addresses
                .into_iter()
                .map(|a| {
                    let id = a.address_id;
                    let name = match a.label.is_empty() {
                        true => a.to.recipient.clone(),
                        false => format!("{} · {}", a.label, a.to.recipient),
                    };
                    view! {
                        <label class="checkout-ship-to__option">
                            <input type="radio" name="address_id" value=id.0 checked=chosen == Some(id)
                                required data-testid="ship-to-option" />
                            <strong>{name}</strong> " " <span>{a.to.phone.as_str().to_string()}</span>
                            <br />
                            <span>{a.to.one_line()}</span>
                        </label>
                    }
                })
                .collect_view()}
            <p>
                <a href="/account/addresses?next=/checkout" data-testid="manage-addresses">
                    {td_string!(locale, checkout.manage_addresses)}
                </a>
            </p>
        </fieldset>
    }
    .into_any()
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
            <input type="hidden" name=field("variant_id") value=line.variant_id.to_string() />
            <input type="hidden" name=field("quantity") value=line.quantity.get().to_string() />
            <input type="hidden" name=field("price") value=line.price.get().to_string() />
            <img src=line.image.clone() alt="" width="80" height="80" />
            <div class="cart-line__info">
                <a href=format!("/products/{id}")>{line.name.clone()}</a>
                {(!line.label.is_empty()).then(|| view! {
                    <span class="line-label" data-testid="checkout-line-label">{line.label.clone()}</span>
                })}
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
