//! Addresses in the database, written once for both backends. Every
//! change takes the shopper's lock first (as checkout does), so the count
//! and the one default hold under any number of concurrent requests; a
//! unique index on the default keeps the second rule even if code forgot.

use super::{
    not_found, Address, AddressBook, AddressId, Phone, PostalCode, ShippingAddress, MAX_ADDRESSES,
};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode},
    identity::{self, UserId},
    locale::{td_string, Locale},
};
use sqlx::{any::AnyRow, Any, Row, Transaction};

type Tx = Transaction<'static, Any>;

const COLUMNS: &str = "id, label, recipient, phone, postal_code, address1, address2, memo, \
     is_default";

fn address_of(row: &AnyRow) -> Result<Address, sqlx::Error> {
    Ok(Address {
        address_id: AddressId(row.try_get("id")?),
        label: row.try_get("label")?,
        to: shipping_of(row)?,
        is_default: row.try_get::<i64, _>("is_default")? == 1,
    })
}

/// The address columns of a row (an address book's or an order's copy).
pub fn shipping_of(row: &AnyRow) -> Result<ShippingAddress, sqlx::Error> {
    Ok(ShippingAddress {
        recipient: row.try_get("recipient")?,
        phone: Phone::from_stored(row.try_get("phone")?),
        postal_code: PostalCode::from_stored(row.try_get("postal_code")?),
        address1: row.try_get("address1")?,
        address2: row.try_get("address2")?,
        memo: row.try_get("memo")?,
    })
}

/// Binds an address's six columns (recipient, phone, postal code,
/// address1, address2, memo), in that order: the address book's rows and
/// an order's copy are written through this.
pub fn bind_shipping<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    to: &'q ShippingAddress,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(&to.recipient)
        .bind(to.phone.as_str())
        .bind(to.postal_code.as_str())
        .bind(&to.address1)
        .bind(&to.address2)
        .bind(&to.memo)
}

/// My addresses: the default first, then the newest.
pub async fn book(db: &Db, user: UserId) -> AppResult<AddressBook> {
    let items = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM addresses WHERE user_id = $1 ORDER BY is_default DESC, id DESC"
    ))
    .bind(user.0)
    .try_map(|row: AnyRow| address_of(&row))
    .fetch_all(db.pool())
    .await?;
    Ok(AddressBook {
        items,
        max: MAX_ADDRESSES,
    })
}

async fn one(tx: &mut Tx, user: UserId, id: AddressId) -> AppResult<Option<Address>> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS} FROM addresses WHERE id = $1 AND user_id = $2"
    ))
    .bind(id.0)
    .bind(user.0)
    .try_map(|row: AnyRow| address_of(&row))
    .fetch_optional(&mut **tx)
    .await?)
}

/// The address `id` of `user` as `tx` sees it (checkout copies it onto
/// the order); `None` for an unknown one or anyone else's.
pub async fn shipping_in(
    tx: &mut Tx,
    user: UserId,
    id: AddressId,
) -> AppResult<Option<ShippingAddress>> {
    Ok(one(tx, user, id).await?.map(|a| a.to))
}

/// No address is the default any more (one is about to be).
async fn clear_default(tx: &mut Tx, user: UserId) -> AppResult<()> {
    sqlx::query("UPDATE addresses SET is_default = 0 WHERE user_id = $1 AND is_default = 1")
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A new address; the default when asked, or when it is the first.
pub async fn add(
    db: &Db,
    user: UserId,
    label: &str,
    to: &ShippingAddress,
    make_default: bool,
) -> AppResult<Address> {
    let mut tx = db.begin_write().await?;
    identity::lock_user(db, &mut tx, user).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM addresses WHERE user_id = $1")
        .bind(user.0)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_ADDRESSES as i64 {
        return Err(AppError::new(
            ErrorCode::TooManyAddresses,
            td_string!(
                Locale::current(),
                addresses.error_too_many,
                max = MAX_ADDRESSES
            ),
        ));
    }
    let is_default = make_default || count == 0;
    if is_default {
        clear_default(&mut tx, user).await?;
    }
    let now = now_millis();
    let insert = sqlx::query(
        "INSERT INTO addresses (user_id, label, recipient, phone, postal_code, address1, \
                                address2, memo, is_default, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(user.0)
    .bind(label);
    let id: i64 = bind_shipping(insert, to)
        .bind(i64::from(is_default))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
    tx.commit().await?;
    Ok(Address {
        address_id: AddressId(id),
        label: label.to_string(),
        to: to.clone(),
        is_default,
    })
}

/// An address changed in full; the default too when asked.
pub async fn update(
    db: &Db,
    user: UserId,
    id: AddressId,
    label: &str,
    to: &ShippingAddress,
    make_default: bool,
) -> AppResult<Address> {
    let mut tx = db.begin_write().await?;
    identity::lock_user(db, &mut tx, user).await?;
    let was = one(&mut tx, user, id).await?.ok_or_else(not_found)?;
    let is_default = was.is_default || make_default;
    if is_default && !was.is_default {
        clear_default(&mut tx, user).await?;
    }
    let update = sqlx::query(
        "UPDATE addresses SET label = $3, recipient = $4, phone = $5, postal_code = $6, \
                address1 = $7, address2 = $8, memo = $9, is_default = $10, updated_at = $11 \
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id.0)
    .bind(user.0)
    .bind(label);
    bind_shipping(update, to)
        .bind(i64::from(is_default))
        .bind(now_millis())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Address {
        address_id: id,
        label: label.to_string(),
        to: to.clone(),
        is_default,
    })
}

/// `id` is my default from now on.
pub async fn make_default(db: &Db, user: UserId, id: AddressId) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    identity::lock_user(db, &mut tx, user).await?;
    let was = one(&mut tx, user, id).await?.ok_or_else(not_found)?;
    if !was.is_default {
        clear_default(&mut tx, user).await?;
        sqlx::query(
            "UPDATE addresses SET is_default = 1, updated_at = $3 WHERE id = $1 AND user_id = $2",
        )
        .bind(id.0)
        .bind(user.0)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Removes `id`; when it was the default, the newest of the rest is.
pub async fn remove(db: &Db, user: UserId, id: AddressId) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    identity::lock_user(db, &mut tx, user).await?;
    let was = one(&mut tx, user, id).await?.ok_or_else(not_found)?;
    sqlx::query("DELETE FROM addresses WHERE id = $1 AND user_id = $2")
        .bind(id.0)
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    if was.is_default {
        sqlx::query(
            "UPDATE addresses SET is_default = 1 WHERE id = \
               (SELECT MAX(id) FROM addresses WHERE user_id = $1)",
        )
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
