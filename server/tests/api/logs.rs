//! `LOG_FORMAT=json`: one JSON object a line, each answer with its request
//! id, route, status and latency; and at any level, no password, session
//! id or cookie of the run in any line.

use crate::{
    helpers::{fresh_database, visitor_of},
    platform::{Mode, Receiver},
    shutdown::{exited, running, sigterm},
};
use app::db::{Backend, Db};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_name_each_answer_and_hold_no_secret() {
    let receiver = Receiver::start(Mode::Ok).await;
    let database = fresh_database(Backend::Sqlite).await;
    let (server, said, port) = running(
        &database,
        &receiver,
        &[("LOG_FORMAT", "json"), ("RUST_LOG", "trace")],
    )
    .await;
    let base = format!("http://127.0.0.1:{port}");
    let db = Db::connect(&database).await.unwrap();
    let shopper = visitor_of(base.clone(), db.clone());

    let password = "Secret-Passphrase-0042";
    let (status, body) = shopper
        .post_json(
            "/api/signup",
            &json!({"login_id": "logged", "password": password}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let response = shopper
        .client
        .post(shopper.url("/api/login"))
        .json(&json!({"login_id": "logged", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .find_map(|v| v.to_str().ok()?.strip_prefix("storefront_session="))
        .and_then(|v| v.split(';').next())
        .expect("the session cookie")
        .to_string();
    let session_ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert!(!session_ids.is_empty());
    let wrong = "Wrong-Passphrase-0043";
    let (status, _) = shopper
        .visitor()
        .post_json(
            "/api/login",
            &json!({"login_id": "logged", "password": wrong}),
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = shopper
        .post_json("/api/points/charge", &json!({"amount": 5_000}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = shopper.get_json("/api/orders/get?id=424242").await;
    assert_eq!(status, 404);
    assert_eq!(shopper.get("/products/3").await.status(), 200);

    sigterm(&server);
    let status = exited(server, &said).await;
    let log = said.lock().unwrap().clone();
    assert!(status.success(), "{log}");

    // Every line is one JSON object.
    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    assert!(lines.iter().all(Value::is_object));
    // The run logged at every level (what is searched below includes trace).
    for level in ["TRACE", "DEBUG", "INFO"] {
        assert!(lines.iter().any(|l| l["level"] == level), "no {level} line");
    }
    // Each answer: its request id, method, route (the template), status, latency.
    let answered: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "answered")
        .collect();
    let find = |route: &str, status: u16| {
        answered
            .iter()
            .find(|l| l["span"]["route"] == route && l["status"] == status)
            .unwrap_or_else(|| panic!("no line for {route} {status}:\n{answered:#?}"))
    };
    let product = find("/products/{id}", 200);
    assert_eq!(product["span"]["method"], "GET");
    assert!(product["latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        product["span"]["request_id"].as_str().unwrap().len(),
        36,
        "{product}"
    );
    find("/api/orders/get", 404);
    find("/api/login", 401);
    assert!(answered.iter().all(|l| !l.to_string().contains("424242")));

    // No secret of this run, at any level.
    let mut secrets = vec![password.to_string(), wrong.to_string(), cookie];
    secrets.extend(session_ids);
    for secret in &secrets {
        let leaks: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(secret.as_str()))
            .collect();
        assert!(leaks.is_empty(), "{secret:?} is in the log: {leaks:#?}");
    }
}

#[test]
fn an_unknown_log_format_stops_start_up_naming_the_variable() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("LOG_FORMAT", "xml")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("LOG_FORMAT must be text or json"), "{said}");
}
