use crate::{
    accounts::{safe_next, Login},
    components::{Enhance, Then},
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
    view! {
        <Title text="Log in" />
        <Meta name="description" content="Log in to Storefront to like products, fill your cart and pay with points." />
        <section class="auth-form">
            <h1>"Log in"</h1>
            <Enhance then=Then::GoOn next=next.clone()>
                <form method="post" action=Login::url()>
                    <input type="hidden" name="next" value=next />
                    <label>
                        "Login id"
                        <input type="text" name="login_id" autocomplete="username" required />
                    </label>
                    <label>
                        "Password"
                        <input type="password" name="password" autocomplete="current-password" required />
                    </label>
                    <button type="submit">"Log in"</button>
                </form>
            </Enhance>
            <p>"New here? " <a href=signup_href>"Create an account"</a></p>
        </section>
    }
}
