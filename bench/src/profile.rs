//! `bench --profile DIR`: where a render of the home page and a checkout
//! spend their time. The release server (page cache off, so every request
//! renders) under wrk on `/`, as a guest and logged in, and under section
//! 2's flash sale on each backend, sampled by `perf` with DWARF call
//! graphs; `inferno` folds the stacks and draws `DIR/home-guest.svg`,
//! `DIR/home-shopper.svg`, `DIR/checkout-sqlite.svg` and
//! `DIR/checkout-postgresql.svg`; every sample is then put in one share: the
//! first of [`SHARES`] that one of its frames belongs to (so allocations
//! and the kernel's work count for whoever asked for them).

use crate::{
    checkout,
    server::{Launch, Server},
    ssr,
};
use anyhow::{bail, Context};
use app::db::Db;
use std::{
    collections::BTreeMap,
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

/// The shares, in the order a sample is given to them: a stack that
/// reaches the database from inside a render counts as the database.
pub const SHARES: &[(&str, &[&str])] = &[
    ("compression", &["async_compression", "brotli", "flate2"]),
    (
        "database (sqlx, SQLite and its worker thread, the hand-off)",
        &["sqlx", "sqlite3", "libsqlite3", "flume"],
    ),
    ("sessions", &["tower_sessions", "session_store"]),
    ("islands' props (JSON)", &["serde_json"]),
    (
        "rendering the view (tachys, HTML)",
        &["tachys::", "escape", "html_escape", "to_html"],
    ),
    (
        "leptos per request (owner, contexts, router, meta)",
        &[
            "reactive_graph",
            "leptos_axum",
            "leptos_router",
            "leptos_meta",
            "leptos::",
            "any_spawner",
            "or_poisoned",
        ],
    ),
    ("the shop's own code", &["app::", "server::"]),
    (
        "HTTP, the runtime and the kernel under them (hyper, tokio, axum)",
        &["hyper", "tokio", "axum", "tower", "http::"],
    ),
];

#[derive(Debug, Default)]
pub struct Profile {
    pub label: String,
    pub samples: u64,
    /// Samples per share, in the order of [`SHARES`], then "elsewhere"
    /// (the kernel, libc, …).
    pub shares: Vec<(String, u64)>,
    /// Samples per thread name (the first frame of a folded stack), most first.
    pub threads: Vec<(String, u64)>,
}

impl Profile {
    /// The shares as a Markdown table.
    pub fn table(profiles: &[Profile]) -> String {
        use std::fmt::Write;
        let mut s = String::from("| share |");
        for p in profiles {
            let _ = write!(s, " {} |", p.label);
        }
        s.push_str("\n|---|");
        s.push_str(&"---:|".repeat(profiles.len()));
        s.push('\n');
        for (i, (name, _)) in profiles[0].shares.iter().enumerate() {
            let _ = write!(s, "| {name} |");
            for p in profiles {
                let n = p.shares[i].1;
                let _ = write!(s, " {:.1} % |", 100.0 * n as f64 / p.samples.max(1) as f64);
            }
            s.push('\n');
        }
        s.push_str("| cycles sampled |");
        for p in profiles {
            let _ = write!(s, " {} |", p.samples);
        }
        s.push('\n');
        s
    }
}

impl Profile {
    /// Each thread's share of the samples, a line per profile.
    pub fn thread_lines(profiles: &[Profile]) -> String {
        profiles
            .iter()
            .map(|p| {
                let threads: Vec<String> = p
                    .threads
                    .iter()
                    .map(|(name, n)| {
                        format!(
                            "{name} {:.1} %",
                            100.0 * *n as f64 / p.samples.max(1) as f64
                        )
                    })
                    .collect();
                format!("- {}: {}\n", p.label, threads.join(", "))
            })
            .collect()
    }
}

/// The share of a stack (`frame;frame;…`).
fn share_of(stack: &str) -> usize {
    SHARES
        .iter()
        .position(|(_, marks)| {
            stack
                .split(';')
                .any(|frame| marks.iter().any(|m| frame.contains(m)))
        })
        .unwrap_or(SHARES.len())
}

/// Samples per thread name: the first frame of each folded stack.
pub fn threads(folded: &str) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for line in folded.lines() {
        let Some((stack, count)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(count) = count.parse::<u64>() else {
            continue;
        };
        let thread = stack.split(';').next().unwrap_or_default();
        *counts.entry(thread.to_string()).or_default() += count;
    }
    let mut threads: Vec<_> = counts.into_iter().collect();
    threads.sort_by_key(|t| std::cmp::Reverse(t.1));
    threads
}

/// Folded stacks (`stack count` per line) into shares.
pub fn shares(folded: &str) -> (u64, Vec<(String, u64)>) {
    let mut counts: BTreeMap<usize, u64> = BTreeMap::new();
    let mut total = 0;
    for line in folded.lines() {
        let Some((stack, count)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(count) = count.parse::<u64>() else {
            continue;
        };
        total += count;
        *counts.entry(share_of(stack)).or_default() += count;
    }
    let names = SHARES
        .iter()
        .map(|(name, _)| name.to_string())
        .chain(["elsewhere".to_string()]);
    let shares = names
        .enumerate()
        .map(|(i, name)| (name, counts.get(&i).copied().unwrap_or(0)))
        .collect();
    (total, shares)
}

fn run(command: &mut Command) -> anyhow::Result<Vec<u8>> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output.stdout)
}

/// Load on the server while it is sampled: wrk on a page for 9 s, or
/// checkouts by wrk (a request count that lasts longer than the samples).
enum Sampled {
    Page(std::process::Child),
    Checkout(std::thread::JoinHandle<anyhow::Result<crate::wrk::Figures>>),
}

impl Sampled {
    fn page(server: &Server, cookie: Option<&str>) -> anyhow::Result<Self> {
        let mut wrk = Command::new("wrk");
        wrk.args(["-t2", "-c32", "-d9s"]);
        if let Some(cookie) = cookie {
            wrk.arg("-H").arg(cookie);
        }
        let wrk = wrk
            .arg(server.url("/"))
            .stdout(Stdio::null())
            .spawn()
            .context("running wrk")?;
        Ok(Self::Page(wrk))
    }

    fn wait(self) -> anyhow::Result<()> {
        match self {
            Sampled::Page(wrk) => {
                wrk.wait_with_output()?;
            }
            Sampled::Checkout(load) => {
                let figures = load
                    .join()
                    .map_err(|_| anyhow::anyhow!("the checkout load panicked"))??;
                anyhow::ensure!(
                    figures.server_errors() == 0,
                    "checkouts failed while sampled: {:?}",
                    figures.statuses
                );
            }
        }
        Ok(())
    }
}

/// Samples `server` for 6 s under `load`, started a second before.
async fn sample(
    server: &Server,
    load: Sampled,
    dir: &Path,
    name: &str,
    title: &str,
) -> anyhow::Result<Profile> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let data = dir.join(format!("{name}.perf.data"));
    let record = Command::new("perf")
        .args(["record", "-F", "199", "--call-graph", "dwarf,32768", "-p"])
        .arg(server.pid().to_string())
        .arg("-o")
        .arg(&data)
        .args(["--", "sleep", "6"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("running perf record")?;
    load.wait()?;
    if !record.success() {
        bail!("perf record failed (kernel.perf_event_paranoid may forbid it)");
    }
    // Without inlined frames: resolving them runs addr2line per address,
    // minutes for a few seconds of samples.
    let script = run(Command::new("perf")
        .args(["script", "--no-inline", "-i"])
        .arg(&data))?;
    let folded_path = dir.join(format!("{name}.folded"));
    let mut collapse = Command::new("inferno-collapse-perf")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("running inferno-collapse-perf")?;
    {
        use std::io::Write;
        collapse.stdin.take().expect("piped").write_all(&script)?;
    }
    let folded = collapse.wait_with_output()?.stdout;
    std::fs::write(&folded_path, &folded)?;
    let svg = dir.join(format!("{name}.svg"));
    // Frames under a pixel wide are left out: the file stays small.
    let flamegraph = run(Command::new("inferno-flamegraph")
        .args(["--minwidth", "1"])
        .arg("--title")
        .arg(title)
        .arg(&folded_path))?;
    std::fs::write(&svg, flamegraph)?;
    std::fs::remove_file(&data).ok();
    std::fs::remove_file(&folded_path).ok();
    let folded = String::from_utf8_lossy(&folded);
    let (samples, shares) = shares(&folded);
    Ok(Profile {
        label: name.to_string(),
        samples,
        shares,
        threads: threads(&folded),
    })
}

pub async fn measure(launch: &Launch, dir: &Path) -> anyhow::Result<Vec<Profile>> {
    std::fs::create_dir_all(dir)?;
    let mut profiles = Vec::new();
    for who in ["home-guest", "home-shopper"] {
        let server = launch.start().await?;
        let cookie = if who == "home-shopper" {
            Some(ssr::shopper(&server, "bench_profile").await?)
        } else {
            None
        };
        let load = Sampled::page(&server, cookie.as_deref())?;
        let title = format!("GET / ({who}), release server, page cache off");
        profiles.push(sample(&server, load, dir, who, &title).await?);
        drop(server);
    }
    Ok(profiles)
}

/// Section 2's flash sale, long enough to be sampled: one product, stock
/// for every attempt, 400 buyers on 400 connections.
const CHECKOUT: checkout::Scenario = checkout::Scenario {
    name: "profile",
    requests: 5_000,
    stock: 1_000_000,
    ..checkout::FLASH_SALE
};

/// `POST /api/orders/place` as section 2's flash sale sends it, on the
/// database `launch` names (`backend` labels it): perf's shares, and the
/// share of each thread (the runtime's workers against SQLite's).
pub async fn checkout(launch: &Launch, backend: &str, dir: &Path) -> anyhow::Result<Profile> {
    std::fs::create_dir_all(dir)?;
    let db = Db::connect(&launch.database_url.parse().map_err(anyhow::Error::msg)?).await?;
    db.migrate().await?;
    let (product, buyer) = checkout::set_up(&db, "profile", &CHECKOUT).await?;
    db.pool().close().await;
    let server = launch.start().await?;
    let wrk = checkout::load(&server, &CHECKOUT, product, buyer, "profile");
    let load = Sampled::Checkout(std::thread::spawn(move || wrk.run()));
    let name = format!("checkout-{}", backend.to_lowercase());
    let title = format!("POST /api/orders/place, flash sale, {backend}, release server");
    let profile = sample(&server, load, dir, &name, &title).await?;
    drop(server);
    Ok(profile)
}

/// What one order asks of the database: the statements a server logs
/// (`sqlx::query` at debug) while `orders` orders are placed one after
/// another (no contention), grouped by their first words, with the time
/// SQLite (or PostgreSQL) took for them, per order.
pub async fn statements(launch: &Launch, dir: &Path, orders: u64) -> anyhow::Result<Statements> {
    const ONE: checkout::Scenario = checkout::Scenario {
        name: "statements",
        buyers: 1,
        connections: 1,
        requests: 0,
        stock: 1_000_000,
        products: 1,
        quantity_max: 1,
    };
    let db = Db::connect(&launch.database_url.parse().map_err(anyhow::Error::msg)?).await?;
    db.migrate().await?;
    let (product, buyer) = checkout::set_up(&db, "statements", &ONE).await?;
    db.pool().close().await;
    let log = dir.join("statements.log");
    let mut launch = launch.clone();
    launch
        .env
        .push(("RUST_LOG", "warn,sqlx::query=debug".into()));
    launch.stdout = Some(log.clone());
    let server = launch.start().await?;
    let client = reqwest::Client::new();
    // The log so far is the start's: only what follows is the orders'.
    let skip = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .count();
    for n in 0..orders {
        let body = serde_json::json!({
            "idempotency_key": format!("statements-{n:04}"),
            "address_id": buyer,
            "items": [{"product_id": product, "quantity": 1}],
        });
        let answer = client
            .post(server.url("/api/orders/place"))
            .header("X-USER-ID", buyer.to_string())
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(
            answer.status().is_success(),
            "placing an order: {}",
            answer.status()
        );
    }
    drop(server);
    let text = std::fs::read_to_string(&log)?;
    std::fs::remove_file(&log).ok();
    let statements = Statements::read(text.lines().skip(skip), orders);
    anyhow::ensure!(
        !statements.kinds.is_empty(),
        "the server logged no statement while {orders} orders were placed"
    );
    Ok(statements)
}

/// Statements per order, grouped by what they do.
#[derive(Debug, Default)]
pub struct Statements {
    pub orders: u64,
    /// (first words, count, seconds in the database), in the order first seen.
    pub kinds: Vec<(String, u64, f64)>,
}

impl Statements {
    fn read<'a>(lines: impl Iterator<Item = &'a str>, orders: u64) -> Self {
        let mut kinds: Vec<(String, u64, f64)> = Vec::new();
        for line in lines {
            let line = strip_ansi(line);
            let Some(summary) =
                field(&line, "summary=\"").map(|s| s.split('"').next().unwrap_or(s))
            else {
                continue;
            };
            // The outbox's relay polls on its own: not the order's.
            if summary.starts_with("UPDATE outbox SET claimed_until") {
                continue;
            }
            let seconds = field(&line, "elapsed_secs=")
                .and_then(|s| s.split_whitespace().next())
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(0.0);
            let kind = summary.trim_end_matches(" …").to_string();
            match kinds.iter_mut().find(|(k, _, _)| *k == kind) {
                Some(k) => {
                    k.1 += 1;
                    k.2 += seconds;
                }
                None => kinds.push((kind, 1, seconds)),
            }
        }
        Statements { orders, kinds }
    }

    /// A Markdown table: each kind per order, and the sum.
    pub fn table(&self) -> String {
        use std::fmt::Write;
        let per = |n: f64| n / self.orders.max(1) as f64;
        let mut s = String::from(
            "| statement | per order | µs per order in the database |\n|---|---:|---:|\n",
        );
        let (mut count, mut seconds) = (0, 0.0);
        for (kind, n, secs) in &self.kinds {
            let _ = writeln!(
                s,
                "| `{kind}` | {:.1} | {:.0} |",
                per(*n as f64),
                per(*secs) * 1e6
            );
            count += n;
            seconds += secs;
        }
        let _ = writeln!(
            s,
            "| **all** | **{:.1}** | **{:.0}** |",
            per(count as f64),
            per(seconds) * 1e6
        );
        s
    }
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.find(name).map(|at| &line[at + name.len()..])
}

/// A log line without its colours.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_goes_to_the_first_share_it_reaches() {
        let folded = "\
            tokio::run;leptos_axum::handle;tachys::html::to_html;mi_malloc 5\n\
            tokio::run;leptos_axum::handle;sqlx_core::fetch;sqlite3VdbeExec 3\n\
            tokio::run;hyper::proto::h1::write 2\n\
            [kernel.kallsyms];do_syscall_64 4\n";
        let (total, shares) = shares(folded);
        assert_eq!(total, 14);
        let of = |name: &str| shares.iter().find(|(n, _)| n.starts_with(name)).unwrap().1;
        assert_eq!(of("database"), 3);
        assert_eq!(of("rendering"), 5);
        assert_eq!(of("HTTP"), 2);
        assert_eq!(shares.len(), SHARES.len() + 1);
        assert_eq!(of("elsewhere"), 4);
        let threads = threads("tokio-rt-worker;a 3\nsqlx-sqlite-wor;b 5\ntokio-rt-worker;c 4\n");
        assert_eq!(
            threads,
            [
                ("tokio-rt-worker".to_string(), 7),
                ("sqlx-sqlite-wor".to_string(), 5)
            ]
        );
    }

    #[test]
    fn statements_are_grouped_by_their_first_words_per_order() {
        let log = [
            "\u{1b}[2mT\u{1b}[0m DEBUG sqlx::query: summary=\"INSERT INTO orders (user_id, …\" db.statement=\"x\" elapsed=10µs elapsed_secs=0.00001",
            "DEBUG sqlx::query: summary=\"UPDATE outbox SET claimed_until …\" elapsed_secs=0.5",
            "DEBUG sqlx::query: summary=\"INSERT INTO orders (user_id, …\" elapsed_secs=0.00003",
            "DEBUG sqlx::query: summary=\"SELECT points FROM users …\" elapsed_secs=0.00002",
            "WARN something else",
        ];
        let statements = Statements::read(log.into_iter(), 2);
        assert_eq!(statements.kinds.len(), 2);
        assert_eq!(statements.kinds[0].0, "INSERT INTO orders (user_id,");
        assert_eq!(statements.kinds[0].1, 2);
        assert!((statements.kinds[0].2 - 0.00004).abs() < 1e-9);
        let table = statements.table();
        assert!(table.contains("| **all** | **1.5** | **30** |"), "{table}");
    }
}
