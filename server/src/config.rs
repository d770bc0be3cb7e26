//! Configuration from the environment. Everything has a default, so the
//! shop starts with no configuration at all.

use anyhow::Context;
use app::{
    accounts::oidc::{AuthMethod, ProviderSettings},
    db::DatabaseUrl,
    payments::kakaopay,
    platform::dispatcher::DispatchSettings,
};
use leptos::config::{get_configuration, LeptosOptions};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite:…` or `postgres://…`; unset means
    /// `sqlite://storefront.db` in the working directory.
    pub database_url: DatabaseUrl,
    /// cargo-leptos' settings (`LEPTOS_SITE_ADDR`, `LEPTOS_SITE_ROOT`, …).
    pub leptos: LeptosOptions,
    /// `COOKIE_SECURE=true` when the site is served over https.
    pub secure_cookies: bool,
    /// `SESSION_IDLE_DAYS`: a session ends after this long without a visit.
    pub session_idle: Duration,
    /// `SEED_DEMO_CATALOG=false` starts with an empty catalog.
    pub seed_demo_catalog: bool,
    /// `TRUST_X_USER_ID_HEADER=true`: believe `X-USER-ID` as the caller's
    /// user id. Only behind a gateway that authenticates users and strips
    /// the header from outside requests: anyone else could act as anyone.
    pub trust_user_id_header: bool,
    /// `REQUEST_TIMEOUT_SECS`: a request with no answer by then gets 503.
    pub request_time_limit: Duration,
    /// `SERVER_THREADS`: worker threads (1: a current-thread runtime);
    /// unset, one per core.
    pub worker_threads: Option<usize>,
    /// `DATA_PLATFORM_URL`: where order events are `POST`ed; unset, the
    /// embedded platform only.
    pub data_platform_url: Option<String>,
    /// How the outbox dispatcher paces itself (`OUTBOX_*`).
    pub dispatch: DispatchSettings,
    /// `UPLOADS_DIR`: where product pictures staff upload are kept (served
    /// under `/uploads`); unset, `uploads` beside the SQLite database file
    /// (or in the working directory with PostgreSQL).
    pub uploads_dir: PathBuf,
    /// `BENCH_ENDPOINTS=true` adds `GET /_bench/static/{bytes}`, the
    /// benchmark's yardstick: that many bytes of HTML through the same
    /// layers as a page, with no rendering and no database.
    pub bench_endpoints: bool,
    /// `CSP_EXTRA_ORIGINS`: origins (a CDN) the pages may load files,
    /// pictures, styles, scripts and fetches from besides the shop itself.
    pub content_policy: app::security::ContentPolicy,
    /// `HEADER_READ_TIMEOUT_SECS` (20): a connection that has not sent a
    /// whole request head by then, or stays idle between requests that
    /// long, is closed. `SHUTDOWN_GRACE_SECS` (20): how long the requests
    /// in flight on SIGTERM may take to finish.
    pub connection_limits: crate::connections::ConnectionLimits,
    /// `PUBLIC_URL`: the shop's address as browsers reach it, for the
    /// redirect URI `PUBLIC_URL/auth/NAME/callback`; unset, `http://` and
    /// the address it listens on (`localhost` for all interfaces).
    pub public_url: Option<String>,
    /// `OIDC_PROVIDERS=kakao,google` and `OIDC_<NAME>_*` for each: the
    /// OpenID Connect providers shoppers can sign in with.
    pub sign_in_providers: Vec<ProviderSettings>,
    /// How long a sign-in through a provider may take (10 minutes).
    pub sign_in_state_ttl: Duration,
    /// `METRICS=true`: `GET /metrics` on the shop's address;
    /// `METRICS_ADDR=127.0.0.1:9100`: on that address alone. Unset, off.
    pub metrics: crate::metrics::MetricsAt,
    /// `PAGE_CACHE_MS` (500): how long a guest's page is served from the
    /// page cache after its render began; 0 turns the cache off. At most
    /// 1,000: a guest never sees data older than a second.
    pub page_cache_max_age: Duration,
    /// `PAYMENTS`: `demo` (free points) or `kakaopay` with
    /// `KAKAOPAY_SECRET_KEY`, `KAKAOPAY_CID`, `KAKAOPAY_API_BASE`.
    pub payments: PaymentSettings,
    /// `PAYMENTS_RECONCILE_SECS` (60): how often the reconciler looks up
    /// charges pending (and untouched) for that long.
    pub reconcile_every: Duration,
    /// `PAYMENT_HOLD_SECS` (900, KakaoPay's own wait): how long an order
    /// paid partly through the payment service holds its stock, points and
    /// coupon for the shopper to pay; then it expires.
    pub payment_hold: Duration,
    /// `SHIPPING_FEE` (3,000 won) and `FREE_SHIPPING_FROM` (50,000 won):
    /// what an order pays for delivery, unless what its lines come to
    /// after the coupon reaches the threshold.
    pub shipping: app::shipping::ShippingRates,
}

/// How points are charged.
#[derive(Debug, Clone, Default)]
pub enum PaymentSettings {
    #[default]
    Demo,
    KakaoPay(kakaopay::Settings),
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let mut leptos = get_configuration(None)
            .context("reading the LEPTOS_* settings")?
            .leptos_options;
        if leptos.output_name.is_empty() {
            leptos.output_name = "storefront".into();
        }
        // A release build (scripts/site.sh, as cargo-leptos) names its files by their content
        // and lists the hashes in hash.txt beside the binary: use them
        // unless LEPTOS_HASH_FILES says otherwise.
        if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
            leptos.hash_files = std::env::current_exe()
                .ok()
                .and_then(|exe| Some(exe.parent()?.join(&*leptos.hash_file)))
                .is_some_and(|path| path.is_file());
        }
        let database_url = std::env::var("DATABASE_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DatabaseUrl::DEFAULT.to_string())
            .parse::<DatabaseUrl>()
            .map_err(anyhow::Error::msg)?;
        let uploads_dir = match std::env::var("UPLOADS_DIR") {
            Ok(dir) if !dir.trim().is_empty() => PathBuf::from(dir.trim()),
            _ => default_uploads_dir(&database_url),
        };
        Ok(Self {
            uploads_dir,
            database_url,
            leptos,
            secure_cookies: flag("COOKIE_SECURE", false)?,
            session_idle: Duration::from_secs(86_400 * number("SESSION_IDLE_DAYS", 7)?),
            seed_demo_catalog: flag("SEED_DEMO_CATALOG", true)?,
            trust_user_id_header: flag("TRUST_X_USER_ID_HEADER", false)?,
            request_time_limit: Duration::from_secs(number("REQUEST_TIMEOUT_SECS", 30)?.max(1)),
            worker_threads: match number("SERVER_THREADS", 0)? {
                0 => None,
                n => Some(n as usize),
            },
            data_platform_url: platform_url()?,
            dispatch: DispatchSettings {
                lease: Duration::from_secs(number("OUTBOX_LEASE_SECS", 60)?.max(1)),
                max_backoff: Duration::from_secs(number("OUTBOX_MAX_BACKOFF_SECS", 300)?.max(1)),
                ..DispatchSettings::default()
            },
            bench_endpoints: flag("BENCH_ENDPOINTS", false)?,
            content_policy: app::security::ContentPolicy::parse(
                &std::env::var("CSP_EXTRA_ORIGINS").unwrap_or_default(),
            )
            .map_err(|e| anyhow::anyhow!("CSP_EXTRA_ORIGINS: {e}"))?,
            connection_limits: crate::connections::ConnectionLimits {
                header_read_timeout: Duration::from_secs(
                    number("HEADER_READ_TIMEOUT_SECS", 20)?.max(1),
                ),
                shutdown_grace: Duration::from_secs(number("SHUTDOWN_GRACE_SECS", 20)?),
            },
            public_url: public_url()?,
            sign_in_providers: sign_in_providers()?,
            sign_in_state_ttl: Duration::from_secs(600),
            page_cache_max_age: page_cache_max_age()?,
            metrics: metrics_at()?,
            payments: payments()?,
            reconcile_every: Duration::from_secs(number("PAYMENTS_RECONCILE_SECS", 60)?.max(1)),
            payment_hold: Duration::from_secs(number("PAYMENT_HOLD_SECS", 900)?.max(1)),
            shipping: shipping_rates()?,
        })
    }

    /// A configuration for tests: the given database, any free port, and
    /// pictures in a directory of their own.
    pub fn for_tests(database_url: DatabaseUrl) -> Self {
        let uploads_dir = std::env::temp_dir()
            .join("storefront-tests")
            .join(format!("uploads-{}", uuid::Uuid::new_v4().simple()));
        let leptos = LeptosOptions::builder()
            .output_name("storefront")
            .site_root("target/site")
            .site_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
            .build();
        Self {
            uploads_dir,
            database_url,
            leptos,
            secure_cookies: false,
            session_idle: Duration::from_secs(86_400 * 7),
            seed_demo_catalog: true,
            trust_user_id_header: false,
            request_time_limit: Duration::from_secs(30),
            worker_threads: Some(2),
            data_platform_url: None,
            // Quick, so the tests see deliveries and retries in moments.
            dispatch: DispatchSettings {
                poll: Duration::from_millis(50),
                lease: Duration::from_secs(2),
                min_backoff: Duration::from_millis(50),
                max_backoff: Duration::from_millis(400),
                ..DispatchSettings::default()
            },
            bench_endpoints: false,
            content_policy: app::security::ContentPolicy::default(),
            connection_limits: crate::connections::ConnectionLimits::default(),
            public_url: None,
            sign_in_providers: Vec::new(),
            sign_in_state_ttl: Duration::from_secs(600),
            page_cache_max_age: crate::page_cache::DEFAULT_MAX_AGE,
            metrics: crate::metrics::MetricsAt::Off,
            payments: PaymentSettings::Demo,
            reconcile_every: Duration::from_secs(60),
            payment_hold: Duration::from_secs(900),
            // Free delivery: a test's totals are its lines' unless it is
            // about the fee (and sets one).
            shipping: app::shipping::ShippingRates {
                fee: app::money::Won::ZERO,
                ..app::shipping::ShippingRates::default()
            },
        }
    }
}

/// `SHIPPING_FEE` and `FREE_SHIPPING_FROM`, in won (each at most
/// 100,000,000).
fn shipping_rates() -> anyhow::Result<app::shipping::ShippingRates> {
    let won = |name: &str, default: u64| -> anyhow::Result<app::money::Won> {
        let value = number(name, default)?;
        anyhow::ensure!(
            value <= 100_000_000,
            "{name} must be at most 100,000,000 won"
        );
        Ok(app::money::Won(value as i64))
    };
    Ok(app::shipping::ShippingRates {
        fee: won("SHIPPING_FEE", 3_000)?,
        free_from: won("FREE_SHIPPING_FROM", 50_000)?,
    })
}

/// `PAYMENTS` and, for `kakaopay`, its settings.
fn payments() -> anyhow::Result<PaymentSettings> {
    match text("PAYMENTS").as_deref() {
        None | Some("demo") => Ok(PaymentSettings::Demo),
        Some("kakaopay") => {
            let secret_key = text("KAKAOPAY_SECRET_KEY")
                .context("KAKAOPAY_SECRET_KEY is not set (PAYMENTS=kakaopay needs it)")?;
            let cid = text("KAKAOPAY_CID").unwrap_or_else(|| kakaopay::TEST_CID.to_string());
            if cid.len() != 10 || !cid.bytes().all(|b| b.is_ascii_alphanumeric()) {
                anyhow::bail!("KAKAOPAY_CID must be 10 letters or digits, not {cid:?}");
            }
            let api_base =
                text("KAKAOPAY_API_BASE").unwrap_or_else(|| kakaopay::API_BASE.to_string());
            if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
                anyhow::bail!(
                    "KAKAOPAY_API_BASE must be an http:// or https:// URL, not {api_base:?}"
                );
            }
            Ok(PaymentSettings::KakaoPay(kakaopay::Settings::new(
                secret_key, cid, api_base,
            )))
        }
        Some(other) => anyhow::bail!("PAYMENTS must be demo or kakaopay, not {other:?}"),
    }
}

/// `uploads` beside the SQLite file, or in the working directory.
fn default_uploads_dir(database_url: &DatabaseUrl) -> PathBuf {
    let file = database_url
        .as_str()
        .strip_prefix("sqlite://")
        .or_else(|| database_url.as_str().strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
        .filter(|path| !path.is_empty() && !path.contains(":memory:"));
    match file.and_then(|path| std::path::Path::new(path).parent()) {
        Some(dir) => dir.join("uploads"),
        None => PathBuf::from("uploads"),
    }
}

fn platform_url() -> anyhow::Result<Option<String>> {
    match std::env::var("DATA_PLATFORM_URL")
        .ok()
        .map(|v| v.trim().to_string())
    {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) if v.starts_with("http://") || v.starts_with("https://") => Ok(Some(v)),
        Some(v) => anyhow::bail!("DATA_PLATFORM_URL must be an http:// or https:// URL, not {v:?}"),
    }
}

fn public_url() -> anyhow::Result<Option<String>> {
    match text("PUBLIC_URL") {
        None => Ok(None),
        Some(v) if v.starts_with("http://") || v.starts_with("https://") => {
            Ok(Some(v.trim_end_matches('/').to_string()))
        }
        Some(v) => anyhow::bail!("PUBLIC_URL must be an http:// or https:// URL, not {v:?}"),
    }
}

/// `OIDC_PROVIDERS` and each provider's `OIDC_<NAME>_ISSUER`, `_CLIENT_ID`,
/// `_CLIENT_SECRET` (required), `_LABEL` (the name), `_SCOPES` (`openid
/// profile email`) and `_AUTH_METHOD` (`basic` or `post`).
fn sign_in_providers() -> anyhow::Result<Vec<ProviderSettings>> {
    let names = text("OIDC_PROVIDERS").unwrap_or_default();
    let mut providers: Vec<ProviderSettings> = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let name = name.to_ascii_lowercase();
        if !ProviderSettings::valid_name(&name) {
            anyhow::bail!("OIDC_PROVIDERS: {name:?} is not 1 to 20 letters or digits");
        }
        if providers.iter().any(|p| p.name == name) {
            anyhow::bail!("OIDC_PROVIDERS names {name:?} twice");
        }
        let key = |part: &str| format!("OIDC_{}_{part}", name.to_ascii_uppercase());
        let required =
            |part: &str| text(&key(part)).with_context(|| format!("{} is not set", key(part)));
        let issuer = required("ISSUER")?;
        if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
            anyhow::bail!("{} must be an https:// URL, not {issuer:?}", key("ISSUER"));
        }
        let mut scopes: Vec<String> = text(&key("SCOPES"))
            .unwrap_or_else(|| "openid profile email".to_string())
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".to_string());
        }
        let auth_method = match text(&key("AUTH_METHOD")).as_deref() {
            None | Some("basic") => AuthMethod::Basic,
            Some("post") => AuthMethod::Post,
            Some(other) => anyhow::bail!("{} is basic or post, not {other:?}", key("AUTH_METHOD")),
        };
        providers.push(ProviderSettings {
            issuer,
            client_id: required("CLIENT_ID")?,
            client_secret: required("CLIENT_SECRET")?,
            label: text(&key("LABEL")).unwrap_or_else(|| name.clone()),
            scopes,
            auth_method,
            name,
        });
    }
    Ok(providers)
}

/// A variable's value, trimmed; unset and blank alike are `None`.
fn text(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn flag(name: &str, default: bool) -> anyhow::Result<bool> {
    match std::env::var(name).ok().as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => anyhow::bail!("{name} must be true or false, not {other:?}"),
    }
}

/// `METRICS_ADDR` (an address of its own) or `METRICS=true` (the shop's).
fn metrics_at() -> anyhow::Result<crate::metrics::MetricsAt> {
    use crate::metrics::MetricsAt;
    match std::env::var("METRICS_ADDR").ok().as_deref().map(str::trim) {
        None | Some("") => Ok(if flag("METRICS", false)? {
            MetricsAt::Shop
        } else {
            MetricsAt::Off
        }),
        Some(addr) => addr
            .parse()
            .map(MetricsAt::Own)
            .with_context(|| format!("METRICS_ADDR must be an address and port, not {addr:?}")),
    }
}

/// `PAGE_CACHE_MS`: 0 to 1,000 milliseconds (the freshness bound).
fn page_cache_max_age() -> anyhow::Result<Duration> {
    let default = crate::page_cache::DEFAULT_MAX_AGE.as_millis() as u64;
    match number("PAGE_CACHE_MS", default)? {
        ms @ 0..=1000 => Ok(Duration::from_millis(ms)),
        ms => anyhow::bail!(
            "PAGE_CACHE_MS must be at most 1000 (a guest never sees data older than a second), not {ms}"
        ),
    }
}

fn number(name: &str, default: u64) -> anyhow::Result<u64> {
    match std::env::var(name).ok().as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(v) => v
            .parse()
            .with_context(|| format!("{name} must be a whole number, not {v:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_live_beside_the_database_file() {
        let at = |url: &str| default_uploads_dir(&url.parse().unwrap());
        assert_eq!(at("sqlite://storefront.db"), PathBuf::from("uploads"));
        assert_eq!(
            at("sqlite:///var/lib/shop/shop.db"),
            PathBuf::from("/var/lib/shop/uploads")
        );
        assert_eq!(
            at("sqlite://data/shop.db?mode=rwc"),
            PathBuf::from("data/uploads")
        );
        assert_eq!(at("postgres://u@h/db"), PathBuf::from("uploads"));
    }
}
