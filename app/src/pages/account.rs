use crate::{accounts::use_auth, money::Won};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// `/account`: who I am, for logged-in users only (the server sends a
/// guest to log in first).
#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Title text="My account" />
        <Meta name="description" content="Your Storefront account: your login id, your points and the way out." />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
                                    <dd>{format!("{} P", Won(user.points).grouped())}</dd>
                                </dl>
                            </section>
                        }
                    })
            }}
        </Suspense>
    }
}
