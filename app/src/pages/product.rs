use crate::{
    accounts::use_auth,
    catalog::{get_product, variants::Choice, Product, ProductWithVariants, VariantId},
    components::{AddToCartForm, ErrorNotice, LikeButton, VariantChoice},
    error::ErrorCode,
    locale::{td_string, Locale},
    pages::NotFound,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ProductPage() -> impl IntoView {
    let auth = use_auth();
    let locale = Locale::current();
    // Read once: a product page is rendered by the server only (its
    // islands hydrate, not the page), so nothing here is a reactive source.
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    // `?variant=ID` (links from the cart and orders), or the options as
    // the form without JavaScript sends them (`?o0=270&o1=Black`).
    let (variant, picked) = use_query_map().with_untracked(|q| {
        let variant = q.get("variant").and_then(|v| VariantId::parse(&v).ok());
        let picked: Choice = (0..crate::catalog::variants::MAX_OPTIONS)
            .map(|i| q.get(&format!("o{i}")).filter(|v| !v.is_empty()))
            .collect();
        (variant, picked)
    });
    let product = OnceResource::new(get_product(id));

    view! {
        <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
            {move || {
                let logged_in = auth.user.get().map(|user| user.is_ok());
                product
                    .get()
                    .zip(logged_in)
                    .map(|(result, logged_in)| match result {
                        Ok(product) => {
                            let picked = picked.clone();
                            view! { <ProductDetail product logged_in variant picked /> }.into_any()
                        }
                        Err(e) if matches!(e.code, ErrorCode::ProductNotFound | ErrorCode::BadRequest) => {
                            view! { <NotFound message=td_string!(locale, catalog.no_such_product) /> }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// The page's `<meta name="description">`: the product in a sentence.
pub fn meta_description(product: &Product, locale: Locale) -> String {
    td_string!(
        locale,
        catalog.product_description,
        name = &product.name,
        brand = &product.brand,
        description = &product.description
    )
    .to_string()
}

#[component]
fn ProductDetail(
    product: ProductWithVariants,
    logged_in: bool,
    variant: Option<VariantId>,
    picked: Choice,
) -> impl IntoView {
    let locale = Locale::current();
    let ProductWithVariants { product, choices } = product;
    let choice: Choice = match variant.and_then(|id| choices.variant(id)) {
        Some(v) => choices.choice_of(v),
        None => picked.into_iter().take(choices.options.len()).collect(),
    };
    let description = meta_description(&product, locale);
    let picker = if choices.has_options() {
        view! { <VariantChoice product_id=product.id choices choice /> }.into_any()
    } else {
        let sold_out = product.sold_out();
        let stock = if sold_out {
            view! { <p class="stock stock--out" data-testid="stock">{td_string!(locale, common.sold_out)}</p> }.into_any()
        } else {
            view! {
                <p class="stock" data-testid="stock">{td_string!(locale, catalog.left_in_stock, count = product.stock)}</p>
            }
            .into_any()
        };
        let variant_id = choices.variants.first().map(|v| v.variant_id);
        view! {
            <p class="product-detail__price" data-testid="price">{product.price.show(locale)}</p>
            {stock}
            <AddToCartForm product_id=product.id variant_id with_quantity=true sold_out />
        }
        .into_any()
    };
    view! {
        <Title text=product.name.clone() />
        <Meta name="description" content=description />
        <article class="product-detail">
            <img class="product-detail__image" src=product.image.clone() alt=product.name.clone() width="400" height="400" />
            <div class="product-detail__info">
                <p class="product-detail__brand" data-testid="brand">{product.brand.clone()}</p>
                <h1 data-testid="product-name">{product.name.clone()}</h1>
                {picker}
                <LikeButton product_id=product.id liked=product.liked like_count=product.like_count logged_in />
                <p class="product-detail__description">{product.description.clone()}</p>
                <p><a href="/">{td_string!(locale, common.back_to_shop)}</a></p>
            </div>
        </article>
    }
}
