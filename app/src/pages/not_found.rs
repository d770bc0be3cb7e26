use crate::locale::{td_string, Locale};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// The 404 page; answers with status 404 when rendered on the server.
#[component]
pub fn NotFound(#[prop(optional, into)] message: Option<String>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::http_status::set_response_status(404);
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, common.not_found) />
        <Meta name="description" content=td_string!(locale, common.not_found_description) />
        <section class="not-found">
            <h1>{td_string!(locale, common.not_found_heading)}</h1>
            <p>{message.unwrap_or_else(|| td_string!(locale, common.nothing_here).to_string())}</p>
            <p><a href="/">{td_string!(locale, common.back_to_shop)}</a></p>
        </section>
    }
}
