//! Rows the benchmark needs, written straight into the shop's tables in
//! large batches: buyers with points, products, orders and their sales.

use anyhow::Context;
use app::db::{now_millis, Db};
use sqlx::Row;
use std::collections::HashMap;

/// Rows per `INSERT`: well under both backends' placeholder limits.
const BATCH: usize = 500;

#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
}

use Value::{Int, Text};

/// `INSERT INTO {into} VALUES …` for `rows` (all as wide as the column
/// list), in batches, inside one transaction.
pub async fn insert_rows(db: &Db, into: &str, rows: &[Vec<Value>]) -> anyhow::Result<()> {
    let Some(columns) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    let mut tx = db.begin_write().await?;
    for chunk in rows.chunks(BATCH) {
        let tuples: Vec<String> = (0..chunk.len())
            .map(|r| {
                let values: Vec<String> = (1..=columns)
                    .map(|c| format!("${}", r * columns + c))
                    .collect();
                format!("({})", values.join(", "))
            })
            .collect();
        let sql = format!("INSERT INTO {into} VALUES {}", tuples.join(", "));
        let mut query = sqlx::query(&sql);
        for value in chunk.iter().flatten() {
            query = match value {
                Int(i) => query.bind(*i),
                Text(t) => query.bind(t.clone()),
            };
        }
        query
            .execute(&mut *tx)
            .await
            .with_context(|| format!("inserting into {into}"))?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn scalar(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query(sql)
        .fetch_one(db.pool())
        .await
        .with_context(|| sql.to_string())?
        .try_get(0)?)
}

async fn next_id(db: &Db, table: &str) -> anyhow::Result<i64> {
    Ok(scalar(
        db,
        &format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}"),
    )
    .await?
        + 1)
}

/// Postgres hands out ids from sequences: move them past rows written here
/// with explicit ids.
async fn sync_sequence(db: &Db, table: &str) -> anyhow::Result<()> {
    if db.backend() == app::db::Backend::Postgres {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        ))
        .execute(db.pool())
        .await?;
    }
    Ok(())
}

/// `count` users holding `points` each (charged, so the ledger agrees);
/// returns the first one's id (they are consecutive). They have no
/// password: the benchmark names them with `X-USER-ID`.
pub async fn buyers(db: &Db, tag: &str, count: usize, points: i64) -> anyhow::Result<i64> {
    let first = next_id(db, "users").await?;
    let now = now_millis();
    let users: Vec<Vec<Value>> = (0..count as i64)
        .map(|i| {
            let login = format!("bench_{tag}_{i}").replace('-', "_");
            vec![
                Int(first + i),
                Text(login.clone()),
                Text(login),
                Text("-".into()),
                Int(points),
                Int(now),
            ]
        })
        .collect();
    insert_rows(
        db,
        "users (id, login_id, login_key, password_hash, points, created_at)",
        &users,
    )
    .await?;
    sync_sequence(db, "users").await?;
    let charges: Vec<Vec<Value>> = (0..count as i64)
        .map(|i| {
            vec![
                Int(first + i),
                Text("charge".into()),
                Int(points),
                Int(points),
                Int(now),
            ]
        })
        .collect();
    insert_rows(
        db,
        "point_ledger (user_id, kind, amount, balance_after, at)",
        &charges,
    )
    .await?;
    // Each buyer's default address has the buyer's own id (`wrk/checkout.lua`
    // sends it as `address_id`): no other address is ever made here.
    let addresses: Vec<Vec<Value>> = (0..count as i64)
        .map(|i| {
            vec![
                Int(first + i),
                Int(first + i),
                Text("벤치 구매자".into()),
                Text("010-1234-5678".into()),
                Text("04524".into()),
                Text("서울특별시 중구 세종대로 110".into()),
                Int(1),
                Int(now),
                Int(now),
            ]
        })
        .collect();
    insert_rows(
        db,
        "addresses (id, user_id, recipient, phone, postal_code, address1, is_default, \
         created_at, updated_at)",
        &addresses,
    )
    .await?;
    sync_sequence(db, "addresses").await?;
    Ok(first)
}

/// One product without options (its one variant holds the SKU, price and
/// stock); returns its id.
pub async fn product(db: &Db, sku: &str, price: i64, stock: i64) -> anyhow::Result<i64> {
    let id = next_id(db, "products").await?;
    insert_rows(
        db,
        "products (id, sku, name, brand, description, price, image, created_at)",
        &[vec![
            Int(id),
            Text(sku.into()),
            Text(format!("Bench {sku}")),
            Text("Bench".into()),
            Text(String::new()),
            Int(price),
            Text("/images/products/hb-runner.svg".into()),
            Int(now_millis()),
        ]],
    )
    .await?;
    sync_sequence(db, "products").await?;
    let variant = next_id(db, "variants").await?;
    insert_rows(
        db,
        "variants (id, product_id, sku, combo, price, stock, on_sale)",
        &[vec![
            Int(variant),
            Int(id),
            Text(sku.into()),
            Text(String::new()),
            Int(price),
            Int(stock),
            Int(1),
        ]],
    )
    .await?;
    sync_sequence(db, "variants").await?;
    Ok(id)
}

/// The first variant of `product` (a product without options has one).
pub async fn variant_of(db: &Db, product: i64) -> anyhow::Result<i64> {
    scalar(
        db,
        &format!("SELECT CAST(MIN(id) AS BIGINT) FROM variants WHERE product_id = {product}"),
    )
    .await
}

/// The sizes every generated product comes in.
pub const SIZES: [&str; 5] = ["XS", "S", "M", "L", "XL"];

/// A small deterministic generator: the same catalog on every run.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

const COLOURS: &[&str] = &[
    "Black", "Ivory", "Navy", "Olive", "Rust", "Sand", "Slate", "Teal", "Plum", "Stone",
];
const THINGS: &[&str] = &[
    "Tee", "Parka", "Beanie", "Chinos", "Loafers", "Tote", "Cardigan", "Hoodie", "Boots", "Cap",
    "Shorts", "Blazer",
];

/// Fills the catalog up to `total` products with generated ones: 200
/// brands of their own (`Maker 0`…), words unlike the demo catalog's, so
/// a search or a brand of the demo catalog matches as many products at
/// every size. Each comes in five sizes ([`SIZES`]): an option, its five
/// values and five variants of 20 each.
pub async fn grow_catalog(db: &Db, total: i64) -> anyhow::Result<()> {
    let have = scalar(db, "SELECT COUNT(*) FROM products").await?;
    let first = next_id(db, "products").await?;
    let now = now_millis();
    let mut random = Lcg::new(7);
    let new = (total - have).max(0);
    let mut prices = Vec::with_capacity(new as usize);
    let rows: Vec<Vec<Value>> = (0..new)
        .map(|i| {
            let id = first + i;
            let price = 1_000 * (1 + random.below(300) as i64);
            prices.push(price);
            let name = format!(
                "{} {} No. {id}",
                COLOURS[random.below(COLOURS.len() as u64) as usize],
                THINGS[random.below(THINGS.len() as u64) as usize]
            );
            vec![
                Int(id),
                Text(format!("gen-{id}")),
                Text(name),
                Text(format!("Maker {}", random.below(200))),
                Text("A generated product.".into()),
                Int(price),
                Int(random.below(5_000) as i64),
                Text("/images/products/hb-runner.svg".into()),
                // Older than the demo catalog, one a minute.
                Int(now - 86_400_000 * 3 - i * 60_000),
            ]
        })
        .collect();
    insert_rows(
        db,
        "products (id, sku, name, brand, description, price, like_count, image, created_at)",
        &rows,
    )
    .await?;
    sync_sequence(db, "products").await?;
    let (first_option, first_value, first_variant) = (
        next_id(db, "product_options").await?,
        next_id(db, "option_values").await?,
        next_id(db, "variants").await?,
    );
    let (mut options, mut values, mut variants, mut chosen) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, price) in prices.iter().enumerate() {
        let (i, product) = (i as i64, first + i as i64);
        let option = first_option + i;
        options.push(vec![
            Int(option),
            Int(product),
            Int(1),
            Text("사이즈".into()),
            Text("Size".into()),
        ]);
        for (k, size) in SIZES.iter().enumerate() {
            let k = k as i64;
            let (value, variant) = (first_value + i * 5 + k, first_variant + i * 5 + k);
            values.push(vec![
                Int(value),
                Int(option),
                Int(k + 1),
                Text(size.to_string()),
            ]);
            variants.push(vec![
                Int(variant),
                Int(product),
                Text(format!("gen-{product}-{size}")),
                Text(value.to_string()),
                Int(*price),
                Int(20),
                Int(1),
            ]);
            chosen.push(vec![Int(variant), Int(option), Int(value)]);
        }
    }
    insert_rows(
        db,
        "product_options (id, product_id, position, name, name_en)",
        &options,
    )
    .await?;
    insert_rows(
        db,
        "option_values (id, option_id, position, value)",
        &values,
    )
    .await?;
    insert_rows(
        db,
        "variants (id, product_id, sku, combo, price, stock, on_sale)",
        &variants,
    )
    .await?;
    insert_rows(
        db,
        "variant_values (variant_id, option_id, value_id)",
        &chosen,
    )
    .await?;
    for table in ["product_options", "option_values", "variants"] {
        sync_sequence(db, table).await?;
    }
    Ok(())
}

/// Each product's first variant (the one generated orders are of).
async fn first_variants(db: &Db) -> anyhow::Result<HashMap<i64, (i64, String)>> {
    let rows = sqlx::query(
        "SELECT v.product_id, v.id, v.sku FROM variants v \
         JOIN (SELECT MIN(w.id) AS id FROM variants w GROUP BY w.product_id) f ON f.id = v.id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?))))
        .collect()
}

/// `count` one-line orders, `mine` of them by `user` and the rest by 1,000
/// other buyers, spread over the last 72 hours, with the hourly sales the
/// data platform would have counted for them.
pub async fn orders(db: &Db, user: i64, mine: usize, count: usize) -> anyhow::Result<()> {
    let products = scalar(db, "SELECT CAST(MAX(id) AS BIGINT) FROM products").await?;
    let others = buyers(db, "history", 1_000, 0).await?;
    let first = next_id(db, "orders").await?;
    let now = now_millis();
    let mut random = Lcg::new(11);
    let mut orders = Vec::with_capacity(count);
    let mut items = Vec::with_capacity(count);
    let mut hourly: HashMap<(i64, i64), i64> = HashMap::new();
    let variants = first_variants(db).await?;
    for i in 0..count as i64 {
        let id = first + i;
        let buyer = if (i as usize) < mine {
            user
        } else {
            others + random.below(1_000) as i64
        };
        let product = 1 + random.below(products as u64) as i64;
        let quantity = 1 + random.below(3) as i64;
        let at = now - random.below(72 * 3_600_000) as i64;
        orders.push(vec![Int(id), Int(buyer), Int(quantity * 1_000), Int(at)]);
        let (variant, sku) = variants
            .get(&product)
            .cloned()
            .with_context(|| format!("product {product} has no variant"))?;
        items.push(vec![
            Int(id),
            Int(product),
            Int(variant),
            Text(sku),
            Text(format!("Product {product}")),
            Int(1_000),
            Int(quantity),
        ]);
        *hourly.entry((product, at / 3_600_000)).or_default() += quantity;
    }
    insert_rows(db, "orders (id, user_id, total, ordered_at)", &orders).await?;
    sync_sequence(db, "orders").await?;
    insert_rows(
        db,
        "order_items (order_id, product_id, variant_id, sku, name, unit_price, quantity)",
        &items,
    )
    .await?;
    let mut totals: HashMap<i64, i64> = HashMap::new();
    let sales: Vec<Vec<Value>> = hourly
        .into_iter()
        .map(|((product, hour), quantity)| {
            *totals.entry(product).or_default() += quantity;
            vec![Int(product), Int(hour), Int(quantity)]
        })
        .collect();
    insert_rows(
        db,
        "platform_hourly_sales (product_id, hour, quantity)",
        &sales,
    )
    .await?;
    // The window has not moved yet (hour 0): every sale is in its totals.
    let totals: Vec<Vec<Value>> = totals
        .into_iter()
        .map(|(product, quantity)| vec![Int(product), Int(quantity)])
        .collect();
    insert_rows(db, "platform_window_sales (product_id, quantity)", &totals).await
}
