//! wrk, the load generator: a separate process on loopback, bounded by a
//! request count, read back through the JSON line of `wrk/report.lua`.

use anyhow::{bail, Context};
use serde::Deserialize;
use std::{collections::BTreeMap, path::PathBuf, process::Command};

/// Where the Lua scripts live (`bench/wrk`).
pub fn scripts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("wrk")
}

#[derive(Debug, Clone, Deserialize)]
pub struct Figures {
    pub requests: u64,
    pub duration_us: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub timeouts: u64,
    pub socket_errors: u64,
    #[serde(default)]
    pub statuses: BTreeMap<String, u64>,
}

impl Figures {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / (self.duration_us.max(1) as f64 / 1e6)
    }

    /// Answers with this status.
    pub fn status(&self, code: u16) -> u64 {
        self.statuses.get(&code.to_string()).copied().unwrap_or(0)
    }

    /// Requests that did not come back 200: refused sockets and any
    /// other status.
    pub fn failed(&self) -> u64 {
        self.socket_errors + self.requests.saturating_sub(self.status(200))
    }

    /// Answers of status 500 and above.
    pub fn server_errors(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(code, _)| code.as_str() >= "500")
            .map(|(_, n)| n)
            .sum()
    }

    pub fn p50_ms(&self) -> f64 {
        self.p50_us as f64 / 1000.0
    }

    pub fn p99_ms(&self) -> f64 {
        self.p99_us as f64 / 1000.0
    }
}

static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// One wrk run.
pub struct Load<'a> {
    pub url: String,
    pub script: &'a str,
    pub requests: u64,
    pub connections: u32,
    pub headers: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Load<'_> {
    pub fn get(url: String, requests: u64, connections: u32) -> Self {
        Load {
            url,
            script: "get.lua",
            requests,
            connections,
            headers: Vec::new(),
            env: Vec::new(),
        }
    }

    pub fn header(mut self, header: impl Into<String>) -> Self {
        self.headers.push(header.into());
        self
    }

    pub fn run(&self) -> anyhow::Result<Figures> {
        const THREADS: u32 = 2;
        let dir = scripts();
        let done = std::env::temp_dir().join(format!(
            "storefront-wrk-{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&done)?;
        let mut command = Command::new("wrk");
        command
            .arg(format!("-t{THREADS}"))
            .arg(format!("-c{}", self.connections.max(THREADS)))
            // An upper bound only: the run ends after its requests.
            .arg("-d300s")
            .arg("--timeout")
            .arg("10s")
            .arg("-s")
            .arg(dir.join(self.script))
            .env("WRK_SCRIPTS", &dir)
            .env("WRK_DONE_DIR", &done)
            .env("WRK_THREADS", THREADS.to_string())
            .env("WRK_REQUESTS", self.requests.to_string());
        for header in &self.headers {
            command.arg("-H").arg(header);
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command.arg(&self.url);
        let output = command.output().context("running wrk");
        std::fs::remove_dir_all(&done).ok();
        let output = output?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            bail!(
                "wrk failed on {}: {}{}",
                self.url,
                stdout,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let line = stdout
            .lines()
            .find(|l| l.starts_with('{'))
            .with_context(|| format!("no figures from wrk on {}: {stdout}", self.url))?;
        serde_json::from_str(line).with_context(|| format!("reading wrk's figures: {line}"))
    }
}
