//! No page render can stall: pages are rendered by several tasks at once
//! while other apps start in the same process (each start used to walk the
//! app's routes, which stops every resource in the process from loading).

use crate::helpers::{assert_error, fresh_database, spawn_app, spawn_app_with, TestApp};
use app::db::Backend;
use server::config::Config;
use std::time::Duration;

/// Far more than a page takes here, far less than the server's own limit.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
const ROUNDS: usize = 15;
const PAGES: [&str; 5] = ["/", "/products/1", "/cart", "/points", "/account"];

fn quick_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .timeout(CLIENT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Renders every page `ROUNDS` times; returns the failures it saw.
async fn render_pages(app: TestApp, client: reqwest::Client, logged_in: bool) -> Vec<String> {
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        for page in PAGES {
            let guarded = matches!(page, "/points" | "/account");
            let expected = if guarded && !logged_in { 303 } else { 200 };
            match client.get(app.url(page)).send().await {
                Ok(res) if res.status().as_u16() == expected => {
                    if let Err(e) = res.bytes().await {
                        failures.push(format!("{page} round {round}: body: {e}"));
                    }
                }
                Ok(res) => failures.push(format!("{page} round {round}: status {}", res.status())),
                Err(e) => failures.push(format!(
                    "{page} round {round}: {} {e}",
                    if e.is_timeout() {
                        "TIMED OUT"
                    } else {
                        "failed"
                    }
                )),
            }
        }
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_never_stall_while_apps_start() {
    let app = spawn_app(Backend::Sqlite).await;
    let shopper = app.with_client(quick_client());
    shopper.signup("stall_user").await;
    let (status, _) = shopper
        .post_json("/api/cart/add", &serde_json::json!({"product_id": 5}))
        .await;
    assert_eq!(status, 200);

    // Other apps keep starting while the pages render.
    let starts = tokio::spawn(async {
        for _ in 0..20 {
            spawn_app(Backend::Sqlite).await;
        }
    });
    let mut renders = Vec::new();
    for i in 0..4 {
        let logged_in = i % 2 == 0;
        let client = if logged_in {
            shopper.client.clone()
        } else {
            quick_client()
        };
        renders.push(tokio::spawn(render_pages(app.visitor(), client, logged_in)));
    }
    let mut failures = Vec::new();
    for render in renders {
        failures.extend(render.await.unwrap());
    }
    starts.await.unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_the_time_limit_gets_503_not_a_hung_socket() {
    let mut config = Config::for_tests(fresh_database(Backend::Sqlite).await);
    // Shorter than any password hash or page render takes.
    config.request_time_limit = Duration::from_millis(1);
    let app = spawn_app_with(config).await;

    let (status, body) = app
        .post_json(
            "/api/signup",
            &serde_json::json!({"login_id": "slowpoke", "password": "correct horse"}),
        )
        .await;
    assert_error(status, &body, 503, "TIMED_OUT");

    let page = app.get("/").await;
    assert_eq!(page.status().as_u16(), 503);
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"ko\">"), "{html}");
    assert!(html.contains("응답이 너무 오래 걸렸습니다."), "{html}");
}
