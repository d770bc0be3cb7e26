use crate::{
    accounts::use_auth,
    components::{field_message, ErrorNotice, Pagination, RequireLogin},
    dates::format_millis,
    money::Won,
    points::{point_history, ChargeAmount, ChargePoints, LedgerKind, LedgerPage},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

const QUICK_AMOUNTS: [i64; 3] = [10_000, 50_000, 100_000];

/// `/points`: balance, charging, and the history of every charge and use.
#[component]
pub fn PointsPage() -> impl IntoView {
    view! {
        <Title text="Points" />
        <Meta name="description" content="Charge Storefront points and see every charge and payment in your points history." />
        <RequireLogin>
            <PointsContent />
        </RequireLogin>
    }
}

#[component]
fn PointsContent() -> impl IntoView {
    let auth = use_auth();
    let charge = ServerAction::<ChargePoints>::new();
    let query = use_query_map();
    let page = Memo::new(move |_| query.with(|q| q.get("page")));
    let history = Resource::new(
        move || (page.get(), charge.version().get()),
        |(page, _)| point_history(page, None),
    );
    // The header's balance follows every successful charge.
    Effect::new(move |_| {
        if let Some(Ok(_)) = charge.value().get() {
            auth.refresh();
        }
    });
    let error = Signal::derive(move || charge.value().get().and_then(Result::err));
    let balance = move || auth.balance().map(|p| format!("{} P", Won(p).grouped()));

    view! {
        <section class="points">
            <h1>"Points"</h1>
            <p class="points__balance">
                "Balance: " <strong data-testid="points-balance">
                    <Transition>{balance}</Transition>
                </strong>
            </p>
            <div class="points__charge">
                <h2>"Charge"</h2>
                <ActionForm action=charge attr:class="quick-charge">
                    {QUICK_AMOUNTS
                        .iter()
                        .map(|amount| {
                            view! {
                                <button
                                    type="submit"
                                    name="amount"
                                    value=amount.to_string()
                                    disabled=move || charge.pending().get()
                                >
                                    {format!("+{}", Won(*amount).grouped())}
                                </button>
                            }
                        })
                        .collect_view()}
                </ActionForm>
                <ActionForm action=charge attr:class="free-charge">
                    <label>
                        "Amount"
                        <input type="number" name="amount" min=ChargeAmount::MIN max=ChargeAmount::MAX step="1" required inputmode="numeric" />
                    </label>
                    <button type="submit" disabled=move || charge.pending().get()>
                        {move || if charge.pending().get() { "Charging…" } else { "Charge" }}
                    </button>
                </ActionForm>
                {move || {
                    let error = error.get();
                    field_message(&error, "amount")
                        .or_else(|| error.map(|e| e.message))
                        .map(|m| view! { <p class="field-error" role="alert" data-testid="charge-error">{m}</p> })
                }}
                {move || {
                    charge.value().get().and_then(Result::ok).map(|r| {
                        view! {
                            <p class="notice notice--ok" data-testid="charge-ok">
                                {format!("Charged {} P. Balance: {} P.", Won(r.charged).grouped(), Won(r.points).grouped())}
                            </p>
                        }
                    })
                }}
            </div>
            <div class="points__history">
                <h2>"History"</h2>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || {
                        history.get().map(|r| match r {
                            Ok(page) => view! { <LedgerTable page /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        })
                    }}
                </Transition>
            </div>
        </section>
    }
}

#[component]
fn LedgerTable(page: LedgerPage) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <p class="empty">"No charges or uses yet."</p> }.into_any();
    }
    let page_count = crate::paging::Paging::page_count(page.total, page.per_page);
    let current = page.page;
    view! {
        <table class="ledger" data-testid="ledger">
            <thead>
                <tr><th>"When (UTC)"</th><th>"What"</th><th>"Amount"</th><th>"Balance"</th></tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|entry| {
                        let what = match (entry.kind, entry.order_id) {
                            (LedgerKind::Charge, _) => view! { "Charge" }.into_any(),
                            (LedgerKind::Use, Some(order)) => {
                                view! { <a href=format!("/orders/{order}")>{format!("Order #{order}")}</a> }.into_any()
                            }
                            (LedgerKind::Use, None) => view! { "Use" }.into_any(),
                        };
                        let sign = if entry.amount > 0 { "+" } else { "" };
                        view! {
                            <tr data-testid="ledger-row" data-kind=entry.kind.as_str()>
                                <td>{format_millis(entry.at)}</td>
                                <td>{what}</td>
                                <td class="num">{format!("{sign}{}", Won(entry.amount).grouped())}</td>
                                <td class="num">{Won(entry.balance_after).grouped()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Pagination current page_count href=|p| format!("/points?page={p}") label="History pages" />
    }
    .into_any()
}
