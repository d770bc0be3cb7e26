//! Where carts are kept: the session for a guest, `cart_items` for a user.

use super::{Cart, CartLine, Quantity, StoredLine, MAX_LINES};
use crate::{
    catalog::{
        sold_out_error,
        store::{resolve_variant, sellable},
        Availability, ProductId, VariantId,
    },
    db::{now_millis, Db},
    error::{AppError, AppResult},
    identity::{current_user_id, lock_user, session, UserId},
    locale::{td_string, Locale},
    money::Won,
};
use sqlx::{any::AnyRow, Any, Row, Transaction};
use tower_sessions::Session;

/// The session key of a guest's cart.
const GUEST_CART_KEY: &str = "cart";

/// Whose cart a request works on.
pub enum CartOwner {
    Guest(Session),
    User(UserId),
}

fn cart_full() -> AppError {
    AppError::bad_request(td_string!(
        Locale::current(),
        errors.cart_full,
        max = MAX_LINES
    ))
}

/// The variant a line is about and its price today: the product and the
/// variant are on sale (else 404; `VARIANT_REQUIRED` when the product has
/// options and none is named) and not sold out (else 409); fewer left than
/// wanted is flagged in the cart, not refused.
async fn cartable(
    db: &Db,
    product_id: ProductId,
    variant_id: Option<VariantId>,
    quantity: Quantity,
) -> AppResult<(VariantId, Won)> {
    let mut conn = db.pool().acquire().await?;
    let variant = resolve_variant(&mut conn, product_id, variant_id, true).await?;
    drop(conn);
    let found = sellable(db, variant)
        .await?
        .ok_or_else(crate::catalog::variants::variant_not_found)?;
    match Availability::of(found.stock, quantity) {
        Availability::SoldOut => Err(sold_out_error()),
        Availability::Available | Availability::Short { .. } => Ok((variant, found.price)),
    }
}

impl CartOwner {
    pub async fn current() -> AppResult<Self> {
        Ok(match current_user_id().await? {
            Some(user) => Self::User(user),
            None => Self::Guest(session().await?),
        })
    }

    pub async fn add(
        &self,
        db: &Db,
        product_id: ProductId,
        variant_id: Option<VariantId>,
        quantity: Quantity,
    ) -> AppResult<()> {
        self.put(db, product_id, variant_id, quantity, Change::Raise)
            .await
    }

    pub async fn set(
        &self,
        db: &Db,
        product_id: ProductId,
        variant_id: Option<VariantId>,
        quantity: Quantity,
    ) -> AppResult<()> {
        self.put(db, product_id, variant_id, quantity, Change::Set)
            .await
    }

    /// A line of a variant that can go in the cart, at today's price.
    async fn put(
        &self,
        db: &Db,
        product_id: ProductId,
        variant_id: Option<VariantId>,
        quantity: Quantity,
        change: Change,
    ) -> AppResult<()> {
        let (variant, price) = cartable(db, product_id, variant_id, quantity).await?;
        let line = Line {
            product_id,
            variant_id: variant,
            quantity,
            price,
        };
        self.put_line(db, line, change).await
    }

    async fn put_line(&self, db: &Db, line: Line, change: Change) -> AppResult<()> {
        match self {
            Self::Guest(session) => {
                let mut lines = guest_lines(session).await?;
                if let Some(held) = lines.iter_mut().find(|l| l.variant() == line.variant_id) {
                    held.quantity = change.apply(held.quantity, line.quantity);
                } else if lines.len() >= MAX_LINES {
                    return Err(cart_full());
                } else {
                    lines.push(StoredLine {
                        product_id: line.product_id,
                        variant_id: Some(line.variant_id),
                        quantity: line.quantity,
                        added_price: line.price,
                    });
                }
                save_guest_lines(session, &lines).await
            }
            Self::User(user) => {
                let mut tx = db.begin_write().await?;
                put_user_line(db, &mut tx, *user, line, change).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    }

    /// Takes a line out; a line whose product or variant went off sale can
    /// still be taken out.
    pub async fn remove(
        &self,
        db: &Db,
        product_id: ProductId,
        variant_id: Option<VariantId>,
    ) -> AppResult<()> {
        let mut conn = db.pool().acquire().await?;
        let variant = resolve_variant(&mut conn, product_id, variant_id, false).await?;
        drop(conn);
        match self {
            Self::Guest(session) => {
                let mut lines = guest_lines(session).await?;
                lines.retain(|l| l.variant() != variant);
                save_guest_lines(session, &lines).await
            }
            Self::User(user) => {
                sqlx::query("DELETE FROM cart_items WHERE user_id = $1 AND variant_id = $2")
                    .bind(user.0)
                    .bind(variant.0)
                    .execute(db.writer())
                    .await?;
                Ok(())
            }
        }
    }

    pub async fn cart(&self, db: &Db) -> AppResult<Cart> {
        let lines = match self {
            Self::Guest(session) => guest_lines(session).await?,
            Self::User(user) => user_lines(db, *user).await?,
        };
        describe(db, &lines).await
    }
}

/// What a new quantity does to a line already in the cart.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// Add to it, capped at 99 (`cart/add`, merging on login).
    Raise,
    /// Replace it (`cart/set`).
    Set,
}

impl Change {
    fn apply(self, current: Quantity, quantity: Quantity) -> Quantity {
        match self {
            Change::Raise => current.saturating_add(quantity),
            Change::Set => quantity,
        }
    }
}

/// A line to put in a cart: which variant, how many, at what price.
#[derive(Debug, Clone, Copy)]
struct Line {
    product_id: ProductId,
    variant_id: VariantId,
    quantity: Quantity,
    price: Won,
}

/// Creates a user's line or changes it, in one atomic statement, so
/// concurrent adds never lose one another.
async fn put_user_line(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    line: Line,
    change: Change,
) -> AppResult<()> {
    ensure_room(db, tx, user, line.variant_id).await?;
    let new_quantity = match change {
        Change::Raise => format!(
            "CASE WHEN cart_items.quantity + excluded.quantity > {max} THEN {max} \
             ELSE cart_items.quantity + excluded.quantity END",
            max = Quantity::MAX
        ),
        Change::Set => "excluded.quantity".to_string(),
    };
    sqlx::query(&format!(
        "INSERT INTO cart_items (user_id, product_id, variant_id, quantity, added_price, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (user_id, variant_id) DO UPDATE SET quantity = {new_quantity}"
    ))
    .bind(user.0)
    .bind(line.product_id.0)
    .bind(line.variant_id.0)
    .bind(line.quantity.get())
    .bind(line.price.get())
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A new line needs room in the cart. The user is locked first, so
/// concurrent adds of different variants count one after another and
/// cannot pass the cap together.
async fn ensure_room(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    variant_id: VariantId,
) -> AppResult<()> {
    lock_user(db, tx, user).await?;
    let (lines, has_it): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN variant_id = $2 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM cart_items WHERE user_id = $1",
    )
    .bind(user.0)
    .bind(variant_id.0)
    .fetch_one(&mut **tx)
    .await?;
    if has_it == 0 && lines >= MAX_LINES as i64 {
        return Err(cart_full());
    }
    Ok(())
}

async fn guest_lines(session: &Session) -> AppResult<Vec<StoredLine>> {
    Ok(session
        .get::<Vec<StoredLine>>(GUEST_CART_KEY)
        .await
        .map_err(|e| AppError::internal("reading the guest cart", e))?
        .unwrap_or_default())
}

async fn save_guest_lines(session: &Session, lines: &[StoredLine]) -> AppResult<()> {
    session
        .insert(GUEST_CART_KEY, lines)
        .await
        .map_err(|e| AppError::internal("writing the guest cart", e))
}

/// The user's lines as checkout sees them in `tx` (which holds the
/// user's lock, so the cart cannot change under it).
pub async fn lines_for_checkout(
    tx: &mut Transaction<'static, Any>,
    user: UserId,
) -> AppResult<Vec<StoredLine>> {
    Ok(sqlx::query(USER_LINES)
        .bind(user.0)
        .try_map(stored_line)
        .fetch_all(&mut **tx)
        .await?)
}

/// Removes the ordered variants' lines from the user's cart.
pub async fn remove_ordered(
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    ordered: &[VariantId],
) -> AppResult<()> {
    for variant_id in ordered {
        sqlx::query("DELETE FROM cart_items WHERE user_id = $1 AND variant_id = $2")
            .bind(user.0)
            .bind(variant_id.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

const USER_LINES: &str = "SELECT product_id, variant_id, quantity, added_price FROM cart_items \
     WHERE user_id = $1 ORDER BY added_at, variant_id";

async fn user_lines(db: &Db, user: UserId) -> AppResult<Vec<StoredLine>> {
    Ok(sqlx::query(USER_LINES)
        .bind(user.0)
        .try_map(stored_line)
        .fetch_all(db.pool())
        .await?)
}

fn stored_line(row: AnyRow) -> Result<StoredLine, sqlx::Error> {
    Ok(StoredLine {
        product_id: ProductId(row.try_get("product_id")?),
        variant_id: Some(VariantId(row.try_get("variant_id")?)),
        quantity: Quantity::from_stored(row.try_get("quantity")?)?,
        added_price: Won(row.try_get("added_price")?),
    })
}

/// Today's name, label, price and stock for each stored line; lines whose
/// variant no longer exists are left out.
async fn describe(db: &Db, stored: &[StoredLine]) -> AppResult<Cart> {
    if stored.is_empty() {
        return Ok(Cart::default());
    }
    let locale = Locale::current();
    let ids: Vec<VariantId> = stored.iter().map(StoredLine::variant).collect();
    let placeholders = crate::db::placeholders(1, ids.len());
    let sql = format!(
        "SELECT v.id, v.product_id, v.sku, {} AS name, p.image, v.price, v.stock, \
                CAST(CASE WHEN v.on_sale = 1 AND p.on_sale = 1 THEN 1 ELSE 0 END AS BIGINT) \
                  AS on_sale \
         FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id IN ({})",
        crate::catalog::store::translated("name", locale),
        placeholders
    );
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(id.0);
    }
    let mut conn = db.pool().acquire().await?;
    let rows = query.fetch_all(&mut *conn).await?;
    let labels = crate::catalog::store::labels(&mut conn, &ids).await?;
    let mut lines = Vec::with_capacity(stored.len());
    for line in stored {
        let variant_id = line.variant();
        let Some(row) = rows
            .iter()
            .find(|r| r.try_get::<i64, _>("id").ok() == Some(variant_id.0))
        else {
            continue;
        };
        let price = Won(row.try_get("price")?);
        let label = labels
            .get(&variant_id)
            .map(|(ko, en)| if locale == Locale::en { en } else { ko }.clone())
            .unwrap_or_default();
        lines.push(CartLine {
            product_id: ProductId(row.try_get("product_id")?),
            variant_id,
            sku: row.try_get("sku")?,
            name: row.try_get("name")?,
            label,
            image: row.try_get("image")?,
            price,
            quantity: line.quantity,
            line_total: price
                .checked_mul(line.quantity.get())
                .unwrap_or(Won(i64::MAX)),
            stock: row.try_get("stock")?,
            price_was: (line.added_price != price).then_some(line.added_price),
            available: row.try_get::<i64, _>("on_sale")? != 0,
        });
    }
    Ok(Cart::from_lines(lines))
}

/// On login: the guest cart in `session` joins the user's (quantities
/// added, capped at 99), and the guest cart is emptied.
pub async fn merge_guest_cart(db: &Db, session: &Session, user: UserId) -> AppResult<()> {
    let lines = guest_lines(session).await?;
    if lines.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    for line in &lines {
        let product: Option<i64> = sqlx::query_scalar(
            "SELECT v.product_id FROM variants v JOIN products p ON p.id = v.product_id \
             WHERE v.id = $1 AND v.on_sale = 1 AND p.on_sale = 1",
        )
        .bind(line.variant().0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(product) = product else {
            continue;
        };
        let line = Line {
            product_id: ProductId(product),
            variant_id: line.variant(),
            quantity: line.quantity,
            price: line.added_price,
        };
        let merged = put_user_line(db, &mut tx, user, line, Change::Raise);
        match merged.await {
            // A full cart keeps what it has; the rest of the guest cart is dropped.
            Err(e) if e.code == crate::error::ErrorCode::BadRequest => break,
            other => other?,
        }
    }
    tx.commit().await?;
    session
        .remove::<Vec<StoredLine>>(GUEST_CART_KEY)
        .await
        .map_err(|e| AppError::internal("emptying the guest cart", e))?;
    Ok(())
}
