//! The storefront's server: read the configuration, build the app, serve.

use server::{config::Config, startup::Application, telemetry};

// One thread renders pages: leptos 0.8's `<Suspense>` can lose a wake-up
// when resources resolve on other worker threads, and the response then
// never ends (leptos-rs/leptos#4851). Password hashing still runs on the
// blocking pool; scale out with more instances (see README).
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let config = Config::from_env()?;
    let app = Application::build(config).await?;
    tracing::info!("listening on http://{}", app.local_addr());
    app.run_until_stopped().await
}
