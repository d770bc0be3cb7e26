//! The cart, read by the server for the page it renders.

use super::{get_cart, Cart};
use crate::error::AppError;
use leptos::prelude::*;

/// The cart, for the page the server renders (the header's badge, the cart
/// page).
#[derive(Clone, Copy)]
pub struct CartState {
    pub cart: OnceResource<Result<Cart, AppError>>,
}

impl CartState {
    pub fn provide() -> Self {
        let state = Self {
            cart: OnceResource::new(get_cart()),
        };
        provide_context(state);
        state
    }
}

pub fn use_cart() -> CartState {
    expect_context::<CartState>()
}
