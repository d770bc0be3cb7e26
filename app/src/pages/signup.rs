use crate::{
    accounts::{safe_next, Password, Signup},
    components::{field_error, Enhance, Then},
    flash::FormState,
    locale::{td_string, Locale},
    url::encode,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// `/signup?next=…`: creates an account, logs it in, goes on to `next`.
/// Without JS the form posts and the server redirects; with JS errors show
/// beside the fields.
#[component]
pub fn SignupPage() -> impl IntoView {
    let next = safe_next(use_query_map().get_untracked().get("next").as_deref());
    let login_href = format!("/login?next={}", encode(&next));
    let next_after_provider = next.clone();
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, account.sign_up) />
        <Meta name="description" content=td_string!(locale, account.sign_up_description) />
        <section class="auth-form">
            <h1>{td_string!(locale, account.sign_up_heading)}</h1>
            <Enhance then=Then::GoOn next=next.clone()>
                <form method="post" action=Signup::url()>
                    <input type="hidden" name="next" value=next.clone() />
                    <LoginIdInput label=td_string!(locale, account.login_id) action=Signup::PATH />
                    <p class="hint">{td_string!(locale, account.login_id_hint)}</p>
                    <NewPasswordInput label=td_string!(locale, account.password) action=Signup::PATH />
                    <button type="submit">{td_string!(locale, account.sign_up_button)}</button>
                </form>
            </Enhance>
            <super::login::ProviderButtons next=next_after_provider />
            <p>
                {td_string!(locale, account.have_account)}
                <a href=login_href>{td_string!(locale, account.log_in)}</a>
            </p>
        </section>
    }
}

/// A login id's input, with the rule the server checks (`LoginId`).
/// `action` is the form's: a refusal of it shows what was typed and its
/// message.
#[component]
pub(super) fn LoginIdInput(
    label: &'static str,
    action: &'static str,
    #[prop(optional)] value: Option<String>,
) -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(action);
    let value = state.typed("login_id").or(value);
    view! {
        <label>
            {label}
            <input
                type="text"
                name="login_id"
                autocomplete="username"
                required
                minlength="3"
                maxlength="20"
                pattern="[A-Za-z0-9_]{3,20}"
                title=td_string!(locale, account.login_id_rule)
                value=value
                aria-invalid=state.invalid("login_id")
                aria-describedby=state.described_by("login_id")
            />
        </label>
        {field_error(&state, "login_id")}
    }
}

/// A new password's input and its hint, with the rule the server checks
/// (`Password`). A refusal of the form (`action`) shows its message; the
/// password itself is never sent back.
#[component]
pub(super) fn NewPasswordInput(label: &'static str, action: &'static str) -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(action);
    view! {
        <label>
            {label}
            <input
                type="password"
                name="password"
                autocomplete="new-password"
                required
                minlength=Password::MIN.to_string()
                maxlength=Password::MAX.to_string()
                aria-invalid=state.invalid("password")
                aria-describedby=state.described_by("password")
            />
        </label>
        {field_error(&state, "password")}
        <p class="hint">{td_string!(locale, account.password_hint, min = Password::MIN)}</p>
    }
}
