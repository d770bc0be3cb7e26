//! Coupons: campaigns staff create, claimed first come, first served and
//! one per shopper (never one more than the quantity, across instances),
//! spent by checkout in the order's transaction (once, whatever races it),
//! refused as one more problem with nothing written, and given back by a
//! cancel while the campaign runs.

use crate::{
    helpers::{
        assert_error, fresh_database, post_concurrently, spawn_app, spawn_app_with, TestApp,
    },
    on_both_backends,
    orders::{assert_ledger_matches, count, funded_shopper, product},
};
use app::{
    db::{now_millis, Backend},
    staff::Role,
};
use serde_json::{json, Value};
use server::config::Config;

on_both_backends!(
    a_claim_rush_issues_exactly_the_quantity,
    one_shopper_claiming_ten_times_at_once_gets_one,
    one_coupon_in_ten_concurrent_orders_pays_for_one,
    a_fixed_coupon_takes_its_amount_off_and_the_order_keeps_it,
    percentages_round_down_and_stop_at_their_cap,
    a_coupon_that_cannot_pay_is_one_more_problem_and_nothing_changes,
    a_discount_larger_than_the_subtotal_makes_the_order_free,
    a_cancel_gives_the_coupon_back_while_its_campaign_runs,
    the_idempotency_key_covers_the_coupon,
    what_may_be_claimed,
    staff_manage_campaigns_and_only_staff,
);

const DAY: i64 = 86_400_000;

/// A campaign made by `staff` from `fields` (the name and `open` have
/// defaults); its JSON.
async fn campaign(staff: &TestApp, fields: Value) -> Value {
    let mut body = json!({"name": "테스트 쿠폰", "open": true});
    for (field, value) in fields.as_object().unwrap() {
        body[field] = value.clone();
    }
    let (status, created) = staff.post_json("/api/admin/coupons", &body).await;
    assert_eq!(status, 201, "{created}");
    created
}

/// Sends the whole of `campaign` back to `/api/admin/coupons/update`,
/// with `changes` over it.
async fn update(staff: &TestApp, campaign: &Value, changes: Value) -> (u16, Value) {
    let mut body = json!({"campaign_id": campaign["id"]});
    for field in [
        "name",
        "name_en",
        "kind",
        "value",
        "max_discount",
        "min_order",
        "quantity",
        "valid_from",
        "valid_until",
        "open",
    ] {
        body[field] = campaign[field].clone();
    }
    for (field, value) in changes.as_object().unwrap() {
        body[field] = value.clone();
    }
    staff.post_json("/api/admin/coupons/update", &body).await
}

/// Staff's view of a campaign: `(issued, used)`.
async fn counts(staff: &TestApp, campaign_id: i64) -> (i64, i64) {
    let (status, campaign) = staff
        .get_json(&format!("/api/admin/coupons/get?id={campaign_id}"))
        .await;
    assert_eq!(status, 200, "{campaign}");
    (
        campaign["issued"].as_i64().unwrap(),
        campaign["used"].as_i64().unwrap(),
    )
}

async fn claim(shopper: &TestApp, campaign_id: i64) -> (u16, Value) {
    shopper
        .post_json("/api/coupons/issue", &json!({"campaign_id": campaign_id}))
        .await
}

/// Claims a coupon of `campaign_id` that must be given; its id.
async fn claimed(shopper: &TestApp, campaign_id: i64) -> i64 {
    let (status, body) = claim(shopper, campaign_id).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["campaign_id"], campaign_id);
    body["coupon_id"].as_i64().unwrap()
}

/// One of my coupons as `GET /api/coupons` lists it.
async fn my_coupon(shopper: &TestApp, coupon_id: i64) -> Value {
    let (status, mine) = shopper.get_json("/api/coupons").await;
    assert_eq!(status, 200, "{mine}");
    mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coupon_id"] == coupon_id)
        .unwrap_or_else(|| panic!("coupon {coupon_id} is not in {mine}"))
        .clone()
}

/// The open campaign `campaign_id` as `GET /api/coupons/available` offers
/// it to `visitor`, if it does.
async fn offer(visitor: &TestApp, campaign_id: i64) -> Option<Value> {
    let (status, offers) = visitor.get_json("/api/coupons/available").await;
    assert_eq!(status, 200, "{offers}");
    offers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["campaign_id"] == campaign_id)
        .cloned()
}

/// `POST /api/orders/place` of `lines` (`(product, quantity)`), with a coupon.
async fn order(
    shopper: &TestApp,
    key: &str,
    lines: &[(i64, i64)],
    coupon: Option<i64>,
) -> (u16, Value) {
    let address = shopper.default_address().await;
    shopper
        .post_json(
            "/api/orders/place",
            &order_body(key, lines, coupon, address),
        )
        .await
}

fn order_body(key: &str, lines: &[(i64, i64)], coupon: Option<i64>, address: i64) -> Value {
    let items: Vec<Value> = lines
        .iter()
        .map(|(p, q)| json!({"product_id": p, "quantity": q}))
        .collect();
    json!({"idempotency_key": key, "items": items, "coupon_id": coupon, "address_id": address})
}

async fn cancel(shopper: &TestApp, order_id: i64, key: &str) -> (u16, Value) {
    shopper
        .post_json(
            "/api/orders/cancel",
            &json!({"order_id": order_id, "idempotency_key": key}),
        )
        .await
}

async fn points(shopper: &TestApp) -> i64 {
    let (status, body) = shopper.get_json("/api/points").await;
    assert_eq!(status, 200, "{body}");
    body["points"].as_i64().unwrap()
}

/// The `order.placed` event of `order_id` in the outbox.
async fn placed_event(app: &TestApp, order_id: i64) -> Value {
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM outbox WHERE kind = 'order.placed'")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    let events: Vec<Value> = payloads
        .iter()
        .map(|p| serde_json::from_str::<Value>(p).unwrap())
        .filter(|e| e["order_id"] == order_id)
        .collect();
    assert_eq!(events.len(), 1, "one event for order {order_id}");
    events[0].clone()
}

/// Everything checkout and claims write, to compare before and after.
async fn books(app: &TestApp) -> Value {
    let stocks: Vec<i64> = sqlx::query_scalar("SELECT stock FROM variants ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let balances: Vec<i64> = sqlx::query_scalar("SELECT points FROM users ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let coupons: Vec<(i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, status, order_id FROM coupons ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    let issued: Vec<i64> = sqlx::query_scalar("SELECT issued FROM coupon_campaigns ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    json!({
        "stocks": stocks,
        "balances": balances,
        "coupons": coupons,
        "issued": issued,
        "orders": count(app, "SELECT COUNT(*) FROM orders").await,
        "order_items": count(app, "SELECT COUNT(*) FROM order_items").await,
        "ledger": count(app, "SELECT COUNT(*) FROM point_ledger").await,
        "movements": count(app, "SELECT COUNT(*) FROM stock_movements").await,
        "outbox": count(app, "SELECT COUNT(*) FROM outbox").await,
    })
}

/// Asserts a refused order: 409 `code` with exactly `problems`.
fn assert_refused(status: u16, body: &Value, code: &str, problems: Value) {
    assert_error(status, body, 409, code);
    assert_eq!(body["details"]["problems"], problems, "{body}");
}

/// Two instances of the app on one fresh database.
async fn two_instances(backend: Backend) -> (TestApp, TestApp) {
    let database = fresh_database(backend).await;
    let first = spawn_app_with(Config::for_tests(database.clone())).await;
    let second = spawn_app_with(Config::for_tests(database)).await;
    (first, second)
}

/// `count` shoppers signed up, alternately on `first` and `second`, each
/// logged in with a client of their own; with their user ids. A few sign
/// up at a time: each signup hashes a password.
async fn shoppers(
    first: &TestApp,
    second: &TestApp,
    prefix: &str,
    count: usize,
) -> Vec<(TestApp, i64)> {
    let mut all = Vec::with_capacity(count);
    for start in (0..count).step_by(4) {
        let tasks: Vec<_> = (start..count.min(start + 4))
            .map(|i| {
                let shopper = if i % 2 == 0 {
                    first.visitor()
                } else {
                    second.visitor()
                };
                let login_id = format!("{prefix}{i}");
                tokio::spawn(async move {
                    let user_id = shopper.signup(&login_id).await;
                    (shopper, user_id)
                })
            })
            .collect();
        for task in tasks {
            all.push(task.await.unwrap());
        }
    }
    all
}

async fn a_claim_rush_issues_exactly_the_quantity(backend: Backend) {
    const QUANTITY: i64 = 100;
    const SHOPPERS: usize = 200;
    let (first, second) = two_instances(backend).await;
    let staff = first.staff("rush_marketer", Role::CatalogManager).await;
    let rush = campaign(
        &staff,
        json!({"kind": "fixed", "value": 1000, "quantity": QUANTITY}),
    )
    .await;
    let campaign_id = rush["id"].as_i64().unwrap();
    let shoppers = shoppers(&first, &second, "rush_", SHOPPERS).await;
    assert_eq!(
        offer(&shoppers[0].0, campaign_id).await.unwrap()["left"],
        QUANTITY
    );

    let answers = post_concurrently(
        shoppers
            .iter()
            .map(|(s, _)| s.post_request("/api/coupons/issue", json!({"campaign_id": campaign_id})))
            .collect(),
    )
    .await;
    let mut winners = Vec::new();
    let mut coupon_ids = Vec::new();
    for ((_, user_id), (status, body)) in shoppers.iter().zip(&answers) {
        if *status == 201 {
            assert_eq!(body["campaign_id"], campaign_id, "{body}");
            assert_eq!(body["status"], "usable", "{body}");
            winners.push(*user_id);
            coupon_ids.push(body["coupon_id"].as_i64().unwrap());
        } else {
            assert_error(*status, body, 409, "COUPON_SOLD_OUT");
        }
    }
    assert_eq!(winners.len() as i64, QUANTITY, "{answers:?}");
    coupon_ids.sort();
    coupon_ids.dedup();
    assert_eq!(
        coupon_ids.len() as i64,
        QUANTITY,
        "each got a coupon of their own"
    );

    // The rows are the winners', one each; the count is the quantity.
    let mut holders: Vec<i64> =
        sqlx::query_scalar("SELECT user_id FROM coupons WHERE campaign_id = $1 ORDER BY user_id")
            .bind(campaign_id)
            .fetch_all(first.db.pool())
            .await
            .unwrap();
    holders.dedup();
    winners.sort();
    assert_eq!(holders, winners);
    assert_eq!(
        count(&first, "SELECT COUNT(*) FROM coupons").await,
        QUANTITY
    );
    assert_eq!(counts(&staff, campaign_id).await, (QUANTITY, 0));
    let (winner, loser) = {
        let won = |i: &usize| answers[*i].0 == 201;
        let w = (0..SHOPPERS).find(won).unwrap();
        let l = (0..SHOPPERS).find(|i| !won(i)).unwrap();
        (&shoppers[w].0, &shoppers[l].0)
    };
    let shown = offer(winner, campaign_id).await.unwrap();
    assert_eq!(shown["left"], 0);
    assert_eq!(shown["claimed"], true);
    let shown = offer(loser, campaign_id).await.unwrap();
    assert_eq!(shown["left"], 0);
    assert_eq!(shown["claimed"], false);

    // Late comers: sold out; a winner again: already issued. Nothing moves.
    let (status, body) = claim(loser, campaign_id).await;
    assert_error(status, &body, 409, "COUPON_SOLD_OUT");
    let (status, body) = claim(winner, campaign_id).await;
    assert_error(status, &body, 409, "COUPON_ALREADY_ISSUED");
    assert_eq!(counts(&staff, campaign_id).await, (QUANTITY, 0));
    assert_eq!(
        count(&first, "SELECT COUNT(*) FROM coupons").await,
        QUANTITY
    );
}

async fn one_shopper_claiming_ten_times_at_once_gets_one(backend: Backend) {
    let (first, second) = two_instances(backend).await;
    let staff = first.staff("twice_marketer", Role::CatalogManager).await;
    // Unlimited: only the one-per-shopper rule can refuse.
    let unlimited = campaign(&staff, json!({"kind": "percent", "value": 10})).await;
    assert_eq!(unlimited["quantity"], Value::Null);
    let campaign_id = unlimited["id"].as_i64().unwrap();
    let shopper = first.visitor();
    let user_id = shopper.signup("eager").await;
    let answers = post_concurrently(
        (0..10)
            .map(|i| {
                let instance = if i % 2 == 0 { &first } else { &second };
                instance
                    .with_client(shopper.client.clone())
                    .post_request("/api/coupons/issue", json!({"campaign_id": campaign_id}))
            })
            .collect(),
    )
    .await;
    let given: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(given.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_error(*status, body, 409, "COUPON_ALREADY_ISSUED");
    }
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, user_id FROM coupons WHERE campaign_id = $1")
            .bind(campaign_id)
            .fetch_all(first.db.pool())
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![(given[0]["coupon_id"].as_i64().unwrap(), user_id)]
    );
    assert_eq!(counts(&staff, campaign_id).await, (1, 0));
    let shown = offer(&shopper, campaign_id).await.unwrap();
    assert_eq!(shown["left"], Value::Null, "unlimited");
    assert_eq!(shown["claimed"], true);
    let (_, mine) = shopper.get_json("/api/coupons").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
}

async fn one_coupon_in_ten_concurrent_orders_pays_for_one(backend: Backend) {
    let (first, second) = two_instances(backend).await;
    let staff = first.staff("race_marketer", Role::CatalogManager).await;
    let fixed = campaign(
        &staff,
        json!({"kind": "fixed", "value": 3000, "quantity": 5}),
    )
    .await;
    let campaign_id = fixed["id"].as_i64().unwrap();
    let user_id = funded_shopper(&first, "racer", 1_000_000).await;
    let coupon = claimed(&first, campaign_id).await;
    let address = first.add_address().await;
    let price = product(&first, 17).await["price"].as_i64().unwrap();
    let stock = product(&first, 17).await["stock"].as_i64().unwrap();

    let answers = post_concurrently(
        (0..10)
            .map(|i| {
                let instance = if i % 2 == 0 { &first } else { &second };
                instance.with_client(first.client.clone()).post_request(
                    "/api/orders/place",
                    order_body(
                        &format!("coupon-race-{i:04}"),
                        &[(17, 1)],
                        Some(coupon),
                        address,
                    ),
                )
            })
            .collect(),
    )
    .await;
    let placed: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(placed.len(), 1, "exactly one order: {answers:?}");
    let order_id = placed[0]["order_id"].as_i64().unwrap();
    assert_eq!(placed[0]["discount"], 3000);
    assert_eq!(placed[0]["total"], price - 3000);
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_refused(
            *status,
            body,
            "COUPON_NOT_USABLE",
            json!([{"code": "COUPON_NOT_USABLE", "coupon_id": coupon, "coupon_status": "used"}]),
        );
    }
    // The refused nine changed nothing: one order's worth of everything.
    assert_eq!(product(&first, 17).await["stock"], stock - 1);
    assert_eq!(points(&first).await, 1_000_000 - (price - 3000));
    assert_eq!(count(&first, "SELECT COUNT(*) FROM orders").await, 1);
    assert_eq!(count(&first, "SELECT COUNT(*) FROM order_items").await, 1);
    assert_eq!(
        count(
            &first,
            "SELECT COUNT(*) FROM point_ledger WHERE kind = 'use'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &first,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'order.placed'"
        )
        .await,
        1
    );
    assert_ledger_matches(&first, user_id).await;
    let used: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT status, order_id FROM coupons WHERE id = $1")
            .bind(coupon)
            .fetch_all(first.db.pool())
            .await
            .unwrap();
    assert_eq!(used, vec![("used".to_string(), Some(order_id))]);
    assert_eq!(counts(&staff, campaign_id).await, (1, 1));
}

async fn a_fixed_coupon_takes_its_amount_off_and_the_order_keeps_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.staff("fixed_marketer", Role::CatalogManager).await;
    let fixed = campaign(
        &staff,
        json!({"name": "3,000원 할인", "name_en": "3,000 won off", "kind": "fixed",
               "value": 3000, "min_order": 10000, "quantity": 10}),
    )
    .await;
    for (field, expected) in [
        ("name", json!("3,000원 할인")),
        ("name_en", json!("3,000 won off")),
        ("kind", json!("fixed")),
        ("value", json!(3000)),
        ("max_discount", Value::Null),
        ("min_order", json!(10000)),
        ("quantity", json!(10)),
        ("valid_from", Value::Null),
        ("valid_until", Value::Null),
        ("open", json!(true)),
        ("issued", json!(0)),
        ("used", json!(0)),
    ] {
        assert_eq!(fixed[field], expected, "{field}: {fixed}");
    }
    let campaign_id = fixed["id"].as_i64().unwrap();
    let user_id = funded_shopper(&app, "fixed_shopper", 100_000).await;
    let coupon = claimed(&app, campaign_id).await;
    let usable = my_coupon(&app, coupon).await;
    assert_eq!(usable["status"], "usable");
    assert_eq!(usable["order_id"], Value::Null);
    assert_eq!(usable["campaign_id"], campaign_id);
    assert_eq!(usable["value"], 3000);
    let price = product(&app, 5).await["price"].as_i64().unwrap();
    assert!(price >= 10_000, "the order reaches the minimum");
    let paid = price - 3000;

    let (status, placed) = order(&app, "fixed-order-0001", &[(5, 1)], Some(coupon)).await;
    assert_eq!(status, 201, "{placed}");
    let order_id = placed["order_id"].as_i64().unwrap();
    assert_eq!(placed["subtotal"], price);
    assert_eq!(placed["discount"], 3000);
    assert_eq!(placed["total"], paid);
    assert_eq!(placed["coupon_id"], coupon);
    assert_eq!(placed["points_left"], 100_000 - paid);

    // The points fell by what was paid, with a `use` row of it.
    assert_eq!(points(&app).await, 100_000 - paid);
    let (_, history) = app.get_json("/api/points/history").await;
    assert_eq!(history["items"][0]["kind"], "use");
    assert_eq!(history["items"][0]["amount"], -paid);
    assert_eq!(history["items"][0]["order_id"], order_id);
    assert_ledger_matches(&app, user_id).await;

    // The order keeps the coupon, the discount and both totals.
    let (status, detail) = app
        .get_json(&format!("/api/orders/get?id={order_id}"))
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["subtotal"], price);
    assert_eq!(detail["discount"], 3000);
    assert_eq!(detail["total"], paid);
    assert_eq!(detail["coupon_id"], coupon);
    assert_eq!(detail["points_spent"], paid);
    let used = my_coupon(&app, coupon).await;
    assert_eq!(used["status"], "used");
    assert_eq!(used["order_id"], order_id);
    assert_eq!(counts(&staff, campaign_id).await, (1, 1));

    // So does the data platform's event.
    let event = placed_event(&app, order_id).await;
    assert_eq!(event["type"], "order.placed");
    assert_eq!(event["subtotal"], price);
    assert_eq!(event["discount"], 3000);
    assert_eq!(event["coupon_id"], coupon);
    assert_eq!(event["total"], paid);

    // An order without a coupon pays its subtotal.
    let (status, plain) = order(&app, "fixed-order-0002", &[(5, 1)], None).await;
    assert_eq!(status, 201, "{plain}");
    assert_eq!(plain["subtotal"], price);
    assert_eq!(plain["discount"], 0);
    assert_eq!(plain["total"], price);
    assert_eq!(plain["coupon_id"], Value::Null);
    let event = placed_event(&app, plain["order_id"].as_i64().unwrap()).await;
    assert_eq!(event["discount"], 0);
    assert_eq!(event["total"], price);
    assert_eq!(event["coupon_id"], Value::Null);
    assert_eq!(points(&app).await, 100_000 - paid - price);
    assert_ledger_matches(&app, user_id).await;
}

async fn percentages_round_down_and_stop_at_their_cap(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.staff("percent_marketer", Role::CatalogManager).await;
    // A price no percentage divides evenly.
    let (status, odd) = staff
        .post_json(
            "/api/admin/products",
            &json!({"sku": "ODD-1", "name": "홀수", "brand": "Odd", "price": 9999, "stock": 50}),
        )
        .await;
    assert_eq!(status, 201, "{odd}");
    let odd = odd["id"].as_i64().unwrap();
    let user_id = funded_shopper(&app, "percent_shopper", 200_000).await;
    let mut spent = 0;
    for (i, (terms, quantity, subtotal, discount)) in [
        // 15% of 9,999 is 1,499.85.
        (json!({"value": 15}), 1, 9_999, 1_499),
        // 50% of 29,997 is 14,998.5, capped at 4,000.
        (json!({"value": 50, "max_discount": 4000}), 3, 29_997, 4_000),
        // 10% of 19,998 is 1,999.8, under its cap.
        (json!({"value": 10, "max_discount": 5000}), 2, 19_998, 1_999),
    ]
    .into_iter()
    .enumerate()
    {
        let mut fields = json!({"kind": "percent"});
        for (field, value) in terms.as_object().unwrap() {
            fields[field] = value.clone();
        }
        let percent = campaign(&staff, fields).await;
        assert_eq!(percent["kind"], "percent");
        assert_eq!(percent["max_discount"], terms["max_discount"]);
        let coupon = claimed(&app, percent["id"].as_i64().unwrap()).await;
        let (status, placed) = order(
            &app,
            &format!("percent-order-{i:04}"),
            &[(odd, quantity)],
            Some(coupon),
        )
        .await;
        assert_eq!(status, 201, "{placed}");
        assert_eq!(placed["subtotal"], subtotal, "{terms}");
        assert_eq!(placed["discount"], discount, "{terms}");
        assert_eq!(placed["total"], subtotal - discount, "{terms}");
        spent += subtotal - discount;
        assert_eq!(placed["points_left"], 200_000 - spent);
        let order_id = placed["order_id"].as_i64().unwrap();
        let (_, detail) = app
            .get_json(&format!("/api/orders/get?id={order_id}"))
            .await;
        assert_eq!(detail["discount"], discount);
        assert_eq!(detail["points_spent"], subtotal - discount);
    }
    assert_eq!(points(&app).await, 200_000 - spent);
    assert_ledger_matches(&app, user_id).await;
}

async fn a_coupon_that_cannot_pay_is_one_more_problem_and_nothing_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.staff("refusal_marketer", Role::CatalogManager).await;
    let user_id = funded_shopper(&app, "refused", 50_000).await;
    let address = app.add_address().await;
    let price = product(&app, 5).await["price"].as_i64().unwrap();
    let now = now_millis();

    // The minimum: exactly two of product 5.
    let minimum = campaign(
        &staff,
        json!({"kind": "fixed", "value": 1000, "min_order": 2 * price}),
    )
    .await;
    let minimum = claimed(&app, minimum["id"].as_i64().unwrap()).await;
    // Not yet valid: claimed ahead of its start.
    let later = campaign(
        &staff,
        json!({"kind": "fixed", "value": 1000, "valid_from": now + DAY, "valid_until": now + 2 * DAY}),
    )
    .await;
    let later = claimed(&app, later["id"].as_i64().unwrap()).await;
    assert_eq!(my_coupon(&app, later).await["status"], "not_yet_valid");
    // Expired: claimed while valid (also by someone else), then the
    // campaign ended.
    let ending = campaign(&staff, json!({"kind": "percent", "value": 10})).await;
    let expired = claimed(&app, ending["id"].as_i64().unwrap()).await;
    let other = app.visitor();
    other.signup("other_holder").await;
    let theirs = claimed(&other, ending["id"].as_i64().unwrap()).await;
    let (status, ended) = update(&staff, &ending, json!({"valid_until": now - 60_000})).await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(ended["valid_until"], now - 60_000);
    assert_eq!(my_coupon(&app, expired).await["status"], "expired");
    assert!(offer(&app, ending["id"].as_i64().unwrap()).await.is_none());

    let before = books(&app).await;
    let not_usable = |coupon: i64, status: &str| json!({"code": "COUPON_NOT_USABLE", "coupon_id": coupon, "coupon_status": status});
    let (status, body) = order(&app, "refused-0001", &[(5, 1)], Some(minimum)).await;
    assert_refused(
        status,
        &body,
        "COUPON_MINIMUM_NOT_MET",
        json!([{"code": "COUPON_MINIMUM_NOT_MET", "coupon_id": minimum,
                "min_order": 2 * price, "subtotal": price}]),
    );
    for (i, (coupon, why)) in [
        (later, "not_yet_valid"),
        (expired, "expired"),
        (theirs, "unknown"),
        (9_999_999, "unknown"),
    ]
    .into_iter()
    .enumerate()
    {
        let (status, body) =
            order(&app, &format!("refused-1{i:03}"), &[(5, 1)], Some(coupon)).await;
        assert_refused(
            status,
            &body,
            "COUPON_NOT_USABLE",
            json!([not_usable(coupon, why)]),
        );
        assert_eq!(books(&app).await, before, "{why}");
    }
    // With a short stock, the stock's code leads; the coupon is listed.
    assert_eq!(product(&app, 10).await["stock"], 0);
    let (status, body) = order(&app, "refused-2001", &[(10, 1)], Some(expired)).await;
    assert_error(status, &body, 409, "INSUFFICIENT_STOCK");
    let codes: Vec<&str> = body["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["INSUFFICIENT_STOCK", "COUPON_NOT_USABLE"]);
    assert_eq!(
        body["details"]["problems"][1],
        not_usable(expired, "expired")
    );
    // With too few points, the coupon's code leads (it is why).
    let dear = product(&app, 29).await["price"].as_i64().unwrap();
    assert!(dear > 50_000);
    let (status, body) = order(&app, "refused-2002", &[(29, 1)], Some(later)).await;
    assert_error(status, &body, 409, "COUPON_NOT_USABLE");
    assert_eq!(
        body["details"]["problems"][0],
        not_usable(later, "not_yet_valid")
    );
    assert_eq!(
        body["details"]["problems"][1]["code"],
        "INSUFFICIENT_POINTS"
    );
    assert_eq!(body["details"]["problems"][1]["needed"], dear);
    // A coupon id that is no id at all.
    for bad in ["abc", "0", "-3"] {
        let (status, body) = app
            .post_json(
                "/api/orders/place",
                &json!({"idempotency_key": "refused-3001", "items": [{"product_id": 5, "quantity": 1}],
                        "coupon_id": bad, "address_id": address}),
            )
            .await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        assert_eq!(body["details"]["field"], "coupon_id", "{bad}");
    }
    assert_eq!(books(&app).await, before, "nothing was written");

    // The minimum reached exactly: it pays; then it is used.
    let (status, placed) = order(&app, "refused-4001", &[(5, 2)], Some(minimum)).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["discount"], 1000);
    assert_eq!(placed["total"], 2 * price - 1000);
    let after = books(&app).await;
    let (status, body) = order(&app, "refused-4002", &[(5, 1)], Some(minimum)).await;
    assert_refused(
        status,
        &body,
        "COUPON_NOT_USABLE",
        json!([not_usable(minimum, "used")]),
    );
    assert_eq!(books(&app).await, after);
    // The other holder's coupon is untouched by all this.
    assert_eq!(my_coupon(&other, theirs).await["status"], "expired");
    assert_ledger_matches(&app, user_id).await;
}

async fn a_discount_larger_than_the_subtotal_makes_the_order_free(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.staff("free_marketer", Role::CatalogManager).await;
    // Fewer points than any product costs.
    let user_id = funded_shopper(&app, "lucky", 1_000).await;
    let huge = campaign(&staff, json!({"kind": "fixed", "value": 100_000_000})).await;
    let whole = campaign(&staff, json!({"kind": "percent", "value": 100})).await;
    let huge = claimed(&app, huge["id"].as_i64().unwrap()).await;
    let whole = claimed(&app, whole["id"].as_i64().unwrap()).await;
    let stock = product(&app, 25).await["stock"].as_i64().unwrap();
    let price = product(&app, 25).await["price"].as_i64().unwrap();

    for (i, coupon) in [huge, whole].into_iter().enumerate() {
        let (status, placed) = order(
            &app,
            &format!("free-order-{i:04}"),
            &[(25, 1)],
            Some(coupon),
        )
        .await;
        assert_eq!(status, 201, "{placed}");
        assert_eq!(placed["subtotal"], price);
        assert_eq!(placed["discount"], price, "never more than the subtotal");
        assert_eq!(placed["total"], 0);
        assert_eq!(placed["points_left"], 1_000);
        let order_id = placed["order_id"].as_i64().unwrap();
        let (_, detail) = app
            .get_json(&format!("/api/orders/get?id={order_id}"))
            .await;
        assert_eq!(detail["total"], 0);
        assert_eq!(detail["discount"], price);
        assert_eq!(detail["points_spent"], 0);
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM point_ledger WHERE order_id = $1")
            .bind(order_id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(rows, 0, "an order that costs nothing writes no ledger row");
        let event = placed_event(&app, order_id).await;
        assert_eq!(event["total"], 0);
        assert_eq!(event["discount"], price);
        assert_eq!(event["coupon_id"], coupon);
    }
    assert_eq!(points(&app).await, 1_000, "no points spent");
    assert_eq!(product(&app, 25).await["stock"], stock - 2);
    assert_ledger_matches(&app, user_id).await;
}

async fn a_cancel_gives_the_coupon_back_while_its_campaign_runs(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.staff("cancel_marketer", Role::CatalogManager).await;
    let user_id = funded_shopper(&app, "returner", 100_000).await;
    let price = product(&app, 5).await["price"].as_i64().unwrap();
    let running = campaign(
        &staff,
        json!({"kind": "fixed", "value": 2000, "quantity": 3}),
    )
    .await;
    let running_id = running["id"].as_i64().unwrap();
    let coupon = claimed(&app, running_id).await;

    let (status, placed) = order(&app, "return-order-0001", &[(5, 1)], Some(coupon)).await;
    assert_eq!(status, 201, "{placed}");
    let first_order = placed["order_id"].as_i64().unwrap();
    assert_eq!(counts(&staff, running_id).await, (1, 1));
    let (status, cancelled) = cancel(&app, first_order, "return-cancel-0001").await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["coupon_returned"], true);
    assert_eq!(cancelled["refunded"], price - 2000);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(points(&app).await, 100_000);
    let back = my_coupon(&app, coupon).await;
    assert_eq!(back["status"], "usable");
    assert_eq!(back["order_id"], Value::Null);
    // Issued stays; used is down again.
    assert_eq!(counts(&staff, running_id).await, (1, 0));
    assert_eq!(offer(&app, running_id).await.unwrap()["left"], 2);
    // The cancelled order still says what it was paid with.
    let (_, detail) = app
        .get_json(&format!("/api/orders/get?id={first_order}"))
        .await;
    assert_eq!(detail["coupon_id"], coupon);
    assert_eq!(detail["discount"], 2000);

    // Usable again: a new order takes it.
    let (status, again) = order(&app, "return-order-0002", &[(5, 1)], Some(coupon)).await;
    assert_eq!(status, 201, "{again}");
    let second_order = again["order_id"].as_i64().unwrap();
    assert_eq!(again["discount"], 2000);
    let used = my_coupon(&app, coupon).await;
    assert_eq!(used["status"], "used");
    assert_eq!(used["order_id"], second_order);
    assert_eq!(counts(&staff, running_id).await, (1, 1));

    // A campaign that ended since: the cancel refunds, the coupon stays used.
    let ending = campaign(&staff, json!({"kind": "fixed", "value": 1000})).await;
    let ending_id = ending["id"].as_i64().unwrap();
    let late = claimed(&app, ending_id).await;
    let (status, placed) = order(&app, "return-order-0003", &[(5, 1)], Some(late)).await;
    assert_eq!(status, 201, "{placed}");
    let third_order = placed["order_id"].as_i64().unwrap();
    let (status, _) = update(
        &staff,
        &ending,
        json!({"valid_until": now_millis() - 60_000}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, cancelled) = cancel(&app, third_order, "return-cancel-0002").await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["coupon_returned"], false);
    assert_eq!(cancelled["refunded"], price - 1000);
    let kept = my_coupon(&app, late).await;
    assert_eq!(kept["status"], "used");
    assert_eq!(kept["order_id"], third_order);
    assert_eq!(counts(&staff, ending_id).await, (1, 1));

    // An order without a coupon has none to give back.
    let (status, plain) = order(&app, "return-order-0004", &[(5, 1)], None).await;
    assert_eq!(status, 201, "{plain}");
    let (status, cancelled) = cancel(
        &app,
        plain["order_id"].as_i64().unwrap(),
        "return-cancel-0003",
    )
    .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["coupon_returned"], false);
    assert_eq!(points(&app).await, 100_000 - (price - 2000));
    assert_ledger_matches(&app, user_id).await;
}

async fn the_idempotency_key_covers_the_coupon(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.staff("key_marketer", Role::CatalogManager).await;
    let user_id = funded_shopper(&app, "replayer", 100_000).await;
    let price = product(&app, 5).await["price"].as_i64().unwrap();
    let one = campaign(&staff, json!({"kind": "fixed", "value": 1000})).await;
    let two = campaign(&staff, json!({"kind": "fixed", "value": 2000})).await;
    let one = claimed(&app, one["id"].as_i64().unwrap()).await;
    let two = claimed(&app, two["id"].as_i64().unwrap()).await;

    let (status, first) = order(&app, "replay-key-0001", &[(5, 1)], Some(one)).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["coupon_id"], one);
    let after = books(&app).await;
    // The same key and body: the first answer again, nothing new.
    let (status, again) = order(&app, "replay-key-0001", &[(5, 1)], Some(one)).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again, first);
    assert_eq!(books(&app).await, after);
    // The same key with another coupon, or none: another request.
    for coupon in [Some(two), None] {
        let (status, body) = order(&app, "replay-key-0001", &[(5, 1)], coupon).await;
        assert_error(status, &body, 422, "IDEMPOTENCY_KEY_REUSED");
        assert_eq!(books(&app).await, after, "{coupon:?}");
    }
    assert_eq!(my_coupon(&app, two).await["status"], "usable");
    assert_eq!(points(&app).await, 100_000 - (price - 1000));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders").await, 1);
    assert_ledger_matches(&app, user_id).await;
}

async fn what_may_be_claimed(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.staff("claims_marketer", Role::CatalogManager).await;
    let shopper = app.visitor();
    shopper.signup("claimant").await;
    let guest = app.visitor();
    let now = now_millis();
    let open = campaign(
        &staff,
        json!({"kind": "fixed", "value": 500, "quantity": 3}),
    )
    .await;
    let open_id = open["id"].as_i64().unwrap();
    let closed = campaign(
        &staff,
        json!({"kind": "fixed", "value": 500, "open": false}),
    )
    .await;
    let ended = campaign(
        &staff,
        json!({"kind": "fixed", "value": 500, "valid_from": now - 2 * DAY, "valid_until": now - DAY}),
    )
    .await;
    let later = campaign(
        &staff,
        json!({"kind": "percent", "value": 5, "valid_from": now + DAY}),
    )
    .await;
    let later_id = later["id"].as_i64().unwrap();

    // What is on offer: the open one and the one still to start.
    let (status, offers) = guest.get_json("/api/coupons/available").await;
    assert_eq!(status, 200, "{offers}");
    let mut offered: Vec<i64> = offers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["campaign_id"].as_i64().unwrap())
        .collect();
    offered.sort();
    assert_eq!(offered, vec![open_id, later_id]);
    let shown = offer(&guest, open_id).await.unwrap();
    assert_eq!(shown["left"], 3);
    assert_eq!(shown["claimed"], false);
    assert_eq!(shown["kind"], "fixed");
    assert_eq!(shown["value"], 500);

    for id in [
        closed["id"].as_i64().unwrap(),
        ended["id"].as_i64().unwrap(),
        9_999_999,
    ] {
        let (status, body) = claim(&shopper, id).await;
        assert_error(status, &body, 404, "NOT_FOUND");
    }
    let (status, body) = claim(&guest, open_id).await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    let (status, body) = guest.get_json("/api/coupons").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    let (status, body) = shopper
        .post_json("/api/coupons/issue", &json!({"campaign_id": "abc"}))
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["field"], "campaign_id");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM coupons").await, 0);

    // Ahead of its start it can be claimed, and waits.
    let (status, early) = claim(&shopper, later_id).await;
    assert_eq!(status, 201, "{early}");
    assert_eq!(early["status"], "not_yet_valid");
    let coupon = early["coupon_id"].as_i64().unwrap();
    assert_eq!(my_coupon(&shopper, coupon).await["status"], "not_yet_valid");
    assert_eq!(offer(&shopper, later_id).await.unwrap()["claimed"], true);

    // Closed once claimed: nobody else gets one; the holder keeps theirs.
    let kept = claimed(&shopper, open_id).await;
    assert_eq!(my_coupon(&shopper, kept).await["status"], "usable");
    let (status, _) = update(&staff, &open, json!({"open": false})).await;
    assert_eq!(status, 200);
    let latecomer = app.visitor();
    latecomer.signup("latecomer").await;
    let (status, body) = claim(&latecomer, open_id).await;
    assert_error(status, &body, 404, "NOT_FOUND");
    assert!(offer(&latecomer, open_id).await.is_none());
    assert_eq!(my_coupon(&shopper, kept).await["status"], "usable");
    assert_eq!(counts(&staff, open_id).await, (1, 0));
    // Newest first.
    let (_, mine) = shopper.get_json("/api/coupons").await;
    let ids: Vec<i64> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["coupon_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![kept, coupon]);
}

async fn staff_manage_campaigns_and_only_staff(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.staff("campaign_manager", Role::CatalogManager).await;
    let audit = |kind: &'static str| {
        let app = &app;
        async move {
            count(
                app,
                &format!("SELECT COUNT(*) FROM audit_log WHERE kind = '{kind}'"),
            )
            .await
        }
    };

    // Each bad field is named, and nothing is written.
    let good =
        json!({"name": "가을 할인", "kind": "fixed", "value": 3000, "quantity": 10, "open": true});
    for (changes, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": null}), "name"),
        (json!({"kind": "gift"}), "kind"),
        (json!({"kind": null}), "kind"),
        (json!({"value": 0}), "value"),
        (json!({"value": null}), "value"),
        (json!({"kind": "percent", "value": 101}), "value"),
        (json!({"max_discount": 500}), "max_discount"),
        (json!({"quantity": 0}), "quantity"),
        (json!({"min_order": -1}), "min_order"),
        (
            json!({"valid_from": 1_800_000_000_000i64, "valid_until": 1_800_000_000_000i64}),
            "valid_until",
        ),
        (
            json!({"valid_from": 1_800_000_000_000i64, "valid_until": 1_700_000_000_000i64}),
            "valid_until",
        ),
        (json!({"valid_until": 5_000_000_000_000i64}), "valid_until"),
        (json!({"open": "maybe"}), "open"),
    ] {
        let mut body = good.clone();
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, answer) = staff.post_json("/api/admin/coupons", &body).await;
        assert_error(status, &answer, 400, "BAD_REQUEST");
        assert_eq!(answer["details"]["field"], field, "{changes} -> {answer}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM coupon_campaigns").await,
        0
    );
    assert_eq!(audit("coupon.created").await, 0);

    // Shoppers and guests may not, nor staff without `catalog`.
    let shopper = app.visitor();
    shopper.signup("not_staff").await;
    let orders_only = app.staff("orders_only", Role::OrderManager).await;
    for (who, status, code) in [
        (&shopper, 403, "FORBIDDEN"),
        (&orders_only, 403, "FORBIDDEN"),
        (&app.visitor(), 401, "UNAUTHENTICATED"),
    ] {
        let (got, body) = who.post_json("/api/admin/coupons", &good).await;
        assert_error(got, &body, status, code);
        let (got, body) = who.get_json("/api/admin/coupons").await;
        assert_error(got, &body, status, code);
        let (got, body) = who.get_json("/api/admin/coupons/get?id=1").await;
        assert_error(got, &body, status, code);
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM coupon_campaigns").await,
        0
    );

    // Created, with its audit row.
    let autumn = campaign(&staff, good.clone()).await;
    let id = autumn["id"].as_i64().unwrap();
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, target FROM audit_log WHERE kind LIKE 'coupon.%'")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![("coupon.created".to_string(), format!("coupon:{id}"))]
    );
    let (status, read) = staff
        .get_json(&format!("/api/admin/coupons/get?id={id}"))
        .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read, autumn);
    for bad in ["999999", "abc"] {
        let (status, body) = staff
            .get_json(&format!("/api/admin/coupons/get?id={bad}"))
            .await;
        assert_error(status, &body, 404, "NOT_FOUND");
    }

    // Claimed by two, used by one: the list says so.
    let buyers = [app.visitor(), app.visitor()];
    funded_shopper(&buyers[0], "autumn_buyer", 100_000).await;
    buyers[1].signup("autumn_keeper").await;
    let coupon = claimed(&buyers[0], id).await;
    claimed(&buyers[1], id).await;
    let (status, placed) = order(&buyers[0], "autumn-order-0001", &[(5, 1)], Some(coupon)).await;
    assert_eq!(status, 201, "{placed}");
    let other = campaign(
        &staff,
        json!({"kind": "percent", "value": 20, "max_discount": 10000}),
    )
    .await;
    let (status, list) = staff.get_json("/api/admin/coupons").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 2);
    let listed: Vec<(i64, i64, i64)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["issued"].as_i64().unwrap(),
                c["used"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![(other["id"].as_i64().unwrap(), 0, 0), (id, 2, 1)],
        "newest first"
    );

    // Changed: never below what was issued; each change audited.
    let (status, body) = update(&staff, &autumn, json!({"quantity": 1})).await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["field"], "quantity");
    let (status, body) = update(&staff, &autumn, json!({"kind": "percent", "value": 300})).await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["field"], "value");
    let (status, body) = update(&staff, &json!({"id": 999_999}), good.clone()).await;
    assert_error(status, &body, 404, "NOT_FOUND");
    assert_eq!(audit("coupon.updated").await, 0);
    let (status, changed) = update(
        &staff,
        &autumn,
        json!({"quantity": 2, "name_en": "Autumn sale", "min_order": 5000}),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["quantity"], 2);
    assert_eq!(changed["name_en"], "Autumn sale");
    assert_eq!(changed["min_order"], 5000);
    assert_eq!(changed["issued"], 2);
    assert_eq!(changed["used"], 1);
    assert_eq!(audit("coupon.updated").await, 1);
    let (_, read) = staff
        .get_json(&format!("/api/admin/coupons/get?id={id}"))
        .await;
    assert_eq!(read, changed);
    // Full: nobody else gets one.
    let third = app.visitor();
    third.signup("autumn_third").await;
    let (status, body) = claim(&third, id).await;
    assert_error(status, &body, 409, "COUPON_SOLD_OUT");
    // The English name for English readers.
    let english = app.visitor_speaking("en-US");
    let shown = offer(&english, id).await.unwrap();
    assert_eq!(shown["name"], "Autumn sale");
    assert_eq!(offer(&third, id).await.unwrap()["name"], "가을 할인");
    assert_eq!(audit("coupon.created").await, 2);
}
