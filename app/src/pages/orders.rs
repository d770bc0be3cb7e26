use crate::{
    components::{ErrorNotice, Pagination},
    dates::format_millis,
    error::ErrorCode,
    locale::{td_string, Locale},
    money::show_points,
    orders::{get_order, list_orders, OrderDetail, OrderPage},
    pages::NotFound,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

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
    let query = use_query_map();
    let orders = Resource::new(
        move || query.with(|q| q.get("page")),
        |page| list_orders(page, None),
    );
    let locale = Locale::current();
    view! {
        <section class="orders-page">
            <h1>{td_string!(locale, orders.my_orders)}</h1>
            <Transition fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {move || {
                    orders.get().map(|r| match r {
                        Ok(page) => view! { <OrderTable page /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
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
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|order| {
                        let what = match order.item_count {
                            1 => order.first_item.clone(),
                            n => td_string!(locale, orders.first_and_more, first = &order.first_item, more = n - 1)
                                .to_string(),
                        };
                        view! {
                            <tr data-testid="order-row">
                                <td><a href=format!("/orders/{}", order.order_id)>{format!("#{}", order.order_id)}</a></td>
                                <td>{format_millis(order.ordered_at, locale)}</td>
                                <td>{what}</td>
                                <td class="num">{order.total.show(locale)}</td>
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
    let params = use_params_map();
    let order = Resource::new(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        get_order,
    );
    let locale = Locale::current();
    view! {
        <Transition fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
            {move || {
                order.get().map(|r| match r {
                    Ok(order) => view! { <OrderDetails order /> }.into_any(),
                    Err(e) if e.code == ErrorCode::OrderNotFound => {
                        view! { <NotFound message=td_string!(locale, orders.no_such_order) /> }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })
            }}
        </Transition>
    }
}

#[component]
fn OrderDetails(order: OrderDetail) -> impl IntoView {
    let locale = Locale::current();
    let title = td_string!(locale, orders.order_number, id = order.order_id).to_string();
    view! {
        <Title text=title.clone() />
        <Meta name="description" content=td_string!(locale, orders.order_description, id = order.order_id) />
        <section class="order-page">
            <h1 data-testid="order-title">{title}</h1>
            <p>{td_string!(locale, orders.placed, when = format_millis(order.ordered_at, locale))}</p>
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
                                    <td><a href=format!("/products/{}", line.product_id)>{line.name}</a></td>
                                    <td class="num">{line.unit_price.show(locale)}</td>
                                    <td class="num" data-testid="order-line-quantity">{line.quantity.get()}</td>
                                    <td class="num">{subtotal.show(locale)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p class="cart-summary__total">
                {td_string!(locale, common.total)} " "
                <strong data-testid="order-total">{order.total.show(locale)}</strong>
            </p>
            <p data-testid="order-points">
                {td_string!(locale, orders.paid_with, points = show_points(order.points_spent, locale))}
            </p>
            <p>
                <a href="/orders">{td_string!(locale, orders.all_orders)}</a>
                " · "
                <a href="/points">{td_string!(locale, orders.my_points)}</a>
            </p>
        </section>
    }
}
