//! The one rule for text (`server::text_input`): no text field of any
//! endpoint carries NUL (which PostgreSQL refuses in text) or another
//! control character to the database. Every string field of every
//! operation in the OpenAPI document is sent with a NUL in it (in the
//! query, or in the body as JSON and as a form) by a logged-in admin, so
//! that no guard answers first: each gets 400 naming the field (the login
//! the same 401 as an unknown id), and nothing anywhere is written.

use crate::helpers::{assert_error, spawn_app, TestApp};
use crate::on_both_backends;
use app::{db::Backend, staff::Role};
use serde_json::{json, Map, Value};

on_both_backends!(every_string_field_of_every_endpoint_refuses_nul);

const NUL_TEXT: &str = "ab\u{0}cd";

/// What anything could have written: the rows of every table a request
/// can write, and the catalog's and the accounts' contents.
async fn everything_written(app: &TestApp) -> Vec<String> {
    let mut seen = Vec::new();
    for table in [
        "users",
        "sessions",
        "login_throttle",
        "products",
        "product_translations",
        "price_changes",
        "stock_movements",
        "staff_roles",
        "audit_log",
        "cart_items",
        "likes",
        "orders",
        "order_items",
        "point_ledger",
        "idempotency_keys",
        "outbox",
        "coupon_campaigns",
        "coupons",
        "addresses",
        "order_addresses",
        "shipments",
    ] {
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        seen.push(format!("{table}: {count}"));
    }
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT p.name, p.price, CAST((SELECT SUM(v.stock) FROM variants v \
             WHERE v.product_id = p.id) AS BIGINT) FROM products p ORDER BY p.id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    seen.push(format!("{rows:?}"));
    let users: Vec<(String, i64)> =
        sqlx::query_as("SELECT login_id, points FROM users ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    seen.push(format!("{users:?}"));
    seen
}

/// `#/components/schemas/X` followed, as often as it takes.
fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        schema = &doc["components"]["schemas"][name];
    }
    schema
}

fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => schema["oneOf"]
            .as_array()
            .or(schema["anyOf"].as_array())
            .into_iter()
            .flatten()
            .flat_map(types)
            .collect(),
    }
}

/// A plausible value for a schema, and the form names of its string
/// fields (`items[0][name]`), each with the JSON path to it.
fn sample(
    doc: &Value,
    schema: &Value,
    name: &str,
    path: Vec<Value>,
    strings: &mut Vec<(String, Vec<Value>)>,
) -> Value {
    let schema = resolve(doc, schema);
    let kinds = types(schema);
    if kinds.contains(&"object") || schema["properties"].is_object() {
        let mut object = Map::new();
        for (key, property) in schema["properties"].as_object().into_iter().flatten() {
            let field = if name.is_empty() {
                key.clone()
            } else {
                format!("{name}[{key}]")
            };
            let mut inner = path.clone();
            inner.push(json!(key));
            object.insert(key.clone(), sample(doc, property, &field, inner, strings));
        }
        Value::Object(object)
    } else if kinds.contains(&"array") {
        let mut inner = path.clone();
        inner.push(json!(0));
        let item = sample(doc, &schema["items"], &format!("{name}[0]"), inner, strings);
        json!([item])
    } else if kinds.contains(&"string") {
        strings.push((name.to_string(), path));
        json!("x")
    } else if kinds.contains(&"integer") || kinds.contains(&"number") {
        json!(1)
    } else if kinds.contains(&"boolean") {
        json!(false)
    } else {
        Value::Null
    }
}

fn set(value: &mut Value, path: &[Value], text: &str) {
    let mut at = value;
    for step in path {
        at = match step {
            Value::String(key) => &mut at[key.as_str()],
            Value::Number(i) => &mut at[i.as_u64().unwrap() as usize],
            _ => unreachable!(),
        };
    }
    *at = json!(text);
}

/// The flat fields of a JSON object as form pairs (nested ones are sent
/// as JSON only).
fn form_pairs(body: &Value) -> Option<Vec<(String, String)>> {
    body.as_object()?
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::String(s) => Some((k.clone(), s.clone())),
            Value::Number(n) => Some((k.clone(), n.to_string())),
            Value::Bool(b) => Some((k.clone(), b.to_string())),
            _ => None,
        })
        .collect()
}

/// Sends `request` and checks its answer refuses `field`.
async fn send_and_check(
    request: reqwest::RequestBuilder,
    method: &str,
    path: &str,
    field: &str,
    how: &str,
) {
    let res = request.send().await.unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    check(method, path, field, how, status, &body);
}

fn check(method: &str, path: &str, field: &str, how: &str, status: u16, body: &Value) {
    let what = format!("{method} {path} {field} ({how}): {status} {body}");
    if path == "/api/login" {
        assert_eq!(status, 401, "{what}");
        assert_eq!(body["code"], "INVALID_CREDENTIALS", "{what}");
    } else {
        assert_error(status, body, 400, "BAD_REQUEST");
        assert_eq!(body["details"]["field"], field, "{what}");
    }
}

async fn every_string_field_of_every_endpoint_refuses_nul(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.staff("text_rule_admin", Role::Admin).await;
    let (status, doc) = admin.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    let before = everything_written(&app).await;
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // Query parameters.
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let query: Vec<(String, bool)> = params
                .iter()
                .filter(|p| p["in"] == "query")
                .map(|p| {
                    let mut strings = Vec::new();
                    sample(&doc, &p["schema"], "", vec![], &mut strings);
                    (p["name"].as_str().unwrap().to_string(), !strings.is_empty())
                })
                .collect();
            for (name, _) in query.iter().filter(|(_, is_text)| *is_text) {
                let others: Vec<(String, String)> = query
                    .iter()
                    .filter(|(n, _)| n != name)
                    .map(|(n, is_text)| (n.clone(), if *is_text { "x" } else { "1" }.to_string()))
                    .collect();
                let request = admin
                    .client
                    .request(method.to_uppercase().parse().unwrap(), admin.url(path))
                    .query(&others)
                    .query(&[(name.as_str(), NUL_TEXT)]);
                send_and_check(request, method, path, name, "query").await;
                tried += 1;
            }
            // Bodies: JSON, and the same as a form when flat.
            let content = &op["requestBody"]["content"];
            let Some(schema) = content["application/json"]["schema"]
                .as_object()
                .map(|_| &content["application/json"]["schema"])
                .or(content["application/x-www-form-urlencoded"]["schema"]
                    .as_object()
                    .map(|_| &content["application/x-www-form-urlencoded"]["schema"]))
            else {
                // The picture upload (multipart): a number and a file.
                continue;
            };
            let mut strings = Vec::new();
            let base = sample(&doc, schema, "", vec![], &mut strings);
            for (field, at) in strings {
                let mut body = base.clone();
                set(&mut body, &at, NUL_TEXT);
                let json = admin.client.post(admin.url(path)).json(&body);
                send_and_check(json, method, path, &field, "JSON").await;
                if let Some(pairs) = form_pairs(&body) {
                    let form = admin.client.post(admin.url(path)).form(&pairs);
                    send_and_check(form, method, path, &field, "form").await;
                }
                tried += 1;
            }
        }
    }
    assert!(
        tried >= 40,
        "only {tried} string fields found: is the document read right?"
    );
    assert_eq!(everything_written(&app).await, before);

    // A guest's login with NUL in the id, as the issue found it on
    // PostgreSQL: the same 401 as an unknown id, no throttle row.
    let guest = app.visitor();
    let (status, body) = guest
        .post_json(
            "/api/login",
            &json!({"login_id": "ab\u{0}cd", "password": "xxxxxxxx"}),
        )
        .await;
    assert_error(status, &body, 401, "INVALID_CREDENTIALS");
    let (status, body) = guest
        .post_form_json(
            "/api/login",
            &[("login_id", "ab\u{0}cd"), ("password", "xxxxxxxx")],
        )
        .await;
    assert_error(status, &body, 401, "INVALID_CREDENTIALS");
    // A page's query too: refused before it renders.
    let page = guest.get("/?q=ab%00cd").await;
    assert_eq!(page.status(), 400);
    assert_eq!(everything_written(&app).await, before);
}
