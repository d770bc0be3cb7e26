use crate::{
    addresses::ShippingAddress,
    components::{Enhance, ErrorNotice, Pagination, Then},
    coupons::{my_coupons, CouponStatus},
    dates::format_millis,
    error::{AppError, ErrorCode},
    locale::{td_string, Locale},
    money::{show_points, Won},
    orders::{
        get_order, list_orders, new_order_key, CancelOrder, OrderDetail, OrderPage, OrderState,
        OrderStatus, PayOrder, MAX_REASON,
    },
    pages::NotFound,
    shipping::Shipment,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

/// `/orders`: my orders, newest first.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, orders.my_orders) />
        <Meta name="description" content=td_string!(locale, orders.description) />
        <OrderList />
    }
}

#[component]
fn OrderList() -> impl IntoView {
    let page = use_query_map().with_untracked(|q| q.get("page"));
    let orders = OnceResource::new(list_orders(page, None));
    let locale = Locale::current();
    view! {
        <section class="orders-page">
            <h1>{td_string!(locale, orders.my_orders)}</h1>
            <Transition fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {Suspend::new(async move {
                    match orders.await {
                        Ok(page) => view! { <OrderTable page /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn OrderTable(page: OrderPage) -> impl IntoView {
    let locale = Locale::current();
    if page.items.is_empty() {
        return view! {
            <p class="empty" data-testid="orders-empty">
                {td_string!(locale, orders.none_yet)} " "
                <a href="/">{td_string!(locale, common.find_something)}</a>
            </p>
        }
        .into_any();
    }
    let page_count = page.page_count();
    let current = page.page;
    view! {
        <table class="ledger" data-testid="orders">
            <thead>
                <tr>
                    <th>{td_string!(locale, orders.order)}</th>
                    <th>{td_string!(locale, orders.when)}</th>
                    <th>{td_string!(locale, orders.what)}</th>
                    <th>{td_string!(locale, orders.total)}</th>
                    <th>{td_string!(locale, orders.status)}</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|order| {
                        let what = order.what(locale);
                        view! {
                            <tr data-testid="order-row">
                                <td><a href=format!("/orders/{}", order.order_id)>{format!("#{}", order.order_id)}</a></td>
                                <td>{format_millis(order.ordered_at, locale)}</td>
                                <td>{what}</td>
                                <td class="num">
                                    {order.total.show(locale)}
                                    {(order.paid_by_service > 0).then(|| view! {
                                        <small class="split" data-testid="order-split">
                                            {td_string!(locale, orders.split_service, amount = Won(order.paid_by_service).show(locale))}
                                        </small>
                                    })}
                                </td>
                                <td><StatusLabel status=order.state.status /></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Pagination current page_count href=|p| format!("/orders?page={p}") label=td_string!(locale, orders.order_pages) />
    }
    .into_any()
}

/// `/orders/:id`: one of my orders with the prices it was placed at.
#[component]
pub fn OrderDetailPage() -> impl IntoView {
    view! {
        <Title text=td_string!(Locale::current(), orders.order) />
        <OrderView />
    }
}

#[component]
fn OrderView() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    // A placed order's page carries a fresh key for its cancel form, so a
    // form sent twice cancels once. A cancelled order's coupon is looked up
    // among mine: usable now, it came back with the cancel.
    let order = OnceResource::new(async move {
        let order = get_order(id).await?;
        let key = match order.state.status {
            OrderStatus::Placed | OrderStatus::AwaitingPayment => {
                Some(new_order_key().await?.idempotency_key)
            }
            _ => None,
        };
        let coupon_back = match (order.state.status, order.payment.coupon_id) {
            (OrderStatus::Cancelled | OrderStatus::Expired, Some(coupon)) => {
                my_coupons().await.is_ok_and(|mine| {
                    mine.items
                        .iter()
                        .any(|c| c.coupon_id == coupon && c.status == CouponStatus::Usable)
                })
            }
            _ => false,
        };
        Ok::<_, AppError>((order, key, coupon_back))
    });
    let locale = Locale::current();
    view! {
        <Transition fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
            {Suspend::new(async move {
                match order.await {
                    Ok((order, key, coupon_back)) => view! { <OrderDetails order key coupon_back /> }.into_any(),
                    Err(e) if e.code == ErrorCode::OrderNotFound => {
                        view! { <NotFound message=td_string!(locale, orders.no_such_order) /> }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// An order's status as a label; `data-status` carries it whatever the language.
#[component]
fn StatusLabel(status: OrderStatus) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <span class=format!("order-status order-status--{}", status.as_str()) data-testid="order-status" data-status=status.as_str()>
            {status.label(locale)}
        </span>
    }
}

#[component]
fn OrderDetails(order: OrderDetail, key: Option<String>, coupon_back: bool) -> impl IntoView {
    let locale = Locale::current();
    let title = td_string!(locale, orders.order_number, id = order.order_id).to_string();
    let (order_id, points_spent, state) = (order.order_id, order.points_spent, order.state.clone());
    let (to_pay, pay_by, paid_with) = (order.to_pay(), order.pay_by, order.paid_with.clone());
    let payment = order.payment;
    let with_coupon = payment.coupon_id.is_some();
    // Orders placed since the shop charged for delivery show what it cost.
    let with_fee = order.ship_to.is_some() || payment.shipping_fee.get() > 0;
    let (ship_to, shipment) = (order.ship_to.clone(), order.shipment.clone());
    let ordered_at = order.ordered_at;
    let paid_at = paid_with.as_ref().and_then(|p| p.approved_at);
    view! {
        <Title text=title.clone() />
        <Meta name="description" content=td_string!(locale, orders.order_description, id = order.order_id) />
        <section class="order-page">
            <h1 data-testid="order-title">{title}</h1>
            <p>{td_string!(locale, orders.placed, when = format_millis(order.ordered_at, locale))}</p>
            <p class="order-page__status">
                {td_string!(locale, orders.status)} ": " <StatusLabel status=state.status />
            </p>
            {pay_by.map(|pay_by| view! { <PayNow order_id to_pay pay_by /> })}
            <OrderSteps ordered_at paid_at shipment=shipment.clone() />
            <StatusStory state points_spent coupon_back />
            {shipment.map(|shipment| view! { <ShipmentInfo shipment /> })}
            <ShipTo ship_to />
            <table class="ledger" data-testid="order-lines">
                <thead>
                    <tr>
                        <th>{td_string!(locale, orders.product)}</th>
                        <th>{td_string!(locale, orders.price)}</th>
                        <th>{td_string!(locale, orders.quantity)}</th>
                        <th>{td_string!(locale, orders.subtotal)}</th>
                    </tr>
                </thead>
                <tbody>
                    {order
                        .items
                        .into_iter()
                        .map(|line| {
                            let subtotal = line.line_total();
                            view! {
                                <tr data-testid="order-line">
                                    <td>
                                        <a href=product_link(&line)>{line.name.clone()}</a>
                                        {(!line.label.is_empty()).then(|| view! {
                                            <span class="line-label" data-testid="order-line-label">{line.label.clone()}</span>
                                        })}
                                    </td>
                                    <td class="num">{line.unit_price.show(locale)}</td>
                                    <td class="num" data-testid="order-line-quantity">{line.quantity.get()}</td>
                                    <td class="num">{subtotal.show(locale)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            // With a coupon or a fee: what the items came to, what the
            // coupon took off and what delivery cost.
            {(with_coupon || with_fee).then(|| view! {
                <dl class="order-sums">
                    <div>
                        <dt>{td_string!(locale, orders.items_total)}</dt>
                        <dd data-testid="order-subtotal">{payment.subtotal.show(locale)}</dd>
                    </div>
                    {with_coupon.then(|| view! {
                        <div>
                            <dt>{td_string!(locale, orders.coupon_discount)}</dt>
                            <dd data-testid="order-discount">{Won(-payment.discount.get()).show(locale)}</dd>
                        </div>
                    })}
                    {with_fee.then(|| view! {
                        <div>
                            <dt>{td_string!(locale, orders.shipping_fee)}</dt>
                            <dd data-testid="order-shipping-fee">{fee_text(payment.shipping_fee, locale)}</dd>
                        </div>
                    })}
                </dl>
            })}
            <p class="cart-summary__total">
                {if with_coupon || with_fee {
                    td_string!(locale, orders.total_paid)
                } else {
                    td_string!(locale, common.total)
                }}
                " "
                <strong data-testid="order-total">{payment.total.show(locale)}</strong>
            </p>
            <p data-testid="order-points">
                {td_string!(locale, orders.paid_with, points = show_points(order.points_spent, locale))}
            </p>
            {paid_with.map(|paid| view! {
                <p data-testid="order-service-payment" data-status=paid.status.as_str()>
                    {td_string!(locale, orders.paid_by_service, amount = Won(paid.amount).show(locale))}
                    {(paid.status != crate::payments::ChargeStatus::Paid).then(|| view! {
                        " (" {paid.status.label(locale)} ")"
                    })}
                </p>
            })}
            {key.map(|key| view! { <CancelForm order_id points_spent key /> })}
            <p>
                <a href="/orders">{td_string!(locale, orders.all_orders)}</a>
                " · "
                <a href="/points">{td_string!(locale, orders.my_points)}</a>
            </p>
        </section>
    }
}

/// What became of an order that is not placed any more: who cancelled it,
/// when and why, and the points that came back; or when it was shipped.
#[component]
fn StatusStory(state: OrderState, points_spent: i64, coupon_back: bool) -> impl IntoView {
    let locale = Locale::current();
    let when = state.status_at.map(|at| format_millis(at, locale));
    let reason = state.reason.filter(|r| !r.is_empty());
    match state.status {
        OrderStatus::Placed | OrderStatus::AwaitingPayment => ().into_any(),
        OrderStatus::Expired => view! {
            <div class="order-page__story" data-testid="status-story">
                {when.map(|when| view! { <p data-testid="expired-at">{td_string!(locale, orders.expired_at, when)}</p> })}
                <GivenBack points_spent coupon_back />
            </div>
        }
        .into_any(),
        OrderStatus::Cancelled => {
            let by_me = state.status_by.as_deref() == Some("shopper");
            view! {
                <div class="order-page__story" data-testid="status-story">
                    {when.map(|when| {
                        let text = if by_me {
                            td_string!(locale, orders.cancelled_by_you, when).to_string()
                        } else {
                            td_string!(locale, orders.cancelled_by_shop, when).to_string()
                        };
                        view! { <p data-testid="cancelled-by" data-by=if by_me { "shopper" } else { "shop" }>{text}</p> }
                    })}
                    {reason.map(|reason| view! { <p data-testid="status-reason">{td_string!(locale, orders.reason_is, reason)}</p> })}
                    <GivenBack points_spent coupon_back />
                </div>
            }
            .into_any()
        }
        // The dates are the steps'; an order shipped before carriers were
        // recorded kept its note.
        OrderStatus::Shipped | OrderStatus::Delivered => reason
            .map(|note| {
                view! {
                    <div class="order-page__story" data-testid="status-story">
                        <p data-testid="status-note">{td_string!(locale, orders.note_is, note)}</p>
                    </div>
                }
            })
            .into_any(),
    }
}

/// A fee as the order shows it: free, or what it cost.
pub fn fee_text(fee: Won, locale: Locale) -> String {
    match fee.get() {
        0 => td_string!(locale, orders.free_shipping).to_string(),
        _ => fee.show(locale),
    }
}

/// When the order took each step it took: ordered, paid through the
/// payment service, shipped, delivered.
#[component]
fn OrderSteps(ordered_at: i64, paid_at: Option<i64>, shipment: Option<Shipment>) -> impl IntoView {
    let locale = Locale::current();
    let step = |key: &'static str, label: &'static str, at: i64| {
        view! {
            <li data-step=key>
                <span class="order-steps__label">{label}</span> " "
                <time>{format_millis(at, locale)}</time>
            </li>
        }
    };
    let (shipped, delivered) = match &shipment {
        Some(s) => (Some(s.shipped_at), s.delivered_at),
        None => (None, None),
    };
    view! {
        <ol class="order-steps" data-testid="order-steps">
            {step("ordered", td_string!(locale, orders.step_ordered), ordered_at)}
            {paid_at.map(|at| step("paid", td_string!(locale, orders.step_paid), at))}
            {shipped.map(|at| step("shipped", td_string!(locale, orders.step_shipped), at))}
            {delivered.map(|at| step("delivered", td_string!(locale, orders.step_delivered), at))}
        </ol>
    }
}

/// The parcel: its courier, its number and the courier's page following it.
#[component]
pub fn ShipmentInfo(shipment: Shipment) -> impl IntoView {
    let locale = Locale::current();
    let carrier = shipment.carrier.map(|c| c.name(locale));
    let number = shipment
        .tracking_number
        .as_ref()
        .map(|n| n.as_str().to_string());
    view! {
        <section class="order-shipment" aria-labelledby="shipment-heading" data-testid="shipment">
            <h2 id="shipment-heading">{td_string!(locale, orders.shipment_heading)}</h2>
            {carrier.map(|carrier| view! {
                <p>
                    <span data-testid="shipment-carrier">{carrier}</span> " "
                    <span data-testid="tracking-number">{number.clone().unwrap_or_default()}</span>
                </p>
            })}
            {shipment.tracking_url.map(|url| view! {
                <p>
                    <a href=url target="_blank" rel="noopener noreferrer" data-testid="tracking-link">
                        {td_string!(locale, orders.track_parcel)}
                    </a>
                </p>
            })}
        </section>
    }
}

/// Where the order goes, as it was when ordered.
#[component]
pub fn ShipTo(ship_to: Option<ShippingAddress>) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <section class="order-ship-to" aria-labelledby="ship-to-heading" data-testid="ship-to">
            <h2 id="ship-to-heading">{td_string!(locale, orders.ship_to_heading)}</h2>
            {match ship_to {
                Some(to) => view! {
                    <dl>
                        <dt>{td_string!(locale, addresses.recipient)}</dt>
                        <dd data-testid="ship-to-recipient">{to.recipient.clone()}</dd>
                        <dt>{td_string!(locale, addresses.phone)}</dt>
                        <dd data-testid="ship-to-phone">{to.phone.as_str().to_string()}</dd>
                        <dt>{td_string!(locale, addresses.address)}</dt>
                        <dd data-testid="ship-to-address">{to.one_line()}</dd>
                        {(!to.memo.is_empty()).then(|| view! {
                            <dt>{td_string!(locale, addresses.memo)}</dt>
                            <dd data-testid="ship-to-memo">{to.memo.clone()}</dd>
                        })}
                    </dl>
                }
                .into_any(),
                None => view! { <p data-testid="no-ship-to">{td_string!(locale, orders.no_ship_to)}</p> }.into_any(),
            }}
        </section>
    }
}

/// What came back from an order that was cancelled or expired: its
/// points, and its coupon when usable again.
#[component]
fn GivenBack(points_spent: i64, coupon_back: bool) -> impl IntoView {
    let locale = Locale::current();
    view! {
        {(points_spent > 0).then(|| view! {
            <p class="notice notice--ok" data-testid="refunded">
                {td_string!(locale, orders.refunded, points = show_points(points_spent, locale))}
            </p>
        })}
        {coupon_back.then(|| view! {
            <p class="notice notice--ok" data-testid="coupon-returned">
                {td_string!(locale, orders.coupon_returned)} " "
                <a href="/coupons">{td_string!(locale, coupons.mine)}</a>
            </p>
        })}
    }
}

/// An order waiting for the rest of its payment: how much, until when, and
/// a plain form that starts a fresh payment at the service (303 there).
#[component]
fn PayNow(order_id: crate::orders::OrderId, to_pay: i64, pay_by: i64) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <section class="order-pay notice" aria-labelledby="pay-heading" data-testid="pay-now">
            <h2 id="pay-heading">{td_string!(locale, orders.pay_heading)}</h2>
            <p data-testid="to-pay">
                {td_string!(
                    locale,
                    orders.pay_explain,
                    amount = Won(to_pay).show(locale),
                    until = format_millis(pay_by, locale)
                )}
            </p>
            <form method="post" action=PayOrder::url()>
                <input type="hidden" name="order_id" value=order_id.0 />
                <button type="submit" class="kakaopay-button" data-testid="pay-now-button">
                    {td_string!(locale, orders.pay_button)}
                </button>
            </form>
        </section>
    }
}

/// Cancelling a placed order: a plain POST that comes back to this page;
/// the box to tick is the confirmation, with or without JS. With JS the
/// `Enhance` island sends it and loads this page again, cancelled.
#[component]
fn CancelForm(order_id: crate::orders::OrderId, points_spent: i64, key: String) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <section class="order-cancel" aria-labelledby="cancel-heading">
            <h2 id="cancel-heading">{td_string!(locale, orders.cancel_heading)}</h2>
            <p>{td_string!(locale, orders.cancel_explain, points = show_points(points_spent, locale))}</p>
            <Enhance then=Then::GoOn next=format!("/orders/{order_id}") alert_id="cancel-error".to_string()>
                <form method="post" action=CancelOrder::url() data-testid="cancel-form">
                    <input type="hidden" name="order_id" value=order_id.0 />
                    <input type="hidden" name="idempotency_key" value=key />
                    <label>
                        {td_string!(locale, orders.cancel_reason)}
                        <input type="text" name="reason" maxlength=MAX_REASON autocomplete="off" />
                    </label>
                    // No name: the box is the browser's to check, not a field the server reads.
                    <label class="order-cancel__confirm">
                        <input type="checkbox" required data-testid="cancel-confirm" />
                        {td_string!(locale, orders.cancel_confirm)}
                    </label>
                    <button type="submit" data-testid="cancel-order">{td_string!(locale, orders.cancel_button)}</button>
                </form>
            </Enhance>
        </section>
    }
}

/// Where an order line links: its product, with the variant chosen.
fn product_link(line: &crate::orders::OrderLine) -> String {
    match line.label.is_empty() {
        true => format!("/products/{}", line.product_id),
        false => format!("/products/{}?variant={}", line.product_id, line.variant_id),
    }
}
