//! The data platform: every order delivered at least once with a stable
//! event id, retried while the platform fails or is down, taken over after
//! a crash, never sent twice at once; best sellers counted once per event.

use crate::helpers::{fresh_database, spawn_app_with, TestApp};
use crate::on_both_backends;
use app::locale::Locale;
use app::{
    catalog::{ProductId, Quantity},
    db::{now_millis, Backend, DatabaseUrl},
    identity::UserId,
    money::Won,
    platform::{embedded, outbox, OrderCancelled, OrderPlaced, PlatformEvent, SoldLine},
};
use axum::{extract::State, http::HeaderMap, routing::post, Json, Router};
use serde_json::{json, Value};
use server::config::Config;
use std::{
    collections::HashMap,
    future::Future,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

on_both_backends!(
    a_failing_platform_gets_every_order_with_its_event_id,
    orders_succeed_while_the_platform_is_down_and_arrive_later,
    a_redelivered_event_never_counts_twice,
    best_sellers_count_the_last_three_days,
    best_sellers_follow_the_window_as_it_moves,
    the_window_stays_exact_while_events_and_moves_race,
    a_cancel_takes_its_sale_back_once_whenever_it_comes,
    a_batch_counts_exactly_as_its_events_one_by_one,
    a_killed_server_delivers_everything_after_a_restart,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_never_send_one_event_at_the_same_time() {
    let receiver = Receiver::start(Mode::SlowOk).await;
    let database = fresh_database(Backend::Postgres).await;
    let first = spawn_app_with(platform_config(database.clone(), &receiver)).await;
    let second = spawn_app_with(platform_config(database, &receiver)).await;
    let mut shoppers = Vec::new();
    for (i, app) in [&first, &second].into_iter().cycle().take(6).enumerate() {
        let shopper = app.visitor();
        shopper.signup(&format!("pair{i}")).await;
        charge(&shopper, 1_000_000).await;
        shopper.add_address().await;
        shoppers.push(shopper);
    }
    let mut orders = Vec::new();
    for round in 0..4 {
        for (i, shopper) in shoppers.iter().enumerate() {
            orders.push(place(shopper, &format!("pair-{round}-{i}-key"), 17).await);
        }
    }
    eventually("every event delivered", || async {
        receiver.delivered_orders().len() == orders.len()
    })
    .await;
    assert_eq!(
        receiver.overlaps(),
        0,
        "an event was being sent twice at once"
    );
    assert_eq!(sorted(receiver.delivered_orders()), sorted(orders));
}

/// How the test platform answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// 503 for the first `n` requests, then 200.
    FailFirst(usize),
    /// 200 after a moment, noting events sent twice at the same time.
    SlowOk,
    /// Never answers (a request stays open until the sender gives up).
    Hang,
    Ok,
}

#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) event_id: String,
    header_id: String,
    /// The event's `type`.
    pub(crate) kind: String,
    pub(crate) order_id: i64,
    pub(crate) status: u16,
}

#[derive(Default)]
struct Seen {
    requests: usize,
    deliveries: Vec<Delivery>,
    in_flight: HashMap<String, usize>,
    overlaps: usize,
}

#[derive(Clone)]
pub(crate) struct Receiver {
    addr: SocketAddr,
    mode: Arc<Mutex<Mode>>,
    seen: Arc<Mutex<Seen>>,
}

impl Receiver {
    pub(crate) async fn start(mode: Mode) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, mode)
    }

    /// A receiver on `addr`, which nobody listens on until `serve_on` is called.
    async fn down(mode: Mode) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        Self {
            addr,
            mode: Arc::new(Mutex::new(mode)),
            seen: Arc::default(),
        }
    }

    async fn come_up(&self) {
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        let router = self.router();
        tokio::spawn(async move { axum::serve(listener, router).await });
    }

    fn serve(listener: tokio::net::TcpListener, mode: Mode) -> Self {
        let receiver = Self {
            addr: listener.local_addr().unwrap(),
            mode: Arc::new(Mutex::new(mode)),
            seen: Arc::default(),
        };
        let router = receiver.router();
        tokio::spawn(async move { axum::serve(listener, router).await });
        receiver
    }

    fn router(&self) -> Router {
        Router::new()
            .route("/events", post(receive))
            .with_state(self.clone())
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}/events", self.addr)
    }

    fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.seen.lock().unwrap().deliveries.clone()
    }

    /// Orders whose `order.placed` was answered 200 (each once, however often).
    pub(crate) fn delivered_orders(&self) -> Vec<i64> {
        self.delivered("order.placed")
    }

    /// Orders whose `order.cancelled` was answered 200.
    pub(crate) fn delivered_cancels(&self) -> Vec<i64> {
        self.delivered("order.cancelled")
    }

    fn delivered(&self, kind: &str) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .deliveries()
            .iter()
            .filter(|d| d.status == 200 && d.kind == kind)
            .map(|d| d.order_id)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    fn overlaps(&self) -> usize {
        self.seen.lock().unwrap().overlaps
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    Json(event): Json<Value>,
) -> axum::http::StatusCode {
    let mode = *receiver.mode.lock().unwrap();
    let event_id = event["event_id"].as_str().unwrap_or_default().to_string();
    let header_id = headers
        .get("x-event-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let request = {
        let mut seen = receiver.seen.lock().unwrap();
        seen.requests += 1;
        let in_flight = seen.in_flight.entry(event_id.clone()).or_default();
        *in_flight += 1;
        if *in_flight > 1 {
            seen.overlaps += 1;
        }
        seen.requests
    };
    let status = match mode {
        Mode::FailFirst(n) if request <= n => 503,
        Mode::Hang => std::future::pending::<u16>().await,
        Mode::SlowOk => {
            tokio::time::sleep(Duration::from_millis(30)).await;
            200
        }
        _ => 200,
    };
    let mut seen = receiver.seen.lock().unwrap();
    *seen.in_flight.get_mut(&event_id).unwrap() -= 1;
    seen.deliveries.push(Delivery {
        event_id,
        header_id,
        kind: event["type"].as_str().unwrap_or_default().to_string(),
        order_id: event["order_id"].as_i64().unwrap_or_default(),
        status,
    });
    axum::http::StatusCode::from_u16(status).unwrap()
}

fn platform_config(database: DatabaseUrl, receiver: &Receiver) -> Config {
    let mut config = Config::for_tests(database);
    config.data_platform_url = Some(receiver.url());
    config
}

/// Waits for something the dispatcher does in the background; fails the
/// test when it has not happened in 30 seconds.
pub(crate) async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort();
    ids
}

async fn charge(app: &TestApp, amount: i64) {
    let (status, body) = app
        .post_json("/api/points/charge", &json!({ "amount": amount }))
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Places an order of one unit of `product` (to the shopper's default
/// address); returns its id.
async fn place(app: &TestApp, key: &str, product: i64) -> i64 {
    let address = app.default_address().await;
    let (status, body) = app
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": key, "address_id": address,
                    "items": [{"product_id": product, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["order_id"].as_i64().unwrap()
}

async fn shopper(app: &TestApp, login_id: &str) -> TestApp {
    let shopper = app.visitor();
    shopper.signup(login_id).await;
    charge(&shopper, 1_000_000).await;
    shopper.add_address().await;
    shopper
}

async fn a_failing_platform_gets_every_order_with_its_event_id(backend: Backend) {
    let receiver = Receiver::start(Mode::FailFirst(3)).await;
    let app = spawn_app_with(platform_config(fresh_database(backend).await, &receiver)).await;
    let shopper = shopper(&app, "retry").await;
    let mut orders = Vec::new();
    for (i, product) in [5, 11, 20].into_iter().enumerate() {
        orders.push(place(&shopper, &format!("retry-key-{i}"), product).await);
    }
    eventually("every order arrived", || async {
        receiver.delivered_orders().len() == orders.len()
    })
    .await;
    assert_eq!(receiver.delivered_orders(), sorted(orders));
    let deliveries = receiver.deliveries();
    assert!(
        deliveries.iter().filter(|d| d.status == 503).count() >= 3,
        "{deliveries:?}"
    );
    // Every attempt for one order carries the same event id, in the body
    // and in the header.
    let mut ids: HashMap<i64, String> = HashMap::new();
    for d in &deliveries {
        assert_eq!(d.event_id, d.header_id);
        let first = ids.entry(d.order_id).or_insert_with(|| d.event_id.clone());
        assert_eq!(
            *first, d.event_id,
            "order {} changed its event id",
            d.order_id
        );
    }
    eventually("the outbox is marked delivered", || async {
        outbox::stats(&app.db).await.unwrap().pending == 0
    })
    .await;
    // The shop's own aggregate counted each order once.
    let (_, top) = app.get_json("/api/top-products").await;
    let sold: i64 = top["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["quantity_sold"].as_i64().unwrap())
        .sum();
    assert_eq!(sold, 3, "{top}");
}

async fn orders_succeed_while_the_platform_is_down_and_arrive_later(backend: Backend) {
    let receiver = Receiver::down(Mode::Ok).await;
    let app = spawn_app_with(platform_config(fresh_database(backend).await, &receiver)).await;
    let shopper = shopper(&app, "patient").await;
    let mut orders = Vec::new();
    for i in 0..3 {
        orders.push(place(&shopper, &format!("down-key-{i}"), 5).await);
    }
    // A cancel, too, goes through while the platform is down.
    let (status, body) = shopper
        .post_json(
            "/api/orders/cancel",
            &json!({"order_id": orders[1], "idempotency_key": "down-cancel-0"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    eventually("the dispatcher has failed to deliver", || async {
        let stats = outbox::stats(&app.db).await.unwrap();
        stats.failing == 4 && stats.last_error.is_some()
    })
    .await;
    assert!(receiver.deliveries().is_empty());
    receiver.come_up().await;
    eventually("every order and the cancel arrived", || async {
        receiver.delivered_orders().len() == orders.len()
            && receiver.delivered_cancels() == vec![orders[1]]
    })
    .await;
    eventually("the outbox is marked delivered", || async {
        outbox::stats(&app.db).await.unwrap().pending == 0
    })
    .await;
    // The shop's aggregate counts the two orders left.
    let (_, top) = app.get_json("/api/top-products").await;
    assert_eq!(top["items"][0]["product_id"], 5, "{top}");
    assert_eq!(top["items"][0]["quantity_sold"], 2, "{top}");
    assert_eq!(receiver.delivered_orders(), sorted(orders));
}

/// An `order.placed` of its own order (ids from a counter), named `id`.
fn event(id: &str, ordered_at: i64, lines: &[(i64, i64)]) -> PlatformEvent {
    static NEXT_ORDER: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);
    let mut event = OrderPlaced::new(
        NEXT_ORDER.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        UserId(1),
        Won(1000),
        ordered_at,
        lines
            .iter()
            .map(|(product, quantity)| SoldLine {
                product_id: ProductId(*product),
                variant_id: None,
                sku: None,
                name: format!("product {product}"),
                unit_price: Won(1000),
                quantity: Quantity::new(*quantity).unwrap(),
            })
            .collect(),
    );
    event.event_id = id.to_string();
    event.into()
}

async fn a_redelivered_event_never_counts_twice(backend: Backend) {
    let app = spawn_app_with(Config::for_tests(fresh_database(backend).await)).await;
    let now = now_millis();
    let first = event("ev-1", now, &[(1, 5), (2, 1)]);
    assert!(embedded::consume(&app.db, &first).await.unwrap());
    assert!(
        !embedded::consume(&app.db, &first).await.unwrap(),
        "seen before"
    );
    let top = embedded::top_products(&app.db, now, Locale::ko)
        .await
        .unwrap();
    assert_eq!(top[0].product_id, ProductId(1));
    assert_eq!(top[0].quantity_sold, 5);

    // The dispatcher sends an event again (as after a crash between
    // sending and marking it): the ranking does not move.
    let shopper = shopper(&app, "again").await;
    place(&shopper, "again-key-1", 20).await;
    eventually("the order was delivered", || async {
        outbox::stats(&app.db).await.unwrap().delivered == 1
    })
    .await;
    let before = embedded::top_products(&app.db, now_millis(), Locale::ko)
        .await
        .unwrap();
    sqlx::query("UPDATE outbox SET delivered_at = NULL")
        .execute(app.db.pool())
        .await
        .unwrap();
    eventually("the event was sent again", || async {
        outbox::stats(&app.db).await.unwrap().pending == 0
    })
    .await;
    assert_eq!(
        embedded::top_products(&app.db, now_millis(), Locale::ko)
            .await
            .unwrap(),
        before
    );
}

async fn best_sellers_count_the_last_three_days(backend: Backend) {
    let app = spawn_app_with(Config::for_tests(fresh_database(backend).await)).await;
    let now = now_millis();
    let hour = 60 * 60 * 1000;
    let events = [
        // Product 1: 3 now and 4 seventy hours ago, inside the window.
        event("a", now, &[(1, 3)]),
        event("b", now - 70 * hour, &[(1, 4)]),
        // Product 2: 50, but just outside the three days.
        event("c", now - 72 * hour - 1, &[(2, 50)]),
        // Products 3 and 4 tie at 6: the lower id first.
        event("d", now - hour, &[(4, 6), (3, 6)]),
        event("e", now, &[(5, 2), (6, 1), (7, 1)]),
    ];
    for e in &events {
        embedded::consume(&app.db, e).await.unwrap();
    }
    let (status, top) = app.get_json("/api/top-products").await;
    assert_eq!(status, 200, "{top}");
    assert_eq!(top["window_days"], 3);
    let ranking: Vec<(i64, i64)> = top["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["product_id"].as_i64().unwrap(),
                i["quantity_sold"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ranking,
        vec![(1, 7), (3, 6), (4, 6), (5, 2), (6, 1)],
        "at most 5"
    );
    assert!(top["items"][0]["name"]
        .as_str()
        .is_some_and(|n| !n.is_empty()));
}

/// The ranking at `now`, as (product, quantity sold).
async fn ranking_at(app: &TestApp, now: i64) -> Vec<(i64, i64)> {
    embedded::top_products(&app.db, now, Locale::ko)
        .await
        .unwrap()
        .iter()
        .map(|t| (t.product_id.0, t.quantity_sold))
        .collect()
}

async fn best_sellers_follow_the_window_as_it_moves(backend: Backend) {
    let app = spawn_app_with(Config::for_tests(fresh_database(backend).await)).await;
    let hour = 60 * 60 * 1000;
    // The top of an hour, so "n hours later" moves the window by n.
    let now = now_millis() / hour * hour;
    for e in [
        event("old", now - 100 * hour, &[(1, 40)]),
        event("edge", now - 71 * hour, &[(2, 9)]),
        event("recent", now - 10 * hour, &[(3, 5), (1, 2)]),
        event("now", now, &[(4, 1)]),
    ] {
        embedded::consume(&app.db, &e).await.unwrap();
    }
    // The first read moves the window past "old".
    assert_eq!(
        ranking_at(&app, now).await,
        vec![(2, 9), (3, 5), (1, 2), (4, 1)]
    );
    // An hour later "edge" has left it.
    assert_eq!(
        ranking_at(&app, now + hour).await,
        vec![(3, 5), (1, 2), (4, 1)]
    );
    // A late event from before the window changes nothing; one inside it counts.
    embedded::consume(&app.db, &event("late", now - 90 * hour, &[(5, 50)]))
        .await
        .unwrap();
    embedded::consume(&app.db, &event("inside", now - 5 * hour, &[(4, 7)]))
        .await
        .unwrap();
    assert_eq!(
        ranking_at(&app, now + hour).await,
        vec![(4, 8), (3, 5), (1, 2)]
    );
    // A moment before the window is summed from the hourly sales.
    assert_eq!(
        ranking_at(&app, now - 20 * hour).await,
        vec![(5, 50), (2, 9), (4, 8), (3, 5), (1, 2)],
        "from hour -91 on: only old is out"
    );
    // Three days on, nothing is left, and no total stays behind.
    assert!(ranking_at(&app, now + 80 * hour).await.is_empty());
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM platform_window_sales")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
}

async fn the_window_stays_exact_while_events_and_moves_race(backend: Backend) {
    let app = spawn_app_with(Config::for_tests(fresh_database(backend).await)).await;
    let hour = 60 * 60 * 1000;
    let now = now_millis() / hour * hour;
    // 60 orders over the last 80 hours on 8 products, a third of them
    // cancelled, consumed by 80 tasks in no set order (a cancel may come
    // before its order), while 10 others move the window on an hour at a time.
    let placed: Vec<PlatformEvent> = (0..60_i64)
        .map(|i| {
            let at = now - (i * 37 % 80) * hour;
            event(&format!("race-{i}"), at, &[(1 + i % 8, 1 + i % 5)])
        })
        .collect();
    let cancels: Vec<PlatformEvent> = placed.iter().step_by(3).map(cancel_of).collect();
    let mut tasks = Vec::new();
    for e in cancels.iter().chain(&placed) {
        let (db, e) = (app.db.clone(), e.clone());
        tasks.push(tokio::spawn(async move {
            embedded::consume(&db, &e).await.unwrap();
        }));
    }
    for k in 0..10 {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            embedded::top_products(&db, now + k * hour, Locale::ko)
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // After the last move (10 hours on), the totals are the window's sums
    // of the orders not cancelled.
    let last = now + 10 * hour;
    embedded::top_products(&app.db, last, Locale::ko)
        .await
        .unwrap();
    let first_hour = last / hour - 71;
    let mut expected = std::collections::BTreeMap::<i64, i64>::new();
    for (i, e) in placed.iter().enumerate() {
        let PlatformEvent::Placed(e) = e else {
            unreachable!()
        };
        if i % 3 != 0 && e.ordered_at / hour >= first_hour {
            for line in &e.items {
                *expected.entry(line.product_id.0).or_default() += line.quantity.get();
            }
        }
    }
    let totals: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT product_id, quantity FROM platform_window_sales ORDER BY product_id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(totals, expected.into_iter().collect::<Vec<_>>());
}

/// The `order.cancelled` of a placed event, cancelled an hour later.
fn cancel_of(placed: &PlatformEvent) -> PlatformEvent {
    let PlatformEvent::Placed(p) = placed else {
        panic!("only a placed order can be cancelled")
    };
    OrderCancelled {
        event_id: format!("{}-cancel", p.event_id),
        order_id: p.order_id,
        user_id: p.user_id,
        total: p.total,
        items: p.items.clone(),
        ordered_at: p.ordered_at,
        cancelled_at: p.ordered_at + 60 * 60 * 1000,
    }
    .into()
}

async fn a_cancel_takes_its_sale_back_once_whenever_it_comes(backend: Backend) {
    let app = spawn_app_with(Config::for_tests(fresh_database(backend).await)).await;
    let hour = 60 * 60 * 1000;
    let now = now_millis() / hour * hour;
    let a = event("a", now, &[(1, 3), (2, 1)]);
    let b = event("b", now - hour, &[(2, 5)]);
    for e in [&a, &b] {
        embedded::consume(&app.db, e).await.unwrap();
    }
    assert_eq!(ranking_at(&app, now).await, vec![(2, 6), (1, 3)]);
    // Product 1's only sale is cancelled: it leaves the ranking; the
    // cancel counts once however often it comes.
    let cancel_a = cancel_of(&a);
    assert!(embedded::consume(&app.db, &cancel_a).await.unwrap());
    assert!(!embedded::consume(&app.db, &cancel_a).await.unwrap());
    assert_eq!(ranking_at(&app, now).await, vec![(2, 5)]);
    // A cancel that comes before its order: the order, when it comes, adds nothing.
    let c = event("c", now, &[(3, 7)]);
    assert!(embedded::consume(&app.db, &cancel_of(&c)).await.unwrap());
    assert_eq!(ranking_at(&app, now).await, vec![(2, 5)]);
    assert!(embedded::consume(&app.db, &c).await.unwrap());
    assert_eq!(ranking_at(&app, now).await, vec![(2, 5)]);
    // A 71-hour-old order is still in the window: its cancel takes it out
    // of the window's totals as of the hour it was sold in.
    let old = event("old", now - 71 * hour, &[(4, 9)]);
    embedded::consume(&app.db, &old).await.unwrap();
    assert_eq!(ranking_at(&app, now).await, vec![(4, 9), (2, 5)]);
    embedded::consume(&app.db, &cancel_of(&old)).await.unwrap();
    assert_eq!(ranking_at(&app, now).await, vec![(2, 5)]);
    // The hours keep nothing of the cancelled sales, and no total is negative.
    let hours: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT product_id, CAST(SUM(quantity) AS BIGINT) FROM platform_hourly_sales \
         GROUP BY product_id ORDER BY product_id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(hours, vec![(2, 5)]);
}

/// The dispatcher takes in what it claimed as one batch: placed and
/// cancelled events of one order in it (either way round), an event
/// twice, events already taken in, inside and outside the window. The
/// platform's tables come out exactly as when the same events are taken
/// in one at a time, and each event is new exactly when it is alone.
async fn a_batch_counts_exactly_as_its_events_one_by_one(backend: Backend) {
    let batched = spawn_app_with(Config::for_tests(fresh_database(backend).await)).await;
    let alone = spawn_app_with(Config::for_tests(fresh_database(backend).await)).await;
    let hour = 60 * 60 * 1000;
    let now = now_millis() / hour * hour;
    let a = event("batch-a", now, &[(1, 3), (2, 1)]);
    let b = event("batch-b", now - hour, &[(2, 5), (3, 2)]);
    let c = event("batch-c", now, &[(3, 7)]);
    let d = event("batch-d", now - 80 * hour, &[(4, 9)]);
    let e = event("batch-e", now - 2 * hour, &[(1, 4)]);
    let f = event("batch-f", now - 71 * hour, &[(5, 6), (1, 1)]);
    // Taken in by both before the batch: its cancel comes in the batch.
    for app in [&batched, &alone] {
        embedded::consume(&app.db, &e).await.unwrap();
        embedded::consume(&app.db, &f).await.unwrap();
    }
    let batch = vec![
        a.clone(),
        b.clone(),
        cancel_of(&a), // after its order, in the same batch
        cancel_of(&c), // before its order
        c.clone(),     // adds nothing
        d.clone(),     // outside the window: its hour only
        b.clone(),     // twice
        cancel_of(&e), // of an order taken in earlier
        e.clone(),     // already taken in
        cancel_of(&f), // 71 hours old: out of the window's totals too
        cancel_of(&d), // outside the window
        cancel_of(&a), // twice
    ];
    let events: Vec<&PlatformEvent> = batch.iter().collect();
    let mut tx = batched.db.begin_write().await.unwrap();
    let batch_new = embedded::consume_in(&batched.db, &mut tx, &events)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut alone_new = Vec::new();
    for event in &batch {
        alone_new.push(embedded::consume(&alone.db, event).await.unwrap());
    }
    assert_eq!(batch_new, alone_new);
    assert_eq!(
        batch_new,
        [true, true, true, true, true, true, false, true, false, true, true, false]
    );
    let tables = |app: &TestApp| {
        let pool = app.db.pool().clone();
        async move {
            let hours: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT product_id, hour, quantity FROM platform_hourly_sales \
                 ORDER BY product_id, hour",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            let totals: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT product_id, quantity FROM platform_window_sales ORDER BY product_id",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            let orders: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT order_id, placed, cancelled FROM platform_orders ORDER BY order_id",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            (hours, totals, orders)
        }
    };
    let (hours, totals, orders) = tables(&batched).await;
    assert_eq!(
        (hours.clone(), totals.clone(), orders.clone()),
        tables(&alone).await
    );
    // What is left: b's lines in its hour and the window; nothing of a, c,
    // d, e or f.
    let b_hour = (now - hour) / hour;
    assert_eq!(hours, vec![(2, b_hour, 5), (3, b_hour, 2)]);
    assert_eq!(totals, vec![(2, 5), (3, 2)]);
    assert_eq!(orders.len(), 6);
    assert_eq!(ranking_at(&batched, now).await, vec![(2, 5), (3, 2)]);
    // The batch again: nothing is new, nothing moves.
    let mut tx = batched.db.begin_write().await.unwrap();
    let again = embedded::consume_in(&batched.db, &mut tx, &events)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(again.iter().all(|new| !new));
    assert_eq!(tables(&batched).await, (hours, totals, orders));
}

/// The server binary, started as a real process on `database`.
fn start_server(database: &DatabaseUrl, port: u16, receiver: &Receiver) -> std::process::Child {
    let site = std::env::temp_dir().join("storefront-tests-site");
    std::fs::create_dir_all(&site).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", database.as_str())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", &site)
        .env("LEPTOS_OUTPUT_NAME", "storefront")
        .env("DATA_PLATFORM_URL", receiver.url())
        .env("OUTBOX_LEASE_SECS", "1")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the server binary starts")
}

async fn a_killed_server_delivers_everything_after_a_restart(backend: Backend) {
    // The platform holds every delivery open: orders commit, nothing arrives.
    let receiver = Receiver::start(Mode::Hang).await;
    let database = fresh_database(backend).await;
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start_server(&database, port, &receiver);
    let client = crate::helpers::new_client();
    eventually("the server answers", || async {
        client.get(format!("{base}/healthz")).send().await.is_ok()
    })
    .await;
    let post = |path: &str, body: Value| {
        let request = client.post(format!("{base}{path}")).json(&body);
        async move {
            let res = request.send().await.unwrap();
            (
                res.status().as_u16(),
                res.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, body) = post(
        "/api/signup",
        json!({"login_id": "crash", "password": "correct horse"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = post("/api/points/charge", json!({"amount": 1_000_000})).await;
    assert_eq!(status, 200);
    let (status, address) = post(
        "/api/addresses",
        json!({"recipient": "홍길동", "phone": "01012345678", "postal_code": "04524",
               "address1": "서울 중구 세종대로 110"}),
    )
    .await;
    assert_eq!(status, 201, "{address}");
    let address = address["address_id"].as_i64().unwrap();
    let mut orders = Vec::new();
    for i in 0..3 {
        let (status, body) = post(
            "/api/orders/place",
            json!({"idempotency_key": format!("crash-key-{i}"), "address_id": address,
                   "items": [{"product_id": 14, "quantity": 1}]}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        orders.push(body["order_id"].as_i64().unwrap());
    }
    let (status, body) = post(
        "/api/orders/cancel",
        json!({"order_id": orders[0], "idempotency_key": "crash-cancel-0"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let db = app::db::Db::connect(&database).await.unwrap();
    eventually("the events are being sent", || async {
        receiver.seen.lock().unwrap().requests > 0
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(receiver.delivered_orders().is_empty());
    assert_eq!(
        outbox::stats(&db).await.unwrap().pending,
        4,
        "nothing delivered yet"
    );

    // Back up, with a platform that answers: every order and the cancel arrive.
    receiver.set_mode(Mode::Ok);
    let mut server = start_server(&database, port, &receiver);
    eventually("every order arrived after the restart", || async {
        receiver.delivered_orders().len() == orders.len()
            && receiver.delivered_cancels() == vec![orders[0]]
    })
    .await;
    eventually("the outbox is empty", || async {
        outbox::stats(&db).await.unwrap().pending == 0
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(receiver.delivered_orders(), sorted(orders));
}
