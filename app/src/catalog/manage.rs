//! The catalog as staff change it, for both backends: new products, their
//! texts, price, sale state and picture, each inside the caller's
//! transaction (the admin layer writes its audit row in the same one).

use super::{
    edit::{
        AdminProduct, AdminProductPage, AdminProductQuery, NewProduct, PriceChange, ProductChanges,
        ProductDetail,
    },
    store::{change_stock, stored_variants, Movement, Stored},
    variants::{AdminOption, AdminValue, AdminVariant},
    AdjustCause, MovementReason, ProductId, StockMovement, VariantId,
};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
    money::Won,
};
use sqlx::{any::AnyRow, Any, Row, Transaction};

type Tx = Transaction<'static, Any>;

/// A product's columns as staff see them (`p` is the product).
const COLUMNS: &str = "p.id, p.sku, \
     COALESCE((SELECT t.name FROM product_translations t WHERE t.product_id = p.id AND t.lang = 'ko'), p.name) AS name, \
     (SELECT t.name FROM product_translations t WHERE t.product_id = p.id AND t.lang = 'en') AS name_en, \
     p.brand, \
     COALESCE((SELECT t.description FROM product_translations t WHERE t.product_id = p.id AND t.lang = 'ko'), p.description) AS description, \
     (SELECT t.description FROM product_translations t WHERE t.product_id = p.id AND t.lang = 'en') AS description_en, \
     p.price, CAST(COALESCE((SELECT SUM(v.stock) FROM variants v \
       WHERE v.product_id = p.id AND v.on_sale = 1), 0) AS BIGINT) AS stock, \
     p.on_sale, p.image, p.like_count, p.created_at";

fn admin_product(row: &AnyRow) -> Result<AdminProduct, sqlx::Error> {
    Ok(AdminProduct {
        id: ProductId(row.try_get("id")?),
        sku: row.try_get("sku")?,
        name: row.try_get("name")?,
        name_en: row.try_get("name_en")?,
        brand: row.try_get("brand")?,
        description: row.try_get("description")?,
        description_en: row.try_get("description_en")?,
        price: Won(row.try_get("price")?),
        stock: row.try_get("stock")?,
        on_sale: row.try_get::<i64, _>("on_sale")? != 0,
        image: row.try_get("image")?,
        like_count: row.try_get("like_count")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Every product, on sale or not, newest first.
pub async fn list(db: &Db, query: &AdminProductQuery) -> AppResult<AdminProductPage> {
    let mut conditions = vec!["1 = 1".to_string()];
    let mut values: Vec<String> = Vec::new();
    if let Some(search) = &query.search {
        values.push(crate::text::like_pattern(search));
        let n = values.len();
        conditions.push(format!(
            "(LOWER(p.name) LIKE ${n} ESCAPE '\\' OR LOWER(p.sku) LIKE ${n} ESCAPE '\\' \
             OR p.id IN (SELECT t.product_id FROM product_translations t \
               WHERE LOWER(t.name) LIKE ${n} ESCAPE '\\'))"
        ));
    }
    if let Some(on_sale) = query.on_sale {
        conditions.push(format!("p.on_sale = {}", i64::from(on_sale)));
    }
    let filter = conditions.join(" AND ");
    let page_sql = format!(
        "SELECT {COLUMNS} FROM products p WHERE {filter} \
         ORDER BY p.created_at DESC, p.id DESC LIMIT ${} OFFSET ${}",
        values.len() + 1,
        values.len() + 2
    );
    let count_sql = format!("SELECT COUNT(*) FROM products p WHERE {filter}");
    let mut page = sqlx::query(&page_sql);
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for value in &values {
        page = page.bind(value.clone());
        count = count.bind(value.clone());
    }
    let items = page
        .bind(i64::from(query.paging.per_page))
        .bind(query.paging.offset())
        .try_map(|row: AnyRow| admin_product(&row))
        .fetch_all(db.pool())
        .await?;
    Ok(AdminProductPage {
        items,
        total: count.fetch_one(db.pool()).await?,
        page: query.paging.page,
        per_page: query.paging.per_page,
    })
}

/// One product as staff see it, inside `tx` (`None`: no such product).
pub async fn get_in(tx: &mut Tx, id: ProductId) -> AppResult<Option<AdminProduct>> {
    Ok(
        sqlx::query(&format!("SELECT {COLUMNS} FROM products p WHERE p.id = $1"))
            .bind(id.0)
            .try_map(|row: AnyRow| admin_product(&row))
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// Variants on sale (of products on sale) with `at_most` or fewer left,
/// fewest first: the product as staff see it, and which variant.
pub async fn low_stock(
    db: &Db,
    at_most: i64,
    limit: i64,
) -> AppResult<Vec<(AdminProduct, AdminVariant)>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS}, lv.id AS variant_id, lv.sku AS variant_sku, lv.price AS variant_price, \
                lv.stock AS variant_stock \
         FROM variants lv JOIN products p ON p.id = lv.product_id \
         WHERE lv.on_sale = 1 AND p.on_sale = 1 AND lv.stock <= $1 \
         ORDER BY lv.stock, lv.id LIMIT $2"
    ))
    .bind(at_most)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let ids: Vec<VariantId> = rows
        .iter()
        .map(|r| r.try_get("variant_id").map(VariantId))
        .collect::<Result<_, _>>()?;
    let mut conn = db.pool().acquire().await?;
    let labels = super::store::labels(&mut conn, &ids).await?;
    rows.iter()
        .map(|row| {
            let id = VariantId(row.try_get("variant_id")?);
            let (label, label_en) = labels.get(&id).cloned().unwrap_or_default();
            Ok((
                admin_product(row)?,
                AdminVariant {
                    variant_id: id,
                    sku: row.try_get("variant_sku")?,
                    label,
                    label_en,
                    price: Won(row.try_get("variant_price")?),
                    stock: row.try_get("variant_stock")?,
                    on_sale: true,
                },
            ))
        })
        .collect()
}

/// A product's options and variants as staff see them.
pub fn admin_view(stored: &Stored) -> (Vec<AdminOption>, Vec<AdminVariant>) {
    let options = stored
        .options
        .iter()
        .map(|o| AdminOption {
            name: o.name.clone(),
            name_en: o.name_en.clone(),
            values: o
                .values
                .iter()
                .map(|v| AdminValue {
                    value: v.value.clone(),
                    value_en: v.value_en.clone(),
                    retired: v.retired,
                })
                .collect(),
        })
        .collect();
    let variants = stored
        .ordered()
        .into_iter()
        .map(|v| AdminVariant {
            variant_id: v.id,
            sku: v.sku.clone(),
            label: stored.label(v, Locale::ko),
            label_en: stored.label(v, Locale::en),
            price: v.price,
            stock: v.stock,
            on_sale: v.on_sale,
        })
        .collect();
    (options, variants)
}

/// How many movements a product's page shows.
pub const MOVEMENTS_SHOWN: i64 = 100;

/// A product with its price history and latest movements.
pub async fn detail(db: &Db, id: ProductId) -> AppResult<Option<ProductDetail>> {
    let Some(product) = sqlx::query(&format!("SELECT {COLUMNS} FROM products p WHERE p.id = $1"))
        .bind(id.0)
        .try_map(|row: AnyRow| admin_product(&row))
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(None);
    };
    let price_history = sqlx::query(
        "SELECT c.variant_id, v.sku, c.from_price, c.to_price, u.login_id, c.at \
         FROM price_changes c JOIN users u ON u.id = c.staff_id \
         JOIN variants v ON v.id = c.variant_id \
         WHERE c.product_id = $1 ORDER BY c.id DESC",
    )
    .bind(id.0)
    .try_map(|row: AnyRow| {
        Ok(PriceChange {
            variant_id: VariantId(row.try_get("variant_id")?),
            sku: row.try_get("sku")?,
            from: Won(row.try_get("from_price")?),
            to: Won(row.try_get("to_price")?),
            by: row.try_get("login_id")?,
            at: row.try_get("at")?,
        })
    })
    .fetch_all(db.pool())
    .await?;
    let movements = sqlx::query(&format!(
        "{MOVEMENT_SELECT} WHERE m.product_id = $1 ORDER BY m.id DESC LIMIT {MOVEMENTS_SHOWN}"
    ))
    .bind(id.0)
    .try_map(movement)
    .fetch_all(db.pool())
    .await?;
    let movement_count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM stock_movements WHERE product_id = $1")
            .bind(id.0)
            .fetch_one(db.pool())
            .await?;
    let mut conn = db.pool().acquire().await?;
    let (options, variants) = admin_view(&stored_variants(&mut conn, id).await?);
    Ok(Some(ProductDetail {
        product,
        options,
        variants,
        price_history,
        movements,
        movement_count,
    }))
}

const MOVEMENT_SELECT: &str = "SELECT m.id, m.variant_id, v.sku, m.delta, m.reason, m.cause, \
     m.order_id, u.login_id AS by_login, m.note, m.stock_after, m.at \
     FROM stock_movements m JOIN variants v ON v.id = m.variant_id \
     LEFT JOIN users u ON u.id = m.staff_id";

fn movement(row: AnyRow) -> Result<StockMovement, sqlx::Error> {
    let reason: String = row.try_get("reason")?;
    let cause: Option<String> = row.try_get("cause")?;
    let decode = |what: &str| sqlx::Error::Decode(format!("unknown stored {what}").into());
    Ok(StockMovement {
        id: row.try_get("id")?,
        variant_id: VariantId(row.try_get("variant_id")?),
        sku: row.try_get("sku")?,
        delta: row.try_get("delta")?,
        reason: MovementReason::from_stored(&reason).ok_or_else(|| decode("reason"))?,
        cause: cause
            .map(|c| AdjustCause::parse(&c).map_err(|_| decode("cause")))
            .transpose()?,
        order_id: row.try_get("order_id")?,
        by: row.try_get("by_login")?,
        note: row.try_get("note")?,
        stock_after: row.try_get("stock_after")?,
        at: row.try_get("at")?,
    })
}

pub async fn movement_in(tx: &mut Tx, id: i64) -> AppResult<StockMovement> {
    Ok(sqlx::query(&format!("{MOVEMENT_SELECT} WHERE m.id = $1"))
        .bind(id)
        .try_map(movement)
        .fetch_one(&mut **tx)
        .await?)
}

fn sku_taken() -> AppError {
    AppError::invalid_field(
        ErrorCode::SkuTaken,
        "sku",
        td_string!(Locale::current(), admin.error_sku_taken),
    )
}

/// Creates a product on sale with its `initial` movement and its texts;
/// 409 `SKU_TAKEN` when the SKU is in use.
pub async fn create(
    tx: &mut Tx,
    new: &NewProduct,
    image: &str,
    by: UserId,
) -> AppResult<ProductId> {
    // The unique index is the arbiter; asking first gives the clear error
    // without making the database report a failed statement.
    if sku_in_use(tx, new.sku.as_str()).await? {
        return Err(sku_taken());
    }
    let now = now_millis();
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO products (sku, name, brand, description, price, image, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sku) DO NOTHING RETURNING id",
    )
    .bind(new.sku.as_str())
    .bind(new.texts.base_name())
    .bind(&new.brand)
    .bind(new.texts.base_description())
    .bind(new.price.won().get())
    .bind(image)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let id = ProductId(id.ok_or_else(sku_taken)?);
    write_text(tx, id, "ko", &new.texts.name, &new.texts.description).await?;
    if let Some(name_en) = &new.texts.name_en {
        let description_en = new.texts.description_en.as_deref().unwrap_or_default();
        write_text(tx, id, "en", name_en, description_en).await?;
    }
    // Its one variant carries its SKU, price and stock.
    let variant: i64 = sqlx::query_scalar(
        "INSERT INTO variants (product_id, sku, combo, price, stock) \
         VALUES ($1, $2, '', $3, $4) RETURNING id",
    )
    .bind(id.0)
    .bind(new.sku.as_str())
    .bind(new.price.won().get())
    .bind(new.stock)
    .fetch_one(&mut **tx)
    .await?;
    record_initial(tx, id, VariantId(variant), new.stock, Some(by), now).await?;
    Ok(id)
}

/// Whether a product or a variant has `sku`.
pub async fn sku_in_use(tx: &mut Tx, sku: &str) -> AppResult<bool> {
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM products WHERE sku = $1 UNION ALL SELECT id FROM variants WHERE sku = $1",
    )
    .bind(sku)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(taken.is_some())
}

/// Where a variant's history starts: the stock it was created with (even
/// none), so its stock is the sum of its movements from the start. `by`
/// is the staff member (none for the demo catalog).
pub async fn record_initial(
    tx: &mut Tx,
    product: ProductId,
    variant: VariantId,
    stock: i64,
    by: Option<UserId>,
    at: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO stock_movements \
           (product_id, variant_id, delta, reason, staff_id, note, stock_after, at) \
         VALUES ($1, $2, $3, 'initial', $4, '', $3, $5)",
    )
    .bind(product.0)
    .bind(variant.0)
    .bind(stock)
    .bind(by.map(|b| b.0))
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a product's text in `lang` (a new row, or the existing one changed).
async fn write_text(
    tx: &mut Tx,
    id: ProductId,
    lang: &str,
    name: &str,
    description: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO product_translations (product_id, lang, name, description) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (product_id, lang) \
         DO UPDATE SET name = excluded.name, description = excluded.description",
    )
    .bind(id.0)
    .bind(lang)
    .bind(name)
    .bind(description)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The product locked until `tx` ends, as staff see it; 404 if none.
pub async fn lock(db: &Db, tx: &mut Tx, id: ProductId) -> AppResult<AdminProduct> {
    sqlx::query(&format!(
        "SELECT id FROM products WHERE id = $1{}",
        db.for_update()
    ))
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(AppError::product_not_found)
    .map(|_: AnyRow| ())?;
    get_in(tx, id)
        .await?
        .ok_or_else(AppError::product_not_found)
}

/// Applies `changes` to a locked product's texts and brand; returns it after.
pub async fn update(
    tx: &mut Tx,
    before: &AdminProduct,
    changes: &ProductChanges,
) -> AppResult<AdminProduct> {
    let id = before.id;
    let name = changes.name.clone().unwrap_or_else(|| before.name.clone());
    let description = changes
        .description
        .clone()
        .unwrap_or_else(|| before.description.clone());
    let name_en = changes
        .name_en
        .clone()
        .unwrap_or_else(|| before.name_en.clone());
    let description_en = changes
        .description_en
        .clone()
        .unwrap_or_else(|| before.description_en.clone());
    write_text(tx, id, "ko", &name, &description).await?;
    match &name_en {
        Some(en) => {
            write_text(
                tx,
                id,
                "en",
                en,
                description_en.as_deref().unwrap_or_default(),
            )
            .await?
        }
        None => {
            sqlx::query("DELETE FROM product_translations WHERE product_id = $1 AND lang = 'en'")
                .bind(id.0)
                .execute(&mut **tx)
                .await?;
        }
    }
    let texts = super::edit::ProductTexts {
        name,
        description,
        name_en,
        description_en,
    };
    sqlx::query("UPDATE products SET name = $1, description = $2, brand = $3 WHERE id = $4")
        .bind(texts.base_name())
        .bind(texts.base_description())
        .bind(changes.brand.as_deref().unwrap_or(&before.brand))
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    get_in(tx, id)
        .await?
        .ok_or_else(AppError::product_not_found)
}

/// Sets a locked product's price: the price of its one variant, as
/// [`set_variant_price`] does; a product with options has a price per
/// variant (400 `VARIANT_REQUIRED`).
pub async fn change_price(
    tx: &mut Tx,
    before: &AdminProduct,
    to: Won,
    by: UserId,
) -> AppResult<bool> {
    let stored = stored_variants(tx, before.id).await?;
    let (false, [variant]) = (!stored.options.is_empty(), stored.variants.as_slice()) else {
        return Err(super::variants::variant_required());
    };
    set_variant_price(tx, before.id, variant.id, variant.price, to, by).await
}

/// Sets a variant's price and keeps the change (who, when, from, to); the
/// same price again changes nothing and keeps nothing. The product's
/// listed price follows (`refresh_price`).
pub async fn set_variant_price(
    tx: &mut Tx,
    product: ProductId,
    variant: VariantId,
    from: Won,
    to: Won,
    by: UserId,
) -> AppResult<bool> {
    if from == to {
        return Ok(false);
    }
    sqlx::query("UPDATE variants SET price = $1 WHERE id = $2")
        .bind(to.get())
        .bind(variant.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO price_changes (product_id, variant_id, from_price, to_price, staff_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(product.0)
    .bind(variant.0)
    .bind(from.get())
    .bind(to.get())
    .bind(by.0)
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    refresh_price(tx, product).await?;
    Ok(true)
}

/// A product's listed price (the lists' sort and "from" price): its
/// lowest variant's on sale, or its lowest when none is.
pub async fn refresh_price(tx: &mut Tx, product: ProductId) -> AppResult<()> {
    sqlx::query(
        "UPDATE products SET price = COALESCE( \
           (SELECT MIN(v.price) FROM variants v WHERE v.product_id = $1 AND v.on_sale = 1), \
           (SELECT MIN(v.price) FROM variants v WHERE v.product_id = $1), price) \
         WHERE id = $1",
    )
    .bind(product.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Puts a product on sale or takes it off.
pub async fn set_on_sale(tx: &mut Tx, id: ProductId, on_sale: bool) -> AppResult<()> {
    sqlx::query("UPDATE products SET on_sale = $1 WHERE id = $2")
        .bind(i64::from(on_sale))
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_image(tx: &mut Tx, id: ProductId, image: &str) -> AppResult<()> {
    sqlx::query("UPDATE products SET image = $1 WHERE id = $2")
        .bind(image)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Staff move a variant's stock by `delta` through the one stock rule;
/// 409 `INSUFFICIENT_STOCK` (nothing changed) if it would go below zero.
/// Returns the stock after and the movement written.
pub async fn adjust_stock(
    tx: &mut Tx,
    id: VariantId,
    delta: i64,
    cause: AdjustCause,
    note: &str,
    by: UserId,
) -> AppResult<(i64, StockMovement)> {
    let movement = Movement {
        reason: MovementReason::Adjustment,
        cause: Some(cause),
        order_id: None,
        staff: Some(by),
        note,
    };
    match change_stock(tx, id, delta, movement).await? {
        Some((after, movement_id)) => Ok((after, movement_in(tx, movement_id).await?)),
        None => Err(AppError::new(
            ErrorCode::InsufficientStock,
            td_string!(Locale::current(), admin.error_stock_below_zero),
        )),
    }
}
