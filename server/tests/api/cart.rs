//! The cart: guests and users, bounds, merging on login, persistence.

use crate::helpers::{
    assert_error, fresh_database, post_concurrently, spawn_app, spawn_app_with, TestApp,
};
use crate::on_both_backends;
use app::db::Backend;
use serde_json::{json, Value};
use server::config::Config;

on_both_backends!(
    a_guest_fills_changes_and_empties_a_cart,
    adding_twice_raises_the_line_up_to_ninety_nine,
    bad_quantities_and_products_are_refused,
    the_guest_cart_merges_into_the_users_on_login,
    a_users_cart_survives_a_restart,
    lines_say_when_the_price_or_stock_changed,
    concurrent_adds_all_count,
    concurrent_adds_of_new_products_never_pass_the_line_cap,
);

async fn add(app: &TestApp, product_id: i64, quantity: Value) -> (u16, Value) {
    app.post_json(
        "/api/cart/add",
        &json!({"product_id": product_id, "quantity": quantity}),
    )
    .await
}

fn quantities(cart: &Value) -> Vec<(i64, i64)> {
    cart["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["product_id"].as_i64().unwrap(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn price(app: &TestApp, id: i64) -> i64 {
    app.get_json(&format!("/api/products/get?id={id}")).await.1["price"]
        .as_i64()
        .unwrap()
}

async fn a_guest_fills_changes_and_empties_a_cart(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, cart) = app.get_json("/api/cart").await;
    assert_eq!(status, 200);
    assert_eq!(cart["lines"], json!([]));
    assert_eq!(cart["total"], 0);

    let (status, cart) = add(&app, 5, json!(2)).await;
    assert_eq!(status, 200, "{cart}");
    let p1 = price(&app, 5).await;
    let line = &cart["lines"][0];
    assert_eq!(line["product_id"], 5);
    assert_eq!(line["quantity"], 2);
    assert_eq!(line["price"], p1);
    assert_eq!(line["line_total"], 2 * p1);
    assert!(line["name"].as_str().is_some());
    // Quantity defaults to one; form bodies work too.
    let (status, cart) = app
        .post_form_json("/api/cart/add", &[("product_id", "11")])
        .await;
    assert_eq!(status, 200, "{cart}");
    assert_eq!(quantities(&cart), vec![(5, 2), (11, 1)]);
    let p2 = price(&app, 11).await;
    assert_eq!(cart["total"], 2 * p1 + p2);
    assert_eq!(cart["item_count"], 3);

    let (status, cart) = app
        .post_json("/api/cart/set", &json!({"product_id": 11, "quantity": 5}))
        .await;
    assert_eq!(status, 200, "{cart}");
    assert_eq!(quantities(&cart), vec![(5, 2), (11, 5)]);
    let (status, cart) = app
        .post_json("/api/cart/remove", &json!({"product_id": 5}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(quantities(&cart), vec![(11, 5)]);
    // Removing what is not there changes nothing.
    let (status, cart) = app
        .post_json("/api/cart/remove", &json!({"product_id": 5}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(quantities(&cart), vec![(11, 5)]);
    // Another visitor has a cart of their own.
    let (_, other) = app.visitor().get_json("/api/cart").await;
    assert_eq!(other["lines"], json!([]));
}

async fn adding_twice_raises_the_line_up_to_ninety_nine(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.visitor();
    user.signup("olga").await;
    for visitor in [&app, &user] {
        add(visitor, 34, json!(60)).await;
        let (_, cart) = add(visitor, 34, json!(30)).await;
        assert_eq!(quantities(&cart), vec![(34, 90)]);
        let (status, cart) = add(visitor, 34, json!(30)).await;
        assert_eq!(status, 200);
        assert_eq!(quantities(&cart), vec![(34, 99)], "capped at 99");
    }
}

async fn bad_quantities_and_products_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.visitor();
    user.signup("petra").await;
    for visitor in [&app, &user] {
        for quantity in [
            json!(0),
            json!(100),
            json!(-1),
            json!(1.5),
            json!("two"),
            json!(""),
        ] {
            let path = "/api/cart/set";
            let (status, body) = visitor
                .post_json(path, &json!({"product_id": 5, "quantity": quantity}))
                .await;
            assert_error(status, &body, 400, "INVALID_QUANTITY");
            assert_eq!(body["details"]["field"], "quantity");
        }
        for quantity in [json!(0), json!(100), json!("x")] {
            let (status, body) = add(visitor, 5, quantity).await;
            assert_error(status, &body, 400, "INVALID_QUANTITY");
        }
        let (status, body) = add(visitor, 999_999, json!(1)).await;
        assert_error(status, &body, 404, "PRODUCT_NOT_FOUND");
        let (status, body) = visitor
            .post_json("/api/cart/remove", &json!({"product_id": "nope"}))
            .await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        // A sold-out product (one without options: it needs no variant) cannot be added.
        let (_, all) = visitor.get_json("/api/products?per_page=100").await;
        let sold_out = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["stock"] == 0 && p["has_options"] == false)
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let (status, body) = add(visitor, sold_out, json!(1)).await;
        assert_error(status, &body, 409, "INSUFFICIENT_STOCK");
        let (_, cart) = visitor.get_json("/api/cart").await;
        assert_eq!(cart["lines"], json!([]), "nothing was added");
    }
}

async fn the_guest_cart_merges_into_the_users_on_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let phone = app.visitor();
    phone.signup("quentin").await;
    add(&phone, 5, json!(2)).await;
    add(&phone, 20, json!(98)).await;

    let laptop = app.visitor();
    add(&laptop, 5, json!(3)).await;
    add(&laptop, 11, json!(1)).await;
    add(&laptop, 20, json!(5)).await;
    let (status, body) = laptop.login("quentin", "correct horse").await;
    assert_eq!(status, 200, "{body}");
    let (_, cart) = laptop.get_json("/api/cart").await;
    let mut merged = quantities(&cart);
    merged.sort();
    assert_eq!(merged, vec![(5, 5), (11, 1), (20, 99)]);
    // The same cart on the other device: it lives in the database.
    let (_, on_phone) = phone.get_json("/api/cart").await;
    let mut phone_lines = quantities(&on_phone);
    phone_lines.sort();
    assert_eq!(phone_lines, merged);
    // The guest cart was emptied: logging out leaves an empty guest cart.
    laptop.post_json("/api/logout", &json!({})).await;
    let (_, guest) = laptop.get_json("/api/cart").await;
    assert_eq!(guest["lines"], json!([]));
}

async fn a_users_cart_survives_a_restart(backend: Backend) {
    let database = fresh_database(backend).await;
    let first = spawn_app_with(Config::for_tests(database.clone())).await;
    first.signup("rosa").await;
    let (status, body) = add(&first, 5, json!(3)).await;
    assert_eq!(status, 200, "{body}");
    // A second instance on the same database: fresh process state.
    let second = spawn_app_with(Config::for_tests(database)).await;
    let visitor = second.visitor();
    let (status, body) = visitor.login("rosa", "correct horse").await;
    assert_eq!(status, 200, "{body}");
    let (_, cart) = visitor.get_json("/api/cart").await;
    assert_eq!(quantities(&cart), vec![(5, 3)]);
}

async fn lines_say_when_the_price_or_stock_changed(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup("sven").await;
    add(&app, 5, json!(2)).await;
    add(&app, 11, json!(3)).await;
    let old = price(&app, 5).await;
    sqlx::query("UPDATE variants SET price = price + 1000 WHERE product_id = 5")
        .execute(app.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE variants SET stock = 1 WHERE product_id = 11")
        .execute(app.db.pool())
        .await
        .unwrap();
    let (_, cart) = app.get_json("/api/cart").await;
    let lines = cart["lines"].as_array().unwrap();
    assert_eq!(lines[0]["price"], old + 1000);
    assert_eq!(lines[0]["price_was"], old);
    assert_eq!(lines[0]["line_total"], 2 * (old + 1000));
    assert_eq!(lines[1]["price_was"], Value::Null);
    assert_eq!(lines[1]["stock"], 1);
}

async fn concurrent_adds_all_count(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup("tom").await;
    let requests = (0..20)
        .map(|_| app.post_request("/api/cart/add", json!({"product_id": 12, "quantity": 2})))
        .collect();
    for (status, body) in post_concurrently(requests).await {
        assert_eq!(status, 200, "{body}");
    }
    let (_, cart) = app.get_json("/api/cart").await;
    assert_eq!(quantities(&cart), vec![(12, 40)]);
}

async fn concurrent_adds_of_new_products_never_pass_the_line_cap(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = app.signup("capped").await;
    // 80 more products: over 105 variants in stock; 95 of them already in the cart.
    for n in 0..80 {
        let (sku, name) = (format!("cap-{n}"), format!("Cap product {n}"));
        crate::helpers::insert_product(&app.db, &sku, &name, "Cap", 1000, 10).await;
    }
    // A line is a variant: every variant in stock, sizes included.
    let variants: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, product_id FROM variants WHERE stock > 0 ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert!(variants.len() >= 105, "{}", variants.len());
    for (variant, _) in &variants[..95] {
        sqlx::query(
            "INSERT INTO cart_items (user_id, product_id, variant_id, quantity, added_price, added_at) \
             SELECT $1, product_id, id, 1, 1000, 0 FROM variants WHERE id = $2",
        )
        .bind(user_id)
        .bind(variant)
        .execute(app.db.pool())
        .await
        .unwrap();
    }
    let requests = variants[95..105]
        .iter()
        .map(|(variant, product)| {
            app.post_request(
                "/api/cart/add",
                json!({"product_id": product, "variant_id": variant}),
            )
        })
        .collect();
    let answers = post_concurrently(requests).await;
    let added = answers.iter().filter(|(status, _)| *status == 200).count();
    for (status, body) in answers.iter().filter(|(status, _)| *status != 200) {
        assert_error(*status, body, 400, "BAD_REQUEST");
    }
    let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cart_items WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(lines, 100, "the cart is exactly full");
    assert_eq!(added, 5, "{answers:?}");
}
