//! Section 7, the coupon claim rush: `SHOPPERS` shoppers each claim one
//! campaign of `QUANTITY` coupons at once through HTTP (wrk), against the
//! raw rate of the shop's own claim (`coupons::store::issue`: the
//! shopper's row and the conditional update of the count in one write
//! transaction; no HTTP, no session) by as many tasks, for a second
//! campaign with as many shoppers, in the same run. The counts are checked
//! on both: exactly `QUANTITY` issued, as many rows, no shopper twice.

use crate::{
    checkout::Raw,
    data,
    server::Launch,
    wrk::{Figures, Load},
};
use app::{
    coupons::{store, CampaignFields, CampaignId, CampaignInput},
    db::Db,
    error::ErrorCode,
    identity::UserId,
};
use std::time::Instant;

/// Shoppers rushing each campaign; even, for wrk's two threads.
pub const SHOPPERS: usize = 4_000;
/// Coupons in each campaign: half the shoppers get one.
pub const QUANTITY: i64 = 2_000;
pub const CONNECTIONS: u32 = 64;

pub struct Outcome {
    pub backend: &'static str,
    pub http: Figures,
    pub http_checks: Checks,
    pub raw: Raw,
    pub raw_checks: Checks,
}

impl Outcome {
    /// Claims answered (issued or refused as sold out) per second.
    pub fn claims_per_second(&self) -> f64 {
        self.http.requests as f64 / (self.http.duration_us.max(1) as f64 / 1e6)
    }

    pub fn ratio(&self) -> f64 {
        self.claims_per_second() / (SHOPPERS as f64 / self.raw.elapsed.as_secs_f64().max(1e-9))
    }

    /// Answers other than 201 and 409, and requests that got none.
    pub fn other(&self) -> u64 {
        let answered: u64 = self.http.statuses.values().sum();
        answered - self.http.status(201) - self.http.status(409) + self.http.socket_errors
    }
}

/// A campaign after its rush.
pub struct Checks {
    /// The campaign's `issued` count.
    pub issued: i64,
    /// Coupon rows of the campaign.
    pub rows: i64,
    /// Shoppers holding more than one of its coupons.
    pub twice: i64,
}

async fn campaign(db: &Db, name: &str, by: UserId) -> anyhow::Result<CampaignId> {
    let quantity = QUANTITY.to_string();
    let input = CampaignInput::parse(CampaignFields {
        name: Some(name),
        kind: Some("fixed"),
        value: Some("1000"),
        quantity: Some(&quantity),
        open: Some("true"),
        ..CampaignFields::default()
    })
    .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let mut tx = db.begin_write().await?;
    let id = store::create(&mut tx, &input, by).await?;
    tx.commit().await?;
    Ok(id)
}

async fn check(db: &Db, id: CampaignId) -> anyhow::Result<Checks> {
    Ok(Checks {
        issued: data::scalar(
            db,
            &format!("SELECT issued FROM coupon_campaigns WHERE id = {id}"),
        )
        .await?,
        rows: data::scalar(
            db,
            &format!("SELECT COUNT(*) FROM coupons WHERE campaign_id = {id}"),
        )
        .await?,
        twice: data::scalar(
            db,
            &format!(
                "SELECT COUNT(*) FROM (SELECT user_id FROM coupons WHERE campaign_id = {id} \
                 GROUP BY user_id HAVING COUNT(*) > 1) t"
            ),
        )
        .await?,
    })
}

pub async fn run(launch: &Launch, backend: &'static str) -> anyhow::Result<Outcome> {
    let db = Db::connect(&launch.database_url.parse().map_err(anyhow::Error::msg)?).await?;
    db.migrate().await?;
    let first = data::buyers(&db, "claim", SHOPPERS, 0).await?;
    let over_http = campaign(&db, "bench http", UserId(first)).await?;
    let directly = campaign(&db, "bench raw", UserId(first)).await?;

    let server = launch.start().await?;
    let http = Load {
        url: server.base.clone(),
        script: "claim.lua",
        requests: SHOPPERS as u64,
        connections: CONNECTIONS,
        headers: Vec::new(),
        env: vec![
            ("FIRST_USER".into(), first.to_string()),
            ("USERS".into(), SHOPPERS.to_string()),
            ("CAMPAIGN".into(), over_http.to_string()),
        ],
    }
    .run();
    drop(server);
    let http = http?;
    let http_checks = check(&db, over_http).await?;

    let raw = raw(&db, first, directly).await?;
    let raw_checks = check(&db, directly).await?;
    db.pool().close().await;
    Ok(Outcome {
        backend,
        http,
        http_checks,
        raw,
        raw_checks,
    })
}

/// The shop's claim, once per shopper, by `CONNECTIONS` tasks taking the
/// shoppers in turn; a sold-out refusal counts as refused, anything else
/// stops the run.
async fn raw(db: &Db, first: i64, campaign: CampaignId) -> anyhow::Result<Raw> {
    let connections = CONNECTIONS as usize;
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|task| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut timings = Vec::new();
                let mut refused = 0;
                for n in (task..SHOPPERS).step_by(connections) {
                    let began = Instant::now();
                    match store::issue(&db, UserId(first + n as i64), campaign).await {
                        Ok(_) => {}
                        Err(e) if e.code == ErrorCode::CouponSoldOut => refused += 1,
                        Err(e) => anyhow::bail!("claim refused: {} {}", e.code.as_str(), e.message),
                    }
                    timings.push(began.elapsed());
                }
                anyhow::Ok((timings, refused))
            })
        })
        .collect();
    Raw::gather(started, tasks).await
}
