//! The shopper's login state in the browser.

use super::{me, CurrentUser, Login, Logout, Signup, UserInfo};
use crate::error::AppError;
use leptos::prelude::*;

/// The shopper's login state in the browser, shared by the header and the
/// pages: the account actions and the current user with their balance,
/// fetched again when an action completes or on [`Auth::refresh`]. One
/// resource, so no page waits on a resource read inside another's branch.
#[derive(Clone, Copy)]
pub struct Auth {
    pub login: ServerAction<Login>,
    pub signup: ServerAction<Signup>,
    pub logout: ServerAction<Logout>,
    pub user: Resource<Result<CurrentUser, AppError>>,
    changed: RwSignal<u32>,
}

impl Auth {
    pub fn provide() -> Self {
        let login = ServerAction::<Login>::new();
        let signup = ServerAction::<Signup>::new();
        let logout = ServerAction::<Logout>::new();
        let changed = RwSignal::new(0);
        let user = Resource::new(
            move || {
                (
                    login.version().get(),
                    signup.version().get(),
                    logout.version().get(),
                    changed.get(),
                )
            },
            |_| me(),
        );
        let auth = Self {
            login,
            signup,
            logout,
            user,
            changed,
        };
        provide_context(auth);
        auth
    }

    /// Counts logins, signups and logouts: whatever belongs to the session
    /// (the cart) is fetched again when it moves.
    pub fn session_changes(&self) -> Signal<usize> {
        let (login, signup, logout) = (self.login, self.signup, self.logout);
        Signal::derive(move || {
            login.version().get() + signup.version().get() + logout.version().get()
        })
    }

    /// The balance changed (a charge, an order): fetch it again.
    pub fn refresh(&self) {
        self.changed.update(|n| *n += 1);
    }

    /// The balance to show, once loaded (none for a guest).
    pub fn balance(&self) -> Option<i64> {
        self.user.get().and_then(Result::ok).map(|u| u.points)
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// After `action` succeeds, goes to `next` as soon as the logged-in user
/// has been loaded (so a page that needs a login finds them there).
pub fn go_next_after<S>(action: ServerAction<S>, next: Memo<String>)
where
    S: server_fn::ServerFn<Output = UserInfo, Error = AppError> + Clone + Send + Sync + 'static,
    ServerAction<S>: Copy,
{
    let auth = use_auth();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let done = matches!(action.value().get(), Some(Ok(_)));
        if done && matches!(auth.user.get(), Some(Ok(_))) {
            action.value().set(None);
            navigate(&next.get_untracked(), Default::default());
        }
    });
}
