//! Orders paid partly through a payment service (복합결제): checkout writes
//! the order `awaiting_payment`, holding its stock, points and coupon, and
//! starts a payment of the rest; the payment's end decides the order. Paid,
//! the order is `placed` and only then does the data platform hear of it;
//! declined or given up at the service, it is `cancelled`; never paid
//! before its hold ends, it `expired`: either way what it held comes back
//! in one transaction (`lifecycle::release`). `OrderPayment` is the
//! payments flow's purpose for these charges; the reconciler here settles
//! every kind of charge.

use super::{lifecycle, order_not_found, store, OrderId, OrderLine, OrderStatus, Payment};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode, ErrorDetails},
    identity::{self, UserId},
    locale::{td_string, Locale},
    payments::{
        flow::{self, Ended, Purpose},
        provider::{PaymentProvider, Payments},
        store as charges, Charge, ChargeStatus,
    },
    platform::{self, OrderPlaced, SoldLine},
    points::charging::PointsCharge,
};
use sqlx::{Any, Transaction};
use std::time::Duration;

/// A charge that pays the rest of an order.
pub struct OrderPayment;

fn order_of(charge: &Charge) -> AppResult<OrderId> {
    charge
        .order_id
        .map(OrderId)
        .ok_or_else(|| AppError::internal("settling an order's payment", "the charge has no order"))
}

#[async_trait::async_trait]
impl Purpose for OrderPayment {
    /// The order is `placed` and the platform hears `order.placed`, with
    /// the charge `paid`, in one transaction. An order no longer awaiting
    /// it (never expected: an approval holds off expiry) keeps its state
    /// and the money is owed back (`refunding`).
    async fn paid(&self, db: &Db, charge: &Charge, detail: &str) -> AppResult<bool> {
        let order_id = order_of(charge)?;
        let mut tx = db.begin_write().await?;
        if charges::settle(&mut tx, charge.charge_id, ChargeStatus::Paid, detail)
            .await?
            .is_none()
        {
            return Ok(false);
        }
        if store::mark_paid(&mut tx, order_id).await? {
            let event = placed_event(&mut tx, order_id).await?;
            platform::outbox::enqueue(&mut tx, &event.into()).await?;
        } else {
            tracing::error!(order = %order_id, charge = %charge.charge_id, "a payment came in for an order no longer awaiting it");
            charges::mark_refunding(&mut tx, charge.charge_id, "its order was closed").await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The charge ends and the order with it: `cancelled` when the service
    /// declined it or the shopper gave up there, `expired` when the hold
    /// ran out; its stock, points and coupon come back.
    async fn ended(
        &self,
        db: &Db,
        charge: &Charge,
        why: Ended,
        by_service: bool,
        detail: &str,
    ) -> AppResult<bool> {
        let order_id = order_of(charge)?;
        let mut tx = db.begin_write().await?;
        // The owner first, as checkout and cancel lock.
        identity::lock_user(db, &mut tx, charge.user_id).await?;
        let closed = flow::end(&mut tx, charge, why, by_service, detail).await?;
        if closed.is_none() {
            return Ok(false);
        }
        let to = match why {
            Ended::Expired => OrderStatus::Expired,
            Ended::Failed | Ended::Cancelled => OrderStatus::Cancelled,
        };
        lifecycle::release(
            &mut tx,
            charge.user_id,
            order_id,
            to,
            None,
            now_millis(),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn pay_by(&self, db: &Db, charge: &Charge) -> AppResult<i64> {
        // An order no longer awaiting its payment: the charge is past due.
        Ok(store::pay_by(db, order_of(charge)?).await?.unwrap_or(0))
    }
}

/// `order.placed` for an order as it is stored: its lines at the prices
/// paid, under their base names, and its coupon.
pub async fn placed_event(
    tx: &mut Transaction<'static, Any>,
    order_id: OrderId,
) -> AppResult<OrderPlaced> {
    let order = store::get_in(tx, order_id, Locale::current())
        .await?
        .ok_or_else(order_not_found)?;
    let lines = store::sold_lines(tx, order_id).await?;
    Ok(placed(
        order_id,
        order.user_id,
        &order.payment,
        order.ordered_at,
        lines,
    ))
}

/// `order.placed` for an order and its lines (under their base names).
pub fn placed(
    order_id: OrderId,
    user: UserId,
    payment: &Payment,
    ordered_at: i64,
    lines: Vec<OrderLine>,
) -> OrderPlaced {
    let event = OrderPlaced::new(
        order_id.0,
        user,
        payment.total,
        ordered_at,
        lines
            .into_iter()
            .map(|l| SoldLine {
                product_id: l.product_id,
                variant_id: Some(l.variant_id),
                sku: Some(l.sku),
                name: l.name,
                unit_price: l.unit_price,
                quantity: l.quantity,
            })
            .collect(),
    );
    let event = OrderPlaced {
        subtotal: Some(payment.subtotal),
        shipping_fee: payment.shipping_fee,
        ..event
    };
    match payment.coupon_id {
        Some(coupon) => event.with_coupon(coupon.0, payment.subtotal, payment.discount),
        None => event,
    }
}

/// Starts the payment of `charge` (the rest of an order) at the service:
/// where the shopper goes to pay.
pub async fn start(db: &Db, payments: &Payments, charge: &Charge) -> AppResult<String> {
    let Payments::Provider {
        service,
        public_url,
        ..
    } = payments
    else {
        return Err(unavailable());
    };
    let id = order_of(charge)?;
    let item_name = td_string!(Locale::current(), orders.item_name, id).to_string();
    flow::start(
        db,
        service.as_ref(),
        public_url,
        charge,
        &item_name,
        Payments::on_a_phone(),
    )
    .await
}

fn unavailable() -> AppError {
    AppError::new(
        ErrorCode::PaymentUnavailable,
        td_string!(Locale::current(), errors.payment_unavailable),
    )
}

/// "Pay now": a fresh payment of the rest of my order while it awaits it
/// and its hold lasts; the one pending before is closed (a shopper back
/// at an old payment page cannot pay it). Where the shopper goes to pay.
/// 404 not mine; 409 `ORDER_NOT_PAYABLE` (its status in `details`, or the
/// payment being confirmed); 503 `PAYMENT_UNAVAILABLE`.
pub async fn pay_again(
    db: &Db,
    payments: &Payments,
    user: UserId,
    order_id: OrderId,
) -> AppResult<String> {
    let mut tx = db.begin_write().await?;
    identity::lock_user(db, &mut tx, user).await?;
    let order = store::get_in(&mut tx, order_id, Locale::current())
        .await?
        .filter(|o| o.user_id == user)
        .ok_or_else(order_not_found)?;
    let payable = order.state.status == OrderStatus::AwaitingPayment
        && order.pay_by.is_some_and(|by| by > now_millis());
    if !payable {
        return Err(not_payable(order.state.status));
    }
    // Awaiting a payment while the shop has no payment service (it was
    // turned off since): it waits for its hold to end.
    let Some(service) = payments.service() else {
        return Err(unavailable());
    };
    if let Some((pending, _)) = charges::pending_for_order(&mut tx, order_id.0).await? {
        let replaced = charges::close_unless_approving(
            &mut tx,
            pending.charge_id,
            ChargeStatus::Failed,
            charges::Closing::Abandoned,
            "replaced by a fresh payment",
        )
        .await?;
        if replaced.is_none() {
            return Err(AppError::new(
                ErrorCode::OrderNotPayable,
                td_string!(Locale::current(), errors.order_being_paid),
            ));
        }
    }
    let charge = charges::create(
        &mut tx,
        user,
        order.to_pay(),
        service.name(),
        Some(order_id.0),
    )
    .await?;
    tx.commit().await?;
    start(db, payments, &charge).await
}

/// 409 `ORDER_NOT_PAYABLE`: the order does not await a payment.
pub fn not_payable(status: OrderStatus) -> AppError {
    let locale = Locale::current();
    AppError::new(
        ErrorCode::OrderNotPayable,
        td_string!(
            locale,
            errors.order_not_payable,
            status = status.label(locale)
        ),
    )
    .with_details(ErrorDetails {
        status: Some(status.as_str().to_string()),
        ..ErrorDetails::default()
    })
}

/// Orders whose hold ran out with no payment pending at the service (it
/// never started, or failed) expire: what they held comes back. The number
/// expired.
pub async fn expire_unpaid(db: &Db, limit: i64) -> AppResult<usize> {
    let mut expired = 0;
    for (order_id, owner) in store::unpaid_past(db, now_millis(), limit).await? {
        let mut tx = db.begin_write().await?;
        identity::lock_user(db, &mut tx, owner).await?;
        // A payment started since (pay now) keeps it waiting for its end.
        if charges::pending_for_order(&mut tx, order_id.0)
            .await?
            .is_some()
        {
            continue;
        }
        let note = "not paid in time";
        let now = now_millis();
        let released = lifecycle::release(
            &mut tx,
            owner,
            order_id,
            OrderStatus::Expired,
            None,
            now,
            note,
        )
        .await?;
        tx.commit().await?;
        expired += usize::from(released.is_some());
    }
    Ok(expired)
}

/// The purpose of any charge: an order's payment, or points.
pub fn purpose_of(charge: &Charge) -> &'static dyn Purpose {
    static ORDER: OrderPayment = OrderPayment;
    static POINTS: PointsCharge = PointsCharge;
    match charge.order_id {
        Some(_) => &ORDER,
        None => &POINTS,
    }
}

/// The reconciler's round: every charge pending and untouched for `quiet`
/// is settled by what the service says (orders placed, cancelled or
/// expired; points credited), refunds owed are asked for again, and orders
/// whose payment never started expire. The number of charges and orders
/// settled.
pub async fn reconcile(
    db: &Db,
    service: &dyn PaymentProvider,
    quiet: Duration,
    limit: i64,
) -> AppResult<usize> {
    let settled = flow::reconcile(db, service, purpose_of, quiet, limit).await?;
    Ok(settled + expire_unpaid(db, limit).await?)
}

/// Runs `reconcile` every `every` until `stop` is cancelled (a round under
/// way is finished first); a failed round is logged and the next one tries
/// again.
pub async fn run_reconciler(
    db: Db,
    service: std::sync::Arc<dyn PaymentProvider>,
    every: Duration,
    stop: tokio_util::sync::CancellationToken,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        match reconcile(&db, service.as_ref(), every, 100).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(settled = n, "the reconciler settled payments"),
            Err(error) => tracing::warn!(error = %error.message, "a reconciler round failed"),
        }
    }
}
