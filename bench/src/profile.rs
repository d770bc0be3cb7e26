//! `bench --profile DIR`: where a render of the home page spends its time.
//! The release server (page cache off, so every request renders) under wrk
//! on `/`, as a guest and logged in, sampled by `perf` with DWARF call
//! graphs; `inferno` folds the stacks and draws `DIR/home-guest.svg` and
//! `DIR/home-shopper.svg`; every sample is then put in one share: the
//! first of [`SHARES`] that one of its frames belongs to (so allocations
//! and the kernel's work count for whoever asked for them).

use crate::{
    server::{Launch, Server},
    ssr,
};
use anyhow::{bail, Context};
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

/// Samples `server` for 6 s while wrk asks for `/` (with `cookie`).
async fn sample(
    server: &Server,
    cookie: Option<&str>,
    dir: &Path,
    name: &str,
) -> anyhow::Result<Profile> {
    // Load for 9 s; the samples are taken in the middle 6.
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
    wrk.wait_with_output()?;
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
        .arg(format!("GET / ({name}), release server, page cache off"))
        .arg(&folded_path))?;
    std::fs::write(&svg, flamegraph)?;
    std::fs::remove_file(&data).ok();
    std::fs::remove_file(&folded_path).ok();
    let (samples, shares) = shares(&String::from_utf8_lossy(&folded));
    Ok(Profile {
        label: name.to_string(),
        samples,
        shares,
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
        profiles.push(sample(&server, cookie.as_deref(), dir, who).await?);
        drop(server);
    }
    Ok(profiles)
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
    }
}
