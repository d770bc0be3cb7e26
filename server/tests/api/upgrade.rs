//! A shop that ran before a migration keeps its data through it: its
//! schema is brought to just before the migration, filled the way the shop
//! filled it then, and migrated while the shop starts.

use crate::{
    helpers::{fresh_database, spawn_app_with},
    on_both_backends,
};
use app::{
    catalog::{store, ProductId, Quantity},
    db::{now_millis, Backend, Db},
    staff::Role,
};
use serde_json::json;
use server::config::Config;
use std::borrow::Cow;

on_both_backends!(a_shop_from_before_the_order_lifecycle_keeps_its_data);

/// Runs the shop's migrations older than `version` only.
async fn migrate_until(db: &Db, backend: Backend, version: i64) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        });
    let mut migrator = sqlx::migrate::Migrator::new(dir).await.unwrap();
    migrator.migrations = Cow::Owned(
        migrator
            .migrations
            .iter()
            .filter(|m| m.version < version)
            .cloned()
            .collect(),
    );
    migrator.run(db.pool()).await.unwrap();
}

async fn a_shop_from_before_the_order_lifecycle_keeps_its_data(backend: Backend) {
    let url = fresh_database(backend).await;
    let db = Db::connect(&url).await.unwrap();
    migrate_until(&db, backend, 20261204000001).await;
    app::catalog::seed::seed_demo_catalog(&db).await.unwrap();

    // A shopper at the balance cap who ordered one item, the order's event
    // consumed by the embedded platform, and an admin: as the shop wrote them.
    let now = now_millis();
    let mut tx = db.begin_write().await.unwrap();
    let veteran: i64 = sqlx::query_scalar(
        "INSERT INTO users (login_id, login_key, password_hash, points, created_at) \
         VALUES ('veteran', 'veteran', 'x', 10000000, $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO point_ledger (user_id, kind, amount, balance_after, order_id, at) \
         VALUES ($1, 'charge', 10000000, 10000000, NULL, $2)",
    )
    .bind(veteran)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    let price: i64 = sqlx::query_scalar("SELECT price FROM products WHERE id = 1")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let order: i64 = sqlx::query_scalar(
        "INSERT INTO orders (user_id, total, ordered_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(veteran)
    .bind(price)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO order_items (order_id, product_id, name, unit_price, quantity) \
         VALUES ($1, 1, 'first product', $2, 1)",
    )
    .bind(order)
    .bind(price)
    .execute(&mut *tx)
    .await
    .unwrap();
    store::take_stock(
        &mut tx,
        ProductId(1),
        Quantity::new(1).unwrap(),
        Some(order),
    )
    .await
    .unwrap()
    .unwrap();
    sqlx::query("UPDATE users SET points = points - $2 WHERE id = $1")
        .bind(veteran)
        .bind(price)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO point_ledger (user_id, kind, amount, balance_after, order_id, at) \
         VALUES ($1, 'use', $2, $3, $4, $5)",
    )
    .bind(veteran)
    .bind(-price)
    .bind(10_000_000 - price)
    .bind(order)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    let event = json!({"event_id": "old-event", "type": "order.placed", "order_id": order,
        "user_id": veteran, "total": price, "ordered_at": now,
        "items": [{"product_id": 1, "name": "first product", "unit_price": price, "quantity": 1}]});
    sqlx::query(
        "INSERT INTO outbox (event_id, kind, payload, created_at, next_attempt_at, delivered_at, attempts) \
         VALUES ('old-event', 'order.placed', $1, $2, $2, $2, 1)",
    )
    .bind(event.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("INSERT INTO platform_events (event_id, received_at) VALUES ('old-event', $1)")
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    let hour = now.div_euclid(3_600_000);
    sqlx::query("INSERT INTO platform_hourly_sales (product_id, hour, quantity) VALUES (1, $1, 1)")
        .bind(hour)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("INSERT INTO platform_window_sales (product_id, quantity) VALUES (1, 1)")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE platform_window SET first_hour = $1 WHERE id = 1")
        .bind(hour - 71)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let users_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await
        .unwrap();

    // The shop starts on it: the lifecycle's migration runs.
    let app = spawn_app_with(Config::for_tests(url)).await;
    let count = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(db.pool())
                .await
                .unwrap()
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM users").await, users_before);
    assert_eq!(
        count("SELECT COUNT(*) FROM point_ledger").await,
        2,
        "no ledger row is lost"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM orders WHERE status = 'placed'").await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM platform_orders WHERE placed = 1").await,
        1,
        "the consumed event's order is known to the platform"
    );
    let points: i64 = sqlx::query_scalar("SELECT points FROM users WHERE id = $1")
        .bind(veteran)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(points, 10_000_000 - price);

    // The old order is cancelled like any: the refund takes the balance
    // to the cap, the best sellers lose the sale.
    let (_, top) = app.get_json("/api/top-products").await;
    assert_eq!(top["items"][0]["product_id"], 1, "{top}");
    let staff = app.staff("upgrade_staff", Role::OrderManager).await;
    let (status, body) = staff
        .post_json(
            "/api/admin/orders/cancel",
            &json!({"order_id": order, "idempotency_key": "upgrade-cancel-1", "reason": "upgrade"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refunded"], price);
    let points: i64 = sqlx::query_scalar("SELECT points FROM users WHERE id = $1")
        .bind(veteran)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(points, 10_000_000);
    crate::platform::eventually(
        "the cancel took the sale out of the best sellers",
        || async {
            let (_, top) = app.get_json("/api/top-products").await;
            top["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["product_id"] != 1)
        },
    )
    .await;
}
