//! Connections that never finish their request head, or stay idle after
//! an answer, are closed after the header read timeout, while the shop
//! goes on answering everyone else.

use crate::helpers::{fresh_database, spawn_app_with};
use app::db::Backend;
use server::{config::Config, connections::ConnectionLimits};
use std::time::{Duration, Instant};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const TIMEOUT: Duration = Duration::from_secs(1);
const STALLED: usize = 300;
const IDLE: usize = 50;
/// How long a test waits for a close before failing: far past the limit.
const GIVE_UP: Duration = Duration::from_secs(60);

/// Reads until the server closes the connection; what it read.
async fn until_closed(mut stream: TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(GIVE_UP, stream.read(&mut buffer)).await {
            Err(_) => panic!("the connection was still open after {GIVE_UP:?}"),
            Ok(Ok(0)) | Ok(Err(_)) => return seen,
            Ok(Ok(n)) => seen.extend_from_slice(&buffer[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn half_sent_heads_and_idle_connections_are_closed() {
    let mut config = Config::for_tests(fresh_database(Backend::Sqlite).await);
    config.connection_limits = ConnectionLimits {
        header_read_timeout: TIMEOUT,
        ..ConnectionLimits::default()
    };
    let app = spawn_app_with(config).await;
    let host = app.address.trim_start_matches("http://").to_string();

    // Half a request head each: the request line, Host, the start of
    // another header, then nothing.
    let mut stalled = Vec::new();
    for _ in 0..STALLED {
        let mut stream = TcpStream::connect(&host).await.unwrap();
        stream
            .write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\nAccept: te").as_bytes())
            .await
            .unwrap();
        stalled.push(stream);
    }
    let opened = Instant::now();
    // Kept alive after a whole answer, then idle.
    let mut idle = Vec::new();
    for _ in 0..IDLE {
        let mut stream = TcpStream::connect(&host).await.unwrap();
        stream
            .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await.unwrap();
        assert_eq!(&head, b"HTTP/1.1 200");
        idle.push(stream);
    }

    // Everyone else is answered meanwhile: until every stalled and idle
    // connection is closed, a fresh client keeps asking for pages.
    let mut closes = tokio::task::JoinSet::new();
    for stream in stalled {
        closes.spawn(async move { (true, until_closed(stream).await) });
    }
    for stream in idle {
        closes.spawn(async move { (false, until_closed(stream).await) });
    }
    let closes = tokio::spawn(async move { closes.join_all().await });
    let mut answered = 0;
    while !closes.is_finished() {
        let res = app.visitor().get("/products/1").await;
        assert_eq!(res.status(), 200);
        res.bytes().await.unwrap();
        answered += 1;
    }
    let stalled = closes.await.unwrap();
    assert!(
        opened.elapsed() >= TIMEOUT,
        "closed before the limit: {:?}",
        opened.elapsed()
    );
    assert!(answered > 0);
    // Closed without an answer made up from half a request.
    for (_, seen) in stalled.into_iter().filter(|(was_stalled, _)| *was_stalled) {
        let seen = String::from_utf8_lossy(&seen);
        assert!(!seen.contains("200 OK"), "{seen}");
    }
    // And the shop still answers on new connections.
    assert_eq!(app.visitor().get("/healthz").await.status(), 200);
}
