//! Sign-in with OpenID Connect against a real provider: `oidc-provider`
//! (scripts/oidc-provider) on loopback, walked through as a browser does,
//! redirect by redirect, its own login and consent pages included.

use crate::helpers::{assert_error, fresh_database, spawn_app_with, TestApp};
use crate::on_both_backends;
use app::{
    accounts::oidc::{AuthMethod, ProviderSettings},
    db::Backend,
};
use reqwest::cookie::{CookieStore, Jar};
use server::config::Config;
use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};

/// One `oidc-provider` process with one client for the shop.
struct TestProvider {
    /// The shop's name for it (in its callback path).
    name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    auth_method: AuthMethod,
    process: Child,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/oidc-provider")
}

impl TestProvider {
    /// On a free port, with a new client secret, for the shop's provider
    /// `name`; answers once it listens.
    async fn start(name: &str, auth_method: AuthMethod) -> Self {
        let secret = uuid::Uuid::new_v4().simple().to_string();
        Self::launch(0, name, "storefront", &secret, auth_method).await
    }

    /// On `port`, with the client `settings` name.
    async fn start_with(port: u16, settings: &ProviderSettings) -> Self {
        Self::launch(
            port,
            &settings.name,
            &settings.client_id,
            &settings.client_secret,
            settings.auth_method,
        )
        .await
    }

    async fn launch(
        port: u16,
        name: &str,
        client_id: &str,
        client_secret: &str,
        auth_method: AuthMethod,
    ) -> Self {
        let dir = provider_dir();
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "the test provider is not installed: run the tests with `make test` \
             (scripts/setup.sh --test runs npm ci in scripts/oidc-provider)"
        );
        let mut process = Command::new("node")
            .current_dir(&dir)
            .arg("provider.mjs")
            .args(["--port", &port.to_string()])
            .args(["--client-id", client_id, "--client-secret", client_secret])
            .args(["--callback", &format!("/auth/{name}/callback")])
            .args([
                "--auth-method",
                match auth_method {
                    AuthMethod::Basic => "basic",
                    AuthMethod::Post => "post",
                },
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the test provider");
        let said = crate::helpers::first_line_json(&mut process, "the provider").await;
        Self {
            name: name.to_string(),
            issuer: said["issuer"].as_str().unwrap().to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            auth_method,
            process,
        }
    }

    fn settings(&self) -> ProviderSettings {
        let name = &self.name;
        ProviderSettings {
            name: name.to_string(),
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            label: format!("{name} ID"),
            scopes: vec!["openid".into(), "profile".into(), "email".into()],
            auth_method: self.auth_method,
        }
    }
}

async fn shop_with(backend: Backend, providers: Vec<ProviderSettings>) -> TestApp {
    let mut config = Config::for_tests(fresh_database(backend).await);
    config.sign_in_providers = providers;
    spawn_app_with(config).await
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("a redirect, not {}", response.status()))
        .to_str()
        .unwrap()
        .to_string()
}

/// The value of `attribute="…"` in the first tag holding `marker`.
fn attribute_near(html: &str, marker: &str, attribute: &str) -> Option<String> {
    let at = html.find(marker)?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..];
    let tag = &tag[..tag.find('>')?];
    let key = format!("{attribute}=\"");
    let from = tag.find(&key)? + key.len();
    Some(tag[from..from + tag[from..].find('"')?].replace("&amp;", "&"))
}

/// What the browser does at the provider.
#[derive(Clone, Copy)]
enum AtProvider<'a> {
    /// Signs in as `login` and consents.
    SignInAs(&'a str),
    /// Cancels on the login page.
    Refuse,
}

/// Follows the shop's redirect to the provider and walks its pages until
/// the provider sends the browser back to the shop; returns that callback
/// address (not yet visited).
async fn through_provider(app: &TestApp, to_provider: String, act: AtProvider<'_>) -> String {
    let mut next = to_provider;
    for _ in 0..12 {
        if next.starts_with(&app.address) {
            return next;
        }
        let response = app.client.get(&next).send().await.unwrap();
        let here = response.url().clone();
        if response.status().is_redirection() {
            next = here.join(&location(&response)).unwrap().to_string();
            continue;
        }
        assert_eq!(response.status(), 200, "at the provider: {here}");
        let page = response.text().await.unwrap();
        let action = attribute_near(&page, "method=\"post\"", "action")
            .unwrap_or_else(|| panic!("a form on the provider's page: {page}"));
        let action = here.join(&action).unwrap();
        let form: Vec<(&str, &str)> = if page.contains("name=\"login\"") {
            match act {
                AtProvider::SignInAs(login) => {
                    vec![("prompt", "login"), ("login", login), ("password", "any")]
                }
                AtProvider::Refuse => {
                    let abort = attribute_near(&page, "abort", "href")
                        .expect("the login page's cancel link");
                    next = here.join(&abort).unwrap().to_string();
                    continue;
                }
            }
        } else {
            vec![("prompt", "consent")]
        };
        let response = app.client.post(action).form(&form).send().await.unwrap();
        assert!(response.status().is_redirection(), "{}", response.status());
        next = response
            .url()
            .join(&location(&response))
            .unwrap()
            .to_string();
    }
    panic!("the provider never sent the browser back");
}

/// `GET /auth/{name}/start?next=…` on the shop: its redirect to the provider.
async fn start(app: &TestApp, name: &str, next: &str) -> String {
    let response = app
        .get(&format!(
            "/auth/{name}/start?next={}",
            app::url::encode(next)
        ))
        .await;
    assert_eq!(response.status(), 303);
    let to = location(&response);
    assert!(!to.starts_with(&app.address), "to the provider: {to}");
    to
}

/// The shop's answer to the callback: where it sends the browser.
async fn finish(app: &TestApp, callback: &str) -> String {
    let response = app.client.get(callback).send().await.unwrap();
    assert_eq!(response.status(), 303, "{callback}");
    location(&response)
}

/// Signs in through `name` as `login`; returns where the shop sent the browser.
async fn sign_in(app: &TestApp, name: &str, login: &str, next: &str) -> String {
    let to = start(app, name, next).await;
    let callback = through_provider(app, to, AtProvider::SignInAs(login)).await;
    finish(app, &callback).await
}

async fn me(app: &TestApp) -> Option<i64> {
    let (status, body) = app.get_json("/api/me").await;
    (status == 200).then(|| body["user_id"].as_i64().unwrap())
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// A browser: its own cookie jar, which the test can read.
struct Browser {
    app: TestApp,
    jar: Arc<Jar>,
}

impl Browser {
    fn new(app: &TestApp) -> Self {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            app: app.with_client(client),
            jar,
        }
    }

    /// The shop's session cookie, if it has one.
    fn session(&self) -> Option<String> {
        let url = self.app.address.parse().unwrap();
        let cookies = self.jar.cookies(&url)?;
        cookies
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix("storefront_session="))
            .map(str::to_string)
    }
}

on_both_backends!(
    a_new_identity_makes_an_account_and_signs_in_again_to_it,
    two_issuers_with_one_subject_are_two_accounts,
    a_state_tampered_replayed_or_expired_signs_nobody_in,
    a_callback_naming_another_issuer_is_refused,
    a_refusal_at_the_provider_lands_on_login_with_words,
    linking_unlinking_and_the_last_way_in,
    linking_an_identity_someone_else_owns_is_refused,
    a_provider_gone_after_the_redirect_is_unavailable,
    discovery_is_retried_until_the_provider_answers,
    one_identity_signing_in_twice_at_once_makes_one_account,
);

async fn a_new_identity_makes_an_account_and_signs_in_again_to_it(backend: Backend) {
    let provider = TestProvider::start("test", AuthMethod::Basic).await;
    let app = shop_with(backend, vec![provider.settings()]).await;

    // The login page has the provider's button.
    let page = app.get("/login").await.text().await.unwrap();
    assert!(
        page.contains("href=\"/auth/test/start?next=%2F\""),
        "{page}"
    );

    // A guest with a cart signs in: the session id changes, the cart stays.
    let browser = Browser::new(&app);
    let guest = &browser.app;
    let (status, body) = guest
        .post_json(
            "/api/cart/add",
            &serde_json::json!({"product_id": 5, "quantity": 1}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let before = browser.session();
    let landed = sign_in(guest, "test", "alice", "/cart?from=login").await;
    assert_eq!(landed, "/cart?from=login");
    let after = browser.session();
    assert!(
        before.is_some() && after.is_some() && before != after,
        "the session id is renewed"
    );
    let user = me(guest).await.expect("signed in");
    let (_, cart) = guest.get_json("/api/cart").await;
    assert_eq!(cart["item_count"], 1, "the guest cart came along: {cart}");

    // A generated login id, changeable once, no password.
    let (login_id, generated, hash): (String, i64, String) = sqlx::query_as(
        "SELECT login_id, login_id_generated, password_hash FROM users WHERE id = $1",
    )
    .bind(user)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(login_id.starts_with("test_"), "{login_id}");
    assert_eq!((generated, hash.as_str()), (1, ""));
    let (issuer, subject): (String, String) =
        sqlx::query_as("SELECT issuer, subject FROM user_identities WHERE user_id = $1")
            .bind(user)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        (issuer.as_str(), subject.as_str()),
        (provider.issuer.as_str(), "alice")
    );
    // No password logs in to it, not even an empty one.
    let (status, body) = app.visitor().login(&login_id, "whatever1").await;
    assert_error(status, &body, 401, "INVALID_CREDENTIALS");

    // The same identity, another browser: the same account.
    let users = count(&app, "users").await;
    let again = app.visitor();
    assert_eq!(sign_in(&again, "test", "alice", "/").await, "/");
    assert_eq!(me(&again).await, Some(user));
    assert_eq!(count(&app, "users").await, users, "no new account");

    // Only a path on this site is gone on to.
    let third = app.visitor();
    assert_eq!(sign_in(&third, "test", "bob", "//evil.example").await, "/");
    assert_eq!(
        sign_in(&third, "test", "bob", "https://evil.example/x").await,
        "/"
    );
    assert_ne!(me(&third).await, Some(user), "bob is someone else");

    // The login id can be changed once.
    let (status, body) = guest
        .post_json(
            "/api/change_login_id",
            &serde_json::json!({"login_id": "alice_k"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["login_id"], "alice_k");
    assert_eq!(body["login_id_changeable"], false);
    let (status, body) = guest
        .post_json(
            "/api/change_login_id",
            &serde_json::json!({"login_id": "alice_again"}),
        )
        .await;
    assert_error(status, &body, 409, "LOGIN_ID_FIXED");
}

async fn two_issuers_with_one_subject_are_two_accounts(backend: Backend) {
    let first = TestProvider::start("one", AuthMethod::Basic).await;
    // Kakao's way: the client secret in the form.
    let second = TestProvider::start("two", AuthMethod::Post).await;
    let app = shop_with(backend, vec![first.settings(), second.settings()]).await;
    let page = app.get("/signup").await.text().await.unwrap();
    assert!(
        page.contains("/auth/one/start") && page.contains("/auth/two/start"),
        "{page}"
    );

    let at_one = app.visitor();
    assert_eq!(sign_in(&at_one, "one", "same", "/").await, "/");
    let at_two = app.visitor();
    assert_eq!(sign_in(&at_two, "two", "same", "/").await, "/");
    let (one, two) = (me(&at_one).await.unwrap(), me(&at_two).await.unwrap());
    assert_ne!(one, two, "the same subject at two issuers is two people");
    assert_eq!(count(&app, "user_identities").await, 2);
}

async fn a_state_tampered_replayed_or_expired_signs_nobody_in(backend: Backend) {
    let provider = TestProvider::start("test", AuthMethod::Basic).await;
    let app = shop_with(backend, vec![provider.settings()]).await;

    // Tampered: the callback's state is not one this session started.
    let browser = app.visitor();
    let to = start(&browser, "test", "/points").await;
    let callback = through_provider(&browser, to, AtProvider::SignInAs("carol")).await;
    let tampered = replace_param(&callback, "state", "forged-state");
    let landed = finish(&browser, &tampered).await;
    assert_eq!(landed, "/login?sign_in=expired&next=%2F");
    assert_eq!(me(&browser).await, None);
    assert_eq!(count(&app, "users").await, 0, "nobody was made");
    // The genuine callback still works once: a forged state used nothing up.
    assert_eq!(finish(&browser, &callback).await, "/points");
    let carol = me(&browser).await.expect("signed in");

    // Replayed: the same callback again is refused; the code is spent too.
    let landed = finish(&browser, &callback).await;
    assert!(landed.starts_with("/login?sign_in=expired"), "{landed}");
    assert_eq!(count(&app, "users").await, 1);
    // ... and in another browser, which never started it.
    let other = app.visitor();
    let landed = finish(&other, &callback).await;
    assert!(landed.starts_with("/login?sign_in=expired"), "{landed}");
    assert_eq!(me(&other).await, None);
    assert_eq!(me(&browser).await, Some(carol));

    // Expired: a shop whose sign-ins may take no time at all.
    let mut config = Config::for_tests(fresh_database(backend).await);
    config.sign_in_providers = vec![provider.settings()];
    config.sign_in_state_ttl = Duration::ZERO;
    let slow = spawn_app_with(config).await;
    let to = start(&slow, "test", "/").await;
    let callback = through_provider(&slow, to, AtProvider::SignInAs("dave")).await;
    let landed = finish(&slow, &callback).await;
    assert!(landed.starts_with("/login?sign_in=expired"), "{landed}");
    assert_eq!(me(&slow).await, None);
    assert_eq!(count(&slow, "users").await, 0);
    // The login page says so in words, never the provider's.
    let page = slow.get(&landed).await.text().await.unwrap();
    assert!(page.contains("data-testid=\"sign-in-problem\""), "{page}");
}

/// `url` with its query parameter `name` set to `value`.
fn replace_param(url: &str, name: &str, value: &str) -> String {
    let mut url = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}

async fn a_callback_naming_another_issuer_is_refused(backend: Backend) {
    let provider = TestProvider::start("test", AuthMethod::Basic).await;
    let app = shop_with(backend, vec![provider.settings()]).await;
    let to = start(&app, "test", "/").await;
    let callback = through_provider(&app, to, AtProvider::SignInAs("erin")).await;
    assert!(
        callback.contains("iss="),
        "the provider names itself: {callback}"
    );
    let landed = finish(
        &app,
        &replace_param(&callback, "iss", "http://evil.example"),
    )
    .await;
    assert_eq!(landed, "/login?sign_in=failed&next=%2F");
    assert_eq!(me(&app).await, None);
    assert_eq!(count(&app, "users").await, 0);

    // A provider name that is not the one the sign-in started with.
    let to = start(&app, "test", "/").await;
    let callback = through_provider(&app, to, AtProvider::SignInAs("erin")).await;
    let elsewhere = callback.replace("/auth/test/callback", "/auth/other/callback");
    let landed = finish(&app, &elsewhere).await;
    assert!(landed.starts_with("/login?sign_in=failed"), "{landed}");
    assert_eq!(count(&app, "users").await, 0);
    // An unknown provider has no start.
    assert_eq!(app.get("/auth/nobody/start").await.status(), 404);
}

async fn a_refusal_at_the_provider_lands_on_login_with_words(backend: Backend) {
    let provider = TestProvider::start("test", AuthMethod::Basic).await;
    let app = shop_with(backend, vec![provider.settings()]).await;
    let to = start(&app, "test", "/likes").await;
    let callback = through_provider(&app, to, AtProvider::Refuse).await;
    assert!(callback.contains("error=access_denied"), "{callback}");
    let landed = finish(&app, &callback).await;
    assert_eq!(landed, "/login?sign_in=denied&next=%2Flikes");
    assert_eq!(me(&app).await, None);
    assert_eq!(count(&app, "users").await, 0);
    let page = app.get(&landed).await.text().await.unwrap();
    assert!(
        page.contains("cancelled at the provider") || page.contains("취소"),
        "{page}"
    );
    assert!(
        !page.contains("End-User aborted"),
        "never the provider's own words"
    );
}

async fn linking_unlinking_and_the_last_way_in(backend: Backend) {
    let provider = TestProvider::start("test", AuthMethod::Basic).await;
    let app = shop_with(backend, vec![provider.settings()]).await;

    // A password account links the provider from /account.
    let shopper = app.visitor();
    let user = shopper.signup("frank").await;
    let (_, methods) = shopper.get_json("/api/sign_in_methods").await;
    assert_eq!(methods["has_password"], true);
    assert_eq!(methods["linkable"][0]["name"], "test", "{methods}");
    let response = shopper
        .client
        .post(shopper.url("/auth/test/link"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let callback = through_provider(
        &shopper,
        location(&response),
        AtProvider::SignInAs("frank-at-op"),
    )
    .await;
    assert_eq!(finish(&shopper, &callback).await, "/account?linked=test");
    let (_, methods) = shopper.get_json("/api/sign_in_methods").await;
    assert_eq!(methods["linked"][0]["provider"], "test", "{methods}");
    assert_eq!(methods["linkable"], serde_json::json!([]));

    // Logged out, the provider signs in to the same account.
    let (status, _) = shopper
        .post_json("/api/logout", &serde_json::json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(sign_in(&shopper, "test", "frank-at-op", "/").await, "/");
    assert_eq!(me(&shopper).await, Some(user));

    // With a password the provider can go; without it, it cannot.
    let (status, body) = shopper
        .post_json(
            "/api/unlink_identity",
            &serde_json::json!({"provider": "test"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["linked"], serde_json::json!([]));
    let (status, body) = shopper
        .post_json(
            "/api/unlink_identity",
            &serde_json::json!({"provider": "test"}),
        )
        .await;
    assert_error(status, &body, 404, "NOT_FOUND");

    // An account the provider made has only it: unlinking is refused
    // until it has a password.
    let newcomer = app.visitor();
    sign_in(&newcomer, "test", "grace", "/").await;
    let (status, body) = newcomer
        .post_json(
            "/api/unlink_identity",
            &serde_json::json!({"provider": "test"}),
        )
        .await;
    assert_error(status, &body, 409, "LAST_SIGN_IN_METHOD");
    assert_eq!(count(&app, "user_identities").await, 1);
    let page = newcomer.get("/account").await.text().await.unwrap();
    assert!(page.contains("data-testid=\"set-password-form\""), "{page}");
    let (status, body) = newcomer
        .post_json(
            "/api/set_password",
            &serde_json::json!({"password": "short"}),
        )
        .await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    let (status, body) = newcomer
        .post_json(
            "/api/set_password",
            &serde_json::json!({"password": "grace's secret"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["has_password"], true);
    let (status, body) = newcomer
        .post_json(
            "/api/set_password",
            &serde_json::json!({"password": "another one"}),
        )
        .await;
    assert_error(status, &body, 409, "PASSWORD_ALREADY_SET");
    let (status, body) = newcomer
        .post_json(
            "/api/unlink_identity",
            &serde_json::json!({"provider": "test"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // The password is the way in now.
    let login_id = body["login_id"].as_str().unwrap().to_string();
    let (status, body) = app.visitor().login(&login_id, "grace's secret").await;
    assert_eq!(status, 200, "{body}");
    // A fixed login id (chosen at signup) is not changed.
    let (status, body) = shopper
        .post_json(
            "/api/change_login_id",
            &serde_json::json!({"login_id": "frankie"}),
        )
        .await;
    assert_error(status, &body, 409, "LOGIN_ID_FIXED");
    // A guest is told to log in; linking sends them to.
    let guest = app.visitor();
    let (status, body) = guest.get_json("/api/sign_in_methods").await;
    assert_error(status, &body, 401, "UNAUTHENTICATED");
    let response = guest
        .client
        .post(guest.url("/auth/test/link"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(
        location(&response).starts_with("/login?next="),
        "{}",
        location(&response)
    );
    // Another site cannot start a link.
    let response = shopper
        .client
        .post(shopper.url("/auth/test/link"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

async fn linking_an_identity_someone_else_owns_is_refused(backend: Backend) {
    let provider = TestProvider::start("test", AuthMethod::Basic).await;
    let app = shop_with(backend, vec![provider.settings()]).await;
    let owner = app.visitor();
    sign_in(&owner, "test", "heidi", "/").await;
    let heidi = me(&owner).await.unwrap();

    let other = app.visitor();
    let ivan = other.signup("ivan").await;
    let response = other
        .client
        .post(other.url("/auth/test/link"))
        .send()
        .await
        .unwrap();
    let callback =
        through_provider(&other, location(&response), AtProvider::SignInAs("heidi")).await;
    assert_eq!(finish(&other, &callback).await, "/account?sign_in=taken");
    assert_eq!(me(&other).await, Some(ivan), "still ivan");
    let owners: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM user_identities")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert_eq!(owners, vec![heidi]);
    let page = other
        .get("/account?sign_in=taken")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"sign-in-problem\""), "{page}");

    // An account with an identity of the provider already (linked before,
    // set up here in the database) cannot link a second one.
    let olga_browser = app.visitor();
    let olga = olga_browser.signup("olga").await;
    sqlx::query(
        "INSERT INTO user_identities (user_id, provider, issuer, subject, created_at) \
         VALUES ($1, 'test', $2, 'olga-before', 0)",
    )
    .bind(olga)
    .bind(&provider.issuer)
    .execute(app.db.pool())
    .await
    .unwrap();
    let response = olga_browser
        .client
        .post(olga_browser.url("/auth/test/link"))
        .send()
        .await
        .unwrap();
    let callback = through_provider(
        &olga_browser,
        location(&response),
        AtProvider::SignInAs("olga-now"),
    )
    .await;
    assert_eq!(
        finish(&olga_browser, &callback).await,
        "/account?sign_in=already_linked"
    );
    let subjects: Vec<String> =
        sqlx::query_scalar("SELECT subject FROM user_identities WHERE user_id = $1")
            .bind(olga)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(subjects, vec!["olga-before".to_string()]);
}

async fn a_provider_gone_after_the_redirect_is_unavailable(backend: Backend) {
    let provider = TestProvider::start("test", AuthMethod::Basic).await;
    let app = shop_with(backend, vec![provider.settings()]).await;
    let to = start(&app, "test", "/").await;
    let callback = through_provider(&app, to, AtProvider::SignInAs("judy")).await;
    drop(provider); // its token endpoint is gone
    let landed = finish(&app, &callback).await;
    assert_eq!(landed, "/login?sign_in=unavailable&next=%2F");
    assert_eq!(me(&app).await, None);
    assert_eq!(count(&app, "users").await, 0);
}

async fn discovery_is_retried_until_the_provider_answers(backend: Backend) {
    // A port nothing listens on yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = ProviderSettings {
        name: "late".into(),
        issuer: format!("http://127.0.0.1:{port}"),
        client_id: "storefront".into(),
        client_secret: uuid::Uuid::new_v4().simple().to_string(),
        label: "Late ID".into(),
        scopes: vec!["openid".into()],
        auth_method: AuthMethod::Basic,
    };
    let app = shop_with(backend, vec![settings.clone()]).await;
    // The shop started; the provider has no button and no start.
    let page = app.get("/login").await.text().await.unwrap();
    assert!(!page.contains("/auth/late/start"), "{page}");
    let response = app.get("/auth/late/start").await;
    assert_eq!(location(&response), "/login?sign_in=unavailable&next=%2F");

    // The provider comes up (with the client the shop was given).
    let provider = TestProvider::start_with(port, &settings).await;
    assert_eq!(provider.issuer, settings.issuer);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let page = app.get("/login").await.text().await.unwrap();
        if page.contains("/auth/late/start") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never discovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(sign_in(&app, "late", "kim", "/").await, "/");
    assert!(me(&app).await.is_some());
}

async fn one_identity_signing_in_twice_at_once_makes_one_account(backend: Backend) {
    let provider = TestProvider::start("test", AuthMethod::Basic).await;
    let app = shop_with(backend, vec![provider.settings()]).await;
    // Eight browsers each bring the same new identity back at once.
    let mut browsers = Vec::new();
    for _ in 0..8 {
        let browser = app.visitor();
        let to = start(&browser, "test", "/").await;
        let callback = through_provider(&browser, to, AtProvider::SignInAs("twin")).await;
        browsers.push((browser, callback));
    }
    let tasks: Vec<_> = browsers
        .into_iter()
        .map(|(browser, callback)| {
            tokio::spawn(async move {
                assert_eq!(finish(&browser, &callback).await, "/");
                me(&browser).await.expect("signed in")
            })
        })
        .collect();
    let mut users = Vec::new();
    for task in tasks {
        users.push(task.await.unwrap());
    }
    users.dedup();
    assert_eq!(users.len(), 1, "one account: {users:?}");
    assert_eq!(count(&app, "users").await, 1);
    assert_eq!(count(&app, "user_identities").await, 1);
}
