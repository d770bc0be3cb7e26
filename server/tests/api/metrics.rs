//! `/metrics` on an address of its own (`METRICS_ADDR`): the series say what
//! the test did, `promtool check metrics` accepts them, and a real
//! Prometheus scrapes them. The server binary is a process of its own, so
//! its counters hold this test's doings only.

use crate::{
    helpers::{fresh_database, insert_product, visitor_of},
    platform::{eventually, Mode, Receiver},
    shutdown::{exited, free_port, running, sigterm},
};
use app::db::{Backend, Db};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    io::Write,
    process::{Command, Stdio},
};

/// Each series of the text format (`name{labels}`) with its value.
fn series(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, value) = l.rsplit_once(' ').unwrap();
            (name.to_string(), value.parse().unwrap())
        })
        .collect()
}

/// A tool of the Prometheus package, which `make test` installs.
fn tool(name: &str) -> Command {
    let found = Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    assert!(
        found.is_ok_and(|s| s.success()),
        "{name} is missing: run the tests with `make test` (scripts/setup.sh --test installs it)"
    );
    Command::new(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_what_happened_and_prometheus_scrapes_them() {
    let receiver = Receiver::start(Mode::Ok).await;
    let database = fresh_database(Backend::Sqlite).await;
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let (server, said, port) = running(
        &database,
        &receiver,
        &[
            ("METRICS_ADDR", &metrics_addr),
            ("PAGE_CACHE_MS", "1000"),
            ("RUST_LOG", "warn"),
        ],
    )
    .await;
    let base = format!("http://127.0.0.1:{port}");
    let db = Db::connect(&database).await.unwrap();
    let client = crate::helpers::new_client();
    let scrape = || {
        let (client, url) = (client.clone(), format!("http://{metrics_addr}/metrics"));
        async move {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            assert!(response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4"));
            response.text().await.unwrap()
        }
    };
    // Never on the shop's own address.
    let (status, _) = visitor_of(base.clone(), db.clone())
        .get_json("/metrics")
        .await;
    assert_eq!(status, 404);

    let product = insert_product(&db, "METRIC-1", "Metric Mule", "Brand", 1_000, 1_000).await;
    let shopper = visitor_of(base.clone(), db.clone());
    shopper.signup("counted").await;
    let (status, _) = shopper
        .post_json("/api/points/charge", &json!({"amount": 100_000}))
        .await;
    assert_eq!(status, 200);
    let address = shopper.add_address().await;
    let order = |key: &str, quantity: i64| {
        let shopper = &shopper;
        let body = json!({"idempotency_key": key, "address_id": address,
                          "items": [{"product_id": product, "quantity": quantity}]});
        async move { shopper.post_json("/api/orders/place", &body).await }
    };
    let mut placed = Vec::new();
    for key in ["metric-key-0001", "metric-key-0002", "metric-key-0003"] {
        let (status, body) = order(key, 1).await;
        assert_eq!(status, 201, "{body}");
        placed.push(body["order_id"].as_i64().unwrap());
    }
    // A replay is not a new order; too dear is refused.
    let (status, _) = order("metric-key-0003", 1).await;
    assert_eq!(status, 201);
    let (status, body) = order("metric-key-0004", 99).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "INSUFFICIENT_POINTS");
    let (status, body) = shopper
        .post_json(
            "/api/orders/cancel",
            &json!({"order_id": placed[0], "idempotency_key": "metric-cancel-01",
                    "reason": "changed my mind"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // A guest's page twice: rendered, then from the page cache.
    let guest = visitor_of(base.clone(), db.clone());
    for _ in 0..2 {
        assert_eq!(
            guest.get(&format!("/products/{product}")).await.status(),
            200
        );
    }
    assert_eq!(guest.get("/products/999999").await.status(), 404);
    // A method of the client's own is counted as `other`, not by its name.
    let brewed = guest
        .client
        .request(
            reqwest::Method::from_bytes(b"BREW").unwrap(),
            guest.url("/healthz"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(brewed.status(), 405);
    eventually("the events are delivered", || async {
        receiver.delivered_orders().len() == 3 && receiver.delivered_cancels() == vec![placed[0]]
    })
    .await;

    let text = scrape().await;
    let found = series(&text);
    let value = |name: &str| {
        *found
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
    };
    assert_eq!(value("shop_orders_placed_total"), 3.0);
    assert_eq!(value(r#"shop_orders_cancelled_total{by="shopper"}"#), 1.0);
    assert_eq!(
        value(r#"shop_checkouts_refused_total{code="INSUFFICIENT_POINTS"}"#),
        1.0
    );
    assert_eq!(value(r#"shop_stock_movements{reason="sale"}"#), 3.0);
    assert_eq!(value(r#"shop_stock_movements{reason="cancel"}"#), 1.0);
    assert_eq!(value("shop_outbox_pending"), 0.0);
    assert_eq!(value("shop_outbox_delivered_total"), 4.0);
    assert_eq!(value("shop_sessions"), 1.0);
    // Each of the guest's two product pages was rendered or served from
    // the cache (which, depends on the clock: the cache keeps a page 1 s).
    assert_eq!(
        value("shop_page_cache_hits_total") + value("shop_page_cache_misses_total"),
        2.0
    );
    assert_eq!(
        value(r#"http_requests_total{route="/products/{id}",method="GET",status="2xx"}"#),
        2.0
    );
    assert_eq!(
        value(r#"http_requests_total{route="/products/{id}",method="GET",status="4xx"}"#),
        1.0
    );
    assert_eq!(
        value(r#"http_requests_total{route="/api/orders/place",method="POST",status="2xx"}"#),
        4.0
    );
    assert!(
        value(r#"http_request_duration_seconds_count{route="/api/orders/place",method="POST"}"#)
            >= 5.0
    );
    assert!(value(r#"shop_db_pool_connections{pool="write"}"#) >= 1.0);
    assert_eq!(
        value(r#"http_requests_total{route="/healthz",method="other",status="4xx"}"#),
        1.0
    );
    assert!(!text.contains("BREW"));
    assert!(
        !text.contains("/products/999999") && !text.contains(&format!("/products/{product}\""))
    );

    // promtool accepts the format (names, help, types, units).
    let mut check = tool("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let checked = check.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    // A real Prometheus scrapes it every second; its query answers what the
    // test did.
    let dir = std::env::temp_dir().join(format!(
        "storefront-tests/prometheus-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: shop\n    static_configs:\n      - targets: ['{metrics_addr}']\n"
        ),
    )
    .unwrap();
    let prometheus_port = free_port();
    let mut prometheus = tool("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{prometheus_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let query = |q: &'static str| {
        let client = client.clone();
        async move {
            let response = client
                .get(format!("http://127.0.0.1:{prometheus_port}/api/v1/query"))
                .query(&[("query", q)])
                .send()
                .await
                .ok()?;
            let body: Value = response.json().await.ok()?;
            body["data"]["result"][0]["value"][1]
                .as_str()
                .map(str::to_string)
        }
    };
    eventually("Prometheus has scraped the shop", || async {
        query("shop_orders_placed_total").await.is_some()
    })
    .await;
    let up = query("up").await;
    let placed_seen = query("shop_orders_placed_total").await;
    let refused = query(r#"shop_checkouts_refused_total{code="INSUFFICIENT_POINTS"}"#).await;
    let _ = prometheus.kill();
    let _ = prometheus.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(up.as_deref(), Some("1"));
    assert_eq!(placed_seen.as_deref(), Some("3"));
    assert_eq!(refused.as_deref(), Some("1"));

    sigterm(&server);
    let status = exited(server, &said).await;
    assert!(status.success(), "{}", said.lock().unwrap());
}
