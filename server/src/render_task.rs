//! Each page and server function runs in a task of its own, polled every
//! time under its own reactive owner.
//!
//! Leptos keeps "the current owner" in a thread-local that a request's
//! render reads whenever it makes an owner or a reactive value, and that
//! nothing puts back between tasks: a task polled after another request's
//! on the same worker thread finds that request's owner there. leptos_axum
//! sets the owner while it builds the app, but not on the polls after the
//! first await (the route's loaders, then anything resolved later, are
//! made under whatever owner the thread last had), and its server-function
//! handler makes its owner a child of whatever it finds. Under load a
//! render then registers values with another request's owner, whose
//! clean-up removes the same keys from the wrong arena: a value of this
//! request is "already disposed" half-way through its page (seen on the
//! product page while four clients rendered and apps started; and as
//! "outside a <Router>" in the header).
//!
//! [`run`] spawns the request and polls it with no foreign owner at all:
//! the thread's owner is cleared before and after each poll, and once the
//! request has made its root (leptos calls [`record_root`] from the
//! context closure, inside that root), every poll runs under it.

use axum::{
    extract::Request,
    http::request::Parts,
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::prelude::{use_context, Owner};
use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
};

/// Where a request's root owner is left for its task to find (a request
/// extension, which leptos hands back to the context closure in `Parts`).
#[derive(Clone, Default)]
struct RootSlot(Arc<Mutex<Option<Owner>>>);

impl RootSlot {
    fn take(&self) -> Option<Owner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Called by the app's context closure, which leptos runs inside the
/// request's root owner (a page's, or a server function's).
pub fn record_root() {
    let Some(parts) = use_context::<Parts>() else {
        return;
    };
    if let (Some(slot), Some(owner)) = (parts.extensions.get::<RootSlot>(), Owner::current()) {
        *slot.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(owner);
    }
}

/// Runs the rest of the request in a task of its own, to the end, even
/// when the client goes away first. Dropped half-way (a closed
/// connection), a render's owner is torn down while the tasks it spawned
/// still read its contexts: reactive_graph then panics or, dropping an
/// owner inside a context lookup that holds its lock, deadlocks a worker
/// thread (seen under `make bench`). A task that panics is answered 500.
pub async fn run(mut request: Request, next: Next) -> Response {
    use tracing::Instrument;
    let slot = RootSlot::default();
    request.extensions_mut().insert(slot.clone());
    let task = InOwnRoot {
        slot,
        root: None,
        inner: Box::pin(next.run(request).in_current_span()),
    };
    match tokio::spawn(task).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "a request's task failed");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

struct InOwnRoot<F> {
    slot: RootSlot,
    /// Taken out of the slot (whose owner holds the slot through its
    /// context, a cycle while both hold it) once the request has made it.
    root: Option<Owner>,
    inner: Pin<Box<F>>,
}

/// Leaves the thread with no current owner (whatever task ran here last).
fn forget_current_owner() {
    if let Some(owner) = Owner::current() {
        owner.unset();
    }
}

impl<F: Future> Future for InOwnRoot<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        if this.root.is_none() {
            this.root = this.slot.take();
        }
        forget_current_owner();
        let polled = match &this.root {
            Some(root) => root.with(|| this.inner.as_mut().poll(cx)),
            None => this.inner.as_mut().poll(cx),
        };
        forget_current_owner();
        if polled.is_ready() {
            this.slot.take();
            this.root = None;
        }
        polled
    }
}

impl<F> Drop for InOwnRoot<F> {
    fn drop(&mut self) {
        // Never left in the slot: its owner's context holds the slot.
        self.slot.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A future that checks the owner it runs under at each poll: none on
    /// its first (whatever the thread had), then the root it made.
    struct Probe {
        slot: RootSlot,
        made: Option<Owner>,
        seen: Arc<Mutex<Vec<Option<Owner>>>>,
    }

    impl Future for Probe {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            self.seen.lock().unwrap().push(Owner::current());
            match self.made {
                None => {
                    // As leptos does: a root, set as the thread's owner
                    // and left there, recorded from inside it.
                    let root = Owner::new();
                    root.set();
                    *self.slot.0.lock().unwrap() = Some(root.clone());
                    self.made = Some(root);
                    Poll::Pending
                }
                Some(_) => Poll::Ready(()),
            }
        }
    }

    #[test]
    fn a_request_is_polled_under_its_own_root_never_another_tasks_owner() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let slot = RootSlot::default();
        let mut task = Box::pin(InOwnRoot {
            slot: slot.clone(),
            root: None,
            inner: Box::pin(Probe {
                slot: slot.clone(),
                made: None,
                seen: seen.clone(),
            }),
        });
        let mut cx = Context::from_waker(std::task::Waker::noop());

        // Another request's owner, left on this thread by its task.
        let foreign = Owner::new();
        foreign.set();
        assert!(task.as_mut().poll(&mut cx).is_pending());
        assert!(
            Owner::current().is_none(),
            "the request's root left on the thread"
        );
        let root = slot.0.lock().unwrap().clone().expect("recorded");

        foreign.set();
        assert!(task.as_mut().poll(&mut cx).is_ready());
        assert!(Owner::current().is_none());

        let seen = seen.lock().unwrap();
        assert!(seen[0].is_none(), "the first poll saw another task's owner");
        assert!(
            seen[1].as_ref() == Some(&root),
            "the second poll ran under another owner"
        );
        assert!(slot.take().is_none(), "the slot keeps the root alive");
        assert!(task.root.is_none());
    }
}
