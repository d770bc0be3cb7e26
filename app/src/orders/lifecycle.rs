//! An order's life after checkout, written once for both backends: staff
//! ship `placed` orders (one or many at once) and mark a shipped one
//! delivered, and its shopper or staff cancel one (placed, or still
//! awaiting its payment; a shipped order is no longer cancelled). A cancel is one transaction: the status
//! (guarded, so it happens once), the stock back through the one stock
//! rule, the points back as a `refund`, the coupon back while its campaign
//! runs, the `order.cancelled` event in the outbox (for a placed order),
//! the part paid through the payment service marked to be given back, the
//! audit row for staff and the idempotency key's answer, or none of it.

use super::{
    idempotency, order_not_found, store, Actor, CancelledOrder, IdempotencyKey, OrderDetail,
    OrderId, OrderStatus,
};
use crate::{
    audit::{self, AuditKind},
    catalog::{self, store::Movement},
    coupons,
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode, ErrorDetails},
    identity::{self, UserId},
    locale::{td_string, Locale},
    payments::{self, provider::Payments, ChargeStatus},
    platform::{self, OrderCancelled, OrderDelivered, OrderShipped, SoldLine},
    points::{self, LedgerKind},
    shipping::{Carrier, TrackingNumber},
};
use sqlx::{Any, Transaction};

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
    let cancelled = idempotency::once(db, actor.user(), key, &fingerprint, |tx| {
        cancel_once(db, tx, actor, order_id, key, reason)
    })
    .await?;
    if cancelled.fresh {
        let by = match actor {
            Actor::Shopper(_) => "shopper",
            Actor::Staff(_) => "staff",
        };
        metrics::counter!("shop_orders_cancelled_total", "by" => by).increment(1);
    }
    Ok(cancelled.answer)
}

/// The cancel in `tx`, which holds the key's claim.
async fn cancel_once(
    db: &Db,
    mut tx: Transaction<'static, Any>,
    actor: Actor,
    order_id: OrderId,
    key: &IdempotencyKey,
    reason: &str,
) -> AppResult<CancelledOrder> {
    // Who owns it never changes: read first, to lock them first.
    let owner = match (store::owner_and_status(&mut tx, order_id).await?, actor) {
        (None, _) => return Err(order_not_found()),
        (Some((owner, _)), Actor::Shopper(me)) if owner != me => return Err(order_not_found()),
        (Some((owner, _)), _) => owner,
    };
    // The owner first, then the order, then its variants in id order:
    // checkout locks the user, then variants, so none waits in a circle.
    identity::lock_user(db, &mut tx, owner).await?;
    let now = now_millis();
    let status = store::status_in(&mut tx, order_id)
        .await?
        .ok_or_else(order_not_found)?;
    let answer = match status {
        OrderStatus::AwaitingPayment => {
            cancel_unpaid(&mut tx, actor, owner, order_id, now, reason).await?
        }
        _ => cancel_placed(&mut tx, actor, owner, order_id, now, reason).await?,
    };
    idempotency::complete(&mut tx, actor.user(), key, order_id.0, &answer).await?;
    tx.commit().await?;
    // The payment service's part goes back after the commit: the charge is
    // `refunding` until it has, and the reconciler asks again if it will
    // not now.
    if answer.refunded_by_service > 0 {
        if let Some(service) = Payments::current().service() {
            let mut conn = db.pool().acquire().await?;
            if let Some((charge, reference)) =
                payments::store::paid_for_order(&mut conn, order_id.0).await?
            {
                drop(conn);
                let reference = reference.unwrap_or_default();
                payments::flow::give_back(db, service.as_ref(), &charge, &reference).await?;
            }
        }
    }
    Ok(answer)
}

/// Cancels a `placed` order inside `tx`: everything comes back, the
/// platform hears `order.cancelled`, and a payment through the service is
/// marked to be given back.
async fn cancel_placed(
    tx: &mut Transaction<'static, Any>,
    actor: Actor,
    owner: UserId,
    order_id: OrderId,
    now: i64,
    reason: &str,
) -> AppResult<CancelledOrder> {
    if !store::leave_placed(tx, order_id, OrderStatus::Cancelled, now, actor, reason).await? {
        return Err(not_cancellable_now(tx, order_id).await);
    }
    let held = give_back(tx, owner, order_id, now, Movement::cancel(order_id.0)).await?;
    let paid = payments::store::paid_for_order(tx, order_id.0).await?;
    let refunded_by_service = match paid {
        Some((charge, _)) if charge.status == ChargeStatus::Paid => {
            payments::store::mark_refunding(tx, charge.charge_id, "order cancelled")
                .await?
                .map_or(0, |c| c.amount)
        }
        _ => 0,
    };
    let order = store::get_in(tx, order_id, Locale::current())
        .await?
        .ok_or_else(order_not_found)?;
    let event = OrderCancelled {
        event_id: uuid::Uuid::new_v4().to_string(),
        order_id: order_id.0,
        user_id: owner,
        total: order.payment.total,
        items: held
            .lines
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
    platform::outbox::enqueue(tx, &event.into()).await?;
    record_staff_cancel(tx, actor, order_id, held.points, reason).await?;
    Ok(CancelledOrder {
        order,
        refunded: held.points,
        refunded_by_service,
        coupon_returned: held.coupon,
    })
}

/// Cancels an order still awaiting its payment inside `tx`: its payment
/// at the service is closed (refused while the shop is approving it), and
/// what it held comes back. The platform never heard of it.
async fn cancel_unpaid(
    tx: &mut Transaction<'static, Any>,
    actor: Actor,
    owner: UserId,
    order_id: OrderId,
    now: i64,
    reason: &str,
) -> AppResult<CancelledOrder> {
    if let Some((charge, _)) = payments::store::pending_for_order(tx, order_id.0).await? {
        let closed = payments::store::close_unless_approving(
            tx,
            charge.charge_id,
            ChargeStatus::Cancelled,
            payments::store::Closing::Abandoned,
            "the order was cancelled",
        )
        .await?;
        if closed.is_none() {
            return Err(AppError::new(
                ErrorCode::OrderNotCancellable,
                td_string!(Locale::current(), errors.order_being_paid),
            )
            .with_details(ErrorDetails {
                status: Some(OrderStatus::AwaitingPayment.as_str().to_string()),
                ..ErrorDetails::default()
            }));
        }
    }
    let released = release(
        tx,
        owner,
        order_id,
        OrderStatus::Cancelled,
        Some(actor),
        now,
        reason,
    )
    .await?;
    let Some(held) = released else {
        // Paid or closed meanwhile (never expected: the charge's own guard
        // comes first): where it is now.
        return Err(not_cancellable_now(tx, order_id).await);
    };
    record_staff_cancel(tx, actor, order_id, held.points, reason).await?;
    let order = store::get_in(tx, order_id, Locale::current())
        .await?
        .ok_or_else(order_not_found)?;
    Ok(CancelledOrder {
        order,
        refunded: held.points,
        refunded_by_service: 0,
        coupon_returned: held.coupon,
    })
}

/// Staff answer for a cancel in the audit log; a shopper's own cancel is
/// recorded on the order itself (`status_by`).
async fn record_staff_cancel(
    tx: &mut Transaction<'static, Any>,
    actor: Actor,
    order_id: OrderId,
    refunded: i64,
    reason: &str,
) -> AppResult<()> {
    if let Actor::Staff(staff) = actor {
        audit::store::record(
            tx,
            Some(staff),
            AuditKind::OrderCancelled,
            &format!("order:{order_id}"),
            &format!("refunded {refunded}; {reason:?}"),
        )
        .await?;
    }
    Ok(())
}

/// What an order held, given back.
pub struct Held {
    pub lines: Vec<super::OrderLine>,
    /// Points back to the shopper.
    pub points: i64,
    /// The coupon is usable again.
    pub coupon: bool,
}

/// An order that was never paid (`awaiting_payment`) moves to `to`
/// (`cancelled` or `expired`) and everything it held comes back: the stock
/// (`release` movements), the points, the coupon. `None` when it was no
/// longer awaiting its payment (then nothing is written).
pub async fn release(
    tx: &mut Transaction<'static, Any>,
    owner: UserId,
    order_id: OrderId,
    to: OrderStatus,
    actor: Option<Actor>,
    now: i64,
    note: &str,
) -> AppResult<Option<Held>> {
    if !store::leave_awaiting(tx, order_id, to, now, actor, note).await? {
        return Ok(None);
    }
    give_back(tx, owner, order_id, now, Movement::release(order_id.0))
        .await
        .map(Some)
}

/// Gives back what an order held: its stock through the one stock rule
/// (as `movement`), its points as a `refund` and its coupon while its
/// campaign runs (the campaign's issued count stays).
async fn give_back(
    tx: &mut Transaction<'static, Any>,
    owner: UserId,
    order_id: OrderId,
    now: i64,
    movement: Movement<'static>,
) -> AppResult<Held> {
    let lines = store::sold_lines(tx, order_id).await?;
    for line in &lines {
        catalog::store::change_stock(tx, line.variant_id, line.quantity.get(), movement)
            .await?
            .ok_or_else(|| {
                AppError::internal(
                    "returning stock",
                    format!("variant {} refused stock back", line.variant_id),
                )
            })?;
    }
    let points = points::store::paid_for_order(tx, order_id.0).await?;
    if points > 0 {
        // A refund is never refused by the cap (`LedgerKind::capped`).
        points::store::change_balance(tx, owner, points, LedgerKind::Refund, Some(order_id.0))
            .await?;
    }
    let coupon = coupons::store::give_back(tx, order_id.0, now).await?;
    Ok(Held {
        lines,
        points,
        coupon,
    })
}

/// One parcel to send: the order, its courier and waybill number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatch {
    pub order_id: OrderId,
    pub carrier: Carrier,
    pub tracking_number: TrackingNumber,
}

/// Staff mark `placed` orders shipped, each with its courier and number,
/// all or none: one transaction moves each (the conditional update of
/// `leave_placed`), writes its shipment, its `order.shipped` event and its
/// audit row; the answer is in order id order. An order not `placed` (or unknown) refuses the lot: 409
/// `ORDER_NOT_FULFILLABLE` naming it (`details.order_id`, `status`).
pub async fn ship(db: &Db, staff: UserId, parcels: &[Dispatch]) -> AppResult<Vec<OrderDetail>> {
    let mut tx = db.begin_write().await?;
    let now = now_millis();
    let actor = Actor::Staff(staff);
    let mut shipped = Vec::with_capacity(parcels.len());
    // In id order: two shipments of overlapping orders lock their rows in
    // the same order, so neither waits on the other in a circle.
    let mut in_order: Vec<&Dispatch> = parcels.iter().collect();
    in_order.sort_by_key(|p| p.order_id);
    for parcel in in_order {
        let order_id = parcel.order_id;
        if !store::leave_placed(&mut tx, order_id, OrderStatus::Shipped, now, actor, "").await? {
            return Err(not_movable(&mut tx, order_id).await);
        }
        store::record_shipment(
            &mut tx,
            order_id,
            parcel.carrier,
            &parcel.tracking_number,
            now,
            staff,
        )
        .await?;
        let order = store::get_in(&mut tx, order_id, Locale::current())
            .await?
            .ok_or_else(order_not_found)?;
        let event = OrderShipped {
            event_id: uuid::Uuid::new_v4().to_string(),
            order_id: order_id.0,
            user_id: order.user_id,
            carrier: parcel.carrier.code().to_string(),
            tracking_number: parcel.tracking_number.as_str().to_string(),
            shipped_at: now,
        };
        platform::outbox::enqueue(&mut tx, &event.into()).await?;
        audit::store::record(
            &mut tx,
            Some(staff),
            AuditKind::OrderShipped,
            &format!("order:{order_id}"),
            &format!(
                "{} {}",
                parcel.carrier.code(),
                parcel.tracking_number.as_str()
            ),
        )
        .await?;
        shipped.push(order);
    }
    tx.commit().await?;
    Ok(shipped)
}

/// Staff mark a `shipped` order delivered: the move, the shipment's
/// arrival, the `order.delivered` event and the audit row, or none. 409
/// `ORDER_NOT_FULFILLABLE` unless it is `shipped`.
pub async fn deliver(db: &Db, staff: UserId, order_id: OrderId) -> AppResult<OrderDetail> {
    let mut tx = db.begin_write().await?;
    let now = now_millis();
    let actor = Actor::Staff(staff);
    if !store::leave_shipped(&mut tx, order_id, OrderStatus::Delivered, now, actor, "").await? {
        return Err(not_movable(&mut tx, order_id).await);
    }
    store::record_delivery(&mut tx, order_id, now, staff).await?;
    let order = store::get_in(&mut tx, order_id, Locale::current())
        .await?
        .ok_or_else(order_not_found)?;
    let event = OrderDelivered {
        event_id: uuid::Uuid::new_v4().to_string(),
        order_id: order_id.0,
        user_id: order.user_id,
        delivered_at: now,
    };
    platform::outbox::enqueue(&mut tx, &event.into()).await?;
    audit::store::record(
        &mut tx,
        Some(staff),
        AuditKind::OrderDelivered,
        &format!("order:{order_id}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(order)
}

/// An order that cannot be shipped or delivered as it is now (in `tx`):
/// 404 when there is no such order, else 409 naming it and its status.
async fn not_movable(tx: &mut Transaction<'static, Any>, order_id: OrderId) -> AppError {
    match store::status_in(tx, order_id).await {
        Ok(Some(status)) => {
            let mut error = refused(ErrorCode::OrderNotFulfillable, status);
            if let Some(details) = error.details.as_mut() {
                details.order_id = Some(order_id.0);
            }
            error
        }
        Ok(None) => order_not_found(),
        Err(error) => error,
    }
}

/// `not_cancellable` for where the order is now (in `tx`).
async fn not_cancellable_now(tx: &mut Transaction<'static, Any>, order_id: OrderId) -> AppError {
    match store::status_in(tx, order_id).await {
        Ok(Some(status)) => not_cancellable(status),
        Ok(None) => order_not_found(),
        Err(error) => error,
    }
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
        _ => td_string!(locale, errors.order_not_shippable, status = status_label).to_string(),
    };
    AppError::new(code, message).with_details(ErrorDetails {
        status: Some(status.as_str().to_string()),
        ..ErrorDetails::default()
    })
}
