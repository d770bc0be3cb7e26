use crate::{
    accounts::use_auth,
    components::{field_error, Enhance, ErrorNotice, Live, LiveValue, Pagination, Then},
    dates::format_millis,
    flash::FormState,
    locale::{td_string, Locale},
    money::{show_points, Won},
    payments::{Charge, ChargeLimits, ChargeStatus},
    points::{my_charges, point_history, ChargeAmount, ChargePoints, LedgerKind, LedgerPage},
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
    let charges = OnceResource::new(my_charges());
    let limits = ChargeLimits::current();
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, points.points) />
        <Meta name="description" content=td_string!(locale, points.description) />
        <section class="points">
            <h1>{td_string!(locale, points.points)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {Suspend::new(async move {
                    match futures::join!(history.into_future(), auth.user.into_future(), charges.into_future()) {
                        (Ok(history), Ok(user), Ok(charges)) => {
                            // Demo points are charged in place (the island says so);
                            // a paid charge leaves for the payment service.
                            let forms = if limits.demo {
                                Either::Left(view! {
                                    <p class="hint" data-testid="demo-points">{td_string!(locale, points.demo_notice)}</p>
                                    <Enhance then=Then::SayCharged refresh="points-history".to_string() alert_id="charge-error".to_string()>
                                        <ChargeForms limits />
                                    </Enhance>
                                })
                            } else {
                                Either::Right(view! {
                                    <p class="hint" data-testid="paid-points">{td_string!(locale, points.paid_notice)}</p>
                                    <ChargeForms limits />
                                })
                            };
                            view! {
                                <p class="points__balance">
                                    {td_string!(locale, points.balance)}
                                    <strong data-testid="points-balance">
                                        <Live what=LiveValue::Balance value=user.points />
                                    </strong>
                                </p>
                                <div class="points__charge">
                                    <h2>{td_string!(locale, points.charge)}</h2>
                                    {forms}
                                </div>
                                {(!charges.is_empty()).then(|| view! { <ChargeTable charges /> })}
                                <div class="points__history" id="points-history">
                                    <h2>{td_string!(locale, points.history)}</h2>
                                    <LedgerTable page=history />
                                </div>
                            }
                                .into_any()
                        }
                        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
                            view! { <ErrorNotice error /> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The two charge forms: one click for a quick amount (the button carries
/// it), or any amount.
#[component]
fn ChargeForms(limits: ChargeLimits) -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(ChargePoints::PATH);
    let button = if limits.demo {
        td_string!(locale, points.charge_button)
    } else {
        td_string!(locale, points.pay_button)
    };
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
                <input type="number" name="amount" min=limits.min max=limits.max step="1" required inputmode="numeric"
                    value=state.typed("amount") aria-invalid=state.invalid("amount") aria-describedby=state.described_by("amount") />
            </label>
            {field_error(&state, "amount")}
            <button type="submit">{button}</button>
        </form>
    }
}

/// The shopper's payments and where each stands; a pending one is being
/// confirmed with the payment service.
#[component]
fn ChargeTable(charges: Vec<Charge>) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <div class="points__charges">
            <h2>{td_string!(locale, points.charges)}</h2>
            <table class="ledger" data-testid="charges">
                <thead>
                    <tr>
                        <th>{td_string!(locale, points.when)}</th>
                        <th>{td_string!(locale, points.charge_id)}</th>
                        <th>{td_string!(locale, points.amount)}</th>
                        <th>{td_string!(locale, points.status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {charges
                        .into_iter()
                        .map(|charge| {
                            let class = match charge.status {
                                ChargeStatus::Pending => "status status--pending",
                                ChargeStatus::Paid => "status status--ok",
                                _ => "status",
                            };
                            view! {
                                <tr data-testid="charge-row" data-status=charge.status.as_str()>
                                    <td>{format_millis(charge.created_at, locale)}</td>
                                    <td>{format!("#{}", charge.charge_id)}</td>
                                    <td class="num">{Won(charge.amount).grouped()}</td>
                                    <td><span class=class>{charge.status.label(locale)}</span></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
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
