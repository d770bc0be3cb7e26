use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// The 404 page; answers with status 404 when rendered on the server.
#[component]
pub fn NotFound(#[prop(optional, into)] message: Option<String>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::http_status::set_response_status(404);
    view! {
        <Title text="Not found" />
        <Meta name="description" content="This Storefront page does not exist; the catalog is one click away." />
        <section class="not-found">
            <h1>"Not found"</h1>
            <p>{message.unwrap_or_else(|| "There is nothing at this address.".to_string())}</p>
            <p><a href="/">"Back to the shop"</a></p>
        </section>
    }
}
