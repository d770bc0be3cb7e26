//! Section 5, growth: the same pages and queries with 34, 10,000 and 100,000
//! products (and as many orders, at least 1,000), p50 of each rendered
//! (not from the guests' page cache), and the query plans of the largest
//! catalog. Every generated product comes in
//! five sizes (`data::grow_catalog`): 100,000 products are 500,000
//! variants.

use crate::{
    data,
    server::Launch,
    ssr,
    wrk::{Figures, Load},
};
use app::{
    catalog::{
        seed::seed_demo_catalog,
        store::{list_statements, BRANDS_SQL},
        ProductQuery, Sort,
    },
    db::{Backend, Db},
    orders::store::list_sql,
    paging::Paging,
    platform::embedded::top_products_sql,
};
use sqlx::Row;

pub const SIZES: [i64; 3] = [34, 10_000, 100_000];
const REQUESTS: u64 = 400;
const CONNECTIONS: u32 = 4;
/// Words and a brand of the demo catalog: they match as many products at
/// every size.
const SEARCH: &str = "sneakers";
const BRAND: &str = "Hanbit";

pub struct Probe {
    pub label: &'static str,
    pub path: String,
    pub logged_in: bool,
}

pub fn probes() -> Vec<Probe> {
    let probe = |label, path: &str, logged_in| Probe {
        label,
        path: path.to_string(),
        logged_in,
    };
    vec![
        probe("home `/`", "/", false),
        probe("search", &format!("/?q={SEARCH}"), false),
        probe("brand filter", &format!("/?brand={BRAND}"), false),
        probe("sort by likes", "/?sort=likes_desc", false),
        probe("product page (7 sizes)", "/products/1", false),
        probe("`/orders` (30 of mine)", "/orders", true),
        probe("top 5 (`/api/top-products`)", "/api/top-products", false),
    ]
}

pub struct Level {
    pub products: i64,
    pub orders: i64,
    pub figures: Vec<Figures>,
}

pub async fn run(launch: &Launch, products: i64) -> anyhow::Result<Level> {
    let db = Db::connect(&launch.database_url.parse().map_err(anyhow::Error::msg)?).await?;
    db.migrate().await?;
    seed_demo_catalog(&db).await?;
    data::grow_catalog(&db, products).await?;
    app::catalog::search::refresh(&db).await?;
    let server = launch.start().await?;
    let cookie = ssr::shopper(&server, "bench_growth").await?;
    let me = data::scalar(&db, "SELECT id FROM users WHERE login_key = 'bench_growth'").await?;
    let orders = products.max(1_000);
    data::orders(&db, me, 30, orders as usize).await?;
    analyze(&db).await?;
    let mut figures = Vec::new();
    for probe in probes() {
        let mut load = Load::get(server.url(&probe.path), REQUESTS, CONNECTIONS);
        // A guest's page comes from the guests' page cache (section 8):
        // a cookie of no meaning passes it by, so each request renders.
        load = load.header(if probe.logged_in {
            cookie.clone()
        } else {
            "Cookie: bench=render".to_string()
        });
        figures.push(load.run()?);
    }
    drop(server);
    db.pool().close().await;
    Ok(Level {
        products,
        orders,
        figures,
    })
}

/// The state of a database that grew slowly: fresh statistics, and on
/// Postgres a vacuum (autovacuum's work), which also moves the trigram
/// index's pending entries into the index proper.
async fn analyze(db: &Db) -> anyhow::Result<()> {
    let sql = match db.backend() {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM ANALYZE",
    };
    sqlx::query(sql).execute(db.pool()).await?;
    Ok(())
}

/// A value for a placeholder of a query whose plan is shown.
#[derive(Clone)]
enum Bind {
    Int(Option<i64>),
    Text(Option<String>),
}

/// The plans of the queries behind the probes, on the database as the last
/// level left it.
pub async fn plans(database_url: &str) -> anyhow::Result<Vec<(&'static str, String)>> {
    use Bind::{Int, Text};
    let db = Db::connect(&database_url.parse().map_err(anyhow::Error::msg)?).await?;
    let me = data::scalar(&db, "SELECT id FROM users WHERE login_key = 'bench_growth'").await?;
    let listing = |sort, brand: Option<&str>, search: Option<&str>| {
        let query = ProductQuery {
            paging: Paging {
                page: 1,
                per_page: ProductQuery::DEFAULT_PER_PAGE,
            },
            sort,
            brand: brand.map(str::to_string),
            search: search.map(str::to_string),
        };
        let statements = list_statements(&db, &query, app::locale::Locale::ko);
        let values: Vec<Bind> = statements
            .values
            .iter()
            .map(|v| Text(Some(v.clone())))
            .collect();
        let mut page = vec![Int(None)];
        page.extend(values.iter().cloned());
        page.extend([Int(Some(12)), Int(Some(0))]);
        [(statements.page, page), (statements.count, values)]
    };
    let [home, home_count] = listing(Sort::Latest, None, None);
    let [search, search_count] = listing(Sort::Latest, None, Some(SEARCH));
    let [brand, brand_count] = listing(Sort::Latest, Some(BRAND), None);
    let [likes, _] = listing(Sort::LikesDesc, None, None);
    let queries = [
        ("home: page", home),
        ("home: count", home_count),
        ("search: page", search),
        ("search: count", search_count),
        ("brand: page", brand),
        ("brand: count", brand_count),
        ("likes: page", likes),
        (
            "orders: page",
            (
                list_sql(app::locale::Locale::ko),
                vec![Int(Some(me)), Int(Some(20)), Int(Some(0))],
            ),
        ),
        ("brands", (BRANDS_SQL.to_string(), Vec::new())),
        (
            "top 5",
            (
                top_products_sql(app::locale::Locale::ko),
                vec![Int(Some(5))],
            ),
        ),
    ];
    let mut out = Vec::new();
    for (label, (sql, binds)) in queries {
        out.push((label, explain(&db, &sql, binds).await?));
    }
    db.pool().close().await;
    Ok(out)
}

async fn explain(db: &Db, sql: &str, binds: Vec<Bind>) -> anyhow::Result<String> {
    let sql = match db.backend() {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Backend::Postgres => format!("EXPLAIN {sql}"),
    };
    let mut query = sqlx::query(&sql);
    for bind in binds {
        query = match bind {
            Bind::Int(v) => query.bind(v),
            Bind::Text(v) => query.bind(v),
        };
    }
    let rows = query.fetch_all(db.pool()).await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|row| match db.backend() {
            Backend::Sqlite => row.try_get::<String, _>("detail"),
            Backend::Postgres => row.try_get::<String, _>(0),
        })
        .collect::<Result<_, _>>()?;
    Ok(lines.join("\n"))
}
