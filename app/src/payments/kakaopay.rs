//! KakaoPay's online single payment (온라인 단건 결제): ready, the shopper
//! at KakaoPay, approve; plus the order lookup and cancel. JSON over HTTPS
//! with `Authorization: SECRET_KEY <key>`; an error is a non-2xx answer
//! `{error_code, error_message, extras}`. Only this module knows
//! KakaoPay's fields and statuses.

use super::{
    provider::{Outcome, PaymentProvider, ProviderError, ProviderResult, Start, Started},
    Charge,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::{fmt, time::Duration};

/// KakaoPay's API.
pub const API_BASE: &str = "https://open-api.kakaopay.com";
/// KakaoPay's test merchant code.
pub const TEST_CID: &str = "TC0ONETIME";
/// Where KakaoPay's payment pages are (the browser is sent there).
const PAYMENT_PAGES: &str = "https://online-pay.kakao.com";

#[derive(Clone)]
pub struct Settings {
    /// `KAKAOPAY_SECRET_KEY`: never logged, never shown.
    pub secret_key: String,
    /// `KAKAOPAY_CID`: the merchant code.
    pub cid: String,
    /// `KAKAOPAY_API_BASE`: KakaoPay's API, or a sandbox's.
    pub api_base: String,
    pub connect_timeout: Duration,
    /// A whole call, answer included.
    pub timeout: Duration,
}

impl Settings {
    pub fn new(secret_key: String, cid: String, api_base: String) -> Self {
        Self {
            secret_key,
            cid,
            api_base: api_base.trim_end_matches('/').to_string(),
            connect_timeout: Duration::from_secs(3),
            timeout: Duration::from_secs(10),
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("secret_key", &"[hidden]")
            .field("cid", &self.cid)
            .field("api_base", &self.api_base)
            .finish()
    }
}

pub struct KakaoPay {
    settings: Settings,
    http: reqwest::Client,
}

impl KakaoPay {
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            // The API never redirects; a redirect would be someone else's.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { settings, http })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> ProviderResult<T> {
        let url = format!("{}/online/v1/payment/{path}", self.settings.api_base);
        let response = self
            .http
            .post(&url)
            .header(
                reqwest::header::AUTHORIZATION,
                format!("SECRET_KEY {}", self.settings.secret_key),
            )
            .json(body)
            .send()
            .await
            .map_err(|e| transport(path, e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| transport(path, e))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                ProviderError::Unknown(format!("KakaoPay's {path} answer was not understood: {e}"))
            });
        }
        let error: Option<ApiError> = serde_json::from_slice(&bytes).ok();
        if status.is_server_error() {
            let said = error.map(|e| e.error_message).unwrap_or_default();
            return Err(ProviderError::Unknown(format!(
                "KakaoPay's {path} answered {status}: {said}"
            )));
        }
        Err(match error {
            Some(error) => ProviderError::Refused {
                code: error.error_code.to_string(),
                message: error
                    .extras
                    .and_then(|x| x.method_result_message)
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or(error.error_message),
            },
            None => ProviderError::Refused {
                code: status.as_u16().to_string(),
                message: format!("KakaoPay's {path} answered {status}"),
            },
        })
    }
}

/// A call that got no answer: never sent (no connection), or sent and
/// not answered in time (it may have been applied).
fn transport(path: &str, error: reqwest::Error) -> ProviderError {
    // Without the URL: it is ours, and the error says enough.
    let error = error.without_url();
    if error.is_connect() {
        ProviderError::Unreachable(format!("KakaoPay's {path}: {error}"))
    } else {
        ProviderError::Unknown(format!("KakaoPay's {path}: {error}"))
    }
}

#[derive(Deserialize)]
struct ApiError {
    error_code: serde_json::Value,
    #[serde(default)]
    error_message: String,
    #[serde(default)]
    extras: Option<Extras>,
}

#[derive(Deserialize)]
struct Extras {
    #[serde(default)]
    method_result_message: Option<String>,
}

#[derive(Serialize)]
struct ReadyRequest<'a> {
    cid: &'a str,
    partner_order_id: String,
    partner_user_id: String,
    item_name: &'a str,
    quantity: i64,
    total_amount: i64,
    tax_free_amount: i64,
    approval_url: &'a str,
    cancel_url: &'a str,
    fail_url: &'a str,
}

#[derive(Deserialize)]
struct ReadyAnswer {
    tid: String,
    next_redirect_pc_url: String,
    next_redirect_mobile_url: String,
}

#[derive(Serialize)]
struct ApproveRequest<'a> {
    cid: &'a str,
    tid: &'a str,
    partner_order_id: String,
    partner_user_id: String,
    pg_token: &'a str,
}

#[derive(Deserialize)]
struct Amount {
    total: i64,
}

#[derive(Deserialize)]
struct ApproveAnswer {
    amount: Amount,
}

#[derive(Serialize)]
struct OrderRequest<'a> {
    cid: &'a str,
    tid: &'a str,
}

#[derive(Deserialize)]
struct OrderAnswer {
    status: String,
    amount: Option<Amount>,
}

#[derive(Serialize)]
struct CancelRequest<'a> {
    cid: &'a str,
    tid: &'a str,
    cancel_amount: i64,
    cancel_tax_free_amount: i64,
}

#[derive(Deserialize)]
struct CancelAnswer {
    status: String,
}

/// A KakaoPay payment status as the shop's outcome.
fn outcome(status: &str, amount: Option<i64>) -> Outcome {
    match status {
        "SUCCESS_PAYMENT" => match amount {
            Some(amount) => Outcome::Paid { amount },
            None => Outcome::Open("SUCCESS_PAYMENT without an amount".into()),
        },
        // Taken and given back by the shop (it only gives all back).
        "CANCEL_PAYMENT" | "PART_CANCEL_PAYMENT" => Outcome::Refunded,
        "QUIT_PAYMENT" => Outcome::Cancelled(status.into()),
        "FAIL_AUTH_PASSWORD" | "FAIL_PAYMENT" => Outcome::Failed(status.into()),
        // READY, SEND_TMS, OPEN_PAYMENT, SELECT_METHOD, ARS_WAITING,
        // AUTH_PASSWORD, ISSUED_SID and anything new: not settled yet.
        other => Outcome::Open(other.into()),
    }
}

#[async_trait::async_trait]
impl PaymentProvider for KakaoPay {
    fn name(&self) -> &'static str {
        "kakaopay"
    }

    async fn start(&self, charge: &Charge, start: Start<'_>) -> ProviderResult<Started> {
        let answer: ReadyAnswer = self
            .call(
                "ready",
                &ReadyRequest {
                    cid: &self.settings.cid,
                    partner_order_id: charge.charge_id.to_string(),
                    partner_user_id: charge.user_id.0.to_string(),
                    item_name: start.item_name,
                    quantity: 1,
                    total_amount: charge.amount,
                    tax_free_amount: 0,
                    approval_url: &start.approval_url,
                    cancel_url: &start.cancel_url,
                    fail_url: &start.fail_url,
                },
            )
            .await?;
        Ok(Started {
            reference: answer.tid,
            redirect_url: if start.mobile {
                answer.next_redirect_mobile_url
            } else {
                answer.next_redirect_pc_url
            },
        })
    }

    async fn approve(&self, charge: &Charge, reference: &str, token: &str) -> ProviderResult<i64> {
        let answer: ApproveAnswer = self
            .call(
                "approve",
                &ApproveRequest {
                    cid: &self.settings.cid,
                    tid: reference,
                    partner_order_id: charge.charge_id.to_string(),
                    partner_user_id: charge.user_id.0.to_string(),
                    pg_token: token,
                },
            )
            .await?;
        Ok(answer.amount.total)
    }

    async fn look_up(&self, _charge: &Charge, reference: &str) -> ProviderResult<Outcome> {
        let answer: OrderAnswer = self
            .call(
                "order",
                &OrderRequest {
                    cid: &self.settings.cid,
                    tid: reference,
                },
            )
            .await?;
        Ok(outcome(&answer.status, answer.amount.map(|a| a.total)))
    }

    async fn refund(&self, charge: &Charge, reference: &str) -> ProviderResult<()> {
        let answer: CancelAnswer = self
            .call(
                "cancel",
                &CancelRequest {
                    cid: &self.settings.cid,
                    tid: reference,
                    cancel_amount: charge.amount,
                    cancel_tax_free_amount: 0,
                },
            )
            .await?;
        match answer.status.as_str() {
            "CANCEL_PAYMENT" => Ok(()),
            other => Err(ProviderError::Unknown(format!(
                "KakaoPay's cancel left the payment {other}"
            ))),
        }
    }

    fn browser_origins(&self) -> Vec<String> {
        vec![self.settings.api_base.clone(), PAYMENT_PAGES.to_string()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_shops_outcomes() {
        assert_eq!(
            outcome("SUCCESS_PAYMENT", Some(5000)),
            Outcome::Paid { amount: 5000 }
        );
        assert!(matches!(
            outcome("QUIT_PAYMENT", None),
            Outcome::Cancelled(_)
        ));
        assert!(matches!(outcome("FAIL_PAYMENT", None), Outcome::Failed(_)));
        assert_eq!(outcome("CANCEL_PAYMENT", Some(1)), Outcome::Refunded);
        for open in [
            "READY",
            "SEND_TMS",
            "OPEN_PAYMENT",
            "AUTH_PASSWORD",
            "NEW_ONE",
        ] {
            assert!(matches!(outcome(open, None), Outcome::Open(_)), "{open}");
        }
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        let settings = Settings::new("sk-secret".into(), TEST_CID.into(), API_BASE.into());
        assert!(!format!("{settings:?}").contains("sk-secret"));
    }
}
