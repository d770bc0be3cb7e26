//! A shop that ran before a migration keeps its data through it: its
//! schema is brought to just before the migration, filled the way the shop
//! filled it then, and migrated while the shop starts.

use crate::{
    helpers::{fresh_database, insert_product, spawn_app_with},
    on_both_backends,
};
use app::{
    db::{now_millis, Backend, Db},
    staff::Role,
};
use serde_json::json;
use server::config::Config;
use std::borrow::Cow;

on_both_backends!(
    a_shop_from_before_the_order_lifecycle_keeps_its_data,
    a_shop_from_before_variants_keeps_every_row_and_sum,
    a_shop_from_before_shipping_keeps_its_shipped_orders,
);

/// Products as the shop wrote them before variants: the stock on the
/// product, its history starting with an `initial` movement. Returns
/// their ids.
async fn old_catalog(db: &Db, products: &[(&str, i64, i64)]) -> Vec<i64> {
    let now = now_millis();
    let mut tx = db.begin_write().await.unwrap();
    let mut ids = Vec::new();
    for (i, (sku, price, stock)) in products.iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO products (sku, name, brand, description, price, stock, image, created_at) \
             VALUES ($1, $2, 'Old', '', $3, $4, '/images/x.svg', $5) RETURNING id",
        )
        .bind(*sku)
        .bind(format!("old product {sku}"))
        .bind(*price)
        .bind(*stock)
        .bind(now - i as i64)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO stock_movements (product_id, delta, reason, stock_after, at) \
             VALUES ($1, $2, 'initial', $2, $3)",
        )
        .bind(id)
        .bind(*stock)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}

/// A change of a product's stock as the shop made it before variants: the
/// product's stock and a movement beside it.
async fn old_move(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    product: i64,
    delta: i64,
    reason: &str,
    order: Option<i64>,
) {
    let after: i64 =
        sqlx::query_scalar("UPDATE products SET stock = stock + $1 WHERE id = $2 RETURNING stock")
            .bind(delta)
            .bind(product)
            .fetch_one(&mut **tx)
            .await
            .unwrap();
    sqlx::query(
        "INSERT INTO stock_movements (product_id, delta, reason, cause, order_id, stock_after, at) \
         VALUES ($1, $2, $3, CASE WHEN $3 = 'adjustment' THEN 'received' END, $4, $5, $6)",
    )
    .bind(product)
    .bind(delta)
    .bind(reason)
    .bind(order)
    .bind(after)
    .bind(now_millis())
    .execute(&mut **tx)
    .await
    .unwrap();
}

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
    old_catalog(&db, &[("old-1", 39_000, 10), ("old-2", 12_000, 3)]).await;

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
    old_move(&mut tx, 1, -1, "sale", Some(order)).await;
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

/// Every product becomes one variant with its id, SKU, price and stock;
/// movements, cart lines, order lines and price changes name it; the
/// stock is still the sum of the movements, per variant; an old order
/// reads and cancels, its stock going back to that variant.
async fn a_shop_from_before_variants_keeps_every_row_and_sum(backend: Backend) {
    let url = fresh_database(backend).await;
    let db = Db::connect(&url).await.unwrap();
    migrate_until(&db, backend, 20261208000001).await;
    let ids = old_catalog(
        &db,
        &[
            ("shoe-a", 50_000, 10),
            ("shoe-b", 30_000, 0),
            ("bag", 20_000, 4),
        ],
    )
    .await;
    let (shoe, bag) = (ids[0], ids[2]);
    let now = now_millis();
    let mut tx = db.begin_write().await.unwrap();
    let veteran: i64 = sqlx::query_scalar(
        "INSERT INTO users (login_id, login_key, password_hash, points, created_at) \
         VALUES ('veteran', 'veteran', 'x', 1000000, $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    old_move(&mut tx, shoe, 5, "adjustment", None).await;
    let total = 2 * 50_000 + 20_000;
    let order: i64 = sqlx::query_scalar(
        "INSERT INTO orders (user_id, total, subtotal, ordered_at) VALUES ($1, $2, $2, $3) RETURNING id",
    )
    .bind(veteran)
    .bind(total)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    for (product, price, quantity) in [(shoe, 50_000, 2), (bag, 20_000, 1)] {
        sqlx::query(
            "INSERT INTO order_items (order_id, product_id, name, unit_price, quantity) \
             VALUES ($1, $2, 'old name', $3, $4)",
        )
        .bind(order)
        .bind(product)
        .bind(price)
        .bind(quantity)
        .execute(&mut *tx)
        .await
        .unwrap();
        old_move(&mut tx, product, -quantity, "sale", Some(order)).await;
    }
    sqlx::query(
        "INSERT INTO point_ledger (user_id, kind, amount, balance_after, order_id, at) \
         VALUES ($1, 'use', $2, $3, $4, $5)",
    )
    .bind(veteran)
    .bind(-total)
    .bind(1_000_000 - total)
    .bind(order)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("UPDATE users SET points = points - $1 WHERE id = $2")
        .bind(total)
        .bind(veteran)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO price_changes (product_id, from_price, to_price, staff_id, at) \
         VALUES ($1, 25000, 20000, $2, $3)",
    )
    .bind(bag)
    .bind(veteran)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO cart_items (user_id, product_id, quantity, added_price, added_at) \
         VALUES ($1, $2, 1, 50000, $3)",
    )
    .bind(veteran)
    .bind(shoe)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let stocks_before: Vec<(i64, String, i64, i64)> =
        sqlx::query_as("SELECT id, sku, price, stock FROM products ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(stocks_before[0].3, 13);
    let count = |db: Db, sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(db.pool())
            .await
            .unwrap()
    };
    let movements_before = count(db.clone(), "SELECT COUNT(*) FROM stock_movements").await;

    // The shop starts on it: the variants' migration runs.
    let app = spawn_app_with(Config::for_tests(url)).await;
    let variants: Vec<(i64, i64, String, i64, i64)> =
        sqlx::query_as("SELECT id, product_id, sku, price, stock FROM variants ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        variants.len(),
        stocks_before.len(),
        "one variant per product"
    );
    for ((id, product, sku, price, stock), (old_id, old_sku, old_price, old_stock)) in
        variants.iter().zip(&stocks_before)
    {
        assert_eq!(
            (id, product, sku, price, stock),
            (old_id, old_id, old_sku, old_price, old_stock)
        );
        let sum: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM stock_movements WHERE variant_id = $1",
        )
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(sum, *stock, "variant {sku}: stock = sum of its movements");
    }
    assert_eq!(
        count(app.db.clone(), "SELECT COUNT(*) FROM stock_movements").await,
        movements_before
    );
    for (what, sql) in [
        ("movements", "SELECT COUNT(*) FROM stock_movements WHERE variant_id IS NULL OR variant_id <> product_id"),
        ("order lines", "SELECT COUNT(*) FROM order_items WHERE variant_id <> product_id OR sku = ''"),
        ("cart lines", "SELECT COUNT(*) FROM cart_items WHERE variant_id <> product_id"),
        ("price changes", "SELECT COUNT(*) FROM price_changes WHERE variant_id <> product_id"),
    ] {
        assert_eq!(count(app.db.clone(), sql).await, 0, "{what} name the default variant");
    }
    assert_eq!(
        count(app.db.clone(), "SELECT COUNT(*) FROM order_items").await,
        2
    );
    assert_eq!(
        count(app.db.clone(), "SELECT COUNT(*) FROM cart_items").await,
        1
    );

    // Shoppers see the product with its one variant, and the old cart line.
    let (status, product) = app.get_json(&format!("/api/products/get?id={shoe}")).await;
    assert_eq!(status, 200, "{product}");
    assert_eq!(product["stock"], 13);
    assert_eq!(product["options"], json!([]));
    assert_eq!(product["variants"][0]["variant_id"], shoe);
    assert_eq!(product["variants"][0]["sku"], "shoe-a");
    let cart = app::cart::store::CartOwner::User(app::identity::UserId(veteran))
        .cart(&app.db)
        .await
        .unwrap();
    assert_eq!(cart.lines.len(), 1);
    assert_eq!(cart.lines[0].variant_id.0, shoe);
    assert_eq!(cart.lines[0].price_was, None);

    // The old order reads with its variants, and cancels: the stock goes
    // back to the right variant.
    let staff = app.staff("vup_staff", Role::OrderManager).await;
    let (status, read) = staff
        .get_json(&format!("/api/admin/orders/get?id={order}"))
        .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["items"][0]["variant_id"], shoe);
    assert_eq!(read["items"][0]["sku"], "shoe-a");
    assert_eq!(read["items"][0]["label"], "");
    let (status, body) = staff
        .post_json(
            "/api/admin/orders/cancel",
            &json!({"order_id": order, "idempotency_key": "variant-upgrade-1", "reason": "upgrade"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let stock: i64 = sqlx::query_scalar("SELECT stock FROM variants WHERE id = $1")
        .bind(shoe)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stock, 15);
    let unbalanced = count(
        app.db.clone(),
        "SELECT COUNT(*) FROM variants v WHERE v.stock <> \
         (SELECT CAST(COALESCE(SUM(m.delta), 0) AS BIGINT) FROM stock_movements m WHERE m.variant_id = v.id)",
    )
    .await;
    assert_eq!(unbalanced, 0);

    // A new variant's id does not collide with the old ones.
    let buyer = app.visitor();
    buyer.signup("vup_buyer").await;
    let (status, body) = buyer
        .post_json("/api/points/charge", &json!({"amount": 100000}))
        .await;
    assert_eq!(status, 200, "{body}");
    let address = buyer.add_address().await;
    let (status, body) = buyer
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": "variant-upgrade-buy", "address_id": address,
                    "items": [{"product_id": bag, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["items"][0]["variant_id"], bag);
    let catalog = app.staff("vup_catalog", Role::CatalogManager).await;
    let (status, created) = catalog
        .post_json(
            "/api/admin/products",
            &json!({"sku": "new-after", "name": "새 상품", "brand": "New", "price": "1000", "stock": "2"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, detail) = catalog
        .get_json(&format!("/api/admin/products/get?id={}", created["id"]))
        .await;
    assert_eq!(status, 200, "{detail}");
    assert!(detail["variants"][0]["variant_id"].as_i64().unwrap() > ids[2]);
    assert_eq!(detail["variants"][0]["stock"], 2);
}

/// Orders fulfilled before shipments had a carrier are `shipped`, with a
/// shipment that says when and by whom (and no carrier, number or
/// address); they are delivered like any, and the couriers' CSV lists
/// them with their address cells empty. A placed one ships as any.
async fn a_shop_from_before_shipping_keeps_its_shipped_orders(backend: Backend) {
    let url = fresh_database(backend).await;
    let db = Db::connect(&url).await.unwrap();
    migrate_until(&db, backend, 20261210000001).await;
    let product = insert_product(&db, "old-mug", "old mug", "Old", 12_000, 10).await;
    let now = now_millis();
    let mut tx = db.begin_write().await.unwrap();
    let user = |login: &'static str| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO users (login_id, login_key, password_hash, points, created_at) \
             VALUES ($1, $1, 'x', 0, $2) RETURNING id",
        )
        .bind(login)
        .bind(now)
    };
    let veteran = user("veteran").fetch_one(&mut *tx).await.unwrap();
    let packer = user("old_packer").fetch_one(&mut *tx).await.unwrap();
    let variant: i64 = sqlx::query_scalar("SELECT id FROM variants WHERE product_id = $1")
        .bind(product)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let mut orders = Vec::new();
    for (status, status_at, status_by, status_as, note) in [
        (
            "fulfilled",
            Some(now - 500),
            Some(packer),
            Some("staff"),
            "CJ 1234-5678",
        ),
        ("placed", None, None, None, ""),
    ] {
        let order: i64 = sqlx::query_scalar(
            "INSERT INTO orders (user_id, total, subtotal, ordered_at, status, status_at, \
                                 status_by, status_as, status_note) \
             VALUES ($1, 12000, 12000, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(veteran)
        .bind(now - 1_000)
        .bind(status)
        .bind(status_at)
        .bind(status_by)
        .bind(status_as)
        .bind(note)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO order_items (order_id, product_id, variant_id, sku, name, unit_price, quantity) \
             VALUES ($1, $2, $3, 'old-mug', 'old mug', 12000, 1)",
        )
        .bind(order)
        .bind(product)
        .bind(variant)
        .execute(&mut *tx)
        .await
        .unwrap();
        orders.push(order);
    }
    tx.commit().await.unwrap();
    let (fulfilled, placed) = (orders[0], orders[1]);

    // The shop starts on it: the shipping migration runs.
    let app = spawn_app_with(Config::for_tests(url)).await;
    let statuses: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, status, shipping_fee FROM orders ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        statuses,
        vec![
            (fulfilled, "shipped".to_string(), 0),
            (placed, "placed".to_string(), 0)
        ]
    );
    // (order, carrier, tracking number, shipped at, shipped by)
    type Shipment = (i64, Option<String>, Option<String>, i64, Option<i64>);
    let shipments: Vec<Shipment> = sqlx::query_as(
        "SELECT order_id, carrier, tracking_number, shipped_at, shipped_by FROM shipments",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        shipments,
        vec![(fulfilled, None, None, now - 500, Some(packer))]
    );

    let staff = app.staff("upgrade_shipper", Role::OrderManager).await;
    let (status, old) = staff
        .get_json(&format!("/api/admin/orders/get?id={fulfilled}"))
        .await;
    assert_eq!(status, 200, "{old}");
    assert_eq!(old["status"], "shipped");
    assert_eq!(old["status_by"], "old_packer");
    assert_eq!(old["reason"], "CJ 1234-5678", "the old note is kept");
    assert_eq!(old["shipping_fee"], 0);
    assert_eq!(old["total"], 12_000);
    assert_eq!(old["shipment"], json!({"shipped_at": now - 500}));
    assert!(old.get("ship_to").is_none(), "{old}");
    // It cannot be cancelled; it is delivered like any.
    let (status, body) = staff
        .post_json(
            "/api/admin/orders/cancel",
            &json!({"order_id": fulfilled, "idempotency_key": "upgrade-cancel-2", "reason": "x"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "ORDER_NOT_CANCELLABLE");
    let (status, delivered) = staff
        .post_json("/api/admin/orders/deliver", &json!({"order_id": fulfilled}))
        .await;
    assert_eq!(status, 200, "{delivered}");
    assert_eq!(delivered["status"], "delivered");
    assert_eq!(delivered["shipment"]["shipped_at"], now - 500);
    assert!(delivered["shipment"]["delivered_at"].as_i64().unwrap() >= now);
    assert!(
        delivered["shipment"].get("carrier").is_none(),
        "{delivered}"
    );
    // The placed one ships with a carrier.
    let (status, shipped) = staff
        .post_json(
            "/api/admin/orders/ship",
            &json!({"order_id": placed, "carrier": "lotte", "tracking_number": "1234567890"}),
        )
        .await;
    assert_eq!(status, 200, "{shipped}");
    assert_eq!(shipped["shipment"]["carrier"], "lotte");
    // The couriers' CSV: both, the old one's address cells empty.
    let response = staff.get("/api/admin/orders/export").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].starts_with(&format!("{fulfilled},"))
            && lines[1].ends_with(",배송 완료,,,,,,old mug x1"),
        "{text}"
    );
    assert!(
        lines[2].starts_with(&format!("{placed},"))
            && lines[2].ends_with(",배송 중,,,,,,old mug x1"),
        "{text}"
    );
}
