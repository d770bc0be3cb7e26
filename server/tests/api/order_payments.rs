//! Paying an order with points and KakaoPay together, against the KakaoPay
//! sandbox (written from KakaoPay's documentation): the order waits for its
//! payment holding its stock, points and coupon; paid, it is placed and the
//! data platform hears of it once; given up, declined or never paid, all
//! of it comes back. Every way the money and the order can race is here:
//! a lost approval, replays on two instances, the reconciler, a flash sale
//! where buyers abandon.

use crate::helpers::{assert_error, fresh_database, insert_product, spawn_app_with, TestApp};
use crate::kakaopay::{balance, come_back, count, shop_config, Sandbox};
use crate::on_both_backends;
use app::{db::Backend, orders::paying, staff::Role};
use serde_json::{json, Value};
use server::config::Config;
use std::time::Duration;

on_both_backends!(
    points_and_kakaopay_pay_one_order_and_a_cancel_gives_both_back,
    an_abandoned_order_expires_and_everything_comes_back,
    a_lost_approval_is_placed_once_by_the_reconciler,
    cancelling_or_a_decline_at_kakaopay_cancels_the_order_at_once,
    twenty_returns_on_two_instances_place_once_and_the_key_replays,
    pay_now_replaces_the_payment_and_the_old_page_takes_nothing,
    a_refund_kakaopay_refuses_is_owed_until_the_reconciler_gives_it,
    a_flash_sale_never_holds_more_than_its_stock,
    without_a_payment_service_the_rest_is_refused,
);

/// The shop on `backend` with KakaoPay (the sandbox) and `hold` for an
/// order to be paid.
async fn shop_holding(backend: Backend, sandbox: &Sandbox, hold: Duration) -> TestApp {
    let mut config = shop_config(fresh_database(backend).await, sandbox);
    config.payment_hold = hold;
    spawn_app_with(config).await
}

const HOUR: Duration = Duration::from_secs(3600);

/// A shopper with `points` (given by staff) and an address.
async fn shopper_with(app: &TestApp, login: &str, points: i64) -> TestApp {
    let shopper = app.visitor_speaking("en-US");
    let user_id = shopper.signup(login).await;
    shopper.add_address().await;
    if points > 0 {
        let staff = app.staff(&format!("{login}_staff"), Role::Admin).await;
        let (status, body) = staff
            .post_json(
                "/api/admin/customers/points",
                &json!({"user_id": user_id, "delta": points, "reason": "test"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    shopper
}

/// Orders `quantity` of `product` with `points`; the answer.
async fn order(shopper: &TestApp, product: i64, quantity: i64, points: Value) -> (u16, Value) {
    let key = uuid::Uuid::new_v4().to_string();
    order_with_key(shopper, &key, product, quantity, points).await
}

async fn order_with_key(
    shopper: &TestApp,
    key: &str,
    product: i64,
    quantity: i64,
    points: Value,
) -> (u16, Value) {
    let mut body = json!({
        "idempotency_key": key,
        "items": [{"product_id": product, "quantity": quantity}],
        "address_id": shopper.default_address().await,
    });
    if !points.is_null() {
        body["points"] = points;
    }
    shopper.post_json("/api/orders/place", &body).await
}

async fn get_order(shopper: &TestApp, id: i64) -> Value {
    let (status, body) = shopper.get_json(&format!("/api/orders/get?id={id}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The latest charge of order `id`: `(charge id, status)`.
async fn charge_of(app: &TestApp, id: i64) -> (i64, String) {
    sqlx::query_as("SELECT id, status FROM charges WHERE order_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn stock(app: &TestApp, product: i64) -> i64 {
    count(
        app,
        "SELECT CAST(SUM(stock) AS BIGINT) FROM variants WHERE product_id = $1",
        product,
    )
    .await
}

/// Stock is the sum of its movements, for the product's variants.
async fn assert_stock_is_its_movements(app: &TestApp, product: i64) {
    let moved = count(
        app,
        "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM stock_movements WHERE product_id = $1",
        product,
    )
    .await;
    assert_eq!(stock(app, product).await, moved);
}

/// Events the data platform was sent (queued) about order `id`.
async fn events(app: &TestApp, kind: &str, id: i64) -> i64 {
    let sql = format!(
        "SELECT COUNT(*) FROM outbox WHERE kind = '{kind}' AND payload LIKE '%\"order_id\":' || CAST($1 AS TEXT) || ',%'"
    );
    count(app, &sql, id).await
}

async fn reconcile(app: &TestApp, sandbox: &Sandbox) -> usize {
    paying::reconcile(&app.db, &sandbox.client(), Duration::ZERO, 100)
        .await
        .unwrap()
}

async fn points_and_kakaopay_pay_one_order_and_a_cancel_gives_both_back(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop_holding(backend, &sandbox, HOUR).await;
    let boots = insert_product(&app.db, "BOOT-89", "Trail boots", "Hike", 89_000, 5).await;
    let shopper = shopper_with(&app, "mixed", 30_000).await;

    let (status, placed) = order(&shopper, boots, 1, json!(30_000)).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["status"], "awaiting_payment");
    assert_eq!(placed["total"], 89_000);
    assert_eq!(placed["points_used"], 30_000);
    assert_eq!(placed["to_pay"], 59_000);
    assert_eq!(placed["points_left"], 0);
    let redirect = placed["redirect_url"].as_str().unwrap().to_string();
    assert!(redirect.starts_with(&sandbox.base), "{redirect}");
    let id = placed["order_id"].as_i64().unwrap();
    // Held: the stock and the points are taken, the platform hears nothing.
    assert_eq!(stock(&app, boots).await, 4);
    assert_eq!(balance(&shopper).await, 0);
    assert_eq!(events(&app, "order.placed", id).await, 0);
    let waiting = get_order(&shopper, id).await;
    assert_eq!(waiting["status"], "awaiting_payment");
    assert!(waiting["pay_by"].as_i64().is_some());
    let (charge, _) = charge_of(&app, id).await;
    assert_eq!(sandbox.payment_of(charge).await["total_amount"], 59_000);

    let back = sandbox.press(&redirect, "pay").await;
    let (status, location, message) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/orders/{id}"));
    assert!(message.contains("59,000"), "{message:?}");
    let paid = get_order(&shopper, id).await;
    assert_eq!(paid["status"], "placed");
    assert_eq!(paid["points_spent"], 30_000);
    assert_eq!(paid["paid_with"]["provider"], "kakaopay");
    assert_eq!(paid["paid_with"]["amount"], 59_000);
    assert_eq!(paid["paid_with"]["status"], "paid");
    assert!(paid["paid_with"]["reference"]
        .as_str()
        .unwrap()
        .starts_with('T'));
    assert!(paid["paid_with"]["approved_at"].as_i64().is_some());
    assert!(paid.get("pay_by").is_none(), "{paid}");
    assert_eq!(events(&app, "order.placed", id).await, 1);
    let (status, list) = shopper.get_json("/api/orders").await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["paid_by_service"], 59_000);
    // Staff read its story: waiting for KakaoPay, then placed by it.
    let staff = app.staff("story_staff", Role::Admin).await;
    let (status, seen) = staff
        .get_json(&format!("/api/admin/orders/get?id={id}"))
        .await;
    assert_eq!(status, 200, "{seen}");
    let story: Vec<(&str, &str)> = seen["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["status"].as_str().unwrap(), e["by"].as_str().unwrap()))
        .collect();
    assert_eq!(
        story,
        [("awaiting_payment", "shopper"), ("placed", "kakaopay")]
    );

    // Cancelled: the points come back, and KakaoPay gives its 59,000 back.
    let (status, cancelled) = shopper
        .post_json(
            "/api/orders/cancel",
            &json!({"order_id": id, "idempotency_key": uuid::Uuid::new_v4().to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["refunded"], 30_000);
    assert_eq!(cancelled["refunded_by_service"], 59_000);
    assert_eq!(balance(&shopper).await, 30_000);
    let at_kakaopay = sandbox.payment_of(charge).await;
    assert_eq!(at_kakaopay["canceled_amount"], 59_000);
    assert_eq!(at_kakaopay["status"], "CANCEL_PAYMENT");
    assert_eq!(charge_of(&app, id).await.1, "refunded");
    assert_eq!(
        get_order(&shopper, id).await["paid_with"]["status"],
        "refunded"
    );
    assert_eq!(events(&app, "order.cancelled", id).await, 1);
    assert_eq!(stock(&app, boots).await, 5);
    assert_stock_is_its_movements(&app, boots).await;
}

async fn an_abandoned_order_expires_and_everything_comes_back(backend: Backend) {
    let sandbox = Sandbox::start().await;
    // No hold at all: the order is past its time once placed.
    let app = shop_holding(backend, &sandbox, Duration::ZERO).await;
    let boots = insert_product(&app.db, "BOOT-50", "Boots", "Hike", 50_000, 3).await;
    let shopper = shopper_with(&app, "walker", 20_000).await;
    let staff = app.staff("coupon_staff", Role::Admin).await;
    let (status, campaign) = staff
        .post_json(
            "/api/admin/coupons",
            &json!({"name": "5천원", "kind": "fixed", "value": 5000, "open": true}),
        )
        .await;
    assert_eq!(status, 201, "{campaign}");
    let (status, coupon) = shopper
        .post_json(
            "/api/coupons/issue",
            &json!({"campaign_id": campaign["id"]}),
        )
        .await;
    assert_eq!(status, 201, "{coupon}");

    let body = json!({
        "idempotency_key": uuid::Uuid::new_v4().to_string(),
        "items": [{"product_id": boots, "quantity": 2}],
        "coupon_id": coupon["coupon_id"].to_string(),
        "points": 20_000,
        "address_id": shopper.default_address().await,
    });
    let (status, placed) = shopper.post_json("/api/orders/place", &body).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(
        placed["to_pay"], 75_000,
        "100,000 less 5,000 off, less 20,000 points"
    );
    let id = placed["order_id"].as_i64().unwrap();
    assert_eq!(stock(&app, boots).await, 1);
    assert_eq!(balance(&shopper).await, 0);

    // The shopper never pays; the reconciler finds KakaoPay still waiting.
    assert_eq!(reconcile(&app, &sandbox).await, 1);
    let expired = get_order(&shopper, id).await;
    assert_eq!(expired["status"], "expired");
    assert_eq!(stock(&app, boots).await, 3);
    assert_eq!(balance(&shopper).await, 20_000);
    let (status, mine) = shopper.get_json("/api/coupons").await;
    assert_eq!(status, 200);
    assert_eq!(mine["items"][0]["status"], "usable", "{mine}");
    let released = count(
        &app,
        "SELECT COUNT(*) FROM stock_movements WHERE order_id = $1 AND reason = 'release'",
        id,
    )
    .await;
    assert_eq!(released, 1);
    assert_stock_is_its_movements(&app, boots).await;
    assert_eq!(charge_of(&app, id).await.1, "failed");
    // The data platform never heard of it.
    assert_eq!(events(&app, "order.placed", id).await, 0);
    assert_eq!(events(&app, "order.cancelled", id).await, 0);
    // Back from KakaoPay after all: nothing is taken, and the page says why.
    let back = sandbox
        .press(placed["redirect_url"].as_str().unwrap(), "pay")
        .await;
    let (status, _, message) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    assert!(message.contains("expired"), "{message:?}");
    let (charge, _) = charge_of(&app, id).await;
    assert_eq!(sandbox.payment_of(charge).await["approvals"], 0);
    // Nothing more to do; pressing pay now is too late.
    assert_eq!(reconcile(&app, &sandbox).await, 0);
    let (status, body) = shopper
        .post_json("/api/orders/pay", &json!({"order_id": id}))
        .await;
    assert_error(status, &body, 409, "ORDER_NOT_PAYABLE");
    assert_eq!(body["details"]["status"], "expired");
}

async fn a_lost_approval_is_placed_once_by_the_reconciler(backend: Backend) {
    let sandbox = Sandbox::start().await;
    // Past its hold at once: the reconciler must still place what was paid.
    let app = shop_holding(backend, &sandbox, Duration::ZERO).await;
    let boots = insert_product(&app.db, "BOOT-30", "Boots", "Hike", 30_000, 2).await;
    let shopper = shopper_with(&app, "lost", 0).await;
    let (status, placed) = order(&shopper, boots, 1, json!(0)).await;
    assert_eq!(status, 201, "{placed}");
    let id = placed["order_id"].as_i64().unwrap();
    let back = sandbox
        .press(placed["redirect_url"].as_str().unwrap(), "pay")
        .await;

    // KakaoPay takes the money, and its answer never arrives.
    sandbox.faults(json!({"approve": "drop"})).await;
    let (status, location, message) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/orders/{id}"));
    assert!(message.contains("being confirmed"), "{message:?}");
    assert_eq!(get_order(&shopper, id).await["status"], "awaiting_payment");
    let (charge, _) = charge_of(&app, id).await;
    assert_eq!(sandbox.payment_of(charge).await["approvals"], 1);

    // The money may be taken: the shopper's cancel does not close the
    // payment, only KakaoPay's word does.
    let (status, body) = shopper
        .post_json(
            "/api/orders/cancel",
            &json!({"order_id": id, "idempotency_key": uuid::Uuid::new_v4().to_string()}),
        )
        .await;
    assert_error(status, &body, 409, "ORDER_NOT_CANCELLABLE");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("being confirmed"),
        "{body}"
    );
    assert_eq!(get_order(&shopper, id).await["status"], "awaiting_payment");
    assert_eq!(charge_of(&app, id).await.1, "pending");

    sandbox.faults(json!({"approve": "ok"})).await;
    assert_eq!(reconcile(&app, &sandbox).await, 1);
    assert_eq!(get_order(&shopper, id).await["status"], "placed");
    assert_eq!(events(&app, "order.placed", id).await, 1);
    assert_eq!(reconcile(&app, &sandbox).await, 0);
    // The shopper's return again: nothing more taken or sent.
    let (status, _, message) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    assert!(message.contains("order is placed"), "{message:?}");
    assert_eq!(sandbox.payment_of(charge).await["approvals"], 1);
    assert_eq!(events(&app, "order.placed", id).await, 1);
    assert_eq!(stock(&app, boots).await, 1);
}

async fn cancelling_or_a_decline_at_kakaopay_cancels_the_order_at_once(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop_holding(backend, &sandbox, HOUR).await;
    let boots = insert_product(&app.db, "BOOT-40", "Boots", "Hike", 40_000, 4).await;
    let shopper = shopper_with(&app, "changed_mind", 10_000).await;

    let (status, placed) = order(&shopper, boots, 1, json!(10_000)).await;
    assert_eq!(status, 201, "{placed}");
    let id = placed["order_id"].as_i64().unwrap();
    let back = sandbox
        .press(placed["redirect_url"].as_str().unwrap(), "cancel")
        .await;
    let (status, location, message) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/orders/{id}"));
    assert!(message.contains("cancelled"), "{message:?}");
    let cancelled = get_order(&shopper, id).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(balance(&shopper).await, 10_000);
    assert_eq!(stock(&app, boots).await, 4);
    assert_eq!(charge_of(&app, id).await.1, "cancelled");

    // A declined card: the same, at once.
    let (status, placed) = order(&shopper, boots, 2, json!(10_000)).await;
    assert_eq!(status, 201, "{placed}");
    let id = placed["order_id"].as_i64().unwrap();
    let back = sandbox
        .press(placed["redirect_url"].as_str().unwrap(), "pay")
        .await;
    sandbox.faults(json!({"approve": "decline"})).await;
    let (status, _, message) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    assert!(message.contains("did not go through"), "{message:?}");
    assert_eq!(get_order(&shopper, id).await["status"], "cancelled");
    assert_eq!(balance(&shopper).await, 10_000);
    assert_eq!(stock(&app, boots).await, 4);
    assert_stock_is_its_movements(&app, boots).await;
    assert_eq!(events(&app, "order.placed", id).await, 0);
    assert_eq!(events(&app, "order.cancelled", id).await, 0);
}

async fn twenty_returns_on_two_instances_place_once_and_the_key_replays(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let url = fresh_database(backend).await;
    let config = |url| {
        let mut config: Config = shop_config(url, &sandbox);
        config.payment_hold = HOUR;
        config
    };
    let app = spawn_app_with(config(url.clone())).await;
    let other = spawn_app_with(config(url)).await;
    let boots = insert_product(&app.db, "BOOT-20", "Boots", "Hike", 20_000, 3).await;
    let shopper = shopper_with(&app, "replayer", 5_000).await;
    let key = uuid::Uuid::new_v4().to_string();
    let (status, placed) = order_with_key(&shopper, &key, boots, 1, json!(5_000)).await;
    assert_eq!(status, 201, "{placed}");
    let id = placed["order_id"].as_i64().unwrap();
    // The key again: the first answer, its payment page too.
    let (status, again) = order_with_key(&shopper, &key, boots, 1, json!(5_000)).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again, placed);

    let back = sandbox
        .press(placed["redirect_url"].as_str().unwrap(), "pay")
        .await;
    let path = &back[back.find("/payments/").unwrap()..];
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let client = shopper.client.clone();
            let base = if i % 2 == 0 {
                &app.address
            } else {
                &other.address
            };
            let url = format!("{base}{path}");
            tokio::spawn(async move { client.get(url).send().await.unwrap().status().as_u16() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 303);
    }
    let (charge, status) = charge_of(&app, id).await;
    assert_eq!(status, "paid");
    assert_eq!(sandbox.payment_of(charge).await["approvals"], 1);
    assert_eq!(get_order(&shopper, id).await["status"], "placed");
    assert_eq!(events(&app, "order.placed", id).await, 1);
    assert_eq!(stock(&app, boots).await, 2);
    let (status, replayed) = order_with_key(&shopper, &key, boots, 1, json!(5_000)).await;
    assert_eq!(status, 201);
    assert_eq!(replayed["order_id"], id, "the key names the one order");
    let user_id = get_order(&shopper, id).await["user_id"].as_i64().unwrap();
    let orders = "SELECT COUNT(*) FROM orders WHERE user_id = $1";
    assert_eq!(count(&app, orders, user_id).await, 1);
}

async fn pay_now_replaces_the_payment_and_the_old_page_takes_nothing(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop_holding(backend, &sandbox, HOUR).await;
    let boots = insert_product(&app.db, "BOOT-60", "Boots", "Hike", 60_000, 2).await;
    let shopper = shopper_with(&app, "twice", 0).await;
    let (status, placed) = order(&shopper, boots, 1, json!(0)).await;
    assert_eq!(status, 201, "{placed}");
    let id = placed["order_id"].as_i64().unwrap();
    let first_page = placed["redirect_url"].as_str().unwrap().to_string();
    let (first, _) = charge_of(&app, id).await;

    // The shopper came back later and pays now: a fresh payment.
    let (status, fresh) = shopper
        .post_json("/api/orders/pay", &json!({"order_id": id}))
        .await;
    assert_eq!(status, 200, "{fresh}");
    let fresh_page = fresh["redirect_url"].as_str().unwrap().to_string();
    assert_ne!(fresh_page, first_page);
    let (second, status) = charge_of(&app, id).await;
    assert_ne!(second, first);
    assert_eq!(status, "pending");

    // The old page, paid after all: the shop asks nothing of it.
    let old_back = sandbox.press(&first_page, "pay").await;
    let (status, _, message) = come_back(&shopper, &old_back).await;
    assert_eq!(status, 303);
    assert!(message.contains("still waits"), "{message:?}");
    assert_eq!(sandbox.payment_of(first).await["approvals"], 0);
    assert_eq!(get_order(&shopper, id).await["status"], "awaiting_payment");

    let back = sandbox.press(&fresh_page, "pay").await;
    let (status, _, _) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    assert_eq!(get_order(&shopper, id).await["status"], "placed");
    assert_eq!(sandbox.payment_of(second).await["approvals"], 1);
    let (status, body) = shopper
        .post_json("/api/orders/pay", &json!({"order_id": id}))
        .await;
    assert_error(status, &body, 409, "ORDER_NOT_PAYABLE");
    // Someone else's order is not found.
    let stranger = shopper_with(&app, "stranger", 0).await;
    let (status, body) = stranger
        .post_json("/api/orders/pay", &json!({"order_id": id}))
        .await;
    assert_error(status, &body, 404, "ORDER_NOT_FOUND");
}

async fn a_refund_kakaopay_refuses_is_owed_until_the_reconciler_gives_it(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop_holding(backend, &sandbox, HOUR).await;
    let boots = insert_product(&app.db, "BOOT-70", "Boots", "Hike", 70_000, 2).await;
    let shopper = shopper_with(&app, "refundee", 0).await;
    let (status, placed) = order(&shopper, boots, 1, json!(0)).await;
    assert_eq!(status, 201, "{placed}");
    let id = placed["order_id"].as_i64().unwrap();
    let back = sandbox
        .press(placed["redirect_url"].as_str().unwrap(), "pay")
        .await;
    come_back(&shopper, &back).await;
    assert_eq!(get_order(&shopper, id).await["status"], "placed");
    let (charge, _) = charge_of(&app, id).await;

    // KakaoPay is down when the order is cancelled: the cancel stands.
    sandbox
        .faults(json!({"cancel": "error5xx", "order": "error5xx"}))
        .await;
    let staff = app.staff("refund_staff", Role::Admin).await;
    let (status, cancelled) = staff
        .post_json(
            "/api/admin/orders/cancel",
            &json!({"order_id": id, "idempotency_key": uuid::Uuid::new_v4().to_string(), "reason": "out of stock"}),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["refunded_by_service"], 70_000);
    assert_eq!(charge_of(&app, id).await.1, "refunding");
    let (status, payments) = staff.get_json("/api/admin/payments").await;
    assert_eq!(status, 200);
    assert_eq!(payments["refunding"], 1, "{payments}");
    assert_eq!(payments["stuck"][0]["charge_id"], charge);
    assert_eq!(sandbox.payment_of(charge).await["canceled_amount"], 0);

    // Down still: asked again, still owed.
    assert_eq!(reconcile(&app, &sandbox).await, 0);
    assert_eq!(charge_of(&app, id).await.1, "refunding");
    sandbox.faults(json!({"cancel": "ok", "order": "ok"})).await;
    assert_eq!(reconcile(&app, &sandbox).await, 1);
    assert_eq!(charge_of(&app, id).await.1, "refunded");
    assert_eq!(sandbox.payment_of(charge).await["canceled_amount"], 70_000);
    let (_, payments) = staff.get_json("/api/admin/payments").await;
    assert_eq!(payments["refunding"], 0);
    assert_eq!(reconcile(&app, &sandbox).await, 0);
}

async fn a_flash_sale_never_holds_more_than_its_stock(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let url = fresh_database(backend).await;
    // No hold: whoever has not paid by the reconciler's round expires.
    let config = |url| {
        let mut config: Config = shop_config(url, &sandbox);
        config.payment_hold = Duration::ZERO;
        config
    };
    let app = spawn_app_with(config(url.clone())).await;
    let other = spawn_app_with(config(url)).await;
    let pairs = insert_product(&app.db, "FLASH-10", "Flash sneakers", "Run", 10_000, 10).await;
    let mut buyers = Vec::new();
    for i in 0..40 {
        let site = if i % 2 == 0 { &app } else { &other };
        buyers.push(shopper_with(site, &format!("flash{i}"), 0).await);
    }
    let held = "SELECT CAST(COALESCE(SUM(i.quantity), 0) AS BIGINT) FROM order_items i \
                JOIN orders o ON o.id = i.order_id \
                WHERE i.product_id = $1 AND o.status IN ('awaiting_payment', 'placed')";

    // 30 buyers at once, each paying it all by KakaoPay.
    let race = |buyers: Vec<TestApp>| async move {
        let tasks: Vec<_> = buyers
            .into_iter()
            .map(|buyer| {
                tokio::spawn(async move {
                    let answer = order(&buyer, pairs, 1, json!(0)).await;
                    (buyer, answer)
                })
            })
            .collect();
        let mut won = Vec::new();
        for task in tasks {
            let (buyer, (status, body)) = task.await.unwrap();
            match status {
                201 => won.push((buyer, body)),
                409 => assert_eq!(body["code"], "INSUFFICIENT_STOCK", "{body}"),
                _ => panic!("{status} {body}"),
            }
        }
        won
    };
    let later = buyers.split_off(30);
    let holders = race(buyers).await;
    assert_eq!(holders.len(), 10);
    assert_eq!(count(&app, held, pairs).await, 10);
    assert_eq!(stock(&app, pairs).await, 0);

    // A third abandon; the rest pay.
    let (abandon, pay) = holders.split_at(3);
    for (buyer, placed) in pay {
        let back = sandbox
            .press(placed["redirect_url"].as_str().unwrap(), "pay")
            .await;
        let (status, _, _) = come_back(buyer, &back).await;
        assert_eq!(status, 303);
    }
    assert_eq!(count(&app, held, pairs).await, 10);
    assert_eq!(reconcile(&app, &sandbox).await, 3);
    for (buyer, placed) in abandon {
        let id = placed["order_id"].as_i64().unwrap();
        assert_eq!(get_order(buyer, id).await["status"], "expired");
    }
    assert_eq!(stock(&app, pairs).await, 3);
    assert_eq!(count(&app, held, pairs).await, 7);

    // The three pairs back on the shelf go to later buyers, and no more.
    let late_holders = race(later).await;
    assert_eq!(late_holders.len(), 3);
    for (buyer, placed) in &late_holders {
        let back = sandbox
            .press(placed["redirect_url"].as_str().unwrap(), "pay")
            .await;
        come_back(buyer, &back).await;
    }
    let sold = "SELECT CAST(COALESCE(SUM(i.quantity), 0) AS BIGINT) FROM order_items i \
                JOIN orders o ON o.id = i.order_id WHERE i.product_id = $1 AND o.status = 'placed'";
    assert_eq!(count(&app, sold, pairs).await, 10);
    assert_eq!(stock(&app, pairs).await, 0);
    assert_stock_is_its_movements(&app, pairs).await;
    let placed_events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'order.placed'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(placed_events, 10, "one event for each order paid");
}

async fn without_a_payment_service_the_rest_is_refused(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let socks = insert_product(&app.db, "SOCK-9", "Socks", "Knit", 9_000, 5).await;
    let shopper = app.visitor_speaking("en-US");
    shopper.signup("demo_payer").await;
    let (status, _) = shopper
        .post_json("/api/points/charge", &json!({"amount": 20_000}))
        .await;
    assert_eq!(status, 200);

    // Fewer points than the total, and no KakaoPay: refused, nothing kept.
    let (status, body) = order(&shopper, socks, 1, json!(4_000)).await;
    assert_error(status, &body, 409, "INSUFFICIENT_POINTS");
    assert_eq!(body["details"]["problems"][0]["shortfall"], 5_000);
    // More points than the total, or not a number: the field is wrong.
    let (status, body) = order(&shopper, socks, 1, json!(9_001)).await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["field"], "points");
    let (status, body) = order(&shopper, socks, 1, json!("lots")).await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["field"], "points");
    assert_eq!(stock(&app, socks).await, 5);
    assert_eq!(balance(&shopper).await, 20_000);

    // Points for all of it, said or not: placed at once, as ever.
    let (status, placed) = order(&shopper, socks, 1, json!(9_000)).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["status"], "placed");
    assert!(placed.get("redirect_url").is_none(), "{placed}");
    let (status, placed) = order(&shopper, socks, 1, Value::Null).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["points_used"], 9_000);
    assert_eq!(balance(&shopper).await, 2_000);
    // Paid already: nothing to pay now.
    let (status, body) = shopper
        .post_json("/api/orders/pay", &json!({"order_id": placed["order_id"]}))
        .await;
    assert_error(status, &body, 409, "ORDER_NOT_PAYABLE");
    assert_eq!(body["details"]["status"], "placed");
}
