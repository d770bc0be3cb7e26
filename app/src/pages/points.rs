use crate::{
    accounts::use_auth,
    components::{field_error, Enhance, ErrorNotice, Live, LiveValue, Pagination, Then},
    dates::format_millis,
    flash::FormState,
    locale::{td_string, Locale},
    money::{show_points, Won},
    points::{point_history, ChargeAmount, ChargePoints, LedgerKind, LedgerPage},
};
use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;
use std::future::IntoFuture;

/// `/points`: balance, charging, and the history of every charge, use,
/// refund and adjustment.
/// The forms work without JS; with JS they are sent by an `Enhance`
/// island, the balances follow and `#points-history` is fetched again.
#[component]
pub fn PointsPage() -> impl IntoView {
    let auth = use_auth();
    let page = use_query_map().with_untracked(|q| q.get("page"));
    let history = OnceResource::new(point_history(page, None));
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, points.points) />
        <Meta name="description" content=td_string!(locale, points.description) />
        <section class="points">
            <h1>{td_string!(locale, points.points)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {Suspend::new(async move {
                    match futures::join!(history.into_future(), auth.user.into_future()) {
                        (Ok(history), Ok(user)) => {
                            view! {
                                <p class="points__balance">
                                    {td_string!(locale, points.balance)}
                                    <strong data-testid="points-balance">
                                        <Live what=LiveValue::Balance value=user.points />
                                    </strong>
                                </p>
                                <div class="points__charge">
                                    <h2>{td_string!(locale, points.charge)}</h2>
                                    // No payment service yet: say so where points are charged.
                                    <p class="hint" data-testid="demo-points">{td_string!(locale, points.demo_notice)}</p>
                                    <Enhance then=Then::SayCharged refresh="points-history".to_string() alert_id="charge-error".to_string()>
                                        <ChargeForms />
                                    </Enhance>
                                </div>
                                <div class="points__history" id="points-history">
                                    <h2>{td_string!(locale, points.history)}</h2>
                                    <LedgerTable page=history />
                                </div>
                            }
                                .into_any()
                        }
                        (Err(error), _) | (_, Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The two charge forms: one click for a quick amount (the button carries
/// it), or any amount.
#[component]
fn ChargeForms() -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(ChargePoints::PATH);
    view! {
        <form method="post" action=ChargePoints::url() class="quick-charge">
            {ChargeAmount::QUICK
                .into_iter()
                .map(|amount| {
                    view! {
                        <button type="submit" name="amount" value=amount.get().to_string()>
                            {format!("+{}", show_points(amount.get(), locale))}
                        </button>
                    }
                })
                .collect_view()}
        </form>
        <form method="post" action=ChargePoints::url() class="free-charge">
            <label>
                {td_string!(locale, points.amount)}
                <input type="number" name="amount" min=ChargeAmount::MIN max=ChargeAmount::MAX step="1" required inputmode="numeric"
                    value=state.typed("amount") aria-invalid=state.invalid("amount") aria-describedby=state.described_by("amount") />
            </label>
            {field_error(&state, "amount")}
            <button type="submit">{td_string!(locale, points.charge_button)}</button>
        </form>
    }
}

#[component]
fn LedgerTable(page: LedgerPage) -> impl IntoView {
    let locale = Locale::current();
    if page.items.is_empty() {
        return Either::Left(view! { <p class="empty">{td_string!(locale, points.none_yet)}</p> });
    }
    let page_count = crate::paging::Paging::page_count(page.total, page.per_page);
    let current = page.page;
    Either::Right(view! {
        <table class="ledger" data-testid="ledger">
            <thead>
                <tr>
                    <th>{td_string!(locale, points.when)}</th>
                    <th>{td_string!(locale, points.what)}</th>
                    <th>{td_string!(locale, points.amount)}</th>
                    <th>{td_string!(locale, points.balance_after)}</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|entry| {
                        let what = match (entry.kind, entry.order_id) {
                            (LedgerKind::Use, Some(order)) => EitherOf3::A(
                                view! { <a href=format!("/orders/{order}")>{td_string!(locale, points.order_number, id = order)}</a> },
                            ),
                            (LedgerKind::Refund, Some(order)) => EitherOf3::B(
                                view! { <a href=format!("/orders/{order}")>{td_string!(locale, points.refund_of, id = order)}</a> },
                            ),
                            (kind, _) => EitherOf3::C(match kind {
                                LedgerKind::Charge => td_string!(locale, points.kind_charge).to_string(),
                                LedgerKind::Use => td_string!(locale, points.kind_use).to_string(),
                                LedgerKind::Refund => td_string!(locale, points.kind_refund).to_string(),
                                LedgerKind::Adjustment if entry.note.is_empty() => {
                                    td_string!(locale, points.kind_adjustment).to_string()
                                }
                                LedgerKind::Adjustment => format!(
                                    "{}: {}",
                                    td_string!(locale, points.kind_adjustment),
                                    entry.note
                                ),
                            }),
                        };
                        let sign = if entry.amount > 0 { "+" } else { "" };
                        view! {
                            <tr data-testid="ledger-row" data-kind=entry.kind.as_str()>
                                <td>{format_millis(entry.at, locale)}</td>
                                <td>{what}</td>
                                <td class="num">{format!("{sign}{}", Won(entry.amount).grouped())}</td>
                                <td class="num">{Won(entry.balance_after).grouped()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Pagination current page_count href=|p| format!("/points?page={p}") label=td_string!(locale, points.history_pages) />
    })
}
