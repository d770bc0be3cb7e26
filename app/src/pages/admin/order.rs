use super::{loading, AdminError, AdminNav};
use crate::{
    admin::orders::{admin_order_detail, CancelOrderAsStaff, DeliverOrder, ShipOrder},
    components::{Enhance, Then},
    dates::format_millis,
    error::AppError,
    locale::{td_string, Locale},
    money::{show_points, Won},
    orders::{new_order_key, AdminOrder, OrderId, OrderStatus, StatusEntry, MAX_REASON},
    pages::orders::{fee_text, ShipTo, ShipmentInfo},
    shipping::{Carrier, TrackingNumber},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use server_fn::ServerFn;

/// `/admin/orders/:id`: one order with its customer, lines, payment and
/// status history, where it goes and its parcel; a placed one can be
/// shipped (with its courier and number) or cancelled, a shipped one
/// marked delivered.
#[component]
pub fn OrderAdminPage() -> impl IntoView {
    let locale = Locale::current();
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    // A placed order's page carries a fresh key for its cancel form, so a
    // form sent twice cancels once.
    let detail = OnceResource::new(async move {
        let order = admin_order_detail(id).await?;
        let key = match order.order.state.status {
            OrderStatus::Placed | OrderStatus::AwaitingPayment => {
                Some(new_order_key().await?.idempotency_key)
            }
            _ => None,
        };
        Ok::<_, AppError>((order, key))
    });
    view! {
        <section class="admin">
            <AdminNav />
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    match detail.await {
                        Ok((order, key)) => view! { <Detail order key /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Detail(order: AdminOrder, key: Option<String>) -> impl IntoView {
    let locale = Locale::current();
    let AdminOrder {
        order,
        login_id,
        history,
    } = order;
    let title = td_string!(locale, orders.order_number, id = order.order_id).to_string();
    let status = order.state.status;
    let (order_id, points_spent) = (order.order_id, order.points_spent);
    let (ship_to, shipment) = (order.ship_to.clone(), order.shipment.clone());
    view! {
        <Title text=title.clone() />
        <h1 data-testid="admin-order-title">{title}</h1>
        <p class="admin-meta">
            {td_string!(locale, admin.customer)} ": "
            <a href=format!("/admin/customers/{}", order.user_id) data-testid="order-customer">{login_id}</a>
            " · " {td_string!(locale, orders.placed, when = format_millis(order.ordered_at, locale))}
            " · " {td_string!(locale, admin.status)} ": "
            <span data-testid="order-status" data-status=status.as_str()>{status.label(locale)}</span>
        </p>
        <table class="admin-table" data-testid="order-lines">
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, orders.product)}</th>
                    <th scope="col">{td_string!(locale, orders.price)}</th>
                    <th scope="col">{td_string!(locale, orders.quantity)}</th>
                    <th scope="col">{td_string!(locale, orders.subtotal)}</th>
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
                                    <a href=format!("/admin/products/{}", line.product_id)>{line.name.clone()}</a>
                                    <span class="line-label" data-testid="order-line-label">
                                        {match line.label.is_empty() {
                                            true => line.sku.clone(),
                                            false => format!("{} · {}", line.label, line.sku),
                                        }}
                                    </span>
                                </td>
                                <td class="num">{line.unit_price.show(locale)}</td>
                                <td class="num">{line.quantity.get()}</td>
                                <td class="num">{subtotal.show(locale)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <dl class="admin-figures">
            {order.payment.coupon_id.map(|coupon| view! {
                <div>
                    <dt>{td_string!(locale, orders.items_total)}</dt>
                    <dd data-testid="order-subtotal">{order.payment.subtotal.show(locale)}</dd>
                </div>
                <div>
                    <dt>{td_string!(locale, admin.coupon_used, coupon = coupon.0)}</dt>
                    <dd data-testid="order-discount">{Won(-order.payment.discount.get()).show(locale)}</dd>
                </div>
            })}
            <div>
                <dt>{td_string!(locale, orders.shipping_fee)}</dt>
                <dd data-testid="order-shipping-fee">{fee_text(order.payment.shipping_fee, locale)}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.total)}</dt>
                <dd data-testid="order-total">{order.payment.total.show(locale)}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.points_spent)}</dt>
                <dd data-testid="order-points">{show_points(points_spent, locale)}</dd>
            </div>
            {order.paid_with.clone().map(|paid| view! {
                <div>
                    <dt>{td_string!(locale, admin.paid_by_service)}</dt>
                    <dd data-testid="order-service-payment" data-status=paid.status.as_str()>
                        {Won(paid.amount).show(locale)} " · " {paid.status.label(locale)}
                        {paid.reference.map(|tid| view! { " · " <code>{tid}</code> })}
                    </dd>
                </div>
            })}
            {order.pay_by.map(|pay_by| view! {
                <div>
                    <dt>{td_string!(locale, admin.awaiting_until)}</dt>
                    <dd data-testid="order-pay-by">{format_millis(pay_by, locale)}</dd>
                </div>
            })}
        </dl>
        <ShipTo ship_to />
        {shipment.map(|shipment| view! { <ShipmentInfo shipment /> })}
        <History history />
        {match key {
            Some(key) if status == OrderStatus::Placed => {
                view! { <ShipForm order_id /> <CancelForm order_id points_spent key /> }.into_any()
            }
            // Not paid yet: it may be cancelled, not shipped.
            Some(key) => view! { <CancelForm order_id points_spent key /> }.into_any(),
            None if status == OrderStatus::Shipped => view! { <DeliverForm order_id /> }.into_any(),
            _ => view! { <p class="admin-meta">{td_string!(locale, admin.order_closed)}</p> }.into_any(),
        }}
    }
}

#[component]
fn History(history: Vec<StatusEntry>) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <h2>{td_string!(locale, admin.status_history)}</h2>
        <table class="admin-table" data-testid="status-history">
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, admin.status)}</th>
                    <th scope="col">{td_string!(locale, admin.when)}</th>
                    <th scope="col">{td_string!(locale, admin.by)}</th>
                    <th scope="col">{td_string!(locale, admin.reason_or_note)}</th>
                </tr>
            </thead>
            <tbody>
                {history
                    .into_iter()
                    .map(|entry| {
                        // `shopper` is the order's own customer, `kakaopay` its
                        // payment coming in; staff by their login id.
                        let by = match entry.by.as_str() {
                            "shopper" => td_string!(locale, admin.by_shopper).to_string(),
                            "kakaopay" => td_string!(locale, admin.by_kakaopay).to_string(),
                            _ => entry.by,
                        };
                        view! {
                            <tr data-testid="status-entry" data-status=entry.status.as_str()>
                                <td>{entry.status.label(locale)}</td>
                                <td>{format_millis(entry.at, locale)}</td>
                                <td>{by}</td>
                                <td>{entry.reason.unwrap_or_default()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The couriers to choose from, `chosen` first selected.
#[component]
pub fn CarrierSelect(
    name: String,
    chosen: Carrier,
    #[prop(optional)] testid: &'static str,
    /// Its name when no `<label>` holds it (a row of the bulk form).
    #[prop(optional)]
    aria_label: Option<String>,
) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <select name=name data-testid=testid aria-label=aria_label>
            {Carrier::ALL
                .into_iter()
                .map(|c| view! { <option value=c.code() selected=c == chosen>{c.name(locale)}</option> })
                .collect_view()}
        </select>
    }
}

#[component]
fn ShipForm(order_id: OrderId) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <h2>{td_string!(locale, admin.ship_heading)}</h2>
        <Enhance then=Then::GoOn next=format!("/admin/orders/{order_id}") alert_id="ship-error".to_string()>
            <form method="post" action=ShipOrder::url() class="admin-form" data-testid="ship-form">
                <input type="hidden" name="order_id" value=order_id.0 />
                <label>
                    {td_string!(locale, admin.carrier)}
                    <CarrierSelect name="carrier".to_string() chosen=Carrier::Cj testid="carrier" />
                </label>
                <label>
                    {td_string!(locale, admin.tracking_number)}
                    <input type="text" name="tracking_number" required inputmode="numeric"
                        pattern="[0-9-]{10,20}" maxlength=TrackingNumber::MAX + 6 autocomplete="off"
                        data-testid="tracking-number-input" />
                </label>
                <button type="submit" data-testid="ship-button">{td_string!(locale, admin.ship_button)}</button>
            </form>
        </Enhance>
    }
}

#[component]
fn DeliverForm(order_id: OrderId) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <h2>{td_string!(locale, admin.deliver_heading)}</h2>
        <Enhance then=Then::GoOn next=format!("/admin/orders/{order_id}") alert_id="deliver-error".to_string()>
            <form method="post" action=DeliverOrder::url() class="admin-form" data-testid="deliver-form">
                <input type="hidden" name="order_id" value=order_id.0 />
                <button type="submit" data-testid="deliver-button">{td_string!(locale, admin.deliver_button)}</button>
            </form>
        </Enhance>
    }
}

#[component]
fn CancelForm(order_id: OrderId, points_spent: i64, key: String) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <h2>{td_string!(locale, admin.cancel_heading)}</h2>
        <p>{td_string!(locale, admin.cancel_explain, points = show_points(points_spent, locale))}</p>
        <Enhance then=Then::GoOn next=format!("/admin/orders/{order_id}") alert_id="staff-cancel-error".to_string()>
            <form method="post" action=CancelOrderAsStaff::url() class="admin-form" data-testid="staff-cancel-form">
                <input type="hidden" name="order_id" value=order_id.0 />
                <input type="hidden" name="idempotency_key" value=key />
                <label>
                    {td_string!(locale, admin.reason)}
                    <input type="text" name="reason" required maxlength=MAX_REASON autocomplete="off" />
                </label>
                <button type="submit">{td_string!(locale, admin.cancel_button)}</button>
            </form>
        </Enhance>
    }
}
