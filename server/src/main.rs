//! The storefront's server: read the command line and the configuration,
//! then serve the shop or run an operator's command (`server --help`).

use clap::Parser;
use server::{
    cli::{self, Cli, Command},
    config::Config,
    startup, telemetry,
};

/// Rendering a page allocates and frees many small strings and nodes;
/// mimalloc does that with far less time in the allocator than glibc's
/// malloc (see bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init()?;
    let config = Config::from_env()?;
    startup::runtime(config.worker_threads)?.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => {
                let app = startup::Application::build(config).await?;
                tracing::info!("listening on http://{}", app.local_addr());
                if let Some(addr) = app.metrics_addr() {
                    tracing::info!("metrics on http://{addr}/metrics");
                }
                app.run_until_stopped().await
            }
            Command::Outbox => cli::outbox_report(&config).await,
            Command::Backup { file } => cli::backup(&config, &file).await,
            Command::Restore { file } => cli::restore(&config, &file).await,
            Command::Staff { action } => cli::staff(&config, action).await,
        }
    })
}
