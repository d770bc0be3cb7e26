//! Likes: authenticated, idempotent, and exact under concurrency.

use crate::helpers::{assert_error, post_concurrently, spawn_app, TestApp};
use crate::on_both_backends;
use app::db::Backend;
use serde_json::{json, Value};

on_both_backends!(
    like_and_unlike_are_idempotent,
    likes_need_a_login_and_a_real_product,
    my_likes_are_listed_newest_first,
    four_users_clicking_ten_times_at_once_add_four,
    concurrent_unlikes_remove_exactly_their_own,
    a_random_concurrent_run_keeps_counts_equal_to_rows,
);

async fn product(app: &TestApp, id: i64) -> Value {
    let (status, body) = app.get_json(&format!("/api/products/get?id={id}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn like(app: &TestApp, id: i64, add: bool) -> (u16, Value) {
    let path = if add {
        "/api/likes/add"
    } else {
        "/api/likes/remove"
    };
    app.post_json(path, &json!({ "product_id": id })).await
}

/// Every product's like_count equals its number of like rows.
async fn assert_counts_match_rows(app: &TestApp) {
    let drifted: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT p.id, p.like_count, (SELECT COUNT(*) FROM likes l WHERE l.product_id = p.id) \
         FROM products p",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
    .into_iter()
    .filter(|(_, count, rows): &(i64, i64, i64)| count != rows)
    .collect();
    assert!(drifted.is_empty(), "like_count drifted: {drifted:?}");
}

async fn like_and_unlike_are_idempotent(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup("wendy").await;
    let (status, body) = like(&app, 1, true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"product_id": 1, "liked": true, "like_count": 1})
    );
    let (status, body) = like(&app, 1, true).await;
    assert_eq!(status, 200);
    assert_eq!(body["like_count"], 1, "liking twice changes nothing");
    let p = product(&app, 1).await;
    assert_eq!(
        (p["liked"].clone(), p["like_count"].clone()),
        (json!(true), json!(1))
    );

    // A guest sees the count but not as liked.
    let guest = app.visitor();
    let p = product(&guest, 1).await;
    assert_eq!(
        (p["liked"].clone(), p["like_count"].clone()),
        (json!(false), json!(1))
    );

    let (status, body) = like(&app, 1, false).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"product_id": 1, "liked": false, "like_count": 0})
    );
    let (status, body) = like(&app, 1, false).await;
    assert_eq!(status, 200);
    assert_eq!(body["like_count"], 0, "unliking twice changes nothing");
    // Form bodies work the same.
    let (status, body) = app
        .post_form_json("/api/likes/add", &[("product_id", "2")])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["liked"], true);
    assert_counts_match_rows(&app).await;
}

async fn likes_need_a_login_and_a_real_product(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = like(&app, 1, true).await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    let (status, body) = app.get_json("/api/likes").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    app.signup("xena").await;
    let (status, body) = like(&app, 999_999, true).await;
    assert_error(status, &body, 404, "PRODUCT_NOT_FOUND");
    let (status, body) = like(&app, 999_999, false).await;
    assert_error(status, &body, 404, "PRODUCT_NOT_FOUND");
    let (status, body) = app
        .post_json("/api/likes/add", &json!({"product_id": "abc"}))
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["details"]["field"], "product_id");
    assert_counts_match_rows(&app).await;
}

async fn my_likes_are_listed_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup("yuri").await;
    for id in [3, 1, 2] {
        assert_eq!(like(&app, id, true).await.0, 200);
    }
    // Likes within one millisecond tie; give them distinct times.
    for (at, id) in [(1_000, 3), (2_000, 1), (3_000, 2)] {
        sqlx::query("UPDATE likes SET created_at = $1 WHERE product_id = $2")
            .bind(at as i64)
            .bind(id as i64)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    let (status, body) = app.get_json("/api/likes").await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<i64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![2, 1, 3]);
    assert_eq!(body["total"], 3);
    assert!(body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["liked"] == true));
    let (_, page2) = app.get_json("/api/likes?per_page=2&page=2").await;
    assert_eq!(page2["items"][0]["id"], 3);
}

async fn four_users_clicking_ten_times_at_once_add_four(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut users = Vec::new();
    for i in 0..4 {
        let user = app.visitor();
        user.signup(&format!("clicker{i}")).await;
        users.push(user);
    }
    let requests = users
        .iter()
        .flat_map(|user| {
            (0..10).map(|_| user.post_request("/api/likes/add", json!({"product_id": 5})))
        })
        .collect();
    for (status, body) in post_concurrently(requests).await {
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(product(&app, 5).await["like_count"], 4);
    assert_counts_match_rows(&app).await;
}

async fn concurrent_unlikes_remove_exactly_their_own(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut users = Vec::new();
    for i in 0..6 {
        let user = app.visitor();
        user.signup(&format!("fan{i}")).await;
        assert_eq!(like(&user, 7, true).await.0, 200);
        users.push(user);
    }
    assert_eq!(product(&app, 7).await["like_count"], 6);
    let requests = users[..3]
        .iter()
        .flat_map(|user| {
            (0..10).map(|_| user.post_request("/api/likes/remove", json!({"product_id": 7})))
        })
        .collect();
    for (status, body) in post_concurrently(requests).await {
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(product(&app, 7).await["like_count"], 3);
    for (i, user) in users.iter().enumerate() {
        assert_eq!(product(user, 7).await["liked"], i >= 3, "user {i}");
    }
    assert_counts_match_rows(&app).await;
}

async fn a_random_concurrent_run_keeps_counts_equal_to_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut users = Vec::new();
    for i in 0..8 {
        let user = app.visitor();
        user.signup(&format!("mixer{i}")).await;
        users.push(user);
    }
    // A small deterministic generator: the same "random" run every time.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let requests = (0..160)
        .map(|_| {
            let user = &users[(next() % 8) as usize];
            let product_id = 1 + (next() % 3) as i64;
            let path = if next() % 2 == 0 {
                "/api/likes/add"
            } else {
                "/api/likes/remove"
            };
            user.post_request(path, json!({ "product_id": product_id }))
        })
        .collect();
    for (status, body) in post_concurrently(requests).await {
        assert_eq!(status, 200, "{body}");
    }
    assert_counts_match_rows(&app).await;
    for id in 1..=3 {
        let liked_by = {
            let mut n = 0;
            for user in &users {
                if product(user, id).await["liked"] == true {
                    n += 1;
                }
            }
            n
        };
        assert_eq!(
            product(&app, id).await["like_count"],
            liked_by,
            "product {id}"
        );
    }
}
