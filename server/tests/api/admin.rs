//! The operator's side: permissions, the catalog as staff change it, stock
//! as the sum of its movements, pictures, staff roles and the audit log.

use crate::{
    helpers::{
        assert_error, fresh_database, post_concurrently, spawn_app, spawn_app_with, TestApp,
    },
    on_both_backends,
};
use app::{
    admin::{access_of, Access},
    db::Backend,
    staff::Role,
};
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

on_both_backends!(
    every_admin_function_answers_only_those_allowed,
    staff_stock_the_shop_and_shoppers_see_it,
    bad_products_are_refused_and_nothing_is_written,
    stock_is_the_sum_of_its_movements_under_concurrency,
    pictures_are_checked_by_their_content,
    the_last_admin_stays,
    the_audit_log_filters_and_a_failed_action_writes_nothing,
    the_command_line_makes_the_first_admin,
);

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// Sends `method path` with an empty body of the right kind.
async fn call(who: &TestApp, path: &str, method: &http::Method) -> (u16, Value) {
    let request = if method == http::Method::GET {
        who.client.get(who.url(path))
    } else if path == "/api/admin/products/picture" {
        who.client
            .post(who.url(path))
            .multipart(Form::new().text("product_id", "1"))
    } else {
        who.client.post(who.url(path)).json(&json!({}))
    };
    let res = request.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn every_admin_function_answers_only_those_allowed(backend: Backend) {
    let app = spawn_app(backend).await;
    let guest = app.visitor();
    let shopper = app.visitor();
    shopper.signup("matrix_shopper").await;
    let mut roles = Vec::new();
    for role in Role::ALL {
        roles.push((role, app.staff(&format!("m_{}", role.as_str()), role).await));
    }

    // The functions as the app registered them, not a list kept here.
    // And the courier CSV, a route of its own behind the same door.
    let admin_functions: Vec<(String, http::Method)> = leptos::server_fn::axum::server_fn_paths()
        .filter(|(path, _)| path.starts_with("/api/admin/"))
        .map(|(path, method)| (path.to_string(), method))
        .chain([("/api/admin/orders/export".to_string(), http::Method::GET)])
        .collect();
    assert!(admin_functions.len() >= 12, "{admin_functions:?}");
    for (path, method) in &admin_functions {
        let access = access_of(path)
            .unwrap_or_else(|| panic!("{method} {path} says nothing of who may call it"));
        let (status, body) = call(&guest, path, method).await;
        assert_error(status, &body, 401, "UNAUTHENTICATED");
        let (status, body) = call(&shopper, path, method).await;
        assert_error(status, &body, 403, "FORBIDDEN");
        for (role, member) in &roles {
            let allowed = match access {
                Access::AnyStaff => true,
                Access::Needs(permission) => role.allows(permission),
            };
            let (status, body) = call(member, path, method).await;
            if allowed {
                assert!(
                    ![401, 403].contains(&status),
                    "{role:?} may call {method} {path}: {status} {body}"
                );
            } else {
                assert_error(status, &body, 403, "FORBIDDEN");
            }
        }
    }
    // Admin answers are never stored by a cache.
    let (_, admin) = &roles[0];
    let res = admin.get("/api/admin/products").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    // A shopper opening an admin page gets the 403 page; a guest is sent to log in.
    for page in [
        "/admin",
        "/admin/products",
        "/admin/products/1",
        "/admin/staff",
        "/admin/audit",
    ] {
        let res = shopper.get(page).await;
        assert_eq!(res.status(), 403, "{page}");
        assert_eq!(res.headers()["cache-control"], "private, no-store");
        let res = guest.get(page).await;
        assert_eq!(res.status(), 303, "{page}");
        let res = admin.get(page).await;
        assert_eq!(res.status(), 200, "{page}");
    }
}

async fn create(admin: &TestApp, body: Value) -> Value {
    let (status, product) = admin.post_json("/api/admin/products", &body).await;
    assert_eq!(status, 201, "{product}");
    product
}

async fn movements(app: &TestApp, id: i64) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT delta, reason FROM stock_movements WHERE product_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

async fn staff_stock_the_shop_and_shoppers_see_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.staff("shop_admin", Role::CatalogManager).await;
    let brands_before = app.get_json("/api/brands").await.1;
    let total_before = app.get_json("/api/products").await.1["total"]
        .as_i64()
        .unwrap();

    let product = create(
        &admin,
        json!({"sku": "MUG-01", "name": "청자빛 찻잔", "name_en": "Celadon Teacup",
               "brand": "Kiln", "description": "손으로 빚은 잔", "price": 18000, "stock": 10}),
    )
    .await;
    let id = product["id"].as_i64().unwrap();
    assert_eq!(product["on_sale"], true);
    assert_eq!(product["stock"], 10);
    assert_eq!(movements(&app, id).await, vec![(10, "initial".to_string())]);

    // Shoppers find it in both languages, in the counts and the brands.
    let korean = app.visitor_speaking("ko");
    let found = korean.get_json("/api/products?q=청자빛").await.1;
    assert_eq!(found["items"][0]["id"], id, "{found}");
    assert_eq!(found["items"][0]["name"], "청자빛 찻잔");
    let english = app.visitor_speaking("en");
    let found = english.get_json("/api/products?q=celadon").await.1;
    assert_eq!(found["items"][0]["name"], "Celadon Teacup", "{found}");
    assert_eq!(
        app.get_json("/api/products").await.1["total"],
        total_before + 1
    );
    let brands = app.get_json("/api/brands").await.1;
    assert!(brands.as_array().unwrap().contains(&json!("Kiln")));

    // A shopper buys two: a sale movement naming the order.
    let shopper = app.visitor();
    shopper.signup("mug_buyer").await;
    shopper
        .post_json("/api/points/charge", &json!({"amount": 100000}))
        .await;
    let address = shopper.add_address().await;
    let (status, order) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": "mug-order-001", "address_id": address,
                    "items": [{"product_id": id, "quantity": 2}]}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let detail = admin
        .get_json(&format!("/api/admin/products/get?id={id}"))
        .await
        .1;
    assert_eq!(detail["stock"], 8);
    assert_eq!(detail["movements"][0]["reason"], "sale");
    assert_eq!(detail["movements"][0]["delta"], -2);
    assert_eq!(detail["movements"][0]["order_id"], order["order_id"]);

    // Staff adjust the stock; below zero is refused and changes nothing.
    let (status, adjusted) = admin
        .post_json(
            "/api/admin/stock/adjust",
            &json!({"product_id": id, "delta": 5, "reason": "received", "note": "box 7"}),
        )
        .await;
    assert_eq!(status, 200, "{adjusted}");
    assert_eq!(adjusted["stock"], 13);
    assert_eq!(adjusted["movement"]["cause"], "received");
    assert_eq!(adjusted["movement"]["by"], "shop_admin");
    let (status, body) = admin
        .post_json(
            "/api/admin/stock/adjust",
            &json!({"product_id": id, "delta": -14, "reason": "damaged"}),
        )
        .await;
    assert_error(status, &body, 409, "INSUFFICIENT_STOCK");
    assert_eq!(movements(&app, id).await.len(), 3);

    // The price changes: the cart shows the old one struck through, a
    // checkout that sent it is refused, the placed order keeps its own.
    shopper
        .post_json("/api/cart/add", &json!({"product_id": id, "quantity": 1}))
        .await;
    let (status, changed) = admin
        .post_json(
            "/api/admin/products/price",
            &json!({"product_id": id, "price": 15000}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["price"], 15000);
    let cart = shopper.get_json("/api/cart").await.1;
    assert_eq!(cart["lines"][0]["price"], 15000);
    assert_eq!(cart["lines"][0]["price_was"], 18000);
    let (status, body) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": "mug-order-002", "address_id": address,
                    "items": [{"product_id": id, "quantity": 1, "price": 18000}]}),
        )
        .await;
    assert_error(status, &body, 409, "PRICE_CHANGED");
    let placed = shopper
        .get_json(&format!("/api/orders/get?id={}", order["order_id"]))
        .await
        .1;
    assert_eq!(placed["items"][0]["unit_price"], 18000);
    let detail = admin
        .get_json(&format!("/api/admin/products/get?id={id}"))
        .await
        .1;
    assert_eq!(detail["price_history"][0]["from"], 18000);
    assert_eq!(detail["price_history"][0]["to"], 15000);
    assert_eq!(detail["price_history"][0]["by"], "shop_admin");

    // Off sale: gone from lists, search, counts, brands; 404 to shoppers;
    // the cart line is unavailable; placed orders still show it.
    let (status, off) = admin
        .post_json(
            "/api/admin/products/sale",
            &json!({"product_id": id, "on_sale": false}),
        )
        .await;
    assert_eq!(status, 200, "{off}");
    assert_eq!(off["on_sale"], false);
    let (status, body) = app.get_json(&format!("/api/products/get?id={id}")).await;
    assert_error(status, &body, 404, "PRODUCT_NOT_FOUND");
    assert_eq!(app.get(&format!("/products/{id}")).await.status(), 404);
    assert_eq!(
        korean.get_json("/api/products?q=청자빛").await.1["total"],
        0
    );
    assert_eq!(app.get_json("/api/products").await.1["total"], total_before);
    assert_eq!(app.get_json("/api/brands").await.1, brands_before);
    let (status, body) = shopper
        .post_json("/api/cart/add", &json!({"product_id": id, "quantity": 1}))
        .await;
    assert_error(status, &body, 404, "PRODUCT_NOT_FOUND");
    let cart = shopper.get_json("/api/cart").await.1;
    assert_eq!(cart["lines"][0]["available"], false, "{cart}");
    assert_eq!(cart["total"], 0);
    let (status, body) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": "mug-order-003", "address_id": address,
                    "from_cart": true}),
        )
        .await;
    assert_error(status, &body, 404, "PRODUCT_NOT_FOUND");
    let (status, _) = shopper
        .get_json(&format!("/api/orders/get?id={}", order["order_id"]))
        .await;
    assert_eq!(status, 200);
    // Admin still sees it, and puts it back.
    let listed = admin.get_json("/api/admin/products?on_sale=false").await.1;
    assert_eq!(listed["items"][0]["id"], id, "{listed}");
    let (status, _) = admin
        .post_json(
            "/api/admin/products/sale",
            &json!({"product_id": id, "on_sale": true}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.get_json("/api/products").await.1["total"],
        total_before + 1
    );
    assert_eq!(
        korean.get_json("/api/products?q=청자빛").await.1["total"],
        1
    );

    // Texts change; the English name can be removed (English falls back to Korean).
    let (status, updated) = admin
        .post_json(
            "/api/admin/products/update",
            &json!({"product_id": id, "name": "백자빛 찻잔", "name_en": ""}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["name_en"], Value::Null);
    let shown = english
        .get_json(&format!("/api/products/get?id={id}"))
        .await
        .1;
    assert_eq!(shown["name"], "백자빛 찻잔");
    assert_eq!(
        english.get_json("/api/products?q=celadon").await.1["total"],
        0
    );
    assert_eq!(
        korean.get_json("/api/products?q=백자빛").await.1["total"],
        1
    );

    // Every step is in the audit log, newest first, with who and what.
    let owner = app.staff("audit_reader", Role::Admin).await;
    let log = owner
        .get_json(&format!("/api/admin/audit?target=product:{id}"))
        .await
        .1;
    let kinds: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "product.updated",
            "product.sale",
            "product.sale",
            "product.price",
            "stock.adjusted",
            "product.created"
        ],
        "{log}"
    );
    assert!(log["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"] == "shop_admin" && e["request_id"].is_string()));
}

async fn bad_products_are_refused_and_nothing_is_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.staff("strict_admin", Role::Admin).await;
    let products = count(&app, "SELECT COUNT(*) FROM products").await;
    let good = json!({"sku": "OK-1", "name": "이름", "brand": "B", "price": 1000, "stock": 1});
    for (change, status, code, field) in [
        (json!({"price": 0}), 400, "INVALID_AMOUNT", "price"),
        (
            json!({"price": 100_000_001}),
            400,
            "INVALID_AMOUNT",
            "price",
        ),
        (json!({"price": "12.5"}), 400, "INVALID_AMOUNT", "price"),
        (json!({"sku": "../etc"}), 400, "BAD_REQUEST", "sku"),
        (json!({"name": "  "}), 400, "BAD_REQUEST", "name"),
        (json!({"name": "a\u{0}b"}), 400, "BAD_REQUEST", "name"),
        (
            json!({"brand": "x".repeat(51)}),
            400,
            "BAD_REQUEST",
            "brand",
        ),
        (json!({"stock": -1}), 400, "BAD_REQUEST", "stock"),
    ] {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (got, answer) = admin.post_json("/api/admin/products", &body).await;
        assert_error(got, &answer, status, code);
        assert_eq!(answer["details"]["field"], field, "{body}");
    }
    create(&admin, good.clone()).await;
    let (status, body) = admin.post_json("/api/admin/products", &good).await;
    assert_error(status, &body, 409, "SKU_TAKEN");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM products").await,
        products + 1
    );
    for (path, body, status, code) in [
        (
            "/api/admin/products/price",
            json!({"product_id": 999_999, "price": 5}),
            404,
            "PRODUCT_NOT_FOUND",
        ),
        (
            "/api/admin/products/sale",
            json!({"product_id": 1, "on_sale": "maybe"}),
            400,
            "BAD_REQUEST",
        ),
        (
            "/api/admin/stock/adjust",
            json!({"product_id": 5, "delta": 0, "reason": "received"}),
            400,
            "BAD_REQUEST",
        ),
        (
            "/api/admin/stock/adjust",
            json!({"product_id": 5, "delta": 1, "reason": "stolen"}),
            400,
            "BAD_REQUEST",
        ),
        (
            "/api/admin/products/update",
            json!({"product_id": 1}),
            400,
            "BAD_REQUEST",
        ),
        (
            "/api/admin/staff/grant",
            json!({"login_id": "nobody_here", "role": "admin"}),
            404,
            "USER_NOT_FOUND",
        ),
        (
            "/api/admin/staff/grant",
            json!({"login_id": "strict_admin", "role": "owner"}),
            400,
            "BAD_REQUEST",
        ),
    ] {
        let (got, answer) = admin.post_json(path, &body).await;
        assert_error(got, &answer, status, code);
    }
    // The one product created is the one audit row.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log").await, 1);
}

/// For every variant: stock = the sum of its movements, and what was sold
/// = the sum of `sale` movements = the sum of order lines.
pub(crate) async fn assert_stock_is_its_history(app: &TestApp) {
    let broken: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT v.id, v.stock, CAST(COALESCE(SUM(m.delta), 0) AS BIGINT) \
         FROM variants v LEFT JOIN stock_movements m ON m.variant_id = v.id \
         GROUP BY v.id, v.stock HAVING v.stock <> COALESCE(SUM(m.delta), 0)",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert!(
        broken.is_empty(),
        "stock differs from its movements: {broken:?}"
    );
    let sold_apart: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT v.id, \
           CAST((SELECT COALESCE(SUM(-m.delta), 0) FROM stock_movements m \
                 WHERE m.variant_id = v.id AND m.reason = 'sale') AS BIGINT) AS moved, \
           CAST((SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i \
                 WHERE i.variant_id = v.id) AS BIGINT) AS ordered \
         FROM variants v",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
    .into_iter()
    .filter(|(_, moved, ordered)| moved != ordered)
    .collect();
    assert!(
        sold_apart.is_empty(),
        "sales differ from order lines: {sold_apart:?}"
    );
}

async fn stock_is_the_sum_of_its_movements_under_concurrency(backend: Backend) {
    // Two instances on one database: shoppers on the first, staff on the second.
    let database = fresh_database(backend).await;
    let app = spawn_app_with(server::config::Config::for_tests(database.clone())).await;
    let second = spawn_app_with(server::config::Config::for_tests(database)).await;
    let admin = second.with_client(app.staff("stock_keeper", Role::CatalogManager).await.client);
    let product = create(
        &admin,
        json!({"sku": "RACE-1", "name": "경주", "brand": "Race", "price": 1000, "stock": 20}),
    )
    .await;
    let id = product["id"].as_i64().unwrap();
    let mut requests = Vec::new();
    for i in 0..12 {
        let shopper = app.visitor();
        shopper.signup(&format!("racer_{i}")).await;
        shopper
            .post_json("/api/points/charge", &json!({"amount": 10000}))
            .await;
        let address = shopper.add_address().await;
        requests.push(shopper.post_request(
            "/api/orders/place",
            json!({"idempotency_key": format!("race-order-{i:04}"), "address_id": address,
                   "items": [{"product_id": id, "quantity": 2}]}),
        ));
    }
    for i in 0..8 {
        let delta = if i % 2 == 0 { -3 } else { 2 };
        requests.push(admin.post_request(
            "/api/admin/stock/adjust",
            json!({"product_id": id, "delta": delta, "reason": "correction", "note": format!("count {i}")}),
        ));
    }
    let answers = post_concurrently(requests).await;
    for (status, body) in &answers {
        assert!(
            [200, 201].contains(status) || (*status == 409 && body["code"] == "INSUFFICIENT_STOCK"),
            "{status} {body}"
        );
    }
    let stock: i64 = sqlx::query_scalar("SELECT stock FROM variants WHERE product_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(stock >= 0);
    let sold = answers[..12].iter().filter(|(s, _)| *s == 201).count() as i64;
    let adjusted: i64 = answers[12..]
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, b)| b["movement"]["delta"].as_i64().unwrap())
        .sum();
    assert_eq!(stock, 20 - 2 * sold + adjusted);
    assert_stock_is_its_history(&app).await;
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::DynamicImage::new_rgb8(width, height);
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn upload(product_id: i64, bytes: Vec<u8>, file_name: &str, mime: &str) -> Form {
    Form::new().text("product_id", product_id.to_string()).part(
        "image",
        Part::bytes(bytes)
            .file_name(file_name.to_string())
            .mime_str(mime)
            .unwrap(),
    )
}

async fn pictures_are_checked_by_their_content(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.staff("picture_admin", Role::CatalogManager).await;
    let before: Value = admin.get_json("/api/admin/products/get?id=1").await.1;
    let mut broken = png(64, 64);
    broken.truncate(80);
    for (bytes, name, mime) in [
        (b"GIF89a\x01\x00\x01\x00".to_vec(), "a.png", "image/png"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
            "a.svg",
            "image/svg+xml",
        ),
        (b"just text".to_vec(), "a.jpg", "image/jpeg"),
        (broken, "broken.png", "image/png"),
        (vec![0u8; 5 * 1024 * 1024 + 1], "huge.png", "image/png"),
        (Vec::new(), "empty.png", "image/png"),
    ] {
        let (status, body) = admin
            .post_multipart("/api/admin/products/picture", upload(1, bytes, name, mime))
            .await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        assert_eq!(body["details"]["field"], "image", "{name}: {body}");
    }
    // Not multipart at all.
    let (status, body) = admin
        .post_json("/api/admin/products/picture", &json!({"product_id": 1}))
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    let after: Value = admin.get_json("/api/admin/products/get?id=1").await.1;
    assert_eq!(before["image"], after["image"]);

    // A good one, whatever it is called: stored under its hash, served for good.
    let good = png(900, 600);
    let (status, product) = admin
        .post_multipart(
            "/api/admin/products/picture",
            upload(1, good, "../../etc/passwd", "text/plain"),
        )
        .await;
    assert_eq!(status, 200, "{product}");
    let image = product["image"].as_str().unwrap();
    assert!(
        image.starts_with("/uploads/") && image.ends_with("-card.jpg"),
        "{image}"
    );
    assert!(!image.contains("passwd"));
    let res = app.get(image).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let card = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((card.width(), card.height()), (400, 400));
    let shown = app.get_json("/api/products/get?id=1").await.1;
    assert_eq!(shown["image"], image);
    assert_eq!(app.get("/uploads/../Cargo.toml").await.status(), 404);
}

async fn the_last_admin_stays(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.staff("first_admin", Role::Admin).await;
    let (status, body) = first
        .post_json(
            "/api/admin/staff/revoke",
            &json!({"login_id": "first_admin"}),
        )
        .await;
    assert_error(status, &body, 409, "LAST_ADMIN");
    let (status, body) = first
        .post_json(
            "/api/admin/staff/grant",
            &json!({"login_id": "first_admin", "role": "support"}),
        )
        .await;
    assert_error(status, &body, 409, "LAST_ADMIN");

    // Two admins stepping each other down at once: one of them stays.
    let second = app.staff("second_admin", Role::Admin).await;
    let answers = post_concurrently(vec![
        first.post_request(
            "/api/admin/staff/revoke",
            json!({"login_id": "second_admin"}),
        ),
        second.post_request(
            "/api/admin/staff/revoke",
            json!({"login_id": "first_admin"}),
        ),
    ])
    .await;
    let admins = count(
        &app,
        "SELECT COUNT(*) FROM staff_roles WHERE role = 'admin'",
    )
    .await;
    assert_eq!(admins, 1, "{answers:?}");
    assert!(answers.iter().any(|(s, _)| *s == 200), "{answers:?}");

    // Granting from the web: the list comes back.
    let survivor = if answers[0].0 == 200 { &first } else { &second };
    app.visitor().signup("new_clerk").await;
    let (status, list) = survivor
        .post_json(
            "/api/admin/staff/grant",
            &json!({"login_id": "NEW_CLERK", "role": "order_manager"}),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["login_id"] == "new_clerk" && m["role"] == "order_manager"));
    let me = app.visitor();
    me.login("new_clerk", "correct horse").await;
    assert_eq!(me.get_json("/api/me").await.1["role"], "order_manager");
}

async fn the_audit_log_filters_and_a_failed_action_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.staff("boss", Role::Admin).await;
    let clerk = app.staff("clerk", Role::CatalogManager).await;
    clerk
        .post_json(
            "/api/admin/products/price",
            &json!({"product_id": 5, "price": 4321}),
        )
        .await;
    admin
        .post_json(
            "/api/admin/stock/adjust",
            &json!({"product_id": 11, "delta": 1, "reason": "received"}),
        )
        .await;
    // Refused: nothing written.
    admin
        .post_json(
            "/api/admin/stock/adjust",
            &json!({"product_id": 11, "delta": -1_000_000, "reason": "damaged"}),
        )
        .await;
    let log = admin.get_json("/api/admin/audit").await.1;
    assert_eq!(log["total"], 2, "{log}");
    assert_eq!(log["items"][0]["kind"], "stock.adjusted");
    let by_clerk = admin.get_json("/api/admin/audit?actor=CLERK").await.1;
    assert_eq!(by_clerk["total"], 1);
    assert_eq!(by_clerk["items"][0]["kind"], "product.price");
    let prices = admin
        .get_json("/api/admin/audit?kind=product.price")
        .await
        .1;
    assert_eq!(prices["total"], 1);
    let (status, body) = admin.get_json("/api/admin/audit?kind=nonsense").await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    // The clerk may not read it.
    let (status, body) = clerk.get_json("/api/admin/audit").await;
    assert_error(status, &body, 403, "FORBIDDEN");
}

async fn the_command_line_makes_the_first_admin(backend: Backend) {
    use server::cli::{staff, StaffAction};
    let config = server::config::Config::for_tests(fresh_database(backend).await);
    let app = spawn_app_with(config.clone()).await;
    let alice = app.visitor();
    alice.signup("alice").await;
    let (status, body) = alice.get_json("/api/admin/dashboard").await;
    assert_error(status, &body, 403, "FORBIDDEN");

    let grant = |login: &str, role| StaffAction::Grant {
        login_id: login.to_string(),
        role,
    };
    staff(&config, grant("Alice", Role::Admin)).await.unwrap();
    let (status, body) = alice.get_json("/api/admin/dashboard").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "admin");
    // The last admin stays; an unknown user is an error; both change nothing.
    let err = staff(
        &config,
        StaffAction::Revoke {
            login_id: "alice".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("LAST_ADMIN"), "{err}");
    let err = staff(&config, grant("nobody", Role::Support))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("USER_NOT_FOUND"), "{err}");
    staff(&config, StaffAction::List).await.unwrap();
    // Audited, with no staff member as its author.
    let log = alice.get_json("/api/admin/audit").await.1;
    assert_eq!(log["total"], 1, "{log}");
    assert_eq!(log["items"][0]["kind"], "staff.granted");
    assert_eq!(log["items"][0]["actor"], Value::Null);
    assert_eq!(log["items"][0]["summary"], "shopper → admin");
}
