//! The admin API in the OpenAPI document: every `/api/admin/...` function,
//! merged into the shop's document (`openapi::document`). Each needs a
//! session of staff whose role has the permission named in its description.

use app::{
    accounts::customers::{CustomerDetail, CustomerPage, CustomerSummary},
    admin::{
        dashboard::{Dashboard, LowStock},
        orders::{ShipLine, ShippedOrders},
    },
    audit::{AuditEntry, AuditKind, AuditPage},
    catalog::{
        edit::{AdminProduct, AdminProductPage, Price, PriceChange, ProductDetail, Sku},
        variants::{AdminOption, AdminValue, AdminVariant, OptionInput, ValueInput},
        AdjustCause, MovementReason, ProductId, StockAdjusted, StockDelta, StockMovement,
        VariantId,
    },
    coupons::{Campaign, CampaignId, CampaignPage, CouponKind},
    error::AppError,
    identity::UserId,
    orders::{
        AdminOrder, AdminOrderPage, AdminOrderSummary, CancelledOrder, IdempotencyKey, OrderDetail,
        OrderId, StatusEntry,
    },
    payments::{PaymentsStatus, StuckCharge},
    platform::{OutboxStats, PendingEvent, PlatformStatus},
    points::{PointBalance, PointDelta},
    staff::{Role, StaffList, StaffMember},
};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        dashboard, products, product, create_product, update_product, change_price,
        set_on_sale, upload_picture, adjust_stock, set_options, update_variant, staff_list, grant_role, revoke_role,
        audit_log, orders, order, export_orders, ship_order, ship_orders, deliver_order, cancel_order, customers, customer,
        adjust_points, platform, retry_event, coupons, coupon, create_campaign,
        update_campaign, payments, refund_charge,
    ),
    components(schemas(
        AdminProduct, AdminProductPage, ProductDetail, PriceChange, StockMovement,
        StockAdjusted, MovementReason, AdjustCause, StockDelta, Sku, Price, Role,
        StaffMember, StaffList, AuditEntry, AuditKind, AuditPage, Dashboard,
        AdminOrderSummary, AdminOrderPage, AdminOrder, StatusEntry, CustomerSummary,
        CustomerPage, CustomerDetail, PointDelta, PlatformStatus, PendingEvent, OutboxStats,
        Campaign, CampaignPage, PaymentsStatus, StuckCharge, AdminOption, AdminValue,
        AdminVariant, OptionInput, ValueInput, VariantId, LowStock, ShipLine, ShippedOrders,
    )),
    tags((name = "admin", description = "The operator's side: staff only. 401 \
        UNAUTHENTICATED without a session, 403 FORBIDDEN for a role without the \
        permission. Roles: admin (all), catalog_manager (catalog), order_manager \
        (orders), support (orders, customers)."))
)]
pub struct AdminDoc;

/// A coupon campaign, as created and (all fields again) as changed.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct CampaignRequest {
    /// The Korean name, 1 to 80 characters.
    #[schema(min_length = 1, max_length = 80)]
    name: String,
    /// English pages show the Korean name without it.
    #[schema(max_length = 80)]
    name_en: Option<String>,
    kind: CouponKind,
    /// Won off (`fixed`, 1 to 100,000,000) or percent (`percent`, 1 to 100).
    #[schema(minimum = 1, maximum = 100_000_000)]
    value: i64,
    /// A percentage's cap in won.
    #[schema(minimum = 1, maximum = 100_000_000)]
    max_discount: Option<i64>,
    /// The order total the coupon needs; 0 when left out.
    #[schema(minimum = 0, maximum = 100_000_000)]
    min_order: Option<i64>,
    /// How many may be issued; unlimited when left out.
    #[schema(minimum = 1, maximum = 10_000_000)]
    quantity: Option<i64>,
    /// Unix milliseconds (or a Seoul time `YYYY-MM-DDTHH:MM` or day from a form).
    #[schema(minimum = 946_684_800_000_i64, maximum = 4_102_444_800_000_i64)]
    valid_from: Option<i64>,
    /// Unix milliseconds, excluded; after `valid_from`.
    #[schema(minimum = 946_684_800_000_i64, maximum = 4_102_444_800_000_i64)]
    valid_until: Option<i64>,
    /// Shoppers may claim it; closed when left out.
    open: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct UpdateCampaignRequest {
    campaign_id: CampaignId,
    #[serde(flatten)]
    campaign: CampaignRequest,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct CouponsQuery {
    #[param(minimum = 1, maximum = 100_000)]
    page: Option<u32>,
    /// 1 to 100, default 30.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct NewProductRequest {
    sku: Sku,
    /// The Korean name, 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    #[schema(min_length = 1, max_length = 50)]
    brand: String,
    #[schema(max_length = 2000)]
    description: Option<String>,
    price: Price,
    /// 0 to 1,000,000; 0 when left out.
    #[schema(minimum = 0, maximum = 1_000_000)]
    stock: Option<i64>,
    /// English pages fall back to the Korean name without it.
    #[schema(max_length = 100)]
    name_en: Option<String>,
    #[schema(max_length = 2000)]
    description_en: Option<String>,
}

/// Only what is given changes; an English text sent empty is removed.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct UpdateProductRequest {
    product_id: ProductId,
    #[schema(min_length = 1, max_length = 100)]
    name: Option<String>,
    #[schema(min_length = 1, max_length = 50)]
    brand: Option<String>,
    #[schema(max_length = 2000)]
    description: Option<String>,
    #[schema(max_length = 100)]
    name_en: Option<String>,
    #[schema(max_length = 2000)]
    description_en: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct PriceRequest {
    product_id: ProductId,
    price: Price,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct SaleRequest {
    product_id: ProductId,
    on_sale: bool,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct PictureUpload {
    product_id: ProductId,
    /// PNG, JPEG or WebP, at most 5 MB (known by its content).
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    image: String,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct AdjustRequest {
    product_id: ProductId,
    /// Which variant; required for a product with options.
    variant_id: Option<VariantId>,
    delta: StockDelta,
    reason: AdjustCause,
    #[schema(max_length = 200)]
    note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct GrantRequest {
    #[schema(pattern = r"^[A-Za-z0-9_]{3,20}$")]
    login_id: String,
    role: Role,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct RevokeRequest {
    #[schema(pattern = r"^[A-Za-z0-9_]{3,20}$")]
    login_id: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct AdminProductsQuery {
    #[param(minimum = 1, maximum = 100_000)]
    page: Option<u32>,
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
    /// A part of the name (any language) or of the SKU.
    #[param(max_length = 100)]
    q: Option<String>,
    /// Only those on sale (true) or off sale (false).
    on_sale: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct AuditQuery {
    #[param(minimum = 1, maximum = 100_000)]
    page: Option<u32>,
    /// 1 to 100, default 50.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
    /// A staff member's login id.
    #[param(max_length = 100)]
    actor: Option<String>,
    kind: Option<AuditKind>,
    /// `product:<id>` or `user:<login id>`.
    #[param(max_length = 100)]
    target: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct IdQuery {
    #[param(minimum = 1)]
    id: i64,
}

#[utoipa::path(get, path = "/api/admin/dashboard", tag = "admin", security(("session" = [])),
    responses(
        (status = 200, description = "Any staff: today's orders and revenue, products low on stock", body = Dashboard),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN (a shopper)", body = AppError),
    ))]
#[allow(dead_code)]
fn dashboard() {}

#[utoipa::path(get, path = "/api/admin/products", tag = "admin", security(("session" = [])),
    params(AdminProductsQuery),
    responses(
        (status = 200, description = "catalog: every product, on sale or not, newest first", body = AdminProductPage),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
    ))]
#[allow(dead_code)]
fn products() {}

#[utoipa::path(get, path = "/api/admin/products/get", tag = "admin", security(("session" = [])),
    params(IdQuery),
    responses(
        (status = 200, description = "catalog: the product, its price history and latest stock movements", body = ProductDetail),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn product() {}

#[utoipa::path(post, path = "/api/admin/products", tag = "admin", security(("session" = [])),
    request_body(content((NewProductRequest = "application/json"), (NewProductRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "catalog: created, on sale, with its initial stock movement", body = AdminProduct),
        (status = 400, description = "BAD_REQUEST, INVALID_AMOUNT (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 409, description = "SKU_TAKEN", body = AppError),
    ))]
#[allow(dead_code)]
fn create_product() {}

#[utoipa::path(post, path = "/api/admin/products/update", tag = "admin", security(("session" = [])),
    request_body(content((UpdateProductRequest = "application/json"), (UpdateProductRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "catalog: the product as changed", body = AdminProduct),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn update_product() {}

#[utoipa::path(post, path = "/api/admin/products/price", tag = "admin", security(("session" = [])),
    request_body(content((PriceRequest = "application/json"), (PriceRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "catalog: the new price of a product without options (kept in the price history)", body = AdminProduct),
        (status = 400, description = "INVALID_AMOUNT, BAD_REQUEST, VARIANT_REQUIRED (a product with options has a price per variant)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn change_price() {}

#[utoipa::path(post, path = "/api/admin/products/sale", tag = "admin", security(("session" = [])),
    request_body(content((SaleRequest = "application/json"), (SaleRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "catalog: on or off sale", body = AdminProduct),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn set_on_sale() {}

#[utoipa::path(post, path = "/api/admin/products/picture", tag = "admin", security(("session" = [])),
    request_body(content((PictureUpload = "multipart/form-data"))),
    responses(
        (status = 200, description = "catalog: the product with its new picture", body = AdminProduct),
        (status = 400, description = "BAD_REQUEST (details.field = image: not PNG, JPEG or WebP, \
                                      over 5 MB, broken, or not multipart)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn upload_picture() {}

#[utoipa::path(post, path = "/api/admin/stock/adjust", tag = "admin", security(("session" = [])),
    request_body(content((AdjustRequest = "application/json"), (AdjustRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "catalog: the variant's stock after, and the movement written", body = StockAdjusted),
        (status = 400, description = "BAD_REQUEST (details.field), VARIANT_REQUIRED", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND, VARIANT_NOT_FOUND", body = AppError),
        (status = 409, description = "INSUFFICIENT_STOCK (nothing changed)", body = AppError),
    ))]
#[allow(dead_code)]
fn adjust_stock() {}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct OptionsRequest {
    product_id: ProductId,
    /// 0 to 3 options, each with 1 or more values in order; at most 100
    /// combinations. Matched to the product's options by position and to
    /// their values by the Korean text.
    #[schema(max_items = 3)]
    options: Vec<OptionInput>,
}

#[utoipa::path(post, path = "/api/admin/products/options", tag = "admin", security(("session" = [])),
    request_body(content((OptionsRequest = "application/json"), (OptionsRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "catalog: the product with its options and every variant; \
            each missing combination was created (stock 0, the product's price, SKU \
            `<sku>-<n>`); a value left out is retired and its variants are off sale", body = ProductDetail),
        (status = 400, description = "BAD_REQUEST (details.field; an option cannot be taken away), TOO_MANY_VARIANTS", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "PRODUCT_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn set_options() {}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct VariantRequest {
    variant_id: VariantId,
    sku: Option<Sku>,
    price: Option<Price>,
    /// `true` or `false`.
    on_sale: Option<String>,
}

#[utoipa::path(post, path = "/api/admin/variants/update", tag = "admin", security(("session" = [])),
    request_body(content((VariantRequest = "application/json"), (VariantRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "catalog: the variant after (a price change is kept in the price history)", body = AdminVariant),
        (status = 400, description = "BAD_REQUEST (details.field), INVALID_AMOUNT", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "VARIANT_NOT_FOUND", body = AppError),
        (status = 409, description = "SKU_TAKEN", body = AppError),
    ))]
#[allow(dead_code)]
fn update_variant() {}

#[utoipa::path(get, path = "/api/admin/staff", tag = "admin", security(("session" = [])),
    responses(
        (status = 200, description = "staff: every member of staff", body = StaffList),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
    ))]
#[allow(dead_code)]
fn staff_list() {}

#[utoipa::path(post, path = "/api/admin/staff/grant", tag = "admin", security(("session" = [])),
    request_body(content((GrantRequest = "application/json"), (GrantRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "staff: the staff list after", body = StaffList),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "USER_NOT_FOUND", body = AppError),
        (status = 409, description = "LAST_ADMIN", body = AppError),
    ))]
#[allow(dead_code)]
fn grant_role() {}

#[utoipa::path(post, path = "/api/admin/staff/revoke", tag = "admin", security(("session" = [])),
    request_body(content((RevokeRequest = "application/json"), (RevokeRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "staff: the staff list after", body = StaffList),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "USER_NOT_FOUND", body = AppError),
        (status = 409, description = "LAST_ADMIN", body = AppError),
    ))]
#[allow(dead_code)]
fn revoke_role() {}

#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", security(("session" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "staff: every staff action, newest first", body = AuditPage),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
    ))]
#[allow(dead_code)]
fn audit_log() {}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct AdminOrdersQuery {
    /// awaiting_payment, placed (to ship), shipped, delivered, cancelled or expired.
    #[param(pattern = "^(awaiting_payment|placed|shipped|delivered|cancelled|expired)$")]
    status: Option<String>,
    /// The first day (YYYY-MM-DD, Seoul).
    #[param(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    from: Option<String>,
    /// The last day, included (YYYY-MM-DD, Seoul).
    #[param(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    to: Option<String>,
    #[param(minimum = 1)]
    user_id: Option<i64>,
    #[param(minimum = 1)]
    product_id: Option<i64>,
    #[param(minimum = 1, maximum = 100_000)]
    page: Option<u32>,
    /// 1 to 100, default 30.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ExportQuery {
    /// awaiting_payment, placed (to ship), shipped, delivered, cancelled or expired.
    #[param(pattern = "^(awaiting_payment|placed|shipped|delivered|cancelled|expired)$")]
    status: Option<String>,
    /// The first day (YYYY-MM-DD, Seoul).
    #[param(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    from: Option<String>,
    /// The last day, included (YYYY-MM-DD, Seoul).
    #[param(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    to: Option<String>,
    #[param(minimum = 1)]
    user_id: Option<i64>,
    #[param(minimum = 1)]
    product_id: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct CustomersQuery {
    /// A part of the login id.
    #[param(max_length = 20)]
    q: Option<String>,
    #[param(minimum = 1, maximum = 100_000)]
    page: Option<u32>,
    /// 1 to 100, default 30.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct ShipRequest {
    order_id: OrderId,
    /// `cj` (CJ대한통운), `lotte` (롯데택배), `hanjin` (한진택배), `epost`
    /// (우체국택배) or `logen` (로젠택배).
    #[schema(pattern = "^(cj|lotte|hanjin|epost|logen)$")]
    carrier: String,
    /// The waybill number: 10 to 14 digits (hyphens are dropped).
    #[schema(pattern = "^[0-9]{10,14}$")]
    tracking_number: String,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct ShipManyRequest {
    /// Each order once; lines without a number are left out; 1 to 200
    /// with one.
    #[schema(min_items = 1, max_items = 200)]
    shipments: Vec<ShipLine>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct DeliverRequest {
    order_id: OrderId,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct StaffCancelRequest {
    order_id: OrderId,
    idempotency_key: IdempotencyKey,
    #[schema(min_length = 1, max_length = 200)]
    reason: String,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct PointsRequest {
    user_id: UserId,
    delta: PointDelta,
    #[schema(min_length = 1, max_length = 200)]
    reason: String,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct RefundRequest {
    /// The charge to refund.
    charge_id: i64,
    #[schema(min_length = 1, max_length = 200)]
    reason: String,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct RetryRequest {
    #[schema(min_length = 1, max_length = 100)]
    event_id: String,
}

#[utoipa::path(get, path = "/api/admin/orders", tag = "admin", security(("session" = [])),
    params(AdminOrdersQuery),
    responses(
        (status = 200, description = "orders: every order, newest first, filtered", body = AdminOrderPage),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
    ))]
#[allow(dead_code)]
fn orders() {}

#[utoipa::path(get, path = "/api/admin/orders/get", tag = "admin", security(("session" = [])),
    params(IdQuery),
    responses(
        (status = 200, description = "orders: the order with its lines, payment, customer and status history", body = AdminOrder),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
        (status = 404, description = "ORDER_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn order() {}

#[utoipa::path(get, path = "/api/admin/orders/export", tag = "admin", security(("session" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "orders: the list (oldest first, at most 10,000) as CSV for a \
                                      courier's bulk upload: order, ordered at, status, recipient, \
                                      phone, postal code, address, memo, items with their options. \
                                      UTF-8 with a byte-order mark; a cell starting with =, +, -, @ \
                                      is written after a `'`", content_type = "text/csv", body = String),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
    ))]
#[allow(dead_code)]
fn export_orders() {}

#[utoipa::path(post, path = "/api/admin/orders/ship", tag = "admin", security(("session" = [])),
    request_body(content((ShipRequest = "application/json"), (ShipRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "orders: the order, shipped, with its shipment and tracking link", body = OrderDetail),
        (status = 400, description = "BAD_REQUEST (details.field: carrier, tracking_number)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "ORDER_NOT_FOUND", body = AppError),
        (status = 409, description = "ORDER_NOT_FULFILLABLE (it is not placed: details.status)", body = AppError),
    ))]
#[allow(dead_code)]
fn ship_order() {}

#[utoipa::path(post, path = "/api/admin/orders/ship-many", tag = "admin", security(("session" = [])),
    request_body(content((ShipManyRequest = "application/json"), (ShipManyRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "orders: every order with a number shipped, or none", body = ShippedOrders),
        (status = 400, description = "BAD_REQUEST (details.field, details.order_id)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "ORDER_NOT_FOUND", body = AppError),
        (status = 409, description = "ORDER_NOT_FULFILLABLE (details.order_id, details.status): nothing shipped", body = AppError),
    ))]
#[allow(dead_code)]
fn ship_orders() {}

#[utoipa::path(post, path = "/api/admin/orders/deliver", tag = "admin", security(("session" = [])),
    request_body(content((DeliverRequest = "application/json"), (DeliverRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "orders: the order, delivered", body = OrderDetail),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "ORDER_NOT_FOUND", body = AppError),
        (status = 409, description = "ORDER_NOT_FULFILLABLE (it is not shipped: details.status)", body = AppError),
    ))]
#[allow(dead_code)]
fn deliver_order() {}

#[utoipa::path(post, path = "/api/admin/orders/cancel", tag = "admin", security(("session" = [])),
    request_body(content((StaffCancelRequest = "application/json"), (StaffCancelRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "orders: the order, cancelled, with the points refunded (or the first answer under this key)", body = CancelledOrder),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "ORDER_NOT_FOUND", body = AppError),
        (status = 409, description = "ORDER_NOT_CANCELLABLE (details.status), REQUEST_IN_PROGRESS", body = AppError),
        (status = 422, description = "IDEMPOTENCY_KEY_REUSED", body = AppError),
    ))]
#[allow(dead_code)]
fn cancel_order() {}

#[utoipa::path(get, path = "/api/admin/customers", tag = "admin", security(("session" = [])),
    params(CustomersQuery),
    responses(
        (status = 200, description = "customers: accounts with their balance and order count, newest first", body = CustomerPage),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
    ))]
#[allow(dead_code)]
fn customers() {}

#[utoipa::path(get, path = "/api/admin/customers/get", tag = "admin", security(("session" = [])),
    params(IdQuery),
    responses(
        (status = 200, description = "customers: the customer with the first page of their orders and point ledger", body = CustomerDetail),
        (status = 400, description = "BAD_REQUEST", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
        (status = 404, description = "USER_NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn customer() {}

#[utoipa::path(post, path = "/api/admin/customers/points", tag = "admin", security(("session" = [])),
    request_body(content((PointsRequest = "application/json"), (PointsRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "customers: the new balance (an `adjustment` ledger row, an audit row)", body = PointBalance),
        (status = 400, description = "BAD_REQUEST, INVALID_AMOUNT (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "USER_NOT_FOUND", body = AppError),
        (status = 409, description = "INSUFFICIENT_POINTS (below zero), POINT_LIMIT_EXCEEDED", body = AppError),
    ))]
#[allow(dead_code)]
fn adjust_points() {}

#[utoipa::path(get, path = "/api/admin/platform", tag = "admin", security(("session" = [])),
    responses(
        (status = 200, description = "orders: delivery to the data platform, as `server outbox` prints it, and the failing events", body = PlatformStatus),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
    ))]
#[allow(dead_code)]
fn platform() {}

#[utoipa::path(get, path = "/api/admin/payments", tag = "admin", security(("session" = [])),
    responses(
        (status = 200, description = "orders: charges pending, failing (the reconciler keeps failing to settle them), the oldest pending one's age", body = PaymentsStatus),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
    ))]
#[allow(dead_code)]
fn payments() {}

#[utoipa::path(post, path = "/api/admin/payments/refund", tag = "admin", security(("session" = [])),
    request_body(content((RefundRequest = "application/json"), (RefundRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "customers: the shopper's balance after (a `refund` ledger row, an audit row, the payment cancelled at KakaoPay)", body = PointBalance),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "NOT_FOUND", body = AppError),
        (status = 409, description = "INSUFFICIENT_POINTS (spent), CHARGE_NOT_REFUNDABLE (not paid, or refunded)", body = AppError),
        (status = 503, description = "PAYMENT_UNAVAILABLE: KakaoPay did not give the money back (the charge is paid again)", body = AppError),
    ))]
#[allow(dead_code)]
fn refund_charge() {}

#[utoipa::path(post, path = "/api/admin/platform/retry", tag = "admin", security(("session" = [])),
    request_body(content((RetryRequest = "application/json"), (RetryRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "orders: the event, due now", body = PendingEvent),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn retry_event() {}

#[utoipa::path(get, path = "/api/admin/coupons", tag = "admin", security(("session" = [])),
    params(CouponsQuery),
    responses(
        (status = 200, description = "catalog: every campaign, newest first, with how many were issued and used", body = CampaignPage),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
    ))]
#[allow(dead_code)]
fn coupons() {}

#[utoipa::path(get, path = "/api/admin/coupons/get", tag = "admin", security(("session" = [])),
    params(IdQuery),
    responses(
        (status = 200, description = "catalog: one campaign", body = Campaign),
        (status = 400, description = "BAD_REQUEST (no id)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN", body = AppError),
        (status = 404, description = "NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn coupon() {}

#[utoipa::path(post, path = "/api/admin/coupons", tag = "admin", security(("session" = [])),
    request_body(content((CampaignRequest = "application/json"), (CampaignRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "catalog: the new campaign", body = Campaign),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
    ))]
#[allow(dead_code)]
fn create_campaign() {}

#[utoipa::path(post, path = "/api/admin/coupons/update", tag = "admin", security(("session" = [])),
    request_body(content((UpdateCampaignRequest = "application/json"), (UpdateCampaignRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "catalog: the campaign as changed (never below what was issued)", body = Campaign),
        (status = 400, description = "BAD_REQUEST (details.field)", body = AppError),
        (status = 401, description = "UNAUTHENTICATED", body = AppError),
        (status = 403, description = "FORBIDDEN, FORBIDDEN_ORIGIN", body = AppError),
        (status = 404, description = "NOT_FOUND", body = AppError),
    ))]
#[allow(dead_code)]
fn update_campaign() {}
