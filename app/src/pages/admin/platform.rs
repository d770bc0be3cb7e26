use super::{loading, AdminError, AdminNav};
use crate::{
    admin::platform::{admin_payments, admin_platform, RetryEvent},
    components::{Enhance, Then},
    dates::format_millis,
    locale::{td_string, Locale},
    money::Won,
    payments::PaymentsStatus,
    platform::{PendingEvent, PlatformStatus},
};
use leptos::prelude::*;
use leptos_meta::Title;
use server_fn::ServerFn;
use std::future::IntoFuture;

/// `/admin/platform`: how delivery to the data platform is going (what
/// `server outbox` prints), and the failing events, each to retry now.
#[component]
pub fn PlatformPage() -> impl IntoView {
    let locale = Locale::current();
    let status = OnceResource::new(admin_platform());
    let payments = OnceResource::new(admin_payments());
    view! {
        <Title text=td_string!(locale, admin.platform) />
        <section class="admin">
            <AdminNav />
            <h1>{td_string!(locale, admin.platform)}</h1>
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    match futures::join!(status.into_future(), payments.into_future()) {
                        (Ok(status), Ok(payments)) => {
                            view! {
                                <Status status />
                                <Payments status=payments />
                            }
                                .into_any()
                        }
                        (Err(error), _) | (_, Err(error)) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// How long the oldest of something has waited, in seconds; `-` for none.
fn age(ms: Option<i64>, locale: Locale) -> String {
    match ms {
        Some(ms) => td_string!(
            locale,
            admin.seconds,
            seconds = format!("{:.1}", ms as f64 / 1000.0)
        )
        .to_string(),
        None => "-".to_string(),
    }
}

#[component]
fn Status(status: PlatformStatus) -> impl IntoView {
    let locale = Locale::current();
    let PlatformStatus {
        destination,
        stats,
        failing_events,
    } = status;
    // The embedded platform in words; an external one by its address.
    let destination = if destination == "embedded" {
        view! { <span data-testid="platform-destination">{td_string!(locale, admin.destination_embedded)}</span> }.into_any()
    } else {
        view! { <code data-testid="platform-destination">{destination}</code> }.into_any()
    };
    let oldest = age(stats.oldest_pending_ms, locale);
    view! {
        <p class="admin-meta">
            {td_string!(locale, admin.destination)} ": " {destination}
        </p>
        <dl class="admin-figures">
            <div>
                <dt>{td_string!(locale, admin.pending)}</dt>
                <dd data-testid="platform-pending">{stats.pending}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.failing)}</dt>
                <dd data-testid="platform-failing">{stats.failing}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.delivered)}</dt>
                <dd data-testid="platform-delivered">{stats.delivered}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.oldest_pending)}</dt>
                <dd data-testid="platform-oldest">{oldest}</dd>
            </div>
        </dl>
        <p>
            {td_string!(locale, admin.last_error)} ": "
            <span data-testid="platform-last-error">
                {stats.last_error.unwrap_or_else(|| td_string!(locale, admin.no_error).to_string())}
            </span>
        </p>
        <FailingEvents events=failing_events />
    }
}

/// Charges waiting for the payment service's answer; the ones the
/// reconciler keeps failing to settle, with its last error.
#[component]
fn Payments(status: PaymentsStatus) -> impl IntoView {
    let locale = Locale::current();
    let oldest = age(status.oldest_pending_ms, locale);
    view! {
        <h2>{td_string!(locale, admin.payments)}</h2>
        <dl class="admin-figures">
            <div>
                <dt>{td_string!(locale, admin.payments_pending)}</dt>
                <dd data-testid="payments-pending">{status.pending}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.payments_failing)}</dt>
                <dd data-testid="payments-failing">{status.failing}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.payments_refunding)}</dt>
                <dd data-testid="payments-refunding">{status.refunding}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.payments_oldest)}</dt>
                <dd data-testid="payments-oldest">{oldest}</dd>
            </div>
        </dl>
        <h3>{td_string!(locale, admin.stuck_charges)}</h3>
        {if status.stuck.is_empty() {
            view! { <p class="empty">{td_string!(locale, admin.no_stuck_charges)}</p> }.into_any()
        } else {
            view! {
                <table class="admin-table" data-testid="stuck-charges">
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(locale, points.charge_id)}</th>
                            <th scope="col">{td_string!(locale, admin.amount)}</th>
                            <th scope="col">{td_string!(locale, admin.attempts)}</th>
                            <th scope="col">{td_string!(locale, admin.last_error)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {status
                            .stuck
                            .into_iter()
                            .map(|charge| {
                                view! {
                                    <tr data-testid="stuck-charge">
                                        <td>{format!("#{}", charge.charge_id)}</td>
                                        <td class="num">{Won(charge.amount).grouped()}</td>
                                        <td class="num">{charge.attempts}</td>
                                        <td>{charge.last_error}</td>
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
fn FailingEvents(events: Vec<PendingEvent>) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <h2>{td_string!(locale, admin.failing_events)}</h2>
        {if events.is_empty() {
            view! { <p class="empty">{td_string!(locale, admin.no_failing)}</p> }.into_any()
        } else {
            view! {
                <table class="admin-table" data-testid="failing-events">
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(locale, admin.event)}</th>
                            <th scope="col">{td_string!(locale, admin.kind)}</th>
                            <th scope="col">{td_string!(locale, admin.attempts)}</th>
                            <th scope="col">{td_string!(locale, admin.next_attempt)}</th>
                            <th scope="col">{td_string!(locale, admin.last_error)}</th>
                            <th scope="col"><span class="visually-hidden">{td_string!(locale, admin.actions)}</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {events
                            .into_iter()
                            .map(|event| {
                                let label = td_string!(locale, admin.retry_event, event = &event.event_id).to_string();
                                let (id, shown) = (event.event_id.clone(), event.event_id.clone());
                                view! {
                                    <tr data-testid="failing-event" data-event-id=id>
                                        <td><code>{shown}</code></td>
                                        <td>{event.kind}</td>
                                        <td class="num">{event.attempts}</td>
                                        <td>{format_millis(event.next_attempt_at, locale)}</td>
                                        <td>{event.last_error.unwrap_or_default()}</td>
                                        <td>
                                            <Enhance then=Then::GoOn next="/admin/platform".to_string()>
                                                <form method="post" action=RetryEvent::url() data-testid="retry-form">
                                                    <input type="hidden" name="event_id" value=event.event_id />
                                                    <button type="submit" aria-label=label>{td_string!(locale, admin.retry)}</button>
                                                </form>
                                            </Enhance>
                                        </td>
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
