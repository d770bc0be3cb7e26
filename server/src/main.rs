//! The storefront's server: read the configuration, build the app, serve.

use server::{config::Config, startup, telemetry};

fn main() -> anyhow::Result<()> {
    telemetry::init();
    let config = Config::from_env()?;
    startup::runtime(config.worker_threads)?.block_on(async {
        let app = startup::Application::build(config).await?;
        tracing::info!("listening on http://{}", app.local_addr());
        app.run_until_stopped().await
    })
}
