//! Searching the catalog: words in names, brands and descriptions in either
//! language, ranked, counted up to a bound, and an index that follows every
//! write, whoever makes it, also while searches run.

use crate::catalog::names;
use crate::helpers::{insert_product, spawn_app, two_instances, TestApp};
use crate::on_both_backends;
use app::{catalog::search, db::Backend};

on_both_backends!(
    a_name_match_comes_first_then_the_newest,
    korean_words_of_two_and_three_syllables_are_found,
    a_brand_and_either_language_find_a_product,
    the_index_follows_every_write,
    a_count_stops_at_its_bound,
    searches_racing_renames_leave_the_index_right,
);

/// The names a search finds, in the order of its page (first 100).
async fn search(app: &TestApp, q: &str, extra: &str) -> Vec<String> {
    let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
    let (status, body) = app
        .get_json(&format!("/api/products?per_page=100&q={encoded}{extra}"))
        .await;
    assert_eq!(status, 200, "{q}: {body}");
    let found = names(&body);
    assert_eq!(body["total"].as_i64().unwrap(), found.len() as i64, "{q}");
    assert_eq!(body["total_capped"], false, "{q}");
    found
}

/// A product with a description, made `minutes_ago` (SQL, as an import
/// would).
async fn product(app: &TestApp, sku: &str, name: &str, description: &str, minutes_ago: i64) -> i64 {
    let id = insert_product(&app.db, sku, name, "Test", 1000 + minutes_ago, 5).await;
    sqlx::query("UPDATE products SET description = $1, created_at = $2 WHERE id = $3")
        .bind(description)
        .bind(app::db::now_millis() - minutes_ago * 60_000)
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    id
}

async fn a_name_match_comes_first_then_the_newest(backend: Backend) {
    let app = spawn_app(backend).await;
    product(&app, "s-flask", "Alpine Flask", "Holds water all day.", 30).await;
    product(&app, "s-bottle", "Trail Bottle", "Alpine-ready steel.", 1).await;
    product(&app, "s-mug", "Alpine Mug", "Enamel.", 10).await;
    product(&app, "s-cup", "Camp Cup", "Steel, for alpine mornings.", 20).await;
    // Names first (newest first), then descriptions (newest first).
    assert_eq!(
        search(&app, "alpine", "").await,
        ["Alpine Mug", "Alpine Flask", "Trail Bottle", "Camp Cup"]
    );
    // Every word must be found, in the name or the description; a product
    // with every word in its name ranks before one that needs its
    // description for some.
    assert_eq!(search(&app, "alpine mug", "").await, ["Alpine Mug"]);
    assert_eq!(
        search(&app, "steel alpine", "").await,
        ["Trail Bottle", "Camp Cup"]
    );
    assert_eq!(
        search(&app, "ALP stee", "").await,
        ["Trail Bottle", "Camp Cup"]
    );
    // A sort the shopper chose is the order, rank aside.
    assert_eq!(
        search(&app, "alpine", "&sort=price_asc").await,
        ["Trail Bottle", "Alpine Mug", "Camp Cup", "Alpine Flask"]
    );
    // Nothing but punctuation finds nothing; one letter finds by scan.
    assert!(search(&app, "-- !!", "").await.is_empty());
    let m = search(&app, "alpine m", "").await;
    assert_eq!(
        m,
        ["Alpine Mug", "Camp Cup"],
        "m in a name, or in a description"
    );
}

async fn korean_words_of_two_and_three_syllables_are_found(backend: Backend) {
    let app = spawn_app(backend).await;
    product(&app, "s-bag", "캠핑 여행배낭", "튼튼한 나일론", 5).await;
    product(&app, "s-pouch", "미니 파우치", "배낭 속 정리용", 6).await;
    product(&app, "s-hat", "버킷 모자", "여름용 면 소재", 7).await;
    // Two syllables inside a longer word, and as a word of a description.
    assert_eq!(
        search(&app, "배낭", "").await,
        ["캠핑 여행배낭", "미니 파우치"]
    );
    assert_eq!(search(&app, "모자", "").await, ["버킷 모자"]);
    assert_eq!(search(&app, "나일론", "").await, ["캠핑 여행배낭"]);
    assert_eq!(search(&app, "여행배낭", "").await, ["캠핑 여행배낭"]);
    // Words in another order, split over name and description.
    assert_eq!(search(&app, "면 버킷", "").await, ["버킷 모자"]);
    // Two syllables that never stand side by side are not a match.
    assert!(search(&app, "핑여", "").await.is_empty());
}

async fn a_brand_and_either_language_find_a_product(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = insert_product(&app.db, "s-nord", "Frost Parka", "Nordlys", 90_000, 3).await;
    sqlx::query(
        "INSERT INTO product_translations (product_id, lang, name, description) \
         VALUES ($1, 'ko', '서리 파카', '따뜻한 거위털 충전재')",
    )
    .bind(id)
    .execute(app.db.pool())
    .await
    .unwrap();
    let english = app.visitor_speaking("en");
    // The brand is part of what a search reads, as a name is.
    assert_eq!(search(&app, "nordlys", "").await, ["서리 파카"]);
    assert_eq!(search(&english, "NORDLYS parka", "").await, ["Frost Parka"]);
    // A Korean word of the Korean description finds it in English, and the
    // English name finds it in Korean.
    assert_eq!(search(&english, "거위털", "").await, ["Frost Parka"]);
    assert_eq!(search(&app, "frost", "").await, ["서리 파카"]);
}

async fn the_index_follows_every_write(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = product(&app, "s-lamp", "Zephyr Lantern", "Amberglow light.", 1).await;
    assert_eq!(search(&app, "lantern", "").await, ["Zephyr Lantern"]);
    let write = |sql: &'static str| {
        let app = &app;
        async move {
            sqlx::query(sql)
                .bind(id)
                .execute(app.db.pool())
                .await
                .unwrap();
        }
    };
    write("UPDATE products SET description = 'Frostglow light.' WHERE id = $1").await;
    assert!(search(&app, "amberglow", "").await.is_empty());
    assert_eq!(search(&app, "frostglow", "").await, ["Zephyr Lantern"]);
    write("UPDATE products SET brand = 'Lumenix' WHERE id = $1").await;
    assert_eq!(search(&app, "lumenix", "").await, ["Zephyr Lantern"]);
    write(
        "INSERT INTO product_translations (product_id, lang, name, description) \
         VALUES ($1, 'ko', '별빛 등불', '')",
    )
    .await;
    assert_eq!(search(&app, "등불", "").await, ["별빛 등불"]);
    write("UPDATE product_translations SET name = '달빛 등불' WHERE product_id = $1").await;
    assert!(search(&app, "별빛", "").await.is_empty());
    assert_eq!(search(&app, "달빛", "").await, ["달빛 등불"]);
    write("DELETE FROM product_translations WHERE product_id = $1").await;
    assert!(search(&app, "등불", "").await.is_empty());
    // Off sale, a product is not found; back on sale, it is.
    write("UPDATE products SET on_sale = 0 WHERE id = $1").await;
    assert!(search(&app, "lantern", "").await.is_empty());
    write("UPDATE products SET on_sale = 1 WHERE id = $1").await;
    assert_eq!(search(&app, "lantern", "").await, ["Zephyr Lantern"]);
    // Removed (its stock and variant first), it is gone from the index.
    sqlx::query("DELETE FROM stock_movements WHERE product_id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM variants WHERE product_id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    write("DELETE FROM products WHERE id = $1").await;
    assert!(search(&app, "lantern", "").await.is_empty());
    let rows: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM product_search WHERE product_id = $1) \
              + (SELECT COUNT(*) FROM search_stale)",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        rows, 0,
        "the row and the mark of a removed product are gone"
    );
}

async fn a_count_stops_at_its_bound(backend: Backend) {
    let app = spawn_app(backend).await;
    let insert = |n: i64, word: &'static str| {
        let app = &app;
        async move {
            sqlx::query(&format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
                 INSERT INTO products (sku, name, brand, description, price, image, created_at) \
                 SELECT '{word}-' || i, 'Bulk {word} ' || i, 'Bulk', '', 1000, '/i.svg', i FROM n"
            ))
            .execute(app.db.pool())
            .await
            .unwrap();
        }
    };
    insert(search::COUNT_BOUND + 1, "tallyho").await;
    insert(search::COUNT_BOUND, "evenly").await;
    // The newest of all, with the word in its description only.
    product(&app, "s-tally", "Score Pad", "For a tallyho.", 0).await;
    let (_, body) = app.get_json("/api/products?q=tallyho").await;
    assert_eq!(body["total"], search::COUNT_BOUND, "{}", body["total"]);
    assert_eq!(body["total_capped"], true);
    // Past the bound the page is read along the dates: the name matches
    // first, newest first, as in full rank.
    let expected: Vec<String> = (0..12)
        .map(|k| format!("Bulk tallyho {}", search::COUNT_BOUND + 1 - k))
        .collect();
    assert_eq!(names(&body), expected);
    let (_, body) = app.get_json("/api/products?q=tallyho&page=2").await;
    assert_eq!(
        names(&body)[0],
        format!("Bulk tallyho {}", search::COUNT_BOUND + 1 - 12)
    );
    // The page where the name matches end is read in full rank: the
    // description match comes after the oldest name match.
    let last = (search::COUNT_BOUND + 1) / 12 + 1;
    let (_, body) = app
        .get_json(&format!("/api/products?q=tallyho&page={last}"))
        .await;
    let tail = names(&body);
    assert_eq!(tail.last().unwrap(), "Score Pad", "{tail:?}");
    assert_eq!(tail[tail.len() - 2], "Bulk tallyho 1", "{tail:?}");
    // Another order is walked along its own index.
    let (_, body) = app
        .get_json("/api/products?q=tallyho&sort=price_desc")
        .await;
    assert_eq!(body["items"].as_array().unwrap().len(), 12);
    let (_, body) = app.get_json("/api/products?q=evenly").await;
    assert_eq!(body["total"], search::COUNT_BOUND);
    assert_eq!(body["total_capped"], false);
    // The whole catalog is counted exactly, filtered lists up to the bound.
    let (_, all) = app.get_json("/api/products").await;
    assert_eq!(all["total"], 2 * search::COUNT_BOUND + 1 + 34 + 1);
    assert_eq!(all["total_capped"], false);
    let (_, brand) = app.get_json("/api/products?brand=Bulk").await;
    assert_eq!(brand["total_capped"], true);
    // The page says so in the shopper's language.
    let page = app.get("/?q=tallyho").await.text().await.unwrap();
    assert!(page.contains("상품 1,000개 이상"), "{page}");
    let page = app
        .visitor_speaking("en")
        .get("/?q=evenly")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("1,000 products"), "{page}");
}

async fn searches_racing_renames_leave_the_index_right(backend: Backend) {
    let (first, second) = two_instances(backend).await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(
            insert_product(
                &first.db,
                &format!("r-{i}"),
                &format!("Racer {i}"),
                "R",
                1000,
                1,
            )
            .await,
        );
    }
    // Renames (as any writer would make them) while searches on both
    // instances refresh the index.
    let mut tasks = Vec::new();
    for (k, id) in ids.iter().copied().enumerate() {
        let db = first.db.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..5 {
                sqlx::query("UPDATE products SET name = $1 WHERE id = $2")
                    .bind(format!("Racer {k} round{round}"))
                    .bind(id)
                    .execute(db.pool())
                    .await
                    .unwrap();
            }
        }));
    }
    for k in 0..8 {
        let app = if k % 2 == 0 {
            first.visitor()
        } else {
            second.visitor()
        };
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                let (status, body) = app.get_json("/api/products?q=racer").await;
                assert_eq!(status, 200, "{body}");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // After the race, every product is found by its last name only.
    let found = search(&second, "round4", "").await;
    assert_eq!(found.len(), 20, "{found:?}");
    assert!(search(&first, "round3", "").await.is_empty());
    let titles: Vec<(String, String)> = sqlx::query_as(
        "SELECT s.title, p.name FROM product_search s JOIN products p ON p.id = s.product_id \
         WHERE p.sku LIKE 'r-%'",
    )
    .fetch_all(first.db.pool())
    .await
    .unwrap();
    assert_eq!(titles.len(), 20);
    for (title, name) in titles {
        assert_eq!(
            title,
            search::Document::new([name.as_str(), "R"], [""]).title
        );
    }
}
