//! The shop's release binary, started as its own process on a free port.

use anyhow::{bail, Context};
use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct Server {
    child: Child,
    pub base: String,
}

/// How to start one.
#[derive(Clone)]
pub struct Launch {
    pub binary: PathBuf,
    pub site_root: PathBuf,
    pub database_url: String,
    pub env: Vec<(&'static str, String)>,
    /// Where its output and its log go (its log to the terminal, its
    /// output nowhere, by default).
    pub stdout: Option<PathBuf>,
}

impl Launch {
    pub async fn start(&self) -> anyhow::Result<Server> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = match &self.stdout {
            Some(path) => Some(std::fs::File::create(path)?),
            None => None,
        };
        let child = Command::new(&self.binary)
            .env("DATABASE_URL", &self.database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", &self.site_root)
            .env("LEPTOS_OUTPUT_NAME", "storefront")
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            .env("LEPTOS_ENV", "PROD")
            .env("RUST_LOG", "warn")
            .env("BENCH_ENDPOINTS", "true")
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            // Its log is written to stderr: both into the file, at one offset.
            .stdout(match &log {
                Some(file) => Stdio::from(file.try_clone()?),
                None => Stdio::null(),
            })
            .stderr(match log {
                Some(file) => Stdio::from(file),
                None => Stdio::inherit(),
            })
            .spawn()
            .with_context(|| format!("starting {}", self.binary.display()))?;
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        server.wait_healthy().await?;
        Ok(server)
    }
}

impl Server {
    async fn wait_healthy(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        let url = format!("{}/healthz", self.base);
        let client = reqwest::Client::new();
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited at start: {status}");
            }
            if let Ok(answer) = client.get(&url).send().await {
                if answer.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not answer /healthz within 60 s")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM lets it finish what is in flight and close the pool; a
        // server that has not stopped 30 s later is killed (and said so).
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("the server did not stop within 30 s of SIGTERM: killed");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
