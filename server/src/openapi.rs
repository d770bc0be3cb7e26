//! The JSON API as an OpenAPI 3.1 document (`GET /api/openapi.json`).
//! Answers and shared values are the shop's own types (`ToSchema`); the
//! server functions' arguments are described by the request types here,
//! and a test checks that every server function has its path.

use app::{
    accounts::{
        identities::{LinkedIdentity, SignInMethods, SignInProvider},
        CurrentUser, LoggedOut, UserInfo,
    },
    addresses::{Address, AddressBook, AddressId, ShippingAddress},
    cart::{Cart, CartLine},
    catalog::{
        variants::{Choices, ProductOption, Variant},
        Product, ProductId, ProductPage, ProductWithVariants, Quantity, Sort, VariantId,
    },
    coupons::{
        CampaignId, CouponId, CouponKind, CouponStatus, IssuedCoupon, MyCoupon, MyCouponList,
        Offer, OfferList, Terms, Validity,
    },
    error::{AppError, ErrorCode},
    identity::UserId,
    likes::LikeState,
    money::Won,
    orders::{
        CancelledOrder, CheckoutSummary, CouponChoice, FreshKey, IdempotencyKey, LineRequest,
        OrderDetail, OrderId, OrderLine, OrderPage, OrderState, OrderStatus, OrderSummary, Payment,
        PaymentRedirect, PlacedOrder, ServicePayment,
    },
    payments::{Charge, ChargeId, ChargeStatus},
    platform::{BestSellers, TopProduct},
    points::{
        ChargeAmount, ChargeAnswer, ChargeStarted, LedgerEntry, LedgerKind, LedgerPage,
        PointBalance,
    },
    shipping::{Carrier, Shipment},
};
use serde::Deserialize;
use utoipa::{
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
    IntoParams, Modify, OpenApi, ToSchema,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Storefront",
        version = "1",
        description = "The shop's JSON API. State-changing calls are POSTs taking JSON or \
                       form bodies; reads are GETs with query parameters. Login state travels \
                       in the session cookie. Errors are {code, message, details}. \
                       Language: the `lang` cookie (`ko` or `en`), else Accept-Language, \
                       else Korean, said back in Content-Language. Error messages and \
                       product names come in that language; codes, statuses and details \
                       never change with it."
    ),
    paths(
        signup, login, logout, me,
        sign_in_methods, unlink_identity, set_password, change_login_id,
        provider_start, provider_callback, provider_link,
        list_products, get_product, list_brands,
        get_points, charge_points, point_history, my_charges, get_charge,
        like_product, unlike_product, liked_products,
        get_cart, add_to_cart, set_cart_quantity, remove_from_cart,
        list_addresses, add_address, update_address, make_default_address, remove_address,
        place_order, pay_order, list_orders, get_order, cancel_order, new_order_key, checkout_view,
        top_products,
        available_coupons, claim_coupon, my_coupons,
    ),
    components(schemas(
        AppError, ErrorCode, UserId, ProductId, Quantity, Won, Sort, OrderId, OrderStatus,
        OrderState, IdempotencyKey, ChargeAmount, LedgerKind, CartLine, OrderLine, OrderSummary,
        PaymentRedirect, ServicePayment,
        TopProduct, LedgerEntry, Product, Payment, CampaignId, CouponId, CouponKind,
        CouponStatus, Terms, Validity, Offer, MyCoupon, CouponChoice, SignInProvider,
        LinkedIdentity, ChargeId, ChargeStatus, ChargeStarted, VariantId, ProductWithVariants,
        Choices, ProductOption, Variant, AddressId, Address, AddressBook, ShippingAddress,
        Shipment, Carrier,
    )),
    modifiers(&SessionCookie),
    tags(
        (name = "accounts"), (name = "catalog"), (name = "points"), (name = "likes"),
        (name = "cart"), (name = "orders"), (name = "best sellers"), (name = "coupons"),
        (name = "addresses"),
    )
)]
pub struct ApiDoc;

/// The document, as served.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.merge(crate::openapi_admin::AdminDoc::openapi());
    document
}

struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "storefront_session",
                "Set by signup and login; a JSON client keeps it in a cookie jar.",
            ))),
        );
    }
}

// Request bodies: the server functions' arguments, by name. Each POST takes
// them as JSON or as a form.

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct Credentials {
    /// 3 to 20 of `[A-Za-z0-9_]`.
    #[schema(pattern = r"^[A-Za-z0-9_]{3,20}$")]
    login_id: String,
    /// 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128)]
    password: String,
    /// With a plain form post, where to go afterwards (a path on this site).
    next: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct LogoutRequest {
    next: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct UnlinkRequest {
    /// The provider's configured name.
    #[schema(max_length = 20)]
    provider: String,
    /// With a plain form post, where to go afterwards (a path on this site).
    next: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct NewPassword {
    /// 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128)]
    password: String,
    next: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct NewLoginId {
    /// 3 to 20 of `[A-Za-z0-9_]`.
    #[schema(pattern = r"^[A-Za-z0-9_]{3,20}$")]
    login_id: String,
    next: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct ChargeRequest {
    amount: ChargeAmount,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct ProductRequest {
    product_id: ProductId,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct CartLineRequest {
    product_id: ProductId,
    /// Which variant (size, colour); required for a product with options.
    variant_id: Option<VariantId>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct CartAddRequest {
    product_id: ProductId,
    /// Which variant (size, colour); required for a product with options.
    variant_id: Option<VariantId>,
    /// 1 when left out.
    quantity: Option<Quantity>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct CartSetRequest {
    product_id: ProductId,
    /// Which variant (size, colour); required for a product with options.
    variant_id: Option<VariantId>,
    quantity: Quantity,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct PlaceOrderRequest {
    idempotency_key: IdempotencyKey,
    /// One of my addresses: where it goes (required since shipping; 400
    /// `ADDRESS_REQUIRED` without it). The order keeps a copy.
    address_id: AddressId,
    /// 1 to 100 lines, each variant once.
    #[schema(min_items = 1, max_items = 100)]
    items: Option<Vec<LineRequest>>,
    /// Everything in my cart (with `items`: the cart as the checkout page showed it).
    from_cart: Option<bool>,
    /// One of my coupons; empty or left out for none.
    coupon_id: Option<CouponId>,
    /// Points to spend, 0 to the total (after the coupon, with the
    /// shipping fee); empty or left
    /// out: all of it. The rest is paid through the payment service (the
    /// order awaits it); without one, the rest is `INSUFFICIENT_POINTS`.
    #[schema(minimum = 0)]
    points: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct PayOrderRequest {
    order_id: OrderId,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct ClaimRequest {
    campaign_id: CampaignId,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct CancelOrderRequest {
    order_id: OrderId,
    idempotency_key: IdempotencyKey,
    /// Why, in up to 200 characters.
    #[schema(max_length = 200)]
    reason: Option<String>,
}

// Query parameters.

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ProductsQuery {
    /// From 1.
    #[param(minimum = 1, maximum = 100_000)]
    page: Option<u32>,
    /// 1 to 100, default 12.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
    sort: Option<Sort>,
    #[param(max_length = 100)]
    brand: Option<String>,
    /// Words, any case, each found in a name (any language), the brand or a
    /// description; name matches first in the default order. The count
    /// stops at 1,000 (`total_capped`).
    #[param(max_length = 100)]
    q: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct BrandsQuery {
    /// The brands with the most products on sale, this many (in order of
    /// name); every brand without it.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct StartQuery {
    /// Where to go once signed in: a path on this site (anything else: `/`).
    #[param(max_length = 2000)]
    next: Option<String>,
}

/// What the provider sends the browser back with.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    /// The provider's refusal (`access_denied`).
    error: Option<String>,
    /// The issuer (RFC 9207); when sent it must be the provider's.
    iss: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct ProviderName {
    /// The provider's configured name (`OIDC_PROVIDERS`).
    name: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct PageQuery {
    #[param(minimum = 1, maximum = 100_000)]
    page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct CheckoutQuery {
    /// One of my coupons, to see what it takes off.
    coupon_id: Option<CouponId>,
    /// One of my addresses, chosen instead of my default (anything else:
    /// my default).
    address_id: Option<AddressId>,
}

/// A new address, or every field of one changed.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct AddressRequest {
    /// What I call it (집, 회사), 0 to 20 characters.
    #[schema(max_length = 20)]
    label: Option<String>,
    /// Who receives it, 1 to 30 characters.
    #[schema(min_length = 1, max_length = 30)]
    recipient: String,
    /// A Korean number, with or without hyphens where Koreans write them:
    /// `010-1234-5678`, `01012345678`, `02-123-4567`.
    #[schema(
        pattern = r"^(010-?[0-9]{4}|(01[16789]|02|03[1-3]|04[1-4]|05[1-5]|06[1-4]|070)-?[0-9]{3,4})-?[0-9]{4}$"
    )]
    phone: String,
    /// Five digits.
    #[schema(pattern = r"^[0-9]{5}$")]
    postal_code: String,
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    address1: String,
    #[schema(max_length = 100)]
    address2: Option<String>,
    /// A note for the courier.
    #[schema(max_length = 100)]
    memo: Option<String>,
    /// Make it my default.
    is_default: Option<bool>,
}

/// `AddressRequest` with the address it changes.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct UpdateAddressRequest {
    address_id: AddressId,
    #[schema(max_length = 20)]
    label: Option<String>,
    #[schema(min_length = 1, max_length = 30)]
    recipient: String,
    #[schema(
        pattern = r"^(010-?[0-9]{4}|(01[16789]|02|03[1-3]|04[1-4]|05[1-5]|06[1-4]|070)-?[0-9]{3,4})-?[0-9]{4}$"
    )]
    phone: String,
    #[schema(pattern = r"^[0-9]{5}$")]
    postal_code: String,
    #[schema(min_length = 1, max_length = 200)]
    address1: String,
    #[schema(max_length = 100)]
    address2: Option<String>,
    #[schema(max_length = 100)]
    memo: Option<String>,
    /// Make it my default (a default stays one until another is made it).
    is_default: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct AddressIdRequest {
    address_id: AddressId,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct IdQuery {
    #[param(minimum = 1)]
    id: i64,
}

// One function per path, for its description only.

#[utoipa::path(post, path = "/api/signup", tag = "accounts",
    request_body(content((Credentials = "application/json"), (Credentials = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "Created and logged in", body = UserInfo),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 409, description = "LOGIN_ID_TAKEN", body = AppError),
    ))]
#[allow(dead_code)]
fn signup() {}

#[utoipa::path(post, path = "/api/login", tag = "accounts",
    request_body(content((Credentials = "application/json"), (Credentials = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Logged in (a new session id)", body = UserInfo),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "INVALID_CREDENTIALS", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 429, description = "TOO_MANY_ATTEMPTS", body = AppError),
    ))]
#[allow(dead_code)]
fn login() {}

#[utoipa::path(post, path = "/api/logout", tag = "accounts",
    request_body(content((LogoutRequest = "application/json"), (LogoutRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The session ended", body = LoggedOut),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
    ))]
#[allow(dead_code)]
fn logout() {}

#[utoipa::path(get, path = "/api/me", tag = "accounts", security(("session" = [])),
    responses(
        (status = 200, description = "Who is logged in", body = CurrentUser),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn me() {}

#[utoipa::path(get, path = "/api/sign_in_methods", tag = "accounts", security(("session" = [])),
    responses(
        (status = 200, description = "My password, linked providers and those I can link", body = SignInMethods),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn sign_in_methods() {}

#[utoipa::path(post, path = "/api/unlink_identity", tag = "accounts", security(("session" = [])),
    request_body(content((UnlinkRequest = "application/json"), (UnlinkRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Unlinked", body = SignInMethods),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "NOT_FOUND: no identity of that provider is linked", body = AppError),
        (status = 409, description = "LAST_SIGN_IN_METHOD: no password and no other identity", body = AppError),
    ))]
#[allow(dead_code)]
fn unlink_identity() {}

#[utoipa::path(post, path = "/api/set_password", tag = "accounts", security(("session" = [])),
    request_body(content((NewPassword = "application/json"), (NewPassword = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The account has a password now", body = SignInMethods),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 409, description = "PASSWORD_ALREADY_SET", body = AppError),
    ))]
#[allow(dead_code)]
fn set_password() {}

#[utoipa::path(post, path = "/api/change_login_id", tag = "accounts", security(("session" = [])),
    request_body(content((NewLoginId = "application/json"), (NewLoginId = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Changed (once: it was generated at a provider's sign-in)", body = SignInMethods),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 409, description = "LOGIN_ID_FIXED, LOGIN_ID_TAKEN", body = AppError),
    ))]
#[allow(dead_code)]
fn change_login_id() {}

#[utoipa::path(get, path = "/auth/{name}/start", tag = "accounts", params(ProviderName, StartQuery),
    responses(
        (status = 303, description = "To the provider (PKCE, state and nonce kept in the session \
                                      for 10 minutes); to /login?sign_in=unavailable when it \
                                      cannot be reached"),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 404, description = "NOT_FOUND: no such provider", body = AppError),
    ))]
#[allow(dead_code)]
fn provider_start() {}

#[utoipa::path(get, path = "/auth/{name}/callback", tag = "accounts", params(ProviderName, CallbackQuery),
    responses(
        (status = 303, description = "Signed in (a new session id): on to `next`. Linked: to \
                                      /account?linked={name}. Otherwise to /login?sign_in= (or \
                                      /account?sign_in=) denied, expired, failed, unavailable or \
                                      taken, with nothing logged in or created"),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
    ))]
#[allow(dead_code)]
fn provider_callback() {}

#[utoipa::path(post, path = "/auth/{name}/link", tag = "accounts", params(ProviderName), security(("session" = [])),
    responses(
        (status = 303, description = "To the provider, to link its identity to my account (a guest: \
                                      to /login)"),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "NOT_FOUND: no such provider", body = AppError),
    ))]
#[allow(dead_code)]
fn provider_link() {}

#[utoipa::path(get, path = "/api/products", tag = "catalog", params(ProductsQuery),
    responses(
        (status = 200, description = "A page of products", body = ProductPage),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
    ))]
#[allow(dead_code)]
fn list_products() {}

#[utoipa::path(get, path = "/api/products/get", tag = "catalog", params(IdQuery),
    responses(
        (status = 200, description = "The product with its options and variants (names \
            and values in the reader's language; a product without options has one variant)",
            body = ProductWithVariants),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn get_product() {}

#[utoipa::path(get, path = "/api/brands", tag = "catalog", params(BrandsQuery),
    responses(
        (status = 200, description = "Every brand on sale, or the `limit` with the most products",
            body = Vec<String>),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
    ))]
#[allow(dead_code)]
fn list_brands() {}

#[utoipa::path(get, path = "/api/points", tag = "points", security(("session" = [])),
    responses(
        (status = 200, description = "My balance", body = PointBalance),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn get_points() {}

#[utoipa::path(post, path = "/api/points/charge", tag = "points", security(("session" = [])),
    request_body(content((ChargeRequest = "application/json"), (ChargeRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "PAYMENTS=demo: charged at once ({user_id, points, charged}); \
            PAYMENTS=kakaopay: a pending charge ({charge_id, status, redirect_url}: the shopper pays \
            at redirect_url; a form post is answered 303 there)", body = ChargeAnswer),
        (status = 400, description = "INVALID_AMOUNT (1 to 1,000,000 demo points; 1,000 to 2,000,000 won with KakaoPay), BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 409, description = "POINT_LIMIT_EXCEEDED (with the charges still pending)", body = AppError),
        (status = 503, description = "PAYMENT_UNAVAILABLE: KakaoPay did not start the payment (nothing left pending)", body = AppError),
    ))]
#[allow(dead_code)]
fn charge_points() {}

#[utoipa::path(get, path = "/api/points/charges", tag = "points", security(("session" = [])),
    responses(
        (status = 200, description = "My charges through a payment service, newest first (the latest 50)", body = Vec<Charge>),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn my_charges() {}

#[utoipa::path(get, path = "/api/points/charges/get", tag = "points", security(("session" = [])),
    params(IdQuery),
    responses(
        (status = 200, description = "One of my charges", body = Charge),
        (status = 400, description = "BAD_REQUEST (no id)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 404, description = "NOT_FOUND (also anyone else's)", body = AppError),
    ))]
#[allow(dead_code)]
fn get_charge() {}

#[utoipa::path(get, path = "/api/points/history", tag = "points", security(("session" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "Every charge and use, newest first", body = LedgerPage),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn point_history() {}

#[utoipa::path(post, path = "/api/likes/add", tag = "likes", security(("session" = [])),
    request_body(content((ProductRequest = "application/json"), (ProductRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Liked (liking twice changes nothing)", body = LikeState),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn like_product() {}

#[utoipa::path(post, path = "/api/likes/remove", tag = "likes", security(("session" = [])),
    request_body(content((ProductRequest = "application/json"), (ProductRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Not liked (unliking twice changes nothing)", body = LikeState),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn unlike_product() {}

#[utoipa::path(get, path = "/api/likes", tag = "likes", security(("session" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "The products I like, newest like first", body = ProductPage),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn liked_products() {}

#[utoipa::path(get, path = "/api/cart", tag = "cart",
    responses((status = 200, description = "My cart (a guest's lives in the session)", body = Cart)))]
#[allow(dead_code)]
fn get_cart() {}

#[utoipa::path(post, path = "/api/cart/add", tag = "cart",
    request_body(content((CartAddRequest = "application/json"), (CartAddRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The cart; the line raised, capped at 99", body = Cart),
        (status = 400, description = "INVALID_QUANTITY, BAD_REQUEST (a full cart), VARIANT_REQUIRED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND, VARIANT_NOT_FOUND", body = AppError),
        (status = 409, description = "INSUFFICIENT_STOCK (sold out)", body = AppError),
    ))]
#[allow(dead_code)]
fn add_to_cart() {}

#[utoipa::path(post, path = "/api/cart/set", tag = "cart",
    request_body(content((CartSetRequest = "application/json"), (CartSetRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The cart", body = Cart),
        (status = 400, description = "INVALID_QUANTITY, BAD_REQUEST, VARIANT_REQUIRED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND, VARIANT_NOT_FOUND", body = AppError),
        (status = 409, description = "INSUFFICIENT_STOCK (sold out)", body = AppError),
    ))]
#[allow(dead_code)]
fn set_cart_quantity() {}

#[utoipa::path(post, path = "/api/cart/remove", tag = "cart",
    request_body(content((CartLineRequest = "application/json"), (CartLineRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The cart", body = Cart),
        (status = 400, description = "BAD_REQUEST, VARIANT_REQUIRED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND, VARIANT_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn remove_from_cart() {}

#[utoipa::path(get, path = "/api/addresses", tag = "addresses", security(("session" = [])),
    responses(
        (status = 200, description = "My addresses, the default first", body = AddressBook),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn list_addresses() {}

#[utoipa::path(post, path = "/api/addresses", tag = "addresses", security(("session" = [])),
    request_body(content((AddressRequest = "application/json"), (AddressRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "The address (my first one is my default)", body = Address),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 409, description = "TOO_MANY_ADDRESSES (20 at most)", body = AppError),
    ))]
#[allow(dead_code)]
fn add_address() {}

#[utoipa::path(post, path = "/api/addresses/update", tag = "addresses", security(("session" = [])),
    request_body(content((UpdateAddressRequest = "application/json"), (UpdateAddressRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The address as it is now (orders sent there keep their copy)", body = Address),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "ADDRESS_NOT_FOUND (also anyone else's)", body = AppError),
    ))]
#[allow(dead_code)]
fn update_address() {}

#[utoipa::path(post, path = "/api/addresses/default", tag = "addresses", security(("session" = [])),
    request_body(content((AddressIdRequest = "application/json"), (AddressIdRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "My addresses, this one the default", body = AddressBook),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "ADDRESS_NOT_FOUND (also anyone else's)", body = AppError),
    ))]
#[allow(dead_code)]
fn make_default_address() {}

#[utoipa::path(post, path = "/api/addresses/remove", tag = "addresses", security(("session" = [])),
    request_body(content((AddressIdRequest = "application/json"), (AddressIdRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "My addresses without it (the newest of the rest is the \
                                      default, if it was)", body = AddressBook),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "ADDRESS_NOT_FOUND (also anyone else's)", body = AppError),
    ))]
#[allow(dead_code)]
fn remove_address() {}

#[utoipa::path(post, path = "/api/orders/place", tag = "orders", security(("session" = [])),
    request_body(content((PlaceOrderRequest = "application/json"), (PlaceOrderRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "Ordered (or the first answer under this key): `placed`, or \
                                      `awaiting_payment` with `redirect_url` where the rest is paid \
                                      (a form gets 303 there)", body = PlacedOrder),
        (status = 400, description = "BAD_REQUEST (details.field: points too), INVALID_QUANTITY, VARIANT_REQUIRED, ADDRESS_REQUIRED", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND (details.product_ids), VARIANT_NOT_FOUND, ADDRESS_NOT_FOUND", body = AppError),
        (status = 409, description = "INSUFFICIENT_STOCK, COUPON_NOT_USABLE, COUPON_MINIMUM_NOT_MET, \
                                      INSUFFICIENT_POINTS, PRICE_CHANGED (every problem in \
                                      details.problems), CART_CHANGED, REQUEST_IN_PROGRESS", body = AppError),
        (status = 422, description = "IDEMPOTENCY_KEY_REUSED", body = AppError),
    ))]
#[allow(dead_code)]
fn place_order() {}

#[utoipa::path(post, path = "/api/orders/pay", tag = "orders", security(("session" = [])),
    request_body(content((PayOrderRequest = "application/json"), (PayOrderRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "A fresh payment of the rest of my order awaiting it: where to \
                                      pay (a form gets 303 there)", body = PaymentRedirect),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "ORDER_NOT_FOUND (also anyone else's)", body = AppError),
        (status = 409, description = "ORDER_NOT_PAYABLE (details.status; or its payment is being \
                                      confirmed)", body = AppError),
        (status = 503, description = "PAYMENT_UNAVAILABLE", body = AppError),
    ))]
#[allow(dead_code)]
fn pay_order() {}

#[utoipa::path(get, path = "/api/orders", tag = "orders", security(("session" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "My orders, newest first", body = OrderPage),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn list_orders() {}

#[utoipa::path(get, path = "/api/orders/get", tag = "orders", security(("session" = [])),
    params(IdQuery),
    responses(
        (status = 200, description = "One of my orders", body = OrderDetail),
        (status = 400, description = "BAD_REQUEST (no id)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 404, description = "ORDER_NOT_FOUND (also anyone else's)", body = AppError),
    ))]
#[allow(dead_code)]
fn get_order() {}

#[utoipa::path(post, path = "/api/orders/cancel", tag = "orders", security(("session" = [])),
    request_body(content((CancelOrderRequest = "application/json"), (CancelOrderRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The order, cancelled, with the points refunded (or the first answer under this key)", body = CancelledOrder),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "ORDER_NOT_FOUND (also anyone else's)", body = AppError),
        (status = 409, description = "ORDER_NOT_CANCELLABLE (details.status; or its payment is \
                                      being confirmed), REQUEST_IN_PROGRESS", body = AppError),
        (status = 422, description = "IDEMPOTENCY_KEY_REUSED", body = AppError),
    ))]
#[allow(dead_code)]
fn cancel_order() {}

#[utoipa::path(get, path = "/api/orders/key", tag = "orders", security(("session" = [])),
    responses(
        (status = 200, description = "A fresh idempotency key for a cancel form", body = FreshKey),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn new_order_key() {}

#[utoipa::path(get, path = "/api/checkout", tag = "orders", security(("session" = [])),
    params(CheckoutQuery),
    responses(
        (status = 200, description = "My cart against my balance, with a fresh idempotency key, \
                                      my usable coupons and what the chosen one takes off", body = CheckoutSummary),
        (status = 400, description = "BAD_REQUEST (coupon_id)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn checkout_view() {}

#[utoipa::path(get, path = "/api/coupons/available", tag = "coupons",
    responses(
        (status = 200, description = "The campaigns one may claim, with what is left", body = OfferList),
    ))]
#[allow(dead_code)]
fn available_coupons() {}

#[utoipa::path(post, path = "/api/coupons/issue", tag = "coupons", security(("session" = [])),
    request_body(content((ClaimRequest = "application/json"), (ClaimRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "My coupon: first come, first served, one per shopper", body = IssuedCoupon),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "NOT_FOUND: no such campaign, or closed or ended", body = AppError),
        (status = 409, description = "COUPON_SOLD_OUT, COUPON_ALREADY_ISSUED", body = AppError),
    ))]
#[allow(dead_code)]
fn claim_coupon() {}

#[utoipa::path(get, path = "/api/coupons", tag = "coupons", security(("session" = [])),
    responses(
        (status = 200, description = "My coupons, newest first, with their status", body = MyCouponList),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
    ))]
#[allow(dead_code)]
fn my_coupons() {}

#[utoipa::path(get, path = "/api/top-products", tag = "best sellers",
    responses((status = 200, description = "The five best sellers of the last three days", body = BestSellers)))]
#[allow(dead_code)]
fn top_products() {}
