use crate::{accounts::use_auth, components::RequireLogin, money::Won};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// `/account`: who I am, for logged-in users only.
#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Title text="My account" />
        <Meta name="description" content="Your Storefront account: your login id, your points and the way out." />
        <RequireLogin>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                auth.user
                    .get()
                    .and_then(Result::ok)
                    .map(|user| {
                        view! {
                            <section class="account">
                                <h1>"My account"</h1>
                                <dl>
                                    <dt>"Login id"</dt>
                                    <dd data-testid="account-login-id">{user.login_id}</dd>
                                    <dt>"Points"</dt>
                                    <dd>{move || auth.balance().map(|p| format!("{} P", Won(p).grouped()))}</dd>
                                </dl>
                            </section>
                        }
                    })
            }}
            </Transition>
        </RequireLogin>
    }
}
