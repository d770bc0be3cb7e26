//! Signup, login, logout, sessions and who may call what.

use crate::helpers::new_client as fresh_client;
use crate::helpers::{
    assert_error, fresh_database, post_concurrently, spawn_app, spawn_app_with, TestApp,
};
use crate::on_both_backends;
use app::db::Backend;
use serde_json::{json, Value};
use server::config::Config;

const PASSWORD: &str = "correct horse";

on_both_backends!(
    signup_logs_in_and_me_shows_the_account,
    login_ids_are_unique_whatever_their_case,
    bad_signups_name_the_field,
    forms_and_json_are_both_accepted,
    failed_logins_look_the_same_for_unknown_ids_and_wrong_passwords,
    login_renews_the_session_id,
    logout_ends_the_session,
    me_needs_a_session,
    repeated_failures_are_slowed_down,
    concurrent_signups_of_one_id_make_one_account,
    posts_from_other_sites_are_refused,
    the_user_id_header_is_ignored_by_default,
    the_user_id_header_is_honoured_behind_a_trusted_gateway,
    session_cookies_are_http_only_and_lax,
    no_js_login_forms_redirect_to_next,
    protected_pages_redirect_to_login,
);

pub async fn signup(app: &TestApp, login_id: &str) -> Value {
    let (status, body) = app
        .post_json(
            "/api/signup",
            &json!({"login_id": login_id, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

impl TestApp {
    /// The raw answer to a signup or login with [`PASSWORD`], for its cookies.
    async fn signup_response(&self, login_id: &str) -> reqwest::Response {
        self.account_response("/api/signup", login_id).await
    }

    async fn login_response(&self, login_id: &str) -> reqwest::Response {
        self.account_response("/api/login", login_id).await
    }

    async fn account_response(&self, path: &str, login_id: &str) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(&json!({"login_id": login_id, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
    }
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("storefront_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

async fn me_with_cookie(app: &TestApp, cookie: &str) -> u16 {
    reqwest::Client::new()
        .get(app.url("/api/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn signup_logs_in_and_me_shows_the_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = signup(&app, "Alice_1").await;
    assert_eq!(body["login_id"], "Alice_1");
    let user_id = body["user_id"].as_i64().unwrap();
    let (status, me) = app.get_json("/api/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        me,
        json!({"user_id": user_id, "login_id": "Alice_1", "points": 0})
    );
}

async fn login_ids_are_unique_whatever_their_case(backend: Backend) {
    let app = spawn_app(backend).await;
    signup(&app, "Bob").await;
    let (status, body) = app
        .post_json(
            "/api/signup",
            &json!({"login_id": "bob", "password": PASSWORD}),
        )
        .await;
    assert_error(status, &body, 409, "LOGIN_ID_TAKEN");
    assert_eq!(body["details"]["field"], "login_id");
    // Logging in ignores case too.
    let other = app.visitor();
    let (status, body) = other.login("BOB", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["login_id"], "Bob");
}

async fn bad_signups_name_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let long_password = "x".repeat(129);
    // Hostile ones too: control characters, and texts far past any limit.
    let huge = "a".repeat(100_000);
    for (login_id, password, field) in [
        ("nul\u{0}byte", PASSWORD, "login_id"),
        ("tab\tbed", PASSWORD, "login_id"),
        (huge.as_str(), PASSWORD, "login_id"),
        ("huge_pass", huge.as_str(), "password"),
        ("ab", PASSWORD, "login_id"),
        ("abcdefghijklmnopqrstu", PASSWORD, "login_id"),
        ("bad-name", PASSWORD, "login_id"),
        ("space name", PASSWORD, "login_id"),
        ("good_name", "short", "password"),
        ("good_name", long_password.as_str(), "password"),
    ] {
        let (status, body) = app
            .post_json(
                "/api/signup",
                &json!({"login_id": login_id, "password": password}),
            )
            .await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        assert_eq!(body["details"]["field"], field, "{login_id}: {body}");
    }
    // A missing field is a bad request too, never a 500.
    let (status, body) = app
        .post_json("/api/signup", &json!({"login_id": "good_name"}))
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    let (status, body) = app
        .post_json("/api/signup", &json!({"login_id": 5, "password": [1]}))
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    // Nothing was created by any of these.
    let (status, _) = app.login("good_name", PASSWORD).await;
    assert_eq!(status, 401);
}

async fn forms_and_json_are_both_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app
        .client
        .post(app.url("/api/signup"))
        .form(&[("login_id", "form_user"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["login_id"], "form_user");
    let (status, _) = app.post_json("/api/logout", &json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = app.login("form_user", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
}

async fn failed_logins_look_the_same_for_unknown_ids_and_wrong_passwords(backend: Backend) {
    let app = spawn_app(backend).await;
    signup(&app, "carol").await;
    let guest = app.visitor();
    let (s1, wrong_password) = guest.login("carol", "not the password").await;
    let (s2, unknown_id) = guest.login("nobody_here", "not the password").await;
    assert_error(s1, &wrong_password, 401, "INVALID_CREDENTIALS");
    assert_eq!((s1, &wrong_password), (s2, &unknown_id));
    let (status, body) = guest.login("", "x").await;
    assert_error(status, &body, 400, "BAD_REQUEST");
}

async fn login_renews_the_session_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.signup_response("dave").await;
    let before = session_cookie(&res).expect("signup sets a session cookie");
    assert_eq!(me_with_cookie(&app, &before).await, 200);

    let res = app.login_response("dave").await;
    assert_eq!(res.status(), 200);
    let after = session_cookie(&res).expect("login sets a session cookie");
    assert_ne!(before, after, "the session id changes on login");
    assert_eq!(me_with_cookie(&app, &after).await, 200);
    assert_eq!(
        me_with_cookie(&app, &before).await,
        401,
        "the old id is dead"
    );
}

async fn logout_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.signup_response("erin").await;
    let cookie = session_cookie(&res).unwrap();
    let (status, body) = app.post_json("/api/logout", &json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.get_json("/api/me").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    assert_eq!(
        me_with_cookie(&app, &cookie).await,
        401,
        "a copied cookie is dead too"
    );
}

async fn me_needs_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get_json("/api/me").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    let (status, body) = app.get_json("/api/me").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    assert_eq!(me_with_cookie(&app, "storefront_session=forged").await, 401);
}

async fn repeated_failures_are_slowed_down(backend: Backend) {
    let app = spawn_app(backend).await;
    signup(&app, "frank").await;
    signup(&app, "grace").await;
    let guest = app.visitor();
    for _ in 0..5 {
        let (status, body) = guest.login("frank", "wrong password").await;
        assert_error(status, &body, 401, "INVALID_CREDENTIALS");
    }
    // Now even the right password waits for the window to pass.
    let (status, body) = guest.login("FRANK", PASSWORD).await;
    assert_error(status, &body, 429, "TOO_MANY_ATTEMPTS");
    // Another account from the same address is not locked by frank's failures.
    let (status, body) = guest.login("grace", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
}

async fn concurrent_signups_of_one_id_make_one_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let requests = (0..10)
        .map(|i| {
            let login_id = if i % 2 == 0 { "Heidi" } else { "heidi" };
            app.visitor().post_request(
                "/api/signup",
                json!({"login_id": login_id, "password": PASSWORD}),
            )
        })
        .collect();
    let mut created = 0;
    for (status, body) in post_concurrently(requests).await {
        match status {
            201 => created += 1,
            _ => assert_error(status, &body, 409, "LOGIN_ID_TAKEN"),
        }
    }
    assert_eq!(created, 1);
}

async fn posts_from_other_sites_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = json!({"login_id": "ivan_x", "password": PASSWORD});
    for (header, value) in [
        ("origin", "http://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let res = app
            .client
            .post(app.url("/api/signup"))
            .header(header, value)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert_error(status, &res.json().await.unwrap(), 403, "FORBIDDEN_ORIGIN");
    }
    // The refused requests created nothing; a same-origin one goes through.
    let host = app.address.trim_start_matches("http://").to_string();
    let res = app
        .client
        .post(app.url("/api/signup"))
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

async fn the_user_id_header_is_ignored_by_default(backend: Backend) {
    let app = spawn_app(backend).await;
    let user_id = signup(&app, "judy").await["user_id"].as_i64().unwrap();
    let res = reqwest::Client::new()
        .get(app.url("/api/me"))
        .header("x-user-id", user_id.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

async fn the_user_id_header_is_honoured_behind_a_trusted_gateway(backend: Backend) {
    let mut config = Config::for_tests(fresh_database(backend).await);
    config.trust_user_id_header = true;
    let app = spawn_app_with(config).await;
    let user_id = signup(&app, "kate").await["user_id"].as_i64().unwrap();
    let res = reqwest::Client::new()
        .get(app.url("/api/me"))
        .header("x-user-id", user_id.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["login_id"], "kate");
    let res = reqwest::Client::new()
        .get(app.url("/api/me"))
        .header("x-user-id", "not-a-number")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // An id the shop does not know is nobody, and changes nothing.
    let res = reqwest::Client::new()
        .post(app.url("/api/likes/add"))
        .header("x-user-id", "987654")
        .json(&json!({"product_id": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

async fn session_cookies_are_http_only_and_lax(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.signup_response("leo").await;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("storefront_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");

    let mut config = Config::for_tests(fresh_database(backend).await);
    config.secure_cookies = true;
    let secure = spawn_app_with(config).await;
    let res = secure.signup_response("leo").await;
    assert!(session_cookie(&res).is_some());
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

async fn no_js_login_forms_redirect_to_next(backend: Backend) {
    let app = spawn_app(backend).await;
    signup(&app, "mallory").await;
    let browser = app.visitor();
    let res = browser
        .client
        .post(browser.url("/api/login"))
        .header("accept", "text/html")
        .header("referer", browser.url("/login?next=/account"))
        .form(&[
            ("login_id", "mallory"),
            ("password", PASSWORD),
            ("next", "/account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/account");
    let (status, _) = browser.get_json("/api/me").await;
    assert_eq!(status, 200);

    // A wrong password goes back to the form, which shows the error and
    // the login id as typed.
    let refused = fresh_client();
    let res = refused
        .post(browser.url("/api/login"))
        .header("accept", "text/html")
        .header("referer", browser.url("/login"))
        .form(&[
            ("login_id", "mallory"),
            ("password", "wrong password"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/login");
    let page = refused
        .get(browser.url(&location))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(page.contains("value=\"mallory\""), "{page}");
    assert!(!page.contains("wrong password"), "no password comes back");
    // And `next` never leads off the site.
    let res = fresh_client()
        .post(browser.url("/api/login"))
        .header("accept", "text/html")
        .form(&[
            ("login_id", "mallory"),
            ("password", PASSWORD),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/");
}

async fn protected_pages_redirect_to_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app
        .client
        .get(app.url("/account"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "a guest is sent to log in first");
    assert_eq!(res.headers()["location"], "/login?next=%2Faccount");
    let res = app.get("/points?page=2").await;
    assert_eq!(
        res.headers()["location"],
        "/login?next=%2Fpoints%3Fpage%3D2"
    );
    signup(&app, "nina").await;
    let res = app.get("/account").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("nina"));
}
