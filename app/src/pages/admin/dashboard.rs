use super::{loading, AdminError, AdminNav};
use crate::{
    admin::dashboard::{admin_dashboard, Dashboard},
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/admin`: today's orders and revenue, and the products running low.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let locale = Locale::current();
    let data = OnceResource::new(admin_dashboard());
    view! {
        <Title text=td_string!(locale, admin.dashboard) />
        <section class="admin">
            <AdminNav />
            <h1>{td_string!(locale, admin.dashboard)}</h1>
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! { <Summary data /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Summary(data: Dashboard) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <p class="admin-role">{td_string!(locale, admin.your_role, role = data.role.label(locale))}</p>
        <dl class="admin-figures">
            <div>
                <dt>{td_string!(locale, admin.orders_today)}</dt>
                <dd data-testid="orders-today">{data.orders_today}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.revenue_today)}</dt>
                <dd data-testid="revenue-today">{data.revenue_today.show(locale)}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.to_ship)}</dt>
                <dd data-testid="to-ship">
                    <a href="/admin/orders?status=placed">{data.to_ship}</a>
                </dd>
            </div>
        </dl>
        <h2>{td_string!(locale, admin.low_stock)}</h2>
        {if data.low_stock.is_empty() {
            view! { <p class="empty">{td_string!(locale, admin.no_low_stock)}</p> }.into_any()
        } else {
            view! {
                <table class="admin-table" data-testid="low-stock">
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(locale, admin.sku)}</th>
                            <th scope="col">{td_string!(locale, admin.name)}</th>
                            <th scope="col">{td_string!(locale, admin.stock)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {data
                            .low_stock
                            .into_iter()
                            .map(|p| {
                                let name = match p.label.is_empty() {
                                    true => p.name,
                                    false => format!("{} · {}", p.name, p.label),
                                };
                                view! {
                                    <tr>
                                        <td>{p.sku}</td>
                                        <td><a href=format!("/admin/products/{}", p.product_id)>{name}</a></td>
                                        <td class="num">{p.stock}</td>
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
