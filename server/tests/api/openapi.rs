//! The OpenAPI document describes every server function, the sign-in
//! routes and the staff's order CSV, and nothing else.

use crate::helpers::spawn_app;
use app::db::Backend;
use std::collections::BTreeSet;

#[tokio::test]
async fn the_document_has_every_server_function_and_nothing_more() {
    let app = spawn_app(Backend::Sqlite).await;
    let (status, doc) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );

    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (path.clone(), method.to_uppercase()))
        })
        .collect();
    // The server functions, the sign-in with providers' own routes and the
    // orders' CSV for couriers (a route of its own).
    let served: BTreeSet<(String, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_string(), method.to_string()))
        .chain(
            [
                ("/auth/{name}/start", "GET"),
                ("/auth/{name}/callback", "GET"),
                ("/auth/{name}/link", "POST"),
                ("/api/admin/orders/export", "GET"),
            ]
            .map(|(path, method)| (path.to_string(), method.to_string())),
        )
        .collect();
    assert_eq!(documented, served);

    // Every operation answers JSON errors in the one shape.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            // The sign-in routes answer with redirects (303).
            assert!(
                responses
                    .keys()
                    .any(|s| s.starts_with('2') || s.starts_with('3')),
                "{method} {path} has a success"
            );
            let errors = responses.iter().filter(|(s, _)| !s.starts_with(['2', '3']));
            for (status, response) in errors {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/AppError",
                    "{method} {path} {status}"
                );
            }
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["session"]["in"],
        "cookie"
    );
}
