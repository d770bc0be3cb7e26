use crate::{
    components::{ErrorNotice, Pagination},
    dates::format_millis,
    error::ErrorCode,
    orders::{get_order, list_orders, OrderDetail, OrderPage},
    pages::NotFound,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/orders`: my orders, newest first.
#[component]
pub fn OrdersPage() -> impl IntoView {
    view! {
        <Title text="My orders" />
        <Meta name="description" content="Your Storefront orders, the newest first, with what each one cost." />
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
    view! {
        <section class="orders-page">
            <h1>"My orders"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
    if page.items.is_empty() {
        return view! {
            <p class="empty" data-testid="orders-empty">
                "No orders yet. " <a href="/">"Find something you like"</a>
            </p>
        }
        .into_any();
    }
    let page_count = page.page_count();
    let current = page.page;
    view! {
        <table class="ledger" data-testid="orders">
            <thead>
                <tr><th>"Order"</th><th>"When (UTC)"</th><th>"What"</th><th>"Total"</th></tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|order| {
                        let more = match order.item_count {
                            1 => String::new(),
                            n => format!(" and {} more item(s)", n - 1),
                        };
                        view! {
                            <tr data-testid="order-row">
                                <td><a href=format!("/orders/{}", order.order_id)>{format!("#{}", order.order_id)}</a></td>
                                <td>{format_millis(order.ordered_at)}</td>
                                <td>{format!("{}{more}", order.first_item)}</td>
                                <td class="num">{order.total.to_string()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Pagination current page_count href=|p| format!("/orders?page={p}") label="Order pages" />
    }
    .into_any()
}

/// `/orders/:id`: one of my orders with the prices it was placed at.
#[component]
pub fn OrderDetailPage() -> impl IntoView {
    view! {
        <Title text="Order" />
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
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                order.get().map(|r| match r {
                    Ok(order) => view! { <OrderDetails order /> }.into_any(),
                    Err(e) if e.code == ErrorCode::OrderNotFound => {
                        view! { <NotFound message="There is no such order of yours." /> }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })
            }}
        </Transition>
    }
}

#[component]
fn OrderDetails(order: OrderDetail) -> impl IntoView {
    view! {
        <Title text=format!("Order #{}", order.order_id) />
        <Meta name="description" content=format!("Storefront order #{}: what you bought and what it cost in points.", order.order_id) />
        <section class="order-page">
            <h1 data-testid="order-title">{format!("Order #{}", order.order_id)}</h1>
            <p>{format!("Placed {} (UTC)", format_millis(order.ordered_at))}</p>
            <table class="ledger" data-testid="order-lines">
                <thead>
                    <tr><th>"Product"</th><th>"Price"</th><th>"Quantity"</th><th>"Subtotal"</th></tr>
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
                                    <td class="num">{line.unit_price.to_string()}</td>
                                    <td class="num" data-testid="order-line-quantity">{line.quantity.get()}</td>
                                    <td class="num">{subtotal.to_string()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p class="cart-summary__total">
                "Total " <strong data-testid="order-total">{order.total.to_string()}</strong>
            </p>
            <p data-testid="order-points">{format!("Paid with {} points.", crate::money::Won(order.points_spent).grouped())}</p>
            <p><a href="/orders">"← All my orders"</a>" · "<a href="/points">"My points"</a></p>
        </section>
    }
}
