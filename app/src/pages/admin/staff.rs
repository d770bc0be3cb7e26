use super::{loading, AdminError, AdminNav};
use crate::{
    admin::staff::{list_staff, GrantRole, RevokeRole},
    components::{field_error, Enhance, Then},
    flash::FormState,
    locale::{td_string, Locale},
    staff::{Role, StaffList},
};
use leptos::prelude::*;
use leptos_meta::Title;
use server_fn::ServerFn;

/// `/admin/staff`: who is staff with which role; grant and revoke.
#[component]
pub fn StaffPage() -> impl IntoView {
    let locale = Locale::current();
    let list = OnceResource::new(list_staff());
    view! {
        <Title text=td_string!(locale, admin.staff) />
        <section class="admin">
            <AdminNav />
            <h1>{td_string!(locale, admin.staff)}</h1>
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    match list.await {
                        Ok(list) => view! { <Members list /> <GrantForm /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Members(list: StaffList) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <table class="admin-table" data-testid="staff">
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, admin.login_id)}</th>
                    <th scope="col">{td_string!(locale, admin.role)}</th>
                    <th scope="col"><span class="visually-hidden">{td_string!(locale, admin.actions)}</span></th>
                </tr>
            </thead>
            <tbody>
                {list
                    .items
                    .into_iter()
                    .map(|member| {
                        let label = td_string!(locale, admin.revoke_from, login_id = &member.login_id).to_string();
                        let (login, shown) = (member.login_id.clone(), member.login_id.clone());
                        view! {
                            <tr data-testid="staff-member" data-login=login>
                                <td>{shown}</td>
                                <td>{member.role.label(locale)}</td>
                                <td>
                                    <Enhance then=Then::GoOn next="/admin/staff".to_string()>
                                        <form method="post" action=RevokeRole::url()>
                                            <input type="hidden" name="login_id" value=member.login_id />
                                            <button type="submit" aria-label=label>{td_string!(locale, admin.revoke)}</button>
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
}

#[component]
fn GrantForm() -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(GrantRole::PATH);
    let role = state.typed("role");
    view! {
        <h2>{td_string!(locale, admin.grant)}</h2>
        <Enhance then=Then::GoOn next="/admin/staff".to_string() alert_id="grant-error".to_string()>
            <form method="post" action=GrantRole::url() class="admin-form" data-testid="grant-role">
                <label>
                    {td_string!(locale, admin.login_id)}
                    <input type="text" name="login_id" required maxlength="20" autocomplete="off"
                        value=state.typed("login_id") aria-invalid=state.invalid("login_id") aria-describedby=state.described_by("login_id") />
                </label>
                {field_error(&state, "login_id")}
                <label>
                    {td_string!(locale, admin.role)}
                    <select name="role">
                        {Role::ALL
                            .into_iter()
                            .map(|r| {
                                let selected = role.as_deref() == Some(r.as_str());
                                view! { <option value=r.as_str() selected=selected>{r.label(locale)}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit">{td_string!(locale, admin.grant_button)}</button>
            </form>
        </Enhance>
    }
}
