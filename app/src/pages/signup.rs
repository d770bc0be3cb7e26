use crate::{
    accounts::{go_next_after, safe_next, use_auth, Password},
    components::general_message,
    pages::login::FieldError,
    url::encode,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

/// `/signup?next=…`: creates an account, logs it in, goes on to `next`.
#[component]
pub fn SignupPage() -> impl IntoView {
    let auth = use_auth();
    let action = auth.signup;
    let next = Memo::new(move |_| safe_next(use_query_map().get().get("next").as_deref()));
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    go_next_after(action, next);

    view! {
        <Title text="Sign up" />
        <Meta name="description" content="Create a Storefront account to like products, fill a cart and pay with points." />
        <section class="auth-form">
            <h1>"Create an account"</h1>
            <ActionForm action>
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
                <FieldError error field="login_id" />
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
                <FieldError error field="password" />
                {move || {
                    general_message(&error.get())
                        .map(|m| view! { <p class="notice notice--error" role="alert">{m}</p> })
                }}
                <button type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating…" } else { "Sign up" }}
                </button>
            </ActionForm>
            <p>
                "Already have an account? "
                <a href=move || format!("/login?next={}", encode(&next.get()))>"Log in"</a>
            </p>
        </section>
    }
}
