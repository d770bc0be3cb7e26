//! Section 2, checkout under contention, through HTTP, against the database's raw
//! rate for the same conditional stock update and ledger write done
//! directly (the shop's own statements, no HTTP, no idempotency, no
//! outbox, no cart), with the same concurrency, in the same run.

use crate::{
    data,
    server::{Launch, Server},
    wrk::{Figures, Load},
};
use app::{
    catalog::{store::take_stock, Quantity, VariantId},
    db::Db,
    identity::UserId,
    points::{store::change_balance, LedgerKind},
};
use std::time::{Duration, Instant};

pub struct Scenario {
    pub name: &'static str,
    pub buyers: usize,
    pub connections: u32,
    pub requests: u64,
    /// Stock of each product on sale.
    pub stock: i64,
    /// One hot product, or this many.
    pub products: i64,
    pub quantity_max: i64,
}

pub const FLASH_SALE: Scenario = Scenario {
    name: "flash sale",
    buyers: 400,
    connections: 400,
    requests: 1_500,
    stock: 1_000,
    products: 1,
    quantity_max: 1,
};

pub const SPREAD: Scenario = Scenario {
    name: "spread",
    buyers: 200,
    connections: 64,
    requests: 3_000,
    stock: 1_000_000,
    products: 34,
    quantity_max: 3,
};

const PRICE: i64 = 1_000;
const POINTS: i64 = 1_000_000;

pub struct Outcome {
    pub backend: &'static str,
    pub scenario: &'static str,
    pub buyers: usize,
    pub connections: u32,
    pub http: Figures,
    pub orders: i64,
    pub sold_out: u64,
    pub oversold: i64,
    pub stock_mismatch: i64,
    pub points_wrong: i64,
    pub raw: Raw,
}

impl Outcome {
    pub fn orders_per_second(&self) -> f64 {
        self.orders as f64 / (self.http.duration_us.max(1) as f64 / 1e6)
    }

    pub fn ratio(&self) -> f64 {
        self.orders_per_second() / self.raw.per_second()
    }
}

pub struct Raw {
    pub done: u64,
    pub refused: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

/// One raw task's answer: the time of each operation, and how many of them
/// were refused.
pub type RawTask = tokio::task::JoinHandle<anyhow::Result<(Vec<Duration>, u64)>>;

impl Raw {
    pub fn per_second(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The figures of raw tasks started at `started`, once all have ended.
    pub async fn gather(started: Instant, tasks: Vec<RawTask>) -> anyhow::Result<Self> {
        let mut timings = Vec::new();
        let mut refused = 0;
        for task in tasks {
            let (mine, no) = task.await??;
            timings.extend(mine);
            refused += no;
        }
        let elapsed = started.elapsed();
        timings.sort();
        let at = |q: f64| timings[((timings.len() - 1) as f64 * q) as usize];
        Ok(Raw {
            done: timings.len() as u64 - refused,
            refused,
            elapsed,
            p50: at(0.5),
            p99: at(0.99),
        })
    }
}

/// Products on sale for a scenario: `products` of them at PRICE with
/// `stock` each; returns the first id (consecutive).
async fn on_sale(db: &Db, tag: &str, scenario: &Scenario) -> anyhow::Result<i64> {
    let first = data::product(db, &format!("{tag}-0"), PRICE, scenario.stock).await?;
    for i in 1..scenario.products {
        data::product(db, &format!("{tag}-{i}"), PRICE, scenario.stock).await?;
    }
    Ok(first)
}

/// The scenario's products and buyers; returns the first of each.
pub async fn set_up(db: &Db, tag: &str, scenario: &Scenario) -> anyhow::Result<(i64, i64)> {
    let product = on_sale(db, &format!("{tag}-http"), scenario).await?;
    let buyer = data::buyers(db, &format!("{tag}-http"), scenario.buyers, POINTS).await?;
    Ok((product, buyer))
}

/// The scenario's orders through HTTP, as wrk sends them.
pub fn load(
    server: &Server,
    scenario: &Scenario,
    product: i64,
    buyer: i64,
    run_id: &str,
) -> Load<'static> {
    Load {
        url: server.base.clone(),
        script: "checkout.lua",
        requests: scenario.requests,
        connections: scenario.connections,
        headers: Vec::new(),
        env: vec![
            ("BUYER_FIRST".into(), buyer.to_string()),
            ("BUYER_COUNT".into(), scenario.buyers.to_string()),
            ("PRODUCT_FIRST".into(), product.to_string()),
            ("PRODUCT_COUNT".into(), scenario.products.to_string()),
            ("QUANTITY_MAX".into(), scenario.quantity_max.to_string()),
            ("RUN_ID".into(), run_id.to_string()),
        ],
    }
}

pub async fn run(
    launch: &Launch,
    backend: &'static str,
    scenario: &Scenario,
) -> anyhow::Result<Outcome> {
    let db = Db::connect(&launch.database_url.parse().map_err(anyhow::Error::msg)?).await?;
    db.migrate().await?;
    let tag = scenario.name.replace(' ', "-");
    let (product, buyer) = set_up(&db, &tag, scenario).await?;

    let server = launch.start().await?;
    let http = load(&server, scenario, product, buyer, &tag).run()?;
    drop(server);

    let last_product = product + scenario.products - 1;
    let last_buyer = buyer + scenario.buyers as i64 - 1;
    let sold = data::scalar(
        &db,
        &format!(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_items \
             WHERE product_id BETWEEN {product} AND {last_product}"
        ),
    )
    .await?;
    let left = data::scalar(
        &db,
        &format!(
            "SELECT CAST(SUM(stock) AS BIGINT) FROM variants WHERE product_id BETWEEN {product} AND {last_product}"
        ),
    )
    .await?;
    let initial = scenario.stock * scenario.products;
    let orders = data::scalar(
        &db,
        &format!("SELECT COUNT(*) FROM orders WHERE user_id BETWEEN {buyer} AND {last_buyer}"),
    )
    .await?;
    // Each buyer's balance is what they had less what their orders cost,
    // and the ledger adds up to it.
    let points_wrong = data::scalar(
        &db,
        &format!(
            "SELECT COUNT(*) FROM users u WHERE u.id BETWEEN {buyer} AND {last_buyer} AND ( \
               u.points <> {POINTS} - COALESCE((SELECT SUM(o.total) FROM orders o WHERE o.user_id = u.id), 0) \
               OR u.points <> (SELECT SUM(l.amount) FROM point_ledger l WHERE l.user_id = u.id))"
        ),
    )
    .await?;

    let raw = raw(&db, &tag, scenario).await?;
    db.pool().close().await;
    Ok(Outcome {
        backend,
        scenario: scenario.name,
        buyers: scenario.buyers,
        connections: scenario.connections,
        orders,
        sold_out: http.status(409),
        oversold: (sold - initial).max(0),
        stock_mismatch: (initial - left) - sold,
        points_wrong,
        http,
        raw,
    })
}

/// The same work as the shop's checkout at its core, `scenario.requests`
/// times by `scenario.connections` tasks: take the stock, spend the
/// points and write the ledger row, in one write transaction.
async fn raw(db: &Db, tag: &str, scenario: &Scenario) -> anyhow::Result<Raw> {
    let product = on_sale(db, &format!("{tag}-raw"), scenario).await?;
    let first_variant = data::variant_of(db, product).await?;
    let buyer = data::buyers(db, &format!("{tag}-raw"), scenario.buyers, POINTS).await?;
    let started = Instant::now();
    let tasks: Vec<_> = (0..scenario.connections as u64)
        .map(|task| {
            let db = db.clone();
            let (products, buyers, connections) = (
                scenario.products,
                scenario.buyers as u64,
                u64::from(scenario.connections),
            );
            let quantity_max = scenario.quantity_max as u64;
            let mine =
                scenario.requests / connections + u64::from(task < scenario.requests % connections);
            tokio::spawn(async move {
                let mut random = data::Lcg::new(100 + task);
                let mut timings = Vec::with_capacity(mine as usize);
                let mut refused = 0;
                for n in 0..mine {
                    let user = UserId(buyer + ((n * connections + task) % buyers) as i64);
                    // The bench's products were made one after another, each
                    // with its one variant: their variants are in step.
                    let id = VariantId(first_variant + random.below(products as u64) as i64);
                    let quantity = Quantity::new(1 + random.below(quantity_max) as i64)
                        .expect("1..=3 is a quantity");
                    let began = Instant::now();
                    let mut tx = db.begin_write().await?;
                    if take_stock(&mut tx, id, quantity, None).await?.is_some() {
                        change_balance(
                            &mut tx,
                            user,
                            -PRICE * quantity.get(),
                            LedgerKind::Use,
                            None,
                        )
                        .await?;
                        tx.commit().await?;
                    } else {
                        refused += 1;
                        tx.rollback().await?;
                    }
                    timings.push(began.elapsed());
                }
                anyhow::Ok((timings, refused))
            })
        })
        .collect();
    Raw::gather(started, tasks).await
}
