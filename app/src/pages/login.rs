use crate::{
    accounts::{go_next_after, safe_next, use_auth},
    components::{field_message, general_message},
    url::encode,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

/// `/login?next=…`: logs in, then goes on to `next`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    let action = auth.login;
    let next = Memo::new(move |_| safe_next(use_query_map().get().get("next").as_deref()));
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    go_next_after(action, next);

    view! {
        <Title text="Log in" />
        <Meta name="description" content="Log in to Storefront to like products, fill your cart and pay with points." />
        <section class="auth-form">
            <h1>"Log in"</h1>
            <ActionForm action>
                <input type="hidden" name="next" value=next />
                <label>
                    "Login id"
                    <input type="text" name="login_id" autocomplete="username" required />
                </label>
                <FieldError error field="login_id" />
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <FieldError error field="password" />
                {move || {
                    general_message(&error.get())
                        .map(|m| view! { <p class="notice notice--error" role="alert">{m}</p> })
                }}
                <button type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Logging in…" } else { "Log in" }}
                </button>
            </ActionForm>
            <p>
                "New here? "
                <a href=move || format!("/signup?next={}", encode(&next.get()))>"Create an account"</a>
            </p>
        </section>
    }
}

/// An input's error, shown under it.
#[component]
pub fn FieldError(
    error: Signal<Option<crate::error::AppError>>,
    field: &'static str,
) -> impl IntoView {
    move || {
        field_message(&error.get(), field).map(|m| {
            view! { <p class="field-error" role="alert" data-field=field>{m}</p> }
        })
    }
}
