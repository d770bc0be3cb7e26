//! The seam between the shop and a payment service: what the shop asks of
//! one, and the few answers it understands. KakaoPay (`kakaopay.rs`) is the
//! first; a provider's own fields and statuses never leave its module.

use super::Charge;
use std::{fmt, sync::Arc};

/// What starting a payment needs besides the charge itself.
#[derive(Debug, Clone)]
pub struct Start<'a> {
    /// What the shopper sees at the payment service.
    pub item_name: &'a str,
    /// Where the service sends the browser back: paid, cancelled, failed.
    pub approval_url: String,
    pub cancel_url: String,
    pub fail_url: String,
    /// A phone's browser (the service's mobile page, not the PC one).
    pub mobile: bool,
}

/// A payment started: the service's reference and where the shopper goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub reference: String,
    pub redirect_url: String,
}

/// A payment as the service has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The money is taken: `amount` won.
    Paid { amount: i64 },
    /// No money taken, and none will be (declined, failed, expired).
    Failed(String),
    /// The shopper stopped it at the service.
    Cancelled(String),
    /// Taken, then given back by the shop (a refund).
    Refunded,
    /// Still with the shopper (or the service): ask again later.
    Open(String),
}

/// Why a call did not give an answer the shop can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// The service answered no: the call did nothing (a declined card, a
    /// used token, a payment already approved). `message` is the
    /// service's words, fit for the shopper.
    Refused { code: String, message: String },
    /// No answer (a timeout, a dropped connection) or one that says
    /// nothing (a 5xx): the call may have been applied.
    Unknown(String),
    /// The call was never sent (no connection): nothing happened.
    Unreachable(String),
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderError::Refused { code, message } => write!(f, "refused ({code}): {message}"),
            ProviderError::Unknown(why) => write!(f, "no answer: {why}"),
            ProviderError::Unreachable(why) => write!(f, "unreachable: {why}"),
        }
    }
}

pub type ProviderResult<T> = Result<T, ProviderError>;

/// A payment service. Every call names the shop's charge (its id is the
/// service's order id) and, once started, the service's reference.
#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    /// The name kept on a charge (`kakaopay`).
    fn name(&self) -> &'static str;

    /// Starts the payment of `charge`: the shopper is sent to the answer's
    /// `redirect_url`.
    async fn start(&self, charge: &Charge, start: Start<'_>) -> ProviderResult<Started>;

    /// Takes the money of a payment the shopper authorized (`token`: what
    /// the service gave the browser on its way back). The amount taken.
    async fn approve(&self, charge: &Charge, reference: &str, token: &str) -> ProviderResult<i64>;

    /// Where the payment is.
    async fn look_up(&self, charge: &Charge, reference: &str) -> ProviderResult<Outcome>;

    /// Gives the whole of a paid payment back.
    async fn refund(&self, charge: &Charge, reference: &str) -> ProviderResult<()>;

    /// The origins the shopper's browser is sent to (the pages' CSP lets
    /// a form lead there).
    fn browser_origins(&self) -> Vec<String>;
}

/// How points are charged: for free (demo) or through a payment service.
#[derive(Clone, Default)]
pub enum Payments {
    /// No payment service: a charge adds its points at once, and every
    /// page that charges says these are demo points.
    #[default]
    Demo,
    Provider {
        service: Arc<dyn PaymentProvider>,
        /// The shop's address as browsers reach it (`PUBLIC_URL`): the
        /// service sends the shopper back under it.
        public_url: Arc<str>,
        /// How long an order waits for the rest of its payment, holding
        /// its stock, points and coupon (`PAYMENT_HOLD_SECS`).
        order_hold: std::time::Duration,
    },
}

impl fmt::Debug for Payments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payments::Demo => f.write_str("Payments::Demo"),
            Payments::Provider { service, .. } => {
                write!(f, "Payments::Provider({})", service.name())
            }
        }
    }
}

impl Payments {
    /// The render's or the server function's setting (demo when none).
    pub fn current() -> Self {
        leptos::prelude::use_context::<Payments>().unwrap_or_default()
    }

    pub fn service(&self) -> Option<&Arc<dyn PaymentProvider>> {
        match self {
            Payments::Demo => None,
            Payments::Provider { service, .. } => Some(service),
        }
    }

    /// Whether the request's browser is a phone's (the service's mobile
    /// page, not the PC one).
    pub fn on_a_phone() -> bool {
        leptos::prelude::with_context::<http::request::Parts, _>(|parts| {
            parts
                .headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ua| ua.contains("Mobi"))
        })
        .unwrap_or(false)
    }

    pub fn limits(&self) -> super::ChargeLimits {
        match self {
            Payments::Demo => super::ChargeLimits::DEMO,
            Payments::Provider { .. } => super::ChargeLimits::PAID,
        }
    }
}
