//! SIGTERM in the middle of a checkout storm: the server binary stops
//! accepting, answers every request it took, exits 0, and after a restart
//! the outbox delivers what was left, nothing lost and nothing twice.

use crate::{
    helpers::{fresh_database, insert_product, visitor_of, TestApp},
    on_both_backends,
    platform::{eventually, Mode, Receiver},
};
use app::db::{Backend, DatabaseUrl, Db};
use serde_json::json;
use std::{
    collections::HashMap,
    io::Read,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

const SHOPPERS: usize = 32;
/// SIGTERM is sent once this many orders have been answered.
const ORDERS_BEFORE_SIGTERM: usize = 150;
const POINTS: i64 = 1_000_000;
const STOCK: i64 = 1_000_000;

on_both_backends!(sigterm_in_a_checkout_storm_answers_everything_taken_and_loses_nothing);

/// The server binary on `database` and `port`, sending events to `receiver`;
/// what it writes to stderr is kept in the returned buffer.
fn start(database: &DatabaseUrl, port: u16, receiver: &Receiver) -> (Child, Arc<Mutex<String>>) {
    start_with(database, port, receiver, QUIET)
}

/// The log filter of these tests' servers.
const QUIET: &[(&str, &str)] = &[("RUST_LOG", "info,sqlx=warn")];

/// A port nobody listens on now.
pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// [`start_with`] on a free port, once it answers: the process, what it
/// writes, its port.
pub(crate) async fn running(
    database: &DatabaseUrl,
    receiver: &Receiver,
    env: &[(&str, &str)],
) -> (Child, Arc<Mutex<String>>, u16) {
    let port = free_port();
    let (server, said) = start_with(database, port, receiver, env);
    let base = format!("http://127.0.0.1:{port}");
    eventually("the server answers", || answers(&base)).await;
    (server, said, port)
}

/// [`start`] with more of the environment (`env` last).
pub(crate) fn start_with(
    database: &DatabaseUrl,
    port: u16,
    receiver: &Receiver,
    env: &[(&str, &str)],
) -> (Child, Arc<Mutex<String>>) {
    let site = std::env::temp_dir().join("storefront-tests-site");
    std::fs::create_dir_all(&site).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", database.as_str())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", &site)
        .env("LEPTOS_OUTPUT_NAME", "storefront")
        .env("DATA_PLATFORM_URL", receiver.url())
        .env("PAGE_CACHE_MS", "0")
        .env_remove("PAYMENTS")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let said = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().unwrap();
    std::thread::spawn({
        let said = said.clone();
        move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                said.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        }
    });
    (child, said)
}

pub(crate) fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Waits for the process to exit; its exit status. One still running a
/// minute after SIGTERM fails the test.
pub(crate) async fn exited(mut child: Child, said: &Mutex<String>) -> std::process::ExitStatus {
    let pid = child.id();
    let waited = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || child.wait()),
    )
    .await;
    match waited {
        Ok(status) => status.unwrap().unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!(
                "the server did not stop within a minute of SIGTERM:\n{}",
                said.lock().unwrap()
            );
        }
    }
}

pub(crate) async fn answers(base: &str) -> bool {
    crate::helpers::new_client()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok()
}

/// What the storm saw.
#[derive(Default)]
struct Outcome {
    /// (shopper, order id, total) of every 201.
    placed: Vec<(usize, i64, i64)>,
    /// Anything but a 201 or a refused connection.
    wrong: Vec<String>,
}

async fn sigterm_in_a_checkout_storm_answers_everything_taken_and_loses_nothing(backend: Backend) {
    // Each event takes the platform a moment: the dispatcher is in the
    // middle of one when the signal comes.
    let receiver = Receiver::start(Mode::SlowOk).await;
    let database = fresh_database(backend).await;
    let (server, said, port) = running(&database, &receiver, QUIET).await;
    let base = format!("http://127.0.0.1:{port}");
    let db = Db::connect(&database).await.unwrap();
    let product = insert_product(&db, "STORM-1", "Storm Sneaker", "Brand", 1_000, STOCK).await;

    let mut shoppers: Vec<(TestApp, i64)> = Vec::new();
    for i in 0..SHOPPERS {
        // Half keep their connection between orders, half open one for
        // each order (as a proxy without keep-alive does).
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(if i % 2 == 0 { usize::MAX } else { 0 })
            .build()
            .unwrap();
        let shopper = visitor_of(base.clone(), db.clone()).with_client(client);
        shopper.signup(&format!("storm{i}")).await;
        let (status, body) = shopper
            .post_json("/api/points/charge", &json!({ "amount": POINTS }))
            .await;
        assert_eq!(status, 200, "{body}");
        let address = shopper.add_address().await;
        shoppers.push((shopper, address));
    }

    let answered = Arc::new(AtomicUsize::new(0));
    let signal = Arc::new(tokio::sync::Notify::new());
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    let mut storm = tokio::task::JoinSet::new();
    for (i, (shopper, address)) in shoppers.into_iter().enumerate() {
        let (answered, signal, outcome) = (answered.clone(), signal.clone(), outcome.clone());
        storm.spawn(async move {
            for n in 0.. {
                let sent = shopper
                    .client
                    .post(shopper.url("/api/orders/place"))
                    .json(&json!({
                        "idempotency_key": format!("storm-{i}-{n}"),
                        "address_id": address,
                        "items": [{"product_id": product, "quantity": 1}],
                    }))
                    .send()
                    .await;
                let response = match sent {
                    Ok(response) => response,
                    // Not accepted: the shop has stopped listening.
                    Err(e) if e.is_connect() => return,
                    Err(e) => {
                        outcome.lock().unwrap().wrong.push(format!("{e:?}"));
                        return;
                    }
                };
                let status = response.status().as_u16();
                let body = response.text().await;
                let body = match body {
                    Ok(body) => body,
                    Err(e) => {
                        outcome
                            .lock()
                            .unwrap()
                            .wrong
                            .push(format!("{status}: {e:?}"));
                        return;
                    }
                };
                if status != 201 {
                    outcome
                        .lock()
                        .unwrap()
                        .wrong
                        .push(format!("{status}: {body}"));
                    return;
                }
                let body: serde_json::Value = serde_json::from_str(&body).unwrap();
                outcome.lock().unwrap().placed.push((
                    i,
                    body["order_id"].as_i64().unwrap(),
                    body["total"].as_i64().unwrap(),
                ));
                if answered.fetch_add(1, Ordering::SeqCst) + 1 == ORDERS_BEFORE_SIGTERM {
                    signal.notify_one();
                }
            }
        });
    }
    signal.notified().await;
    sigterm(&server);
    // Every shopper goes on until the shop refuses its connection.
    storm.join_all().await;
    let status = exited(server, &said).await;
    let log = said.lock().unwrap().clone();
    assert!(status.success(), "exit status {status:?}:\n{log}");
    let outcome = std::mem::take(&mut *outcome.lock().unwrap());
    assert!(
        outcome.wrong.is_empty(),
        "{} requests were not answered 201 or refused, e.g. {:?}\n{log}",
        outcome.wrong.len(),
        &outcome.wrong[..outcome.wrong.len().min(5)]
    );
    assert!(outcome.placed.len() >= ORDERS_BEFORE_SIGTERM);

    // Every order answered 201 is there, with its stock and its points, and
    // there is no other.
    let mut ids: Vec<i64> = outcome.placed.iter().map(|(_, id, _)| *id).collect();
    ids.sort();
    let stored: Vec<i64> = sqlx::query_scalar("SELECT id FROM orders ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert_eq!(stored, ids);
    let stock: i64 = sqlx::query_scalar("SELECT stock FROM variants WHERE product_id = $1")
        .bind(product)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(stock, STOCK - ids.len() as i64);
    let mut spent: HashMap<String, i64> = HashMap::new();
    for (i, _, total) in &outcome.placed {
        *spent.entry(format!("storm{i}")).or_default() += total;
    }
    let balances: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT u.login_id, u.points, \
         CAST((SELECT COALESCE(SUM(l.amount), 0) FROM point_ledger l WHERE l.user_id = u.id) \
              AS BIGINT) \
         FROM users u",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(balances.len(), SHOPPERS);
    for (login, points, ledger) in balances {
        let spent = spent.get(&login).copied().unwrap_or(0);
        assert_eq!(
            (points, ledger),
            (POINTS - spent, POINTS - spent),
            "{login}"
        );
    }

    // Started again, the shop sends what the first one left: every order
    // once, and no event the platform had taken is sent again.
    let (server, said) = start(&database, port, &receiver);
    eventually("every order reached the platform", || async {
        receiver.delivered_orders() == ids
    })
    .await;
    let mut taken: HashMap<String, usize> = HashMap::new();
    for delivery in receiver.deliveries() {
        assert_eq!(delivery.kind, "order.placed");
        if delivery.status == 200 {
            *taken.entry(delivery.event_id).or_default() += 1;
        }
    }
    assert_eq!(taken.len(), ids.len());
    let twice: Vec<_> = taken.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "sent again after the platform took them: {twice:?}"
    );
    sigterm(&server);
    let status = exited(server, &said).await;
    assert!(status.success(), "{}", said.lock().unwrap());
}

/// Sends `GET path` on `stream` and reads its answer (head and body).
async fn ask(stream: &mut tokio::net::TcpStream, path: &str) -> std::io::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: shop\r\n\r\n").as_bytes())
        .await?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        answer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&answer).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.parse().unwrap())
                })
                .expect("a length");
            if body.len() >= length {
                return Ok(text);
            }
        }
    }
}

/// After SIGTERM: `/readyz` says the shop is stopping (so a load balancer
/// sends no more), a kept-alive connection that was idle is still answered
/// when its client asks right away, every answer closes its connection,
/// and the shop exits 0 once they are closed, listening no more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_sigterm_readiness_fails_and_answers_close_their_connections() {
    let receiver = Receiver::start(Mode::Ok).await;
    let database = fresh_database(Backend::Sqlite).await;
    let (server, said, port) = running(&database, &receiver, QUIET).await;
    let connect = || tokio::net::TcpStream::connect(("127.0.0.1", port));
    let mut idle = connect().await.unwrap();
    let mut probes = Vec::new();
    for _ in 0..4 {
        probes.push(connect().await.unwrap());
    }
    for stream in std::iter::once(&mut idle).chain(&mut probes) {
        let answer = ask(stream, "/readyz").await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            !answer.to_ascii_lowercase().contains("connection: close"),
            "{answer}"
        );
    }

    sigterm(&server);
    // Asked again and again on one connection until an answer closes it:
    // the shop is stopping. That answer says so, unless its request was
    // answered just before (then the next connection asks).
    let mut stopping = false;
    for probe in &mut probes {
        loop {
            let answer = ask(probe, "/readyz").await.unwrap();
            let closes = answer.to_ascii_lowercase().contains("connection: close");
            if answer.starts_with("HTTP/1.1 503") {
                assert!(answer.ends_with("stopping"), "{answer}");
                assert!(closes, "{answer}");
                stopping = true;
            } else {
                assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
            }
            if closes {
                break;
            }
        }
        if stopping {
            break;
        }
    }
    assert!(stopping, "/readyz never said the shop was stopping");
    // The shop is stopping and no longer accepts; the idle connection's
    // request is still answered.
    let answer = ask(&mut idle, "/healthz")
        .await
        .unwrap_or_else(|e| panic!("the idle connection was closed under its request: {e}"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    let status = exited(server, &said).await;
    assert!(status.success(), "{}", said.lock().unwrap());
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "nothing listens any more"
    );
}
