//! An order's life after checkout: shipped by staff, cancelled by its
//! shopper or staff in one all-or-nothing transaction (stock back, points
//! back, the `order.cancelled` event, the audit row), once however many
//! try at the same time; and the staff's orders, customers and platform.

use crate::{
    helpers::{
        assert_error, fresh_database, post_concurrently, spawn_app, spawn_app_with, TestApp,
    },
    on_both_backends,
    orders::{
        assert_ledger_matches, count, funded_shopper, inject_failure, product, remove_failure,
    },
};
use app::{db::Backend, staff::Role};
use serde_json::{json, Value};
use server::config::Config;

on_both_backends!(
    a_shopper_cancels_and_gets_everything_back,
    who_may_ship_and_cancel_what,
    twenty_concurrent_cancels_cancel_once,
    cancels_racing_a_flash_sale_never_oversell,
    a_failure_at_any_step_of_a_cancel_leaves_everything_as_it_was,
    a_refund_is_never_refused_by_the_balance_cap,
    staff_adjust_a_balance_with_a_reason,
    staff_find_orders_by_status_day_customer_and_product,
    staff_see_the_platform_and_send_an_event_again,
);

/// Sets the stock of a product without options (its one variant) through
/// the one stock rule (a `correction` movement), so the stock stays the
/// sum of its movements.
async fn set_stock(app: &TestApp, id: i64, stock: i64) {
    use app::catalog::{store, AdjustCause, MovementReason, VariantId};
    let read = product(app, id).await;
    let before = read["stock"].as_i64().unwrap();
    let variant = VariantId(read["variants"][0]["variant_id"].as_i64().unwrap());
    let mut tx = app.db.begin_write().await.unwrap();
    let movement = store::Movement {
        reason: MovementReason::Adjustment,
        cause: Some(AdjustCause::Correction),
        order_id: None,
        staff: None,
        note: "test set-up",
    };
    store::change_stock(&mut tx, variant, stock - before, movement)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
}

/// Places an order of `lines` (`(product, quantity)`) as `app`'s shopper,
/// to their default address.
async fn buy(app: &TestApp, key: &str, lines: &[(i64, i64)]) -> Value {
    let items: Vec<Value> = lines
        .iter()
        .map(|(p, q)| json!({"product_id": p, "quantity": q}))
        .collect();
    let address = app.default_address().await;
    let (status, body) = app
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": key, "address_id": address, "items": items}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn cancel(app: &TestApp, order_id: i64, key: &str) -> (u16, Value) {
    app.post_json(
        "/api/orders/cancel",
        &json!({"order_id": order_id, "idempotency_key": key, "reason": "changed my mind"}),
    )
    .await
}

/// Every product's stock equals the sum of its movements, and every
/// user's balance the sum of their ledger.
async fn assert_books_balance(app: &TestApp) {
    let stock_off: i64 = count(
        app,
        "SELECT COUNT(*) FROM variants v WHERE v.stock <> \
         (SELECT COALESCE(SUM(m.delta), 0) FROM stock_movements m WHERE m.variant_id = v.id)",
    )
    .await;
    assert_eq!(
        stock_off, 0,
        "a variant's stock is the sum of its movements"
    );
    let points_off: i64 = count(
        app,
        "SELECT COUNT(*) FROM users u WHERE u.points <> \
         (SELECT COALESCE(SUM(l.amount), 0) FROM point_ledger l WHERE l.user_id = u.id)",
    )
    .await;
    assert_eq!(points_off, 0, "a balance is the sum of its ledger");
}

async fn a_shopper_cancels_and_gets_everything_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "canceller", 1_000_000).await;
    let stock = |id| {
        let app = &app;
        async move { product(app, id).await["stock"].as_i64().unwrap() }
    };
    set_stock(&app, 20, 10).await;
    set_stock(&app, 22, 10).await;
    let (before_20, before_22) = (stock(20).await, stock(22).await);
    let placed = buy(&app, "cancel-buy-0001", &[(20, 2), (22, 1)]).await;
    assert_eq!(placed["status"], "placed");
    assert!(placed.get("status_at").is_none(), "{placed}");
    let order_id = placed["order_id"].as_i64().unwrap();
    let total = placed["total"].as_i64().unwrap();

    let (status, cancelled) = cancel(&app, order_id, "cancel-key-0001").await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["status_by"], "shopper");
    assert_eq!(cancelled["reason"], "changed my mind");
    assert!(cancelled["status_at"].as_i64().unwrap() >= placed["ordered_at"].as_i64().unwrap());
    assert_eq!(cancelled["refunded"], total);
    assert_eq!(cancelled["order_id"], order_id);
    assert_eq!(cancelled["items"].as_array().unwrap().len(), 2);

    // Stock, points, movements, ledger and the event.
    assert_eq!((stock(20).await, stock(22).await), (before_20, before_22));
    let (_, points) = app.get_json("/api/points").await;
    assert_eq!(points["points"], 1_000_000);
    let movements: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT product_id, delta FROM stock_movements WHERE reason = 'cancel' AND order_id = $1 \
         ORDER BY product_id",
    )
    .bind(order_id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(movements, vec![(20, 2), (22, 1)]);
    let (_, history) = app.get_json("/api/points/history").await;
    assert_eq!(history["items"][0]["kind"], "refund");
    assert_eq!(history["items"][0]["amount"], total);
    assert_eq!(history["items"][0]["order_id"], order_id);
    let events: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM outbox WHERE kind = 'order.cancelled'")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(events.len(), 1);
    let event: Value = serde_json::from_str(&events[0]).unwrap();
    assert_eq!(event["type"], "order.cancelled");
    assert_eq!(event["order_id"], order_id);
    assert_eq!(event["ordered_at"], placed["ordered_at"]);
    assert_eq!(event["items"].as_array().unwrap().len(), 2);
    assert!(event["event_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_ledger_matches(&app, user_id).await;
    assert_books_balance(&app).await;

    // Every answer shows it: the order, the list.
    let (_, order) = app
        .get_json(&format!("/api/orders/get?id={order_id}"))
        .await;
    assert_eq!(order["status"], "cancelled");
    assert_eq!(order["status_by"], "shopper");
    let (_, list) = app.get_json("/api/orders").await;
    assert_eq!(list["items"][0]["status"], "cancelled");
    assert_eq!(list["items"][0]["reason"], "changed my mind");

    // The same key replays the first answer; another key is refused; the
    // key cannot be used for another order.
    let (status, replay) = cancel(&app, order_id, "cancel-key-0001").await;
    assert_eq!(status, 200);
    assert_eq!(replay, cancelled);
    let (status, body) = cancel(&app, order_id, "cancel-key-0002").await;
    assert_error(status, &body, 409, "ORDER_NOT_CANCELLABLE");
    assert_eq!(body["details"]["status"], "cancelled");
    set_stock(&app, 5, 10).await;
    let other = buy(&app, "cancel-buy-0002", &[(5, 1)]).await;
    let (status, body) = cancel(&app, other["order_id"].as_i64().unwrap(), "cancel-key-0001").await;
    assert_error(status, &body, 422, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM point_ledger WHERE kind = 'refund'"
        )
        .await,
        1
    );
}

async fn who_may_ship_and_cancel_what(backend: Backend) {
    let app = spawn_app(backend).await;
    funded_shopper(&app, "owner", 1_000_000).await;
    set_stock(&app, 25, 10).await;
    set_stock(&app, 26, 10).await;
    let first = buy(&app, "who-buy-0001", &[(25, 1)]).await["order_id"]
        .as_i64()
        .unwrap();
    let second = buy(&app, "who-buy-0002", &[(26, 1)]).await["order_id"]
        .as_i64()
        .unwrap();

    let stranger = app.visitor();
    funded_shopper(&stranger, "stranger", 10).await;
    let (status, body) = cancel(&stranger, first, "who-key-0001").await;
    assert_error(status, &body, 404, "ORDER_NOT_FOUND");
    let (status, body) = cancel(&app.visitor(), first, "who-key-0002").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    let (status, body) = cancel(&app, 999_999, "who-key-0003").await;
    assert_error(status, &body, 404, "ORDER_NOT_FOUND");
    let (status, body) = app
        .post_json(
            "/api/orders/cancel",
            &json!({"order_id": first, "idempotency_key": "x"}),
        )
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    let (status, body) = app
        .post_json(
            "/api/orders/cancel",
            &json!({"order_id": first, "idempotency_key": "who-key-0004", "reason": "a\u{0}b"}),
        )
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["field"], "reason");

    // A shopper cannot ship; staff with `orders` can, once.
    let parcel = |order_id: i64| json!({"order_id": order_id, "carrier": "cj", "tracking_number": "1234-5678-9012"});
    let (status, body) = app
        .post_json("/api/admin/orders/ship", &parcel(first))
        .await;
    assert_error(status, &body, 403, "FORBIDDEN");
    let catalog = app.staff("who_catalog", Role::CatalogManager).await;
    let (status, body) = catalog
        .post_json("/api/admin/orders/ship", &parcel(first))
        .await;
    assert_error(status, &body, 403, "FORBIDDEN");
    let staff = app.staff("who_orders", Role::OrderManager).await;
    let (status, shipped) = staff
        .post_json("/api/admin/orders/ship", &parcel(first))
        .await;
    assert_eq!(status, 200, "{shipped}");
    assert_eq!(shipped["status"], "shipped");
    assert_eq!(shipped["status_by"], "who_orders");
    assert_eq!(shipped["shipment"]["carrier"], "cj");
    assert_eq!(shipped["shipment"]["tracking_number"], "123456789012");
    let (status, body) = staff
        .post_json("/api/admin/orders/ship", &parcel(first))
        .await;
    assert_error(status, &body, 409, "ORDER_NOT_FULFILLABLE");
    assert_eq!(body["details"]["status"], "shipped");
    let (status, body) = staff
        .post_json("/api/admin/orders/ship", &parcel(999_999))
        .await;
    assert_error(status, &body, 404, "ORDER_NOT_FOUND");

    // A shipped order cannot be cancelled, by anyone.
    let (status, body) = cancel(&app, first, "who-key-0005").await;
    assert_error(status, &body, 409, "ORDER_NOT_CANCELLABLE");
    assert_eq!(body["details"]["status"], "shipped");
    let (_, order) = app.get_json(&format!("/api/orders/get?id={first}")).await;
    assert_eq!(order["status"], "shipped");
    assert_eq!(order["status_by"], "who_orders");

    // Staff cancel any placed order, with a reason they must give.
    let staff_cancel = |order_id: i64, key: &'static str, reason: &'static str| {
        let staff = &staff;
        async move {
            staff
                .post_json(
                    "/api/admin/orders/cancel",
                    &json!({"order_id": order_id, "idempotency_key": key, "reason": reason}),
                )
                .await
        }
    };
    let (status, body) = staff_cancel(second, "who-staff-0001", "  ").await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["field"], "reason");
    let (status, body) =
        staff_cancel(second, "who-staff-0002", "out of stock at the warehouse").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status_by"], "who_orders");
    let (_, order) = app.get_json(&format!("/api/orders/get?id={second}")).await;
    assert_eq!(order["status"], "cancelled");
    assert_eq!(order["reason"], "out of stock at the warehouse");
    // Each staff action is in the audit log; the shopper's own is on the order.
    let audit: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, target FROM audit_log WHERE kind LIKE 'order.%' ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        audit,
        vec![
            ("order.shipped".to_string(), format!("order:{first}")),
            ("order.cancelled".to_string(), format!("order:{second}")),
        ]
    );
}

async fn twenty_concurrent_cancels_cancel_once(backend: Backend) {
    let database = fresh_database(backend).await;
    let first = spawn_app_with(Config::for_tests(database.clone())).await;
    let second = match backend {
        Backend::Postgres => spawn_app_with(Config::for_tests(database)).await,
        Backend::Sqlite => first.visitor(),
    };
    let user_id = funded_shopper(&first, "racer", 1_000_000).await;
    set_stock(&first, 14, 50).await;
    set_stock(&first, 17, 50).await;
    let placed = buy(&first, "race-buy-0001", &[(14, 3), (17, 2)]).await;
    let order_id = placed["order_id"].as_i64().unwrap();
    let staff = first.staff("race_staff", Role::OrderManager).await;
    // Ten from the shopper, ten from staff, half on each instance, each
    // with its own key.
    let requests = (0..20)
        .map(|i| {
            let instance = if i % 2 == 0 { &first } else { &second };
            if i < 10 {
                instance.with_client(first.client.clone()).post_request(
                    "/api/orders/cancel",
                    json!({"order_id": order_id, "idempotency_key": format!("race-shopper-{i:04}")}),
                )
            } else {
                instance.with_client(staff.client.clone()).post_request(
                    "/api/admin/orders/cancel",
                    json!({"order_id": order_id, "idempotency_key": format!("race-staff-{i:04}"), "reason": "race"}),
                )
            }
        })
        .collect();
    let answers = post_concurrently(requests).await;
    let done: Vec<_> = answers.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(done.len(), 1, "exactly one cancel did it: {answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_error(*status, body, 409, "ORDER_NOT_CANCELLABLE");
        assert_eq!(body["details"]["status"], "cancelled");
    }
    for (sql, expected) in [
        ("SELECT COUNT(*) FROM point_ledger WHERE kind = 'refund'", 1),
        (
            "SELECT COUNT(*) FROM stock_movements WHERE reason = 'cancel'",
            2,
        ),
        (
            "SELECT COUNT(*) FROM outbox WHERE kind = 'order.cancelled'",
            1,
        ),
        ("SELECT stock FROM variants WHERE product_id = 14", 50),
        ("SELECT stock FROM variants WHERE product_id = 17", 50),
        (
            &format!("SELECT points FROM users WHERE id = {user_id}"),
            1_000_000,
        ),
    ] {
        assert_eq!(count(&first, sql).await, expected, "{sql}");
    }
    assert_books_balance(&first).await;
}

async fn cancels_racing_a_flash_sale_never_oversell(backend: Backend) {
    let database = fresh_database(backend).await;
    let first = spawn_app_with(Config::for_tests(database.clone())).await;
    let second = match backend {
        Backend::Postgres => spawn_app_with(Config::for_tests(database)).await,
        Backend::Sqlite => first.visitor(),
    };
    const STOCK: i64 = 6;
    set_stock(&first, 33, STOCK).await;
    let price = product(&first, 33).await["price"].as_i64().unwrap();
    // Six early buyers take the whole stock; three of them cancel while
    // twenty others try to buy the units coming back.
    let mut early = Vec::new();
    for i in 0..STOCK {
        let shopper = first.visitor();
        funded_shopper(&shopper, &format!("early{i}"), price).await;
        let order = buy(&shopper, &format!("early-buy-{i:04}"), &[(33, 1)]).await;
        early.push((shopper, order["order_id"].as_i64().unwrap()));
    }
    assert_eq!(product(&first, 33).await["stock"], 0);
    let mut late = Vec::new();
    for i in 0..20 {
        let shopper = if i % 2 == 0 {
            first.visitor()
        } else {
            second.visitor()
        };
        funded_shopper(&shopper, &format!("late{i}"), price).await;
        let address = shopper.add_address().await;
        late.push((shopper, address));
    }
    let mut requests: Vec<_> = early
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, (shopper, order_id))| {
            shopper.post_request(
                "/api/orders/cancel",
                json!({"order_id": order_id, "idempotency_key": format!("early-cancel-{i:04}")}),
            )
        })
        .collect();
    requests.extend(late.iter().enumerate().map(|(i, (shopper, address))| {
        shopper.post_request(
            "/api/orders/place",
            json!({"idempotency_key": format!("late-buy-{i:04}"), "address_id": address,
                   "items": [{"product_id": 33, "quantity": 1}]}),
        )
    }));
    let answers = post_concurrently(requests).await;
    for (status, body) in &answers[..3] {
        assert_eq!(*status, 200, "{body}");
    }
    let sold_late = answers[3..].iter().filter(|(s, _)| *s == 201).count() as i64;
    for (status, body) in answers[3..].iter().filter(|(s, _)| *s != 201) {
        assert_error(*status, body, 409, "INSUFFICIENT_STOCK");
    }
    let stock = product(&first, 33).await["stock"].as_i64().unwrap();
    assert!(
        sold_late <= 3,
        "never oversold: {sold_late} sold of 3 returned"
    );
    assert_eq!(stock, 3 - sold_late);
    let units: i64 = count(
        &first,
        "SELECT CAST(COALESCE(SUM(i.quantity), 0) AS BIGINT) FROM order_items i \
         JOIN orders o ON o.id = i.order_id WHERE o.status <> 'cancelled' AND i.product_id = 33",
    )
    .await;
    assert_eq!(
        units + stock,
        STOCK,
        "what is sold and what is left is the stock"
    );
    assert_books_balance(&first).await;
}

/// Everything a cancel touches, to compare before and after.
async fn cancel_snapshot(app: &TestApp) -> Value {
    let stocks: Vec<i64> = sqlx::query_scalar("SELECT stock FROM variants ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM orders ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let points: Vec<i64> = sqlx::query_scalar("SELECT points FROM users ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    json!({
        "stocks": stocks,
        "statuses": statuses,
        "points": points,
        "ledger": count(app, "SELECT COUNT(*) FROM point_ledger").await,
        "movements": count(app, "SELECT COUNT(*) FROM stock_movements").await,
        "outbox": count(app, "SELECT COUNT(*) FROM outbox").await,
        "audit": count(app, "SELECT COUNT(*) FROM audit_log").await,
    })
}

async fn a_failure_at_any_step_of_a_cancel_leaves_everything_as_it_was(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "fragile", 1_000_000).await;
    set_stock(&app, 11, 10).await;
    set_stock(&app, 12, 10).await;
    let order_id = buy(&app, "fragile-buy-0001", &[(11, 1), (12, 2)]).await["order_id"]
        .as_i64()
        .unwrap();
    let staff = app.staff("fragile_staff", Role::OrderManager).await;
    let before = cancel_snapshot(&app).await;
    for (table, event) in [
        ("orders", "UPDATE"),
        ("variants", "UPDATE"),
        ("stock_movements", "INSERT"),
        ("users", "UPDATE"),
        ("point_ledger", "INSERT"),
        ("outbox", "INSERT"),
        ("audit_log", "INSERT"),
        ("idempotency_keys", "UPDATE"),
    ] {
        inject_failure(&app, backend, table, event).await;
        // Staff cancel, so the audit row is one of the steps.
        let (status, body) = staff
            .post_json(
                "/api/admin/orders/cancel",
                &json!({"order_id": order_id, "idempotency_key": "fragile-key-0001", "reason": "test"}),
            )
            .await;
        remove_failure(&app, backend, table).await;
        assert_error(status, &body, 500, "INTERNAL");
        assert_eq!(
            cancel_snapshot(&app).await,
            before,
            "failure at {event} {table}"
        );
    }
    // Nothing was left half-done, the key included: the cancel now goes through.
    let (status, body) = staff
        .post_json(
            "/api/admin/orders/cancel",
            &json!({"order_id": order_id, "idempotency_key": "fragile-key-0001", "reason": "test"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_ledger_matches(&app, user_id).await;
    assert_books_balance(&app).await;
}

async fn a_refund_is_never_refused_by_the_balance_cap(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "whale", 10_000_000).await;
    set_stock(&app, 25, 10).await;
    let placed = buy(&app, "whale-buy-0001", &[(25, 1)]).await;
    let total = placed["total"].as_i64().unwrap();
    // Charged back up to the cap after ordering...
    let (status, body) = app
        .post_json("/api/points/charge", &json!({"amount": total}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["points"], 10_000_000);
    // ...the refund still comes back in full, past the cap.
    let (status, body) = cancel(&app, placed["order_id"].as_i64().unwrap(), "whale-key-0001").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refunded"], total);
    let (_, points) = app.get_json("/api/points").await;
    assert_eq!(points["points"], 10_000_000 + total);
    assert_ledger_matches(&app, user_id).await;
    // Over the cap, charging is refused until the balance is spent below it.
    let (status, body) = app
        .post_json("/api/points/charge", &json!({"amount": 1}))
        .await;
    assert_error(status, &body, 409, "POINT_LIMIT_EXCEEDED");
    // Staff may still take points away from a balance over the cap, not add.
    let support = app.staff("whale_support", Role::Support).await;
    let adjust = |delta: i64| {
        let support = &support;
        async move {
            support
                .post_json(
                    "/api/admin/customers/points",
                    &json!({"user_id": user_id, "delta": delta, "reason": "check"}),
                )
                .await
        }
    };
    let (status, body) = adjust(1).await;
    assert_error(status, &body, 409, "POINT_LIMIT_EXCEEDED");
    let (status, body) = adjust(-1).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["points"], 10_000_000 + total - 1);
    assert_ledger_matches(&app, user_id).await;
}

async fn staff_adjust_a_balance_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "adjusted", 1_000).await;
    let support = app.staff("adjuster", Role::Support).await;
    let adjust = |delta: Value, reason: &'static str| {
        let support = &support;
        async move {
            support
                .post_json(
                    "/api/admin/customers/points",
                    &json!({"user_id": user_id, "delta": delta, "reason": reason}),
                )
                .await
        }
    };
    let (status, body) = adjust(json!(500), "goodwill for a late parcel").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["points"], 1_500);
    let (status, body) = adjust(json!(-1_500), "charged twice by mistake").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["points"], 0);
    let (status, body) = adjust(json!(-1), "below zero").await;
    assert_error(status, &body, 409, "INSUFFICIENT_POINTS");
    for bad in [json!(0), json!(1_000_001), json!("1.5"), json!("ten")] {
        let (status, body) = adjust(bad.clone(), "bad").await;
        assert_error(status, &body, 400, "INVALID_AMOUNT");
        assert_eq!(body["details"]["field"], "delta", "{bad}");
    }
    let (status, body) = adjust(json!(5), "").await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    let (status, body) = support
        .post_json(
            "/api/admin/customers/points",
            &json!({"user_id": 999_999, "delta": 5, "reason": "nobody"}),
        )
        .await;
    assert_error(status, &body, 404, "USER_NOT_FOUND");
    // The ledger says who and why; so does the audit log.
    let (status, customer) = support
        .get_json(&format!("/api/admin/customers/get?id={user_id}"))
        .await;
    assert_eq!(status, 200, "{customer}");
    assert_eq!(customer["points"], 0);
    assert_eq!(customer["ledger"]["items"][0]["kind"], "adjustment");
    assert_eq!(
        customer["ledger"]["items"][0]["note"],
        "charged twice by mistake"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE kind = 'points.adjusted'"
        )
        .await,
        2
    );
    assert_ledger_matches(&app, user_id).await;
    // The customers list finds them by a part of the login id, any case.
    let (_, found) = support.get_json("/api/admin/customers?q=DJUSTE").await;
    let logins: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["login_id"].as_str().unwrap())
        .collect();
    assert_eq!(logins, vec!["adjuster", "adjusted"]);
    let (_, none) = support.get_json("/api/admin/customers?q=%25").await;
    assert_eq!(none["total"], 0, "a % is a literal character");
    // An order manager has no business with balances.
    let orders_only = app.staff("orders_only", Role::OrderManager).await;
    let (status, body) = orders_only
        .post_json(
            "/api/admin/customers/points",
            &json!({"user_id": user_id, "delta": 5, "reason": "no"}),
        )
        .await;
    assert_error(status, &body, 403, "FORBIDDEN");
}

async fn staff_find_orders_by_status_day_customer_and_product(backend: Backend) {
    let app = spawn_app(backend).await;
    let ann = funded_shopper(&app, "ann", 1_000_000).await;
    let bob_app = app.visitor();
    let bob = funded_shopper(&bob_app, "bob", 1_000_000).await;
    for id in [25, 26, 27] {
        set_stock(&app, id, 10).await;
    }
    let a1 = buy(&app, "find-a-0001", &[(25, 1)]).await["order_id"]
        .as_i64()
        .unwrap();
    let a2 = buy(&app, "find-a-0002", &[(26, 1)]).await["order_id"]
        .as_i64()
        .unwrap();
    let b1 = buy(&bob_app, "find-b-0001", &[(26, 1), (27, 1)]).await["order_id"]
        .as_i64()
        .unwrap();
    cancel(&app, a2, "find-cancel-0001").await;
    let staff = app.staff("finder", Role::Support).await;
    let ids = |page: &Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["order_id"].as_i64().unwrap())
            .collect()
    };
    let (status, all) = staff.get_json("/api/admin/orders").await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(ids(&all), vec![b1, a2, a1]);
    assert_eq!(all["items"][0]["login_id"], "bob");
    let (_, placed) = staff.get_json("/api/admin/orders?status=placed").await;
    assert_eq!(ids(&placed), vec![b1, a1]);
    let (_, cancelled) = staff.get_json("/api/admin/orders?status=cancelled").await;
    assert_eq!(ids(&cancelled), vec![a2]);
    assert_eq!(cancelled["items"][0]["status_by"], "shopper");
    let (_, anns) = staff
        .get_json(&format!("/api/admin/orders?user_id={ann}"))
        .await;
    assert_eq!(ids(&anns), vec![a2, a1]);
    let (_, with_26) = staff.get_json("/api/admin/orders?product_id=26").await;
    assert_eq!(ids(&with_26), vec![b1, a2]);
    let (_, bobs_26) = staff
        .get_json(&format!(
            "/api/admin/orders?product_id=26&user_id={bob}&status=placed"
        ))
        .await;
    assert_eq!(ids(&bobs_26), vec![b1]);
    assert_eq!(bobs_26["total"], 1);
    // Days are Seoul's: today holds them all, tomorrow none.
    let today = today_in_seoul();
    let (_, todays) = staff
        .get_json(&format!("/api/admin/orders?from={today}&to={today}"))
        .await;
    assert_eq!(todays["total"], 3, "{todays}");
    // Today's figures on the dashboard leave the cancelled order out.
    let (_, dashboard) = staff.get_json("/api/admin/dashboard").await;
    let standing: i64 = [&all["items"][0], &all["items"][2]]
        .iter()
        .map(|o| o["total"].as_i64().unwrap())
        .sum();
    assert_eq!(dashboard["orders_today"], 2, "{dashboard}");
    assert_eq!(dashboard["revenue_today"], standing);
    let (_, before) = staff.get_json("/api/admin/orders?to=2000-01-01").await;
    assert_eq!(before["total"], 0);
    let (_, shipped) = staff.get_json("/api/admin/orders?status=shipped").await;
    assert_eq!(shipped["total"], 0, "{shipped}");
    for (query, field) in [
        ("status=fulfilled", "status"),
        ("from=2026-02-30", "from"),
        ("to=yesterday", "to"),
        ("user_id=-1", "user_id"),
        ("product_id=x", "product_id"),
    ] {
        let (status, body) = staff.get_json(&format!("/api/admin/orders?{query}")).await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        assert_eq!(body["details"]["field"], field, "{query}");
    }
    // One order in full, with its history.
    let (status, order) = staff
        .get_json(&format!("/api/admin/orders/get?id={a2}"))
        .await;
    assert_eq!(status, 200, "{order}");
    assert_eq!(order["login_id"], "ann");
    let history: Vec<&str> = order["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, vec!["placed", "cancelled"]);
    let (status, body) = staff.get_json("/api/admin/orders/get?id=999999").await;
    assert_error(status, &body, 404, "ORDER_NOT_FOUND");
}

/// Today's date in Seoul, `YYYY-MM-DD`, as the shop reads it.
fn today_in_seoul() -> String {
    let now = app::db::now_millis();
    let start = app::dates::start_of_day_in_seoul(now);
    let shown = app::dates::format_millis(start, app::locale::Locale::ko);
    // "2026.12.02 00:00" → "2026-12-02"
    shown[..10].replace('.', "-")
}

async fn staff_see_the_platform_and_send_an_event_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.staff("platform_watcher", Role::OrderManager).await;
    // An event that failed and waits an hour for its next attempt.
    let later = app::db::now_millis() + 60 * 60 * 1000;
    sqlx::query(
        "INSERT INTO outbox (event_id, kind, payload, created_at, attempts, next_attempt_at, last_error) \
         VALUES ('stuck-event', 'order.placed', $1, $2, 3, $3, 'the data platform answered 503')",
    )
    .bind(
        json!({"type": "order.placed", "event_id": "stuck-event", "order_id": 424242, "user_id": 1,
               "total": 1000, "items": [], "ordered_at": 0})
        .to_string(),
    )
    .bind(app::db::now_millis())
    .bind(later)
    .execute(app.db.pool())
    .await
    .unwrap();
    let (status, platform) = staff.get_json("/api/admin/platform").await;
    assert_eq!(status, 200, "{platform}");
    assert_eq!(platform["destination"], "embedded");
    assert_eq!(platform["failing"], 1);
    assert_eq!(platform["last_error"], "the data platform answered 503");
    assert_eq!(platform["failing_events"][0]["event_id"], "stuck-event");
    assert_eq!(platform["failing_events"][0]["attempts"], 3);

    let (status, body) = staff
        .post_json(
            "/api/admin/platform/retry",
            &json!({"event_id": "no-such-event"}),
        )
        .await;
    assert_error(status, &body, 404, "NOT_FOUND");
    let (status, event) = staff
        .post_json(
            "/api/admin/platform/retry",
            &json!({"event_id": "stuck-event"}),
        )
        .await;
    assert_eq!(status, 200, "{event}");
    assert!(event["next_attempt_at"].as_i64().unwrap() < later);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE kind = 'platform.retry'"
        )
        .await,
        1
    );
    let shopper = app.visitor();
    shopper.signup("platform_shopper").await;
    let (status, body) = shopper.get_json("/api/admin/platform").await;
    assert_error(status, &body, 403, "FORBIDDEN");
}
