//! `GET /metrics`: the shop's numbers in Prometheus's text format, rendered
//! by `metrics-exporter-prometheus` from what the `metrics` facade counted.
//! Off unless `METRICS=true` (on the shop's own address) or `METRICS_ADDR`
//! (on an address of its own, e.g. `127.0.0.1:9100`, and not on the shop's),
//! so it is never public by accident.
//!
//! Two kinds of series:
//! - counted by this process: HTTP requests by route template, method and
//!   status class with a latency histogram; orders placed and cancelled,
//!   checkouts refused by code, coupons claimed, events delivered and
//!   failed, the page cache's hits, misses and passes, the wait to begin a
//!   write transaction;
//! - read from the database when scraped, the same on every instance (sum
//!   them with `max`, not `sum`): events pending, failing and the oldest
//!   one's age, sessions, charges by status, stock movements by reason;
//!   and this process's pools (size and idle connections).

use crate::page_cache::PageCache;
use app::{
    catalog::store as catalog_store, db::Db, identity::session_store::SqlSessionStore,
    payments::store as charges, platform::outbox,
};
use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
    time::Instant,
};

/// Where `/metrics` is served (`METRICS`, `METRICS_ADDR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricsAt {
    #[default]
    Off,
    /// On the shop's own address.
    Shop,
    /// On this address alone.
    Own(SocketAddr),
}

/// Upper bounds of the latency histograms, in seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use (once per process).
fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .expect("the buckets are not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed");
            describe();
            handle
        })
        .clone()
}

fn describe() {
    describe_counter!(
        "http_requests_total",
        "Answered requests by route template, method and status class"
    );
    describe_histogram!(
        "http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer, by route template and method"
    );
    describe_counter!(
        "shop_orders_placed_total",
        "Orders placed (a replayed key not counted again)"
    );
    describe_counter!(
        "shop_orders_cancelled_total",
        "Orders cancelled, by shopper or staff"
    );
    describe_counter!(
        "shop_checkouts_refused_total",
        "Checkouts refused, by error code"
    );
    describe_counter!("shop_coupons_claimed_total", "Coupons claimed by shoppers");
    describe_counter!(
        "shop_outbox_delivered_total",
        "Events delivered to the data platform"
    );
    describe_counter!(
        "shop_outbox_deliveries_failed_total",
        "Deliveries to the data platform that failed (each is tried again)"
    );
    describe_gauge!(
        "shop_outbox_pending",
        "Events not yet delivered (database-wide)"
    );
    describe_gauge!(
        "shop_outbox_failing",
        "Pending events that failed at least once (database-wide)"
    );
    describe_gauge!(
        "shop_outbox_oldest_pending_seconds",
        Unit::Seconds,
        "Age of the oldest pending event, 0 when none (database-wide)"
    );
    describe_gauge!("shop_sessions", "Sessions not yet expired (database-wide)");
    describe_gauge!("shop_charges", "Charges by status (database-wide)");
    describe_gauge!(
        "shop_stock_movements",
        "Stock movements by reason (database-wide)"
    );
    describe_counter!(
        "shop_page_cache_hits_total",
        "Guests' pages served from the page cache"
    );
    describe_counter!(
        "shop_page_cache_misses_total",
        "Guests' pages rendered and kept"
    );
    describe_counter!(
        "shop_page_cache_passes_total",
        "Pages that passed the cache (a session, a method, a query it does not keep)"
    );
    describe_gauge!(
        "shop_db_pool_connections",
        "This process's database connections, by pool"
    );
    describe_gauge!(
        "shop_db_pool_idle",
        "This process's idle database connections, by pool"
    );
    describe_histogram!(
        "shop_db_write_begin_seconds",
        Unit::Seconds,
        "Wait to begin a write transaction (the writer connection, the database's write lock)"
    );
}

/// What rendering needs.
#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    db: Db,
    page_cache: Option<PageCache>,
    /// The page cache's counts at the last scrape (its counters only grow).
    seen: Arc<std::sync::Mutex<crate::page_cache::CacheCounts>>,
}

/// `GET /metrics`, with the recorder installed.
pub fn route(db: Db, page_cache: Option<PageCache>) -> Router {
    let scrape = Scrape {
        handle: handle(),
        db,
        page_cache,
        seen: Arc::default(),
    };
    Router::new()
        .route("/metrics", get(render))
        .with_state(scrape)
}

async fn render(State(scrape): State<Scrape>) -> Response {
    if let Err(e) = refresh(&scrape).await {
        tracing::warn!(error = %e, "metrics: could not read the database's figures");
    }
    scrape.handle.run_upkeep();
    (
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        scrape.handle.render(),
    )
        .into_response()
}

/// The figures read when scraped.
async fn refresh(scrape: &Scrape) -> Result<(), app::error::AppError> {
    let db = &scrape.db;
    for (pool, connections) in [("read", db.pool()), ("write", db.writer())] {
        gauge!("shop_db_pool_connections", "pool" => pool).set(connections.size() as f64);
        gauge!("shop_db_pool_idle", "pool" => pool).set(connections.num_idle() as f64);
    }
    if let Some(cache) = &scrape.page_cache {
        let now = cache.counts();
        let mut seen = scrape.seen.lock().unwrap_or_else(|e| e.into_inner());
        counter!("shop_page_cache_hits_total").increment(now.hits - seen.hits);
        counter!("shop_page_cache_misses_total").increment(now.misses - seen.misses);
        counter!("shop_page_cache_passes_total").increment(now.passes - seen.passes);
        *seen = now;
    }
    let stats = outbox::stats(db).await?;
    gauge!("shop_outbox_pending").set(stats.pending as f64);
    gauge!("shop_outbox_failing").set(stats.failing as f64);
    gauge!("shop_outbox_oldest_pending_seconds")
        .set(stats.oldest_pending_ms.unwrap_or(0) as f64 / 1000.0);
    let sessions = SqlSessionStore::new(db.clone())
        .live()
        .await
        .map_err(|e| app::error::AppError::internal("counting sessions", e))?;
    gauge!("shop_sessions").set(sessions as f64);
    for (status, n) in charges::count_by_status(db).await? {
        gauge!("shop_charges", "status" => status).set(n as f64);
    }
    for (reason, n) in catalog_store::movements_by_reason(db).await? {
        gauge!("shop_stock_movements", "reason" => reason).set(n as f64);
    }
    Ok(())
}

/// The route of a request no route matched (a file, or nothing).
pub const UNMATCHED: &str = "unmatched";

/// A method as a label: the standard ones by name, any other as `other`
/// (a client may send any token as its method: each would be a series).
fn method_label(method: &http::Method) -> &'static str {
    use http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts every answer and how long it took, by the route's template (no
/// id or query in a label), method and status class.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_string(), |p| p.as_str().to_string());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let class = match response.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    counter!("http_requests_total", "route" => route.clone(), "method" => method, "status" => class)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route, "method" => method)
        .record(started.elapsed());
    response
}
