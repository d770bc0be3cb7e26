//! Sends the outbox's events after their orders commit: to the external
//! platform over HTTP when one is configured, and always into the embedded
//! aggregate the best sellers come from. Delivery is at least once; a
//! failure is tried again later with exponential backoff and jitter, for
//! ever, without holding up other events or any request.

use super::{embedded, outbox, PlatformEvent};
use crate::db::{now_millis, Db};
use backon::{BackoffBuilder, ExponentialBuilder};
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// How the dispatcher paces itself.
#[derive(Debug, Clone)]
pub struct DispatchSettings {
    /// Look for due events at least this often (an order wakes it at once).
    pub poll: Duration,
    /// An event claimed by an instance that then died is taken over after this.
    pub lease: Duration,
    /// The first retry waits about this long; later ones twice as long each...
    pub min_backoff: Duration,
    /// ...up to this.
    pub max_backoff: Duration,
    /// Events claimed at a time.
    pub batch: usize,
    /// One HTTP delivery may take this long.
    pub http_timeout: Duration,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            batch: 50,
            http_timeout: Duration::from_secs(10),
        }
    }
}

/// Wakes the dispatcher as soon as an order has committed; put in the
/// server's context so checkout can reach it.
#[derive(Debug, Clone, Default)]
pub struct Wakeup(Arc<Notify>);

impl Wakeup {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Where the events go, as staff are shown it: `embedded`, or the external
/// platform's origin (never its path or query, which may hold a token).
/// Put in the server's context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination(pub String);

impl Destination {
    pub fn of(platform_url: Option<&str>) -> Self {
        Self(match platform_url {
            None => "embedded".to_string(),
            Some(url) => reqwest::Url::parse(url)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_else(|_| "external".to_string()),
        })
    }
}

/// The external platform, reached with a JSON `POST` per event.
#[derive(Debug, Clone)]
struct HttpPlatform {
    client: reqwest::Client,
    url: String,
}

impl HttpPlatform {
    /// 2xx is success; anything else, or no answer in time, a failure.
    async fn send(&self, event: &PlatformEvent) -> Result<(), String> {
        let response = self
            .client
            .post(&self.url)
            .header("X-Event-Id", event.event_id())
            .json(event)
            .send()
            .await
            .map_err(|e| format!("sending to the data platform: {e}"))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the data platform answered {status}"))
        }
    }
}

pub struct Dispatcher {
    db: Db,
    http: Option<HttpPlatform>,
    settings: DispatchSettings,
    wakeup: Wakeup,
}

impl Dispatcher {
    /// `platform_url`: the external platform, or `None` for the embedded one only.
    pub fn new(
        db: Db,
        platform_url: Option<String>,
        settings: DispatchSettings,
        wakeup: Wakeup,
    ) -> anyhow::Result<Self> {
        let http = match platform_url {
            None => None,
            Some(url) => Some(HttpPlatform {
                client: reqwest::Client::builder()
                    .timeout(settings.http_timeout)
                    .build()?,
                url,
            }),
        };
        Ok(Self {
            db,
            http,
            settings,
            wakeup,
        })
    }

    /// Runs until `stop` is cancelled, then returns after the event it is
    /// sending (the rest of its batch is left for the next start, or for
    /// another instance, at once).
    pub async fn run(self, stop: CancellationToken) {
        while !stop.is_cancelled() {
            match self.dispatch_until(&stop).await {
                // A full batch: there may be more right away.
                Ok(n) if n >= self.settings.batch => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the outbox could not be read"),
            }
            tokio::select! {
                () = stop.cancelled() => {}
                _ = self.wakeup.0.notified() => {}
                _ = tokio::time::sleep(self.settings.poll) => {}
            }
        }
    }

    /// Claims the due events and sends each; returns how many were claimed.
    pub async fn dispatch_due(&self) -> Result<usize, crate::error::AppError> {
        self.dispatch_until(&CancellationToken::new()).await
    }

    /// [`Self::dispatch_due`], releasing the events not yet sent when
    /// `stop` is cancelled. Each event goes to the external platform on
    /// its own; the embedded platform takes in the events sent (all of
    /// the batch when there is no external one) in one transaction with
    /// their marks, so a rush of orders costs it a few statements, not
    /// several per order.
    async fn dispatch_until(
        &self,
        stop: &CancellationToken,
    ) -> Result<usize, crate::error::AppError> {
        let now = now_millis();
        let lease_end = now + self.settings.lease.as_millis() as i64;
        let claimed = outbox::claim_due(&self.db, now, lease_end, self.settings.batch).await?;
        let count = claimed.len();
        let mut claimed = claimed.into_iter();
        let mut sent = Vec::with_capacity(count);
        for event in claimed.by_ref() {
            match &self.http {
                None => sent.push(event),
                Some(http) => match http.send(&event.event).await {
                    // Recorded at once: an event the platform has is not
                    // sent again because a later one is slow.
                    Ok(()) => self.settle(vec![event]).await?,
                    Err(error) => self.failed(&event, error).await?,
                },
            }
            if stop.is_cancelled() {
                break;
            }
        }
        self.settle(sent).await?;
        for event in claimed {
            outbox::release(&self.db, event.id).await?;
        }
        Ok(count)
    }

    /// The embedded platform takes in `sent` and they are marked delivered,
    /// in one transaction; when that fails, each is tried on its own, so an
    /// event it refuses waits for its retry without holding up the others.
    async fn settle(&self, sent: Vec<outbox::Claimed>) -> Result<(), crate::error::AppError> {
        if sent.is_empty() {
            return Ok(());
        }
        if sent.len() > 1 && self.take_in(&sent).await.is_ok() {
            return Ok(());
        }
        for event in sent {
            if let Err(error) = self.take_in(std::slice::from_ref(&event)).await {
                let error = format!("the embedded platform: {}", error.message);
                self.failed(&event, error).await?;
            }
        }
        Ok(())
    }

    async fn take_in(&self, sent: &[outbox::Claimed]) -> Result<(), crate::error::AppError> {
        let events: Vec<&PlatformEvent> = sent.iter().map(|c| &c.event).collect();
        let ids: Vec<i64> = sent.iter().map(|c| c.id).collect();
        let mut tx = self.db.begin_write().await?;
        embedded::consume_in(&self.db, &mut tx, &events).await?;
        outbox::mark_delivered(&mut tx, &ids).await?;
        tx.commit().await?;
        metrics::counter!("shop_outbox_delivered_total").increment(sent.len() as u64);
        Ok(())
    }

    /// A failed delivery: tried again after a backoff.
    async fn failed(
        &self,
        event: &outbox::Claimed,
        error: String,
    ) -> Result<(), crate::error::AppError> {
        metrics::counter!("shop_outbox_deliveries_failed_total").increment(1);
        let wait = self.backoff(event.attempts);
        tracing::warn!(
            event_id = %event.event.event_id(),
            attempts = event.attempts + 1,
            retry_in_ms = wait.as_millis() as u64,
            %error,
            "event not delivered; it will be sent again"
        );
        let next = now_millis() + wait.as_millis() as i64;
        outbox::mark_failed(&self.db, event.id, next, &error).await
    }

    /// How long to wait after the `attempts`-th failure (0 for the first).
    fn backoff(&self, attempts: i64) -> Duration {
        ExponentialBuilder::default()
            .with_min_delay(self.settings.min_backoff)
            .with_max_delay(self.settings.max_backoff)
            .with_jitter()
            .without_max_times()
            .build()
            .nth(attempts.clamp(0, 64) as usize)
            .unwrap_or(self.settings.max_backoff)
    }
}
