//! The like button: for a logged-in shopper a form (one click likes or
//! unlikes; with JS an `Enhance` island shows the click at once and rolls
//! it back if the server refuses), for a guest a link to log in. Whether
//! the shopper is logged in comes from the page, which reads it beside its
//! own data.

use super::{LikeProduct, UnlikeProduct};
use crate::{
    catalog::ProductId,
    locale::{td_string, Locale},
    url::login_href,
};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use server_fn::ServerFn;

/// How the button reads: `♥ 3` when liked, `♡ 3` when not.
pub fn label(liked: bool, like_count: i64) -> String {
    format!("{} {}", if liked { "♥" } else { "♡" }, like_count)
}

/// Where the button's form posts: unlike when liked, else like.
pub fn action(liked: bool) -> &'static str {
    if liked {
        UnlikeProduct::url()
    } else {
        LikeProduct::url()
    }
}

/// The button's text and attributes for a state, as the server renders
/// them and the browser sets them after a click.
pub fn attributes(liked: bool, locale: Locale) -> [(&'static str, &'static str); 2] {
    [
        ("aria-pressed", if liked { "true" } else { "false" }),
        (
            "title",
            if liked {
                td_string!(locale, islands.unlike)
            } else {
                td_string!(locale, islands.like)
            },
        ),
    ]
}

/// The button's form, as the server renders it (see [`crate::components`]
/// for the island around it).
#[component]
pub fn LikeForm(product_id: ProductId, liked: bool, like_count: i64) -> impl IntoView {
    let [(_, pressed), (_, title)] = attributes(liked, Locale::current());
    view! {
        <form method="post" action=action(liked)>
            <input type="hidden" name="product_id" value=product_id.to_string() />
            <button
                type="submit"
                class="like-button"
                data-testid="like-button"
                aria-pressed=pressed
                title=title
                data-count=like_count
            >
                {label(liked, like_count)}
            </button>
        </form>
    }
}

/// A guest's button: a link to log in and come back.
#[component]
pub fn LikeLink(liked: bool, like_count: i64) -> impl IntoView {
    let here = use_location().pathname.get_untracked();
    let title = td_string!(Locale::current(), common.log_in_to_like);
    view! {
        <div class="like">
            <a class="like-button" data-testid="like-button" href=login_href(&here) title=title>
                {label(liked, like_count)}
            </a>
        </div>
    }
}
