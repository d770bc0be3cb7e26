use crate::{
    accounts::{safe_next, Login},
    components::{Enhance, Then},
    locale::{td_string, Locale},
    url::encode,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// `/login?next=…`: logs in, then goes on to `next`. Without JS the form
/// posts and the server redirects; with JS errors show beside the fields.
#[component]
pub fn LoginPage() -> impl IntoView {
    let next = safe_next(use_query_map().get_untracked().get("next").as_deref());
    let signup_href = format!("/signup?next={}", encode(&next));
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, account.log_in) />
        <Meta name="description" content=td_string!(locale, account.log_in_description) />
        <section class="auth-form">
            <h1>{td_string!(locale, account.log_in)}</h1>
            <Enhance then=Then::GoOn next=next.clone()>
                <form method="post" action=Login::url()>
                    <input type="hidden" name="next" value=next />
                    <label>
                        {td_string!(locale, account.login_id)}
                        <input type="text" name="login_id" autocomplete="username" required />
                    </label>
                    <label>
                        {td_string!(locale, account.password)}
                        <input type="password" name="password" autocomplete="current-password" required />
                    </label>
                    <button type="submit">{td_string!(locale, account.log_in)}</button>
                </form>
            </Enhance>
            <p>
                {td_string!(locale, account.new_here)}
                <a href=signup_href>{td_string!(locale, account.create_account)}</a>
            </p>
        </section>
    }
}
