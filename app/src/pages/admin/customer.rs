use super::{loading, AdminError, AdminNav};
use crate::{
    accounts::customers::CustomerDetail,
    admin::orders::{admin_customer, AdjustPoints, RefundCharge},
    components::{field_error, Enhance, Then},
    dates::format_millis,
    flash::FormState,
    identity::UserId,
    locale::{td_string, Locale},
    money::{show_points, Won},
    orders::OrderPage,
    payments::{Charge, ChargeStatus},
    points::{LedgerKind, LedgerPage, PointDelta, MAX_REASON},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use server_fn::ServerFn;

/// `/admin/customers/:id`: one customer's balance, their latest orders
/// and point ledger, and adjusting the balance with a reason.
#[component]
pub fn CustomerAdminPage() -> impl IntoView {
    let locale = Locale::current();
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let detail = OnceResource::new(admin_customer(id));
    view! {
        <section class="admin">
            <AdminNav />
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    match detail.await {
                        Ok(customer) => view! { <Detail customer /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Detail(customer: CustomerDetail) -> impl IntoView {
    let locale = Locale::current();
    let CustomerDetail {
        user_id,
        login_id,
        points,
        created_at,
        orders,
        ledger,
        charges,
    } = customer;
    view! {
        <Title text=login_id.clone() />
        <h1 data-testid="admin-customer-name">{login_id}</h1>
        <p class="admin-meta">{td_string!(locale, admin.joined, when = format_millis(created_at, locale))}</p>
        <dl class="admin-figures">
            <div>
                <dt>{td_string!(locale, admin.balance)}</dt>
                <dd data-testid="customer-points" data-points=points>{show_points(points, locale)}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.orders_placed)}</dt>
                <dd data-testid="customer-orders">{orders.total}</dd>
            </div>
        </dl>
        <AdjustForm user_id />
        <Orders orders />
        <Charges charges />
        <Ledger ledger />
    }
}

/// The customer's payments; a paid one can be refunded (the money back
/// through the payment service, the points taken back).
#[component]
fn Charges(charges: Vec<Charge>) -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(RefundCharge::PATH);
    view! {
        <h2>{td_string!(locale, points.charges)}</h2>
        {if charges.is_empty() {
            view! { <p class="empty">{td_string!(locale, points.no_charges)}</p> }.into_any()
        } else {
            view! {
                <table class="admin-table" data-testid="customer-charges">
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(locale, points.charge_id)}</th>
                            <th scope="col">{td_string!(locale, admin.when)}</th>
                            <th scope="col">{td_string!(locale, admin.amount)}</th>
                            <th scope="col">{td_string!(locale, points.status)}</th>
                            <th scope="col">{td_string!(locale, admin.refund)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {charges
                            .into_iter()
                            .map(|charge| {
                                let refund = (charge.status == ChargeStatus::Paid).then(|| {
                                    view! {
                                        <form method="post" action=RefundCharge::url() class="admin-inline-form" data-testid="refund-charge-form">
                                            <input type="hidden" name="charge_id" value=charge.charge_id.0 />
                                            <label>
                                                {td_string!(locale, admin.reason)}
                                                <input type="text" name="reason" required maxlength=MAX_REASON autocomplete="off"
                                                    aria-invalid=state.invalid("reason") aria-describedby=state.described_by("reason") />
                                            </label>
                                            <button type="submit">{td_string!(locale, admin.refund_button)}</button>
                                        </form>
                                    }
                                });
                                view! {
                                    <tr data-testid="customer-charge-row" data-status=charge.status.as_str()>
                                        <td>{format!("#{}", charge.charge_id)}</td>
                                        <td>{format_millis(charge.created_at, locale)}</td>
                                        <td class="num">{Won(charge.amount).grouped()}</td>
                                        <td>{charge.status.label(locale)}</td>
                                        <td>{refund}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                {field_error(&state, "reason")}
            }
                .into_any()
        }}
    }
}

#[component]
fn AdjustForm(user_id: UserId) -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(AdjustPoints::PATH);
    view! {
        <h2>{td_string!(locale, admin.adjust_points)}</h2>
        <Enhance then=Then::GoOn next=format!("/admin/customers/{user_id}") alert_id="adjust-points-error".to_string()>
            <form method="post" action=AdjustPoints::url() class="admin-form" data-testid="adjust-points-form">
                <input type="hidden" name="user_id" value=user_id.0 />
                <label>
                    {td_string!(locale, admin.points_delta)}
                    <input type="number" name="delta" required min=-PointDelta::MAX max=PointDelta::MAX step="1"
                        value=state.typed("delta") aria-invalid=state.invalid("delta") aria-describedby=state.described_by("delta") />
                </label>
                {field_error(&state, "delta")}
                <label>
                    {td_string!(locale, admin.reason)}
                    <input type="text" name="reason" required maxlength=MAX_REASON autocomplete="off"
                        value=state.typed("reason") aria-invalid=state.invalid("reason") aria-describedby=state.described_by("reason") />
                </label>
                {field_error(&state, "reason")}
                <button type="submit">{td_string!(locale, admin.adjust_points_button)}</button>
            </form>
        </Enhance>
    }
}

#[component]
fn Orders(orders: OrderPage) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <h2>{td_string!(locale, admin.customer_orders)}</h2>
        {if orders.items.is_empty() {
            view! { <p class="empty">{td_string!(locale, admin.no_orders)}</p> }.into_any()
        } else {
            view! {
                <p>{td_string!(locale, admin.latest_of, shown = orders.items.len(), count = orders.total)}</p>
                <table class="admin-table" data-testid="customer-orders-table">
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(locale, admin.order)}</th>
                            <th scope="col">{td_string!(locale, admin.when)}</th>
                            <th scope="col">{td_string!(locale, admin.items)}</th>
                            <th scope="col">{td_string!(locale, admin.total)}</th>
                            <th scope="col">{td_string!(locale, admin.status)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {orders
                            .items
                            .into_iter()
                            .map(|order| {
                                let what = order.what(locale);
                                let status = order.state.status;
                                view! {
                                    <tr data-testid="customer-order" data-status=status.as_str()>
                                        <td><a href=format!("/admin/orders/{}", order.order_id)>{format!("#{}", order.order_id)}</a></td>
                                        <td>{format_millis(order.ordered_at, locale)}</td>
                                        <td>{what}</td>
                                        <td class="num">{order.total.show(locale)}</td>
                                        <td>{status.label(locale)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
                .into_any()
        }}
    }
}

#[component]
fn Ledger(ledger: LedgerPage) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <h2>{td_string!(locale, admin.ledger)}</h2>
        {if ledger.items.is_empty() {
            view! { <p class="empty">{td_string!(locale, admin.no_ledger)}</p> }.into_any()
        } else {
            view! {
                <p>{td_string!(locale, admin.latest_of, shown = ledger.items.len(), count = ledger.total)}</p>
                <table class="admin-table" data-testid="customer-ledger">
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(locale, admin.when)}</th>
                            <th scope="col">{td_string!(locale, admin.kind)}</th>
                            <th scope="col">{td_string!(locale, admin.amount)}</th>
                            <th scope="col">{td_string!(locale, admin.balance_after)}</th>
                            <th scope="col">{td_string!(locale, admin.note)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {ledger
                            .items
                            .into_iter()
                            .map(|entry| {
                                let kind = match entry.kind {
                                    LedgerKind::Charge => td_string!(locale, points.kind_charge),
                                    LedgerKind::Use => td_string!(locale, points.kind_use),
                                    LedgerKind::Refund => td_string!(locale, points.kind_refund),
                                    LedgerKind::Adjustment => td_string!(locale, points.kind_adjustment),
                                };
                                let order = entry.order_id.map(|id| {
                                    view! {
                                        " · "
                                        <a href=format!("/admin/orders/{id}")>{td_string!(locale, points.order_number, id)}</a>
                                    }
                                });
                                let sign = if entry.amount > 0 { "+" } else { "" };
                                view! {
                                    <tr data-testid="customer-ledger-row" data-kind=entry.kind.as_str()>
                                        <td>{format_millis(entry.at, locale)}</td>
                                        <td>{kind}{order}</td>
                                        <td class="num">{format!("{sign}{}", Won(entry.amount).grouped())}</td>
                                        <td class="num">{Won(entry.balance_after).grouped()}</td>
                                        <td>{entry.note}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
                .into_any()
        }}
    }
}
