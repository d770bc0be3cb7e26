//! Building the app: database, migrations, demo catalog, sessions, routes.

use crate::{
    admin_guard,
    config::{Config, PaymentSettings},
    connections::{self, ConnectionLimits, Draining},
    form_feedback, json_forms, language, login_guard,
    metrics::{self, MetricsAt},
    openapi, orders_export, origin,
    page_cache::{self, PageCache},
    payment_returns, render_task, security, sign_in, text_input, time_limit,
};
use anyhow::Context;
use app::{
    accounts::oidc::{SignInProviders, SignInSettings},
    catalog::{picture::PictureStore, seed},
    db::{Db, Readiness, READY_WITHIN},
    identity::{session_store::SqlSessionStore, AuthSettings},
    orders::idempotency,
    payments::{kakaopay::KakaoPay, provider::Payments},
    platform::dispatcher::{Destination, Dispatcher, Wakeup},
    shell, App,
};
use axum::{
    extract::{FromRef, State},
    http::StatusCode,
    response::IntoResponse,
    routing::get,
    Router,
};
use http::{header, HeaderValue};
use leptos::{config::LeptosOptions, prelude::provide_context};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::{net::SocketAddr, path::Path, sync::LazyLock, time::Duration};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::{
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub sign_in: SignInProviders,
    pub payments: Payments,
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    dispatcher: Dispatcher,
    payments: Payments,
    reconcile_every: Duration,
    connection_limits: ConnectionLimits,
    draining: Draining,
    /// `METRICS_ADDR`'s listener and what it serves.
    metrics: Option<(TcpListener, Router)>,
    discovery: tokio::task::JoinHandle<()>,
}

impl Application {
    /// Connects and migrates the database (a failure stops start-up), fills
    /// the demo catalog if empty and binds the address (port 0: any).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        if config.seed_demo_catalog {
            seed::seed_demo_catalog(&db).await?;
        }
        let addr = config.leptos.site_addr;
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let wakeup = Wakeup::default();
        let dispatcher = Dispatcher::new(
            db.clone(),
            config.data_platform_url.clone(),
            config.dispatch.clone(),
            wakeup.clone(),
        )?;
        let public = public_url(&config, listener.local_addr()?);
        let sign_in = SignInProviders::new(SignInSettings {
            providers: config.sign_in_providers.clone(),
            public_url: public.clone(),
            state_ttl: config.sign_in_state_ttl,
        })?;
        let payments = match &config.payments {
            PaymentSettings::Demo => Payments::Demo,
            PaymentSettings::KakaoPay(settings) => Payments::Provider {
                service: std::sync::Arc::new(
                    KakaoPay::new(settings.clone()).context("setting up KakaoPay")?,
                ),
                public_url: public.into(),
                order_hold: config.payment_hold,
            },
        };
        // Tried once now; a provider that does not answer is retried in
        // the background and has no button until it does.
        let discovery = sign_in.discover_all().await;
        let draining = Draining::default();
        let (router, own_metrics) = router(
            &config,
            db.clone(),
            wakeup,
            sign_in,
            payments.clone(),
            draining.clone(),
        );
        let metrics = match (config.metrics, own_metrics) {
            (MetricsAt::Own(addr), Some(route)) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} (METRICS_ADDR)"))?;
                Some((listener, route))
            }
            _ => None,
        };
        Ok(Self {
            listener,
            router,
            db,
            dispatcher,
            payments,
            reconcile_every: config.reconcile_every,
            connection_limits: config.connection_limits,
            draining,
            metrics,
            discovery,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Where `METRICS_ADDR` serves `/metrics`, when it is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// Serves until SIGTERM or Ctrl-C, then lets requests in flight finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then stops: no new connection, the
    /// requests in flight finished (`connections::serve`), the outbox's
    /// dispatcher and the payments' reconciler after the step they are
    /// taking, all within the shutdown grace; then the pool is closed.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let cleanup = spawn_cleanup(self.db.clone());
        // A catalog imported or upgraded while the shop was down is indexed
        // now rather than by the first search.
        let indexing = tokio::spawn({
            let db = self.db.clone();
            async move {
                if let Err(e) = app::catalog::search::refresh(&db).await {
                    tracing::warn!(error = %e, "could not index the catalog for search");
                }
            }
        });
        let stopping = CancellationToken::new();
        let mut background = tokio::task::JoinSet::new();
        background.spawn(self.dispatcher.run(stopping.clone()));
        // Pending charges are settled from the payment service's answer.
        if let Some(service) = self.payments.service() {
            background.spawn(app::orders::paying::run_reconciler(
                self.db.clone(),
                service.clone(),
                self.reconcile_every,
                stopping.clone(),
            ));
        }
        let grace = self.connection_limits.shutdown_grace;
        let stop = {
            let stopping = stopping.clone();
            async move {
                stop.await;
                tracing::info!("stopping");
                stopping.cancel();
            }
        };
        if let Some((listener, router)) = self.metrics {
            background.spawn({
                let stopping = stopping.clone();
                async move {
                    let served = axum::serve(listener, router)
                        .with_graceful_shutdown(stopping.cancelled_owned())
                        .await;
                    if let Err(e) = served {
                        tracing::warn!(error = %e, "the metrics listener stopped");
                    }
                }
            });
        }
        let background_stops = async {
            stopping.cancelled().await;
            if tokio::time::timeout(grace, background.join_all())
                .await
                .is_err()
            {
                tracing::warn!(
                    "stopping: the outbox or the reconciler did not finish its step in time"
                );
            }
        };
        tokio::join!(
            connections::serve(
                self.listener,
                self.router,
                self.connection_limits,
                self.draining,
                stop,
            ),
            background_stops,
        );
        cleanup.abort();
        indexing.abort();
        self.discovery.abort();
        self.db.close().await;
        Ok(())
    }
}

/// The app's routes, walked once per process: while leptos walks the app
/// it stops every resource in the process from loading, so a page rendered
/// during a walk would wait forever (leptos-rs/leptos#4773).
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// Every page's path as the router has it (`/products/{id}`).
pub fn page_paths() -> Vec<String> {
    ROUTES.iter().map(|r| r.path().to_string()).collect()
}

/// The runtime the server runs on: `threads` workers (one means a
/// current-thread runtime), or one per core.
pub fn runtime(threads: Option<usize>) -> std::io::Result<tokio::runtime::Runtime> {
    match threads {
        Some(1) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        Some(n) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build(),
        None => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
    }
}

/// `PUBLIC_URL`, or `http://` and the bound address (`localhost` when it
/// listens on every interface).
fn public_url(config: &Config, bound: SocketAddr) -> String {
    config.public_url.clone().unwrap_or_else(|| {
        if bound.ip().is_unspecified() {
            format!("http://localhost:{}", bound.port())
        } else {
            format!("http://{bound}")
        }
    })
}

fn router(
    config: &Config,
    db: Db,
    wakeup: Wakeup,
    sign_in: SignInProviders,
    payments: Payments,
    draining: Draining,
) -> (Router, Option<Router>) {
    let leptos_options = config.leptos.clone();
    let routes = ROUTES.clone();
    let state = AppState {
        leptos_options: leptos_options.clone(),
        db: db.clone(),
        sign_in: sign_in.clone(),
        payments: payments.clone(),
    };
    let sessions = SessionManagerLayer::new(SqlSessionStore::new(db.clone()))
        .with_name("storefront_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::try_from(config.session_idle)
                .unwrap_or(tower_sessions::cookie::time::Duration::days(7)),
        ));

    let auth = AuthSettings {
        trust_user_id_header: config.trust_user_id_header,
    };
    // Linking a provider is a form whose answer leads to the provider;
    // charging points, one that leads to the payment service.
    let payment_pages = payments
        .service()
        .map(|service| service.browser_origins())
        .unwrap_or_default();
    let content_policy = config
        .content_policy
        .clone()
        .with_form_targets(config.sign_in_providers.iter().map(|p| p.issuer.as_str()))
        .with_form_targets(payment_pages.iter().map(String::as_str));
    let pictures = PictureStore::new(&config.uploads_dir);
    if auth.trust_user_id_header {
        tracing::warn!("X-USER-ID is trusted: only run this behind a gateway that sets it");
    }

    let page_cache = PageCache::new(config.page_cache_max_age, content_policy.clone());
    let metrics_route = (config.metrics != MetricsAt::Off)
        .then(|| metrics::route(db.clone(), Some(page_cache.clone())));
    // On the shop's address, or on one of its own.
    let (metrics_route, own_metrics) = match config.metrics {
        MetricsAt::Own(_) => (None, metrics_route),
        _ => (metrics_route, None),
    };
    let mut pages = sign_in::routes()
        .merge(payment_returns::routes())
        .merge(orders_export::routes());
    if config.bench_endpoints {
        tracing::warn!(
            "benchmark endpoints are on: GET /_bench/static/{{bytes}}, /_bench/twin/ (and \
             products/{{id}}, cart, orders, checkout), \
             /_bench/page-cache"
        );
        let counts = page_cache.clone();
        pages = pages
            .route("/_bench/static/{bytes}", get(bench_static))
            .route("/_bench/twin/", get(crate::yardstick::home))
            .route("/_bench/twin/products/{id}", get(crate::yardstick::product))
            .route("/_bench/twin/cart", get(crate::yardstick::cart))
            .route("/_bench/twin/orders", get(crate::yardstick::orders))
            // The rates the Leptos page reads from its context.
            .route(
                "/_bench/twin/checkout",
                get(crate::yardstick::checkout).layer(axum::Extension(config.shipping)),
            )
            .route(
                "/_bench/page-cache",
                get(move || async move { axum::Json(counts.counts()) }),
            );
    }
    // What every render and server function can reach; the 404 page too,
    // so its header knows the user and the cart like any other page.
    let context = {
        let db = db.clone();
        let pictures = pictures.clone();
        let destination = Destination::of(config.data_platform_url.as_deref());
        let content_policy = content_policy.clone();
        let shipping = config.shipping;
        move || {
            render_task::record_root();
            provide_context(destination.clone());
            provide_context(content_policy.clone());
            provide_context(db.clone());
            provide_context(auth);
            provide_context(wakeup.clone());
            provide_context(pictures.clone());
            provide_context(sign_in.clone());
            provide_context(payments.clone());
            provide_context(shipping);
        }
    };
    let pages_and_api = pages
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .with_state(state)
        .layer(axum::middleware::from_fn(render_task::run))
        .layer(axum::middleware::from_fn(login_guard::redirect_guests))
        .layer(axum::middleware::from_fn_with_state(
            db.clone(),
            admin_guard::check_permission,
        ))
        .layer(axum::middleware::from_fn(admin_no_store))
        // Pages and JSON can depend on the session: never kept by a shared
        // cache, and checked again by the browser.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        ))
        .layer(axum::Extension(auth))
        .layer(axum::middleware::from_fn(form_feedback::remember))
        .layer(sessions)
        .layer(axum::middleware::from_fn(json_forms::json_to_form))
        .layer(axum::middleware::from_fn(text_input::check_query))
        .layer(axum::middleware::from_fn(origin::refuse_cross_site));
    // Guests' pages from memory, in front of everything a render needs.
    let pages_and_api = if page_cache.max_age().is_zero() {
        pages_and_api
    } else {
        pages_and_api.layer(axum::middleware::from_fn_with_state(
            page_cache,
            page_cache::serve,
        ))
    };

    // Files, the health check and the language switch pass no session,
    // guard or body layer.
    let secure = config.secure_cookies;
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/readyz",
            get(move |State(db): State<Db>| readyz(db, draining.clone())),
        )
        .route(
            "/language",
            get(move |query| language::switch(secure, query)),
        )
        .route("/api/openapi.json", get(openapi_json))
        .with_state(db)
        .merge(security::report_route())
        .merge(static_files(&leptos_options, pictures.dir()))
        .merge(pages_and_api)
        .merge(metrics_route.unwrap_or_default());
    // Every answer counted, when the metrics are on.
    let router = if config.metrics == MetricsAt::Off {
        router
    } else {
        router.layer(axum::middleware::from_fn(metrics::track))
    };
    let router = router
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            config.request_time_limit,
            time_limit::enforce,
        ))
        // Outside the time limit, whose page is in the shopper's language too.
        .layer(axum::middleware::from_fn(language::negotiate))
        // Every request has an id (the caller's `x-request-id`, or a new
        // one), said back in the answer and kept in the audit log.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(crate::telemetry::request_log())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    (
        security::headers(router, &content_policy, config.secure_cookies),
        own_metrics,
    )
}

/// The operator's pages and answers are never stored by any cache.
async fn admin_no_store(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let admin = app::url::is_under(request.uri().path(), &["/admin", "/api/admin"]);
    let mut response = next.run(request).await;
    if admin {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

/// The built site's files: the wasm, js and css under `/pkg` are sent
/// precompressed (brotli or gzip, as the browser accepts) when a release
/// build made `.br` and `.gz` copies beside them. With hashed names (a
/// release build) a file's name changes with its content, so browsers and
/// shared caches keep it for a year without asking again; otherwise they
/// ask every time. Pictures are kept for an hour; uploaded pictures, named
/// by their content, for good.
fn static_files(options: &LeptosOptions, uploads: &Path) -> Router {
    let site_root = Path::new(&*options.site_root);
    let pkg = &*options.site_pkg_dir;
    let dir = |name: &str| {
        ServeDir::new(site_root.join(name))
            .precompressed_br()
            .precompressed_gzip()
    };
    // Only files found are cacheable: a 404 is asked again next time.
    let cache = |value: &'static str| {
        SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            move |response: &axum::response::Response| {
                response
                    .status()
                    .is_success()
                    .then(|| HeaderValue::from_static(value))
            },
        )
    };
    let pkg_cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new()
        .nest_service(&format!("/{pkg}"), dir(pkg))
        .layer(cache(pkg_cache))
        .merge(
            Router::new()
                .nest_service("/images", dir("images"))
                .route_service(
                    "/favicon.svg",
                    ServeFile::new(site_root.join("favicon.svg")),
                )
                .layer(cache("public, max-age=3600")),
        )
        .merge(
            Router::new()
                .nest_service(app::catalog::picture::URL_PREFIX, ServeDir::new(uploads))
                .layer(cache("public, max-age=31536000, immutable")),
        )
        .layer(axum::middleware::from_fn(servable_names_only))
}

/// The file system's longest file name, in bytes.
const MAX_FILE_NAME: usize = 255;

/// A name no file of the site can have is simply not found: one longer than
/// a file name can be (the file system's error would be a 500), or a
/// TypeScript declaration the wasm build leaves beside the js.
async fn servable_names_only(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    // A `%XX` in the address is one byte of the name.
    let decoded_len = |segment: &str| segment.len() - 2 * segment.matches('%').count();
    let too_long = path.split('/').any(|s| decoded_len(s) > MAX_FILE_NAME);
    let file = path.rsplit('/').next().unwrap_or_default();
    let declaration = [".ts", ".ts.gz", ".ts.br"]
        .iter()
        .any(|end| file.ends_with(end));
    if too_long || declaration {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// The JSON API's OpenAPI document, built once.
async fn openapi_json() -> axum::Json<&'static utoipa::openapi::OpenApi> {
    static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(openapi::document);
    axum::Json(&DOCUMENT)
}

/// `bytes` bytes of HTML, at most 4 MiB, made once: what a page costs
/// without its rendering.
async fn bench_static(
    axum::extract::Path(bytes): axum::extract::Path<usize>,
) -> axum::response::Response {
    const MAX: usize = 4 << 20;
    static BODY: LazyLock<axum::body::Bytes> = LazyLock::new(|| vec![b'x'; MAX].into());
    (
        [(http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        BODY.slice(..bytes.min(MAX)),
    )
        .into_response()
}

/// Liveness: 200 while the process serves, without asking the database
/// (a load balancer restarts what fails this, and a database that is down
/// is no reason to restart the shop).
async fn healthz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok")
}

/// Readiness: 200 only when the database answers within a second and every
/// migration this build knows is applied, and the shop is not stopping;
/// 503 otherwise, saying which.
async fn readyz(db: Db, draining: Draining) -> (StatusCode, String) {
    if draining.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "stopping".into());
    }
    match db.readiness().await {
        Readiness::Ready => (StatusCode::OK, "ready".into()),
        Readiness::Unreachable => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "database unreachable (no answer within {} s)",
                READY_WITHIN.as_secs()
            ),
        ),
        Readiness::MigrationsMissing(missing) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{missing} migration(s) not applied"),
        ),
    }
}

/// Every 10 minutes: expired sessions and idempotency keys go.
fn spawn_cleanup(db: Db) -> tokio::task::JoinHandle<()> {
    let sessions = SqlSessionStore::new(db.clone());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            match sessions.delete_expired().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "removed expired sessions"),
                Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
            }
            match idempotency::delete_expired(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "removed expired idempotency keys"),
                Err(e) => tracing::warn!(error = %e, "could not remove expired idempotency keys"),
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
