use crate::{
    accounts::use_auth,
    components::{ErrorNotice, Pagination, ProductCard},
    likes::liked_products,
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use std::future::IntoFuture;

/// `/likes`: the products I like, newest like first.
#[component]
pub fn LikesPage() -> impl IntoView {
    let locale = Locale::current();
    view! {
        <Title text=td_string!(locale, catalog.my_likes) />
        <Meta name="description" content=td_string!(locale, catalog.likes_description) />
        <LikedProducts />
    }
}

#[component]
fn LikedProducts() -> impl IntoView {
    let auth = use_auth();
    let page = use_query_map().with_untracked(|q| q.get("page"));
    let products = OnceResource::new(liked_products(page, None));
    let locale = Locale::current();
    view! {
        <section class="likes-page">
            <h1>{td_string!(locale, catalog.my_likes)}</h1>
            <Transition fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {Suspend::new(async move {
                    let (products, user) = futures::join!(products.into_future(), auth.user.into_future());
                    let logged_in = user.is_ok();
                    match products {
                        Ok(page) if page.items.is_empty() => {
                            view! { <p class="empty" data-testid="empty">{td_string!(locale, catalog.no_likes)}</p> }.into_any()
                        }
                        Ok(page) => {
                            let page_count = page.page_count();
                            let current = page.page;
                            view! {
                                <div class="product-grid" data-testid="product-grid">
                                    {page.items.into_iter().map(|product| view! { <ProductCard product logged_in /> }).collect_view()}
                                </div>
                                <Pagination current page_count href=|p| format!("/likes?page={p}") />
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
