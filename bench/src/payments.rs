//! Section 9, charging through KakaoPay: `CHARGES` charges walked as a
//! browser walks them — `POST /api/points/charge` (the shop's ready call
//! to the sandbox), KakaoPay's page, its Pay button, the shop's approve URL
//! (the shop's approve call and the credit) — by `AT_ONCE` shoppers at a
//! time, each with a session of their own, against the sandbox's own rate
//! for the same walk with the shop's side removed: ready, page, Pay and
//! approve straight to the sandbox (KakaoPay's client, no HTTP to the
//! shop, no database). Checked afterwards: every charge paid, one ledger
//! row each, the balances their sum, and KakaoPay took each payment once.

use crate::{checkout::Raw, server::Launch};
use anyhow::{bail, Context};
use app::{
    identity::UserId,
    payments::{
        kakaopay::{KakaoPay, Settings, TEST_CID},
        provider::{PaymentProvider, Start},
        Charge, ChargeId, ChargeStatus,
    },
};
use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub const CHARGES: usize = 500;
pub const AT_ONCE: usize = 32;
const AMOUNT: i64 = 1_000;

pub struct Outcome {
    pub backend: &'static str,
    pub shop: Raw,
    pub sandbox: Raw,
    /// Charges `paid`, ledger rows naming a charge, the balances' sum.
    pub paid: i64,
    pub ledger_rows: i64,
    pub balances: i64,
    /// Payments KakaoPay took more than once (must be 0), and once.
    pub taken_twice: usize,
    pub taken_once: usize,
}

impl Outcome {
    pub fn ratio(&self) -> f64 {
        self.shop.per_second() / self.sandbox.per_second()
    }
}

/// The sandbox, on a free port, until dropped.
struct Sandbox {
    child: Child,
    base: String,
    key: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    fn start() -> anyhow::Result<Self> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/kakaopay-sandbox");
        let key = format!("bench{}", std::process::id());
        let mut child = Command::new("node")
            .current_dir(&dir)
            .args(["sandbox.mjs", "--port", "0", "--secret-key", &key])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("node runs the KakaoPay sandbox")?;
        let mut reader = BufReader::new(child.stdout.take().context("its stdout")?);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        // The rest is read (and dropped) so the pipe never fills.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let said: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("the sandbox said {line:?}"))?;
        let base = said["base"].as_str().context("its base")?.to_string();
        Ok(Self { child, base, key })
    }
}

/// The Pay button of the sandbox's page at `url` (the sandbox at `base`):
/// where the browser is sent back to (the approval URL with its `pg_token`).
async fn pay(http: &reqwest::Client, base: &str, url: &str) -> anyhow::Result<String> {
    let html = http.get(url).send().await?.text().await?;
    let action = html
        .split("action=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|a| a.ends_with("/pay"))
        .context("a Pay button on KakaoPay's page")?
        .to_string();
    let res = http
        .post(format!("{base}{action}"))
        .form(&[("payment_method_type", "CARD")])
        .send()
        .await?;
    if res.status() != 303 {
        bail!("Pay answered {}", res.status());
    }
    Ok(res.headers()["location"].to_str()?.to_string())
}

fn browser() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()?)
}

pub async fn run(launch: &Launch, backend: &'static str) -> anyhow::Result<Outcome> {
    let sandbox = Sandbox::start()?;
    let mut launch = launch.clone();
    launch.env.extend([
        ("PAYMENTS", "kakaopay".to_string()),
        ("KAKAOPAY_SECRET_KEY", sandbox.key.clone()),
        ("KAKAOPAY_API_BASE", sandbox.base.clone()),
    ]);
    let server = launch.start().await?;

    // One shopper per task, signed up first.
    let mut shoppers = Vec::new();
    for n in 0..AT_ONCE {
        let http = browser()?;
        let res = http
            .post(server.url("/api/signup"))
            .json(
                &serde_json::json!({"login_id": format!("payer{n}"), "password": "correct horse"}),
            )
            .send()
            .await?;
        if res.status() != 201 {
            bail!("signup answered {}", res.status());
        }
        shoppers.push(http);
    }

    let started = Instant::now();
    let tasks: Vec<_> = shoppers
        .into_iter()
        .enumerate()
        .map(|(task, http)| {
            let base = server.base.clone();
            let sandbox_base = sandbox.base.clone();
            tokio::spawn(async move {
                let mut timings = Vec::new();
                for _ in (task..CHARGES).step_by(AT_ONCE) {
                    let began = Instant::now();
                    let answer: serde_json::Value = http
                        .post(format!("{base}/api/points/charge"))
                        .json(&serde_json::json!({ "amount": AMOUNT }))
                        .send()
                        .await?
                        .json()
                        .await?;
                    let redirect = answer["redirect_url"]
                        .as_str()
                        .with_context(|| format!("the charge answered {answer}"))?;
                    let back = pay(&http, &sandbox_base, redirect).await?;
                    let landed = http.get(&back).send().await?;
                    let location = landed
                        .headers()
                        .get("location")
                        .and_then(|l| l.to_str().ok())
                        .unwrap_or_default();
                    if landed.status() != 303 || !location.starts_with("/points") {
                        bail!("the return answered {} to {location}", landed.status());
                    }
                    timings.push(began.elapsed());
                }
                anyhow::Ok((timings, 0))
            })
        })
        .collect();
    let shop = Raw::gather(started, tasks).await?;
    drop(server);

    let db =
        app::db::Db::connect(&launch.database_url.parse().map_err(anyhow::Error::msg)?).await?;
    let scalar = |sql: &'static str| {
        let db = db.clone();
        async move {
            anyhow::Ok(
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(db.pool())
                    .await?,
            )
        }
    };
    let paid = scalar("SELECT COUNT(*) FROM charges WHERE status = 'paid'").await?;
    let ledger_rows =
        scalar("SELECT COUNT(*) FROM point_ledger WHERE charge_id IS NOT NULL").await?;
    let balances = scalar("SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM users").await?;
    db.pool().close().await;
    let taken: Vec<serde_json::Value> = reqwest::get(format!("{}/_sandbox/payments", sandbox.base))
        .await?
        .json()
        .await?;
    let taken_once = taken.iter().filter(|p| p["approvals"] == 1).count();
    let taken_twice = taken
        .iter()
        .filter(|p| p["approvals"].as_i64().unwrap_or(0) > 1)
        .count();

    let sandbox_alone = alone(&sandbox).await?;
    Ok(Outcome {
        backend,
        shop,
        sandbox: sandbox_alone,
        paid,
        ledger_rows,
        balances,
        taken_twice,
        taken_once,
    })
}

/// The same walk straight to the sandbox: KakaoPay's client's ready, the
/// page and its Pay button, approve.
async fn alone(sandbox: &Sandbox) -> anyhow::Result<Raw> {
    let settings = Settings::new(sandbox.key.clone(), TEST_CID.into(), sandbox.base.clone());
    let kakaopay = std::sync::Arc::new(KakaoPay::new(settings)?);
    let started = Instant::now();
    let tasks: Vec<_> = (0..AT_ONCE)
        .map(|task| {
            let kakaopay = kakaopay.clone();
            let base = sandbox.base.clone();
            tokio::spawn(async move {
                let http = browser()?;
                let mut timings = Vec::new();
                for n in (task..CHARGES).step_by(AT_ONCE) {
                    let began = Instant::now();
                    let charge = Charge {
                        charge_id: ChargeId(1_000_000 + n as i64),
                        user_id: UserId(task as i64 + 1),
                        amount: AMOUNT,
                        status: ChargeStatus::Pending,
                        provider: "kakaopay".into(),
                        created_at: 0,
                        paid_at: None,
                        order_id: None,
                    };
                    let back = "http://127.0.0.1:9/payments/kakaopay";
                    let item_name = "bench";
                    let started = kakaopay
                        .start(
                            &charge,
                            Start {
                                item_name,
                                approval_url: format!("{back}/approve"),
                                cancel_url: format!("{back}/cancel"),
                                fail_url: format!("{back}/fail"),
                                mobile: false,
                            },
                        )
                        .await
                        .map_err(|e| anyhow::anyhow!("ready: {e}"))?;
                    let to = pay(&http, &base, &started.redirect_url).await?;
                    let token = to
                        .split("pg_token=")
                        .nth(1)
                        .context("a pg_token")?
                        .split('&')
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    kakaopay
                        .approve(&charge, &started.reference, &token)
                        .await
                        .map_err(|e| anyhow::anyhow!("approve: {e}"))?;
                    timings.push(began.elapsed());
                }
                anyhow::Ok((timings, 0))
            })
        })
        .collect();
    Raw::gather(started, tasks).await
}
