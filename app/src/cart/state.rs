//! The cart in the browser: the header's badge and the cart page.

use super::{get_cart, Cart};
use crate::error::AppError;
use leptos::prelude::*;

/// The cart in the browser: fetched again whenever a cart form completes
/// ([`CartState::refresh`]) or the session changes (a login or logout).
#[derive(Clone, Copy)]
pub struct CartState {
    pub cart: Resource<Result<Cart, AppError>>,
    changed: RwSignal<u32>,
}

impl CartState {
    pub fn provide(session_changes: Signal<usize>) -> Self {
        let changed = RwSignal::new(0);
        let cart = Resource::new(
            move || (changed.get(), session_changes.get()),
            |_| get_cart(),
        );
        let state = Self { cart, changed };
        provide_context(state);
        state
    }

    pub fn refresh(&self) {
        self.changed.update(|n| *n += 1);
    }
}

pub fn use_cart() -> CartState {
    expect_context::<CartState>()
}

/// A server action for a cart form that refreshes the cart when it is done.
pub fn cart_action<S>() -> ServerAction<S>
where
    S: server_fn::ServerFn<Output = Cart, Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    ServerAction<S>: Copy,
{
    let state = use_cart();
    let action = ServerAction::<S>::new();
    Effect::new(move |_| {
        if action.version().get() > 0 {
            state.refresh();
        }
    });
    action
}
