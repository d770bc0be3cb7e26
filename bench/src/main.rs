//! `make bench`: the shop measured against yardsticks taken in the same run
//! (these machines are shared and noisy, so every figure is also a ratio),
//! written as a Markdown report.
//!
//!   bench --server BIN --site DIR --out FILE [--only 2,7]
//!   bench --server BIN --site DIR --out FILE --only 5 --products 250000
//!   bench --server BIN --site DIR --profile DIR
//!   (PostgreSQL: TEST_POSTGRES_URL; `--only` runs those sections, where 1
//!   stands for 1, 3 and 4, which share a run; `--products` runs section 5
//!   at 34 products and that many, a shop owner's own catalog size;
//!   `--profile` profiles the home page and a checkout, see `profile.rs`)

mod browser;
mod cache;
mod cancel;
mod checkout;
mod claims;
mod data;
mod growth;
mod payments;
mod profile;
mod report;
mod server;
mod ssr;
mod wrk;

use anyhow::{bail, Context};
use server::Launch;
use std::{path::PathBuf, time::Instant};

struct Args {
    server: PathBuf,
    site: PathBuf,
    out: PathBuf,
    /// Profile the home page into this folder instead.
    profile: Option<PathBuf>,
    postgres: String,
    /// The sections to run; all without `--only`.
    only: Option<Vec<u32>>,
    /// Section 5 at 34 products and this many, instead of its sizes.
    products: Option<i64>,
}

impl Args {
    fn runs(&self, section: u32) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.contains(&section))
    }
}

fn args() -> anyhow::Result<Args> {
    let mut server = None;
    let mut site = None;
    let mut out = None;
    let mut only = None;
    let mut profile = None;
    let mut products = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--server" => server = Some(PathBuf::from(value)),
            "--site" => site = Some(PathBuf::from(value)),
            "--out" => out = Some(PathBuf::from(value)),
            "--profile" => profile = Some(PathBuf::from(value)),
            "--only" => {
                let sections = value
                    .split(',')
                    .map(|n| n.trim().parse::<u32>())
                    .collect::<Result<Vec<_>, _>>()
                    .with_context(|| format!("--only {value}: section numbers, e.g. 2,7"))?;
                only = Some(sections);
            }
            "--products" => {
                let n = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 34)
                    .with_context(|| {
                        format!("--products {value}: a number of products, 34 or more")
                    })?;
                products = Some(n);
            }
            other => bail!("unknown option {other}"),
        }
    }
    Ok(Args {
        server: server.context("--server BIN")?,
        site: site.context("--site DIR")?,
        out: match (&profile, out) {
            (_, Some(out)) => out,
            (Some(dir), None) => dir.join("shares.md"),
            (None, None) => bail!("--out FILE"),
        },
        profile,
        postgres: std::env::var("TEST_POSTGRES_URL")
            .context("TEST_POSTGRES_URL: a PostgreSQL to create databases on")?,
        only,
        products,
    })
}

const BACKENDS: [&str; 2] = ["SQLite", "PostgreSQL"];

/// Fresh databases: SQLite files in a folder of the run, Postgres
/// databases created on the server the script started.
struct Databases {
    dir: PathBuf,
    postgres: String,
}

impl Databases {
    fn sqlite(&self, name: &str) -> String {
        format!("sqlite://{}/{name}.db", self.dir.display())
    }

    async fn postgres(&self, name: &str) -> anyhow::Result<String> {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut admin = sqlx::AnyConnection::connect(&self.postgres).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS bench_{name}"))
            .execute(&mut admin)
            .await?;
        sqlx::query(&format!("CREATE DATABASE bench_{name}"))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let base = self.postgres.rsplit_once('/').map_or("", |(b, _)| b);
        Ok(format!("{base}/bench_{name}"))
    }

    async fn fresh(&self, backend: &str, name: &str) -> anyhow::Result<String> {
        if backend == "SQLite" {
            Ok(self.sqlite(name))
        } else {
            self.postgres(name).await
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("storefront-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let dbs = Databases {
        dir: dir.clone(),
        postgres: args.postgres.clone(),
    };
    let launch = |database_url: String, env: Vec<(&'static str, String)>| Launch {
        binary: args.server.clone(),
        site_root: args.site.clone(),
        database_url,
        env,
        stdout: None,
    };
    let mut report = report::Report::new();

    if let Some(folder) = &args.profile {
        let env = vec![("PAGE_CACHE_MS", "0".to_string())];
        let mut profiles = profile::measure(&launch(dbs.sqlite("profile"), env), folder).await?;
        let mut statements = String::new();
        for backend in BACKENDS {
            let trusted = vec![("TRUST_X_USER_ID_HEADER", "true".to_string())];
            let url = dbs.fresh(backend, "profile_checkout").await?;
            profiles.push(profile::checkout(&launch(url, trusted.clone()), backend, folder).await?);
            let url = dbs.fresh(backend, "profile_statements").await?;
            let counted = profile::statements(&launch(url, trusted), folder, 200).await?;
            statements.push_str(&format!("### {backend}\n\n{}\n", counted.table()));
        }
        let text = format!(
            "# Where a render of the home page and a checkout go\n\n\
             `make profile`, commit `{}`: the release server, page cache off. wrk on `/` \
             (2 threads, 32 connections) and section 2's flash sale made longer \
             (`POST /api/orders/place`, 400 buyers on 400 connections, one product), \
             `perf record -F 199 --call-graph dwarf` for 6 s, folded and drawn by inferno \
             (`home-guest.svg`, `home-shopper.svg`, `checkout-sqlite.svg`, \
             `checkout-postgresql.svg`; perf samples the shop's process only, not \
             PostgreSQL's). Each sample counts once, in the first share one of its frames \
             belongs to (`bench/src/profile.rs`), in the order below.\n\n{}\n\
             Samples by thread:\n\n{}\n\
             ## What one order asks of the database\n\n\
             200 orders placed one after another (no contention), the statements the \
             server logged (`sqlx::query` at debug), grouped by their first words, per \
             order, with the time the database took for them (as sqlx measured it).\n\n{}",
            report::commit(),
            profile::Profile::table(&profiles),
            profile::Profile::thread_lines(&profiles),
            statements
        );
        std::fs::write(&args.out, &text)?;
        println!("{text}");
        std::fs::remove_dir_all(&dir).ok();
        return Ok(());
    }

    if args.runs(1) {
        eprintln!("==> 1. SSR against a static handler; 3. bytes; 4. browser");
        // Renders: the guests' page cache is section 8's.
        let shop = launch(
            dbs.sqlite("pages"),
            vec![("PAGE_CACHE_MS", "0".to_string())],
        )
        .start()
        .await?;
        let cookie = ssr::shopper(&shop, "bench_pages").await?;
        let pages = ssr::measure(&shop, &cookie).await?;
        report.ssr(&pages);
        drop(shop);
        // The browser loads pages as a first visit does: from the cache.
        let shop = launch(dbs.sqlite("pages"), Vec::new()).start().await?;
        let browser = browser::measure(&shop.base, &["/", "/products/1"])?;
        report.bytes(&browser);
        report.browser(&browser);
        drop(shop);
    }

    if args.runs(2) {
        eprintln!("==> 2. checkout under contention");
        let mut outcomes = Vec::new();
        for backend in BACKENDS {
            for scenario in [&checkout::FLASH_SALE, &checkout::SPREAD] {
                let name = format!("checkout_{}", scenario.name.replace(' ', "_"));
                let url = dbs.fresh(backend, &name).await?;
                let env = vec![("TRUST_X_USER_ID_HEADER", "true".to_string())];
                outcomes.push(checkout::run(&launch(url, env), backend, scenario).await?);
            }
        }
        report.checkout(&outcomes);
    }

    if args.runs(5) {
        eprintln!("==> 5. growth");
        let mut levels = Vec::new();
        let mut plans = Vec::new();
        for backend in BACKENDS {
            let mut mine = Vec::new();
            let mut last = String::new();
            let sizes = match args.products {
                Some(n) => vec![34, n],
                None => growth::SIZES.to_vec(),
            };
            for products in sizes {
                let url = dbs.fresh(backend, &format!("growth_{products}")).await?;
                // Renders and queries: the guests' page cache is section 8's.
                let env = vec![("PAGE_CACHE_MS", "0".to_string())];
                mine.push(growth::run(&launch(url.clone(), env), products).await?);
                last = url;
            }
            plans.push((backend, growth::plans(&last).await?));
            levels.push((backend, mine));
        }
        report.growth(&levels, &plans);
    }

    if args.runs(6) {
        eprintln!("==> 6. cancelling orders");
        let mut cancels = Vec::new();
        for backend in BACKENDS {
            let url = dbs.fresh(backend, "cancel").await?;
            let env = vec![("TRUST_X_USER_ID_HEADER", "true".to_string())];
            cancels.push(cancel::run(&launch(url, env), backend, &dir).await?);
        }
        report.cancel(&cancels);
    }

    if args.runs(7) {
        eprintln!("==> 7. the coupon claim rush");
        let mut rushes = Vec::new();
        for backend in BACKENDS {
            let url = dbs.fresh(backend, "claims").await?;
            let env = vec![("TRUST_X_USER_ID_HEADER", "true".to_string())];
            rushes.push(claims::run(&launch(url, env), backend).await?);
        }
        report.claims(&rushes);
    }

    if args.runs(8) {
        eprintln!("==> 8. the guests' page cache");
        let shop = launch(dbs.sqlite("cache"), Vec::new()).start().await?;
        let pages = cache::measure(&shop).await?;
        drop(shop);
        let mut sales = Vec::new();
        for backend in BACKENDS {
            let url = dbs.fresh(backend, "cache_sale").await?;
            let env = vec![("TRUST_X_USER_ID_HEADER", "true".to_string())];
            sales.push(cache::flash_sale(&launch(url, env), backend).await?);
        }
        report.page_cache(&pages, &sales);
    }

    if args.runs(9) {
        eprintln!("==> 9. charging through KakaoPay (the sandbox)");
        let mut charges = Vec::new();
        for backend in BACKENDS {
            let url = dbs.fresh(backend, "payments").await?;
            charges.push(payments::run(&launch(url, Vec::new()), backend).await?);
        }
        report.payments(&charges);
    }

    let text = report.finish(started.elapsed());
    std::fs::write(&args.out, &text).with_context(|| format!("writing {}", args.out.display()))?;
    println!("{text}");
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
