//! The one error type of the shop: a stable machine-readable code, a human
//! message and optional details. Every server function returns it; the code
//! decides the HTTP status, here and nowhere else.

use crate::locale::{td_string, Locale};
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
    Bytes,
};
use std::fmt;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    InvalidCredentials,
    LoginIdTaken,
    ProductNotFound,
    OrderNotFound,
    NotFound,
    InvalidAmount,
    PointLimitExceeded,
    InvalidQuantity,
    InsufficientStock,
    InsufficientPoints,
    PriceChanged,
    /// The cart is no longer what the checkout page showed.
    CartChanged,
    IdempotencyKeyReused,
    RequestInProgress,
    TooManyAttempts,
    ForbiddenOrigin,
    /// Logged in, but the role does not allow it.
    Forbidden,
    /// Another product has this SKU.
    SkuTaken,
    /// No user has this login id.
    UserNotFound,
    /// The change would leave the shop without an admin.
    LastAdmin,
    /// The order is no longer `placed`: it was fulfilled or cancelled.
    OrderNotCancellable,
    /// The order cannot be shipped (it is not `placed`) or delivered (it
    /// is not `shipped`).
    OrderNotFulfillable,
    /// The order is not waiting for its payment (paid, cancelled, expired),
    /// or its payment is being confirmed.
    OrderNotPayable,
    /// No coupon is left in the campaign.
    CouponSoldOut,
    /// The shopper already has this campaign's coupon.
    CouponAlreadyIssued,
    /// The coupon is not the shopper's, is used, expired or not yet valid.
    CouponNotUsable,
    /// The order's total does not reach the coupon's minimum.
    CouponMinimumNotMet,
    /// Unlinking would leave the account with no way in.
    LastSignInMethod,
    /// The account has a password already.
    PasswordAlreadySet,
    /// The login id was changed once already (or was chosen at signup).
    LoginIdFixed,
    /// The payment service cannot be reached or refused to start a payment.
    PaymentUnavailable,
    /// The charge is not paid (never was, or is refunded already).
    ChargeNotRefundable,
    /// The product has options: a line must name one of its variants.
    VariantRequired,
    /// No such variant of the product on sale (unknown, another product's,
    /// or off sale).
    VariantNotFound,
    /// The options would make more variants than a product may have.
    TooManyVariants,
    /// An order must name the address it goes to (`address_id`).
    AddressRequired,
    /// No such address in my address book (unknown, or anyone else's).
    AddressNotFound,
    /// The address book is full.
    TooManyAddresses,
    Internal,
    /// The answer took longer than the server's request time limit.
    TimedOut,
}

impl ErrorCode {
    /// The HTTP status for each code (SPEC: JSON clients).
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            BadRequest | InvalidAmount | InvalidQuantity | VariantRequired | TooManyVariants
            | AddressRequired => 400,
            Unauthenticated | InvalidCredentials => 401,
            ForbiddenOrigin | Forbidden => 403,
            ProductNotFound | OrderNotFound | NotFound | UserNotFound | VariantNotFound
            | AddressNotFound => 404,
            LoginIdTaken | SkuTaken | LastAdmin | OrderNotCancellable | OrderNotFulfillable
            | OrderNotPayable | CouponSoldOut | CouponAlreadyIssued | CouponNotUsable
            | CouponMinimumNotMet | LastSignInMethod | PasswordAlreadySet | LoginIdFixed
            | PointLimitExceeded | InsufficientStock | InsufficientPoints | PriceChanged
            | CartChanged | RequestInProgress | ChargeNotRefundable | TooManyAddresses => 409,
            IdempotencyKeyReused => 422,
            TooManyAttempts => 429,
            Internal => 500,
            TimedOut | PaymentUnavailable => 503,
        }
    }

    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadRequest => "BAD_REQUEST",
            Unauthenticated => "UNAUTHENTICATED",
            InvalidCredentials => "INVALID_CREDENTIALS",
            LoginIdTaken => "LOGIN_ID_TAKEN",
            ProductNotFound => "PRODUCT_NOT_FOUND",
            OrderNotFound => "ORDER_NOT_FOUND",
            NotFound => "NOT_FOUND",
            InvalidAmount => "INVALID_AMOUNT",
            PointLimitExceeded => "POINT_LIMIT_EXCEEDED",
            InvalidQuantity => "INVALID_QUANTITY",
            InsufficientStock => "INSUFFICIENT_STOCK",
            InsufficientPoints => "INSUFFICIENT_POINTS",
            PriceChanged => "PRICE_CHANGED",
            CartChanged => "CART_CHANGED",
            IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            RequestInProgress => "REQUEST_IN_PROGRESS",
            TooManyAttempts => "TOO_MANY_ATTEMPTS",
            ForbiddenOrigin => "FORBIDDEN_ORIGIN",
            Forbidden => "FORBIDDEN",
            SkuTaken => "SKU_TAKEN",
            UserNotFound => "USER_NOT_FOUND",
            LastAdmin => "LAST_ADMIN",
            OrderNotCancellable => "ORDER_NOT_CANCELLABLE",
            OrderNotFulfillable => "ORDER_NOT_FULFILLABLE",
            OrderNotPayable => "ORDER_NOT_PAYABLE",
            CouponSoldOut => "COUPON_SOLD_OUT",
            CouponAlreadyIssued => "COUPON_ALREADY_ISSUED",
            CouponNotUsable => "COUPON_NOT_USABLE",
            CouponMinimumNotMet => "COUPON_MINIMUM_NOT_MET",
            LastSignInMethod => "LAST_SIGN_IN_METHOD",
            PasswordAlreadySet => "PASSWORD_ALREADY_SET",
            LoginIdFixed => "LOGIN_ID_FIXED",
            PaymentUnavailable => "PAYMENT_UNAVAILABLE",
            ChargeNotRefundable => "CHARGE_NOT_REFUNDABLE",
            VariantRequired => "VARIANT_REQUIRED",
            VariantNotFound => "VARIANT_NOT_FOUND",
            TooManyVariants => "TOO_MANY_VARIANTS",
            AddressRequired => "ADDRESS_REQUIRED",
            AddressNotFound => "ADDRESS_NOT_FOUND",
            TooManyAddresses => "TOO_MANY_ADDRESSES",
            Internal => "INTERNAL",
            TimedOut => "TIMED_OUT",
        }
    }
}

/// What a client sees when something goes wrong: `{"code", "message", "details"}`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Box<ErrorDetails>>,
    /// A database failure that running the transaction again may get past
    /// (a deadlock, a serialization failure, a busy SQLite). Never sent.
    #[serde(skip)]
    pub retryable: bool,
}

pub type AppResult<T> = Result<T, AppError>;

/// What an error is about beyond its code; only what applies is sent.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorDetails {
    /// The input field at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The products that do not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_ids: Option<Vec<i64>>,
    /// Everything wrong with an order, so it can be mended in one go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<Problem>>,
    /// The balance when a change of it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// The points a payment needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needed: Option<i64>,
    /// The most a balance can hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_balance: Option<i64>,
    /// Where an order is, when that is why it cannot change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The order at fault, when a request names several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i64>,
}

/// One thing wrong with an order: a line (`INSUFFICIENT_STOCK` with what
/// is `left`, `PRICE_CHANGED` with the price `sent` and today's) or the
/// points (`INSUFFICIENT_POINTS`). A flat record, only what applies sent.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub code: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
    /// The line's variant (a size, a colour) and its SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The variant's options, as "Size 270 / Colour Black" (absent for a
    /// product without options).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortfall: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_id: Option<i64>,
    /// Where the coupon is (`used`, `expired`, `not_yet_valid`; `unknown`
    /// for a coupon that is not the shopper's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_status: Option<String>,
    /// The total the coupon needs, against the order's `subtotal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_order: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtotal: Option<i64>,
}

impl Problem {
    fn of(code: ErrorCode) -> Self {
        Self {
            code,
            product_id: None,
            variant_id: None,
            sku: None,
            name: None,
            label: None,
            requested: None,
            left: None,
            sent: None,
            price: None,
            points: None,
            needed: None,
            shortfall: None,
            coupon_id: None,
            coupon_status: None,
            min_order: None,
            subtotal: None,
        }
    }

    /// A line asks for more than is `left`.
    pub fn short_of_stock(product_id: i64, name: &str, requested: i64, left: i64) -> Self {
        Self {
            product_id: Some(product_id),
            name: Some(name.to_string()),
            requested: Some(requested),
            left: Some(left),
            ..Self::of(ErrorCode::InsufficientStock)
        }
    }

    /// A line was shown at the price `sent`, which is no longer `price`.
    pub fn price_changed(product_id: i64, name: &str, sent: i64, price: i64) -> Self {
        Self {
            product_id: Some(product_id),
            name: Some(name.to_string()),
            sent: Some(sent),
            price: Some(price),
            ..Self::of(ErrorCode::PriceChanged)
        }
    }

    /// Names the line's variant: its id, SKU and label.
    pub fn for_variant(self, variant_id: i64, sku: &str, label: &str) -> Self {
        Self {
            variant_id: Some(variant_id),
            sku: Some(sku.to_string()),
            label: (!label.is_empty()).then(|| label.to_string()),
            ..self
        }
    }

    /// The coupon cannot be used now: `status` says why.
    pub fn coupon_not_usable(coupon_id: i64, status: &str) -> Self {
        Self {
            coupon_id: Some(coupon_id),
            coupon_status: Some(status.to_string()),
            ..Self::of(ErrorCode::CouponNotUsable)
        }
    }

    /// The order's `subtotal` does not reach the coupon's `min_order`.
    pub fn coupon_minimum(coupon_id: i64, min_order: i64, subtotal: i64) -> Self {
        Self {
            coupon_id: Some(coupon_id),
            min_order: Some(min_order),
            subtotal: Some(subtotal),
            ..Self::of(ErrorCode::CouponMinimumNotMet)
        }
    }

    /// The balance `points` does not cover `needed`.
    pub fn short_of_points(points: i64, needed: i64) -> Self {
        Self {
            points: Some(points),
            needed: Some(needed),
            shortfall: Some(needed - points),
            ..Self::of(ErrorCode::InsufficientPoints)
        }
    }
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
            retryable: false,
        }
    }

    pub fn with_details(mut self, details: ErrorDetails) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    /// The input field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        self.details.as_ref()?.field.as_deref()
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// A bad value for one named input field; `details` names the field.
    pub fn invalid_field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        Self::new(code, message).with_details(ErrorDetails {
            field: Some(field.to_string()),
            ..ErrorDetails::default()
        })
    }

    pub fn product_not_found() -> Self {
        Self::new(
            ErrorCode::ProductNotFound,
            td_string!(Locale::current(), errors.no_such_product),
        )
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// serde's "missing field `name`", as an error naming the field.
    fn missing_field(message: &str) -> Option<Self> {
        let rest = message.split("missing field `").nth(1)?;
        let field = rest.split('`').next()?;
        Some(Self::invalid_field(
            ErrorCode::BadRequest,
            field,
            td_string!(Locale::current(), islands.field_missing, field),
        ))
    }

    /// Reads back an error that a domain type's `Deserialize` sent through
    /// serde as text (see [`deserialize_parsed`]).
    fn from_serde_message(message: &str) -> Option<Self> {
        let start = message.find(SERDE_MARKER)? + SERDE_MARKER.len();
        let rest = &message[start..];
        let first = |text: &str| {
            serde_json::Deserializer::from_str(text)
                .into_iter::<AppError>()
                .next()?
                .ok()
        };
        // The browser's form reader shows serde's error with `{:?}`, which
        // escapes the JSON's quotes: undo that when the text does not parse.
        first(rest).or_else(|| {
            let mut unescaped = String::with_capacity(rest.len());
            let mut chars = rest.chars();
            while let Some(c) = chars.next() {
                unescaped.extend(if c == '\\' { chars.next() } else { Some(c) });
            }
            first(&unescaped)
        })
    }

    /// Something failed on the shop's side; the text reveals nothing of it.
    pub fn unexpected() -> Self {
        Self::new(
            ErrorCode::Internal,
            td_string!(Locale::current(), islands.unexpected),
        )
    }

    /// The browser could not reach the shop, or read its answer.
    pub fn unreachable() -> Self {
        Self::new(
            ErrorCode::Internal,
            td_string!(Locale::current(), islands.unreachable),
        )
    }

    /// Logs an internal failure with its context and returns an error whose
    /// text reveals nothing of it.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, err: impl fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        Self::unexpected()
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        // Postgres: serialization failure, deadlock. SQLite: busy, locked.
        const RETRYABLE: [&str; 6] = ["40001", "40P01", "5", "6", "261", "517"];
        let retryable = err
            .as_database_error()
            .and_then(|e| e.code())
            .is_some_and(|code| RETRYABLE.contains(&code.as_ref()));
        Self {
            retryable,
            ..Self::internal("database error", err)
        }
    }
}

/// An `AppError` as an HTTP answer, for the layers around the server
/// functions: the status comes from the code, as everywhere.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self)).into_response()
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // A domain type's own error, whether the server could not read the
        // request or the browser could not read a form into the arguments.
        if let ServerFnErrorErr::Args(msg)
        | ServerFnErrorErr::MissingArg(msg)
        | ServerFnErrorErr::Deserialization(msg)
        | ServerFnErrorErr::Serialization(msg) = &value
        {
            if let Some(own) = Self::from_serde_message(msg) {
                return own;
            }
        }
        match value {
            // The request did not parse: a client's mistake, never a 500.
            ServerFnErrorErr::Args(msg)
            | ServerFnErrorErr::MissingArg(msg)
            | ServerFnErrorErr::Deserialization(msg) => {
                Self::missing_field(&msg).unwrap_or_else(|| {
                    Self::bad_request(td_string!(
                        Locale::current(),
                        islands.request_invalid,
                        detail = msg
                    ))
                })
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::unreachable(),
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failure");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                Self::unexpected()
            }
        }
    }

    /// Encoding the error is the one moment every failed server function
    /// passes through on the server, so the HTTP status is set here.
    fn ser(&self) -> Bytes {
        #[cfg(feature = "ssr")]
        crate::http_status::set_status(self.status());
        serde_json::to_vec(self)
            .map(Into::into)
            .unwrap_or_else(|_| Bytes::from_static(b"{\"code\":\"INTERNAL\"}"))
    }
}

/// Where a domain type's own error starts inside a serde error message.
const SERDE_MARKER: &str = "app-error:";

/// Deserialises a domain value from a form field, a query value or a JSON
/// string or integer with its own `parse`, so a server function can take
/// the domain type itself: a bad value is answered with the type's code and
/// field (e.g. 400 `INVALID_QUANTITY`, `details.field = "quantity"`).
pub fn deserialize_parsed<'de, D, T>(
    deserializer: D,
    parse: impl FnOnce(&str) -> AppResult<T>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Raw;
    impl serde::de::Visitor<'_> for Raw {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        // A whole float (`3.0`) is its integer; fractions, booleans and the
        // like fall to `parse` as text that is no number and are refused
        // there. (Floats are not formatted: that code would weigh on the
        // wasm for nothing.)
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            let whole = v.fract() == 0.0 && v.abs() < 9.0e15;
            Ok(if whole {
                (v as i64).to_string()
            } else {
                "a fraction".to_string()
            })
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    let raw = deserializer.deserialize_any(Raw)?;
    parse(&raw).map_err(|err| {
        let json = serde_json::to_string(&err).unwrap_or_default();
        serde::de::Error::custom(format!("{SERDE_MARKER}{json}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_in_screaming_snake_case_and_match_as_str() {
        for code in [
            ErrorCode::BadRequest,
            ErrorCode::ProductNotFound,
            ErrorCode::IdempotencyKeyReused,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::Value::String(code.as_str().into()));
        }
    }

    #[test]
    fn statuses_follow_the_spec() {
        assert_eq!(ErrorCode::BadRequest.status(), 400);
        assert_eq!(ErrorCode::Unauthenticated.status(), 401);
        assert_eq!(ErrorCode::ForbiddenOrigin.status(), 403);
        assert_eq!(ErrorCode::ProductNotFound.status(), 404);
        assert_eq!(ErrorCode::InsufficientStock.status(), 409);
        assert_eq!(ErrorCode::IdempotencyKeyReused.status(), 422);
        assert_eq!(ErrorCode::TooManyAttempts.status(), 429);
    }

    #[test]
    fn argument_errors_are_bad_requests() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Args("per_page".into()));
        assert_eq!(err.code, ErrorCode::BadRequest);
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Args(
            "missing field `idempotency_key`".into(),
        ));
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert_eq!(err.field(), Some("idempotency_key"));
    }

    #[test]
    fn a_domain_error_survives_serde() {
        #[derive(Debug, Deserialize)]
        struct Form {
            #[serde(deserialize_with = "positive")]
            n: i64,
        }
        fn positive<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
            deserialize_parsed(d, |raw| {
                raw.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| AppError::invalid_field(ErrorCode::InvalidAmount, "n", "no"))
            })
        }
        assert_eq!(serde_json::from_str::<Form>(r#"{"n": 3}"#).unwrap().n, 3);
        assert_eq!(serde_json::from_str::<Form>(r#"{"n": "4"}"#).unwrap().n, 4);
        let err = serde_json::from_str::<Form>(r#"{"n": -1}"#).unwrap_err();
        let own = AppError::from_server_fn_error(ServerFnErrorErr::Args(err.to_string()));
        assert_eq!(own.code, ErrorCode::InvalidAmount);
        assert_eq!(own.field(), Some("n"));
        // As the browser's form reader reports it: debug-formatted.
        let debug = format!("Deserialization error: Custom({:?})", err.to_string());
        let own = AppError::from_server_fn_error(ServerFnErrorErr::Serialization(debug));
        assert_eq!(own.code, ErrorCode::InvalidAmount);
    }

    #[test]
    fn the_wire_shape_has_code_message_details() {
        let err = AppError::invalid_field(ErrorCode::InvalidAmount, "amount", "Too big");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["code"], "INVALID_AMOUNT");
        assert_eq!(json["message"], "Too big");
        assert_eq!(json["details"]["field"], "amount");
    }
}
