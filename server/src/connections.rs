//! The shop's HTTP/1.1 connections. Each is served by hyper with a timer,
//! so that a client cannot hold a connection (and a file descriptor) open
//! by sending nothing or by sending its request head slowly:
//!
//! - a new connection must send its whole request head (request line and
//!   headers) within [`ConnectionLimits::header_read_timeout`];
//! - a kept-alive connection waiting for its next request is closed after
//!   the same time (hyper restarts the same timer when it goes idle).
//!
//! A request whose head has arrived is then bounded by the request time
//! limit (`time_limit`). On shutdown, idle connections are closed at once
//! and those in the middle of a request finish it.

use axum::{
    body::Body,
    extract::Request,
    serve::{Listener, ListenerExt},
    Router,
};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use std::{future::Future, net::SocketAddr, time::Duration};
use tokio::net::TcpListener;
use tower::{Service, ServiceExt};

#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// `HEADER_READ_TIMEOUT_SECS`: how long a connection may take to send a
    /// request head, and may stay idle between two requests.
    pub header_read_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(20),
        }
    }
}

/// Accepts connections on `listener` and serves `router` on each until
/// `stop` completes, then waits for the requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()> + Send + 'static,
) {
    // Answers go out at once: without TCP_NODELAY a body written after
    // its headers waits for the client's delayed ACK (about 40 ms).
    // axum's `accept` retries by itself after errors such as EMFILE.
    let mut listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
    });
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let Ok(service) = make_service.call(remote).await;
        let service = TowerToHyperService::new(
            service.map_request(|request: Request<Incoming>| request.map(Body::new)),
        );
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(tcp), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %remote, "connection closed with an error");
            }
        });
    }
    // No new connections; those open finish what they are doing.
    drop(listener);
    graceful.shutdown().await;
}
