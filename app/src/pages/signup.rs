use crate::{
    accounts::{safe_next, Password, Signup},
    components::{Enhance, Then},
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
    view! {
        <Title text="Sign up" />
        <Meta name="description" content="Create a Storefront account to like products, fill a cart and pay with points." />
        <section class="auth-form">
            <h1>"Create an account"</h1>
            <Enhance then=Then::GoOn next=next.clone()>
                <form method="post" action=Signup::url()>
                    <input type="hidden" name="next" value=next />
                    <label>
                        "Login id"
                        <input
                            type="text"
                            name="login_id"
                            autocomplete="username"
                            required
                            minlength="3"
                            maxlength="20"
                            pattern="[A-Za-z0-9_]{3,20}"
                            title="3 to 20 letters, digits or underscores"
                        />
                    </label>
                    <p class="hint">"3 to 20 letters, digits or underscores."</p>
                    <label>
                        "Password"
                        <input
                            type="password"
                            name="password"
                            autocomplete="new-password"
                            required
                            minlength=Password::MIN.to_string()
                            maxlength=Password::MAX.to_string()
                        />
                    </label>
                    <p class="hint">{format!("At least {} characters.", Password::MIN)}</p>
                    <button type="submit">"Sign up"</button>
                </form>
            </Enhance>
            <p>"Already have an account? " <a href=login_href>"Log in"</a></p>
        </section>
    }
}
