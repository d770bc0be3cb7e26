//! Checkout and orders: all or nothing, idempotent, never oversold.

use crate::helpers::{
    assert_error, fresh_database, post_concurrently, spawn_app, spawn_app_with, TestApp,
};
use crate::on_both_backends;
use app::{db::Backend, identity::UserId, points::store::ledger_sum};
use serde_json::{json, Value};
use server::config::Config;

on_both_backends!(
    an_order_from_the_cart_takes_stock_spends_points_and_keeps_a_snapshot,
    bad_orders_are_refused_with_the_field_named,
    every_problem_is_listed_and_nothing_changes,
    a_changed_price_is_refused_with_the_new_price,
    the_cart_must_still_be_what_was_seen,
    one_key_one_order,
    ten_concurrent_submissions_of_one_key_order_once,
    a_flash_sale_sells_exactly_the_stock,
    lines_in_opposite_orders_never_deadlock,
    a_failure_at_any_step_leaves_everything_as_it_was,
    orders_are_listed_newest_first_and_private,
);

pub(crate) async fn funded_shopper(app: &TestApp, login_id: &str, points: i64) -> i64 {
    let user_id = app.signup(login_id).await;
    let mut left = points;
    while left > 0 {
        let amount = left.min(1_000_000);
        let (status, body) = app
            .post_json("/api/points/charge", &json!({ "amount": amount }))
            .await;
        assert_eq!(status, 200, "{body}");
        left -= amount;
    }
    user_id
}

pub(crate) async fn product(app: &TestApp, id: i64) -> Value {
    let (status, body) = app.get_json(&format!("/api/products/get?id={id}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

pub(crate) async fn set_stock(app: &TestApp, id: i64, stock: i64) {
    sqlx::query("UPDATE variants SET stock = $1 WHERE product_id = $2")
        .bind(stock)
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
}

pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn place(app: &TestApp, body: Value) -> (u16, Value) {
    app.post_json("/api/orders/place", &body).await
}

/// Everything an order touches, to compare before and after.
async fn snapshot(app: &TestApp, user_id: i64) -> Value {
    let stocks: Vec<i64> = sqlx::query_scalar("SELECT stock FROM variants ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let cart: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT product_id, quantity FROM cart_items WHERE user_id = $1 ORDER BY product_id",
    )
    .bind(user_id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    json!({
        "stocks": stocks,
        "points": count(app, &format!("SELECT points FROM users WHERE id = {user_id}")).await,
        "cart": cart,
        "orders": count(app, "SELECT COUNT(*) FROM orders").await,
        "order_items": count(app, "SELECT COUNT(*) FROM order_items").await,
        "ledger": count(app, "SELECT COUNT(*) FROM point_ledger").await,
        "outbox": count(app, "SELECT COUNT(*) FROM outbox").await,
    })
}

pub(crate) async fn assert_ledger_matches(app: &TestApp, user_id: i64) {
    let sum = ledger_sum(&app.db, UserId(user_id)).await.unwrap();
    let points = count(
        app,
        &format!("SELECT points FROM users WHERE id = {user_id}"),
    )
    .await;
    assert_eq!(sum, points, "the ledger sums to the balance");
}

async fn an_order_from_the_cart_takes_stock_spends_points_and_keeps_a_snapshot(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "olive", 2_000_000).await;
    let address = app.add_address().await;
    let (p1, p2) = (product(&app, 25).await, product(&app, 26).await);
    for (id, quantity) in [(25, 2), (26, 1)] {
        let (status, body) = app
            .post_json(
                "/api/cart/add",
                &json!({"product_id": id, "quantity": quantity}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let total = 2 * p1["price"].as_i64().unwrap() + p2["price"].as_i64().unwrap();

    let (status, order) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "order-key-0001", "from_cart": true}),
    )
    .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["total"], total);
    assert_eq!(order["points_left"], 2_000_000 - total);
    assert!(order["ordered_at"].as_i64().unwrap() > 0);
    let items = order["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["product_id"], 25);
    assert_eq!(items[0]["name"], p1["name"]);
    assert_eq!(items[0]["unit_price"], p1["price"]);
    assert_eq!(items[0]["quantity"], 2);

    // Stock taken, cart emptied, points spent with a ledger row naming the order.
    assert_eq!(
        product(&app, 25).await["stock"],
        p1["stock"].as_i64().unwrap() - 2
    );
    assert_eq!(
        product(&app, 26).await["stock"],
        p2["stock"].as_i64().unwrap() - 1
    );
    let (_, cart) = app.get_json("/api/cart").await;
    assert_eq!(cart["lines"], json!([]));
    let (_, history) = app.get_json("/api/points/history").await;
    let latest = &history["items"][0];
    assert_eq!(latest["kind"], "use");
    assert_eq!(latest["amount"], -total);
    assert_eq!(latest["order_id"], order["order_id"]);
    assert_ledger_matches(&app, user_id).await;
    // The event for the data platform was written with the order.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox").await, 1);

    // A later price change does not touch the order's snapshot.
    for sql in [
        "UPDATE products SET price = price + 500, name = 'Renamed' WHERE id = 25",
        "UPDATE variants SET price = price + 500 WHERE product_id = 25",
    ] {
        sqlx::query(sql).execute(app.db.pool()).await.unwrap();
    }
    let id = order["order_id"].as_i64().unwrap();
    let (status, detail) = app.get_json(&format!("/api/orders/get?id={id}")).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["items"], order["items"]);
    assert_eq!(detail["total"], total);
    assert_eq!(detail["points_spent"], total);
    assert_eq!(detail["ordered_at"], order["ordered_at"]);
}

async fn bad_orders_are_refused_with_the_field_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let guest = app.visitor();
    let (status, body) = place(
        &guest,
        json!({"address_id": 1, "idempotency_key": "guest-key-01", "from_cart": true}),
    )
    .await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");

    let user_id = funded_shopper(&app, "bert", 1_000_000).await;
    let address = app.add_address().await;
    let before = snapshot(&app, user_id).await;
    let line = |id: i64, q: Value| json!({"product_id": id, "quantity": q});
    let many: Vec<Value> = (1..=101).map(|i| line(i, json!(1))).collect();
    for (body, status, code, field) in [
        (
            json!({"address_id": address, "items": [line(5, json!(1))]}),
            400,
            "BAD_REQUEST",
            "idempotency_key",
        ),
        (
            json!({"address_id": address, "idempotency_key": "short", "items": [line(5, json!(1))]}),
            400,
            "BAD_REQUEST",
            "idempotency_key",
        ),
        (
            json!({"address_id": address, "idempotency_key": "a key with spaces", "items": [line(5, json!(1))]}),
            400,
            "BAD_REQUEST",
            "idempotency_key",
        ),
        (
            json!({"address_id": address, "idempotency_key": "valid-key-01"}),
            400,
            "BAD_REQUEST",
            "items",
        ),
        (
            json!({"address_id": address, "idempotency_key": "valid-key-01", "items": []}),
            400,
            "BAD_REQUEST",
            "items",
        ),
        (
            json!({"address_id": address, "idempotency_key": "valid-key-01", "items": many}),
            400,
            "BAD_REQUEST",
            "items",
        ),
        (
            json!({"address_id": address, "idempotency_key": "valid-key-01", "items": [line(5, json!(1)), line(5, json!(2))]}),
            400,
            "BAD_REQUEST",
            "items",
        ),
        (
            json!({"address_id": address, "idempotency_key": "valid-key-01", "items": [line(5, json!(0))]}),
            400,
            "INVALID_QUANTITY",
            "quantity",
        ),
        (
            json!({"address_id": address, "idempotency_key": "valid-key-01", "items": [line(5, json!(100))]}),
            400,
            "INVALID_QUANTITY",
            "quantity",
        ),
        (
            json!({"address_id": address, "idempotency_key": "valid-key-01", "items": [line(5, json!(1.5))]}),
            400,
            "INVALID_QUANTITY",
            "quantity",
        ),
        (
            json!({"address_id": address, "idempotency_key": "valid-key-01", "items": [line(0, json!(1))]}),
            400,
            "BAD_REQUEST",
            "product_id",
        ),
        (
            json!({"address_id": address, "idempotency_key": "valid-key-01", "from_cart": true}),
            400,
            "BAD_REQUEST",
            "from_cart",
        ),
    ] {
        let (got, answer) = place(&app, body.clone()).await;
        assert_error(got, &answer, status, code);
        assert_eq!(answer["details"]["field"], field, "{body} -> {answer}");
    }
    let (status, body) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "valid-key-01", "items": [line(5, json!(1)), line(9999, json!(1))]}),
    )
    .await;
    assert_error(status, &body, 404, "PRODUCT_NOT_FOUND");
    assert_eq!(body["details"]["product_ids"], json!([9999]));
    assert_eq!(snapshot(&app, user_id).await, before, "nothing changed");
}

async fn every_problem_is_listed_and_nothing_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "carla", 1_000).await;
    let address = app.add_address().await;
    set_stock(&app, 5, 1).await;
    set_stock(&app, 11, 0).await;
    let price3 = product(&app, 20).await["price"].as_i64().unwrap();
    let before = snapshot(&app, user_id).await;

    let (status, body) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "problems-01", "items": [
            {"product_id": 5, "quantity": 3},
            {"product_id": 11, "quantity": 1},
            {"product_id": 20, "quantity": 1, "price": price3 + 1},
        ]}),
    )
    .await;
    assert_error(status, &body, 409, "INSUFFICIENT_STOCK");
    let problems = body["details"]["problems"].as_array().unwrap();
    let codes: Vec<&str> = problems
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec![
            "INSUFFICIENT_STOCK",
            "INSUFFICIENT_STOCK",
            "INSUFFICIENT_POINTS",
            "PRICE_CHANGED"
        ]
    );
    assert_eq!(problems[0]["product_id"], 5);
    assert_eq!(problems[0]["requested"], 3);
    assert_eq!(problems[0]["left"], 1);
    assert_eq!(problems[1]["left"], 0);
    assert_eq!(problems[2]["points"], 1_000);
    assert!(problems[2]["shortfall"].as_i64().unwrap() > 0);
    assert_eq!(problems[3]["price"], price3);
    assert_eq!(snapshot(&app, user_id).await, before, "nothing changed");

    // Points alone: the top code is the points one.
    let (status, body) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "problems-02", "items": [{"product_id": 20, "quantity": 1}]}),
    )
    .await;
    assert_error(status, &body, 409, "INSUFFICIENT_POINTS");
    assert_eq!(body["details"]["problems"][0]["shortfall"], price3 - 1_000);
    assert_eq!(snapshot(&app, user_id).await, before, "nothing changed");
}

async fn a_changed_price_is_refused_with_the_new_price(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "dora", 1_000_000).await;
    let address = app.add_address().await;
    let price = product(&app, 17).await["price"].as_i64().unwrap();
    for sql in [
        "UPDATE products SET price = price + 1000 WHERE id = 17",
        "UPDATE variants SET price = price + 1000 WHERE product_id = 17",
    ] {
        sqlx::query(sql).execute(app.db.pool()).await.unwrap();
    }
    let before = snapshot(&app, user_id).await;
    let (status, body) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "price-key-01", "items": [{"product_id": 17, "quantity": 1, "price": price}]}),
    )
    .await;
    assert_error(status, &body, 409, "PRICE_CHANGED");
    let problem = &body["details"]["problems"][0];
    assert_eq!(problem["sent"], price);
    assert_eq!(problem["price"], price + 1000);
    assert_eq!(snapshot(&app, user_id).await, before, "nothing was charged");
    // The failed attempt left its key free: the same key orders at today's price.
    let (status, body) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "price-key-01", "items": [{"product_id": 17, "quantity": 1, "price": price + 1000}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["total"], price + 1000);
}

async fn the_cart_must_still_be_what_was_seen(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "emil", 1_000_000).await;
    let address = app.add_address().await;
    app.post_json("/api/cart/add", &json!({"product_id": 5, "quantity": 2}))
        .await;
    let price = product(&app, 5).await["price"].as_i64().unwrap();
    let seen = json!([{"product_id": 5, "quantity": 1, "price": price}]);
    let before = snapshot(&app, user_id).await;
    let (status, body) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "seen-key-0001", "from_cart": true, "items": seen}),
    )
    .await;
    assert_error(status, &body, 409, "CART_CHANGED");
    assert_eq!(snapshot(&app, user_id).await, before);
    let seen = json!([{"product_id": 5, "quantity": 2, "price": price}]);
    let (status, body) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "seen-key-0001", "from_cart": true, "items": seen}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (_, cart) = app.get_json("/api/cart").await;
    assert_eq!(cart["lines"], json!([]));
}

async fn one_key_one_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "fran", 1_000_000).await;
    let address = app.add_address().await;
    let body = json!({"address_id": address, "idempotency_key": "same-key-0001", "items": [{"product_id": 14, "quantity": 1}]});
    let (status, first) = place(&app, body.clone()).await;
    assert_eq!(status, 201, "{first}");
    let after_first = snapshot(&app, user_id).await;
    // The same key and payload: the first answer again, nothing new.
    let (status, again) = place(&app, body).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again, first);
    // A form body with the same lines is the same payload.
    let (status, as_form) = app
        .post_form_json(
            "/api/orders/place",
            &[
                ("idempotency_key", "same-key-0001"),
                ("address_id", &address.to_string()),
                ("items[0][product_id]", "14"),
                ("items[0][quantity]", "1"),
            ],
        )
        .await;
    assert_eq!(status, 201, "{as_form}");
    assert_eq!(as_form, first);
    assert_eq!(snapshot(&app, user_id).await, after_first);
    // Another payload under that key: refused.
    let (status, body) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "same-key-0001", "items": [{"product_id": 14, "quantity": 2}]}),
    )
    .await;
    assert_error(status, &body, 422, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(snapshot(&app, user_id).await, after_first);
    // Keys are per user: someone else's order under the same key is theirs.
    let other = app.visitor();
    funded_shopper(&other, "gus", 1_000_000).await;
    let gus_address = other.add_address().await;
    let (status, theirs) = place(
        &other,
        json!({"address_id": gus_address, "idempotency_key": "same-key-0001", "items": [{"product_id": 14, "quantity": 1}]}),
    )
    .await;
    assert_eq!(status, 201, "{theirs}");
    assert_ne!(theirs["order_id"], first["order_id"]);
    // An expired key is a new key.
    sqlx::query("UPDATE idempotency_keys SET created_at = created_at - 86400001")
        .execute(app.db.pool())
        .await
        .unwrap();
    let (status, later) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "same-key-0001", "items": [{"product_id": 14, "quantity": 2}]}),
    )
    .await;
    assert_eq!(status, 201, "{later}");
    assert_ne!(later["order_id"], first["order_id"]);
    assert_eq!(
        app::orders::idempotency::delete_expired(&app.db)
            .await
            .unwrap(),
        1,
        "gus's expired key is cleaned up; the renewed one stays"
    );
}

/// A checkout takes the stock last: a variant sold while its order is
/// being written undoes the whole order (409 with what is left) and frees
/// its key. Only PostgreSQL lets another writer in between (SQLite's
/// write transactions run one at a time): a transaction of the test's
/// holds the variant's row while the order waits to take it, then sells it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_variant_sold_while_its_order_is_written_undoes_the_order() {
    let app = spawn_app(Backend::Postgres).await;
    let user_id = funded_shopper(&app, "yuna", 1_000_000).await;
    let address = app.add_address().await;
    set_stock(&app, 17, 1).await;
    let before = snapshot(&app, user_id).await;
    let body = json!({"address_id": address, "idempotency_key": "sold-meanwhile-1", "items": [{"product_id": 17, "quantity": 1}]});

    // Held as the stock rule holds it (not against the order's foreign keys).
    let mut seller = app.db.pool().begin().await.unwrap();
    sqlx::query("SELECT id FROM variants WHERE product_id = 17 FOR NO KEY UPDATE")
        .fetch_all(&mut *seller)
        .await
        .unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    let order = async {
        let answer = place(&app, body.clone()).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        answer
    };
    let sell = async {
        // The order has checked the stock (1), written itself and waits
        // to take the variant's stock.
        loop {
            assert!(
                !done.load(std::sync::atomic::Ordering::SeqCst),
                "the order did not wait for the variant"
            );
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND wait_event_type = 'Lock' AND query LIKE '%UPDATE variants SET stock%'",
            )
            .fetch_one(app.db.pool())
            .await
            .unwrap();
            if waiting > 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        sqlx::query("UPDATE variants SET stock = 0 WHERE product_id = 17")
            .execute(&mut *seller)
            .await
            .unwrap();
        seller.commit().await.unwrap();
    };
    let ((status, refused), ()) = tokio::join!(order, sell);
    assert_error(status, &refused, 409, "INSUFFICIENT_STOCK");
    let problems = refused["details"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{refused}");
    assert_eq!(problems[0]["product_id"], 17);
    assert_eq!(problems[0]["left"], 0);
    // Nothing of it is kept but the stock the other sale took.
    set_stock(&app, 17, 1).await;
    assert_eq!(snapshot(&app, user_id).await, before);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM idempotency_keys WHERE key = 'sold-meanwhile-1'"
        )
        .await,
        0
    );
    // The key is free: the same order goes through once there is stock.
    let (status, placed) = place(&app, body).await;
    assert_eq!(status, 201, "{placed}");
    assert_ledger_matches(&app, user_id).await;
}

async fn ten_concurrent_submissions_of_one_key_order_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "hana", 1_000_000).await;
    let address = app.add_address().await;
    let price = product(&app, 17).await["price"].as_i64().unwrap();
    let body = json!({"address_id": address, "idempotency_key": "double-click-01", "items": [{"product_id": 17, "quantity": 1}]});
    let answers = post_concurrently(
        (0..10)
            .map(|_| app.post_request("/api/orders/place", body.clone()))
            .collect(),
    )
    .await;
    // The key is claimed in the order's own transaction: a second request
    // waits for the first's and replays its answer (no "in progress").
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
        assert_eq!(body["order_id"], answers[0].1["order_id"], "one order");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders").await, 1);
    let points = count(
        &app,
        &format!("SELECT points FROM users WHERE id = {user_id}"),
    )
    .await;
    assert_eq!(points, 1_000_000 - price, "one charge");
    assert_ledger_matches(&app, user_id).await;
}

/// Dozens of buyers want more than the stock at once, on one app or (on
/// Postgres) two apps sharing the database.
async fn a_flash_sale_sells_exactly_the_stock(backend: Backend) {
    let database = fresh_database(backend).await;
    let first = spawn_app_with(Config::for_tests(database.clone())).await;
    let second = match backend {
        Backend::Postgres => spawn_app_with(Config::for_tests(database)).await,
        Backend::Sqlite => first.visitor(),
    };
    const STOCK: i64 = 10;
    const BUYERS: usize = 30;
    set_stock(&first, 33, STOCK).await;
    let price = product(&first, 33).await["price"].as_i64().unwrap();
    let mut buyers = Vec::new();
    for i in 0..BUYERS {
        let app = if i % 2 == 0 {
            first.visitor()
        } else {
            second.visitor()
        };
        let user_id = funded_shopper(&app, &format!("buyer{i}"), 2 * price).await;
        let address = app.add_address().await;
        buyers.push((app, user_id, address));
    }
    let requests = buyers
        .iter()
        .enumerate()
        .map(|(i, (app, _, address))| {
            app.post_request(
                "/api/orders/place",
                json!({"address_id": address, "idempotency_key": format!("flash-sale-{i:04}"), "items": [{"product_id": 33, "quantity": 1}]}),
            )
        })
        .collect();
    let answers = post_concurrently(requests).await;
    let sold = answers.iter().filter(|(s, _)| *s == 201).count() as i64;
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_error(*status, body, 409, "INSUFFICIENT_STOCK");
    }
    assert_eq!(sold, STOCK, "exactly the stock was sold: {answers:?}");
    assert_eq!(product(&first, 33).await["stock"], 0);
    for ((_, user_id, _), (status, _)) in buyers.iter().zip(&answers) {
        let bought = i64::from(*status == 201);
        let points = count(
            &first,
            &format!("SELECT points FROM users WHERE id = {user_id}"),
        )
        .await;
        assert_eq!(points, 2 * price - bought * price, "buyer {user_id}");
        assert_ledger_matches(&first, *user_id).await;
    }
    let units: i64 = count(
        &first,
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_items",
    )
    .await;
    assert_eq!(units, STOCK);
}

async fn lines_in_opposite_orders_never_deadlock(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut shoppers = Vec::new();
    for i in 0..12 {
        let visitor = app.visitor();
        funded_shopper(&visitor, &format!("twin{i}"), 1_000_000).await;
        let address = visitor.add_address().await;
        shoppers.push((visitor, address));
    }
    set_stock(&app, 15, 1000).await;
    set_stock(&app, 10, 1000).await;
    let requests = shoppers
        .iter()
        .enumerate()
        .map(|(i, (s, address))| {
            let lines = if i % 2 == 0 {
                json!([{"product_id": 15, "quantity": 1}, {"product_id": 10, "quantity": 1}])
            } else {
                json!([{"product_id": 10, "quantity": 1}, {"product_id": 15, "quantity": 1}])
            };
            s.post_request(
                "/api/orders/place",
                json!({"address_id": address, "idempotency_key": format!("opposite-{i:04}"), "items": lines}),
            )
        })
        .collect();
    let answers = post_concurrently(requests).await;
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
    }
    assert_eq!(product(&app, 15).await["stock"], 1000 - 12);
    assert_eq!(product(&app, 10).await["stock"], 1000 - 12);
}

/// A statement that fails when `table` is written (`event`: INSERT,
/// UPDATE or DELETE), standing in for a crash at that step.
///
/// SQLite: `IF NOT EXISTS` and `IF EXISTS` make the statement check the
/// schema when it runs. Without them a pooled connection that last read
/// the schema while the previous trigger existed refuses at once ("trigger
/// injected_failure already exists"), before it notices that another
/// connection dropped it.
pub(crate) async fn inject_failure(app: &TestApp, backend: Backend, table: &str, event: &str) {
    let sql = match backend {
        Backend::Sqlite => format!(
            "CREATE TRIGGER IF NOT EXISTS injected_failure BEFORE {event} ON {table} \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        ),
        Backend::Postgres => format!(
            "CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER injected_failure BEFORE {event} ON {table} \
             FOR EACH ROW EXECUTE FUNCTION injected_failure()"
        ),
    };
    sqlx::raw_sql(&sql).execute(app.db.pool()).await.unwrap();
}

pub(crate) async fn remove_failure(app: &TestApp, backend: Backend, table: &str) {
    let sql = match backend {
        Backend::Sqlite => "DROP TRIGGER IF EXISTS injected_failure".to_string(),
        Backend::Postgres => format!("DROP TRIGGER injected_failure ON {table}"),
    };
    sqlx::raw_sql(&sql).execute(app.db.pool()).await.unwrap();
}

async fn a_failure_at_any_step_leaves_everything_as_it_was(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "ivan", 1_000_000).await;
    let address = app.add_address().await;
    for id in [11, 12] {
        app.post_json("/api/cart/add", &json!({"product_id": id, "quantity": 1}))
            .await;
    }
    let before = snapshot(&app, user_id).await;
    for (table, event) in [
        ("variants", "UPDATE"),
        ("orders", "INSERT"),
        ("order_items", "INSERT"),
        ("point_ledger", "INSERT"),
        ("cart_items", "DELETE"),
        ("outbox", "INSERT"),
        ("idempotency_keys", "UPDATE"),
    ] {
        inject_failure(&app, backend, table, event).await;
        let (status, body) = place(
            &app,
            json!({"address_id": address, "idempotency_key": "crash-key-0001", "from_cart": true}),
        )
        .await;
        remove_failure(&app, backend, table).await;
        assert_error(status, &body, 500, "INTERNAL");
        assert_eq!(
            snapshot(&app, user_id).await,
            before,
            "failure at {event} {table}"
        );
    }
    // Nothing was left half-done, the key included: the order now goes through.
    let (status, body) = place(
        &app,
        json!({"address_id": address, "idempotency_key": "crash-key-0001", "from_cart": true}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_ledger_matches(&app, user_id).await;
}

async fn orders_are_listed_newest_first_and_private(backend: Backend) {
    let app = spawn_app(backend).await;
    funded_shopper(&app, "jade", 1_000_000).await;
    let address = app.add_address().await;
    let mut ids = Vec::new();
    for (i, id) in [13, 14, 16].into_iter().enumerate() {
        let (status, body) = place(
            &app,
            json!({"address_id": address, "idempotency_key": format!("list-key-{i:04}"), "items": [{"product_id": id, "quantity": 1}]}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["order_id"].as_i64().unwrap());
    }
    let (status, page) = app.get_json("/api/orders?per_page=2").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 3);
    let listed: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![ids[2], ids[1]]);
    assert_eq!(page["items"][0]["item_count"], 1);

    let stranger = app.visitor();
    stranger.signup("kim").await;
    let (status, body) = stranger
        .get_json(&format!("/api/orders/get?id={}", ids[0]))
        .await;
    assert_error(status, &body, 404, "ORDER_NOT_FOUND");
    let (_, theirs) = stranger.get_json("/api/orders").await;
    assert_eq!(theirs["total"], 0);
    for bad in ["0", "x", "99999"] {
        let (status, body) = app.get_json(&format!("/api/orders/get?id={bad}")).await;
        assert_error(status, &body, 404, "ORDER_NOT_FOUND");
    }
    let (status, body) = app.visitor().get_json("/api/orders").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    // The pages: mine renders, someone else's is a 404 page.
    assert_eq!(app.get(&format!("/orders/{}", ids[0])).await.status(), 200);
    assert_eq!(app.get("/orders").await.status(), 200);
    assert_eq!(
        stranger.get(&format!("/orders/{}", ids[0])).await.status(),
        404
    );
}
