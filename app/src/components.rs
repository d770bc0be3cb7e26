//! Pieces shared by several pages.

use crate::{catalog::Product, error::AppError};
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="logo" href="/">"Storefront"</a>
            <nav class="site-nav" aria-label="Main">
                <a href="/">"Shop"</a>
            </nav>
        </header>
    }
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
pub fn ProductCard(product: Product) -> impl IntoView {
    let href = format!("/products/{}", product.id);
    let sold_out = product.sold_out();
    view! {
        <article class="product-card" data-testid="product-card">
            <a href=href.clone() class="product-card__image">
                <img src=product.image.clone() alt=product.name.clone() loading="lazy" width="400" height="400" />
            </a>
            <div class="product-card__body">
                <p class="product-card__brand">{product.brand.clone()}</p>
                <h2 class="product-card__name">
                    <a href=href>{product.name.clone()}</a>
                </h2>
                <p class="product-card__price" data-testid="price" data-price=product.price.get()>
                    {product.price.to_string()}
                </p>
                <p class="product-card__meta">
                    {if sold_out {
                        view! { <span class="badge badge--sold-out">"Sold out"</span> }.into_any()
                    } else {
                        view! { <span class="stock">{format!("{} in stock", product.stock)}</span> }.into_any()
                    }}
                    <span class="likes" title="Likes">{format!("♥ {}", product.like_count)}</span>
                </p>
            </div>
        </article>
    }
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
