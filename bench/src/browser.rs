//! Sections 3 and 4: what a browser downloads and sees, from `browser.mjs`
//! (Playwright and Lighthouse in the system Chromium).

use anyhow::{bail, Context};
use serde::Deserialize;
use std::{collections::BTreeMap, process::Command};

#[derive(Debug, Deserialize)]
pub struct Asset {
    pub kind: String,
    pub url: String,
    pub raw: u64,
    /// As the browser received it (it asks for br).
    pub sent: u64,
    pub gzip: u64,
    pub br: u64,
}

#[derive(Debug, Deserialize)]
pub struct Timings {
    pub loads: u32,
    pub ttfb_ms: f64,
    pub fcp_ms: f64,
    pub lcp_ms: f64,
    pub assets: Vec<Asset>,
}

#[derive(Debug, Deserialize)]
pub struct Scores {
    pub performance: f64,
    pub accessibility: f64,
    pub best_practices: f64,
    pub seo: f64,
    pub lcp_ms: f64,
    pub fcp_ms: f64,
    pub transferred_bytes: f64,
    pub failing_audits: Vec<String>,
    /// Lighthouse's findings on the Content Security Policy (`csp-xss`),
    /// each "severity: directive: what".
    #[serde(default)]
    pub csp_findings: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Page {
    pub browser: Timings,
    pub lighthouse: Scores,
}

pub type Pages = BTreeMap<String, Page>;

pub fn measure(base: &str, paths: &[&str]) -> anyhow::Result<Pages> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("node")
        .current_dir(dir)
        .arg("browser.mjs")
        .arg(base)
        .args(paths)
        .output()
        .context("running node browser.mjs")?;
    if !output.status.success() {
        bail!(
            "browser.mjs failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rfind(|l| l.starts_with('{'))
        .context("no JSON from browser.mjs")?;
    serde_json::from_str(line).context("reading browser.mjs' figures")
}
