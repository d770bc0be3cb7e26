//! Pieces shared by several pages.

use crate::{
    accounts::{use_auth, Logout},
    cart::{use_cart, AddToCartForm},
    catalog::Product,
    error::{AppError, ErrorCode},
    likes::LikeButton,
    url::login_href,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::hooks::use_location;

#[component]
pub fn Header() -> impl IntoView {
    let auth = use_auth();
    let cart = use_cart();
    view! {
        <header class="site-header">
            <a class="logo" href="/">"Storefront"</a>
            <nav class="site-nav" aria-label="Main">
                <a href="/">"Shop"</a>
                <a href="/likes">"Likes"</a>
                <a href="/cart" class="cart-link">
                    "Cart "
                    <span class="cart-count" data-testid="cart-count">
                        <Transition fallback=|| "0">
                            {move || {
                                cart.cart
                                    .get()
                                    .map(|c| c.map(|c| c.item_count).unwrap_or(0).to_string())
                            }}
                        </Transition>
                    </span>
                </a>
                <Transition fallback=|| ()>
                    {move || {
                        auth.user
                            .get()
                            .map(|user| match user {
                                Ok(user) => {
                                    view! {
                                        <a href="/account" class="who" data-testid="current-user">
                                            {user.login_id}
                                        </a>
                                        <a href="/points" class="balance" data-testid="balance" title="Your points">
                                            {move || {
                                                auth.balance()
                                                    .map(|p| format!("{} P", crate::money::Won(p).grouped()))
                                            }}
                                        </a>
                                        <LogoutButton action=auth.logout />
                                    }
                                        .into_any()
                                }
                                Err(_) => {
                                    view! {
                                        <a href="/login">"Log in"</a>
                                        <a href="/signup">"Sign up"</a>
                                    }
                                        .into_any()
                                }
                            })
                    }}
                </Transition>
            </nav>
        </header>
    }
}

#[component]
fn LogoutButton(action: ServerAction<Logout>) -> impl IntoView {
    view! {
        <ActionForm action attr:class="logout">
            <input type="hidden" name="next" value="/" />
            <button type="submit" class="link-button" disabled=move || action.pending().get()>
                "Log out"
            </button>
        </ActionForm>
    }
}

/// Wraps a page that needs a login. The server answers a guest's request
/// for such a page with a redirect before rendering it (see
/// `LOGIN_REQUIRED_PATHS`); in the browser, a shopper who logs out or
/// arrives by client-side navigation is sent to the login page and back.
/// No `<Suspense>` here: the children are created once, never re-created
/// when the user is fetched again.
#[component]
pub fn RequireLogin(children: Children) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Err(e)) = auth.user.get() {
            if e.code == ErrorCode::Unauthenticated {
                let path = location.pathname.get_untracked();
                let search = location.search.get_untracked();
                let here = if search.is_empty() {
                    path
                } else {
                    format!("{path}?{search}")
                };
                navigate(&login_href(&here), Default::default());
            }
        }
    });
    children()
}

/// The message of `error` if it is about `field` (its `details.field`).
pub fn field_message(error: &Option<AppError>, field: &str) -> Option<String> {
    error
        .as_ref()
        .filter(|e| {
            e.details
                .as_ref()
                .and_then(|d| d.get("field"))
                .and_then(|f| f.as_str())
                == Some(field)
        })
        .map(|e| e.message.clone())
}

/// The message of `error` if it is about no field in particular.
pub fn general_message(error: &Option<AppError>) -> Option<String> {
    error
        .as_ref()
        .filter(|e| e.details.as_ref().and_then(|d| d.get("field")).is_none())
        .map(|e| e.message.clone())
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>"Prices in won. One point is one won."</p>
        </footer>
    }
}

#[component]
pub fn ProductCard(product: Product, logged_in: bool) -> impl IntoView {
    let href = format!("/products/{}", product.id);
    let sold_out = product.sold_out();
    view! {
        <article class="product-card" data-testid="product-card">
            // The picture repeats the name's link; keep it out of the tab order.
            <a href=href.clone() class="product-card__image" tabindex="-1" aria-hidden="true">
                <img src=product.image.clone() alt="" loading="lazy" width="400" height="400" />
            </a>
            <div class="product-card__body">
                <p class="product-card__brand">{product.brand.clone()}</p>
                <h2 class="product-card__name">
                    <a href=href>{product.name.clone()}</a>
                </h2>
                <p class="product-card__price" data-testid="price" data-price=product.price.get()>
                    {product.price.to_string()}
                </p>
                {(!sold_out).then(|| view! { <AddToCartForm product_id=product.id /> })}
                <div class="product-card__meta">
                    {if sold_out {
                        view! { <span class="badge badge--sold-out">"Sold out"</span> }.into_any()
                    } else {
                        view! { <span class="stock">{format!("{} in stock", product.stock)}</span> }.into_any()
                    }}
                    <LikeButton product_id=product.id liked=product.liked like_count=product.like_count logged_in />
                </div>
            </div>
        </article>
    }
}

/// The page numbers a pager shows: the first, the last, and two either side
/// of the current one; `None` where numbers are left out. However many
/// pages there are, at most nine entries.
pub fn page_numbers(current: u32, page_count: u32) -> Vec<Option<u32>> {
    let near = current.saturating_sub(2).max(1)..=current.saturating_add(2).min(page_count);
    let mut shown: Vec<u32> = vec![1];
    shown.extend(near);
    shown.push(page_count);
    shown.sort_unstable();
    shown.dedup();
    shown.retain(|p| (1..=page_count).contains(p));
    let mut numbers = Vec::with_capacity(shown.len() * 2);
    for (i, &p) in shown.iter().enumerate() {
        if let Some(&before) = i.checked_sub(1).and_then(|i| shown.get(i)) {
            // A gap of one page shows that page instead of an ellipsis.
            if p == before + 2 {
                numbers.push(Some(before + 1));
            } else if p > before + 2 {
                numbers.push(None);
            }
        }
        numbers.push(Some(p));
    }
    numbers
}

/// Page links with previous and next (see [`page_numbers`]); nothing for a
/// single page.
#[component]
pub fn Pagination(
    current: u32,
    page_count: u32,
    /// The address of page `n`.
    href: impl Fn(u32) -> String + 'static,
    #[prop(default = "Pages")] label: &'static str,
) -> impl IntoView {
    let link = href;
    (page_count > 1).then(|| {
        view! {
            <nav class="pagination" aria-label=label>
                {(current > 1).then(|| view! { <a href=link(current - 1) rel="prev">"← Previous"</a> })}
                {page_numbers(current, page_count)
                    .into_iter()
                    .map(|p| match p {
                        Some(p) => {
                            let marker = (p == current).then_some("page");
                            view! { <a href=link(p) aria-current=marker class="page-link">{p}</a> }
                                .into_any()
                        }
                        None => view! { <span class="page-gap">"…"</span> }.into_any(),
                    })
                    .collect_view()}
                {(current < page_count).then(|| view! { <a href=link(current + 1) rel="next">"Next →"</a> })}
            </nav>
        }
    })
}

/// An error shown where the thing that failed would have been.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div class="notice notice--error" role="alert" data-code=error.code.as_str()>
            {error.message}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::page_numbers;

    #[test]
    fn pagers_stay_short_however_many_pages() {
        assert_eq!(page_numbers(1, 1), [Some(1)]);
        assert_eq!(page_numbers(2, 3), [Some(1), Some(2), Some(3)]);
        assert_eq!(
            page_numbers(1, 8_334),
            [Some(1), Some(2), Some(3), None, Some(8_334)]
        );
        assert_eq!(
            page_numbers(500, 8_334),
            [
                Some(1),
                None,
                Some(498),
                Some(499),
                Some(500),
                Some(501),
                Some(502),
                None,
                Some(8_334)
            ]
        );
        assert_eq!(
            page_numbers(5, 7),
            (1..=7).map(Some).collect::<Vec<_>>(),
            "a gap of one page is shown as the page"
        );
        assert_eq!(
            page_numbers(6, 9),
            [
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                Some(9)
            ]
        );
    }
}
