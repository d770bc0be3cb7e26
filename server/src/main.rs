//! The storefront's server: read the configuration, then serve the shop
//! (`server`) or report on the outbox (`server outbox`).

use server::{cli, config::Config, startup, telemetry};

/// Rendering a page allocates and frees many small strings and nodes;
/// mimalloc does that with far less time in the allocator than glibc's
/// malloc (see bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    telemetry::init();
    let config = Config::from_env()?;
    let command = std::env::args().nth(1);
    startup::runtime(config.worker_threads)?.block_on(async {
        match command.as_deref() {
            None | Some("serve") => {
                let app = startup::Application::build(config).await?;
                tracing::info!("listening on http://{}", app.local_addr());
                app.run_until_stopped().await
            }
            Some("outbox") => cli::outbox_report(&config).await,
            Some(other) => {
                anyhow::bail!("unknown command {other:?}: try `server` or `server outbox`")
            }
        }
    })
}
