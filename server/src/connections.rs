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
//! limit (`time_limit`).
//!
//! Stopping ([`serve`]'s `stop`) loses no request the shop has taken:
//!
//! 1. the shop stops accepting, but first takes every connection the
//!    kernel has already accepted for it (closing the listener with them
//!    queued would reset them);
//! 2. every answer from then on says `Connection: close`, so each client
//!    sends its next request elsewhere;
//! 3. a connection idle at that moment keeps [`DRAIN_IDLE`] to send the
//!    request its client may already be sending, then is closed; one in
//!    the middle of a request finishes it;
//! 4. whatever is still open when [`ConnectionLimits::shutdown_grace`] has
//!    passed since the stop is dropped.

use axum::{body::Body, extract::Request, Router};
use http::{header, HeaderValue};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use std::{future::Future, io, net::SocketAddr, time::Duration};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tower::{Service, ServiceExt};

/// How long a connection idle when the shop begins to stop is kept open
/// for a request already on its way (a client that sends later is
/// answered by a closed connection, as HTTP/1.1 clients expect).
pub const DRAIN_IDLE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// `HEADER_READ_TIMEOUT_SECS`: how long a connection may take to send a
    /// request head, and may stay idle between two requests.
    pub header_read_timeout: Duration,
    /// `SHUTDOWN_GRACE_SECS`: how long the requests in flight when the shop
    /// is told to stop may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(20),
            shutdown_grace: Duration::from_secs(20),
        }
    }
}

/// Set when the shop begins to stop: its answers close their connections
/// from then on, and `/readyz` says so to load balancers.
#[derive(Debug, Clone, Default)]
pub struct Draining(CancellationToken);

impl Draining {
    pub fn is_draining(&self) -> bool {
        self.0.is_cancelled()
    }

    fn begin(&self) {
        self.0.cancel();
    }
}

/// Accepts connections on `listener` and serves `router` on each until
/// `stop` completes, then lets the requests in flight finish (see the
/// module's comment); `draining` is set at that moment.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    draining: Draining,
    stop: impl Future<Output = ()> + Send + 'static,
) {
    let connections = Connections {
        make_service: router.into_make_service_with_connect_info::<SocketAddr>(),
        limits,
        draining: draining.clone(),
        dropped: CancellationToken::new(),
        tracker: TaskTracker::new(),
    };
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            accepted = accept(&listener) => connections.spawn(accepted).await,
            () = &mut stop => break,
        }
    }
    draining.begin();
    // Connections the kernel completed before the listener closes are the
    // shop's to answer: taken now, without waiting.
    match listener.into_std() {
        Ok(listener) => loop {
            match listener.accept() {
                Ok((tcp, remote)) => {
                    match tcp
                        .set_nonblocking(true)
                        .and_then(|()| TcpStream::from_std(tcp))
                    {
                        Ok(tcp) => connections.spawn((tcp, remote)).await,
                        Err(e) => tracing::warn!(error = %e, "could not take a queued connection"),
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "could not take the queued connections");
                    break;
                }
            }
        },
        Err(e) => tracing::warn!(error = %e, "could not take the queued connections"),
    }
    connections.tracker.close();
    let open = connections.tracker.len();
    if open > 0 {
        tracing::info!(
            connections = open,
            "stopping: finishing the requests in flight"
        );
    }
    tokio::select! {
        () = connections.tracker.wait() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(
                connections = connections.tracker.len(),
                grace_secs = limits.shutdown_grace.as_secs(),
                "stopping: the grace period is over; dropping what is still open"
            );
            connections.dropped.cancel();
            connections.tracker.wait().await;
        }
    }
}

struct Connections {
    make_service: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, SocketAddr>,
    limits: ConnectionLimits,
    draining: Draining,
    /// Cancelled when the grace period is over.
    dropped: CancellationToken,
    tracker: TaskTracker,
}

impl Connections {
    async fn spawn(&self, (tcp, remote): (TcpStream, SocketAddr)) {
        // Answers go out at once: without TCP_NODELAY a body written after
        // its headers waits for the client's delayed ACK (about 40 ms).
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
        let Ok(service) = self.make_service.clone().call(remote).await;
        let draining = self.draining.clone();
        let service = service
            .map_request(|request: Request<Incoming>| request.map(Body::new))
            .map_response(move |mut response: axum::response::Response| {
                if draining.is_draining() {
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                response
            });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_read_timeout)
            .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service));
        let draining = self.draining.clone();
        let dropped = self.dropped.clone();
        self.tracker.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let ended = |result: Result<(), hyper::Error>| {
                if let Err(e) = result {
                    tracing::debug!(error = %e, %remote, "connection closed with an error");
                }
            };
            tokio::select! {
                result = connection.as_mut() => return ended(result),
                () = draining.0.cancelled() => {}
            }
            tokio::select! {
                result = connection.as_mut() => return ended(result),
                () = tokio::time::sleep(DRAIN_IDLE) => {}
            }
            // Closed now if idle; otherwise after the answer it is writing.
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                result = connection.as_mut() => ended(result),
                () = dropped.cancelled() => {}
            }
        });
    }
}

/// The next connection. An error about one connection (reset before it was
/// taken) is skipped; one about the listener (no file descriptors left) is
/// logged and tried again a moment later, as the connections close.
async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(accepted) => return accepted,
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                tracing::error!(error = %e, "cannot accept connections");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
