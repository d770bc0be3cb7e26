//! Goods go out: a shopper's address book (each field held to its rule,
//! one default at a time, twenty at most, each shopper's own, under any
//! number of requests at once), the copy of the address an order keeps,
//! the shipping fee below the free-shipping threshold (after the coupon)
//! in the total, the points and a cancel's refund, staff shipping orders
//! (one or many, all or nothing, once however many try at the same time)
//! and marking them delivered with their audit rows and events, and the
//! couriers' CSV of hundreds of orders with hostile text in them.

use crate::{
    helpers::{
        assert_error, fresh_database, insert_product, post_concurrently, spawn_app, spawn_app_with,
        two_instances, TestApp,
    },
    kakaopay::{balance, come_back, shop_config, Sandbox},
    on_both_backends,
    orders::{assert_ledger_matches, count, funded_shopper, inject_failure, remove_failure},
};
use app::{db::Backend, locale::Locale, money::Won, shipping::ShippingRates, staff::Role};
use serde_json::{json, Value};
use server::config::Config;
use std::collections::{BTreeMap, BTreeSet};

on_both_backends!(
    addresses_are_held_to_their_rules_and_a_refusal_writes_nothing,
    one_default_at_a_time_and_removing_it_makes_the_newest_the_default,
    an_address_is_its_shoppers_own,
    the_book_holds_twenty_and_one_default_under_concurrent_adds,
    an_order_needs_an_address_and_keeps_it_as_it_was,
    the_fee_is_charged_below_the_threshold_after_the_coupon,
    a_cancel_gives_the_fee_back_through_kakaopay_too,
    staff_ship_and_deliver_an_order_once,
    a_bad_parcel_is_refused_and_nothing_changes,
    ship_many_is_all_or_nothing,
    ten_staff_shipping_one_order_ship_it_once,
    a_cancel_racing_a_shipment_ends_one_way,
    a_failure_at_any_step_of_a_shipment_leaves_everything_as_it_was,
    the_courier_csv_round_trips_five_hundred_hostile_orders,
    only_staff_with_orders_download_the_csv,
);

const FEE: i64 = 3_000;
const FREE_FROM: i64 = 50_000;

/// The shop's own rates (`Config::for_tests` ships for free).
fn rates() -> ShippingRates {
    ShippingRates {
        fee: Won(FEE),
        free_from: Won(FREE_FROM),
    }
}

/// A shop on `backend` charging 3,000 won below 50,000.
async fn shop_with_fee(backend: Backend) -> TestApp {
    let mut config = Config::for_tests(fresh_database(backend).await);
    config.shipping = rates();
    spawn_app_with(config).await
}

/// A valid address for `recipient`, as `POST /api/addresses` takes it.
fn address(recipient: &str) -> Value {
    json!({
        "label": "집",
        "recipient": recipient,
        "phone": "010-1234-5678",
        "postal_code": "04524",
        "address1": "서울 중구 세종대로 110",
        "address2": "3층",
        "memo": "문 앞에 놓아 주세요",
    })
}

/// `body` with `changes` over it.
fn with(body: &Value, changes: Value) -> Value {
    let mut body = body.clone();
    for (field, value) in changes.as_object().unwrap() {
        body[field] = value.clone();
    }
    body
}

/// Adds `body` to `shopper`'s book, which must take it; the address.
async fn added(shopper: &TestApp, body: Value) -> Value {
    let (status, address) = shopper.post_json("/api/addresses", &body).await;
    assert_eq!(status, 201, "{body} -> {address}");
    address
}

fn id_of(value: &Value) -> i64 {
    value["address_id"].as_i64().unwrap()
}

/// `GET /api/addresses`.
async fn book(shopper: &TestApp) -> Value {
    let (status, book) = shopper.get_json("/api/addresses").await;
    assert_eq!(status, 200, "{book}");
    book
}

/// The book's ids, in its order.
fn ids(book: &Value) -> Vec<i64> {
    book["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

/// The book's defaults.
fn defaults(book: &Value) -> Vec<i64> {
    book["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["is_default"] == true)
        .map(id_of)
        .collect()
}

/// Every address row of `user_id`: `(id, recipient, is_default)`.
async fn rows(app: &TestApp, user_id: i64) -> Vec<(i64, String, i64)> {
    sqlx::query_as("SELECT id, recipient, is_default FROM addresses WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

/// What an order keeps of an address sent as `body` (`phone` as kept).
fn kept(body: &Value, phone: &str) -> Value {
    json!({
        "recipient": body["recipient"],
        "phone": phone,
        "postal_code": body["postal_code"],
        "address1": body["address1"],
        "address2": body.get("address2").cloned().unwrap_or(json!("")),
        "memo": body.get("memo").cloned().unwrap_or(json!("")),
    })
}

/// An order of one of `product` to `address` (an id, or anything sent as it).
async fn order_to(shopper: &TestApp, key: &str, address: Value, product: i64) -> (u16, Value) {
    shopper
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": key, "address_id": address,
                    "items": [{"product_id": product, "quantity": 1}]}),
        )
        .await
}

/// An order of one of `product` to the shopper's default address; its id.
async fn bought(shopper: &TestApp, key: &str, product: i64) -> i64 {
    let address = shopper.default_address().await;
    let (status, order) = order_to(shopper, key, json!(address), product).await;
    assert_eq!(status, 201, "{order}");
    order["order_id"].as_i64().unwrap()
}

async fn order_of(visitor: &TestApp, id: i64) -> Value {
    let (status, order) = visitor.get_json(&format!("/api/orders/get?id={id}")).await;
    assert_eq!(status, 200, "{order}");
    order
}

async fn staff_order(staff: &TestApp, id: i64) -> Value {
    let (status, order) = staff
        .get_json(&format!("/api/admin/orders/get?id={id}"))
        .await;
    assert_eq!(status, 200, "{order}");
    order
}

async fn ship(staff: &TestApp, order_id: i64, carrier: &str, tracking: &str) -> (u16, Value) {
    staff
        .post_json(
            "/api/admin/orders/ship",
            &json!({"order_id": order_id, "carrier": carrier, "tracking_number": tracking}),
        )
        .await
}

async fn ship_many(staff: &TestApp, lines: Value) -> (u16, Value) {
    staff
        .post_json("/api/admin/orders/ship-many", &json!({"shipments": lines}))
        .await
}

async fn deliver(staff: &TestApp, order_id: i64) -> (u16, Value) {
    staff
        .post_json("/api/admin/orders/deliver", &json!({"order_id": order_id}))
        .await
}

async fn cancel(shopper: &TestApp, order_id: i64, key: &str) -> (u16, Value) {
    shopper
        .post_json(
            "/api/orders/cancel",
            &json!({"order_id": order_id, "idempotency_key": key, "reason": "changed my mind"}),
        )
        .await
}

/// The payloads of the outbox's events of `kind`, oldest first.
async fn events(app: &TestApp, kind: &str) -> Vec<Value> {
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM outbox WHERE kind = $1 ORDER BY id")
            .bind(kind)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    payloads
        .iter()
        .map(|p| serde_json::from_str(p).unwrap())
        .collect()
}

/// Everything placing an order for `user_id` writes, to compare before
/// and after.
async fn order_books(app: &TestApp, user_id: i64) -> Value {
    json!({
        "orders": count(app, "SELECT COUNT(*) FROM orders").await,
        "stock": count(app, "SELECT CAST(SUM(stock) AS BIGINT) FROM variants").await,
        "points": count(app, &format!("SELECT points FROM users WHERE id = {user_id}")).await,
        "ledger": count(app, "SELECT COUNT(*) FROM point_ledger").await,
        "outbox": count(app, "SELECT COUNT(*) FROM outbox").await,
        "keys": count(app, "SELECT COUNT(*) FROM idempotency_keys").await,
    })
}

/// A shipment as stored: `(order, carrier, tracking number, delivered at)`.
type ShipmentRow = (i64, Option<String>, Option<String>, Option<i64>);

/// Everything shipping an order or delivering it writes, to compare
/// before and after.
async fn shipping_books(app: &TestApp) -> Value {
    let statuses: Vec<(i64, String)> = sqlx::query_as("SELECT id, status FROM orders ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let shipments: Vec<ShipmentRow> = sqlx::query_as(
        "SELECT order_id, carrier, tracking_number, delivered_at FROM shipments ORDER BY order_id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    json!({
        "statuses": statuses,
        "shipments": shipments,
        "outbox": count(app, "SELECT COUNT(*) FROM outbox").await,
        "audit": count(app, "SELECT COUNT(*) FROM audit_log").await,
    })
}

async fn addresses_are_held_to_their_rules_and_a_refusal_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let guest = app.visitor();
    let (status, body) = guest.get_json("/api/addresses").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    let (status, body) = guest.post_json("/api/addresses", &address("손님")).await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");

    let shopper = app.visitor();
    let user_id = shopper.signup("rule_keeper").await;
    assert_eq!(book(&shopper).await, json!({"items": [], "max": 20}));

    // Each bad field is named, whatever else is right.
    let long = |n: usize| json!("가".repeat(n));
    let refusals = [
        ("recipient", json!("")),
        ("recipient", json!("   ")),
        ("recipient", long(31)),
        ("recipient", json!("홍\u{0}길동")),
        ("recipient", json!("홍\n길동")),
        ("recipient", json!("홍\u{7}길동")),
        ("phone", json!("")),
        ("phone", json!("1234")),
        ("phone", json!("010-123-4567")),
        ("phone", json!("0101234567")),
        ("phone", json!("010-1234-56789")),
        ("phone", json!("+82-10-1234-5678")),
        ("phone", json!("010 1234 5678")),
        ("phone", json!("010-1234-5678-9")),
        ("phone", json!("099-123-4567")),
        ("phone", json!("abc-defg-hijk")),
        // Hyphens only where Koreans write them.
        ("phone", json!("010--1234-5678")),
        ("phone", json!("010-12-345678")),
        ("phone", json!("0101-234-5678")),
        ("postal_code", json!("")),
        ("postal_code", json!("4524")),
        ("postal_code", json!("045240")),
        ("postal_code", json!("04-524")),
        ("postal_code", json!("o4524")),
        ("postal_code", json!("４５２４５")),
        ("address1", json!("")),
        ("address1", json!(" ")),
        ("address1", long(201)),
        ("address1", json!("서울\t중구")),
        ("address2", long(101)),
        ("address2", json!("b\u{7}")),
        ("memo", long(101)),
        ("memo", json!("x\ny")),
        ("memo", json!("x\ry")),
        ("label", long(21)),
        ("label", json!("집\u{1b}")),
    ];
    for (field, value) in refusals {
        let mut body = address("홍길동");
        body[field] = value;
        let (status, answer) = shopper.post_json("/api/addresses", &body).await;
        assert_eq!(status, 400, "{body} -> {answer}");
        assert_error(status, &answer, 400, "BAD_REQUEST");
        assert_eq!(answer["details"]["field"], field, "{body} -> {answer}");
    }
    // A required field left out altogether.
    for field in ["recipient", "phone", "postal_code", "address1"] {
        let mut body = address("홍길동");
        body.as_object_mut().unwrap().remove(field);
        let (status, answer) = shopper.post_json("/api/addresses", &body).await;
        assert_error(status, &answer, 400, "BAD_REQUEST");
    }
    assert_eq!(rows(&app, user_id).await, vec![], "nothing was written");
    assert_eq!(book(&shopper).await["items"], json!([]));

    // At the edges: every field at its longest; a mobile number without
    // hyphens is kept with them; the first address is the default.
    let edge = json!({
        "label": long(20),
        "recipient": long(30),
        "phone": "01012345678",
        "postal_code": "04524",
        "address1": long(200),
        "address2": long(100),
        "memo": long(100),
    });
    let first = added(&shopper, edge.clone()).await;
    assert_eq!(
        first,
        json!({
            "address_id": first["address_id"],
            "label": long(20),
            "recipient": long(30),
            "phone": "010-1234-5678",
            "postal_code": "04524",
            "address1": long(200),
            "address2": long(100),
            "memo": long(100),
            "is_default": true,
        })
    );
    // Trimmed; the optional fields empty; a Seoul number kept with hyphens;
    // not the default unless asked.
    let second = added(
        &shopper,
        json!({"recipient": "  김철수 ", "phone": " 0212345678 ", "postal_code": " 06236 ",
               "address1": " 서울 강남구 테헤란로 152 "}),
    )
    .await;
    assert_eq!(
        second,
        json!({
            "address_id": second["address_id"],
            "label": "",
            "recipient": "김철수",
            "phone": "02-1234-5678",
            "postal_code": "06236",
            "address1": "서울 강남구 테헤란로 152",
            "address2": "",
            "memo": "",
            "is_default": false,
        })
    );
    assert_eq!(
        book(&shopper).await,
        json!({"items": [first, second], "max": 20})
    );

    // An update is held to the same rules: refused, nothing changes.
    let stored = rows(&app, user_id).await;
    for (field, value) in [
        ("phone", json!("010-1234-567")),
        ("recipient", long(31)),
        ("postal_code", json!("1234")),
        ("memo", json!("a\u{0}b")),
    ] {
        let mut body = with(&address("바꾼 이름"), json!({"address_id": id_of(&second)}));
        body[field] = value;
        let (status, answer) = shopper.post_json("/api/addresses/update", &body).await;
        assert_error(status, &answer, 400, "BAD_REQUEST");
        assert_eq!(answer["details"]["field"], field, "{body} -> {answer}");
    }
    assert_eq!(rows(&app, user_id).await, stored, "nothing was changed");
    assert_eq!(
        book(&shopper).await,
        json!({"items": [first, second], "max": 20})
    );
    // A good one changes every field.
    let (status, changed) = shopper
        .post_json(
            "/api/addresses/update",
            &with(
                &address("이영희"),
                json!({"address_id": id_of(&second), "phone": "031-123-4567"}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["recipient"], "이영희");
    assert_eq!(changed["phone"], "031-123-4567");
    assert_eq!(changed["label"], "집");
    assert_eq!(changed["is_default"], false);
    assert_eq!(book(&shopper).await["items"][1], changed);
}

async fn one_default_at_a_time_and_removing_it_makes_the_newest_the_default(backend: Backend) {
    let app = spawn_app(backend).await;
    let shopper = app.visitor();
    let user_id = shopper.signup("default_keeper").await;
    let a = id_of(&added(&shopper, address("첫째")).await);
    let b = id_of(&added(&shopper, address("둘째")).await);
    let c = added(
        &shopper,
        with(&address("셋째"), json!({"is_default": true})),
    )
    .await;
    assert_eq!(c["is_default"], true);
    let c = id_of(&c);
    // The default first, then the newest.
    let now = book(&shopper).await;
    assert_eq!(ids(&now), vec![c, b, a]);
    assert_eq!(defaults(&now), vec![c]);

    // An update asking for it makes another the default.
    let (status, body) = shopper
        .post_json(
            "/api/addresses/update",
            &with(
                &address("첫째 (새 주소)"),
                json!({"address_id": a, "is_default": true}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["is_default"], true);
    let now = book(&shopper).await;
    assert_eq!(ids(&now), vec![a, c, b]);
    assert_eq!(defaults(&now), vec![a]);
    // An update of the default that does not ask keeps it the default.
    let (status, body) = shopper
        .post_json(
            "/api/addresses/update",
            &with(&address("첫째"), json!({"address_id": a})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["is_default"], true);
    assert_eq!(defaults(&book(&shopper).await), vec![a]);

    // Made the default; the answer is the book.
    let (status, now) = shopper
        .post_json("/api/addresses/default", &json!({"address_id": b}))
        .await;
    assert_eq!(status, 200, "{now}");
    assert_eq!(ids(&now), vec![b, c, a]);
    assert_eq!(defaults(&now), vec![b]);
    assert_eq!(now, book(&shopper).await);
    // Again: nothing changes.
    let (status, again) = shopper
        .post_json("/api/addresses/default", &json!({"address_id": b}))
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, now);

    // Removing the default makes the newest of the rest the default.
    let (status, now) = shopper
        .post_json("/api/addresses/remove", &json!({"address_id": b}))
        .await;
    assert_eq!(status, 200, "{now}");
    assert_eq!(ids(&now), vec![c, a]);
    assert_eq!(defaults(&now), vec![c]);
    // Removing another leaves the default as it is.
    let (status, now) = shopper
        .post_json("/api/addresses/remove", &json!({"address_id": a}))
        .await;
    assert_eq!(status, 200, "{now}");
    assert_eq!(ids(&now), vec![c]);
    assert_eq!(defaults(&now), vec![c]);
    let (status, now) = shopper
        .post_json("/api/addresses/remove", &json!({"address_id": c}))
        .await;
    assert_eq!(status, 200, "{now}");
    assert_eq!(now, json!({"items": [], "max": 20}));
    // Gone is gone.
    for path in [
        "/api/addresses/remove",
        "/api/addresses/default",
        "/api/addresses/update",
    ] {
        let (status, body) = shopper
            .post_json(path, &with(&address("없음"), json!({"address_id": c})))
            .await;
        assert_error(status, &body, 404, "ADDRESS_NOT_FOUND");
    }
    // The next first address is the default again.
    let d = added(&shopper, address("넷째")).await;
    assert_eq!(d["is_default"], true);
    assert_eq!(
        rows(&app, user_id).await,
        vec![(id_of(&d), "넷째".to_string(), 1)]
    );
}

async fn an_address_is_its_shoppers_own(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.visitor();
    funded_shopper(&owner, "address_owner", 1_000_000).await;
    let mine = id_of(&added(&owner, address("주인")).await);
    let other = app.visitor();
    let other_id = funded_shopper(&other, "address_thief", 1_000_000).await;
    let theirs = id_of(&added(&other, address("남")).await);
    let (status, body) = other
        .post_json("/api/cart/add", &json!({"product_id": 5, "quantity": 1}))
        .await;
    assert_eq!(status, 200, "{body}");
    let owners_book = book(&owner).await;
    let others_book = book(&other).await;
    let before = order_books(&app, other_id).await;

    // Someone else's address, an unknown one, and no id at all: 404 to
    // every request, as if it did not exist.
    for (n, id) in [
        json!(mine),
        json!(999_999),
        json!("abc"),
        json!(0),
        json!(-1),
    ]
    .into_iter()
    .enumerate()
    {
        for path in [
            "/api/addresses/update",
            "/api/addresses/default",
            "/api/addresses/remove",
        ] {
            let body = with(
                &address("가로채기"),
                json!({"address_id": id, "is_default": true}),
            );
            let (status, answer) = other.post_json(path, &body).await;
            assert_error(status, &answer, 404, "ADDRESS_NOT_FOUND");
        }
        let (status, answer) = order_to(&other, &format!("thief-key-{n:04}"), id.clone(), 5).await;
        assert_error(status, &answer, 404, "ADDRESS_NOT_FOUND");
        // Nor from the cart.
        let (status, answer) = other
            .post_json(
                "/api/orders/place",
                &json!({"idempotency_key": format!("thief-cart-{n:04}"), "address_id": id,
                        "from_cart": true}),
            )
            .await;
        assert_error(status, &answer, 404, "ADDRESS_NOT_FOUND");
    }
    assert_eq!(book(&owner).await, owners_book, "the owner's is untouched");
    assert_eq!(book(&other).await, others_book);
    assert_eq!(
        order_books(&app, other_id).await,
        before,
        "nothing was written"
    );

    // Checkout never offers someone else's: it falls back to my default.
    let (status, view) = other
        .get_json(&format!("/api/checkout?address_id={mine}"))
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["address_id"], theirs);
    assert_eq!(view["addresses"], others_book["items"]);
    // The owner's own is theirs to order to.
    let (status, order) = order_to(&owner, "owner-key-0001", json!(mine), 5).await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["ship_to"]["recipient"], "주인");
}

async fn the_book_holds_twenty_and_one_default_under_concurrent_adds(backend: Backend) {
    let (first, second) = two_instances(backend).await;
    let shopper = first.visitor();
    let user_id = shopper.signup("busy_book").await;
    for i in 0..5 {
        added(&shopper, address(&format!("기존 {i}"))).await;
    }
    // Twenty at once, each asking to be the default, on both instances:
    // fifteen fit.
    let requests = (0..20)
        .map(|i| {
            let instance = if i % 2 == 0 { &first } else { &second };
            instance.with_client(shopper.client.clone()).post_request(
                "/api/addresses",
                with(&address(&format!("동시 {i}")), json!({"is_default": true})),
            )
        })
        .collect();
    let answers = post_concurrently(requests).await;
    let mut new = Vec::new();
    for (status, body) in &answers {
        match status {
            201 => {
                assert_eq!(body["is_default"], true, "{body}");
                new.push(id_of(body));
            }
            _ => assert_error(*status, body, 409, "TOO_MANY_ADDRESSES"),
        }
    }
    assert_eq!(new.len(), 15, "{answers:?}");
    let stored = rows(&first, user_id).await;
    assert_eq!(stored.len(), 20, "at most twenty");
    let stored_defaults: Vec<i64> = stored
        .iter()
        .filter(|(_, _, d)| *d == 1)
        .map(|(id, _, _)| *id)
        .collect();
    // One default: the last one asked for (each took the shopper's turn).
    assert_eq!(stored_defaults, vec![*new.iter().max().unwrap()]);
    let now = book(&shopper).await;
    assert_eq!(now["items"].as_array().unwrap().len(), 20);
    assert_eq!(defaults(&now), stored_defaults);
    assert_eq!(ids(&now)[0], stored_defaults[0], "the default first");

    // The twenty-first: refused, nothing written.
    let (status, body) = shopper
        .post_json("/api/addresses", &address("스물한째"))
        .await;
    assert_error(status, &body, 409, "TOO_MANY_ADDRESSES");
    assert_eq!(rows(&first, user_id).await, stored);
    // Removing one makes room for one.
    let (status, _) = shopper
        .post_json("/api/addresses/remove", &json!({"address_id": new[0]}))
        .await;
    assert_eq!(status, 200);
    added(&shopper, address("스물한째")).await;
    assert_eq!(rows(&first, user_id).await.len(), 20);
    // The limit is each shopper's.
    let other = first.visitor();
    other.signup("quiet_book").await;
    assert_eq!(added(&other, address("남")).await["is_default"], true);
}

async fn an_order_needs_an_address_and_keeps_it_as_it_was(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = funded_shopper(&app, "address_keeper", 1_000_000).await;
    let before = order_books(&app, user_id).await;
    // No address (none in the book yet, or one not sent): 400 naming it.
    let refuse = |body: Value| {
        let app = &app;
        async move {
            let (status, answer) = app.post_json("/api/orders/place", &body).await;
            assert_error(status, &answer, 400, "ADDRESS_REQUIRED");
            assert_eq!(
                answer["details"]["field"], "address_id",
                "{body} -> {answer}"
            );
        }
    };
    let lines = json!([{"product_id": 5, "quantity": 1}]);
    refuse(json!({"idempotency_key": "no-address-01", "items": lines})).await;
    let sent = with(
        &address("받는 분"),
        json!({"phone": "01098765432", "memo": "경비실에 맡겨 주세요"}),
    );
    let first = id_of(&added(&app, sent.clone()).await);
    for missing in [json!(null), json!(""), json!("   ")] {
        refuse(json!({"idempotency_key": "no-address-01", "items": lines, "address_id": missing}))
            .await;
        refuse(
            json!({"idempotency_key": "no-address-01", "from_cart": true, "address_id": missing}),
        )
        .await;
    }
    refuse(json!({"idempotency_key": "no-address-01", "items": lines})).await;
    // As a form, too.
    let (status, answer) = app
        .post_form_json(
            "/api/orders/place",
            &[
                ("idempotency_key", "no-address-01"),
                ("items[0][product_id]", "5"),
                ("items[0][quantity]", "1"),
                ("address_id", ""),
            ],
        )
        .await;
    assert_error(status, &answer, 400, "ADDRESS_REQUIRED");
    assert_eq!(
        order_books(&app, user_id).await,
        before,
        "nothing was written"
    );

    // The order keeps a copy of the address, the number as kept.
    let copy = kept(&sent, "010-9876-5432");
    let (status, placed) = order_to(&app, "keeps-key-0001", json!(first), 5).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["ship_to"], copy);
    let id = placed["order_id"].as_i64().unwrap();
    assert_eq!(order_of(&app, id).await["ship_to"], copy);
    let staff = app.staff("address_reader", Role::Support).await;
    assert_eq!(staff_order(&staff, id).await["ship_to"], copy);

    // The key covers the address: the same key to another one is another
    // request; to the same one, the first answer again.
    let second = id_of(&added(&app, address("다른 분")).await);
    let (status, body) = order_to(&app, "keeps-key-0001", json!(second), 5).await;
    assert_error(status, &body, 422, "IDEMPOTENCY_KEY_REUSED");
    let (status, again) = order_to(&app, "keeps-key-0001", json!(first), 5).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again, placed);

    // Edited, then removed: the order still goes where it was sent.
    let (status, edited) = app
        .post_json(
            "/api/addresses/update",
            &json!({"address_id": first, "recipient": "딴 사람", "phone": "010-1111-2222",
                    "postal_code": "48058", "address1": "부산 해운대구 센텀중앙로 79",
                    "address2": "", "memo": ""}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(order_of(&app, id).await["ship_to"], copy);
    assert_eq!(staff_order(&staff, id).await["ship_to"], copy);
    // A later order takes the address as it is now.
    let (status, later) = order_to(&app, "keeps-key-0002", json!(first), 5).await;
    assert_eq!(status, 201, "{later}");
    assert_eq!(later["ship_to"]["recipient"], "딴 사람");
    assert_eq!(later["ship_to"]["postal_code"], "48058");
    let (status, _) = app
        .post_json("/api/addresses/remove", &json!({"address_id": first}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(order_of(&app, id).await["ship_to"], copy);
    assert_eq!(staff_order(&staff, id).await["ship_to"], copy);
    assert_eq!(
        order_of(&app, later["order_id"].as_i64().unwrap()).await["ship_to"]["recipient"],
        "딴 사람"
    );
    // A removed address takes no more orders.
    let (status, body) = order_to(&app, "keeps-key-0003", json!(first), 5).await;
    assert_error(status, &body, 404, "ADDRESS_NOT_FOUND");
}

async fn the_fee_is_charged_below_the_threshold_after_the_coupon(backend: Backend) {
    let app = shop_with_fee(backend).await;
    let under = insert_product(&app.db, "FEE-UNDER", "문턱 아래", "Fee", 49_999, 100).await;
    let at = insert_product(&app.db, "FEE-AT", "문턱", "Fee", 50_000, 100).await;
    let half = insert_product(&app.db, "FEE-HALF", "반", "Fee", 25_000, 100).await;
    let over = insert_product(&app.db, "FEE-OVER", "문턱 위", "Fee", 52_000, 100).await;
    let user_id = funded_shopper(&app, "fee_payer", 1_000_000).await;
    let address = app.add_address().await;
    let to_cart = |product: i64, quantity: i64| {
        let app = &app;
        async move {
            let (status, body) = app
                .post_json(
                    "/api/cart/add",
                    &json!({"product_id": product, "quantity": quantity}),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    };
    let mut spent = 0;

    // 49,999: checkout says the fee before the order charges it.
    to_cart(under, 1).await;
    let (status, view) = app.get_json("/api/checkout").await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["shipping_fee"], FEE);
    assert_eq!(view["free_shipping_from"], FREE_FROM);
    assert_eq!(view["to_pay"], 49_999 + FEE);
    assert_eq!(view["address_id"], address);
    assert_eq!(view["addresses"][0]["address_id"], address);
    let (status, below) = app
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": "fee-under-01", "address_id": address, "from_cart": true}),
        )
        .await;
    assert_eq!(status, 201, "{below}");
    assert_eq!(below["subtotal"], 49_999);
    assert_eq!(below["discount"], 0);
    assert_eq!(below["shipping_fee"], FEE);
    assert_eq!(below["total"], 49_999 + FEE);
    assert_eq!(below["points_used"], 49_999 + FEE);
    spent += 49_999 + FEE;
    assert_eq!(below["points_left"], 1_000_000 - spent);
    let below_id = below["order_id"].as_i64().unwrap();
    let detail = order_of(&app, below_id).await;
    assert_eq!(detail["shipping_fee"], FEE);
    assert_eq!(detail["total"], 49_999 + FEE);
    assert_eq!(detail["points_spent"], 49_999 + FEE);
    let (_, history) = app.get_json("/api/points/history").await;
    assert_eq!(history["items"][0]["kind"], "use");
    assert_eq!(history["items"][0]["amount"], -(49_999 + FEE));
    assert_eq!(history["items"][0]["order_id"], below_id);
    let placed_events = events(&app, "order.placed").await;
    assert_eq!(placed_events[0]["order_id"], below_id);
    assert_eq!(placed_events[0]["subtotal"], 49_999);
    assert_eq!(placed_events[0]["shipping_fee"], FEE);
    assert_eq!(placed_events[0]["total"], 49_999 + FEE);

    // 50,000, in one line or two: free.
    to_cart(at, 1).await;
    let (_, view) = app.get_json("/api/checkout").await;
    assert_eq!(view["shipping_fee"], 0);
    assert_eq!(view["to_pay"], 50_000);
    let (status, free) = app
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": "fee-at-0001", "address_id": address, "from_cart": true}),
        )
        .await;
    assert_eq!(status, 201, "{free}");
    assert_eq!(free["shipping_fee"], 0);
    assert_eq!(free["total"], 50_000);
    spent += 50_000;
    let (status, two) = app
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": "fee-half-001", "address_id": address,
                    "items": [{"product_id": half, "quantity": 2}]}),
        )
        .await;
    assert_eq!(status, 201, "{two}");
    assert_eq!(two["shipping_fee"], 0);
    assert_eq!(two["total"], 50_000);
    spent += 50_000;
    let placed_events = events(&app, "order.placed").await;
    let free_event = &placed_events[1];
    assert_eq!(free_event["total"], 50_000);
    assert_eq!(free_event["shipping_fee"].as_i64().unwrap_or(0), 0);

    // 52,000 less a 3,000 coupon is 49,000: below the threshold again.
    let marketer = app.staff("fee_marketer", Role::CatalogManager).await;
    let (status, campaign) = marketer
        .post_json(
            "/api/admin/coupons",
            &json!({"name": "3천원", "kind": "fixed", "value": 3000, "open": true}),
        )
        .await;
    assert_eq!(status, 201, "{campaign}");
    let (status, coupon) = app
        .post_json(
            "/api/coupons/issue",
            &json!({"campaign_id": campaign["id"]}),
        )
        .await;
    assert_eq!(status, 201, "{coupon}");
    let coupon = coupon["coupon_id"].as_i64().unwrap();
    to_cart(over, 1).await;
    let (_, plain) = app.get_json("/api/checkout").await;
    assert_eq!(plain["shipping_fee"], 0, "52,000 alone ships free");
    assert_eq!(plain["to_pay"], 52_000);
    let (status, view) = app
        .get_json(&format!("/api/checkout?coupon_id={coupon}"))
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["discount"], 3_000);
    assert_eq!(view["shipping_fee"], FEE);
    assert_eq!(view["to_pay"], 52_000 - 3_000 + FEE);
    let (status, coupon_order) = app
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": "fee-coupon-01", "address_id": address,
                    "from_cart": true, "coupon_id": coupon}),
        )
        .await;
    assert_eq!(status, 201, "{coupon_order}");
    assert_eq!(coupon_order["subtotal"], 52_000);
    assert_eq!(coupon_order["discount"], 3_000);
    assert_eq!(coupon_order["shipping_fee"], FEE);
    assert_eq!(coupon_order["total"], 52_000 - 3_000 + FEE);
    spent += 52_000 - 3_000 + FEE;
    assert_eq!(coupon_order["points_left"], 1_000_000 - spent);
    let coupon_id = coupon_order["order_id"].as_i64().unwrap();
    let staff = app.staff("fee_reader", Role::Support).await;
    let seen = staff_order(&staff, coupon_id).await;
    assert_eq!(seen["shipping_fee"], FEE);
    assert_eq!(seen["total"], 52_000);
    let placed_events = events(&app, "order.placed").await;
    let coupon_event = &placed_events[3];
    assert_eq!(coupon_event["order_id"], coupon_id);
    assert_eq!(coupon_event["discount"], 3_000);
    assert_eq!(coupon_event["shipping_fee"], FEE);
    assert_eq!(coupon_event["total"], 52_000);
    let (_, points) = app.get_json("/api/points").await;
    assert_eq!(points["points"], 1_000_000 - spent);
    assert_ledger_matches(&app, user_id).await;

    // A cancel gives the whole total back, the fee included.
    let (status, cancelled) = cancel(&app, below_id, "fee-cancel-0001").await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["refunded"], 49_999 + FEE);
    assert_eq!(cancelled["shipping_fee"], FEE);
    spent -= 49_999 + FEE;
    let (status, cancelled) = cancel(&app, coupon_id, "fee-cancel-0002").await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["refunded"], 52_000);
    assert_eq!(cancelled["coupon_returned"], true);
    spent -= 52_000;
    let (_, points) = app.get_json("/api/points").await;
    assert_eq!(points["points"], 1_000_000 - spent);
    assert_eq!(spent, 100_000, "the two free orders stand");
    let refunds: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT order_id, amount FROM point_ledger WHERE kind = 'refund' ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(refunds, vec![(below_id, 49_999 + FEE), (coupon_id, 52_000)]);
    let cancelled_events = events(&app, "order.cancelled").await;
    assert_eq!(cancelled_events[0]["total"], 49_999 + FEE);
    assert_eq!(cancelled_events[1]["total"], 52_000);
    assert_ledger_matches(&app, user_id).await;
}

async fn a_cancel_gives_the_fee_back_through_kakaopay_too(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let mut config = shop_config(fresh_database(backend).await, &sandbox);
    config.shipping = rates();
    let app = spawn_app_with(config).await;
    let boots = insert_product(&app.db, "FEE-BOOT", "Trail boots", "Hike", 20_000, 5).await;
    let shopper = app.visitor_speaking("en-US");
    let user_id = shopper.signup("fee_kakao").await;
    let admin = app.staff("fee_kakao_staff", Role::Admin).await;
    let (status, body) = admin
        .post_json(
            "/api/admin/customers/points",
            &json!({"user_id": user_id, "delta": 10_000, "reason": "test"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let address = shopper.add_address().await;

    // 20,000 and the fee: 10,000 in points, 13,000 through KakaoPay.
    let (status, placed) = shopper
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": "fee-kakao-0001", "address_id": address, "points": 10_000,
                    "items": [{"product_id": boots, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["status"], "awaiting_payment");
    assert_eq!(placed["shipping_fee"], FEE);
    assert_eq!(placed["total"], 20_000 + FEE);
    assert_eq!(placed["points_used"], 10_000);
    assert_eq!(placed["to_pay"], 10_000 + FEE);
    let id = placed["order_id"].as_i64().unwrap();
    let charge: i64 = sqlx::query_scalar("SELECT id FROM charges WHERE order_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        sandbox.payment_of(charge).await["total_amount"],
        10_000 + FEE
    );
    let back = sandbox
        .press(placed["redirect_url"].as_str().unwrap(), "pay")
        .await;
    let (status, _, _) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    let paid = order_of(&shopper, id).await;
    assert_eq!(paid["status"], "placed");
    assert_eq!(paid["paid_with"]["amount"], 10_000 + FEE);

    // Cancelled: the points and KakaoPay's part come back, the whole total.
    let (status, cancelled) = cancel(&shopper, id, "fee-kakao-cancel").await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["refunded"], 10_000);
    assert_eq!(cancelled["refunded_by_service"], 10_000 + FEE);
    assert_eq!(balance(&shopper).await, 10_000);
    assert_eq!(
        sandbox.payment_of(charge).await["canceled_amount"],
        10_000 + FEE
    );
    assert_ledger_matches(&app, user_id).await;
}

async fn staff_ship_and_deliver_an_order_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = funded_shopper(&app, "parcel_owner", 1_000_000).await;
    let first = bought(&app, "parcel-buy-0001", 5).await;
    let second = bought(&app, "parcel-buy-0002", 11).await;
    let ordered_at = order_of(&app, first).await["ordered_at"].as_i64().unwrap();
    let shipper = app.staff("shipper", Role::OrderManager).await;
    let deliverer = app.staff("deliverer", Role::Support).await;

    // Only staff with `orders`.
    let catalog = app.staff("parcel_catalog", Role::CatalogManager).await;
    for (who, status, code) in [
        (&app.visitor(), 401, "UNAUTHENTICATED"),
        (&app, 403, "FORBIDDEN"),
        (&catalog, 403, "FORBIDDEN"),
    ] {
        let (got, body) = ship(who, first, "cj", "1234567890").await;
        assert_error(got, &body, status, code);
        let (got, body) = deliver(who, first).await;
        assert_error(got, &body, status, code);
        let (got, body) = ship_many(
            who,
            json!([{"order_id": first, "carrier": "cj", "tracking_number": "1234567890"}]),
        )
        .await;
        assert_error(got, &body, status, code);
    }
    assert_eq!(order_of(&app, first).await["status"], "placed");

    // Shipped, with a carrier and a number (its hyphens dropped).
    let (status, shipped) = ship(&shipper, first, "hanjin", "6789-0123-4567").await;
    assert_eq!(status, 200, "{shipped}");
    assert_eq!(shipped["order_id"], first);
    assert_eq!(shipped["status"], "shipped");
    assert_eq!(shipped["status_by"], "shipper");
    let shipment = &shipped["shipment"];
    assert_eq!(shipment["carrier"], "hanjin");
    assert_eq!(shipment["tracking_number"], "678901234567");
    let url = shipment["tracking_url"].as_str().unwrap();
    assert!(
        url.starts_with("https://") && url.ends_with("678901234567"),
        "{url}"
    );
    let shipped_at = shipment["shipped_at"].as_i64().unwrap();
    assert!(shipped_at >= ordered_at);
    assert!(shipment.get("delivered_at").is_none(), "{shipped}");
    assert!(shipped["ship_to"].is_object(), "{shipped}");
    // The shopper sees it.
    let seen = order_of(&app, first).await;
    assert_eq!(seen["status"], "shipped");
    assert_eq!(seen["shipment"], *shipment);

    // Once: again is refused and changes nothing.
    let (status, body) = ship(&deliverer, first, "cj", "1111111111").await;
    assert_error(status, &body, 409, "ORDER_NOT_FULFILLABLE");
    assert_eq!(body["details"]["status"], "shipped");
    assert_eq!(body["details"]["order_id"], first);
    assert_eq!(order_of(&app, first).await["shipment"], *shipment);
    let (status, body) = ship(&shipper, 999_999, "cj", "1234567890").await;
    assert_error(status, &body, 404, "ORDER_NOT_FOUND");
    // A shipped order is no longer cancelled, by anyone.
    let (status, body) = cancel(&app, first, "parcel-cancel-01").await;
    assert_error(status, &body, 409, "ORDER_NOT_CANCELLABLE");
    assert_eq!(body["details"]["status"], "shipped");
    let (status, body) = deliverer
        .post_json(
            "/api/admin/orders/cancel",
            &json!({"order_id": first, "idempotency_key": "parcel-cancel-02", "reason": "late"}),
        )
        .await;
    assert_error(status, &body, 409, "ORDER_NOT_CANCELLABLE");
    assert_eq!(body["details"]["status"], "shipped");
    // Only a shipped order is delivered.
    let (status, body) = deliver(&deliverer, second).await;
    assert_error(status, &body, 409, "ORDER_NOT_FULFILLABLE");
    assert_eq!(body["details"]["status"], "placed");
    assert_eq!(order_of(&app, second).await["status"], "placed");
    let (status, body) = deliver(&deliverer, 999_999).await;
    assert_error(status, &body, 404, "ORDER_NOT_FOUND");

    // Delivered, once.
    let (status, delivered) = deliver(&deliverer, first).await;
    assert_eq!(status, 200, "{delivered}");
    assert_eq!(delivered["status"], "delivered");
    assert_eq!(delivered["status_by"], "deliverer");
    assert_eq!(delivered["shipment"]["carrier"], "hanjin");
    assert_eq!(delivered["shipment"]["tracking_number"], "678901234567");
    assert_eq!(delivered["shipment"]["shipped_at"], shipped_at);
    let delivered_at = delivered["shipment"]["delivered_at"].as_i64().unwrap();
    assert!(delivered_at >= shipped_at);
    assert_eq!(
        order_of(&app, first).await["shipment"],
        delivered["shipment"]
    );
    let (status, body) = deliver(&shipper, first).await;
    assert_error(status, &body, 409, "ORDER_NOT_FULFILLABLE");
    assert_eq!(body["details"]["status"], "delivered");
    let (status, body) = ship(&shipper, first, "cj", "1234567890").await;
    assert_error(status, &body, 409, "ORDER_NOT_FULFILLABLE");
    assert_eq!(body["details"]["status"], "delivered");
    let (status, body) = cancel(&app, first, "parcel-cancel-03").await;
    assert_error(status, &body, 409, "ORDER_NOT_CANCELLABLE");
    assert_eq!(body["details"]["status"], "delivered");

    // Its story, for staff.
    let story: Vec<(String, String)> = staff_order(&shipper, first).await["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["status"].as_str().unwrap().to_string(),
                h["by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        story,
        [
            ("placed".to_string(), "shopper".to_string()),
            ("shipped".to_string(), "shipper".to_string()),
            ("delivered".to_string(), "deliverer".to_string()),
        ]
    );
    let (_, delivered_list) = shipper.get_json("/api/admin/orders?status=delivered").await;
    assert_eq!(delivered_list["total"], 1);
    assert_eq!(delivered_list["items"][0]["order_id"], first);
    let (_, placed_list) = shipper.get_json("/api/admin/orders?status=placed").await;
    assert_eq!(placed_list["total"], 1);
    assert_eq!(placed_list["items"][0]["order_id"], second);

    // One audit row for each move, naming who and what.
    let admin = app.staff("parcel_auditor", Role::Admin).await;
    let (status, log) = admin.get_json("/api/admin/audit?kind=order.shipped").await;
    assert_eq!(status, 200, "{log}");
    assert_eq!(log["total"], 1, "{log}");
    assert_eq!(log["items"][0]["actor"], "shipper");
    assert_eq!(log["items"][0]["target"], format!("order:{first}"));
    assert!(
        log["items"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("hanjin 678901234567"),
        "{log}"
    );
    let (_, log) = admin
        .get_json("/api/admin/audit?kind=order.delivered")
        .await;
    assert_eq!(log["total"], 1, "{log}");
    assert_eq!(log["items"][0]["actor"], "deliverer");
    assert_eq!(log["items"][0]["target"], format!("order:{first}"));

    // One event for each, for the data platform.
    let shipped_events = events(&app, "order.shipped").await;
    assert_eq!(shipped_events.len(), 1);
    let event = &shipped_events[0];
    assert_eq!(event["type"], "order.shipped");
    assert!(event["event_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(event["order_id"], first);
    assert_eq!(event["user_id"], owner);
    assert_eq!(event["carrier"], "hanjin");
    assert_eq!(event["tracking_number"], "678901234567");
    assert_eq!(event["shipped_at"], shipped_at);
    let delivered_events = events(&app, "order.delivered").await;
    assert_eq!(delivered_events.len(), 1);
    let event = &delivered_events[0];
    assert_eq!(event["type"], "order.delivered");
    assert_eq!(event["order_id"], first);
    assert_eq!(event["user_id"], owner);
    assert_eq!(event["delivered_at"], delivered_at);
    // The platform takes them (none is left failing).
    crate::platform::eventually("every event is delivered", || async {
        let stats = app::platform::outbox::stats(&app.db).await.unwrap();
        stats.pending == 0 && stats.failing == 0
    })
    .await;

    // Support ships too; the shortest and the longest numbers do.
    let (status, body) = ship(&deliverer, second, "epost", "12345678901234").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["shipment"]["tracking_number"], "12345678901234");
    let third = bought(&app, "parcel-buy-0003", 12).await;
    let (status, body) = ship(&shipper, third, "logen", " 1234567890 ").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["shipment"]["tracking_number"], "1234567890");
    assert_eq!(events(&app, "order.shipped").await.len(), 3);
}

async fn a_bad_parcel_is_refused_and_nothing_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    funded_shopper(&app, "bad_parcel", 1_000_000).await;
    let order = bought(&app, "bad-parcel-0001", 5).await;
    let staff = app.staff("bad_parcel_staff", Role::OrderManager).await;
    let before = shipping_books(&app).await;
    for (carrier, tracking, field) in [
        ("dhl", "1234567890", "carrier"),
        ("CJ", "1234567890", "carrier"),
        ("", "1234567890", "carrier"),
        ("cj\u{0}", "1234567890", "carrier"),
        ("cj", "123456789", "tracking_number"),
        ("cj", "123456789012345", "tracking_number"),
        ("cj", "12345abcde", "tracking_number"),
        ("cj", "", "tracking_number"),
        ("cj", "1234 567890", "tracking_number"),
        ("cj", "１２３４５６７８９０", "tracking_number"),
        ("cj", "=1234567890", "tracking_number"),
    ] {
        let (status, body) = ship(&staff, order, carrier, tracking).await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        assert_eq!(
            body["details"]["field"], field,
            "{carrier:?} {tracking:?} -> {body}"
        );
    }
    assert_eq!(shipping_books(&app).await, before, "nothing changed");
    assert_eq!(order_of(&app, order).await["status"], "placed");
    assert!(order_of(&app, order).await.get("shipment").is_none());
}

async fn ship_many_is_all_or_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    funded_shopper(&app, "bulk_one", 1_000_000).await;
    let other = app.visitor();
    funded_shopper(&other, "bulk_two", 1_000_000).await;
    let o1 = bought(&app, "bulk-buy-0001", 5).await;
    let o2 = bought(&other, "bulk-buy-0002", 11).await;
    let o3 = bought(&app, "bulk-buy-0003", 12).await;
    let o4 = bought(&other, "bulk-buy-0004", 13).await;
    let staff = app.staff("bulk_shipper", Role::OrderManager).await;
    let (status, body) = ship(&staff, o3, "cj", "3333333333").await;
    assert_eq!(status, 200, "{body}");
    let line = |order_id: i64, carrier: &str, tracking: &str| json!({"order_id": order_id, "carrier": carrier, "tracking_number": tracking});
    let before = shipping_books(&app).await;

    // One order of four already shipped: refused naming it, none shipped.
    let (status, body) = ship_many(
        &staff,
        json!([
            line(o1, "cj", "1111111111"),
            line(o2, "lotte", "2222222222"),
            line(o3, "epost", "3333333334"),
            line(o4, "logen", "4444444444"),
        ]),
    )
    .await;
    assert_error(status, &body, 409, "ORDER_NOT_FULFILLABLE");
    assert_eq!(body["details"]["order_id"], o3);
    assert_eq!(body["details"]["status"], "shipped");
    assert_eq!(shipping_books(&app).await, before, "none of them shipped");
    // An unknown order: the same.
    let (status, body) = ship_many(
        &staff,
        json!([
            line(o1, "cj", "1111111111"),
            line(999_999, "cj", "9999999999")
        ]),
    )
    .await;
    assert_error(status, &body, 404, "ORDER_NOT_FOUND");
    assert_eq!(shipping_books(&app).await, before);

    // A bad line names its order and field.
    for (lines, order_id, field) in [
        (
            json!([
                line(o1, "cj", "1111111111"),
                line(o2, "ups", "2222222222"),
                line(o4, "cj", "4444444444")
            ]),
            o2,
            "carrier",
        ),
        (
            json!([line(o1, "cj", "1111111111"), line(o2, "cj", "12")]),
            o2,
            "tracking_number",
        ),
        (
            json!([
                line(o4, "cj", "4444444444"),
                line(o1, "hanjin", "1111111111x")
            ]),
            o1,
            "tracking_number",
        ),
    ] {
        let (status, body) = ship_many(&staff, lines.clone()).await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        assert_eq!(body["details"]["order_id"], order_id, "{lines} -> {body}");
        assert_eq!(body["details"]["field"], field, "{lines} -> {body}");
    }
    // The same order twice.
    let (status, body) = ship_many(
        &staff,
        json!([
            line(o1, "cj", "1111111111"),
            line(o2, "cj", "2222222222"),
            line(o1, "lotte", "1111111112")
        ]),
    )
    .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["order_id"], o1);
    // None, none with a number, or more than 200.
    let too_many: Vec<Value> = (0..201)
        .map(|i| line(1_000_000 + i, "cj", "1234567890"))
        .collect();
    for lines in [
        json!([]),
        json!([line(o1, "cj", ""), line(o2, "cj", "  ")]),
        json!(too_many),
    ] {
        let (status, body) = ship_many(&staff, lines).await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        assert_eq!(body["details"]["field"], "shipments", "{body}");
    }
    let (status, body) = staff
        .post_json("/api/admin/orders/ship-many", &json!({}))
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["field"], "shipments");
    // 200 lines are not too many (those orders do not exist).
    let most: Vec<Value> = (0..200)
        .map(|i| line(1_000_000 + i, "cj", "1234567890"))
        .collect();
    let (status, body) = ship_many(&staff, json!(most)).await;
    assert_error(status, &body, 404, "ORDER_NOT_FOUND");
    assert_eq!(shipping_books(&app).await, before, "nothing was written");

    // A good list ships them all; a line without a number is left out.
    let (status, body) = ship_many(
        &staff,
        json!([
            line(o4, "logen", "4444-4444-44"),
            line(o2, "lotte", ""),
            line(o1, "cj", "1111111111"),
        ]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let shipped: BTreeMap<i64, (String, String, String)> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["order_id"].as_i64().unwrap(),
                (
                    o["status"].as_str().unwrap().to_string(),
                    o["shipment"]["carrier"].as_str().unwrap().to_string(),
                    o["shipment"]["tracking_number"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                ),
            )
        })
        .collect();
    let expected: BTreeMap<i64, (String, String, String)> = [
        (o1, ("shipped", "cj", "1111111111")),
        (o4, ("shipped", "logen", "4444444444")),
    ]
    .into_iter()
    .map(|(id, (s, c, t))| (id, (s.to_string(), c.to_string(), t.to_string())))
    .collect();
    assert_eq!(shipped, expected);
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    assert_eq!(order_of(&other, o2).await["status"], "placed");
    assert_eq!(order_of(&other, o4).await["status"], "shipped");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM shipments").await,
        3,
        "o1, o3, o4"
    );
    let event_orders: BTreeSet<i64> = events(&app, "order.shipped")
        .await
        .iter()
        .map(|e| e["order_id"].as_i64().unwrap())
        .collect();
    assert_eq!(event_orders, BTreeSet::from([o1, o3, o4]));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE kind = 'order.shipped'"
        )
        .await,
        3
    );
}

async fn ten_staff_shipping_one_order_ship_it_once(backend: Backend) {
    let (first, second) = two_instances(backend).await;
    funded_shopper(&first, "race_receiver", 1_000_000).await;
    let order = bought(&first, "race-ship-0001", 5).await;
    let managers = first.staff("race_manager", Role::OrderManager).await;
    let support = first.staff("race_support", Role::Support).await;
    let carriers = ["cj", "lotte", "hanjin", "epost", "logen"];
    let requests = (0..10)
        .map(|i| {
            let instance = if i % 2 == 0 { &first } else { &second };
            let staff = if i < 5 { &managers } else { &support };
            instance.with_client(staff.client.clone()).post_request(
                "/api/admin/orders/ship",
                json!({"order_id": order, "carrier": carriers[i % 5],
                       "tracking_number": format!("{}", 1_000_000_000 + i)}),
            )
        })
        .collect();
    let answers = post_concurrently(requests).await;
    let won: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(won.len(), 1, "exactly one shipped it: {answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_error(*status, body, 409, "ORDER_NOT_FULFILLABLE");
        assert_eq!(body["details"]["status"], "shipped");
        assert_eq!(body["details"]["order_id"], order);
    }
    let winner = &won[0]["shipment"];
    let stored: Vec<(i64, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT order_id, carrier, tracking_number FROM shipments")
            .fetch_all(first.db.pool())
            .await
            .unwrap();
    assert_eq!(
        stored,
        vec![(
            order,
            winner["carrier"].as_str().map(str::to_string),
            winner["tracking_number"].as_str().map(str::to_string)
        )]
    );
    let shipped_events = events(&first, "order.shipped").await;
    assert_eq!(shipped_events.len(), 1, "one event");
    assert_eq!(
        shipped_events[0]["tracking_number"],
        winner["tracking_number"]
    );
    assert_eq!(
        count(
            &first,
            "SELECT COUNT(*) FROM audit_log WHERE kind = 'order.shipped'"
        )
        .await,
        1
    );

    // Bulk shipments of the same orders, listed in different orders, at
    // once: one ships them all, the rest are refused (never a deadlock).
    let mut orders = Vec::new();
    for i in 0..6 {
        let product = insert_product(
            &first.db,
            &format!("RACE-BULK-{i}"),
            &format!("경주 {i}"),
            "Race",
            1_000,
            10,
        )
        .await;
        orders.push(bought(&first, &format!("race-bulk-{i:04}"), product).await);
    }
    let requests = (0..6)
        .map(|i| {
            let instance = if i % 2 == 0 { &first } else { &second };
            let mut listed = orders.clone();
            listed.rotate_left(i);
            if i % 2 == 1 {
                listed.reverse();
            }
            let lines: Vec<Value> = listed
                .iter()
                .map(|o| json!({"order_id": o, "carrier": "cj", "tracking_number": format!("{}", 2_000_000_000 + o)}))
                .collect();
            instance
                .with_client(managers.client.clone())
                .post_request("/api/admin/orders/ship-many", json!({"shipments": lines}))
        })
        .collect();
    let answers = post_concurrently(requests).await;
    let won: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(won.len(), 1, "exactly one shipped them: {answers:?}");
    assert_eq!(won[0]["items"].as_array().unwrap().len(), 6);
    for (status, body) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_error(*status, body, 409, "ORDER_NOT_FULFILLABLE");
        assert_eq!(body["details"]["status"], "shipped");
    }
    assert_eq!(count(&first, "SELECT COUNT(*) FROM shipments").await, 7);
    assert_eq!(events(&first, "order.shipped").await.len(), 7);
}

/// The shopper cancels while staff ship, on both instances: the order
/// ends one way, never both (no refund for a shipped order, no shipment
/// for a cancelled one).
async fn a_cancel_racing_a_shipment_ends_one_way(backend: Backend) {
    let (first, second) = two_instances(backend).await;
    let user_id = funded_shopper(&first, "race_canceller", 1_000_000).await;
    let product = insert_product(&first.db, "RACE-CANCEL", "경주 상품", "Race", 7_000, 10).await;
    let staff = first.staff("race_packer", Role::OrderManager).await;
    for round in 0..5 {
        let order = bought(&first, &format!("race-cancel-buy-{round}"), product).await;
        let requests = (0..10)
            .map(|i| {
                let instance = if i % 2 == 0 { &first } else { &second };
                if i < 5 {
                    instance.with_client(staff.client.clone()).post_request(
                        "/api/admin/orders/ship",
                        json!({"order_id": order, "carrier": "cj",
                               "tracking_number": format!("3{round:04}{i:05}")}),
                    )
                } else {
                    instance.with_client(first.client.clone()).post_request(
                        "/api/orders/cancel",
                        json!({"order_id": order,
                               "idempotency_key": format!("race-cancel-{round}-{i:04}")}),
                    )
                }
            })
            .collect();
        let answers = post_concurrently(requests).await;
        let done = answers.iter().filter(|(s, _)| *s == 200).count();
        assert_eq!(done, 1, "one request moved it: {answers:?}");
        let ended = order_of(&first, order).await["status"]
            .as_str()
            .unwrap()
            .to_string();
        for (i, (status, body)) in answers.iter().enumerate().filter(|(_, (s, _))| *s != 200) {
            let code = if i < 5 {
                "ORDER_NOT_FULFILLABLE"
            } else {
                "ORDER_NOT_CANCELLABLE"
            };
            assert_error(*status, body, 409, code);
            assert_eq!(body["details"]["status"], ended.as_str());
        }
        let of_order = |sql: &str| {
            let sql = sql.replace("?", &order.to_string());
            let first = &first;
            async move { count(first, &sql).await }
        };
        let shipments = of_order("SELECT COUNT(*) FROM shipments WHERE order_id = ?").await;
        let refunds =
            of_order("SELECT COUNT(*) FROM point_ledger WHERE kind = 'refund' AND order_id = ?")
                .await;
        let returned = of_order(
            "SELECT COUNT(*) FROM stock_movements WHERE reason = 'cancel' AND order_id = ?",
        )
        .await;
        let shipped_events = events(&first, "order.shipped")
            .await
            .iter()
            .filter(|e| e["order_id"] == order)
            .count();
        let cancelled_events = events(&first, "order.cancelled")
            .await
            .iter()
            .filter(|e| e["order_id"] == order)
            .count();
        let seen = (
            shipments,
            refunds,
            returned,
            shipped_events,
            cancelled_events,
        );
        match ended.as_str() {
            "shipped" => assert_eq!(seen, (1, 0, 0, 1, 0), "round {round}"),
            "cancelled" => assert_eq!(seen, (0, 1, 1, 0, 1), "round {round}"),
            other => panic!("round {round} ended {other}"),
        }
    }
    assert_ledger_matches(&first, user_id).await;
    let stock = count(
        &first,
        &format!("SELECT stock FROM variants WHERE product_id = {product}"),
    )
    .await;
    let shipped = count(
        &first,
        "SELECT COUNT(*) FROM orders WHERE status = 'shipped'",
    )
    .await;
    assert_eq!(stock, 10 - shipped, "what was cancelled came back");
}

async fn a_failure_at_any_step_of_a_shipment_leaves_everything_as_it_was(backend: Backend) {
    let app = spawn_app(backend).await;
    funded_shopper(&app, "fragile_parcel", 1_000_000).await;
    let o1 = bought(&app, "fragile-ship-0001", 5).await;
    let o2 = bought(&app, "fragile-ship-0002", 11).await;
    let staff = app.staff("fragile_shipper", Role::OrderManager).await;
    let lines = json!([
        {"order_id": o1, "carrier": "cj", "tracking_number": "1111111111"},
        {"order_id": o2, "carrier": "cj", "tracking_number": "2222222222"},
    ]);
    let before = shipping_books(&app).await;
    for (table, event) in [
        ("orders", "UPDATE"),
        ("shipments", "INSERT"),
        ("outbox", "INSERT"),
        ("audit_log", "INSERT"),
    ] {
        inject_failure(&app, backend, table, event).await;
        let (status, body) = ship_many(&staff, lines.clone()).await;
        remove_failure(&app, backend, table).await;
        assert_error(status, &body, 500, "INTERNAL");
        assert_eq!(
            shipping_books(&app).await,
            before,
            "failure at {event} {table}"
        );
    }
    let (status, body) = ship_many(&staff, lines).await;
    assert_eq!(status, 200, "{body}");

    let before = shipping_books(&app).await;
    for (table, event) in [
        ("orders", "UPDATE"),
        ("shipments", "UPDATE"),
        ("outbox", "INSERT"),
        ("audit_log", "INSERT"),
    ] {
        inject_failure(&app, backend, table, event).await;
        let (status, body) = deliver(&staff, o1).await;
        remove_failure(&app, backend, table).await;
        assert_error(status, &body, 500, "INTERNAL");
        assert_eq!(
            shipping_books(&app).await,
            before,
            "failure at {event} {table}"
        );
    }
    let (status, body) = deliver(&staff, o1).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "delivered");
}

/// An address a hostile shopper might keep: `(recipient, phone sent,
/// phone kept, postal code, address1, address2, memo)`. No line breaks
/// (the rule refuses them); quotes, commas, semicolons, formulas and
/// every kind of script.
type Hostile = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

static HOSTILE: [Hostile; 10] = [
    (
        "=HYPERLINK(\"http://evil\")",
        "01012345678",
        "010-1234-5678",
        "04524",
        "서울 중구 세종대로 110",
        "3층",
        "@SUM(1)",
    ),
    (
        "홍\"길동\", 주임",
        "010-9876-5432",
        "010-9876-5432",
        "06236",
        "서울 강남구 테헤란로 152",
        "\"강남\"파이낸스, 12층",
        "문 앞에, \"조용히\"; 벨 X",
    ),
    (
        "\"Kim, Jr.\"; Lee",
        "02-123-4567",
        "02-123-4567",
        "03187",
        "Seoul, Jongno-gu; \"Sejong-daero\" 175",
        "",
        "",
    ),
    (
        "+82 고객",
        "031-123-4567",
        "031-123-4567",
        "13529",
        "경기 성남시 분당구 판교역로 235",
        "A동",
        "-부재 시 경비실",
    ),
    (
        "-마이너스",
        "01011112222",
        "010-1111-2222",
        "48058",
        "=부산 해운대구 센텀중앙로 79",
        "101호",
        "=1+2",
    ),
    (
        "@멘션; 님",
        "070-1234-5678",
        "070-1234-5678",
        "63309",
        "제주 제주시 첨단로 242",
        "",
        "+추가 메모",
    ),
    (
        "🚚 배송 テスト ñ é",
        "064-1234-5678",
        "064-1234-5678",
        "61945",
        "광주 서구 내방로 111",
        "Ω≈ç√",
        "😀 ✓",
    ),
    (
        "\"\"\"",
        "010-2222-3333",
        "010-2222-3333",
        "34126",
        "대전 유성구 대학로 99",
        "\",\"",
        "\"",
    ),
    (
        "a,b,c;d;\"e\"",
        "010-4444-5555",
        "010-4444-5555",
        "41566",
        "대구 북구 대학로 80",
        "'작은따옴표'",
        ",",
    ),
    (
        "김철수",
        "010-6666-7777",
        "010-6666-7777",
        "16499",
        "경기 수원시 영통구 월드컵로 206",
        "",
        "",
    ),
];

fn hostile_body(h: &Hostile) -> Value {
    json!({"recipient": h.0, "phone": h.1, "postal_code": h.3, "address1": h.4,
           "address2": h.5, "memo": h.6})
}

/// A cell as a spreadsheet must be given it: one that would start a
/// formula (`=`, `+`, `-`, `@`, a tab, a carriage return) behind a `'`.
fn inert(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// RFC 4180, strictly: fields split by commas, records by CRLF or LF; a
/// field in double quotes holds commas, line breaks and doubled quotes;
/// an unquoted field holds no quote. The records, each its fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut fresh = true;
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c != '"' {
                field.push(c);
            } else if chars.peek() == Some(&'"') {
                chars.next();
                field.push('"');
            } else {
                quoted = false;
                assert!(
                    matches!(chars.peek(), None | Some(',' | '\r' | '\n')),
                    "text after a closing quote: {field:?}"
                );
            }
            continue;
        }
        match c {
            '"' => {
                assert!(fresh, "a quote inside an unquoted field: {field:?}");
                quoted = true;
                fresh = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                fresh = true;
            }
            '\r' | '\n' => {
                if c == '\r' {
                    assert_eq!(chars.next(), Some('\n'), "a lone CR ends no record");
                }
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                fresh = true;
            }
            c => {
                field.push(c);
                fresh = false;
            }
        }
    }
    assert!(!quoted, "the text ends inside quotes");
    if !fresh || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[test]
fn the_csv_reader_reads_rfc_4180() {
    assert_eq!(
        parse_csv("a,\"b,c\",\"d\"\"e\"\r\n,\"\",f\n\"x\ny\",z"),
        vec![
            vec!["a", "b,c", "d\"e"],
            vec!["", "", "f"],
            vec!["x\ny", "z"],
        ]
    );
}

/// One order as the CSV must show it.
struct Expected {
    order_id: i64,
    ordered_at: i64,
    status: &'static str,
    address: &'static Hostile,
    /// `(name, quantity)` by product id.
    items: Vec<(&'static str, i64)>,
}

impl Expected {
    fn row(&self, locale: Locale) -> Vec<String> {
        let h = self.address;
        let status = match (self.status, locale) {
            ("placed", Locale::en) => "Placed",
            ("shipped", Locale::en) => "Shipped",
            ("cancelled", Locale::en) => "Cancelled",
            ("placed", _) => "주문 완료",
            ("shipped", _) => "배송 중",
            ("cancelled", _) => "취소됨",
            (other, _) => panic!("{other}"),
        };
        let address = match h.5 {
            "" => h.4.to_string(),
            second => format!("{} {second}", h.4),
        };
        let items = self
            .items
            .iter()
            .map(|(name, quantity)| format!("{name} x{quantity}"))
            .collect::<Vec<_>>()
            .join("; ");
        [
            self.order_id.to_string(),
            app::dates::format_millis(self.ordered_at, locale),
            status.to_string(),
            h.0.to_string(),
            h.2.to_string(),
            h.3.to_string(),
            address,
            h.6.to_string(),
            items,
        ]
        .iter()
        .map(|cell| inert(cell))
        .collect()
    }
}

const KO_HEADER: [&str; 9] = [
    "주문번호",
    "주문일시",
    "상태",
    "받는 분",
    "연락처",
    "우편번호",
    "주소",
    "배송 메모",
    "상품",
];
const EN_HEADER: [&str; 9] = [
    "Order",
    "Ordered at",
    "Status",
    "Recipient",
    "Phone",
    "Postal code",
    "Address",
    "Delivery note",
    "Items",
];

/// `GET /api/admin/orders/export?{query}` as `staff` speaking
/// `language`: its records, after checking it is a CSV download with a
/// byte-order mark.
async fn export(staff: &TestApp, query: &str, language: &str) -> Vec<Vec<String>> {
    let response = staff
        .client
        .get(staff.url(&format!("/api/admin/orders/export?{query}")))
        .header("accept-language", language)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{query}");
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
        "{headers:?}"
    );
    assert_eq!(headers["cache-control"], "private, no-store");
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark first"
    );
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    assert!(!text.starts_with('\u{feff}'), "one byte-order mark");
    // No line breaks inside a cell (the rule refuses them): every line is
    // a record, and none starts like a formula.
    for line in text.lines().skip(1) {
        assert!(
            line.starts_with(|c: char| c.is_ascii_digit()),
            "a line starts with its order: {line:?}"
        );
    }
    let records = parse_csv(text);
    assert_eq!(records.len(), text.lines().count(), "one record a line");
    for record in &records {
        assert_eq!(record.len(), 9, "{record:?}");
    }
    records
}

async fn the_courier_csv_round_trips_five_hundred_hostile_orders(backend: Backend) {
    const SHOPPERS: usize = 10;
    const EACH: usize = 50;
    const SOCKS: &str = "-50% \"양말\", 회색";
    const TEE: &str = "Tee \"Crew\", 白; 95";
    let app = spawn_app(backend).await;
    // Socks first (the lower id: an order's lines come by product).
    let socks = insert_product(&app.db, "CSV-SOCKS", SOCKS, "Csv", 1_000, 1_000_000).await;
    let tee = insert_product(&app.db, "CSV-TEE", TEE, "Csv", 2_000, 1_000_000).await;
    assert!(socks < tee);

    let mut shoppers = Vec::new();
    for i in 0..SHOPPERS {
        let shopper = app.visitor();
        let user_id = funded_shopper(&shopper, &format!("csv_shopper_{i}"), 1_000_000).await;
        let mut book = Vec::new();
        for j in 0..5 {
            let hostile: &'static Hostile = &HOSTILE[(i + j) % HOSTILE.len()];
            let address = added(&shopper, hostile_body(hostile)).await;
            assert_eq!(address["recipient"], hostile.0, "stored as sent");
            book.push((id_of(&address), hostile));
        }
        shoppers.push((shopper, user_id, book));
    }
    // The shoppers order at once, fifty orders each.
    let tasks: Vec<_> = shoppers
        .iter()
        .map(|(shopper, _, book)| {
            let shopper = shopper.with_client(shopper.client.clone());
            let book = book.clone();
            tokio::spawn(async move {
                let mut placed = Vec::new();
                for n in 0..EACH {
                    let (address, hostile) = book[n % book.len()];
                    let socks_quantity = (n % 3 + 1) as i64;
                    let (items, expected) = if n % 2 == 0 {
                        (json!([{"product_id": tee, "quantity": 1}]), vec![(TEE, 1)])
                    } else {
                        (
                            json!([{"product_id": tee, "quantity": 1},
                                   {"product_id": socks, "quantity": socks_quantity}]),
                            vec![(SOCKS, socks_quantity), (TEE, 1)],
                        )
                    };
                    let key = uuid::Uuid::new_v4().to_string();
                    let (status, order) = shopper
                        .post_json(
                            "/api/orders/place",
                            &json!({"idempotency_key": key, "address_id": address, "items": items}),
                        )
                        .await;
                    assert_eq!(status, 201, "{order}");
                    assert_eq!(order["ship_to"], kept(&hostile_body(hostile), hostile.2));
                    placed.push(Expected {
                        order_id: order["order_id"].as_i64().unwrap(),
                        ordered_at: order["ordered_at"].as_i64().unwrap(),
                        status: "placed",
                        address: hostile,
                        items: expected,
                    });
                }
                placed
            })
        })
        .collect();
    let mut expected: BTreeMap<i64, Expected> = BTreeMap::new();
    let mut by_shopper = Vec::new();
    for task in tasks {
        let placed = task.await.unwrap();
        by_shopper.push(placed.iter().map(|e| e.order_id).collect::<Vec<_>>());
        for order in placed {
            expected.insert(order.order_id, order);
        }
    }
    assert_eq!(expected.len(), SHOPPERS * EACH);

    // The first ten ship; the first shopper cancels two.
    let staff = app.staff("csv_staff", Role::Support).await;
    let to_ship: Vec<i64> = expected.keys().take(10).copied().collect();
    let lines: Vec<Value> = to_ship
        .iter()
        .map(|o| json!({"order_id": o, "carrier": "cj", "tracking_number": format!("{}", 5_000_000_000 + o)}))
        .collect();
    let (status, body) = ship_many(&staff, json!(lines)).await;
    assert_eq!(status, 200, "{body}");
    for id in &to_ship {
        expected.get_mut(id).unwrap().status = "shipped";
    }
    let (first_shopper, first_user, _) = &shoppers[0];
    let to_cancel: Vec<i64> = by_shopper[0]
        .iter()
        .rev()
        .filter(|id| !to_ship.contains(id))
        .take(2)
        .copied()
        .collect();
    for (n, id) in to_cancel.iter().enumerate() {
        let (status, body) = cancel(first_shopper, *id, &format!("csv-cancel-{n:04}")).await;
        assert_eq!(status, 200, "{body}");
        expected.get_mut(id).unwrap().status = "cancelled";
    }

    // Every order once, oldest first, each cell as it was written.
    for (language, locale, header) in [
        ("ko", Locale::ko, KO_HEADER),
        ("en-US,en;q=0.9", Locale::en, EN_HEADER),
    ] {
        let records = export(&staff, "", language).await;
        assert_eq!(records[0], header, "{language}");
        let rows = &records[1..];
        assert_eq!(rows.len(), SHOPPERS * EACH);
        let listed: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
        let keys: Vec<i64> = expected.keys().copied().collect();
        assert_eq!(listed, keys, "each order once, oldest first");
        for (row, order) in rows.iter().zip(expected.values()) {
            assert_eq!(*row, order.row(locale), "order {}", order.order_id);
        }
    }
    let records = export(&staff, "", "ko").await;
    let text_of = |id: i64| records.iter().find(|r| r[0] == id.to_string()).unwrap();
    // The formulas are text.
    let evil = expected
        .values()
        .find(|e| e.address.0.starts_with("=HYPERLINK"))
        .unwrap();
    let row = text_of(evil.order_id);
    assert_eq!(row[3], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(row[7], "'@SUM(1)");
    let formula = expected
        .values()
        .find(|e| e.address.0 == "-마이너스")
        .unwrap();
    let row = text_of(formula.order_id);
    assert_eq!(row[3], "'-마이너스");
    assert_eq!(row[6], "'=부산 해운대구 센텀중앙로 79 101호");
    assert_eq!(row[7], "'=1+2");
    let two_lines = expected.values().find(|e| e.items.len() == 2).unwrap();
    assert!(text_of(two_lines.order_id)[8].starts_with("'-50% \"양말\""));
    for record in &records[1..] {
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
    // The raw text quotes as RFC 4180 does.
    let response = staff.get("/api/admin/orders/export").await;
    let raw = response.text().await.unwrap();
    assert!(raw.contains("\"홍\"\"길동\"\", 주임\""), "quotes doubled");
    assert!(raw.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""));
    assert!(raw.contains("\"\"\"\"\"\"\"\""), "three quotes, quoted");

    // The list's filters.
    let ids = |records: &[Vec<String>]| -> Vec<i64> {
        records[1..].iter().map(|r| r[0].parse().unwrap()).collect()
    };
    assert_eq!(ids(&export(&staff, "status=shipped", "ko").await), to_ship);
    let cancelled: Vec<i64> = expected
        .values()
        .filter(|e| e.status == "cancelled")
        .map(|e| e.order_id)
        .collect();
    assert_eq!(
        ids(&export(&staff, "status=cancelled", "ko").await),
        cancelled
    );
    let mine = ids(&export(&staff, &format!("user_id={first_user}"), "ko").await);
    assert_eq!(mine, by_shopper[0]);
    let with_socks: Vec<i64> = expected
        .values()
        .filter(|e| e.items.len() == 2)
        .map(|e| e.order_id)
        .collect();
    assert_eq!(with_socks.len(), SHOPPERS * EACH / 2);
    assert_eq!(
        ids(&export(&staff, &format!("product_id={socks}"), "ko").await),
        with_socks
    );
    let none = export(&staff, "to=2000-01-01", "ko").await;
    assert_eq!(none, vec![KO_HEADER.map(str::to_string).to_vec()]);
    for (query, field) in [
        ("status=fulfilled", "status"),
        ("from=2026-02-30", "from"),
        ("user_id=x", "user_id"),
        ("product_id=-1", "product_id"),
    ] {
        let (status, body) = staff
            .get_json(&format!("/api/admin/orders/export?{query}"))
            .await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        assert_eq!(body["details"]["field"], field, "{query}");
    }
    // A query that does not read at all is refused as JSON too.
    let (status, body) = staff
        .get_json("/api/admin/orders/export?user_id=1&user_id=2")
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
}

async fn only_staff_with_orders_download_the_csv(backend: Backend) {
    let app = spawn_app(backend).await;
    funded_shopper(&app, "csv_nosy", 1_000_000).await;
    let order = bought(&app, "csv-nosy-0001", 5).await;
    let (status, body) = app.visitor().get_json("/api/admin/orders/export").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    let (status, body) = app.get_json("/api/admin/orders/export").await;
    assert_error(status, &body, 403, "FORBIDDEN");
    let catalog = app.staff("csv_catalog", Role::CatalogManager).await;
    let (status, body) = catalog.get_json("/api/admin/orders/export").await;
    assert_error(status, &body, 403, "FORBIDDEN");
    for (login, role) in [
        ("csv_admin", Role::Admin),
        ("csv_orders", Role::OrderManager),
        ("csv_support", Role::Support),
    ] {
        let staff = app.staff(login, role).await;
        let records = export(&staff, "", "ko").await;
        assert_eq!(records.len(), 2, "{login}");
        assert_eq!(records[1][0], order.to_string());
    }
}
