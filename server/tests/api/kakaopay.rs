//! Charging points through KakaoPay, against the KakaoPay sandbox
//! (scripts/kakaopay-sandbox, written from KakaoPay's documentation, not
//! from the shop's client): the shopper's whole walk, redirect by
//! redirect, and every way a payment goes wrong — a declined card, an
//! approval whose answer is lost, KakaoPay down, the shopper cancelling,
//! replays and races — each checked on the shop's side and on KakaoPay's
//! (`approvals`: the times money was taken).

use crate::helpers::{assert_error, fresh_database, spawn_app_with, TestApp};
use crate::on_both_backends;
use app::{
    db::{Backend, DatabaseUrl},
    payments::{kakaopay, ChargeId},
    staff::Role,
};
use serde_json::{json, Value};
use server::config::{Config, PaymentSettings};
use std::{
    io::{BufReader, Read},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

on_both_backends!(
    a_shopper_pays_and_the_points_come_in_once,
    twenty_returns_at_once_on_two_instances_credit_once,
    a_declined_card_fails_the_charge_and_says_why,
    a_lost_approval_stays_pending_until_the_reconciler_credits_it,
    kakaopay_down_at_ready_is_503_and_leaves_nothing_pending,
    cancelling_or_failing_at_kakaopay_charges_nothing,
    amounts_and_the_cap_are_checked_before_paying,
    staff_refund_a_paid_charge_once,
    the_reconciler_runs_on_its_own,
);

/// One sandbox process; killed when dropped.
pub struct Sandbox {
    pub base: String,
    key: String,
    process: Child,
    http: reqwest::Client,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Sandbox {
    pub async fn start() -> Self {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/kakaopay-sandbox");
        let key = format!("DEV{}", uuid::Uuid::new_v4().simple());
        let mut process = Command::new("node")
            .current_dir(&dir)
            .arg("sandbox.mjs")
            .args(["--port", "0", "--secret-key", &key])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the KakaoPay sandbox");
        let said = crate::helpers::first_line_json(&mut process, "the sandbox").await;
        Self {
            base: said["base"].as_str().unwrap().to_string(),
            key,
            process,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    pub fn settings(&self) -> kakaopay::Settings {
        let mut settings = kakaopay::Settings::new(
            self.key.clone(),
            kakaopay::TEST_CID.into(),
            self.base.clone(),
        );
        // Short, so a delayed answer is a timeout in moments.
        settings.connect_timeout = Duration::from_secs(1);
        settings.timeout = Duration::from_secs(1);
        settings
    }

    pub fn client(&self) -> kakaopay::KakaoPay {
        kakaopay::KakaoPay::new(self.settings()).unwrap()
    }

    pub async fn faults(&self, faults: Value) {
        let res = self
            .http
            .post(format!("{}/_sandbox/faults", self.base))
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// KakaoPay's side: every payment it knows.
    pub async fn payments(&self) -> Vec<Value> {
        self.http
            .get(format!("{}/_sandbox/payments", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The payment of the shop's charge `id`, as KakaoPay has it.
    pub async fn payment_of(&self, id: i64) -> Value {
        self.payments()
            .await
            .into_iter()
            .find(|p| p["partner_order_id"].as_str() == Some(id.to_string().as_str()))
            .unwrap_or_else(|| panic!("KakaoPay has no payment of charge {id}"))
    }

    /// The shopper at KakaoPay's page presses `button` (`pay`, `cancel`,
    /// `fail`); the URL KakaoPay sends the browser back to.
    pub async fn press(&self, redirect_url: &str, button: &str) -> String {
        let page = self.http.get(redirect_url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        let action = html
            .split("action=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .find(|action| action.ends_with(&format!("/{button}")))
            .unwrap_or_else(|| panic!("no {button} button on KakaoPay's page: {html}"))
            .to_string();
        let res = self
            .http
            .post(format!("{}{action}", self.base))
            .form(&[("payment_method_type", "CARD")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{button}");
        res.headers()["location"].to_str().unwrap().to_string()
    }
}

pub fn shop_config(url: DatabaseUrl, sandbox: &Sandbox) -> Config {
    let mut config = Config::for_tests(url);
    config.payments = PaymentSettings::KakaoPay(sandbox.settings());
    // The tests run the reconciler's rounds themselves (one test runs it
    // on its own).
    config.reconcile_every = Duration::from_secs(3600);
    config
}

pub async fn shop(backend: Backend, sandbox: &Sandbox) -> TestApp {
    spawn_app_with(shop_config(fresh_database(backend).await, sandbox)).await
}

/// Starts a charge of `amount` as a JSON client: `(charge id, KakaoPay's
/// page for the shopper)`.
async fn start(shopper: &TestApp, amount: i64) -> (i64, String) {
    let (status, body) = shopper
        .post_json("/api/points/charge", &json!({ "amount": amount }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "pending", "{body}");
    (
        body["charge_id"].as_i64().unwrap(),
        body["redirect_url"].as_str().unwrap().to_string(),
    )
}

/// The browser comes back to the shop at `url` (absolute, the shop's);
/// where it is sent on and the message the next page shows.
pub async fn come_back(shopper: &TestApp, url: &str) -> (u16, String, String) {
    let res = shopper
        .client
        .get(url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    let message = if location.starts_with('/') {
        let page = shopper
            .client
            .get(shopper.url(&location))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        crate::helpers::flash(&page)
            .map(|(_, text)| text)
            .unwrap_or_default()
    } else {
        String::new()
    };
    (status, location, message)
}

pub async fn balance(shopper: &TestApp) -> i64 {
    let (status, body) = shopper.get_json("/api/points").await;
    assert_eq!(status, 200);
    body["points"].as_i64().unwrap()
}

async fn charge(shopper: &TestApp, id: i64) -> Value {
    let (status, body) = shopper
        .get_json(&format!("/api/points/charges/get?id={id}"))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

pub async fn count(app: &TestApp, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn a_shopper_pays_and_the_points_come_in_once(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop(backend, &sandbox).await;
    let shopper = app.visitor_speaking("en-US");
    shopper.signup("payer").await;

    let (id, redirect_url) = start(&shopper, 50_000).await;
    assert!(redirect_url.starts_with(&sandbox.base), "{redirect_url}");
    assert_eq!(charge(&shopper, id).await["status"], "pending");
    let back = sandbox.press(&redirect_url, "pay").await;
    assert!(back.starts_with(&app.address), "back to the shop: {back}");
    assert!(back.contains("pg_token="), "{back}");

    let (status, location, message) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/points"), "{location}");
    assert!(message.contains("50,000"), "the page says it: {message:?}");
    assert_eq!(balance(&shopper).await, 50_000);
    let paid = charge(&shopper, id).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["amount"], 50_000);
    assert_eq!(paid["provider"], "kakaopay");
    assert!(paid["paid_at"].as_i64().is_some());
    assert_eq!(sandbox.payment_of(id).await["status"], "SUCCESS_PAYMENT");

    // The return replayed: nothing more taken, nothing more credited.
    let (status, _, message) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    assert!(message.contains("50,000"), "{message:?}");
    assert_eq!(balance(&shopper).await, 50_000);
    assert_eq!(sandbox.payment_of(id).await["approvals"], 1);
    let ledger = "SELECT COUNT(*) FROM point_ledger WHERE charge_id = $1";
    assert_eq!(count(&app, ledger, id).await, 1);
    // The data platform hears of it once.
    let events = "SELECT COUNT(*) FROM outbox WHERE kind = 'payment.charged' AND payload LIKE '%' || CAST($1 AS TEXT) || '%'";
    assert_eq!(count(&app, events, id).await, 1);

    // My charges, newest first; no one else's.
    let (status, list) = shopper.get_json("/api/points/charges").await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["charge_id"], id);
    let stranger = app.visitor_speaking("en-US");
    stranger.signup("stranger").await;
    let (status, body) = stranger
        .get_json(&format!("/api/points/charges/get?id={id}"))
        .await;
    assert_error(status, &body, 404, "NOT_FOUND");
    let res = stranger.client.get(&back).send().await.unwrap();
    assert_eq!(
        res.status(),
        404,
        "only the charge's own shopper completes it"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["message"], "There is no such charge.",
        "in the shopper's language"
    );
    assert_eq!(balance(&stranger).await, 0);
    // A guest is sent to log in first, and back here after.
    let guest = app.visitor();
    let res = guest.client.get(&back).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));
}

async fn twenty_returns_at_once_on_two_instances_credit_once(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let url = fresh_database(backend).await;
    let app = spawn_app_with(shop_config(url.clone(), &sandbox)).await;
    // A second instance on the same database (the session is there too).
    let other = spawn_app_with(shop_config(url, &sandbox)).await;
    let shopper = app.visitor();
    shopper.signup("racer").await;
    let (id, redirect_url) = start(&shopper, 30_000).await;
    let back = sandbox.press(&redirect_url, "pay").await;
    let query = &back[back.find("/payments/").unwrap()..];

    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let client = shopper.client.clone();
            let base = if i % 2 == 0 {
                &app.address
            } else {
                &other.address
            };
            let url = format!("{base}{query}");
            tokio::spawn(async move { client.get(url).send().await.unwrap().status().as_u16() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 303);
    }
    assert_eq!(balance(&shopper).await, 30_000);
    assert_eq!(charge(&shopper, id).await["status"], "paid");
    assert_eq!(sandbox.payment_of(id).await["approvals"], 1);
    let ledger = "SELECT COUNT(*) FROM point_ledger WHERE charge_id = $1";
    assert_eq!(count(&app, ledger, id).await, 1);
}

async fn a_declined_card_fails_the_charge_and_says_why(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop(backend, &sandbox).await;
    let shopper = app.visitor_speaking("en-US");
    shopper.signup("declined").await;
    let (id, redirect_url) = start(&shopper, 20_000).await;
    let back = sandbox.press(&redirect_url, "pay").await;
    sandbox.faults(json!({"approve": "decline"})).await;

    let (status, location, message) = come_back(&shopper, &back).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/points"));
    assert!(message.contains("did not go through"), "{message:?}");
    assert!(
        message.len() > "did not go through".len() + 30,
        "with KakaoPay's reason: {message:?}"
    );
    assert_eq!(charge(&shopper, id).await["status"], "failed");
    assert_eq!(balance(&shopper).await, 0);
    let payment = sandbox.payment_of(id).await;
    assert_eq!(payment["approvals"], 0);
    assert_eq!(payment["status"], "FAIL_PAYMENT");

    // Declined, and KakaoPay's lookup does not answer: the shop cannot
    // tell, so it does not say the payment failed; the reconciler does.
    let (id, redirect_url) = start(&shopper, 20_000).await;
    let back = sandbox.press(&redirect_url, "pay").await;
    sandbox
        .faults(json!({"approve": "decline", "order": "error5xx"}))
        .await;
    let (_, _, message) = come_back(&shopper, &back).await;
    sandbox
        .faults(json!({"approve": "ok", "order": "ok"}))
        .await;
    assert!(message.contains("being confirmed"), "{message:?}");
    assert_eq!(charge(&shopper, id).await["status"], "pending");
    app::orders::paying::reconcile(&app.db, &sandbox.client(), Duration::ZERO, 100)
        .await
        .unwrap();
    assert_eq!(charge(&shopper, id).await["status"], "failed");
    assert_eq!(balance(&shopper).await, 0);
}

async fn a_lost_approval_stays_pending_until_the_reconciler_credits_it(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop(backend, &sandbox).await;
    let shopper = app.visitor_speaking("en-US");
    shopper.signup("patient").await;
    // The approval is applied at KakaoPay, its answer comes after the
    // shop gave up (a timeout), or never (the connection dropped), or
    // KakaoPay answers 500 without applying it.
    let mut credited = 0;
    for (mode, taken) in [("delay", true), ("drop", true), ("error5xx", false)] {
        let (id, redirect_url) = start(&shopper, 10_000).await;
        let back = sandbox.press(&redirect_url, "pay").await;
        sandbox
            .faults(json!({"approve": mode, "delay_ms": 3000}))
            .await;
        let (status, _, message) = come_back(&shopper, &back).await;
        sandbox.faults(json!({"approve": "ok"})).await;
        assert_eq!(status, 303, "{mode}");
        assert!(message.contains("being confirmed"), "{mode}: {message:?}");
        assert_eq!(charge(&shopper, id).await["status"], "pending", "{mode}");
        assert_eq!(balance(&shopper).await, credited, "{mode}");

        // The reconciler asks KakaoPay and settles it by the answer.
        app::orders::paying::reconcile(&app.db, &sandbox.client(), Duration::ZERO, 100)
            .await
            .unwrap();
        let payment = sandbox.payment_of(id).await;
        if taken {
            credited += 10_000;
            assert_eq!(charge(&shopper, id).await["status"], "paid", "{mode}");
            assert_eq!(payment["approvals"], 1, "{mode}");
        } else {
            // Not taken: still the shopper's to finish (KakaoPay keeps it
            // open until it expires), and counted as a look.
            assert_eq!(charge(&shopper, id).await["status"], "pending", "{mode}");
            assert_eq!(payment["approvals"], 0, "{mode}");
        }
        assert_eq!(balance(&shopper).await, credited, "{mode}");
        // Another round changes nothing.
        app::orders::paying::reconcile(&app.db, &sandbox.client(), Duration::ZERO, 100)
            .await
            .unwrap();
        assert_eq!(balance(&shopper).await, credited, "{mode}");
    }
    // KakaoPay unreachable for the reconciler: counted, never given up
    // silently (the operator sees it once it keeps failing).
    sandbox.faults(json!({"order": "error5xx"})).await;
    for _ in 0..app::payments::FAILING_AFTER {
        app::orders::paying::reconcile(&app.db, &sandbox.client(), Duration::ZERO, 100)
            .await
            .unwrap();
    }
    let operator = app.staff("ops", Role::Admin).await;
    let (status, payments) = operator.get_json("/api/admin/payments").await;
    assert_eq!(status, 200, "{payments}");
    assert_eq!(payments["pending"], 1, "{payments}");
    assert_eq!(payments["failing"], 1, "{payments}");
    // Counted: the lost approval and the five failed looks; the two
    // rounds that found it still open at KakaoPay were not failures.
    assert_eq!(
        payments["stuck"][0]["attempts"],
        1 + app::payments::FAILING_AFTER,
        "{payments}"
    );
    assert!(
        payments["stuck"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("500"),
        "{payments}"
    );
}

async fn kakaopay_down_at_ready_is_503_and_leaves_nothing_pending(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop(backend, &sandbox).await;
    let shopper = app.visitor();
    shopper.signup("unlucky").await;
    for mode in ["refuse", "error5xx", "drop"] {
        sandbox.faults(json!({"ready": mode})).await;
        let (status, body) = shopper
            .post_json("/api/points/charge", &json!({"amount": 5000}))
            .await;
        assert_error(status, &body, 503, "PAYMENT_UNAVAILABLE");
    }
    let (_, list) = shopper.get_json("/api/points/charges").await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|c| c["status"] == "failed"), "{list:?}");
    assert!(sandbox.payments().await.is_empty());
    assert_eq!(balance(&shopper).await, 0);
}

async fn cancelling_or_failing_at_kakaopay_charges_nothing(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop(backend, &sandbox).await;
    let shopper = app.visitor_speaking("en-US");
    shopper.signup("changed_mind").await;
    for (button, status, says) in [
        ("cancel", "cancelled", "cancelled"),
        ("fail", "failed", "did not go through"),
    ] {
        let (id, redirect_url) = start(&shopper, 7_000).await;
        let back = sandbox.press(&redirect_url, button).await;
        let (code, location, message) = come_back(&shopper, &back).await;
        assert_eq!(code, 303);
        assert!(location.starts_with("/points"));
        assert!(message.contains(says), "{button}: {message:?}");
        assert_eq!(charge(&shopper, id).await["status"], status);
        assert_eq!(sandbox.payment_of(id).await["approvals"], 0);
    }
    assert_eq!(balance(&shopper).await, 0);
}

async fn amounts_and_the_cap_are_checked_before_paying(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop(backend, &sandbox).await;
    let shopper = app.visitor();
    let user = shopper.signup("bounded").await;
    for bad in [json!(999), json!(2_000_001), json!(0), json!("1e4")] {
        let (status, body) = shopper
            .post_json("/api/points/charge", &json!({ "amount": bad }))
            .await;
        assert_error(status, &body, 400, "INVALID_AMOUNT");
    }
    // Near the cap: a charge that would pass it (with what is pending)
    // never reaches KakaoPay.
    sqlx::query("UPDATE users SET points = 8000000 WHERE id = $1")
        .bind(user)
        .execute(app.db.pool())
        .await
        .unwrap();
    start(&shopper, 1_500_000).await;
    let (status, body) = shopper
        .post_json("/api/points/charge", &json!({"amount": 600_000}))
        .await;
    assert_error(status, &body, 409, "POINT_LIMIT_EXCEEDED");
    assert_eq!(sandbox.payments().await.len(), 1);
    // A form is sent on to KakaoPay.
    let res = shopper
        .client
        .post(shopper.url("/api/points/charge"))
        .header("accept", "text/html")
        .form(&[("amount", "1000")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&sandbox.base), "{location}");
}

/// A shopper with a paid charge of `amount`: `(shopper, charge id)`.
async fn paid(app: &TestApp, sandbox: &Sandbox, login: &str, amount: i64) -> (TestApp, i64) {
    let shopper = app.visitor();
    shopper.signup(login).await;
    let (id, redirect_url) = start(&shopper, amount).await;
    let back = sandbox.press(&redirect_url, "pay").await;
    come_back(&shopper, &back).await;
    assert_eq!(charge(&shopper, id).await["status"], "paid");
    (shopper, id)
}

async fn staff_refund_a_paid_charge_once(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let app = shop(backend, &sandbox).await;
    let support = app.staff("helper", Role::Support).await;
    let refund = |id: i64| json!({"charge_id": id.to_string(), "reason": "asked by phone"});

    // Two refunds at once: one.
    let (shopper, id) = paid(&app, &sandbox, "refunded", 40_000).await;
    let answers = crate::helpers::post_concurrently(vec![
        support.post_request("/api/admin/payments/refund", refund(id)),
        support.post_request("/api/admin/payments/refund", refund(id)),
    ])
    .await;
    let ok = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(ok, 1, "{answers:?}");
    let (status, body) = answers.iter().find(|(s, _)| *s != 200).unwrap();
    assert_error(*status, body, 409, "CHARGE_NOT_REFUNDABLE");
    assert_eq!(balance(&shopper).await, 0);
    assert_eq!(charge(&shopper, id).await["status"], "refunded");
    assert_eq!(sandbox.payment_of(id).await["status"], "CANCEL_PAYMENT");
    let audit = "SELECT COUNT(*) FROM audit_log WHERE kind = 'payment.refunded' AND target = 'charge:' || CAST($1 AS TEXT)";
    assert_eq!(count(&app, audit, id).await, 1);
    let events = "SELECT COUNT(*) FROM outbox WHERE kind = 'payment.refunded' AND $1 > 0";
    assert_eq!(count(&app, events, id).await, 1);

    // Points already spent: refused, nothing changed.
    let (spender, id) = paid(&app, &sandbox, "spender", 10_000).await;
    let spender_id: i64 = sqlx::query_scalar("SELECT user_id FROM charges WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE users SET points = 5000 WHERE id = $1")
        .bind(spender_id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let (status, body) = support
        .post_json("/api/admin/payments/refund", &refund(id))
        .await;
    assert_error(status, &body, 409, "INSUFFICIENT_POINTS");
    assert_eq!(charge(&spender, id).await["status"], "paid");
    assert_eq!(sandbox.payment_of(id).await["status"], "SUCCESS_PAYMENT");

    // KakaoPay will not cancel: the charge is paid again, points back.
    let (keeper, id) = paid(&app, &sandbox, "keeper", 15_000).await;
    sandbox.faults(json!({"cancel": "refuse"})).await;
    let (status, body) = support
        .post_json("/api/admin/payments/refund", &refund(id))
        .await;
    assert_error(status, &body, 503, "PAYMENT_UNAVAILABLE");
    assert_eq!(charge(&keeper, id).await["status"], "paid");
    assert_eq!(balance(&keeper).await, 15_000);
    sandbox.faults(json!({"cancel": "ok"})).await;
    let (status, body) = support
        .post_json("/api/admin/payments/refund", &refund(id))
        .await;
    assert_eq!(status, 200, "a later try goes through: {body}");
    assert_eq!(balance(&keeper).await, 0);

    // The customer page lists the charges; a shopper cannot refund.
    let (status, body) = keeper
        .post_json("/api/admin/payments/refund", &refund(id))
        .await;
    assert_error(status, &body, 403, "FORBIDDEN");
    let (status, body) = support
        .post_json("/api/admin/payments/refund", &refund(999_999))
        .await;
    assert_error(status, &body, 404, "NOT_FOUND");
    let _ = ChargeId(id);
}

async fn the_reconciler_runs_on_its_own(backend: Backend) {
    let sandbox = Sandbox::start().await;
    let mut config = shop_config(fresh_database(backend).await, &sandbox);
    config.reconcile_every = Duration::from_secs(1);
    let app = spawn_app_with(config).await;
    let shopper = app.visitor();
    shopper.signup("waiting").await;
    let (id, redirect_url) = start(&shopper, 9_000).await;
    let back = sandbox.press(&redirect_url, "pay").await;
    sandbox.faults(json!({"approve": "drop"})).await;
    come_back(&shopper, &back).await;
    // Whenever its round comes, the background task credits it: waited
    // for by asking, with a deadline (a missed credit fails the test).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while charge(&shopper, id).await["status"] == "pending" {
        assert!(tokio::time::Instant::now() < deadline, "never reconciled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(charge(&shopper, id).await["status"], "paid");
    assert_eq!(balance(&shopper).await, 9_000);
    assert_eq!(sandbox.payment_of(id).await["approvals"], 1);
}

/// The server binary with `env` (and a fresh SQLite database); what it
/// wrote when it stopped.
fn server_with(env: &[(&str, &str)]) -> std::process::Command {
    let site = std::env::temp_dir().join("storefront-tests-site");
    std::fs::create_dir_all(&site).unwrap();
    let db = std::env::temp_dir().join(format!(
        "storefront-tests/settings-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("LEPTOS_SITE_ROOT", &site)
        .env("LEPTOS_OUTPUT_NAME", "storefront")
        .env_remove("PAYMENTS")
        .env_remove("KAKAOPAY_SECRET_KEY")
        .env_remove("KAKAOPAY_CID")
        .env_remove("KAKAOPAY_API_BASE");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

#[test]
fn bad_payment_settings_stop_start_up_naming_the_variable() {
    let key = "sk-never-in-a-log-0123456789";
    for (env, named) in [
        (vec![("PAYMENTS", "paypal")], "PAYMENTS"),
        (vec![("PAYMENTS", "kakaopay")], "KAKAOPAY_SECRET_KEY"),
        (
            vec![
                ("PAYMENTS", "kakaopay"),
                ("KAKAOPAY_SECRET_KEY", key),
                ("KAKAOPAY_CID", "short"),
            ],
            "KAKAOPAY_CID",
        ),
        (
            vec![
                ("PAYMENTS", "kakaopay"),
                ("KAKAOPAY_SECRET_KEY", key),
                ("KAKAOPAY_API_BASE", "ftp://kakaopay"),
            ],
            "KAKAOPAY_API_BASE",
        ),
    ] {
        let output = server_with(&env)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .output()
            .unwrap();
        assert!(!output.status.success(), "{env:?} must not start");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(said.contains(named), "{env:?}: {said}");
        assert!(!said.contains(key), "the key in the output: {said}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_key_never_reaches_a_log() {
    let sandbox = Sandbox::start().await;
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut server = server_with(&[
        ("PAYMENTS", "kakaopay"),
        ("KAKAOPAY_SECRET_KEY", &sandbox.key),
        ("KAKAOPAY_API_BASE", &sandbox.base),
        ("RUST_LOG", "debug"),
    ])
    .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Read as it is written (a full pipe would stop the server).
    let drain = |pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut said = Vec::new();
            let _ = BufReader::new(pipe).read_to_end(&mut said);
            String::from_utf8_lossy(&said).into_owned()
        })
    };
    let stdout = drain(Box::new(server.stdout.take().unwrap()));
    let stderr = drain(Box::new(server.stderr.take().unwrap()));
    let base = format!("http://127.0.0.1:{port}");
    let shopper = crate::helpers::new_client();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while shopper.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server never answered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let signup = shopper
        .post(format!("{base}/api/signup"))
        .json(&json!({"login_id": "logged", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 201);
    // A payment started, and one KakaoPay refuses (logged as a warning).
    for fault in ["ok", "refuse"] {
        sandbox.faults(json!({ "ready": fault })).await;
        let res = shopper
            .post(format!("{base}/api/points/charge"))
            .json(&json!({"amount": 5000}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), if fault == "ok" { 200 } else { 503 });
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let said = format!("{}{}", stdout.join().unwrap(), stderr.join().unwrap());
    assert!(
        said.contains("could not be started"),
        "the refusal is logged: {said}"
    );
    assert!(
        said.contains(&sandbox.base),
        "KakaoPay's calls are logged at debug"
    );
    assert!(!said.contains(&sandbox.key), "the key in the log");
}
