//! An order's life after checkout, written once for both backends: staff
//! fulfil a `placed` order, and its shopper or staff cancel one. A cancel
//! is one transaction: the status (guarded, so it happens once), the stock
//! back through the one stock rule, the points back as a `refund`, the
//! coupon back while its campaign runs, the
//! `order.cancelled` event in the outbox, the audit row for staff and the
//! idempotency key's answer, or none of it.

use super::{
    idempotency, order_not_found, store, Actor, CancelledOrder, IdempotencyKey, OrderDetail,
    OrderId, OrderStatus,
};
use crate::{
    audit::{self, AuditKind},
    catalog, coupons,
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode, ErrorDetails},
    identity::{self, UserId},
    locale::{td_string, Locale},
    platform::{self, OrderCancelled, SoldLine},
    points::{self, LedgerKind},
};

/// Cancels a `placed` order for `actor` (a shopper only their own: anyone
/// else's is 404, as if it did not exist). The same `key` with the same
/// order and reason replays the first answer.
pub async fn cancel(
    db: &Db,
    actor: Actor,
    order_id: OrderId,
    key: &IdempotencyKey,
    reason: &str,
) -> AppResult<CancelledOrder> {
    let fingerprint = format!("cancel:{order_id}:{reason}");
    idempotency::once(db, actor.user(), key, &fingerprint, || {
        cancel_once(db, actor, order_id, key, reason)
    })
    .await
}

async fn cancel_once(
    db: &Db,
    actor: Actor,
    order_id: OrderId,
    key: &IdempotencyKey,
    reason: &str,
) -> AppResult<CancelledOrder> {
    // Who owns it never changes: read before the transaction, to lock them first.
    let owner = match (store::owner_and_status(db, order_id).await?, actor) {
        (None, _) => return Err(order_not_found()),
        (Some((owner, _)), Actor::Shopper(me)) if owner != me => return Err(order_not_found()),
        (Some((owner, _)), _) => owner,
    };
    let mut tx = db.begin_write().await?;
    // The owner first, then the order, then its variants in id order:
    // checkout locks the user, then variants, so none waits in a circle.
    identity::lock_user(db, &mut tx, owner).await?;
    let now = now_millis();
    if !store::leave_placed(
        &mut tx,
        order_id,
        OrderStatus::Cancelled,
        now,
        actor,
        reason,
    )
    .await?
    {
        let status = store::status_in(&mut tx, order_id)
            .await?
            .ok_or_else(order_not_found)?;
        return Err(not_cancellable(status));
    }
    let lines = store::sold_lines(&mut tx, order_id).await?;
    for line in &lines {
        catalog::store::change_stock(
            &mut tx,
            line.variant_id,
            line.quantity.get(),
            catalog::store::Movement::cancel(order_id.0),
        )
        .await?
        .ok_or_else(|| {
            AppError::internal(
                "returning stock",
                format!("variant {} refused stock back", line.variant_id),
            )
        })?;
    }
    let refunded = points::store::paid_for_order(&mut tx, order_id.0).await?;
    if refunded > 0 {
        // A refund is never refused by the cap (`LedgerKind::capped`).
        points::store::change_balance(
            &mut tx,
            owner,
            refunded,
            LedgerKind::Refund,
            Some(order_id.0),
        )
        .await?;
    }
    // Its coupon comes back while the campaign has not ended; the
    // campaign's issued count stays.
    let coupon_returned = coupons::store::give_back(&mut tx, order_id.0, now).await?;
    let order = store::get_in(&mut tx, order_id, Locale::current())
        .await?
        .ok_or_else(order_not_found)?;
    let event = OrderCancelled {
        event_id: uuid::Uuid::new_v4().to_string(),
        order_id: order_id.0,
        user_id: owner,
        total: order.payment.total,
        items: lines
            .iter()
            .map(|l| SoldLine {
                product_id: l.product_id,
                variant_id: Some(l.variant_id),
                sku: Some(l.sku.clone()),
                name: l.name.clone(),
                unit_price: l.unit_price,
                quantity: l.quantity,
            })
            .collect(),
        ordered_at: order.ordered_at,
        cancelled_at: now,
    };
    platform::outbox::enqueue(&mut tx, &event.into()).await?;
    // Staff answer for it in the audit log; a shopper's own cancel is
    // recorded on the order itself (`status_by`).
    if let Actor::Staff(staff) = actor {
        audit::store::record(
            &mut tx,
            Some(staff),
            AuditKind::OrderCancelled,
            &format!("order:{order_id}"),
            &format!("refunded {refunded}; {reason:?}"),
        )
        .await?;
    }
    let answer = CancelledOrder {
        order,
        refunded,
        coupon_returned,
    };
    idempotency::complete(&mut tx, actor.user(), key, order_id.0, &answer).await?;
    tx.commit().await?;
    Ok(answer)
}

/// Staff mark a `placed` order shipped, with an optional note (a tracking
/// number). Anything else is 409 `ORDER_NOT_FULFILLABLE`.
pub async fn fulfil(
    db: &Db,
    staff: UserId,
    order_id: OrderId,
    note: &str,
) -> AppResult<OrderDetail> {
    let mut tx = db.begin_write().await?;
    let now = now_millis();
    let actor = Actor::Staff(staff);
    if !store::leave_placed(&mut tx, order_id, OrderStatus::Fulfilled, now, actor, note).await? {
        let status = store::status_in(&mut tx, order_id)
            .await?
            .ok_or_else(order_not_found)?;
        return Err(refused(ErrorCode::OrderNotFulfillable, status));
    }
    audit::store::record(
        &mut tx,
        Some(staff),
        AuditKind::OrderFulfilled,
        &format!("order:{order_id}"),
        &format!("{note:?}"),
    )
    .await?;
    let order = store::get_in(&mut tx, order_id, Locale::current())
        .await?
        .ok_or_else(order_not_found)?;
    tx.commit().await?;
    Ok(order)
}

fn not_cancellable(status: OrderStatus) -> AppError {
    refused(ErrorCode::OrderNotCancellable, status)
}

/// 409: the order is no longer `placed`; `details.status` says where it is.
fn refused(code: ErrorCode, status: OrderStatus) -> AppError {
    let locale = Locale::current();
    let status_label = status.label(locale);
    let message = match code {
        ErrorCode::OrderNotCancellable => {
            td_string!(locale, errors.order_not_cancellable, status = status_label).to_string()
        }
        _ => td_string!(locale, errors.order_not_fulfillable, status = status_label).to_string(),
    };
    AppError::new(code, message).with_details(ErrorDetails {
        status: Some(status.as_str().to_string()),
        ..ErrorDetails::default()
    })
}
