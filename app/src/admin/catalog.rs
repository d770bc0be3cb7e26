//! Staff's catalog functions: list and read every product, create one,
//! change its texts, price, sale state and picture, adjust its stock.
//! Each checks `catalog` first, runs the catalog's own rule, and writes
//! its audit row in the same transaction.

// A new product's eight fields are `create_product`'s arguments, as the
// form sends them; the `server` macro's browser side repeats them.
#![allow(clippy::too_many_arguments)]

use crate::{
    catalog::{
        edit::{AdminProduct, AdminProductPage, Given, ProductDetail},
        variants::{AdminVariant, OptionInput},
        AdjustCause, ProductId, StockAdjusted, StockDelta, VariantId,
    },
    error::AppError,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    audit::{store::record, AuditKind},
    catalog::{edit, manage, options, picture::PictureStore},
    db::db,
    staff::{require, Permission},
};

/// `GET /api/admin/products?page&per_page&q&on_sale`: every product, on sale or not.
#[server(prefix = "/api", endpoint = "admin/products", input = server_fn::codec::GetUrl)]
pub async fn admin_products(
    page: Option<String>,
    per_page: Option<String>,
    q: Option<String>,
    on_sale: Option<String>,
) -> Result<AdminProductPage, AppError> {
    require(Permission::Catalog).await?;
    let query = edit::AdminProductQuery::parse(
        page.as_deref(),
        per_page.as_deref(),
        q.as_deref(),
        on_sale.as_deref(),
    )?;
    manage::list(&db()?, &query).await
}

/// `GET /api/admin/products/get?id`: a product with its price history and movements.
#[server(prefix = "/api", endpoint = "admin/products/get", input = server_fn::codec::GetUrl)]
pub async fn admin_product_detail(id: String) -> Result<ProductDetail, AppError> {
    require(Permission::Catalog).await?;
    let id = ProductId::parse(&id)?;
    manage::detail(&db()?, id)
        .await?
        .ok_or_else(AppError::product_not_found)
}

/// The picture of a product that has none yet.
pub const NO_PICTURE: &str = "/images/products/no-picture.svg";

/// `POST /api/admin/products`: 201 the new product, on sale, with its
/// `initial` movement; 409 `SKU_TAKEN`.
#[server(prefix = "/api", endpoint = "admin/products")]
pub async fn create_product(
    sku: Option<String>,
    name: Option<String>,
    brand: Option<String>,
    description: Option<String>,
    price: Option<String>,
    stock: Option<String>,
    name_en: Option<String>,
    description_en: Option<String>,
) -> Result<AdminProduct, AppError> {
    let staff = require(Permission::Catalog).await?;
    let new = edit::NewProduct::parse(
        sku.as_deref().unwrap_or_default(),
        name.as_deref().unwrap_or_default(),
        brand.as_deref().unwrap_or_default(),
        description.as_deref(),
        price.as_deref().unwrap_or_default(),
        stock.as_deref().unwrap_or("0"),
        name_en.as_deref(),
        description_en.as_deref(),
    )?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let id = manage::create(&mut tx, &new, NO_PICTURE, staff.user_id).await?;
    let product = manage::get_in(&mut tx, id)
        .await?
        .ok_or_else(AppError::product_not_found)?;
    record(
        &mut tx,
        Some(staff.user_id),
        AuditKind::ProductCreated,
        &target(id),
        &format!(
            "{} {:?}, {} won, stock {}",
            new.sku.as_str(),
            product.name,
            product.price.get(),
            product.stock
        ),
    )
    .await?;
    tx.commit().await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.product_created
    ))
    .await;
    crate::http_status::created();
    if crate::http_status::is_plain_form_post() {
        leptos_axum::redirect(&format!("/admin/products/{id}"));
    }
    Ok(product)
}

#[cfg(feature = "ssr")]
fn target(id: ProductId) -> String {
    format!("product:{id}")
}

/// `POST /api/admin/products/update`: any of the texts and the brand; an
/// English text sent empty is removed.
#[server(prefix = "/api", endpoint = "admin/products/update")]
pub async fn update_product(
    product_id: ProductId,
    #[server(default)] name: Given,
    #[server(default)] brand: Given,
    #[server(default)] description: Given,
    #[server(default)] name_en: Given,
    #[server(default)] description_en: Given,
) -> Result<AdminProduct, AppError> {
    let staff = require(Permission::Catalog).await?;
    let changes = edit::ProductChanges::parse(
        name.as_deref(),
        brand.as_deref(),
        description.as_deref(),
        name_en.as_deref(),
        description_en.as_deref(),
    )?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let before = manage::lock(&db, &mut tx, product_id).await?;
    let after = manage::update(&mut tx, &before, &changes).await?;
    let summary = changed_texts(&before, &after);
    if !summary.is_empty() {
        record(
            &mut tx,
            Some(staff.user_id),
            AuditKind::ProductUpdated,
            &target(product_id),
            &summary,
        )
        .await?;
    }
    tx.commit().await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.saved
    ))
    .await;
    Ok(after)
}

/// "field: before → after" for each text that changed, kept short.
#[cfg(feature = "ssr")]
fn changed_texts(before: &AdminProduct, after: &AdminProduct) -> String {
    fn short(text: &str) -> String {
        let mut s: String = text.chars().take(40).collect();
        if text.chars().count() > 40 {
            s.push('…');
        }
        format!("{s:?}")
    }
    let none = String::new();
    let fields = [
        ("name", &before.name, &after.name),
        ("brand", &before.brand, &after.brand),
        ("description", &before.description, &after.description),
        (
            "name_en",
            before.name_en.as_ref().unwrap_or(&none),
            after.name_en.as_ref().unwrap_or(&none),
        ),
        (
            "description_en",
            before.description_en.as_ref().unwrap_or(&none),
            after.description_en.as_ref().unwrap_or(&none),
        ),
    ];
    fields
        .iter()
        .filter(|(_, b, a)| b != a)
        .map(|(field, b, a)| format!("{field}: {} → {}", short(b), short(a)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `POST /api/admin/products/price`: the next checkout uses it; carts show
/// the old price struck through; placed orders keep theirs.
#[server(prefix = "/api", endpoint = "admin/products/price")]
pub async fn change_price(
    product_id: ProductId,
    price: crate::catalog::edit::Price,
) -> Result<AdminProduct, AppError> {
    let staff = require(Permission::Catalog).await?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let before = manage::lock(&db, &mut tx, product_id).await?;
    if manage::change_price(&mut tx, &before, price.won(), staff.user_id).await? {
        record(
            &mut tx,
            Some(staff.user_id),
            AuditKind::PriceChanged,
            &target(product_id),
            &format!("{} → {} won", before.price.get(), price.won().get()),
        )
        .await?;
    }
    let after = manage::get_in(&mut tx, product_id)
        .await?
        .ok_or_else(AppError::product_not_found)?;
    tx.commit().await?;
    let price = after.price.show(crate::locale::Locale::current());
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.price_changed,
        price
    ))
    .await;
    Ok(after)
}

/// `POST /api/admin/products/sale`: off sale, shoppers no longer see it or
/// can buy it; back on sale, they can again.
#[server(prefix = "/api", endpoint = "admin/products/sale")]
pub async fn set_on_sale(product_id: ProductId, on_sale: String) -> Result<AdminProduct, AppError> {
    let staff = require(Permission::Catalog).await?;
    let on_sale = edit::parse_on_sale(&on_sale)?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let before = manage::lock(&db, &mut tx, product_id).await?;
    if before.on_sale != on_sale {
        manage::set_on_sale(&mut tx, product_id, on_sale).await?;
        record(
            &mut tx,
            Some(staff.user_id),
            AuditKind::SaleChanged,
            &target(product_id),
            &format!("on_sale: {} → {on_sale}", before.on_sale),
        )
        .await?;
    }
    let after = manage::get_in(&mut tx, product_id)
        .await?
        .ok_or_else(AppError::product_not_found)?;
    tx.commit().await?;
    let locale = crate::locale::Locale::current();
    crate::flash::done(match after.on_sale {
        true => crate::locale::td_string!(locale, flash.on_sale),
        false => crate::locale::td_string!(locale, flash.off_sale),
    })
    .await;
    Ok(after)
}

/// `POST /api/admin/products/picture`, `multipart/form-data` with
/// `product_id` and `image` (PNG, JPEG or WebP, at most 5 MB).
#[server(
    prefix = "/api",
    endpoint = "admin/products/picture",
    input = server_fn::codec::MultipartFormData
)]
pub async fn upload_picture(
    data: server_fn::codec::MultipartData,
) -> Result<AdminProduct, AppError> {
    let staff = require(Permission::Catalog).await?;
    let (product_id, bytes) = read_upload(data).await?;
    let store = use_context::<PictureStore>()
        .ok_or_else(|| AppError::internal("context", "no picture store in the server context"))?;
    let db = db()?;
    // Exists before anything is written to disk.
    if !crate::catalog::store::exists(&db, product_id).await? {
        return Err(AppError::product_not_found());
    }
    let image = store.save(bytes).await?;
    let mut tx = db.begin_write().await?;
    let before = manage::lock(&db, &mut tx, product_id).await?;
    if before.image != image {
        manage::set_image(&mut tx, product_id, &image).await?;
        record(
            &mut tx,
            Some(staff.user_id),
            AuditKind::PictureChanged,
            &target(product_id),
            &format!("{} → {image}", before.image),
        )
        .await?;
    }
    let after = manage::get_in(&mut tx, product_id)
        .await?
        .ok_or_else(AppError::product_not_found)?;
    tx.commit().await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.picture_changed
    ))
    .await;
    Ok(after)
}

/// The upload's `product_id` and `image` (its bytes, at most one more
/// than the limit, so a larger one is known and refused).
#[cfg(feature = "ssr")]
async fn read_upload(
    data: server_fn::codec::MultipartData,
) -> Result<(ProductId, Vec<u8>), AppError> {
    use crate::{
        error::ErrorCode,
        locale::{td_string, Locale},
    };
    let unreadable =
        || AppError::bad_request(td_string!(Locale::current(), errors.body_unreadable));
    let mut multipart = data.into_inner().ok_or_else(unreadable)?;
    let (mut product_id, mut image) = (None, None);
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        match field.name() {
            Some("product_id") => {
                let text = field.text().await.map_err(|_| unreadable())?;
                product_id = Some(ProductId::parse_field(&text, "product_id")?);
            }
            Some("image") => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                    let room = crate::catalog::picture::MAX_BYTES + 1 - bytes.len();
                    bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    if bytes.len() > crate::catalog::picture::MAX_BYTES {
                        return Err(AppError::invalid_field(
                            ErrorCode::BadRequest,
                            "image",
                            td_string!(Locale::current(), admin.error_image_too_big),
                        ));
                    }
                }
                image = Some(bytes);
            }
            _ => {}
        }
    }
    let missing = |field: &str| {
        AppError::invalid_field(
            ErrorCode::BadRequest,
            field,
            td_string!(Locale::current(), islands.field_missing, field),
        )
    };
    Ok((
        product_id.ok_or_else(|| missing("product_id"))?,
        image.ok_or_else(|| missing("image"))?,
    ))
}

/// `POST /api/admin/stock/adjust`: moves a variant's stock by `delta` with
/// a cause (`received`, `correction`, `damaged`) and a note; 409
/// `INSUFFICIENT_STOCK` (nothing changed) below zero. `variant_id` may be
/// left out for a product without options (400 `VARIANT_REQUIRED` else).
#[server(prefix = "/api", endpoint = "admin/stock/adjust")]
pub async fn adjust_stock(
    product_id: ProductId,
    variant_id: Option<VariantId>,
    delta: StockDelta,
    reason: AdjustCause,
    note: Option<String>,
) -> Result<StockAdjusted, AppError> {
    let staff = require(Permission::Catalog).await?;
    let note = edit::product_text(
        "note",
        note.as_deref().unwrap_or_default(),
        false,
        200,
        false,
    )?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    manage::lock(&db, &mut tx, product_id).await?;
    let variant_id = options::staff_variant(&mut tx, product_id, variant_id).await?;
    let (stock, movement) = manage::adjust_stock(
        &mut tx,
        variant_id,
        delta.get(),
        reason,
        &note,
        staff.user_id,
    )
    .await?;
    record(
        &mut tx,
        Some(staff.user_id),
        AuditKind::StockAdjusted,
        &target(product_id),
        &format!(
            "{} {:+} ({}): {} → {stock}{}",
            movement.sku,
            delta.get(),
            reason.as_str(),
            stock - delta.get(),
            if note.is_empty() {
                String::new()
            } else {
                format!(", {note:?}")
            }
        ),
    )
    .await?;
    tx.commit().await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.stock_adjusted,
        stock
    ))
    .await;
    Ok(StockAdjusted {
        product_id,
        variant_id,
        stock,
        movement,
    })
}

/// `POST /api/admin/products/options`: sets a product's options (0 to 3,
/// each with its values in order) and creates every missing combination
/// as a variant (stock 0, the product's price, SKU `<sku>-<n>`). A value
/// left out is retired (its variants go off sale and stay); an option
/// cannot be taken away. Answers with the product as staff see it.
#[server(prefix = "/api", endpoint = "admin/products/options")]
pub async fn set_product_options(
    product_id: ProductId,
    #[server(default)] options: Vec<OptionInput>,
) -> Result<ProductDetail, AppError> {
    let staff = require(Permission::Catalog).await?;
    let input = crate::catalog::variants::OptionsInput::parse(options)?;
    let db = db()?;
    let mut tx = db.begin_write().await?;
    let product = manage::lock(&db, &mut tx, product_id).await?;
    let changed = options::set_options(&mut tx, &product, &input, Some(staff.user_id)).await?;
    let names: Vec<String> = input
        .0
        .iter()
        .map(|o| {
            let values: Vec<&str> = o.values.iter().map(|v| v.value.as_str()).collect();
            format!("{} [{}]", o.name, values.join(", "))
        })
        .collect();
    record(
        &mut tx,
        Some(staff.user_id),
        AuditKind::OptionsChanged,
        &target(product_id),
        &format!(
            "{}; {} new variants, {} values retired, {} variants off sale",
            names.join("; "),
            changed.created,
            changed.retired_values,
            changed.off_sale
        ),
    )
    .await?;
    tx.commit().await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.options_saved,
        count = changed.created
    ))
    .await;
    manage::detail(&db, product_id)
        .await?
        .ok_or_else(AppError::product_not_found)
}

/// `POST /api/admin/variants/update`: a variant's SKU, price (kept in the
/// price history) or sale state; what is left out stays.
#[server(prefix = "/api", endpoint = "admin/variants/update")]
pub async fn update_variant(
    variant_id: VariantId,
    sku: Option<String>,
    price: Option<String>,
    on_sale: Option<String>,
) -> Result<AdminVariant, AppError> {
    let staff = require(Permission::Catalog).await?;
    let present = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let changes = options::VariantChanges {
        sku: present(&sku).map(|s| edit::Sku::parse(&s)).transpose()?,
        price: present(&price)
            .map(|p| edit::Price::parse(&p))
            .transpose()?,
        on_sale: present(&on_sale)
            .map(|s| edit::parse_on_sale(&s))
            .transpose()?,
    };
    let db = db()?;
    let product_id = options::product_of(&db, variant_id).await?;
    let mut tx = db.begin_write().await?;
    manage::lock(&db, &mut tx, product_id).await?;
    let (before, after) =
        options::update_variant(&mut tx, product_id, variant_id, &changes, staff.user_id).await?;
    let mut summary = Vec::new();
    if before.sku != after.sku {
        summary.push(format!("sku: {} → {}", before.sku, after.sku));
    }
    if before.price != after.price {
        summary.push(format!(
            "price: {} → {} won",
            before.price.get(),
            after.price.get()
        ));
    }
    if before.on_sale != after.on_sale {
        summary.push(format!("on_sale: {} → {}", before.on_sale, after.on_sale));
    }
    if !summary.is_empty() {
        record(
            &mut tx,
            Some(staff.user_id),
            AuditKind::VariantUpdated,
            &format!("variant:{variant_id}"),
            &format!("{} ({}): {}", after.sku, after.label, summary.join("; ")),
        )
        .await?;
    }
    tx.commit().await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.saved
    ))
    .await;
    Ok(after)
}
