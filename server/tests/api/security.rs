//! Security headers: every page, guest, shopper and staff, carries a
//! strict Content Security Policy whose nonce is the one on its scripts
//! and new each time (a guest's page from the page cache: no nonce at all,
//! its inline scripts allowed by their hashes), no framing, nosniff, a referrer policy, a
//! permissions policy and its own browsing context; JSON and files carry
//! nosniff only; https adds HSTS; violation reports are heard.

use crate::helpers::{fresh_database, spawn_app, spawn_app_with, TestApp};
use app::{db::Backend, staff::Role};
use server::config::Config;

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

/// Every `nonce="…"` in a page.
fn nonces(html: &str) -> Vec<String> {
    html.split("nonce=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// The policy's source for a script's text: `'sha256-…'`.
fn hash_source(script: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The text of every inline script of a page.
fn inline_scripts(html: &str) -> Vec<&str> {
    html.split("<script")
        .skip(1)
        .filter_map(|rest| {
            let (tag, rest) = rest.split_once('>')?;
            (!tag.contains(" src=")).then(|| rest.split("</script>").next())?
        })
        .collect()
}

/// Checks one page's answer; returns its nonce (none for a page from the
/// guests' cache, whose scripts the policy names by hash).
async fn page_is_guarded(visitor: &TestApp, path: &str) -> Option<String> {
    let response = visitor.get(path).await;
    let status = response.status().as_u16();
    assert!(
        [200, 403, 404].contains(&status),
        "{path}: {status} is not a page"
    );
    let csp = header(&response, "content-security-policy")
        .unwrap_or_else(|| panic!("{path}: no content security policy"));
    for part in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "report-uri /csp-report",
    ] {
        assert!(csp.contains(part), "{path}: {part} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    assert!(!csp.contains('*'), "{path}: {csp}");
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
        ("cross-origin-opener-policy", "same-origin"),
        ("reporting-endpoints", "csp=\"/csp-report\""),
    ] {
        assert_eq!(
            header(&response, name).as_deref(),
            Some(value),
            "{path}: {name}"
        );
    }
    let permissions = header(&response, "permissions-policy").unwrap();
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"] {
        assert!(permissions.contains(feature), "{path}: {permissions}");
    }
    assert_eq!(
        header(&response, "strict-transport-security"),
        None,
        "{path}: http"
    );
    let cached = header(&response, "x-page-cache").is_some_and(|c| c == "hit" || c == "miss");
    let html = response.text().await.unwrap();
    let script_tags = html.matches("<script").count();
    assert!(script_tags > 0, "{path}: the islands' scripts");
    assert!(
        !html.contains(" style=\""),
        "{path}: an inline style the policy refuses"
    );
    if cached {
        assert!(
            !csp.contains("nonce") && !html.contains("nonce="),
            "{path}: {csp}"
        );
        for script in inline_scripts(&html) {
            assert!(
                csp.contains(&hash_source(script)),
                "{path}: {script} not in {csp}"
            );
        }
        return None;
    }
    let found = nonces(&html);
    let nonce = found.first().cloned().unwrap_or_default();
    assert!(nonce.len() >= 16, "{path}: nonce {nonce:?}");
    assert!(found.iter().all(|n| *n == nonce), "{path}: {found:?}");
    assert!(
        found.len() >= script_tags,
        "{path}: every script has the nonce ({script_tags} scripts, {} nonces)",
        found.len()
    );
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"
        )),
        "{path}: {csp}"
    );
    Some(nonce)
}

/// The router's page paths, with the ids of things that exist.
fn pages(order_id: i64, campaign_id: i64) -> Vec<String> {
    server::startup::page_paths()
        .into_iter()
        .map(|path| {
            let id = if path.contains("/orders/") {
                order_id
            } else if path.contains("/coupons/") {
                campaign_id
            } else {
                1
            };
            path.replace("{id}", &id.to_string())
                .replace(":id", &id.to_string())
        })
        .collect()
}

async fn every_page_has_a_strict_policy_and_the_headers_that_go_with_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.staff("head_admin", Role::Admin).await;
    let shopper = app.visitor();
    shopper.signup("header_shopper").await;
    let (status, _) = shopper
        .post_json("/api/points/charge", &serde_json::json!({"amount": 500000}))
        .await;
    assert_eq!(status, 200);
    let address = shopper.add_address().await;
    let (status, order) = shopper
        .post_json(
            "/api/orders/place",
            &serde_json::json!({"idempotency_key": "headers-order-1", "address_id": address,
                                "items": [{"product_id": 5, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let order_id = order["order_id"].as_i64().unwrap();
    let (status, campaign) = admin
        .post_json(
            "/api/admin/coupons",
            &serde_json::json!({"name": "헤더", "kind": "fixed", "value": 1000, "open": true}),
        )
        .await;
    assert_eq!(status, 201, "{campaign}");
    let paths = pages(order_id, campaign["id"].as_i64().unwrap());
    assert!(paths.len() >= 20, "{paths:?}");
    let guest = app.visitor();
    let mut seen = std::collections::HashSet::new();
    for path in paths.iter().chain([&"/no-such-page".to_string()]) {
        // The shopper and the staff member see every page (an admin page
        // is a 403 page for the shopper); a guest the public ones.
        for visitor in [&shopper, &admin] {
            let nonce = page_is_guarded(visitor, path).await;
            assert!(
                nonce.is_some(),
                "{path}: a shopper's page is rendered for them"
            );
            assert!(seen.insert(nonce), "{path}: a nonce used twice");
        }
        if guest.get(path).await.status() != 303 {
            // A guest's page comes from the cache: no nonce to share.
            let nonce = page_is_guarded(&guest, path).await;
            assert!(
                nonce.is_none() || path == "/no-such-page",
                "{path}: a guest's page has a nonce"
            );
            if let Some(nonce) = nonce {
                assert!(seen.insert(Some(nonce)), "{path}: a nonce used twice");
            }
        }
    }
}

async fn json_and_files_carry_nosniff_and_no_page_policy(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in [
        "/api/products",
        "/api/me",
        "/api/coupons/available",
        "/healthz",
        "/readyz",
    ] {
        let response = app.get(path).await;
        assert_eq!(
            header(&response, "x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        for absent in [
            "content-security-policy",
            "x-frame-options",
            "permissions-policy",
            "cross-origin-opener-policy",
        ] {
            assert_eq!(header(&response, absent), None, "{path}: {absent}");
        }
    }
    let (status, _) = app
        .post_json(
            "/api/login",
            &serde_json::json!({"login_id": "nobody", "password": "whatever1"}),
        )
        .await;
    assert_eq!(status, 401);
}

crate::on_both_backends!(
    every_page_has_a_strict_policy_and_the_headers_that_go_with_it,
    json_and_files_carry_nosniff_and_no_page_policy,
);

#[tokio::test]
async fn other_html_gets_a_policy_that_runs_no_script() {
    let mut config = Config::for_tests(fresh_database(Backend::Sqlite).await);
    config.bench_endpoints = true;
    let app = spawn_app_with(config).await;
    let response = app.get("/_bench/static/2000").await;
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type")
        .unwrap()
        .starts_with("text/html"));
    let csp = header(&response, "content-security-policy").unwrap();
    assert!(csp.contains("script-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(
        header(&response, "x-frame-options").as_deref(),
        Some("DENY")
    );
}

#[tokio::test]
async fn https_adds_strict_transport_security() {
    let mut config = Config::for_tests(fresh_database(Backend::Sqlite).await);
    config.secure_cookies = true;
    let app = spawn_app_with(config).await;
    for path in ["/", "/api/products"] {
        let response = app.get(path).await;
        assert_eq!(
            header(&response, "strict-transport-security").as_deref(),
            Some("max-age=31536000"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn extra_origins_widen_the_policy() {
    let mut config = Config::for_tests(fresh_database(Backend::Sqlite).await);
    config.content_policy = app::security::ContentPolicy::parse("https://cdn.example.com").unwrap();
    let app = spawn_app_with(config).await;
    let csp = header(&app.get("/").await, "content-security-policy").unwrap();
    assert!(
        csp.contains("img-src 'self' https://cdn.example.com;"),
        "{csp}"
    );
    // A guest's page from the cache names its scripts by hash.
    assert!(
        csp.contains("script-src 'self' https://cdn.example.com 'sha256-"),
        "{csp}"
    );
    let shopper = app.visitor();
    shopper.signup("cdn_shopper").await;
    let csp = header(&shopper.get("/").await, "content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self' https://cdn.example.com 'nonce-"),
        "{csp}"
    );
}

#[tokio::test]
async fn violation_reports_are_heard_in_either_format() {
    let app = spawn_app(Backend::Sqlite).await;
    let post = |content_type: &'static str, body: String| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/csp-report"))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let old = r#"{"csp-report":{"document-uri":"http://shop/","effective-directive":"script-src-elem","blocked-uri":"inline"}}"#;
    let new = r#"[{"type":"csp-violation","body":{"documentURL":"http://shop/","effectiveDirective":"img-src","blockedURL":"https://x.example/a.png"}}]"#;
    assert_eq!(post("application/csp-report", old.to_string()).await, 204);
    assert_eq!(post("application/reports+json", new.to_string()).await, 204);
    // A flood is answered alike; past the rate only a count is kept.
    for _ in 0..100 {
        assert_eq!(post("application/csp-report", old.to_string()).await, 204);
    }
    assert_eq!(
        post("application/csp-report", "not json".to_string()).await,
        400
    );
    let huge = format!(
        r#"{{"csp-report":{{"blocked-uri":"{}"}}}}"#,
        "x".repeat(20_000)
    );
    assert_eq!(post("application/csp-report", huge).await, 413);
    // Only POST.
    assert_eq!(app.get("/csp-report").await.status(), 405);
}
