//! Points: balance, charge, history, and a ledger that always adds up.

use crate::helpers::{assert_error, post_concurrently, spawn_app, TestApp};
use crate::on_both_backends;
use app::{db::Backend, identity::UserId, points::store::ledger_sum};
use serde_json::{json, Value};

on_both_backends!(
    charging_adds_to_the_balance_and_the_ledger,
    bad_amounts_are_refused_and_change_nothing,
    the_balance_never_passes_ten_million,
    points_need_a_login,
    forty_concurrent_charges_all_count,
    a_mixed_concurrent_run_keeps_every_ledger_equal_to_its_balance,
    history_pages,
);

async fn balance(app: &TestApp) -> i64 {
    let (status, body) = app.get_json("/api/points").await;
    assert_eq!(status, 200, "{body}");
    body["points"].as_i64().unwrap()
}

async fn charge(app: &TestApp, amount: Value) -> (u16, Value) {
    app.post_json("/api/points/charge", &json!({ "amount": amount }))
        .await
}

async fn assert_ledger_matches(app: &TestApp, user_id: i64, expected: i64) {
    let sum = ledger_sum(&app.db, UserId(user_id)).await.unwrap();
    assert_eq!(sum, expected, "the ledger sums to the balance");
}

async fn charging_adds_to_the_balance_and_the_ledger(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = app.signup("pat").await;
    assert_eq!(balance(&app).await, 0);

    let (status, body) = charge(&app, json!(5000)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"user_id": user_id, "points": 5000, "charged": 5000})
    );
    // A form body and a number sent as text work alike.
    let (status, body) = app
        .post_form_json("/api/points/charge", &[("amount", "2500")])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["points"], 7500);
    assert_eq!(balance(&app).await, 7500);

    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["points"], 7500);
    let (status, history) = app.get_json("/api/points/history").await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(history["total"], 2);
    let items = history["items"].as_array().unwrap();
    assert_eq!(items[0]["amount"], 2500, "newest first");
    assert_eq!(items[0]["balance_after"], 7500);
    assert_eq!(items[0]["kind"], "charge");
    assert_eq!(items[0]["order_id"], Value::Null);
    assert_eq!(items[1]["balance_after"], 5000);
    assert!(items[0]["at"].as_i64().unwrap() > 0);
    assert_ledger_matches(&app, user_id, 7500).await;
}

async fn bad_amounts_are_refused_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = app.signup("quinn").await;
    for amount in [
        json!(0),
        json!(-1),
        json!(1.5),
        json!("1.5"),
        json!("ten"),
        json!(""),
        json!(1_000_001),
        json!("99999999999999999999999"),
        json!(1e300),
        json!(true),
    ] {
        let (status, body) = charge(&app, amount.clone()).await;
        assert_error(status, &body, 400, "INVALID_AMOUNT");
        assert_eq!(body["details"]["field"], "amount", "{amount}");
    }
    let (status, body) = app.post_json("/api/points/charge", &json!({})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(balance(&app).await, 0);
    let (_, history) = app.get_json("/api/points/history").await;
    assert_eq!(history["total"], 0);
    assert_ledger_matches(&app, user_id, 0).await;
}

async fn the_balance_never_passes_ten_million(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = app.signup("rita").await;
    for _ in 0..9 {
        assert_eq!(charge(&app, json!(1_000_000)).await.0, 200);
    }
    let (status, body) = charge(&app, json!(999_999)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = charge(&app, json!(2)).await;
    assert_error(status, &body, 409, "POINT_LIMIT_EXCEEDED");
    assert_eq!(balance(&app).await, 9_999_999);
    assert_eq!(charge(&app, json!(1)).await.0, 200);
    let (status, body) = charge(&app, json!(1)).await;
    assert_error(status, &body, 409, "POINT_LIMIT_EXCEEDED");
    assert_eq!(balance(&app).await, 10_000_000);
    assert_ledger_matches(&app, user_id, 10_000_000).await;
}

async fn points_need_a_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get_json("/api/points").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    let (status, body) = charge(&app, json!(100)).await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    let (status, body) = app.get_json("/api/points/history").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
}

async fn forty_concurrent_charges_all_count(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = app.signup("sam").await;
    let requests = (0..40)
        .map(|i| app.post_request("/api/points/charge", json!({ "amount": 1000 + i })))
        .collect();
    for (status, body) in post_concurrently(requests).await {
        assert_eq!(status, 200, "{body}");
    }
    let expected: i64 = (0..40).map(|i| 1000 + i).sum();
    assert_eq!(balance(&app).await, expected);
    let (_, history) = app.get_json("/api/points/history?per_page=100").await;
    assert_eq!(history["total"], 40);
    // Each row's balance_after is a distinct step of one serial history.
    let mut afters: Vec<i64> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["balance_after"].as_i64().unwrap())
        .collect();
    afters.sort();
    afters.dedup();
    assert_eq!(afters.len(), 40);
    assert_eq!(*afters.last().unwrap(), expected);
    assert_ledger_matches(&app, user_id, expected).await;
}

async fn a_mixed_concurrent_run_keeps_every_ledger_equal_to_its_balance(backend: Backend) {
    let app = spawn_app(backend).await;
    let near_limit = app.visitor();
    let near_id = near_limit.signup("tara").await;
    let other = app.visitor();
    let other_id = other.signup("uma").await;
    // tara starts close to the limit, so some of her charges must be refused.
    for _ in 0..9 {
        assert_eq!(charge(&near_limit, json!(1_000_000)).await.0, 200);
    }
    let requests = (0..30)
        .map(|i| {
            let (who, amount) = if i % 3 == 0 {
                (&other, 700)
            } else {
                (&near_limit, 90_000 + i)
            };
            who.post_request("/api/points/charge", json!({ "amount": amount }))
        })
        .collect();
    let mut refused = 0;
    for (status, body) in post_concurrently(requests).await {
        if status != 200 {
            assert_error(status, &body, 409, "POINT_LIMIT_EXCEEDED");
            refused += 1;
        }
    }
    assert!(refused > 0, "some of tara's charges passed the limit");
    let tara = balance(&near_limit).await;
    assert!(tara <= 10_000_000);
    assert_ledger_matches(&app, near_id, tara).await;
    assert_eq!(
        balance(&other).await,
        10 * 700,
        "uma got exactly her own charges"
    );
    assert_ledger_matches(&app, other_id, 7000).await;
}

async fn history_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup("vera").await;
    for amount in 1..=5 {
        assert_eq!(charge(&app, json!(amount)).await.0, 200);
    }
    let (_, page1) = app.get_json("/api/points/history?per_page=2").await;
    let (_, page3) = app.get_json("/api/points/history?per_page=2&page=3").await;
    assert_eq!(page1["total"], 5);
    let amounts = |p: &Value| -> Vec<i64> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["amount"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(amounts(&page1), vec![5, 4]);
    assert_eq!(amounts(&page3), vec![1]);
    let (status, body) = app.get_json("/api/points/history?page=zero").await;
    assert_error(status, &body, 400, "BAD_REQUEST");
}
