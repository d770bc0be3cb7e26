//! Hostile input beyond what the fuzzer sends: every one gets a 4xx with a
//! code, nothing is written, and nothing is reflected unescaped.

use crate::helpers::{assert_error, spawn_app, TestApp};
use crate::on_both_backends;
use app::db::Backend;
use serde_json::{json, Value};

on_both_backends!(
    oversized_and_malformed_bodies_are_refused,
    numbers_past_i64_are_refused,
    control_characters_and_long_text_are_refused,
    markup_is_never_reflected_unescaped,
    sql_metacharacters_are_just_text,
);

/// What a request could have written.
async fn written(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "users",
        "orders",
        "point_ledger",
        "cart_items",
        "likes",
        "outbox",
        "idempotency_keys",
    ] {
        counts.push(
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(app.db.pool())
                .await
                .unwrap(),
        );
    }
    counts
}

async fn raw_post(app: &TestApp, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn oversized_and_malformed_bodies_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup("hostile").await;
    let before = written(&app).await;
    let huge = format!(
        r#"{{"amount": 5, "pad": "{}"}}"#,
        "x".repeat(3 * 1024 * 1024)
    );
    let (status, body) = raw_post(
        &app,
        "/api/points/charge",
        "application/json",
        huge.into_bytes(),
    )
    .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    let huge_form = format!("amount=5&pad={}", "x".repeat(3 * 1024 * 1024));
    let (status, body) = raw_post(
        &app,
        "/api/points/charge",
        "application/x-www-form-urlencoded",
        huge_form.into_bytes(),
    )
    .await;
    assert!((400..500).contains(&status), "{status} {body}");
    assert!(body["code"].is_string(), "{body}");

    let nested = format!("{{\"amount\": {}1{}}}", "[".repeat(5000), "]".repeat(5000));
    let (status, body) = raw_post(
        &app,
        "/api/points/charge",
        "application/json",
        nested.into_bytes(),
    )
    .await;
    assert_error(status, &body, 400, "BAD_REQUEST");

    let (status, body) = raw_post(
        &app,
        "/api/points/charge",
        "application/json",
        b"{\"amount\": \"\xff\xfe\"}".to_vec(),
    )
    .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    let (status, body) = raw_post(
        &app,
        "/api/signup",
        "application/x-www-form-urlencoded",
        b"login_id=%FF%FE%FD&password=correct+horse".to_vec(),
    )
    .await;
    assert!((400..500).contains(&status), "{status} {body}");
    assert!(body["code"].is_string(), "{body}");
    assert_eq!(written(&app).await, before);
}

async fn numbers_past_i64_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup("bignum").await;
    let before = written(&app).await;
    for (path, body, code) in [
        (
            "/api/points/charge",
            r#"{"amount": 99999999999999999999999}"#,
            "INVALID_AMOUNT",
        ),
        (
            "/api/points/charge",
            r#"{"amount": -9223372036854775809}"#,
            "INVALID_AMOUNT",
        ),
        ("/api/points/charge", r#"{"amount": 1e400}"#, "BAD_REQUEST"),
        (
            "/api/cart/add",
            r#"{"product_id": 9223372036854775808}"#,
            "BAD_REQUEST",
        ),
        (
            "/api/cart/add",
            r#"{"product_id": 5, "quantity": 18446744073709551617}"#,
            "INVALID_QUANTITY",
        ),
        (
            "/api/orders/place",
            r#"{"idempotency_key": "bignum-key-1", "items": [{"product_id": 5, "quantity": 1, "price": 99999999999999999999}]}"#,
            "BAD_REQUEST",
        ),
    ] {
        let (status, answer) =
            raw_post(&app, path, "application/json", body.as_bytes().to_vec()).await;
        assert_error(status, &answer, 400, code);
    }
    let (status, answer) = app
        .get_json("/api/products?page=99999999999999999999")
        .await;
    assert_error(status, &answer, 400, "BAD_REQUEST");
    assert_eq!(written(&app).await, before);
}

async fn control_characters_and_long_text_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = written(&app).await;
    let long_query = "a".repeat(5_000);
    for (query, field) in [
        ("q=%00", "q"),
        ("q=bell%07", "q"),
        ("brand=Sora%00", "brand"),
        (&format!("q={long_query}") as &str, "q"),
        (&format!("brand={long_query}") as &str, "brand"),
    ] {
        let (status, body) = app.get_json(&format!("/api/products?{query}")).await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        assert_eq!(body["details"]["field"], field, "{query}");
    }
    assert_eq!(written(&app).await, before);
    // Signups with control characters or huge texts: `accounts::bad_signups_name_the_field`.
    app.signup("ctrl").await;
    let before_orders = written(&app).await;
    for key in ["key\u{0}nul-123", &"k".repeat(10_000)] {
        let (status, body) = app
            .post_json(
                "/api/orders/place",
                &json!({"idempotency_key": key, "items": [{"product_id": 5, "quantity": 1}]}),
            )
            .await;
        assert_error(status, &body, 400, "BAD_REQUEST");
    }
    assert_eq!(written(&app).await, before_orders);
}

async fn markup_is_never_reflected_unescaped(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app
        .post_json(
            "/api/signup",
            &json!({"login_id": "<script>alert(1)</script>", "password": "correct horse"}),
        )
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    let page = app
        .get("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&brand=%22%3E%3Cimg%20src%3Dx%3E")
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "search text reflected raw"
    );
    assert!(!html.contains("\"><img src=x>"), "brand reflected raw");
    let page = app
        .get("/login?next=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "next reflected raw"
    );
}

async fn sql_metacharacters_are_just_text(backend: Backend) {
    let app = spawn_app(backend).await;
    // A search is words: the quote, `=` and `--` separate them, so the
    // injection finds what "or 1" finds (names with "or…" and "1…", such as
    // "Single Origin Beans 1kg"), never the whole catalog.
    let (status, injected) = app
        .get_json("/api/products?per_page=100&q=%27%20OR%201%3D1%20--")
        .await;
    assert_eq!(status, 200, "{injected}");
    let (_, words) = app.get_json("/api/products?per_page=100&q=or%201").await;
    assert_eq!(injected, words);
    assert!(injected["total"].as_i64().unwrap() < 5, "{injected}");
    for query in [
        "brand=x%27%3B%20DROP%20TABLE%20products%3B%20--",
        "q=%25",
        "q=_",
        "q=%5C",
    ] {
        let (status, body) = app.get_json(&format!("/api/products?{query}")).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body["total"], 0, "{query} matched as a pattern: {body}");
    }
    let (_, all) = app.get_json("/api/products").await;
    assert!(
        all["total"].as_i64().unwrap() >= 30,
        "the catalog is intact"
    );
}
