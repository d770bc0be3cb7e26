//! Section 5, growth: the same pages and queries with 34, 10,000 and 100,000
//! products (or 34 and `--products N`), and as many orders (at least
//! 1,000), p50 of each rendered (the guests' page cache is off), as a guest
//! and as a logged-in shopper, and the query plans of the largest catalog
//! (on PostgreSQL as run: `EXPLAIN (ANALYZE, BUFFERS)`). Every generated product comes in
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
        store::{list_statements, BRANDS_SQL, TOP_BRANDS_SQL},
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
/// every size (the generated names are English words and numbers).
pub const SEARCHES: [(&str, &str); 4] = [
    ("Korean, 2 syllables", "텐트"),
    ("Korean, 3 syllables", "운동화"),
    ("English", "sneakers"),
    ("a brand", "hanbit"),
];
/// A word in one generated name of ten (and in a few demo names): the
/// matches grow with the catalog, and the count stops at its bound.
pub const COMMON: &str = "black";
const BRAND: &str = "Hanbit";

pub struct Probe {
    pub label: String,
    pub path: String,
    pub logged_in: bool,
}

fn encode(q: &str) -> String {
    q.bytes().map(|b| format!("%{b:02X}")).collect()
}

pub fn probes() -> Vec<Probe> {
    let probe = |label: &str, path: &str, logged_in| Probe {
        label: label.to_string(),
        path: path.to_string(),
        logged_in,
    };
    let mut probes = Vec::new();
    for logged_in in [false, true] {
        let who = if logged_in { "logged in" } else { "guest" };
        probes.push(probe(&format!("home `/` ({who})"), "/", logged_in));
        for (label, q) in SEARCHES {
            probes.push(probe(
                &format!("search, {label} `{q}` ({who})"),
                &format!("/?q={}", encode(q)),
                logged_in,
            ));
        }
        probes.push(probe(
            &format!("brand filter ({who})"),
            &format!("/?brand={BRAND}"),
            logged_in,
        ));
        probes.push(probe(
            &format!("sort by likes ({who})"),
            "/?sort=likes_desc",
            logged_in,
        ));
        probes.push(probe(
            &format!("product page, 7 sizes ({who})"),
            "/products/1",
            logged_in,
        ));
    }
    probes.push(probe("cart, a line with a size (logged in)", "/cart", true));
    probes.push(probe("`/orders`, 30 of mine (logged in)", "/orders", true));
    probes.push(probe(
        "JSON list `/api/products` (guest)",
        "/api/products",
        false,
    ));
    probes.push(probe(
        "JSON search `/api/products?q=sneakers` (guest)",
        "/api/products?q=sneakers",
        false,
    ));
    probes.push(probe(
        "top 5 `/api/top-products`",
        "/api/top-products",
        false,
    ));
    probes.push(probe(
        &format!("search, a word of 1 name in 10 `{COMMON}` (guest)"),
        &format!("/?q={COMMON}"),
        false,
    ));
    probes
}

/// The probes held to the goal (at most 1.5 times their figure at 34
/// products): all but the common word, whose matches grow with the
/// catalog by design.
pub fn held_to_goal(probe: &Probe) -> bool {
    !probe.label.contains(COMMON)
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
    // A pair of shoes in a size beside the socks.
    let size = data::scalar(
        &db,
        "SELECT CAST(MAX(id) AS BIGINT) FROM variants WHERE product_id = 1",
    )
    .await?;
    reqwest::Client::new()
        .post(server.url("/api/cart/add"))
        .header("cookie", cookie.trim_start_matches("Cookie: "))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("product_id=1&variant_id={size}"))
        .send()
        .await?
        .error_for_status()?;
    let me = data::scalar(&db, "SELECT id FROM users WHERE login_key = 'bench_growth'").await?;
    let orders = products.max(1_000);
    data::orders(&db, me, 30, orders as usize).await?;
    analyze(&db).await?;
    let mut figures = Vec::new();
    for probe in probes() {
        let mut load = Load::get(server.url(&probe.path), REQUESTS, CONNECTIONS);
        if probe.logged_in {
            load = load.header(cookie.clone());
        }
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
pub async fn plans(database_url: &str) -> anyhow::Result<Vec<(String, String)>> {
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
        let texts = |values: &[String]| -> Vec<Bind> {
            values.iter().map(|v| Text(Some(v.clone()))).collect()
        };
        let page = |statement: &app::catalog::store::Statement| {
            let mut binds = vec![Int(None)];
            binds.extend(texts(&statement.values));
            binds.extend([Int(Some(12)), Int(Some(0))]);
            (statement.sql.clone(), binds)
        };
        let plain = |statement: &app::catalog::store::Statement| {
            (statement.sql.clone(), texts(&statement.values))
        };
        [
            Some(page(&statements.page)),
            Some(plain(&statements.count)),
            statements.walk.as_ref().map(page),
            statements.matches.as_ref().map(page),
        ]
    };
    let [home, home_count, _, _] = listing(Sort::Latest, None, None);
    let [brand, brand_count, _, _] = listing(Sort::Latest, Some(BRAND), None);
    let [likes, _, _, _] = listing(Sort::LikesDesc, None, None);
    let mut queries = vec![
        ("home: page".to_string(), home),
        ("home: count".to_string(), home_count),
    ];
    // A search finds its matches once, to the bound, and sorts a page of
    // them with their number.
    for q in SEARCHES.iter().map(|(_, q)| *q) {
        let [_, _, _, matches] = listing(Sort::Latest, None, Some(q));
        queries.push((format!("search `{q}`: matches"), matches));
    }
    // A common word: its matches read to the bound, then its page walked.
    let [_, _, walk, matches] = listing(Sort::Latest, None, Some(COMMON));
    queries.push((format!("search `{COMMON}`: matches"), matches));
    queries.push((format!("search `{COMMON}`: page along the dates"), walk));
    let queries: Vec<(String, (String, Vec<Bind>))> = queries
        .into_iter()
        .filter_map(|(label, q)| q.map(|q| (label, q)))
        .collect();
    let mut queries = queries;
    queries.extend([
        ("brand: page".to_string(), brand.expect("a page")),
        ("brand: count".to_string(), brand_count.expect("a count")),
        ("likes: page".to_string(), likes.expect("a page")),
        (
            "orders: page".to_string(),
            (
                list_sql(app::locale::Locale::ko),
                vec![Int(Some(me)), Int(Some(20)), Int(Some(0))],
            ),
        ),
        ("brands".to_string(), (BRANDS_SQL.to_string(), Vec::new())),
        (
            "the home page's brands".to_string(),
            (
                TOP_BRANDS_SQL.to_string(),
                vec![Int(Some(i64::from(app::catalog::HOME_BRANDS)))],
            ),
        ),
        (
            "top 5".to_string(),
            (
                top_products_sql(app::locale::Locale::ko),
                vec![Int(Some(5))],
            ),
        ),
    ]);
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
        Backend::Postgres => format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"),
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
