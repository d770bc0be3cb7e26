use crate::{
    components::{Enhance, ErrorNotice, Then},
    coupons::{available_coupons, my_coupons, ClaimCoupon, MyCoupon, Offer, Terms, Validity},
    dates::format_millis,
    error::{AppError, ErrorCode},
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use server_fn::ServerFn;

/// `/coupons`: the open campaigns, each with what it takes off, its
/// minimum, what is left and its dates, and a claim button; below, my
/// coupons with their status. A guest sees the campaigns with a way to
/// log in. The claim forms post without JS (the server comes back here);
/// with JS an `Enhance` island sends them and fetches `#coupons-contents`
/// again.
#[component]
pub fn CouponsPage() -> impl IntoView {
    let locale = Locale::current();
    let data = OnceResource::new(async {
        let offers = available_coupons().await?.items;
        // A guest has no coupons of their own: not an error here.
        let mine = match my_coupons().await {
            Ok(list) => Some(list.items),
            Err(e) if e.code == ErrorCode::Unauthenticated => None,
            Err(e) => return Err(e),
        };
        Ok::<_, AppError>((offers, mine))
    });
    view! {
        <Title text=td_string!(locale, coupons.coupons) />
        <Meta name="description" content=td_string!(locale, coupons.description) />
        <section class="coupons-page">
            <h1>{td_string!(locale, coupons.coupons)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {Suspend::new(async move {
                    match data.await {
                        Ok((offers, Some(mine))) => view! {
                            <Enhance then=Then::Stay refresh="coupons-contents".to_string() alert_id="claim-error".to_string()>
                                <div id="coupons-contents">
                                    <Offers offers logged_in=true />
                                    <Mine mine />
                                </div>
                            </Enhance>
                        }
                            .into_any(),
                        Ok((offers, None)) => view! {
                            <div id="coupons-contents">
                                <Offers offers logged_in=false />
                            </div>
                        }
                            .into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// When a coupon can be used, without a label: `2026.12.01 00:00 ~
/// 2026.12.25 00:00`, `until …`, `any time`.
pub(crate) fn period(validity: Validity, locale: Locale) -> String {
    let at = |millis: i64| format_millis(millis, locale);
    match (validity.valid_from, validity.valid_until) {
        (Some(from), Some(until)) => td_string!(
            locale,
            coupons.period_between,
            from = at(from),
            until = at(until)
        )
        .to_string(),
        (Some(from), None) => td_string!(locale, coupons.period_from, from = at(from)).to_string(),
        (None, Some(until)) => {
            td_string!(locale, coupons.period_until, until = at(until)).to_string()
        }
        (None, None) => td_string!(locale, coupons.period_always).to_string(),
    }
}

/// The order a coupon needs: `On orders of ₩30,000 or more`.
pub(crate) fn minimum(terms: Terms, locale: Locale) -> String {
    if terms.min_order.get() > 0 {
        td_string!(
            locale,
            coupons.min_order,
            amount = terms.min_order.show(locale)
        )
        .to_string()
    } else {
        td_string!(locale, coupons.no_minimum).to_string()
    }
}

#[component]
fn Offers(offers: Vec<Offer>, logged_in: bool) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <section class="coupons-section" aria-labelledby="offers-heading">
            <h2 id="offers-heading">{td_string!(locale, coupons.offers)}</h2>
            {if offers.is_empty() {
                view! { <p class="empty" data-testid="no-offers">{td_string!(locale, coupons.no_offers)}</p> }.into_any()
            } else {
                view! {
                    <ul class="coupon-list" data-testid="offers">
                        {offers.into_iter().map(|offer| view! { <OfferCard offer logged_in /> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn OfferCard(offer: Offer, logged_in: bool) -> impl IntoView {
    let locale = Locale::current();
    let id = offer.campaign_id.to_string();
    let name_id = format!("offer-{id}");
    let sold_out = offer.left == Some(0);
    let left = match offer.left {
        Some(count) => td_string!(locale, coupons.left, count).to_string(),
        None => td_string!(locale, coupons.unlimited).to_string(),
    };
    let action = if !logged_in {
        view! {
            <a class="button" href="/login?next=%2Fcoupons" data-testid="log-in-to-claim">
                {td_string!(locale, coupons.log_in_to_claim)}
            </a>
        }
        .into_any()
    } else if offer.claimed {
        view! { <span class="badge badge--claimed" data-testid="offer-claimed">{td_string!(locale, coupons.claimed)}</span> }
            .into_any()
    } else if sold_out {
        view! { <span class="badge badge--sold-out" data-testid="offer-sold-out">{td_string!(locale, coupons.sold_out_badge)}</span> }
            .into_any()
    } else {
        view! {
            <form method="post" action=ClaimCoupon::url() class="coupon-card__claim">
                <input type="hidden" name="campaign_id" value=id.clone() />
                <button type="submit" data-testid="claim" aria-describedby=name_id.clone()>
                    {td_string!(locale, coupons.claim)}
                </button>
            </form>
        }
        .into_any()
    };
    view! {
        <li
            class="coupon-card"
            data-testid="offer"
            data-campaign-id=id
            data-claimed=offer.claimed.to_string()
        >
            <h3 class="coupon-card__name" id=name_id>{offer.name.clone()}</h3>
            <p class="coupon-card__terms" data-testid="offer-terms">{offer.terms.describe(locale)}</p>
            <p class="coupon-card__fact">{minimum(offer.terms, locale)}</p>
            <p class="coupon-card__fact" data-testid="offer-left">{left}</p>
            <p class="coupon-card__fact">
                {td_string!(locale, coupons.valid_is, period = period(offer.validity, locale))}
            </p>
            <div class="coupon-card__action">{action}</div>
        </li>
    }
}

#[component]
fn Mine(mine: Vec<MyCoupon>) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <section class="coupons-section" aria-labelledby="mine-heading">
            <h2 id="mine-heading">{td_string!(locale, coupons.mine)}</h2>
            {if mine.is_empty() {
                view! { <p class="empty" data-testid="my-coupons-empty">{td_string!(locale, coupons.none_yet)}</p> }.into_any()
            } else {
                view! {
                    <p class="hint">{td_string!(locale, coupons.use_at_checkout)}</p>
                    <table class="ledger" data-testid="my-coupons">
                        <thead>
                            <tr>
                                <th scope="col">{td_string!(locale, coupons.name)}</th>
                                <th scope="col">{td_string!(locale, coupons.discount)}</th>
                                <th scope="col">{td_string!(locale, coupons.valid)}</th>
                                <th scope="col">{td_string!(locale, coupons.status)}</th>
                                <th scope="col">{td_string!(locale, coupons.order)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {mine.into_iter().map(|c| view! { <MineRow coupon=c /> }).collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn MineRow(coupon: MyCoupon) -> impl IntoView {
    let locale = Locale::current();
    let status = coupon.status;
    view! {
        <tr
            data-testid="my-coupon"
            data-coupon-id=coupon.coupon_id.to_string()
            data-campaign-id=coupon.campaign_id.to_string()
        >
            <td>{coupon.name.clone()}</td>
            <td>
                {coupon.terms.describe(locale)}
                <br />
                <span class="hint">{minimum(coupon.terms, locale)}</span>
            </td>
            <td>{period(coupon.validity, locale)}</td>
            <td>
                <span
                    class=format!("coupon-status coupon-status--{}", status.as_str())
                    data-testid="coupon-status"
                    data-status=status.as_str()
                >
                    {status.label(locale)}
                </span>
            </td>
            <td>
                {coupon.order_id.map(|id| view! {
                    <a href=format!("/orders/{id}") data-testid="coupon-order">
                        {td_string!(locale, coupons.used_on, id)}
                    </a>
                })}
            </td>
        </tr>
    }
}
