//! Sizes and colours: options, a variant per combination, and the stock
//! rule per variant, through the whole shop.

use crate::{
    admin::assert_stock_is_its_history,
    helpers::{
        assert_error, fresh_database, post_concurrently, spawn_app, spawn_app_with, TestApp,
    },
    on_both_backends,
    orders::funded_shopper,
};
use app::{db::Backend, staff::Role};
use serde_json::{json, Value};
use server::config::Config;

on_both_backends!(
    options_make_a_variant_per_combination_and_keep_the_first_stock,
    a_product_with_options_needs_a_variant_in_every_line,
    a_cart_holds_two_sizes_of_one_shoe_and_the_order_keeps_their_labels,
    a_cancel_gives_the_stock_back_to_its_variant,
    forty_buyers_race_for_three_pairs_of_one_size,
    staff_add_values_retire_them_and_change_a_variant,
);

/// A shoe made by staff: `sizes` (Korean = English) with `stocks` each.
/// Returns (product id, the variants as the product page lists them).
async fn shoe(catalog: &TestApp, sku: &str, sizes: &[&str], stocks: &[i64]) -> (i64, Vec<Value>) {
    let (status, created) = catalog
        .post_json(
            "/api/admin/products",
            &json!({"sku": sku, "name": "러너", "name_en": "Runner", "brand": "Hanbit",
                    "price": "50000", "stock": "0"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let values: Vec<Value> = sizes
        .iter()
        .map(|s| json!({"value": s, "value_en": s}))
        .collect();
    let (status, detail) = catalog
        .post_json(
            "/api/admin/products/options",
            &json!({"product_id": id, "options": [{"name": "사이즈", "name_en": "Size", "values": values}]}),
        )
        .await;
    assert_eq!(status, 200, "{detail}");
    let variants = detail["variants"].as_array().unwrap().clone();
    for (variant, stock) in variants.iter().zip(stocks) {
        if *stock > 0 {
            let (status, body) = catalog
                .post_json(
                    "/api/admin/stock/adjust",
                    &json!({"product_id": id, "variant_id": variant["variant_id"], "delta": stock,
                            "reason": "received"}),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    }
    (id, variants)
}

async fn options_make_a_variant_per_combination_and_keep_the_first_stock(backend: Backend) {
    let app = spawn_app(backend).await;
    let catalog = app.staff("opt_catalog", Role::CatalogManager).await;
    // A product with stock and a history, before it has options.
    let (status, created) = catalog
        .post_json(
            "/api/admin/products",
            &json!({"sku": "HOOD", "name": "후드티", "name_en": "Hoodie", "brand": "Pado",
                    "price": "39000", "stock": "7"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (status, detail) = catalog
        .post_json(
            "/api/admin/products/options",
            &json!({"product_id": id, "options": [
                {"name": "사이즈", "name_en": "Size", "values": [{"value": "S"}, {"value": "M"}, {"value": "L"}]},
                {"name": "색상", "name_en": "Colour", "values": [
                    {"value": "블랙", "value_en": "Black"}, {"value": "화이트", "value_en": "White"}]},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{detail}");
    let variants = detail["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 6, "{detail}");
    // The product's one variant became the first combination, with its
    // SKU and its 7; the others start at 0 with SKUs of their own.
    assert_eq!(variants[0]["sku"], "HOOD");
    assert_eq!(variants[0]["label"], "사이즈 S / 색상 블랙");
    assert_eq!(variants[0]["label_en"], "Size S / Colour Black");
    assert_eq!(variants[0]["stock"], 7);
    assert!(variants[1..]
        .iter()
        .all(|v| v["stock"] == 0 && v["price"] == 39000));
    let skus: std::collections::HashSet<&str> = variants
        .iter()
        .map(|v| v["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus.len(), 6, "{skus:?}");
    assert_eq!(detail["stock"], 7);
    // Shoppers read it in their language.
    let (_, ko) = app.get_json(&format!("/api/products/get?id={id}")).await;
    assert_eq!(
        ko["options"][1],
        json!({"name": "색상", "values": ["블랙", "화이트"]})
    );
    assert_eq!(
        ko["variants"][0]["options"],
        json!({"사이즈": "S", "색상": "블랙"})
    );
    assert_eq!(ko["has_options"], true);
    let english = app.visitor_speaking("en");
    let (_, en) = english
        .get_json(&format!("/api/products/get?id={id}"))
        .await;
    assert_eq!(
        en["options"][0],
        json!({"name": "Size", "values": ["S", "M", "L"]})
    );
    assert_eq!(en["variants"][3]["label"], "Size M / Colour White");
    // The lists keep their shape: the lowest price, the sum of the stock.
    let (_, list) = app.get_json("/api/products?brand=Pado&per_page=100").await;
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(
        (listed["price"].clone(), listed["stock"].clone()),
        (json!(39000), json!(7))
    );
    assert!(listed.get("variants").is_none());
    // Setting the same options again creates nothing.
    let (status, again) = catalog
        .post_json(
            "/api/admin/products/options",
            &json!({"product_id": id, "options": [
                {"name": "사이즈", "name_en": "Size", "values": [{"value": "S"}, {"value": "M"}, {"value": "L"}]},
                {"name": "색상", "name_en": "Colour", "values": [
                    {"value": "블랙", "value_en": "Black"}, {"value": "화이트", "value_en": "White"}]},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["variants"].as_array().unwrap().len(), 6);
    // Bad options: named fields, nothing written.
    for (options, code, field) in [
        (
            json!([{"name": "", "values": [{"value": "1"}]}]),
            "BAD_REQUEST",
            "options[0].name",
        ),
        (
            json!([{"name": "a", "values": [{"value": "1"}, {"value": "1"}]}]),
            "BAD_REQUEST",
            "options[0].values[1].value",
        ),
        (
            json!([{"name": "사이즈", "values": [{"value": "S"}]}]),
            "BAD_REQUEST",
            "options",
        ),
    ] {
        let (status, body) = catalog
            .post_json(
                "/api/admin/products/options",
                &json!({"product_id": id, "options": options}),
            )
            .await;
        assert_error(status, &body, 400, code);
        assert_eq!(body["details"]["field"], field, "{body}");
    }
    let eleven: Vec<Value> = (0..11).map(|n| json!({"value": n.to_string()})).collect();
    let (status, body) = catalog
        .post_json(
            "/api/admin/products/options",
            &json!({"product_id": id, "options": [
                {"name": "사이즈", "values": eleven}, {"name": "색상", "values": eleven},
            ]}),
        )
        .await;
    assert_error(status, &body, 400, "TOO_MANY_VARIANTS");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM variants WHERE product_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 6, "a refused change writes nothing");
    assert_stock_is_its_history(&app).await;
}

async fn a_product_with_options_needs_a_variant_in_every_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let catalog = app.staff("need_catalog", Role::CatalogManager).await;
    let (id, variants) = shoe(&catalog, "NEED", &["260", "270"], &[0, 5]).await;
    let (other, other_variants) = shoe(&catalog, "OTHER", &["250"], &[5]).await;
    let shopper = app.visitor();
    funded_shopper(&shopper, "needy", 500_000).await;
    let address = shopper.add_address().await;
    let (status, body) = shopper
        .post_json("/api/cart/add", &json!({"product_id": id}))
        .await;
    assert_error(status, &body, 400, "VARIANT_REQUIRED");
    assert_eq!(body["details"]["field"], "variant_id");
    for variant in [json!(other_variants[0]["variant_id"]), json!(999_999)] {
        let (status, body) = shopper
            .post_json(
                "/api/cart/add",
                &json!({"product_id": id, "variant_id": variant}),
            )
            .await;
        assert_error(status, &body, 404, "VARIANT_NOT_FOUND");
    }
    let (status, body) = shopper
        .post_json(
            "/api/cart/add",
            &json!({"product_id": id, "variant_id": "big"}),
        )
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["field"], "variant_id");
    // Size 260 is sold out: refused; 270 goes in.
    let (status, body) = shopper
        .post_json(
            "/api/cart/add",
            &json!({"product_id": id, "variant_id": variants[0]["variant_id"]}),
        )
        .await;
    assert_error(status, &body, 409, "INSUFFICIENT_STOCK");
    let (status, cart) = shopper
        .post_json(
            "/api/cart/add",
            &json!({"product_id": id, "variant_id": variants[1]["variant_id"]}),
        )
        .await;
    assert_eq!(status, 200, "{cart}");
    // An order names the variant too.
    let (status, body) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"address_id": address, "idempotency_key": "need-variant-1", "items": [{"product_id": id, "quantity": 1}]}),
        )
        .await;
    assert_error(status, &body, 400, "VARIANT_REQUIRED");
    let (status, body) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"address_id": address, "idempotency_key": "need-variant-2",
                    "items": [{"product_id": other, "variant_id": variants[1]["variant_id"], "quantity": 1}]}),
        )
        .await;
    assert_error(status, &body, 404, "VARIANT_NOT_FOUND");
    // Out of stock per variant, named in the problems.
    let (status, body) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"address_id": address, "idempotency_key": "need-variant-3",
                    "items": [{"product_id": id, "variant_id": variants[1]["variant_id"], "quantity": 6}]}),
        )
        .await;
    assert_error(status, &body, 409, "INSUFFICIENT_STOCK");
    let problem = &body["details"]["problems"][0];
    assert_eq!(problem["variant_id"], variants[1]["variant_id"], "{body}");
    assert_eq!(problem["sku"], variants[1]["sku"]);
    assert_eq!(problem["label"], "Size 270");
    assert_eq!(problem["left"], 5);
    // A variant off sale is not found for shoppers.
    let (status, body) = catalog
        .post_json(
            "/api/admin/variants/update",
            &json!({"variant_id": variants[1]["variant_id"], "on_sale": "false"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = shopper
        .post_json(
            "/api/cart/add",
            &json!({"product_id": id, "variant_id": variants[1]["variant_id"]}),
        )
        .await;
    assert_error(status, &body, 404, "VARIANT_NOT_FOUND");
    let (status, body) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"address_id": address, "idempotency_key": "need-variant-4",
                    "items": [{"product_id": id, "variant_id": variants[0]["variant_id"], "quantity": 1},
                              {"product_id": id, "variant_id": variants[1]["variant_id"], "quantity": 1}]}),
        )
        .await;
    assert_error(status, &body, 404, "VARIANT_NOT_FOUND");
    // The cart line stays, unavailable, and can still be taken out.
    let (_, cart) = shopper.get_json("/api/cart").await;
    assert_eq!(cart["lines"][0]["available"], false, "{cart}");
    let (status, cart) = shopper
        .post_json(
            "/api/cart/remove",
            &json!({"product_id": id, "variant_id": variants[1]["variant_id"]}),
        )
        .await;
    assert_eq!(status, 200, "{cart}");
    assert_eq!(cart["lines"], json!([]));
    // Staff name the variant to move the stock of a product with options.
    let (status, body) = catalog
        .post_json(
            "/api/admin/stock/adjust",
            &json!({"product_id": id, "delta": 1, "reason": "received"}),
        )
        .await;
    assert_error(status, &body, 400, "VARIANT_REQUIRED");
    let (status, body) = catalog
        .post_json(
            "/api/admin/products/price",
            &json!({"product_id": id, "price": 1000}),
        )
        .await;
    assert_error(status, &body, 400, "VARIANT_REQUIRED");
}

async fn a_cart_holds_two_sizes_of_one_shoe_and_the_order_keeps_their_labels(backend: Backend) {
    let app = spawn_app(backend).await;
    let catalog = app.staff("two_catalog", Role::CatalogManager).await;
    let (id, variants) = shoe(&catalog, "TWO", &["260", "270"], &[4, 4]).await;
    // Size 270 costs more.
    let (status, body) = catalog
        .post_json(
            "/api/admin/variants/update",
            &json!({"variant_id": variants[1]["variant_id"], "price": "55000"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["price"], 55000);
    let shopper = app.visitor();
    funded_shopper(&shopper, "two_sizes", 500_000).await;
    let address = shopper.add_address().await;
    for (variant, quantity) in [(&variants[0], 1), (&variants[1], 2)] {
        let (status, body) = shopper
            .post_json(
                "/api/cart/add",
                &json!({"product_id": id, "variant_id": variant["variant_id"], "quantity": quantity}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, cart) = shopper.get_json("/api/cart").await;
    let lines = cart["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{cart}");
    assert_eq!(lines[0]["label"], "사이즈 260");
    assert_eq!(lines[1]["label"], "사이즈 270");
    assert_eq!(cart["total"], 50_000 + 2 * 55_000);
    let (status, placed) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"address_id": address, "idempotency_key": "two-sizes-1", "from_cart": true}),
        )
        .await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["total"], 160_000);
    let order = placed["order_id"].as_i64().unwrap();
    let (_, read) = shopper
        .get_json(&format!("/api/orders/get?id={order}"))
        .await;
    let items = read["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (
            items[1]["label"].clone(),
            items[1]["sku"].clone(),
            items[1]["unit_price"].clone()
        ),
        (
            json!("사이즈 270"),
            variants[1]["sku"].clone(),
            json!(55000)
        )
    );
    // The stock moved per variant.
    let (_, product) = app.get_json(&format!("/api/products/get?id={id}")).await;
    assert_eq!(product["variants"][0]["stock"], 3);
    assert_eq!(product["variants"][1]["stock"], 2);
    assert_eq!(product["stock"], 5);
    // The data platform hears of the variants.
    let payload: String = sqlx::query_scalar(
        "SELECT payload FROM outbox WHERE kind = 'order.placed' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let event: Value = serde_json::from_str(&payload).unwrap();
    let sold: Vec<(i64, String)> = event["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["variant_id"].as_i64().unwrap(),
                i["sku"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        sold,
        variants
            .iter()
            .map(|v| (
                v["variant_id"].as_i64().unwrap(),
                v["sku"].as_str().unwrap().to_string()
            ))
            .collect::<Vec<_>>()
    );
    assert_stock_is_its_history(&app).await;
}

async fn a_cancel_gives_the_stock_back_to_its_variant(backend: Backend) {
    let app = spawn_app(backend).await;
    let catalog = app.staff("back_catalog", Role::CatalogManager).await;
    let (id, variants) = shoe(&catalog, "BACK", &["250", "260", "270"], &[2, 2, 2]).await;
    let shopper = app.visitor();
    funded_shopper(&shopper, "backer", 500_000).await;
    let address = shopper.add_address().await;
    let (status, placed) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"address_id": address, "idempotency_key": "back-order-1",
                    "items": [{"product_id": id, "variant_id": variants[1]["variant_id"], "quantity": 2}]}),
        )
        .await;
    assert_eq!(status, 201, "{placed}");
    let (status, body) = shopper
        .post_json(
            "/api/orders/cancel",
            &json!({"order_id": placed["order_id"], "idempotency_key": "back-cancel-1"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let stocks: Vec<i64> =
        sqlx::query_scalar("SELECT stock FROM variants WHERE product_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(stocks, vec![2, 2, 2]);
    let moved: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT variant_id, delta FROM stock_movements WHERE reason = 'cancel' AND order_id = $1",
    )
    .bind(placed["order_id"].as_i64().unwrap())
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        moved,
        vec![(variants[1]["variant_id"].as_i64().unwrap(), 2)]
    );
    let payload: String = sqlx::query_scalar(
        "SELECT payload FROM outbox WHERE kind = 'order.cancelled' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let event: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(event["items"][0]["variant_id"], variants[1]["variant_id"]);
    assert_eq!(event["items"][0]["sku"], variants[1]["sku"]);
    assert_stock_is_its_history(&app).await;
}

/// 40 buyers (on two instances where the backend allows) race: 20 for
/// the 3 pairs of size 270, 20 for other sizes that have enough. Exactly
/// 3 of 270 are sold, every other buyer gets theirs, and no size is
/// touched by another's sales.
async fn forty_buyers_race_for_three_pairs_of_one_size(backend: Backend) {
    let database = fresh_database(backend).await;
    let first = spawn_app_with(Config::for_tests(database.clone())).await;
    let second = match backend {
        Backend::Postgres => spawn_app_with(Config::for_tests(database)).await,
        Backend::Sqlite => first.visitor(),
    };
    let catalog = first.staff("race_catalog", Role::CatalogManager).await;
    let (id, variants) = shoe(&catalog, "RACE", &["250", "260", "270"], &[10, 10, 3]).await;
    let mut requests = Vec::new();
    for i in 0..40 {
        let instance = if i % 2 == 0 { &first } else { &second };
        let buyer = instance.visitor();
        funded_shopper(&buyer, &format!("racer_{i}"), 100_000).await;
        let address = buyer.add_address().await;
        let variant = if i < 20 {
            &variants[2]
        } else {
            &variants[i % 2]
        };
        requests.push(buyer.post_request(
            "/api/orders/place",
            json!({"address_id": address, "idempotency_key": format!("race-size-{i:04}"),
                   "items": [{"product_id": id, "variant_id": variant["variant_id"], "quantity": 1}]}),
        ));
    }
    let answers = post_concurrently(requests).await;
    let mut sold_270 = 0;
    for (i, (status, body)) in answers.iter().enumerate() {
        if i < 20 {
            match status {
                201 => sold_270 += 1,
                409 => assert_eq!(body["code"], "INSUFFICIENT_STOCK", "{body}"),
                _ => panic!("{status} {body}"),
            }
        } else {
            assert_eq!(*status, 201, "another size always sells: {body}");
        }
    }
    assert_eq!(sold_270, 3);
    let stocks: Vec<i64> =
        sqlx::query_scalar("SELECT stock FROM variants WHERE product_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(first.db.pool())
            .await
            .unwrap();
    assert_eq!(stocks, vec![0, 0, 0]);
    assert_stock_is_its_history(&first).await;
}

async fn staff_add_values_retire_them_and_change_a_variant(backend: Backend) {
    let app = spawn_app(backend).await;
    let catalog = app.staff("retire_catalog", Role::CatalogManager).await;
    let (id, variants) = shoe(&catalog, "RET", &["260", "270"], &[3, 3]).await;
    let shopper = app.visitor();
    funded_shopper(&shopper, "retiree", 500_000).await;
    let address = shopper.add_address().await;
    let (status, placed) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"address_id": address, "idempotency_key": "retire-1",
                    "items": [{"product_id": id, "variant_id": variants[0]["variant_id"], "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "{placed}");
    // 260 is taken out, 280 added: 260's variant stays, off sale; 280's
    // is new, at 0.
    let (status, detail) = catalog
        .post_json(
            "/api/admin/products/options",
            &json!({"product_id": id, "options": [{"name": "사이즈", "name_en": "Size",
                    "values": [{"value": "270"}, {"value": "280"}]}]}),
        )
        .await;
    assert_eq!(status, 200, "{detail}");
    let all = detail["variants"].as_array().unwrap();
    assert_eq!(all.len(), 3, "{detail}");
    let by_label = |label: &str| all.iter().find(|v| v["label"] == label).unwrap().clone();
    assert_eq!(by_label("사이즈 260")["on_sale"], false);
    assert_eq!(by_label("사이즈 260")["stock"], 2);
    assert_eq!(by_label("사이즈 280")["stock"], 0);
    assert_eq!(
        detail["options"][0]["values"][2],
        json!({"value": "260", "value_en": "260", "retired": true})
    );
    // Shoppers no longer see 260; the order still reads it.
    let (_, product) = app.get_json(&format!("/api/products/get?id={id}")).await;
    assert_eq!(product["options"][0]["values"], json!(["270", "280"]));
    assert_eq!(product["variants"].as_array().unwrap().len(), 2);
    let (_, order) = shopper
        .get_json(&format!("/api/orders/get?id={}", placed["order_id"]))
        .await;
    assert_eq!(order["items"][0]["label"], "사이즈 260");
    // A retired value's variant cannot go back on sale.
    let (status, body) = catalog
        .post_json(
            "/api/admin/variants/update",
            &json!({"variant_id": by_label("사이즈 260")["variant_id"], "on_sale": "true"}),
        )
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    // An option cannot be taken away.
    let (status, body) = catalog
        .post_json("/api/admin/products/options", &json!({"product_id": id}))
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    // A new SKU, unique; a new price, kept per variant; the listed price
    // follows the lowest on sale.
    let v270 = by_label("사이즈 270")["variant_id"].clone();
    let (status, body) = catalog
        .post_json(
            "/api/admin/variants/update",
            &json!({"variant_id": v270, "sku": "RET"}),
        )
        .await;
    assert_error(status, &body, 409, "SKU_TAKEN");
    let (status, body) = catalog
        .post_json(
            "/api/admin/variants/update",
            &json!({"variant_id": v270, "sku": "RET-270", "price": "45000"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["sku"].clone(), body["price"].clone()),
        (json!("RET-270"), json!(45000))
    );
    let (_, detail) = catalog
        .get_json(&format!("/api/admin/products/get?id={id}"))
        .await;
    assert_eq!(detail["price"], 45000, "the lowest on sale");
    assert_eq!(detail["price_history"][0]["sku"], "RET-270");
    assert_eq!(detail["price_history"][0]["to"], 45000);
    let (status, body) = catalog
        .post_json(
            "/api/admin/variants/update",
            &json!({"variant_id": 999_999, "price": "1"}),
        )
        .await;
    assert_error(status, &body, 404, "VARIANT_NOT_FOUND");
    // Every change is in the audit log.
    let admin = app.staff("retire_admin", Role::Admin).await;
    let (_, log) = admin
        .get_json("/api/admin/audit?kind=variant.updated")
        .await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1, "{log}");
    let (_, log) = admin
        .get_json("/api/admin/audit?kind=product.options")
        .await;
    assert_eq!(log["items"].as_array().unwrap().len(), 2, "{log}");
    assert_stock_is_its_history(&app).await;
}
