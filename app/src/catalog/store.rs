//! Catalog queries, shared by both backends.

use super::{
    AdjustCause, MovementReason, Product, ProductId, ProductPage, ProductQuery, Quantity, Sort,
};
use crate::{
    db::{now_millis, Backend, Db},
    error::AppResult,
    identity::UserId,
    locale::Locale,
    money::Won,
    paging::Paging,
};
use sqlx::{any::AnyRow, Row};

/// The product `p`'s `column` (`name` or `description`) in `locale`, or its
/// base text when it has none in that language. (The tag comes from the
/// shop's own `Locale`, never from a request's text.)
pub fn translated(column: &str, locale: Locale) -> String {
    format!(
        "COALESCE((SELECT t.{column} FROM product_translations t \
         WHERE t.product_id = p.id AND t.lang = '{}'), p.{column})",
        locale.tag()
    )
}

/// Columns of a product as the shop shows it in `locale`; `$1` is the
/// viewer (or NULL).
fn product_columns(locale: Locale) -> String {
    format!(
        "p.id, {} AS name, p.brand, {} AS description, p.price, p.stock, \
         p.like_count, p.image, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM likes l WHERE l.product_id = p.id AND l.user_id = $1) \
              THEN 1 ELSE 0 END AS BIGINT) AS liked",
        translated("name", locale),
        translated("description", locale)
    )
}

fn product_from_row(row: &AnyRow) -> Result<Product, sqlx::Error> {
    Ok(Product {
        id: ProductId(row.try_get("id")?),
        name: row.try_get("name")?,
        brand: row.try_get("brand")?,
        description: row.try_get("description")?,
        price: Won(row.try_get("price")?),
        stock: row.try_get("stock")?,
        like_count: row.try_get("like_count")?,
        liked: row.try_get::<i64, _>("liked")? != 0,
        image: row.try_get("image")?,
    })
}

fn order_by(sort: Sort) -> &'static str {
    match sort {
        Sort::Latest => "p.created_at DESC, p.id DESC",
        Sort::PriceAsc => "p.price ASC, p.id ASC",
        Sort::PriceDesc => "p.price DESC, p.id DESC",
        Sort::LikesDesc => "p.like_count DESC, p.id DESC",
    }
}

/// The text FTS5 matches for a search: the whole text as one phrase, which
/// the trigram index finds as a substring (quotes doubled, nothing else
/// special inside a phrase).
fn fts_phrase(search: &str) -> String {
    format!("\"{}\"", search.replace('"', "\"\""))
}

/// A listing's filters: each condition (its placeholder written `{}`, the
/// same value wherever it appears) with the value it binds. Only the
/// filters the query has are written, so each can use its index: the brand
/// index, and for a name search of 3 characters or more the trigram
/// indexes of the base names and of the names in every language (FTS5 on
/// SQLite, `pg_trgm` on Postgres); the `LIKE` stays as the exact test.
fn filters(db: &Db, query: &ProductQuery) -> Vec<(&'static str, String)> {
    let mut filters = Vec::new();
    if let Some(brand) = &query.brand {
        filters.push(("p.brand = {}", brand.clone()));
    }
    if let Some(search) = &query.search {
        if uses_fts(db, search) {
            filters.push((
                "(p.id IN (SELECT rowid FROM products_search WHERE products_search MATCH {}) \
                 OR p.id IN (SELECT t.product_id FROM product_translations t \
                   WHERE t.id IN (SELECT rowid FROM product_translations_search \
                     WHERE product_translations_search MATCH {})))",
                fts_phrase(search),
            ));
        }
        filters.push((
            "(LOWER(p.name) LIKE {} ESCAPE '\\' \
             OR p.id IN (SELECT t.product_id FROM product_translations t \
               WHERE LOWER(t.name) LIKE {} ESCAPE '\\'))",
            crate::text::like_pattern(search),
        ));
    }
    filters
}

fn uses_fts(db: &Db, search: &str) -> bool {
    db.backend() == Backend::Sqlite && search.chars().count() >= 3
}

/// `filters` as one condition, their placeholders numbered from `first`:
/// shoppers only ever see products on sale.
fn where_clause(filters: &[(&str, String)], first: usize) -> String {
    let conditions: Vec<String> = std::iter::once(ON_SALE.to_string())
        .chain(
            filters
                .iter()
                .enumerate()
                .map(|(i, (condition, _))| condition.replace("{}", &format!("${}", first + i))),
        )
        .collect();
    conditions.join(" AND ")
}

/// The condition of every query that shows products to shoppers.
pub const ON_SALE: &str = "p.on_sale = 1";

/// The statements behind `list`: a page (`$1` the viewer or NULL, then
/// `values`, then limit and offset) and the count (`values` only). Public
/// so the benchmark can show their query plans.
pub struct ListStatements {
    pub page: String,
    pub count: String,
    pub values: Vec<String>,
}

pub fn list_statements(db: &Db, query: &ProductQuery, locale: Locale) -> ListStatements {
    let filters = filters(db, query);
    let limit = filters.len() + 2;
    ListStatements {
        page: format!(
            "SELECT {} FROM products p WHERE {} \
             ORDER BY {} LIMIT ${limit} OFFSET ${}",
            product_columns(locale),
            where_clause(&filters, 2),
            order_by(query.sort),
            limit + 1
        ),
        // The size of the catalog on sale is kept up to date by triggers.
        count: if filters.is_empty() {
            "SELECT products AS n FROM catalog_counts WHERE id = 1".to_string()
        } else {
            format!(
                "SELECT COUNT(*) AS n FROM products p WHERE {}",
                where_clause(&filters, 1)
            )
        },
        values: filters.into_iter().map(|(_, value)| value).collect(),
    }
}

pub async fn list(
    db: &Db,
    query: &ProductQuery,
    viewer: Option<UserId>,
    locale: Locale,
) -> AppResult<ProductPage> {
    let statements = list_statements(db, query, locale);
    let mut page = sqlx::query(&statements.page).bind(viewer.map(|v| v.0));
    let mut count = sqlx::query(&statements.count);
    for value in &statements.values {
        page = page.bind(value.clone());
        count = count.bind(value.clone());
    }
    let items = page
        .bind(i64::from(query.paging.per_page))
        .bind(query.paging.offset())
        .try_map(|row: AnyRow| product_from_row(&row))
        .fetch_all(db.pool())
        .await?;
    let total: i64 = count.fetch_one(db.pool()).await?.try_get("n")?;
    Ok(ProductPage {
        items,
        total,
        page: query.paging.page,
        per_page: query.paging.per_page,
    })
}

pub async fn get(
    db: &Db,
    id: ProductId,
    viewer: Option<UserId>,
    locale: Locale,
) -> AppResult<Option<Product>> {
    let sql = format!(
        "SELECT {} FROM products p WHERE p.id = $2 AND {ON_SALE}",
        product_columns(locale)
    );
    Ok(sqlx::query(&sql)
        .bind(viewer.map(|v| v.0))
        .bind(id.0)
        .try_map(|row: AnyRow| product_from_row(&row))
        .fetch_optional(db.pool())
        .await?)
}

/// The products `user_id` likes, the newest like first.
pub async fn liked_by(
    db: &Db,
    user_id: UserId,
    paging: Paging,
    locale: Locale,
) -> AppResult<ProductPage> {
    let sql = format!(
        "SELECT {} FROM likes lk JOIN products p ON p.id = lk.product_id \
         WHERE lk.user_id = $1 AND {ON_SALE} \
         ORDER BY lk.created_at DESC, p.id DESC LIMIT $2 OFFSET $3",
        product_columns(locale)
    );
    let items = sqlx::query(&sql)
        .bind(user_id.0)
        .bind(i64::from(paging.per_page))
        .bind(paging.offset())
        .try_map(|row: AnyRow| product_from_row(&row))
        .fetch_all(db.pool())
        .await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM likes lk JOIN products p ON p.id = lk.product_id \
         WHERE lk.user_id = $1 AND {ON_SALE}"
    ))
    .bind(user_id.0)
    .fetch_one(db.pool())
    .await?;
    Ok(ProductPage {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}

/// Whether a product exists, on sale or not.
pub async fn exists(db: &Db, id: ProductId) -> AppResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE id = $1")
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?;
    Ok(found.is_some())
}

/// Today's price and stock of a product on sale; `None` if there is no
/// such product on sale.
pub async fn price_and_stock(db: &Db, id: ProductId) -> AppResult<Option<(Won, i64)>> {
    let row = sqlx::query("SELECT price, stock FROM products p WHERE p.id = $1 AND p.on_sale = 1")
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(row) => Some((Won(row.try_get("price")?), row.try_get("stock")?)),
        None => None,
    })
}

/// A product as checkout sees it, read under a lock.
#[derive(Debug, Clone)]
pub struct ForSale {
    pub id: ProductId,
    /// The base name (error details carry it, whatever the language).
    pub name: String,
    /// The name in the shopper's language, for the messages.
    pub shown_name: String,
    pub price: Won,
    pub stock: i64,
}

/// Reads and locks the products `ids` (sorted, so every transaction locks
/// in the same order) until `tx` ends; missing ones, and those off sale,
/// are simply absent.
pub async fn lock_for_sale(
    db: &Db,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ids: &[ProductId],
    locale: Locale,
) -> AppResult<Vec<ForSale>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT p.id, p.name, {} AS shown_name, p.price, p.stock FROM products p \
         WHERE p.id IN ({}) AND {ON_SALE} ORDER BY p.id{}",
        translated("name", locale),
        placeholders.join(", "),
        db.for_update()
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.0);
    }
    Ok(query
        .try_map(|row: AnyRow| {
            Ok(ForSale {
                id: ProductId(row.try_get("id")?),
                name: row.try_get("name")?,
                shown_name: row.try_get("shown_name")?,
                price: Won(row.try_get("price")?),
                stock: row.try_get("stock")?,
            })
        })
        .fetch_all(&mut **tx)
        .await?)
}

/// Why a change of stock happens, as its movement records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement<'a> {
    pub reason: MovementReason,
    pub cause: Option<AdjustCause>,
    pub order_id: Option<i64>,
    pub staff: Option<UserId>,
    pub note: &'a str,
}

impl Movement<'_> {
    /// Sold in order `order_id`.
    pub fn sale(order_id: Option<i64>) -> Self {
        Movement {
            reason: MovementReason::Sale,
            cause: None,
            order_id,
            staff: None,
            note: "",
        }
    }

    /// Back from cancelled order `order_id`.
    pub fn cancel(order_id: i64) -> Self {
        Movement {
            reason: MovementReason::Cancel,
            cause: None,
            order_id: Some(order_id),
            staff: None,
            note: "",
        }
    }
}

/// The one stock rule: moves a product's stock by `delta` inside `tx`, in
/// one conditional statement that can never leave it below zero, and
/// writes the movement beside it. Returns the stock after, or `None` when
/// there was not enough (nothing changed then). Every sale, adjustment and
/// cancel comes through here, so the stock is always the sum of its
/// movements.
pub async fn change_stock(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: ProductId,
    delta: i64,
    movement: Movement<'_>,
) -> AppResult<Option<(i64, i64)>> {
    let after: Option<i64> = sqlx::query_scalar(
        "UPDATE products SET stock = stock + $1 WHERE id = $2 AND stock + $1 >= 0 RETURNING stock",
    )
    .bind(delta)
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(after) = after else {
        return Ok(None);
    };
    let movement_id: i64 = sqlx::query_scalar(
        "INSERT INTO stock_movements \
           (product_id, delta, reason, cause, order_id, staff_id, note, stock_after, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(id.0)
    .bind(delta)
    .bind(movement.reason.as_str())
    .bind(movement.cause.map(AdjustCause::as_str))
    .bind(movement.order_id)
    .bind(movement.staff.map(|s| s.0))
    .bind(movement.note)
    .bind(after)
    .bind(now_millis())
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some((after, movement_id)))
}

/// Takes `quantity` of a product's stock for order `order_id`, through the
/// one stock rule. Returns the stock left, or `None` when there was not
/// enough (nothing changed then).
pub async fn take_stock(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: ProductId,
    quantity: Quantity,
    order_id: Option<i64>,
) -> AppResult<Option<i64>> {
    Ok(
        change_stock(tx, id, -quantity.get(), Movement::sale(order_id))
            .await?
            .map(|(after, _)| after),
    )
}

/// Every brand with a product on sale once, in order: one index seek per
/// brand (a loose index scan), not a pass over every product. Public so
/// the benchmark can show its query plan.
pub const BRANDS_SQL: &str = "WITH RECURSIVE b (brand) AS ( \
       SELECT MIN(p.brand) FROM products p WHERE p.on_sale = 1 \
       UNION ALL \
       SELECT (SELECT MIN(p.brand) FROM products p WHERE p.brand > b.brand AND p.on_sale = 1) \
       FROM b WHERE b.brand IS NOT NULL) \
     SELECT brand FROM b WHERE brand IS NOT NULL ORDER BY brand";

pub async fn brands(db: &Db) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(BRANDS_SQL).fetch_all(db.pool()).await?)
}
