//! The shopper's login state, read by the server for the page it renders.

use super::{me, CurrentUser};
use crate::error::AppError;
use leptos::prelude::*;

/// Who is logged in, for the page the server renders: the header and the
/// pages read it. One resource, so no page waits on a resource read inside
/// another's branch.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: OnceResource<Result<CurrentUser, AppError>>,
}

impl Auth {
    pub fn provide() -> Self {
        let auth = Self {
            user: OnceResource::new(me()),
        };
        provide_context(auth);
        auth
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
