//! The guests' page cache: pages served from memory to visitors without a
//! session, never more than a second behind the database, on this instance
//! and on another sharing one PostgreSQL; nothing of a shopper's own in
//! them; one render for many concurrent misses; `ETag` and `304`.

use crate::helpers::{fresh_database, new_client, spawn_app_with, TestApp};
use crate::on_both_backends;
use app::{
    db::{now_millis, Backend},
    platform::{embedded, OrderPlaced, PlatformEvent, SoldLine},
};
use serde_json::json;
use server::config::Config;
use std::time::{Duration, Instant};

on_both_backends!(
    a_guests_page_follows_every_change_within_a_second,
    a_page_in_the_cache_carries_nothing_of_a_shopper,
    many_guests_at_once_cost_one_render,
    a_browser_that_has_the_page_gets_304,
);

/// The freshness bound the issue sets: no page older than this.
const BOUND: Duration = Duration::from_secs(1);

fn config(database: app::db::DatabaseUrl) -> Config {
    Config::for_tests(database)
}

/// A guest: no cookie at all, ever (a client without a jar).
fn guest() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Page {
    status: u16,
    outcome: String,
    etag: Option<String>,
    body: String,
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> Page {
    let response = client.get(app.url(path)).send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let outcome = header("x-page-cache").unwrap_or_default();
    let etag = header("etag");
    Page {
        status: response.status().as_u16(),
        outcome,
        etag,
        body: response.text().await.unwrap(),
    }
}

/// The text of the element with `data-testid="{id}"` (up to its first
/// closing tag, without the tags inside: islands, Leptos' markers).
fn text_of(body: &str, id: &str) -> String {
    let marker = format!("data-testid=\"{id}\"");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("{id} in {body}"));
    let rest = &body[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find("</").unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest[start..start + end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Reads `path` from `reader` as a guest until it is served from the
/// cache, makes `change`, then reads again until `shows` holds of the
/// page: every page asked for more than [`BOUND`] after the change must
/// show it. The clock is the test's: a request sent later than the bound
/// after the change cannot have been answered from a render that began
/// before it, however slow the machine.
async fn follows<C, F>(what: &str, reader: &TestApp, path: &str, change: C, shows: F)
where
    C: std::future::Future<Output = ()>,
    F: Fn(&Page) -> bool,
{
    let client = guest();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = get(&client, reader, path).await;
        assert!(!shows(&page), "{what}: shown before the change");
        if page.outcome == "hit" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {path} never came from the cache ({})",
            page.outcome
        );
    }
    change.await;
    let changed = Instant::now();
    loop {
        let asked = Instant::now();
        let page = get(&client, reader, path).await;
        if shows(&page) {
            return;
        }
        assert!(
            asked.duration_since(changed) < BOUND,
            "{what}: {path} asked for {:?} after the change still shows the old data ({})",
            asked.duration_since(changed),
            page.outcome
        );
    }
}

/// Price, stock, likes, best sellers and a product put off sale, each
/// changed through `writer` (or its database) and read through `reader`.
async fn every_change_reaches_the_guests(writer: &TestApp, reader: &TestApp) {
    // Without options: its page shows its one price and stock.
    let product = 20;
    let path = format!("/products/{product}");
    follows(
        "price",
        reader,
        &path,
        async {
            for table in ["products", "variants"] {
                let column = if table == "products" {
                    "id"
                } else {
                    "product_id"
                };
                sqlx::query(&format!(
                    "UPDATE {table} SET price = 77777 WHERE {column} = {product}"
                ))
                .execute(writer.db.pool())
                .await
                .unwrap();
            }
        },
        |page| text_of(&page.body, "price").contains("77,777"),
    )
    .await;
    follows(
        "stock",
        reader,
        &path,
        async {
            sqlx::query(&format!(
                "UPDATE variants SET stock = 4321 WHERE product_id = {product}"
            ))
            .execute(writer.db.pool())
            .await
            .unwrap();
        },
        |page| {
            let stock = text_of(&page.body, "stock");
            stock.contains("4,321") || stock.contains("4321")
        },
    )
    .await;
    let fan = writer.visitor();
    fan.signup("page_cache_fan").await;
    follows(
        "likes",
        reader,
        &path,
        async {
            let (status, body) = fan
                .post_json("/api/likes/add", &json!({ "product_id": product }))
                .await;
            assert_eq!(status, 200, "{body}");
        },
        |page| text_of(&page.body, "like-button").contains('1'),
    )
    .await;
    follows(
        "best sellers",
        reader,
        "/",
        async {
            let mut placed = OrderPlaced::new(
                1,
                app::identity::UserId(1),
                app::money::Won(1000),
                now_millis(),
                vec![SoldLine {
                    product_id: app::catalog::ProductId(product),
                    variant_id: None,
                    sku: None,
                    name: "sold".into(),
                    unit_price: app::money::Won(1000),
                    quantity: app::catalog::Quantity::new(2).unwrap(),
                }],
            );
            placed.event_id = "page-cache-best-seller".into();
            assert!(embedded::consume(&writer.db, &PlatformEvent::from(placed))
                .await
                .unwrap());
        },
        |page| {
            let at = page.body.find("data-testid=\"best-sellers\"").unwrap();
            let strip = page.body[at..].split("</section>").next().unwrap();
            strip.contains(&format!("/products/{product}\""))
        },
    )
    .await;
    follows(
        "off sale",
        reader,
        &path,
        async {
            sqlx::query(&format!(
                "UPDATE products SET on_sale = 0 WHERE id = {product}"
            ))
            .execute(writer.db.pool())
            .await
            .unwrap();
        },
        |page| page.status == 404,
    )
    .await;
}

async fn a_guests_page_follows_every_change_within_a_second(backend: Backend) {
    let app = spawn_app_with(config(fresh_database(backend).await)).await;
    every_change_reaches_the_guests(&app, &app).await;
}

/// Two instances on one PostgreSQL: what changes through one reaches the
/// other's guests within the bound, with nothing sent between them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_postgres_follow_each_others_changes() {
    let database = fresh_database(Backend::Postgres).await;
    let one = spawn_app_with(config(database.clone())).await;
    let two = spawn_app_with(Config {
        seed_demo_catalog: false,
        ..config(database)
    })
    .await;
    every_change_reaches_the_guests(&one, &two).await;
}

async fn a_page_in_the_cache_carries_nothing_of_a_shopper(backend: Backend) {
    let app = spawn_app_with(config(fresh_database(backend).await)).await;
    // A shopper with points, a cart and a like looks at the pages first.
    let shopper = app.visitor();
    shopper.signup("page_cache_shopper").await;
    let (status, body) = shopper
        .post_json("/api/points/charge", &json!({ "amount": 123457 }))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = shopper
        .post_json("/api/cart/add", &json!({ "product_id": 20, "quantity": 2 }))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = shopper
        .post_json("/api/likes/add", &json!({ "product_id": 20 }))
        .await;
    assert_eq!(status, 200, "{body}");
    for path in ["/", "/products/20", "/cart"] {
        let mine = get(&shopper.client, &app, path).await;
        assert_eq!(mine.status, 200, "{path}");
        assert_eq!(
            mine.outcome, "",
            "{path}: a shopper is never served from the cache"
        );
        assert!(mine.etag.is_none(), "{path}");

        let guest = get(&guest(), &app, path).await;
        assert_eq!(guest.status, 200, "{path}");
        assert!(
            ["miss", "hit"].contains(&guest.outcome.as_str()),
            "{path}: {}",
            guest.outcome
        );
        assert_eq!(
            text_of(&guest.body, "cart-count"),
            "0",
            "{path}: an empty cart"
        );
        assert!(!guest.body.contains("page_cache_shopper"), "{path}");
        assert!(!guest.body.contains("123,457"), "{path}: no balance");
        assert!(!guest.body.contains("♥"), "{path}: nothing liked");
        // And the shopper's next look is theirs again.
        let mine = get(&shopper.client, &app, path).await;
        assert_eq!(text_of(&mine.body, "cart-count"), "2", "{path}");
    }
    // A guest with a session (a guest cart) is not served from the cache.
    let with_cart = app.visitor();
    let (status, body) = with_cart
        .post_json("/api/cart/add", &json!({ "product_id": 5, "quantity": 1 }))
        .await;
    assert_eq!(status, 200, "{body}");
    let page = get(&with_cart.client, &app, "/").await;
    assert_eq!(page.outcome, "");
    assert_eq!(text_of(&page.body, "cart-count"), "1");
}

async fn many_guests_at_once_cost_one_render(backend: Backend) {
    // Longer than the bound allows (only a test can set it so): no entry
    // goes stale while the test runs, however slow the machine.
    let app = spawn_app_with(Config {
        page_cache_max_age: Duration::from_secs(600),
        ..config(fresh_database(backend).await)
    })
    .await;
    let path = "/?sort=price_asc";
    let guests: Vec<_> = (0..24)
        .map(|_| {
            let app_url = app.url(path);
            tokio::spawn(async move {
                let response = guest().get(app_url).send().await.unwrap();
                let outcome = response.headers()["x-page-cache"]
                    .to_str()
                    .unwrap()
                    .to_string();
                (outcome, response.text().await.unwrap())
            })
        })
        .collect();
    let mut misses = 0;
    let mut bodies = std::collections::HashSet::new();
    for guest in guests {
        let (outcome, body) = guest.await.unwrap();
        misses += usize::from(outcome == "miss");
        bodies.insert(body);
    }
    // Every guest had the page; whoever came while it rendered waited for
    // that render.
    assert_eq!(misses, 1, "renders for 24 concurrent guests");
    assert_eq!(bodies.len(), 1);
}

async fn a_browser_that_has_the_page_gets_304(backend: Backend) {
    let app = spawn_app_with(config(fresh_database(backend).await)).await;
    let client = guest();
    let first = get(&client, &app, "/products/2").await;
    let etag = first.etag.expect("a cached page has an ETag");
    assert!(etag.starts_with("W/\""), "{etag}");
    // No nonce is shared: the policy allows the page's scripts by hash.
    let response = client.get(app.url("/products/2")).send().await.unwrap();
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("'sha256-") && !policy.contains("nonce"),
        "{policy}"
    );
    assert!(!response.text().await.unwrap().contains("nonce="));

    let again = client
        .get(app.url("/products/2"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());

    // Compressed as asked, the same page.
    for coding in ["br", "gzip"] {
        let response = client
            .get(app.url("/products/2"))
            .header("accept-encoding", coding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], coding);
        assert_eq!(response.headers()["etag"].to_str().unwrap(), etag);
    }

    // Another page (or the same in another language) is another tag.
    let other = client
        .get(app.url("/products/2"))
        .header("if-none-match", &etag)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    assert_eq!(other.headers()["content-language"], "en");
    // A shopper's request never gets a 304 from the cache.
    let shopper = app.with_client(new_client());
    shopper.signup("page_cache_304").await;
    let mine = shopper
        .client
        .get(app.url("/products/2"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), 200);
}
