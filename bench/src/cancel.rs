//! Section 6, cancelling orders, through HTTP, against the database's raw
//! rate for the same updates done directly (the shop's own statements:
//! the guarded status change, the stock back per line, the refund; no
//! HTTP, no idempotency, no outbox), with the same concurrency, in the
//! same run. The orders are placed beforehand through the shop's own
//! checkout, so their stock movements and ledger rows are real.

use crate::{
    checkout::Raw,
    data,
    server::Launch,
    wrk::{Figures, Load},
};
use anyhow::{bail, Context};
use app::{
    addresses::AddressId,
    catalog::{
        store::{change_stock, Movement},
        ProductId, Quantity, VariantId,
    },
    db::{now_millis, Db},
    identity::UserId,
    orders::{
        checkout::place_order, store::leave_placed, Actor, IdempotencyKey, LineRequest,
        OrderChoices, OrderId, OrderRequest, OrderStatus,
    },
    payments::provider::Payments,
    points::{store::change_balance, LedgerKind},
    shipping::ShippingRates,
};
use std::{
    path::Path,
    time::{Duration, Instant},
};

/// Orders cancelled over HTTP, and as many again raw. Even: wrk's two
/// threads take every other one (`wrk/cancel.lua`).
pub const ORDERS: usize = 1_600;
pub const CONNECTIONS: u32 = 64;
pub const BUYERS: usize = 200;
pub const PRODUCTS: i64 = 34;
/// Lines per order, 1 to this many (different products), 1 to 3 of each.
const LINES_MAX: u64 = 3;
const QUANTITY_MAX: u64 = 3;
const PRICE: i64 = 1_000;
const STOCK: i64 = 1_000_000;
const POINTS: i64 = 1_000_000;
/// Tasks placing the orders to cancel.
const PLACERS: u64 = 8;

pub struct Outcome {
    pub backend: &'static str,
    pub orders: usize,
    pub connections: u32,
    pub http: Figures,
    /// Orders of the HTTP set now cancelled.
    pub cancelled: i64,
    pub http_checks: Checks,
    pub raw: Raw,
    pub raw_checks: Checks,
}

impl Outcome {
    pub fn cancels_per_second(&self) -> f64 {
        self.cancelled as f64 / (self.http.duration_us.max(1) as f64 / 1e6)
    }

    pub fn ratio(&self) -> f64 {
        self.cancels_per_second() / self.raw.per_second()
    }

    /// Answers other than 200, and requests that got none.
    pub fn not_ok(&self) -> u64 {
        let answered: u64 = self.http.statuses.values().sum();
        answered - self.http.status(200) + self.http.socket_errors
    }
}

/// The sums of one set of orders after the cancels, each a count of rows
/// that do not add up.
pub struct Checks {
    /// Products whose stock is not the initial stock less the units of
    /// their orders not cancelled.
    pub stock_wrong: i64,
    /// Buyers whose balance is not the initial points less their orders
    /// not cancelled, or not the sum of their ledger.
    pub balances_wrong: i64,
    /// Orders without exactly one `refund` row if cancelled, or with one
    /// if not.
    pub refunds_wrong: i64,
}

/// One order placed for the benchmark: whose, and what it holds.
#[derive(Clone)]
struct Placed {
    order: OrderId,
    user: UserId,
    total: i64,
    /// In product id order, the order the shop locks them in.
    /// Each line's variant and quantity, as the order sold them.
    lines: Vec<(VariantId, Quantity)>,
}

/// A set of orders to cancel: `ORDERS` of them over `BUYERS` buyers and
/// `PRODUCTS` products of their own, placed through the shop's checkout by
/// a few tasks, listed in the order they are to be cancelled (buyers in
/// turn, so concurrent cancels are mostly different buyers').
struct Set {
    buyer: i64,
    product: i64,
    orders: Vec<Placed>,
}

impl Set {
    async fn place(db: &Db, tag: &str) -> anyhow::Result<Self> {
        let product = data::product(db, &format!("{tag}-0"), PRICE, STOCK).await?;
        for i in 1..PRODUCTS {
            data::product(db, &format!("{tag}-{i}"), PRICE, STOCK).await?;
        }
        let buyer = data::buyers(db, tag, BUYERS, POINTS).await?;
        let tasks: Vec<_> = (0..PLACERS)
            .map(|task| {
                let (db, tag) = (db.clone(), tag.to_string());
                tokio::spawn(async move {
                    let mut random = data::Lcg::new(300 + task);
                    let mut mine = Vec::new();
                    for n in (task..ORDERS as u64).step_by(PLACERS as usize) {
                        let user = UserId(buyer + (n % BUYERS as u64) as i64);
                        let mut lines: Vec<(ProductId, Quantity)> = Vec::new();
                        for _ in 0..1 + random.below(LINES_MAX) {
                            let id = ProductId(product + random.below(PRODUCTS as u64) as i64);
                            let quantity = Quantity::new(1 + random.below(QUANTITY_MAX) as i64)
                                .expect("1..=3 is a quantity");
                            if !lines.iter().any(|(p, _)| *p == id) {
                                lines.push((id, quantity));
                            }
                        }
                        lines.sort();
                        let request = OrderRequest::Items(
                            lines
                                .iter()
                                .map(|&(product_id, quantity)| LineRequest {
                                    product_id,
                                    variant_id: None,
                                    quantity,
                                    price: None,
                                })
                                .collect(),
                        );
                        let key = IdempotencyKey::parse(&format!("{tag}-place-{n}"))?;
                        // A buyer's address has the buyer's id (`data::buyers`).
                        let choices = OrderChoices {
                            address: AddressId(user.0),
                            coupon: None,
                            points: None,
                        };
                        let placed = place_order(
                            &db,
                            user,
                            &key,
                            &request,
                            &choices,
                            &Payments::Demo,
                            ShippingRates::default(),
                        )
                        .await
                        .with_context(|| format!("placing order {n} to cancel"))?;
                        mine.push((
                            n,
                            Placed {
                                order: placed.order_id,
                                user,
                                total: placed.payment.total.get(),
                                lines: placed
                                    .items
                                    .iter()
                                    .map(|l| (l.variant_id, l.quantity))
                                    .collect(),
                            },
                        ));
                    }
                    anyhow::Ok(mine)
                })
            })
            .collect();
        let mut orders = Vec::with_capacity(ORDERS);
        for task in tasks {
            orders.extend(task.await??);
        }
        orders.sort_by_key(|(n, _)| *n);
        Ok(Set {
            buyer,
            product,
            orders: orders.into_iter().map(|(_, placed)| placed).collect(),
        })
    }

    /// What `wrk/cancel.lua` reads: `order_id user_id`, a line each.
    fn write_list(&self, path: &Path) -> anyhow::Result<()> {
        let text: String = self
            .orders
            .iter()
            .map(|o| format!("{} {}\n", o.order.0, o.user.0))
            .collect();
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
    }

    fn buyers_where(&self, column: &str) -> String {
        format!(
            "{column} BETWEEN {} AND {}",
            self.buyer,
            self.buyer + BUYERS as i64 - 1
        )
    }

    async fn cancelled(&self, db: &Db) -> anyhow::Result<i64> {
        data::scalar(
            db,
            &format!(
                "SELECT COUNT(*) FROM orders WHERE {} AND status = 'cancelled'",
                self.buyers_where("user_id")
            ),
        )
        .await
    }

    async fn check(&self, db: &Db) -> anyhow::Result<Checks> {
        let last_product = self.product + PRODUCTS - 1;
        let stock_wrong = data::scalar(
            db,
            &format!(
                "SELECT COUNT(*) FROM variants v WHERE v.product_id BETWEEN {} AND {last_product} \
                 AND v.stock <> {STOCK} - (SELECT CAST(COALESCE(SUM(i.quantity), 0) AS BIGINT) \
                   FROM order_items i JOIN orders o ON o.id = i.order_id \
                   WHERE i.variant_id = v.id AND o.status <> 'cancelled')",
                self.product
            ),
        )
        .await?;
        let balances_wrong = data::scalar(
            db,
            &format!(
                "SELECT COUNT(*) FROM users u WHERE {} AND ( \
                   u.points <> {POINTS} - COALESCE((SELECT SUM(o.total) FROM orders o \
                     WHERE o.user_id = u.id AND o.status <> 'cancelled'), 0) \
                   OR u.points <> (SELECT SUM(l.amount) FROM point_ledger l WHERE l.user_id = u.id))",
                self.buyers_where("u.id")
            ),
        )
        .await?;
        let refunds_wrong = data::scalar(
            db,
            &format!(
                "SELECT COUNT(*) FROM orders o WHERE {} AND \
                   (SELECT COUNT(*) FROM point_ledger l WHERE l.order_id = o.id AND l.kind = 'refund') \
                   <> CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END",
                self.buyers_where("o.user_id")
            ),
        )
        .await?;
        Ok(Checks {
            stock_wrong,
            balances_wrong,
            refunds_wrong,
        })
    }
}

/// Until the shop has sent every event in its outbox (the set-up's
/// `order.placed`), so its dispatcher is idle when the cancels begin.
async fn outbox_drained(db: &Db) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let pending =
            data::scalar(db, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").await?;
        if pending == 0 {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("{pending} events still in the outbox after 120 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn run(launch: &Launch, backend: &'static str, dir: &Path) -> anyhow::Result<Outcome> {
    let db = Db::connect(&launch.database_url.parse().map_err(anyhow::Error::msg)?).await?;
    db.migrate().await?;
    let set = Set::place(&db, "cancel-http").await?;
    let list = dir.join(format!("cancel-{backend}.txt"));
    set.write_list(&list)?;

    let server = launch.start().await?;
    outbox_drained(&db).await?;
    let http = Load {
        url: server.base.clone(),
        script: "cancel.lua",
        requests: ORDERS as u64,
        connections: CONNECTIONS,
        headers: Vec::new(),
        env: vec![
            ("ORDERS_FILE".into(), list.display().to_string()),
            (
                "RUN_ID".into(),
                format!("cancel-{}", backend.to_lowercase()),
            ),
        ],
    }
    .run();
    drop(server);
    std::fs::remove_file(&list).ok();
    let http = http?;
    let cancelled = set.cancelled(&db).await?;
    let http_checks = set.check(&db).await?;

    let raw_set = Set::place(&db, "cancel-raw").await?;
    let raw = raw(&db, &raw_set).await?;
    let raw_checks = raw_set.check(&db).await?;
    db.pool().close().await;
    Ok(Outcome {
        backend,
        orders: ORDERS,
        connections: CONNECTIONS,
        http,
        cancelled,
        http_checks,
        raw,
        raw_checks,
    })
}

/// The same updates as the shop's cancel, once per order of `set`, by
/// `CONNECTIONS` tasks: the order from `placed` to `cancelled`, each line's
/// stock back with its movement (in product id order), the total refunded
/// with its ledger row, in one write transaction. What the shop reads
/// first (the owner, the lines, what was paid) is known here already.
async fn raw(db: &Db, set: &Set) -> anyhow::Result<Raw> {
    let connections = CONNECTIONS as usize;
    let mut shares: Vec<Vec<Placed>> = vec![Vec::new(); connections];
    for (n, placed) in set.orders.iter().enumerate() {
        shares[n % connections].push(placed.clone());
    }
    let started = Instant::now();
    let tasks: Vec<_> = shares
        .into_iter()
        .map(|mine| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut timings = Vec::with_capacity(mine.len());
                let mut refused = 0;
                for Placed {
                    order,
                    user,
                    total,
                    lines,
                } in mine
                {
                    let began = Instant::now();
                    let mut tx = db.begin_write().await?;
                    let actor = Actor::Shopper(user);
                    if leave_placed(
                        &mut tx,
                        order,
                        OrderStatus::Cancelled,
                        now_millis(),
                        actor,
                        "bench",
                    )
                    .await?
                    {
                        for (variant, quantity) in lines {
                            change_stock(
                                &mut tx,
                                variant,
                                quantity.get(),
                                Movement::cancel(order.0),
                            )
                            .await?
                            .context("stock refused back")?;
                        }
                        change_balance(&mut tx, user, total, LedgerKind::Refund, Some(order.0))
                            .await?;
                        tx.commit().await?;
                    } else {
                        refused += 1;
                        tx.rollback().await?;
                    }
                    timings.push(began.elapsed());
                }
                anyhow::Ok((timings, refused))
            })
        })
        .collect();
    Raw::gather(started, tasks).await
}
