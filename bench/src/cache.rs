//! Section 8, the guests' page cache: cached pages against the static
//! handler of the same size (as section 1, the cache on), with the hit
//! rate; then the flash sale of section 2 again while guests read the hot
//! product's page, each page's age measured against the database.

use crate::{
    checkout::{self, Scenario},
    data,
    server::{Launch, Server},
    ssr::{self, CONNECTIONS},
    wrk::{Figures, Load},
};
use app::db::Db;
use serde::Deserialize;
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

const PAGE_REQUESTS: u64 = 20_000;
const RUNS: usize = 3;
/// The freshness bound the shop promises its guests.
pub const BOUND: Duration = Duration::from_secs(1);

/// The server's counts (`GET /_bench/page-cache`).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Counts {
    pub hits: u64,
    pub misses: u64,
    pub passes: u64,
    pub max_age_ms: u64,
}

impl Counts {
    async fn of(server: &Server) -> anyhow::Result<Self> {
        Ok(reqwest::get(server.url("/_bench/page-cache"))
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    fn since(self, before: Self) -> Self {
        Self {
            hits: self.hits - before.hits,
            misses: self.misses - before.misses,
            passes: self.passes - before.passes,
            max_age_ms: self.max_age_ms,
        }
    }

    pub fn hit_rate(&self) -> f64 {
        self.hits as f64 / (self.hits + self.misses + self.passes).max(1) as f64
    }
}

pub struct CachedPage {
    pub label: String,
    pub bytes: usize,
    pub cached: Figures,
    pub fixed: Figures,
    pub counts: Counts,
}

impl CachedPage {
    pub fn ratio(&self) -> f64 {
        self.cached.per_second() / self.fixed.per_second()
    }
}

fn median(mut runs: Vec<Figures>) -> Figures {
    runs.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
    runs.swap_remove(runs.len() / 2)
}

/// Guests' pages from the cache against the static handler, interleaved.
pub async fn measure(server: &Server) -> anyhow::Result<Vec<CachedPage>> {
    let mut pages = Vec::new();
    for path in ["/", "/products/1"] {
        let bytes = ssr::page(server, path, None).await?.len();
        let (mut cached, mut fixed) = (Vec::new(), Vec::new());
        let before = Counts::of(server).await?;
        for _ in 0..RUNS {
            cached.push(Load::get(server.url(path), PAGE_REQUESTS, CONNECTIONS).run()?);
            fixed.push(
                Load::get(
                    server.url(&format!("/_bench/static/{bytes}")),
                    PAGE_REQUESTS,
                    CONNECTIONS,
                )
                .run()?,
            );
        }
        let counts = Counts::of(server).await?.since(before);
        pages.push(CachedPage {
            label: format!("{path} (guest, cached)"),
            bytes,
            cached: median(cached),
            fixed: median(fixed),
            counts,
        });
    }
    Ok(pages)
}

/// The flash sale with guests reading the hot product's page meanwhile.
pub struct Freshness {
    pub backend: &'static str,
    pub orders: i64,
    pub sale: Figures,
    pub reads: usize,
    pub counts: Counts,
    /// The oldest page a guest was shown, and the 99th percentile: how long
    /// the database had held a lower stock than the page said, when the page
    /// arrived.
    pub oldest: Duration,
    pub p99: Duration,
    pub over_bound: usize,
}

/// A guest's read: when it was answered and the stock it showed.
struct Read {
    answered: Instant,
    stock: i64,
}

/// The database's stock, sampled: when the query began and what it read.
struct Sample {
    began: Instant,
    stock: i64,
}

/// The stock a product page shows: its number, or 0 when sold out.
fn shown_stock(html: &str) -> Option<i64> {
    let at = html.find("data-testid=\"stock\"")?;
    let rest = &html[at..];
    let text = &rest[rest.find('>')? + 1..];
    let text = &text[..text.find('<')?];
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    Some(digits.parse().unwrap_or(0))
}

pub async fn flash_sale(launch: &Launch, backend: &'static str) -> anyhow::Result<Freshness> {
    let scenario: &Scenario = &checkout::FLASH_SALE;
    let db = Db::connect(&launch.database_url.parse().map_err(anyhow::Error::msg)?).await?;
    db.migrate().await?;
    let (product, buyer) = checkout::set_up(&db, "cache-sale", scenario).await?;
    let server = launch.start().await?;
    let path = format!("/products/{product}");
    // Warm: the page is in the cache before the sale opens.
    ssr::page(&server, &path, None).await?;
    let before = Counts::of(&server).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (url, stop) = (server.url(&path), stop.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut reads = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let html = client.get(&url).send().await?.text().await?;
                    let answered = Instant::now();
                    let stock = shown_stock(&html)
                        .ok_or_else(|| anyhow::anyhow!("no stock on the page"))?;
                    reads.push(Read { answered, stock });
                }
                anyhow::Ok(reads)
            })
        })
        .collect();
    let sampler = {
        let (db, stop) = (db.clone(), stop.clone());
        tokio::spawn(async move {
            let mut samples = Vec::new();
            let sql = format!("SELECT stock FROM variants WHERE product_id = {product}");
            while !stop.load(Ordering::Relaxed) {
                let began = Instant::now();
                let stock = data::scalar(&db, &sql).await?;
                samples.push(Sample { began, stock });
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            anyhow::Ok(samples)
        })
    };
    let load = checkout::load(&server, scenario, product, buyer, "cache-sale");
    let sale = tokio::task::spawn_blocking(move || load.run()).await??;
    // Reads go on a little after the last order, to see the last stock.
    tokio::time::sleep(BOUND).await;
    stop.store(true, Ordering::Relaxed);
    let mut reads = Vec::new();
    for reader in readers {
        reads.extend(reader.await??);
    }
    let samples = sampler.await??;
    let counts = Counts::of(&server).await?.since(before);
    drop(server);
    let orders = data::scalar(
        &db,
        &format!("SELECT COUNT(*) FROM order_items WHERE product_id = {product}"),
    )
    .await?;
    db.pool().close().await;

    // A page showing stock `s` is as old as the time since the database
    // first held less: at most since the last sample that still read `s`
    // or more (the change came after that sample began).
    let mut ages: Vec<Duration> = reads
        .iter()
        .map(|read| {
            let first_lower = samples
                .iter()
                .position(|s| s.stock < read.stock && s.began < read.answered);
            match first_lower {
                None => Duration::ZERO,
                Some(i) => read
                    .answered
                    .saturating_duration_since(samples[i.saturating_sub(1)].began),
            }
        })
        .collect();
    ages.sort();
    let at = |q: f64| {
        ages.get(((ages.len().max(1) - 1) as f64 * q) as usize)
            .copied()
            .unwrap_or_default()
    };
    Ok(Freshness {
        backend,
        orders,
        sale,
        reads: reads.len(),
        counts,
        oldest: ages.last().copied().unwrap_or_default(),
        p99: at(0.99),
        over_bound: ages.iter().filter(|a| **a > BOUND).count(),
    })
}

#[cfg(test)]
mod tests {
    use super::shown_stock;

    #[test]
    fn the_stock_is_read_off_the_page() {
        assert_eq!(
            shown_stock(r#"<p class="stock" data-testid="stock">재고 1,000개</p>"#),
            Some(1000)
        );
        assert_eq!(
            shown_stock(r#"<p class="stock stock--out" data-testid="stock">품절</p>"#),
            Some(0)
        );
        assert_eq!(shown_stock("<p>nothing</p>"), None);
    }
}
