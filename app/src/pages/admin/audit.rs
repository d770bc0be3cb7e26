use super::{loading, AdminError, AdminNav};
use crate::{
    admin::staff::audit_log,
    audit::{AuditKind, AuditPage as Page},
    components::Pagination,
    dates::format_millis,
    locale::{td_string, Locale},
    url::encode,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/admin/audit?actor&kind&target&page`: every staff action, newest first.
#[component]
pub fn AuditPage() -> impl IntoView {
    let locale = Locale::current();
    let (page, actor, kind, target) = use_query_map().with_untracked(|m| {
        (
            m.get("page"),
            m.get("actor"),
            m.get("kind"),
            m.get("target"),
        )
    });
    let filters = (actor.clone(), kind.clone(), target.clone());
    let log = {
        let (actor, kind, target) = filters.clone();
        OnceResource::new(audit_log(page, None, actor, kind, target))
    };
    let chosen = kind.clone().unwrap_or_default();
    view! {
        <Title text=td_string!(locale, admin.audit) />
        <section class="admin">
            <AdminNav />
            <h1>{td_string!(locale, admin.audit)}</h1>
            <form method="get" action="/admin/audit" class="admin-filter" role="search">
                <label>
                    {td_string!(locale, admin.who)}
                    <input type="text" name="actor" value=actor.unwrap_or_default() maxlength="100" />
                </label>
                <label>
                    {td_string!(locale, admin.what)}
                    <select name="kind">
                        <option value="">{td_string!(locale, admin.all)}</option>
                        {AuditKind::ALL
                            .into_iter()
                            .map(|k| view! { <option value=k.as_str() selected=chosen == k.as_str()>{k.label(locale)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {td_string!(locale, admin.target)}
                    <input type="text" name="target" value=target.unwrap_or_default() maxlength="100" placeholder="product:12" />
                </label>
                <button type="submit">{td_string!(locale, admin.find)}</button>
            </form>
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    let filters = filters.clone();
                    match log.await {
                        Ok(page) => view! { <Entries page filters /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Entries(page: Page, filters: (Option<String>, Option<String>, Option<String>)) -> impl IntoView {
    let locale = Locale::current();
    if page.items.is_empty() {
        return view! { <p class="empty">{td_string!(locale, admin.no_entries)}</p> }.into_any();
    }
    let page_count = crate::paging::Paging::page_count(page.total, page.per_page);
    let href = move |n: u32| {
        let (actor, kind, target) = &filters;
        let value = |v: &Option<String>| encode(v.as_deref().unwrap_or_default());
        format!(
            "/admin/audit?actor={}&kind={}&target={}&page={n}",
            value(actor),
            value(kind),
            value(target)
        )
    };
    view! {
        <table class="admin-table" data-testid="audit">
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, admin.when)}</th>
                    <th scope="col">{td_string!(locale, admin.who)}</th>
                    <th scope="col">{td_string!(locale, admin.what)}</th>
                    <th scope="col">{td_string!(locale, admin.target)}</th>
                    <th scope="col">{td_string!(locale, admin.summary)}</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|e| {
                        let target_href = format!("/admin/audit?target={}", encode(&e.target));
                        view! {
                            <tr data-testid="audit-entry" data-kind=e.kind.as_str()>
                                <td>{format_millis(e.at, locale)}</td>
                                <td>{e.actor.unwrap_or_else(|| td_string!(locale, admin.command_line).to_string())}</td>
                                <td>{e.kind.label(locale)}</td>
                                <td><a href=target_href>{e.target}</a></td>
                                <td>{e.summary}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Pagination current=page.page page_count href label=td_string!(locale, admin.audit_pages) />
    }
    .into_any()
}
