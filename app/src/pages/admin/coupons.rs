use super::{loading, AdminError, AdminNav};
use crate::{
    admin::coupons::{admin_coupon, admin_coupons, CreateCampaign, UpdateCampaign},
    components::{field_error, Enhance, Pagination, Then},
    coupons::{shown_name, Campaign, CampaignPage, CouponKind, MAX_NAME, MAX_QUANTITY, MAX_WON},
    dates::{format_millis, input_value_in_seoul},
    flash::FormState,
    locale::{td_string, Locale},
    pages::coupons::{minimum, period},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

/// `/admin/coupons?page`: every coupon campaign, newest first, with how
/// many were issued and used; below, the form for a new one.
#[component]
pub fn CouponsAdminPage() -> impl IntoView {
    let locale = Locale::current();
    let page = use_query_map().with_untracked(|m| m.get("page"));
    let campaigns = OnceResource::new(admin_coupons(page, None));
    view! {
        <Title text=td_string!(locale, admin.coupons) />
        <section class="admin">
            <AdminNav />
            <h1>{td_string!(locale, admin.coupons)}</h1>
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    match campaigns.await {
                        Ok(page) => view! {
                            <CampaignTable page />
                            <h2>{td_string!(locale, admin.new_campaign)}</h2>
                            <CampaignForm campaign=None />
                        }
                            .into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// How many a campaign issued, of how many it may.
fn issued_of(campaign: &Campaign, locale: Locale) -> String {
    match campaign.quantity {
        Some(quantity) => format!("{} / {quantity}", campaign.issued),
        None => format!(
            "{} / {}",
            campaign.issued,
            td_string!(locale, admin.unlimited)
        ),
    }
}

fn open_label(open: bool, locale: Locale) -> &'static str {
    if open {
        td_string!(locale, admin.open)
    } else {
        td_string!(locale, admin.closed)
    }
}

#[component]
fn CampaignTable(page: CampaignPage) -> impl IntoView {
    let locale = Locale::current();
    if page.items.is_empty() {
        return view! { <p class="empty" data-testid="no-campaigns">{td_string!(locale, admin.no_campaigns)}</p> }
            .into_any();
    }
    let page_count = page.page_count();
    view! {
        <p>{td_string!(locale, admin.campaign_count, count = page.total)}</p>
        <table class="admin-table" data-testid="admin-campaigns">
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, admin.campaign_name)}</th>
                    <th scope="col">{td_string!(locale, admin.discount)}</th>
                    <th scope="col">{td_string!(locale, admin.issued)}</th>
                    <th scope="col">{td_string!(locale, admin.used)}</th>
                    <th scope="col">{td_string!(locale, admin.valid)}</th>
                    <th scope="col">{td_string!(locale, admin.claimable)}</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|c| {
                        let issued = issued_of(&c, locale);
                        view! {
                            <tr data-testid="admin-campaign-row" data-campaign-id=c.id.to_string() data-open=c.open.to_string()>
                                <td>
                                    <a href=format!("/admin/coupons/{}", c.id)>
                                        {shown_name(&c.name, c.name_en.as_deref(), locale)}
                                    </a>
                                </td>
                                <td>
                                    {c.terms.describe(locale)}
                                    <br />
                                    {minimum(c.terms, locale)}
                                </td>
                                <td class="num" data-testid="campaign-issued">{issued}</td>
                                <td class="num" data-testid="campaign-used">{c.used}</td>
                                <td>{period(c.validity, locale)}</td>
                                <td>{open_label(c.open, locale)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Pagination
            current=page.page
            page_count
            href=|n| format!("/admin/coupons?page={n}")
            label=td_string!(locale, admin.campaign_pages)
        />
    }
    .into_any()
}

/// `/admin/coupons/:id`: one campaign's counts, and its edit form with
/// every field as it is now.
#[component]
pub fn CouponAdminPage() -> impl IntoView {
    let locale = Locale::current();
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let campaign = OnceResource::new(admin_coupon(id));
    view! {
        <section class="admin">
            <AdminNav />
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    match campaign.await {
                        Ok(campaign) => view! { <Detail campaign /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Detail(campaign: Campaign) -> impl IntoView {
    let locale = Locale::current();
    let name = shown_name(&campaign.name, campaign.name_en.as_deref(), locale);
    let quantity = match campaign.quantity {
        Some(q) => q.to_string(),
        None => td_string!(locale, admin.unlimited).to_string(),
    };
    view! {
        <Title text=name.clone() />
        <h1 data-testid="admin-campaign-name">{name}</h1>
        <p class="admin-meta">
            <span data-testid="campaign-terms">{campaign.terms.describe(locale)}</span>
            " · "
            {minimum(campaign.terms, locale)}
            " · "
            {td_string!(locale, coupons.valid_is, period = period(campaign.validity, locale))}
            " · "
            <span data-testid="campaign-open" data-open=campaign.open.to_string()>
                {open_label(campaign.open, locale)}
            </span>
            " · "
            {td_string!(locale, admin.created, when = format_millis(campaign.created_at, locale))}
        </p>
        <dl class="admin-figures">
            <div>
                <dt>{td_string!(locale, admin.issued)}</dt>
                <dd data-testid="campaign-issued">{campaign.issued}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.quantity)}</dt>
                <dd data-testid="campaign-quantity">{quantity}</dd>
            </div>
            <div>
                <dt>{td_string!(locale, admin.used)}</dt>
                <dd data-testid="campaign-used">{campaign.used}</dd>
            </div>
        </dl>
        <h2>{td_string!(locale, admin.edit_campaign)}</h2>
        <CampaignForm campaign=Some(campaign) />
        <p>
            <a href="/admin/coupons">{td_string!(locale, admin.all_campaigns)}</a>
            " · "
            <a href="/coupons">{td_string!(locale, admin.view_coupons_in_shop)}</a>
        </p>
    }
}

/// A campaign's fields: empty for a new one, else as it is now. Times are
/// Seoul's wall clock in `datetime-local` inputs (`2026-12-24T09:00`); an
/// empty one is an open end. Unticked, `open` is not sent: closed.
#[component]
fn CampaignForm(campaign: Option<Campaign>) -> impl IntoView {
    let locale = Locale::current();
    let editing = campaign.as_ref().map(|c| c.id);
    let (action, test_id, button, then, next) = match editing {
        None => (
            CreateCampaign::url(),
            "new-campaign",
            td_string!(locale, admin.create_campaign),
            Then::Open,
            "/admin/coupons/".to_string(),
        ),
        Some(id) => (
            UpdateCampaign::url(),
            "edit-campaign",
            td_string!(locale, admin.save),
            Then::GoOn,
            format!("/admin/coupons/{id}"),
        ),
    };
    // A refused form comes back as it was typed, the message by its field.
    let state = FormState::of(action);
    let kind = match state.typed("kind") {
        Some(typed) => CouponKind::from_stored(&typed).unwrap_or(CouponKind::Fixed),
        None => campaign
            .as_ref()
            .map_or(CouponKind::Fixed, |c| c.terms.kind),
    };
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let time = |t: Option<i64>| t.map(input_value_in_seoul).unwrap_or_default();
    let name = campaign
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let name_en = campaign
        .as_ref()
        .and_then(|c| c.name_en.clone())
        .unwrap_or_default();
    let value = number(campaign.as_ref().map(|c| c.terms.value));
    let max_discount = number(
        campaign
            .as_ref()
            .and_then(|c| c.terms.max_discount.map(|w| w.get())),
    );
    let min_order = campaign
        .as_ref()
        .map_or(0, |c| c.terms.min_order.get())
        .to_string();
    let quantity = number(campaign.as_ref().and_then(|c| c.quantity));
    let valid_from = time(campaign.as_ref().and_then(|c| c.validity.valid_from));
    let valid_until = time(campaign.as_ref().and_then(|c| c.validity.valid_until));
    let open = match state.is_refused() {
        // Unticked, `open` is not sent.
        true => state.typed("open").is_some(),
        false => campaign.as_ref().is_some_and(|c| c.open),
    };
    let value_of = |name, shown: String| state.value_or(name, shown);
    let (name, name_en, value, max_discount, min_order, quantity, valid_from, valid_until) = (
        value_of("name", name),
        value_of("name_en", name_en),
        value_of("value", value),
        value_of("max_discount", max_discount),
        value_of("min_order", min_order),
        value_of("quantity", quantity),
        value_of("valid_from", valid_from),
        value_of("valid_until", valid_until),
    );
    let option = move |value: CouponKind, text: &'static str| {
        view! { <option value=value.as_str() selected=kind == value>{text}</option> }
    };
    view! {
        <Enhance then next alert_id="campaign-error".to_string()>
            <form method="post" action=action class="admin-form" data-testid=test_id>
                {editing.map(|id| view! { <input type="hidden" name="campaign_id" value=id.0 /> })}
                <label>
                    {td_string!(locale, admin.campaign_name_ko)}
                    <input type="text" name="name" required maxlength=MAX_NAME value=name lang="ko"
                        aria-invalid=state.invalid("name") aria-describedby=state.described_by("name") />
                </label>
                {field_error(&state, "name")}
                <label>
                    {td_string!(locale, admin.campaign_name_en)}
                    <input type="text" name="name_en" maxlength=MAX_NAME value=name_en lang="en"
                        aria-invalid=state.invalid("name_en") aria-describedby=state.described_by("name_en") />
                </label>
                {field_error(&state, "name_en")}
                <label>
                    {td_string!(locale, admin.coupon_kind)}
                    <select name="kind">
                        {option(CouponKind::Fixed, td_string!(locale, admin.kind_fixed))}
                        {option(CouponKind::Percent, td_string!(locale, admin.kind_percent))}
                    </select>
                </label>
                <label>
                    {td_string!(locale, admin.coupon_value)}
                    <input type="number" name="value" required min="1" max=MAX_WON step="1" value=value inputmode="numeric"
                        aria-invalid=state.invalid("value") aria-describedby=state.described_by("value") />
                </label>
                {field_error(&state, "value")}
                <label>
                    {td_string!(locale, admin.max_discount)}
                    <input type="number" name="max_discount" min="1" max=MAX_WON step="1" value=max_discount inputmode="numeric"
                        aria-invalid=state.invalid("max_discount") aria-describedby=state.described_by("max_discount") />
                </label>
                {field_error(&state, "max_discount")}
                <label>
                    {td_string!(locale, admin.min_order)}
                    <input type="number" name="min_order" min="0" max=MAX_WON step="1" value=min_order inputmode="numeric"
                        aria-invalid=state.invalid("min_order") aria-describedby=state.described_by("min_order") />
                </label>
                {field_error(&state, "min_order")}
                <label>
                    {td_string!(locale, admin.coupon_quantity)}
                    <input type="number" name="quantity" min="1" max=MAX_QUANTITY step="1" value=quantity inputmode="numeric"
                        aria-invalid=state.invalid("quantity") aria-describedby=state.described_by("quantity") />
                </label>
                {field_error(&state, "quantity")}
                <label>
                    {td_string!(locale, admin.valid_from)}
                    <input type="datetime-local" name="valid_from" value=valid_from
                        aria-invalid=state.invalid("valid_from") aria-describedby=state.described_by("valid_from") />
                </label>
                {field_error(&state, "valid_from")}
                <label>
                    {td_string!(locale, admin.valid_until)}
                    <input type="datetime-local" name="valid_until" value=valid_until
                        aria-invalid=state.invalid("valid_until") aria-describedby=state.described_by("valid_until") />
                </label>
                {field_error(&state, "valid_until")}
                <label class="admin-check">
                    <input type="checkbox" name="open" value="true" checked=open />
                    {td_string!(locale, admin.open_to_claim)}
                </label>
                <p class="hint" id="campaign-open-hint">{td_string!(locale, admin.open_hint)}</p>
                <button type="submit" aria-describedby="campaign-open-hint">{button}</button>
            </form>
        </Enhance>
    }
}
