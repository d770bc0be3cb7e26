//! Catalog queries, shared by both backends.

use super::{Product, ProductId, ProductPage, ProductQuery, Quantity, Sort};
use crate::{db::Db, error::AppResult, identity::UserId, money::Won, paging::Paging};
use sqlx::{any::AnyRow, Row};

/// Columns of a product as the shop shows it; `$1` is the viewer (or NULL).
const PRODUCT_COLUMNS: &str = "p.id, p.name, p.brand, p.description, p.price, p.stock, \
     p.like_count, p.image, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM likes l WHERE l.product_id = p.id AND l.user_id = $1) \
          THEN 1 ELSE 0 END AS BIGINT) AS liked";

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

/// `%` and `_` in a shopper's search text are literal characters.
pub fn like_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The brand filter and name search, with their placeholders' numbers.
fn filter(brand: u8, pattern: u8) -> String {
    format!(
        "(${brand} IS NULL OR p.brand = ${brand}) \
         AND (${pattern} IS NULL OR LOWER(p.name) LIKE ${pattern} ESCAPE '\\')"
    )
}

/// The page of `list`: `$1` viewer, `$2` brand, `$3` name pattern (both
/// may be NULL), `$4` limit, `$5` offset. Public so the benchmark can show
/// its query plan.
pub fn list_sql(sort: Sort) -> String {
    format!(
        "SELECT {PRODUCT_COLUMNS} FROM products p WHERE {} \
         ORDER BY {} LIMIT $4 OFFSET $5",
        filter(2, 3),
        order_by(sort)
    )
}

/// How many products `list` could page through: `$1` brand, `$2` pattern.
pub fn count_sql() -> String {
    format!(
        "SELECT COUNT(*) AS n FROM products p WHERE {}",
        filter(1, 2)
    )
}

pub async fn list(db: &Db, query: &ProductQuery, viewer: Option<UserId>) -> AppResult<ProductPage> {
    let pattern = query.search.as_deref().map(like_pattern);
    let items = sqlx::query(&list_sql(query.sort))
        .bind(viewer.map(|v| v.0))
        .bind(query.brand.clone())
        .bind(pattern.clone())
        .bind(i64::from(query.paging.per_page))
        .bind(query.paging.offset())
        .try_map(|row: AnyRow| product_from_row(&row))
        .fetch_all(db.pool())
        .await?;
    let total: i64 = sqlx::query(&count_sql())
        .bind(query.brand.clone())
        .bind(pattern)
        .fetch_one(db.pool())
        .await?
        .try_get("n")?;
    Ok(ProductPage {
        items,
        total,
        page: query.paging.page,
        per_page: query.paging.per_page,
    })
}

pub async fn get(db: &Db, id: ProductId, viewer: Option<UserId>) -> AppResult<Option<Product>> {
    let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products p WHERE p.id = $2");
    Ok(sqlx::query(&sql)
        .bind(viewer.map(|v| v.0))
        .bind(id.0)
        .try_map(|row: AnyRow| product_from_row(&row))
        .fetch_optional(db.pool())
        .await?)
}

/// The products `user_id` likes, the newest like first.
pub async fn liked_by(db: &Db, user_id: UserId, paging: Paging) -> AppResult<ProductPage> {
    let sql = format!(
        "SELECT {PRODUCT_COLUMNS} FROM likes lk JOIN products p ON p.id = lk.product_id \
         WHERE lk.user_id = $1 ORDER BY lk.created_at DESC, p.id DESC LIMIT $2 OFFSET $3"
    );
    let items = sqlx::query(&sql)
        .bind(user_id.0)
        .bind(i64::from(paging.per_page))
        .bind(paging.offset())
        .try_map(|row: AnyRow| product_from_row(&row))
        .fetch_all(db.pool())
        .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM likes WHERE user_id = $1")
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

/// Today's price and stock of a product; `None` if it does not exist.
pub async fn price_and_stock(db: &Db, id: ProductId) -> AppResult<Option<(Won, i64)>> {
    let row = sqlx::query("SELECT price, stock FROM products WHERE id = $1")
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
    pub name: String,
    pub price: Won,
    pub stock: i64,
}

/// Reads and locks the products `ids` (sorted, so every transaction locks
/// in the same order) until `tx` ends; missing ones are simply absent.
pub async fn lock_for_sale(
    db: &Db,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ids: &[ProductId],
) -> AppResult<Vec<ForSale>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, name, price, stock FROM products WHERE id IN ({}) ORDER BY id{}",
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
                price: Won(row.try_get("price")?),
                stock: row.try_get("stock")?,
            })
        })
        .fetch_all(&mut **tx)
        .await?)
}

/// Takes `quantity` of a product's stock inside `tx`, in one conditional
/// statement that can never leave the stock below zero. Returns the stock
/// left, or `None` when there was not enough (nothing changed then).
pub async fn take_stock(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: ProductId,
    quantity: Quantity,
) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE products SET stock = stock - $1 WHERE id = $2 AND stock >= $1 RETURNING stock",
    )
    .bind(quantity.get())
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?)
}

pub async fn brands(db: &Db) -> AppResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT brand FROM products ORDER BY brand")
            .fetch_all(db.pool())
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_wildcards_are_escaped() {
        assert_eq!(like_pattern("Tee"), "%tee%");
        assert_eq!(like_pattern("100%_x"), "%100\\%\\_x%");
    }
}
