//! Like rows and the count beside them, changed together in one transaction.

use super::LikeState;
use crate::{
    catalog::{store as catalog_store, ProductId, ProductPage},
    db::{now_millis, Db},
    error::{AppError, AppResult},
    identity::UserId,
    locale::Locale,
    paging::Paging,
};

/// Likes (`liked = true`) or unlikes a product. The count moves only when a
/// row was really inserted or deleted, in the same transaction, so it can
/// never drift from the rows whatever runs at the same time.
pub async fn set_like(
    db: &Db,
    user_id: UserId,
    product_id: ProductId,
    liked: bool,
) -> AppResult<LikeState> {
    let mut tx = db.begin_write().await?;
    // A product off sale can be unliked, not liked.
    let on_sale: Option<i64> = sqlx::query_scalar("SELECT on_sale FROM products WHERE id = $1")
        .bind(product_id.0)
        .fetch_optional(&mut *tx)
        .await?;
    if on_sale.is_none() || (liked && on_sale == Some(0)) {
        return Err(AppError::product_not_found());
    }
    let changed = if liked {
        sqlx::query(
            "INSERT INTO likes (user_id, product_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, product_id) DO NOTHING",
        )
        .bind(user_id.0)
        .bind(product_id.0)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query("DELETE FROM likes WHERE user_id = $1 AND product_id = $2")
            .bind(user_id.0)
            .bind(product_id.0)
            .execute(&mut *tx)
            .await?
    }
    .rows_affected();
    let like_count: i64 = if changed == 1 {
        let delta: i64 = if liked { 1 } else { -1 };
        sqlx::query_scalar(
            "UPDATE products SET like_count = like_count + $1 WHERE id = $2 RETURNING like_count",
        )
        .bind(delta)
        .bind(product_id.0)
        .fetch_one(&mut *tx)
        .await?
    } else {
        sqlx::query_scalar("SELECT like_count FROM products WHERE id = $1")
            .bind(product_id.0)
            .fetch_one(&mut *tx)
            .await?
    };
    tx.commit().await?;
    Ok(LikeState {
        product_id,
        liked,
        like_count,
    })
}

pub async fn liked_products(
    db: &Db,
    user_id: UserId,
    paging: Paging,
    locale: Locale,
) -> AppResult<ProductPage> {
    catalog_store::liked_by(db, user_id, paging, locale).await
}
