//! What the shell puts in every page's `<head>` besides its meta tags:
//! the stylesheet and the islands' loader. Both depend only on the build,
//! so they are made once per process; leptos' own components read the
//! build's `hash.txt` (and format the loader) on every render, which was
//! 6 % of a small page's time (bench/README.md, section 8).

use crate::locale::{td_string, Locale};
use leptos::prelude::*;

/// A page's title: its own name and the shop's (the shop's alone for a
/// page that names none).
pub fn title_text(locale: Locale, page: &str) -> String {
    if page.is_empty() {
        td_string!(locale, common.shop_name).to_string()
    } else {
        td_string!(locale, common.title, page).to_string()
    }
}

/// [`title_text`] escaped as the text of `<title>`, for leptos_meta's
/// `<Title formatter>`: leptos_meta 0.8.7 writes what the formatter
/// returns into the head as it is (`TitleContext::as_string`, pushed
/// unescaped by `ServerMetaContextOutput`), so a product named
/// `</title><meta http-equiv=refresh …>` would rewrite its page's head.
/// Only the server renders titles (no island holds one), so nothing
/// escapes them twice.
pub fn title(locale: Locale, page: &str) -> String {
    html_escape::encode_text(&title_text(locale, page)).into_owned()
}

/// The stylesheet's address, `/{pkg}/{name}[.{hash}].css`, as leptos_meta's
/// `HashedStylesheet` makes it: with hashed file names (release builds) the
/// hash comes from `hash.txt` beside the server binary.
pub fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let hash = options
            .hash_files
            .then(|| {
                let dir = std::env::current_exe().ok()?.parent()?.to_path_buf();
                let hashes = std::fs::read_to_string(dir.join(options.hash_file.as_ref())).ok()?;
                hashes.lines().find_map(|line| {
                    let (file, hash) = line.trim().split_once(':')?;
                    (file == "css").then(|| format!(".{}", hash.trim()))
                })
            })
            .flatten()
            .unwrap_or_default();
        format!(
            "/{}/{}{hash}.css",
            options.site_pkg_dir, options.output_name
        )
    })
}

/// leptos' `HydrationScripts` for islands (the preload links and the
/// loader), rendered once; each page gets a copy with its own nonce.
#[cfg(feature = "ssr")]
#[component]
pub fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    use leptos::either::Either;
    // As `HydrationScripts` does for islands: only islands hydrate, so
    // nothing outside them is serialized for the browser.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    match use_nonce() {
        Some(nonce) => Either::Left(leptos::tachys::html::InertElement::new(island_scripts(
            &options, &nonce,
        ))),
        // Never in the shop (every page has a nonce); leptos' own then.
        None => Either::Right(view! { <HydrationScripts options islands=true /> }),
    }
}

#[cfg(not(feature = "ssr"))]
#[component]
pub fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    view! { <HydrationScripts options islands=true /> }
}

/// The HTML of [`IslandScripts`], with `nonce` on its scripts.
#[cfg(feature = "ssr")]
pub fn island_scripts(options: &LeptosOptions, nonce: &str) -> String {
    // Rendered once with a nonce of its own, and cut where it stood.
    static AROUND_NONCE: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    AROUND_NONCE
        .get_or_init(|| {
            // A child owner (a root when there is no page, as for the
            // benchmark's hand-written pages): `with` puts the current one
            // back after, and its nonce shadows the page's.
            Owner::new().with(|| {
                leptos::nonce::provide_nonce();
                let placeholder = use_nonce().expect("just provided").to_string();
                let html =
                    view! { <HydrationScripts options=options.clone() islands=true /> }.to_html();
                html.split(placeholder.as_str())
                    .map(str::to_string)
                    .collect()
            })
        })
        .join(nonce)
}
