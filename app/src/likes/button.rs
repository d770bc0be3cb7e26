//! The like button: optimistic with JS, a plain form without, and a link
//! to the login page for guests. Whether the shopper is logged in comes
//! from the page, which reads it beside its own data.

use super::{like_product, unlike_product, LikeState};
use crate::{catalog::ProductId, url::login_href};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn LikeButton(
    product_id: ProductId,
    liked: bool,
    like_count: i64,
    logged_in: bool,
) -> impl IntoView {
    let location = use_location();
    let initial = LikeState {
        product_id,
        liked,
        like_count,
    };
    // What the shopper sees, the last state the server confirmed, and the
    // number of the latest click (older answers are ignored).
    let shown = RwSignal::new(initial);
    let confirmed = StoredValue::new(initial);
    let latest = StoredValue::new(0u64);
    let error = RwSignal::new(None::<String>);

    let toggle = Action::new(move |&(like, click): &(bool, u64)| async move {
        let result = if like {
            like_product(product_id).await
        } else {
            unlike_product(product_id).await
        };
        (click, result)
    });
    Effect::new(move |_| {
        let Some((click, result)) = toggle.value().get() else {
            return;
        };
        if let Ok(state) = &result {
            confirmed.set_value(*state);
        }
        if click != latest.get_value() {
            return;
        }
        match result {
            Ok(state) => {
                shown.set(state);
                error.set(None);
            }
            Err(e) => {
                shown.set(confirmed.get_value());
                error.set(Some(e.message));
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let now = shown.get_untracked();
        let like = !now.liked;
        shown.set(LikeState {
            liked: like,
            like_count: (now.like_count + if like { 1 } else { -1 }).max(0),
            ..now
        });
        latest.update_value(|n| *n += 1);
        toggle.dispatch((like, latest.get_value()));
    };

    let label = move |s: LikeState| format!("{} {}", if s.liked { "♥" } else { "♡" }, s.like_count);

    view! {
        <div class="like">
            {move || {
                let s = shown.get();
                if logged_in {
                    view! {
                        <form
                            method="post"
                            action=if s.liked { "/api/likes/remove" } else { "/api/likes/add" }
                            on:submit=on_submit
                        >
                            <input type="hidden" name="product_id" value=product_id.to_string() />
                            <button
                                type="submit"
                                class="like-button"
                                data-testid="like-button"
                                aria-pressed=s.liked.to_string()
                                title=if s.liked { "Unlike" } else { "Like" }
                            >
                                {label(s)}
                            </button>
                        </form>
                    }
                        .into_any()
                } else {
                    let here = location.pathname.get_untracked();
                    view! {
                        <a
                            class="like-button"
                            data-testid="like-button"
                            href=login_href(&here)
                            title="Log in to like"
                        >
                            {label(s)}
                        </a>
                    }
                        .into_any()
                }
            }}
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </div>
    }
}
