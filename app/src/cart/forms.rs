//! The cart's forms: add from the grid or the product page.

use super::{cart_action, AddToCart};
use crate::catalog::{ProductId, Quantity};
use leptos::{form::ActionForm, prelude::*};

/// "Add to cart", with a quantity picker on the product page.
#[component]
pub fn AddToCartForm(
    product_id: ProductId,
    #[prop(optional)] with_quantity: bool,
    #[prop(optional)] sold_out: bool,
) -> impl IntoView {
    let add = cart_action::<AddToCart>();
    let error = move || add.value().get().and_then(Result::err).map(|e| e.message);
    let added = move || matches!(add.value().get(), Some(Ok(_)));
    view! {
        <ActionForm action=add attr:class="add-to-cart">
            <input type="hidden" name="product_id" value=product_id.to_string() />
            {with_quantity.then(|| view! {
                <label class="quantity">
                    "Quantity"
                    <input type="number" name="quantity" value="1" min=Quantity::MIN max=Quantity::MAX step="1" required inputmode="numeric" />
                </label>
            })}
            <button
                type="submit"
                data-testid="add-to-cart"
                disabled=move || sold_out || add.pending().get()
            >
                {move || {
                    if sold_out {
                        "Sold out"
                    } else if add.pending().get() {
                        "Adding…"
                    } else {
                        "Add to cart"
                    }
                }}
            </button>
            {move || added().then(|| view! { <span class="added" role="status">"Added ✓"</span> })}
            {move || error().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </ActionForm>
    }
}
