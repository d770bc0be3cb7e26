use super::order::CarrierSelect;
use super::{loading, AdminError, AdminNav};
use crate::{
    admin::orders::{admin_orders, ShipOrders},
    components::{Enhance, Pagination, Then},
    dates::format_millis,
    locale::{td_string, Locale},
    orders::{AdminOrderPage, OrderStatus},
    shipping::Carrier,
    url::encode,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// What the order list is filtered by, as the query has it: status, from,
/// to (days), user_id, product_id.
type Filters = [Option<String>; 5];

const FILTER_NAMES: [&str; 5] = ["status", "from", "to", "user_id", "product_id"];

/// `/admin/orders?status&from&to&user_id&product_id&page`: every order,
/// newest first, and the same list as CSV for a courier. Filtered to the
/// placed ones (the orders to ship), each row takes a courier and a
/// tracking number, and one form ships every row given a number.
#[component]
pub fn OrdersAdminPage() -> impl IntoView {
    let locale = Locale::current();
    let (page, filters): (Option<String>, Filters) =
        use_query_map().with_untracked(|m| (m.get("page"), FILTER_NAMES.map(|name| m.get(name))));
    let orders = {
        let [status, from, to, user_id, product_id] = filters.clone();
        OnceResource::new(admin_orders(
            status, from, to, user_id, product_id, page, None,
        ))
    };
    let [status, from, to, user_id, product_id] = filters.clone();
    let chosen = status.unwrap_or_default();
    view! {
        <Title text=td_string!(locale, admin.orders) />
        <section class="admin">
            <AdminNav />
            <h1>{td_string!(locale, admin.orders)}</h1>
            <form method="get" action="/admin/orders" class="admin-filter" role="search" data-testid="order-filter">
                <label>
                    {td_string!(locale, admin.status)}
                    <select name="status">
                        <option value="">{td_string!(locale, admin.all)}</option>
                        {OrderStatus::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str() selected=chosen == s.as_str()>{s.label(locale)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {td_string!(locale, admin.from_day)}
                    <input type="date" name="from" value=from.unwrap_or_default() />
                </label>
                <label>
                    {td_string!(locale, admin.to_day)}
                    <input type="date" name="to" value=to.unwrap_or_default() />
                </label>
                <label>
                    {td_string!(locale, admin.customer_number)}
                    <input type="number" name="user_id" value=user_id.unwrap_or_default() min="1" step="1" inputmode="numeric" />
                </label>
                <label>
                    {td_string!(locale, admin.product_number)}
                    <input type="number" name="product_id" value=product_id.unwrap_or_default() min="1" step="1" inputmode="numeric" />
                </label>
                <button type="submit">{td_string!(locale, admin.find)}</button>
            </form>
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    let filters = filters.clone();
                    match orders.await {
                        Ok(page) => view! { <OrderTable page filters /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn OrderTable(page: AdminOrderPage, filters: Filters) -> impl IntoView {
    let locale = Locale::current();
    if page.items.is_empty() {
        return view! { <p class="empty">{td_string!(locale, admin.no_orders)}</p> }.into_any();
    }
    let page_count = page.page_count();
    let export = format!("/api/admin/orders/export?{}", filter_query(&filters));
    let bulk = filters[0].as_deref() == Some(OrderStatus::Placed.as_str());
    let href = move |n: u32| format!("/admin/orders?{}&page={n}", filter_query(&filters));
    let table = view! {
        <table class="admin-table" data-testid="admin-orders">
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, admin.order)}</th>
                    <th scope="col">{td_string!(locale, admin.customer)}</th>
                    <th scope="col">{td_string!(locale, admin.when)}</th>
                    <th scope="col">{td_string!(locale, admin.items)}</th>
                    <th scope="col">{td_string!(locale, admin.total)}</th>
                    <th scope="col">{td_string!(locale, admin.status)}</th>
                    {bulk.then(|| view! {
                        <th scope="col">{td_string!(locale, admin.carrier)}</th>
                        <th scope="col">{td_string!(locale, admin.tracking_number)}</th>
                    })}
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .enumerate()
                    .map(|(i, row)| {
                        let order = row.order;
                        let field = move |name: &str| format!("shipments[{i}][{name}]");
                        let number_label = td_string!(locale, admin.tracking_number_of, order = order.order_id).to_string();
                        let carrier_label = td_string!(locale, admin.carrier_of, order = order.order_id).to_string();
                        let what = order.what(locale);
                        let status = order.state.status;
                        view! {
                            <tr data-testid="admin-order-row" data-order-id=order.order_id.0 data-status=status.as_str()>
                                <td><a href=format!("/admin/orders/{}", order.order_id)>{format!("#{}", order.order_id)}</a></td>
                                <td>{row.login_id}</td>
                                <td>{format_millis(order.ordered_at, locale)}</td>
                                <td>{what}</td>
                                <td class="num">
                                    {order.total.show(locale)}
                                    {(order.paid_by_service > 0).then(|| view! {
                                        <small class="split" data-testid="order-split">
                                            {td_string!(locale, orders.split_service, amount = crate::money::Won(order.paid_by_service).show(locale))}
                                        </small>
                                    })}
                                </td>
                                <td>{status.label(locale)}</td>
                                {bulk.then(|| view! {
                                    <td>
                                        <input type="hidden" name=field("order_id") value=order.order_id.0 />
                                        <CarrierSelect name=field("carrier") chosen=Carrier::Cj aria_label=carrier_label />
                                    </td>
                                    <td>
                                        <input type="text" name=field("tracking_number") inputmode="numeric"
                                            pattern="[0-9-]{10,20}" autocomplete="off" aria-label=number_label
                                            data-testid="bulk-tracking-number" />
                                    </td>
                                })}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    };
    view! {
        <p>
            {td_string!(locale, admin.order_count, count = page.total)} " · "
            <a href=export download data-testid="orders-csv">{td_string!(locale, admin.download_csv)}</a>
        </p>
        {if bulk {
            view! {
                <Enhance then=Then::GoOn next="/admin/orders?status=placed".to_string() alert_id="bulk-ship-error".to_string()>
                    <form method="post" action=ShipOrders::url() data-testid="bulk-ship-form">
                        <p class="hint">{td_string!(locale, admin.bulk_ship_hint)}</p>
                        {table}
                        <button type="submit" data-testid="bulk-ship-button">{td_string!(locale, admin.bulk_ship_button)}</button>
                    </form>
                </Enhance>
            }
            .into_any()
        } else {
            table.into_any()
        }}
        <Pagination current=page.page page_count href label=td_string!(locale, admin.order_pages) />
    }
    .into_any()
}

/// The list's filters as a query string (no page).
fn filter_query(filters: &Filters) -> String {
    FILTER_NAMES
        .iter()
        .zip(filters)
        .map(|(name, value)| format!("{name}={}", encode(value.as_deref().unwrap_or_default())))
        .collect::<Vec<_>>()
        .join("&")
}
