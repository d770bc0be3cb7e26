//! Placing an order: the shop's transactional rules, written once for both
//! backends. One write transaction claims the idempotency key, checks
//! every product, price, stock, the address and the balance, then writes
//! the order with its snapshot (the lines, and the address as it is now),
//! spends the coupon (one conditional update) and the points, empties the
//! cart, queues the data-platform event, records the key's answer and,
//! last, takes the stock (a `sale` movement per line, naming the order,
//! through the one stock rule), or does none of it. The page before it
//! reads [`summary`].

use super::{
    idempotency, paying, store, CheckoutSummary, CouponChoice, IdempotencyKey, LineRequest,
    OrderChoices, OrderLine, OrderRequest, OrderStatus, Payment, PlacedOrder,
};
use crate::{
    addresses::{self, AddressId},
    cart,
    catalog::{self, Availability, ProductId, VariantId},
    coupons::{self, CouponId, Refusal},
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode, ErrorDetails, Problem},
    identity::UserId,
    locale::{td_string, Locale},
    money::Won,
    payments::{provider::Payments, store as charges},
    platform,
    points::{self, LedgerKind},
    shipping::ShippingRates,
};
use sqlx::{Any, Transaction};

/// What the checkout page shows `user` (`GET /api/checkout`): their cart
/// against their balance, with a fresh key, their usable coupons and what
/// `wanted` takes off (when it can), the shipping fee, and their addresses
/// with the one the order would go to (`wanted_address` when it is theirs,
/// else their default).
pub async fn summary(
    db: &Db,
    user: UserId,
    wanted: Option<CouponId>,
    wanted_address: Option<AddressId>,
    locale: Locale,
    payments: &Payments,
    rates: ShippingRates,
) -> AppResult<CheckoutSummary> {
    use crate::coupons::{CouponStatus, Held};
    let cart = cart::store::CartOwner::User(user).cart(db).await?;
    let points = points::store::balance(db, user).await?;
    let coupons: Vec<CouponChoice> = coupons::store::mine(db, user, locale)
        .await?
        .into_iter()
        .filter(|c| c.status == CouponStatus::Usable)
        .map(|c| {
            let held = Held {
                id: c.coupon_id,
                terms: c.terms,
                status: c.status,
            };
            CouponChoice {
                coupon_id: c.coupon_id,
                name: c.name,
                terms: c.terms,
                discount: held.discount_for(cart.total).ok(),
            }
        })
        .collect();
    let chosen = wanted.and_then(|id| {
        coupons
            .iter()
            .find(|c| c.coupon_id == id)
            .and_then(|c| c.discount.map(|off| (id, off)))
    });
    let discount = chosen.map_or(Won::ZERO, |(_, off)| off);
    let after_coupon = Won(cart.total.get() - discount.get());
    let shipping_fee = rates.fee_for(after_coupon);
    let book = addresses::store::book(db, user).await?;
    let address_id = wanted_address
        .filter(|id| book.items.iter().any(|a| a.address_id == *id))
        .or_else(|| book.default_address().map(|a| a.address_id));
    Ok(CheckoutSummary {
        rest_paid_with: payments.service().map(|service| service.name().to_string()),
        to_pay: Won(after_coupon.get() + shipping_fee.get()),
        shipping_fee,
        free_shipping_from: rates.free_from,
        addresses: book.items,
        address_id,
        cart,
        points,
        idempotency_key: idempotency::new_key(),
        coupons,
        coupon_id: chosen.map(|(id, _)| id),
        discount,
    })
}

/// `choices.points`: how many points to spend (`None`: the whole total, as
/// before an order could be paid otherwise); the rest is paid through the
/// payment service (`payments`), the order `awaiting_payment` until it is.
/// The order goes to `choices.address` and pays `rates`' fee.
pub async fn place_order(
    db: &Db,
    user: UserId,
    key: &IdempotencyKey,
    request: &OrderRequest,
    choices: &OrderChoices,
    payments: &Payments,
    rates: ShippingRates,
) -> AppResult<PlacedOrder> {
    // The key covers the coupon, the points and the address too.
    let mut fingerprint = request.fingerprint();
    if let Some(coupon) = choices.coupon {
        fingerprint.push_str(&format!("|coupon:{coupon}"));
    }
    if let Some(points) = choices.points {
        fingerprint.push_str(&format!("|points:{points}"));
    }
    fingerprint.push_str(&format!("|address:{}", choices.address));
    let hold = match payments {
        Payments::Provider {
            order_hold,
            service,
            ..
        } => Some((*order_hold, service.name())),
        Payments::Demo => None,
    };
    let once = idempotency::once(db, user, key, &fingerprint, |tx| {
        place_once(db, tx, user, key, request, choices, rates, hold)
    })
    .await;
    let idempotency::Once {
        answer: mut placed,
        fresh,
    } = match once {
        Ok(once) => once,
        Err(refused) => {
            metrics::counter!("shop_checkouts_refused_total", "code" => refused.code.as_str())
                .increment(1);
            return Err(refused);
        }
    };
    if fresh {
        metrics::counter!("shop_orders_placed_total").increment(1);
    }
    if placed.state.status != OrderStatus::AwaitingPayment || placed.redirect_url.is_some() {
        return Ok(placed);
    }
    if !fresh {
        // A replay while the first request starts the payment: its order's
        // page (which offers to pay) rather than a second payment.
        placed.redirect_url = Some(format!("/orders/{}", placed.order_id));
        return Ok(placed);
    }
    // Its payment starts after the commit (the service is not asked while
    // rows are locked); the answer kept for the key then names its page.
    let mut tx = db.begin_write().await?;
    let pending = charges::pending_for_order(&mut tx, placed.order_id.0).await?;
    tx.commit().await?;
    let started = match pending {
        Some((charge, None)) => paying::start(db, payments, &charge).await,
        _ => Err(AppError::internal(
            "starting an order's payment",
            "no charge to start",
        )),
    };
    placed.redirect_url = Some(match started {
        Ok(url) => url,
        Err(error) => {
            // The order waits: its page offers to pay again, or it expires.
            tracing::warn!(order = %placed.order_id, error = %error.message, "an order's payment did not start");
            format!("/orders/{}", placed.order_id)
        }
    });
    idempotency::amend(db, user, key, &placed).await?;
    Ok(placed)
}

/// The order in `tx`, which holds the key's claim.
#[allow(clippy::too_many_arguments)]
async fn place_once(
    db: &Db,
    mut tx: Transaction<'static, Any>,
    user: UserId,
    key: &IdempotencyKey,
    request: &OrderRequest,
    choices: &OrderChoices,
    rates: ShippingRates,
    hold: Option<(std::time::Duration, &'static str)>,
) -> AppResult<PlacedOrder> {
    let OrderChoices {
        address,
        coupon,
        points,
    } = *choices;
    // The user first (with their balance), then (last of all, when the
    // stock is taken) the variants in id order: every transaction locks in
    // this order, so none waits on another in a circle.
    let balance = points::store::lock_balance(db, &mut tx, user).await?;
    let lines = requested_lines(&mut tx, user, request).await?;
    // Mine (locked with me), copied onto the order as it is now.
    let ship_to = addresses::store::shipping_in(&mut tx, user, address)
        .await?
        .ok_or_else(addresses::not_found)?;

    // Each line's variant (a product without options: its one), as it is
    // now (not locked).
    let pairs: Vec<(ProductId, Option<VariantId>)> =
        lines.iter().map(|l| (l.product_id, l.variant_id)).collect();
    let for_sale = catalog::store::lines_for_sale(&mut tx, &pairs, Locale::current()).await?;
    let mut ids: Vec<VariantId> = for_sale.iter().map(|p| p.variant_id).collect();
    ids.sort();
    if let Some(twice) = ids.windows(2).find(|w| w[0] == w[1]) {
        let product = for_sale
            .iter()
            .find(|p| p.variant_id == twice[0])
            .map_or(0, |p| p.product_id.0);
        return Err(AppError::invalid_field(
            ErrorCode::BadRequest,
            "items",
            td_string!(Locale::current(), errors.listed_twice, product),
        ));
    }

    let mut problems = Problems::default();
    let mut order_lines = Vec::with_capacity(lines.len());
    // Each line with its variant as read, for taking the stock at the end.
    let mut checked = Vec::with_capacity(lines.len());
    let mut subtotal = Won::ZERO;
    for (line, product) in lines.iter().zip(&for_sale) {
        checked.push((line, product));
        if let Some(sent) = line.price.filter(|sent| *sent != product.price) {
            problems.price_changed(product, sent);
        }
        match Availability::of(product.stock, line.quantity) {
            Availability::Available => {}
            Availability::Short { left } => problems.short(product, line, left),
            Availability::SoldOut => problems.short(product, line, 0),
        }
        let line_total = product
            .price
            .checked_mul(line.quantity.get())
            .ok_or_else(|| {
                AppError::bad_request(td_string!(Locale::current(), errors.total_too_large))
            })?;
        subtotal = subtotal.checked_add(line_total).ok_or_else(|| {
            AppError::bad_request(td_string!(Locale::current(), errors.total_too_large))
        })?;
        order_lines.push(OrderLine {
            product_id: product.product_id,
            variant_id: product.variant_id,
            sku: product.sku.clone(),
            // The answer names it in the shopper's language; the order
            // keeps every language's name and label (`store::insert`).
            name: product.shown_name.clone(),
            label: product.shown_label.clone(),
            unit_price: product.price,
            quantity: line.quantity,
        });
    }
    let ordered_at = now_millis();
    // The coupon is the shopper's (locked with them), so it stays as read.
    let mut discount = Won::ZERO;
    if let Some(coupon) = coupon {
        match coupons::store::held(&mut tx, user, coupon, ordered_at).await? {
            None => problems.coupon(Problem::coupon_not_usable(coupon.0, "unknown")),
            Some(held) => match held.discount_for(subtotal) {
                Ok(off) => discount = off,
                Err(Refusal::NotUsable(status)) => {
                    problems.coupon(Problem::coupon_not_usable(coupon.0, status))
                }
                Err(Refusal::MinimumNotMet { min_order }) => problems.coupon(
                    Problem::coupon_minimum(coupon.0, min_order.get(), subtotal.get()),
                ),
            },
        }
    }
    let after_coupon = Won(subtotal.get() - discount.get());
    let shipping_fee = rates.fee_for(after_coupon);
    let payment = Payment {
        total: Won(after_coupon.get() + shipping_fee.get()),
        subtotal,
        discount,
        coupon_id: coupon,
        shipping_fee,
    };
    let total = payment.total;
    // Points to spend: all of the total unless the shopper said; the rest
    // through the payment service, when there is one.
    let points_used = match points {
        None => total.get(),
        Some(points) if (0..=total.get()).contains(&points) => points,
        Some(_) => {
            return Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                "points",
                td_string!(
                    Locale::current(),
                    errors.points_to_use,
                    total = total.show(Locale::current())
                ),
            ))
        }
    };
    let to_pay = total.get() - points_used;
    if balance < points_used {
        problems.points_short(balance, Won(points_used));
    } else if to_pay > 0 && hold.is_none() {
        // No payment service: the rest cannot be paid.
        problems.points_short(points_used, total);
    }
    if let Some(refusal) = problems.into_error() {
        return Err(refusal);
    }

    let service = hold.filter(|_| to_pay > 0);
    let pay_by = service.map(|(hold, _)| ordered_at + hold.as_millis() as i64);
    let order_id = store::insert(
        &mut tx,
        user,
        &payment,
        ordered_at,
        &order_lines,
        &for_sale,
        pay_by,
        &ship_to,
    )
    .await?;
    if let Some(coupon) = coupon {
        // One conditional update: of any number of orders with this
        // coupon, one spends it. Under the user's lock this one was
        // checked above, so a refusal here is a broken invariant.
        if !coupons::store::spend(&mut tx, user, coupon, order_id.0, ordered_at).await? {
            return Err(AppError::new(
                ErrorCode::CouponNotUsable,
                td_string!(Locale::current(), coupons.not_usable),
            ));
        }
    }
    // An order a coupon (or the payment service) pays in full spends no
    // points: no ledger row.
    let points_left = if points_used > 0 {
        points::store::change_balance(
            &mut tx,
            user,
            -points_used,
            LedgerKind::Use,
            Some(order_id.0),
        )
        .await?
    } else {
        balance
    };
    if matches!(request, OrderRequest::FromCart { .. }) {
        cart::store::remove_ordered(&mut tx, user, &ids).await?;
    }
    let status = match service {
        // The rest is paid through the service: a charge for it, started
        // once this commits; the platform hears of the order once paid.
        Some((_, provider)) => {
            charges::create(&mut tx, user, to_pay, provider, Some(order_id.0)).await?;
            OrderStatus::AwaitingPayment
        }
        None => {
            // The platform's lines carry the base names, whatever the
            // shopper's language.
            let lines = order_lines
                .iter()
                .map(|l| OrderLine {
                    name: base_name(&for_sale, l.variant_id),
                    ..l.clone()
                })
                .collect();
            let event = paying::placed(order_id, user, &payment, ordered_at, lines);
            platform::outbox::enqueue(&mut tx, &event.into()).await?;
            OrderStatus::Placed
        }
    };
    let placed = PlacedOrder {
        order_id,
        payment,
        points_used,
        to_pay,
        redirect_url: None,
        pay_by,
        points_left,
        items: order_lines,
        ship_to: Some(ship_to),
        ordered_at,
        state: super::OrderState {
            status,
            ..super::OrderState::default()
        },
    };
    idempotency::complete(&mut tx, user, key, placed.order_id.0, &placed).await?;
    // The stock last, in variant id order, so each variant is locked from
    // its `sale` movement (through the one stock rule, naming the order) to
    // the commit. Sold meanwhile by someone else: nothing of this order
    // is kept, and the shopper hears what is left.
    checked.sort_by_key(|(_, product)| product.variant_id);
    let mut problems = Problems::default();
    for (line, product) in checked {
        let id = product.variant_id;
        let taken =
            catalog::store::take_stock(&mut tx, id, line.quantity, Some(order_id.0)).await?;
        if taken.is_none() {
            let left = catalog::store::stock_in(&mut tx, id).await?;
            problems.short(product, line, left);
        }
    }
    if let Some(refusal) = problems.into_error() {
        return Err(refusal);
    }
    tx.commit().await?;
    Ok(placed)
}

/// The lines to order: the request's, or the cart's (which must still be
/// what the shopper saw, when they sent it along).
async fn requested_lines(
    tx: &mut Transaction<'static, Any>,
    user: UserId,
    request: &OrderRequest,
) -> AppResult<Vec<LineRequest>> {
    match request {
        OrderRequest::Items(items) => Ok(items.clone()),
        OrderRequest::FromCart { seen } => {
            let in_cart = cart::store::lines_for_checkout(tx, user).await?;
            if in_cart.is_empty() {
                return Err(AppError::invalid_field(
                    ErrorCode::BadRequest,
                    "from_cart",
                    td_string!(Locale::current(), errors.cart_empty),
                ));
            }
            let Some(seen) = seen else {
                return Ok(in_cart
                    .iter()
                    .map(|l| LineRequest {
                        product_id: l.product_id,
                        variant_id: Some(l.variant()),
                        quantity: l.quantity,
                        price: None,
                    })
                    .collect());
            };
            // Each line seen is one in the cart (its variant, when named),
            // with the same quantity; the cart names the variant.
            let held = |s: &LineRequest| {
                in_cart.iter().find(|c| {
                    c.product_id == s.product_id
                        && s.variant_id.is_none_or(|v| v == c.variant())
                        && c.quantity == s.quantity
                })
            };
            let same = seen.len() == in_cart.len() && seen.iter().all(|s| held(s).is_some());
            if !same {
                return Err(AppError::new(
                    ErrorCode::CartChanged,
                    td_string!(Locale::current(), errors.cart_changed),
                ));
            }
            Ok(seen
                .iter()
                .map(|s| LineRequest {
                    variant_id: held(s).map(|c| c.variant()),
                    ..*s
                })
                .collect())
        }
    }
}

/// Everything wrong with an order, so the shopper can fix it in one go.
#[derive(Default)]
struct Problems {
    stock: Vec<Problem>,
    /// The first short product's name in the shopper's language (the
    /// problems themselves carry its base name).
    first_short: Option<String>,
    points: Option<Problem>,
    prices: Vec<Problem>,
    coupon: Option<Problem>,
}

impl Problems {
    fn short(&mut self, product: &catalog::store::ForSale, line: &LineRequest, left: i64) {
        self.first_short
            .get_or_insert_with(|| match product.shown_label.is_empty() {
                true => product.shown_name.clone(),
                false => format!("{} ({})", product.shown_name, product.shown_label),
            });
        self.stock.push(
            Problem::short_of_stock(
                product.product_id.0,
                &product.name,
                line.quantity.get(),
                left,
            )
            .for_variant(product.variant_id.0, &product.sku, &product.label_en),
        );
    }

    fn price_changed(&mut self, product: &catalog::store::ForSale, sent: Won) {
        self.prices.push(
            Problem::price_changed(
                product.product_id.0,
                &product.name,
                sent.get(),
                product.price.get(),
            )
            .for_variant(product.variant_id.0, &product.sku, &product.label_en),
        );
    }

    fn coupon(&mut self, problem: Problem) {
        self.coupon = Some(problem);
    }

    fn points_short(&mut self, points: i64, total: Won) {
        self.points = Some(Problem::short_of_points(points, total.get()));
    }

    /// One error listing every problem; its code is the first kind found
    /// in diagram 9's order: stock, then points, then prices, with the
    /// coupon before the points (a refused coupon is why points fall short).
    fn into_error(self) -> Option<AppError> {
        let (code, message) = if let Some(first) = self.stock.first() {
            (
                ErrorCode::InsufficientStock,
                match (self.stock.len(), &self.first_short, first.left) {
                    (1, Some(name), Some(left)) => {
                        td_string!(Locale::current(), errors.stock_one, name, left).to_string()
                    }
                    (n, ..) => {
                        td_string!(Locale::current(), errors.stock_many, count = n).to_string()
                    }
                },
            )
        } else if let Some(coupon) = &self.coupon {
            let message = match coupon.min_order {
                Some(min_order) => td_string!(
                    Locale::current(),
                    coupons.minimum_not_met,
                    min_order = Won(min_order).show(Locale::current())
                )
                .to_string(),
                None => td_string!(Locale::current(), coupons.not_usable).to_string(),
            };
            (coupon.code, message)
        } else if let Some(shortfall) = self.points.as_ref().and_then(|p| p.shortfall) {
            (
                ErrorCode::InsufficientPoints,
                td_string!(Locale::current(), errors.points_needed, shortfall).to_string(),
            )
        } else if !self.prices.is_empty() {
            (
                ErrorCode::PriceChanged,
                td_string!(
                    Locale::current(),
                    errors.prices_changed,
                    count = self.prices.len()
                )
                .to_string(),
            )
        } else {
            return None;
        };
        let problems: Vec<Problem> = self
            .stock
            .into_iter()
            .chain(self.coupon)
            .chain(self.points)
            .chain(self.prices)
            .collect();
        Some(AppError::new(code, message).with_details(ErrorDetails {
            problems: Some(problems),
            ..ErrorDetails::default()
        }))
    }
}

/// A product's base name: the data platform's events carry it, whatever
/// the shopper's language.
fn base_name(products: &[catalog::store::ForSale], id: VariantId) -> String {
    products
        .iter()
        .find(|p| p.variant_id == id)
        .map(|p| p.name.clone())
        .unwrap_or_default()
}
