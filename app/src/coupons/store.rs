//! Coupons in the database, written once for both backends. A claim is
//! one transaction: the shopper's row (unique per campaign: a second claim
//! finds it) and one conditional update of the campaign's count (`issued <
//! quantity`: never one more). Checkout spends a coupon with one
//! conditional update (`status = 'usable'`), a cancel gives it back.

use super::{
    shown_name, Campaign, CampaignId, CampaignInput, CampaignPage, CouponId, CouponKind,
    CouponStatus, Held, IssuedCoupon, MyCoupon, Offer, Terms, Validity,
};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
    money::Won,
    paging::Paging,
};
use sqlx::{any::AnyRow, Any, AnyConnection, Row, Transaction};

type Tx = Transaction<'static, Any>;

/// The campaign columns `terms_of`, `validity_of` and `campaign_of` read, of `c`.
const CAMPAIGN_COLUMNS: &str = "c.id, c.name, c.name_en, c.kind, c.value, c.max_discount, \
     c.min_order, c.quantity, c.issued, c.valid_from, c.valid_until, c.open, c.created_at";

fn terms_of(row: &AnyRow) -> Result<Terms, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(Terms {
        kind: CouponKind::from_stored(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown coupon kind {kind:?}").into()))?,
        value: row.try_get("value")?,
        max_discount: row.try_get::<Option<i64>, _>("max_discount")?.map(Won),
        min_order: Won(row.try_get("min_order")?),
    })
}

fn validity_of(row: &AnyRow) -> Result<Validity, sqlx::Error> {
    Ok(Validity {
        valid_from: row.try_get("valid_from")?,
        valid_until: row.try_get("valid_until")?,
    })
}

fn campaign_of(row: &AnyRow) -> Result<Campaign, sqlx::Error> {
    Ok(Campaign {
        id: CampaignId(row.try_get("id")?),
        name: row.try_get("name")?,
        name_en: row.try_get("name_en")?,
        terms: terms_of(row)?,
        quantity: row.try_get("quantity")?,
        validity: validity_of(row)?,
        open: row.try_get::<i64, _>("open")? != 0,
        issued: row.try_get("issued")?,
        used: row.try_get("used")?,
        created_at: row.try_get("created_at")?,
    })
}

const USED_COUNT: &str = "(SELECT COUNT(*) FROM coupons u \
     WHERE u.campaign_id = c.id AND u.status = 'used') AS used";

/// A new campaign; its id.
pub async fn create(tx: &mut Tx, input: &CampaignInput, by: UserId) -> AppResult<CampaignId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO coupon_campaigns (name, name_en, kind, value, max_discount, min_order, \
             quantity, valid_from, valid_until, open, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&input.name)
    .bind(input.name_en.as_deref())
    .bind(input.terms.kind.as_str())
    .bind(input.terms.value)
    .bind(input.terms.max_discount.map(Won::get))
    .bind(input.terms.min_order.get())
    .bind(input.quantity)
    .bind(input.validity.valid_from)
    .bind(input.validity.valid_until)
    .bind(i64::from(input.open))
    .bind(by.0)
    .bind(now_millis())
    .fetch_one(&mut **tx)
    .await?;
    Ok(CampaignId(id))
}

/// A campaign on `conn`, its row locked with `lock` (a `FOR …` clause, or
/// nothing).
async fn campaign_on(conn: &mut AnyConnection, id: CampaignId, lock: &str) -> AppResult<Campaign> {
    sqlx::query(&format!(
        "SELECT {CAMPAIGN_COLUMNS}, {USED_COUNT} FROM coupon_campaigns c WHERE c.id = $1{lock}"
    ))
    .bind(id.0)
    .try_map(|row: AnyRow| campaign_of(&row))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(campaign_not_found)
}

/// A campaign as `tx` sees it, locked against other writers of it.
pub async fn lock(db: &Db, tx: &mut Tx, id: CampaignId) -> AppResult<Campaign> {
    campaign_on(tx, id, db.for_update()).await
}

/// A campaign as `tx` sees it.
pub async fn get_in(tx: &mut Tx, id: CampaignId) -> AppResult<Campaign> {
    campaign_on(tx, id, "").await
}

/// A campaign, for staff.
pub async fn get(db: &Db, id: CampaignId) -> AppResult<Campaign> {
    let mut conn = db.pool().acquire().await?;
    campaign_on(&mut conn, id, "").await
}

/// Changes a locked campaign. Its count is never taken below what was
/// issued (400 on `quantity`).
pub async fn update(tx: &mut Tx, before: &Campaign, input: &CampaignInput) -> AppResult<()> {
    if input.quantity.is_some_and(|q| q < before.issued) {
        return Err(AppError::invalid_field(
            ErrorCode::BadRequest,
            "quantity",
            td_string!(
                Locale::current(),
                coupons.error_below_issued,
                issued = before.issued
            ),
        ));
    }
    sqlx::query(
        "UPDATE coupon_campaigns SET name = $2, name_en = $3, kind = $4, value = $5, \
             max_discount = $6, min_order = $7, quantity = $8, valid_from = $9, \
             valid_until = $10, open = $11 WHERE id = $1",
    )
    .bind(before.id.0)
    .bind(&input.name)
    .bind(input.name_en.as_deref())
    .bind(input.terms.kind.as_str())
    .bind(input.terms.value)
    .bind(input.terms.max_discount.map(Won::get))
    .bind(input.terms.min_order.get())
    .bind(input.quantity)
    .bind(input.validity.valid_from)
    .bind(input.validity.valid_until)
    .bind(i64::from(input.open))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every campaign, newest first, with its counts.
pub async fn list(db: &Db, paging: Paging) -> AppResult<CampaignPage> {
    let items = sqlx::query(&format!(
        "SELECT {CAMPAIGN_COLUMNS}, {USED_COUNT} FROM coupon_campaigns c \
         ORDER BY c.id DESC LIMIT $1 OFFSET $2"
    ))
    .bind(i64::from(paging.per_page))
    .bind(paging.offset())
    .try_map(|row: AnyRow| campaign_of(&row))
    .fetch_all(db.pool())
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM coupon_campaigns")
        .fetch_one(db.pool())
        .await?;
    Ok(CampaignPage {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}

/// The condition on a campaign (`table` names it) that lets shoppers
/// claim it at `now` (a placeholder): open and not ended (it may not have
/// started yet).
fn claimable(table: &str, now: &str) -> String {
    format!("{table}.open = 1 AND ({table}.valid_until IS NULL OR {table}.valid_until > {now})")
}

/// The campaigns one may claim, soonest to end first, then newest.
pub async fn offers(db: &Db, user: Option<UserId>, locale: Locale) -> AppResult<Vec<Offer>> {
    let now = now_millis();
    Ok(sqlx::query(&format!(
        "SELECT {CAMPAIGN_COLUMNS}, \
            CAST(CASE WHEN EXISTS (SELECT 1 FROM coupons m \
                 WHERE m.campaign_id = c.id AND m.user_id = $2) THEN 1 ELSE 0 END AS BIGINT) \
              AS claimed \
         FROM coupon_campaigns c WHERE {} \
         ORDER BY CASE WHEN c.valid_until IS NULL THEN 1 ELSE 0 END, c.valid_until, c.id DESC \
         LIMIT 100",
        claimable("c", "$1")
    ))
    .bind(now)
    .bind(user.map_or(0, |u| u.0))
    .try_map(|row: AnyRow| {
        let name: String = row.try_get("name")?;
        let name_en: Option<String> = row.try_get("name_en")?;
        let quantity: Option<i64> = row.try_get("quantity")?;
        let issued: i64 = row.try_get("issued")?;
        Ok(Offer {
            campaign_id: CampaignId(row.try_get("id")?),
            name: shown_name(&name, name_en.as_deref(), locale),
            terms: terms_of(&row)?,
            left: quantity.map(|q| (q - issued).max(0)),
            validity: validity_of(&row)?,
            claimed: row.try_get::<i64, _>("claimed")? != 0,
        })
    })
    .fetch_all(db.pool())
    .await?)
}

/// A claim: first come, first served, one per shopper. The shopper's row
/// first (the unique (campaign, user) pair refuses a second, and a second
/// claim at the same moment waits for the first and finds it), then one
/// conditional update of the count. A refused claim writes nothing.
pub async fn issue(db: &Db, user: UserId, campaign: CampaignId) -> AppResult<IssuedCoupon> {
    let now = now_millis();
    let mut tx = db.begin_write().await?;
    // When it may be used, read before the count is taken: the campaign's
    // row lock is then held for the update and the commit only.
    let validity: Option<Validity> = sqlx::query(&format!(
        "SELECT c.valid_from, c.valid_until FROM coupon_campaigns c WHERE c.id = $1 AND {}",
        claimable("c", "$2")
    ))
    .bind(campaign.0)
    .bind(now)
    .try_map(|row: AnyRow| validity_of(&row))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(validity) = validity else {
        return Err(campaign_not_found());
    };
    let coupon: Option<i64> = sqlx::query_scalar(
        "INSERT INTO coupons (campaign_id, user_id, issued_at) VALUES ($1, $2, $3) \
         ON CONFLICT (campaign_id, user_id) DO NOTHING RETURNING id",
    )
    .bind(campaign.0)
    .bind(user.0)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(coupon) = coupon else {
        return Err(AppError::new(
            ErrorCode::CouponAlreadyIssued,
            td_string!(Locale::current(), coupons.already_issued),
        ));
    };
    let counted = sqlx::query(&format!(
        "UPDATE coupon_campaigns SET issued = issued + 1 \
         WHERE id = $1 AND (quantity IS NULL OR issued < quantity) AND {}",
        claimable("coupon_campaigns", "$2")
    ))
    .bind(campaign.0)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if counted == 0 {
        // Closed or ended since the look above, or none left.
        let still: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT c.id FROM coupon_campaigns c WHERE c.id = $1 AND {}",
            claimable("c", "$2")
        ))
        .bind(campaign.0)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        return Err(match still {
            None => campaign_not_found(),
            Some(_) => AppError::new(
                ErrorCode::CouponSoldOut,
                td_string!(Locale::current(), coupons.sold_out),
            ),
        });
    }
    tx.commit().await?;
    metrics::counter!("shop_coupons_claimed_total").increment(1);
    Ok(IssuedCoupon {
        coupon_id: CouponId(coupon),
        campaign_id: campaign,
        status: CouponStatus::of(false, validity, now),
    })
}

const MINE_COLUMNS: &str = "m.id AS coupon_id, m.status AS stored_status, m.order_id, \
     c.id, c.name, c.name_en, c.kind, c.value, c.max_discount, c.min_order, \
     c.valid_from, c.valid_until";

fn mine_of(row: &AnyRow, now: i64, locale: Locale) -> Result<MyCoupon, sqlx::Error> {
    let name: String = row.try_get("name")?;
    let name_en: Option<String> = row.try_get("name_en")?;
    let stored: String = row.try_get("stored_status")?;
    let validity = validity_of(row)?;
    Ok(MyCoupon {
        coupon_id: CouponId(row.try_get("coupon_id")?),
        campaign_id: CampaignId(row.try_get("id")?),
        name: shown_name(&name, name_en.as_deref(), locale),
        terms: terms_of(row)?,
        validity,
        status: CouponStatus::of(stored == "used", validity, now),
        order_id: row.try_get("order_id")?,
    })
}

/// My coupons, newest first.
pub async fn mine(db: &Db, user: UserId, locale: Locale) -> AppResult<Vec<MyCoupon>> {
    let now = now_millis();
    Ok(sqlx::query(&format!(
        "SELECT {MINE_COLUMNS} FROM coupons m JOIN coupon_campaigns c ON c.id = m.campaign_id \
         WHERE m.user_id = $1 ORDER BY m.id DESC LIMIT 200"
    ))
    .bind(user.0)
    .try_map(|row: AnyRow| mine_of(&row, now, locale))
    .fetch_all(db.pool())
    .await?)
}

/// `user`'s coupon `id` as checkout finds it in its transaction (the user
/// is locked, so it stays as read); `None` when it is not theirs.
pub async fn held(tx: &mut Tx, user: UserId, id: CouponId, now: i64) -> AppResult<Option<Held>> {
    Ok(sqlx::query(&format!(
        "SELECT {MINE_COLUMNS} FROM coupons m JOIN coupon_campaigns c ON c.id = m.campaign_id \
         WHERE m.id = $1 AND m.user_id = $2"
    ))
    .bind(id.0)
    .bind(user.0)
    .try_map(|row: AnyRow| {
        let coupon = mine_of(&row, now, Locale::current())?;
        Ok(Held {
            id: coupon.coupon_id,
            terms: coupon.terms,
            status: coupon.status,
        })
    })
    .fetch_optional(&mut **tx)
    .await?)
}

/// Spends `user`'s coupon on `order`: one conditional update, so of any
/// number of orders trying the same coupon exactly one does. Returns
/// whether this one did.
pub async fn spend(
    tx: &mut Tx,
    user: UserId,
    id: CouponId,
    order: i64,
    now: i64,
) -> AppResult<bool> {
    let spent = sqlx::query(
        "UPDATE coupons SET status = 'used', order_id = $3, used_at = $4 \
         WHERE id = $1 AND user_id = $2 AND status = 'usable'",
    )
    .bind(id.0)
    .bind(user.0)
    .bind(order)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(spent == 1)
}

/// A cancelled order's coupon, usable again while its campaign has not
/// ended; the campaign's count stays. Returns whether one came back.
pub async fn give_back(tx: &mut Tx, order: i64, now: i64) -> AppResult<bool> {
    let back = sqlx::query(
        "UPDATE coupons SET status = 'usable', order_id = NULL, used_at = NULL \
         WHERE order_id = $1 AND status = 'used' AND EXISTS (SELECT 1 FROM coupon_campaigns c \
             WHERE c.id = coupons.campaign_id AND (c.valid_until IS NULL OR c.valid_until > $2))",
    )
    .bind(order)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(back == 1)
}

pub fn campaign_not_found() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        td_string!(Locale::current(), coupons.no_such_campaign),
    )
}
