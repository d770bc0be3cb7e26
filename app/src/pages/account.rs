use crate::{
    accounts::use_auth,
    locale::{td_string, Locale},
    money::show_points,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// `/account`: who I am, for logged-in users only (the server sends a
/// guest to log in first).
#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, account.my_account) />
        <Meta name="description" content=td_string!(locale, account.account_description) />
        <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
            {move || {
                auth.user
                    .get()
                    .and_then(Result::ok)
                    .map(|user| {
                        view! {
                            <section class="account">
                                <h1>{td_string!(locale, account.my_account)}</h1>
                                <dl>
                                    <dt>{td_string!(locale, account.login_id)}</dt>
                                    <dd data-testid="account-login-id">{user.login_id}</dd>
                                    <dt>{td_string!(locale, account.points)}</dt>
                                    <dd>{show_points(user.points, locale)}</dd>
                                </dl>
                            </section>
                        }
                    })
            }}
        </Suspense>
    }
}
