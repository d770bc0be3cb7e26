//! The shape of the JSON contract shared by every endpoint.

use crate::helpers::{assert_error, spawn_app};
use crate::on_both_backends;
use app::db::Backend;

on_both_backends!(reads_are_get_only, unknown_api_paths_are_not_served);

async fn reads_are_get_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app
        .client
        .post(app.url("/api/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
}

async fn unknown_api_paths_are_not_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/api/nothing-here").await;
    assert!(res.status().is_client_error(), "{}", res.status());
    // A JSON body that is not an object never reaches a function.
    let (status, body) = app
        .post_json("/api/nothing-here", &serde_json::json!([1]))
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
}
