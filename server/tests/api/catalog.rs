//! The catalog through its JSON endpoints and its pages.

use crate::helpers::{assert_error, spawn_app};
use crate::on_both_backends;
use app::db::Backend;
use serde_json::Value;

/// The names of a page of products, in its order.
pub(crate) fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

fn prices(body: &Value) -> Vec<i64> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["price"].as_i64().unwrap())
        .collect()
}

on_both_backends!(
    a_fresh_database_has_the_demo_catalog,
    sorting_orders_the_whole_catalog,
    pages_split_the_catalog_without_overlap,
    brand_filter_and_search_narrow_the_list,
    search_finds_any_part_of_a_name_through_the_index,
    the_catalog_size_follows_inserts_and_deletes,
    bad_query_values_are_bad_requests,
    one_product_by_id,
    product_pages_render_and_unknown_ones_are_404,
);

async fn a_fresh_database_has_the_demo_catalog(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get_json("/api/products").await;
    assert_eq!(status, 200, "{body}");
    assert!(body["total"].as_i64().unwrap() >= 30);
    assert_eq!(body["page"], 1);
    assert_eq!(body["per_page"], 12);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 12);
    for item in items {
        for field in [
            "id",
            "name",
            "brand",
            "price",
            "stock",
            "like_count",
            "liked",
            "image",
        ] {
            assert!(!item[field].is_null(), "{field} missing in {item}");
        }
        assert_eq!(item["liked"], false, "a guest likes nothing");
    }
    let (_, all) = app.get_json("/api/products?per_page=100").await;
    let brands: std::collections::HashSet<_> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["brand"].as_str().unwrap().to_string())
        .collect();
    assert!(brands.len() >= 5, "{brands:?}");
    assert!(all["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["stock"] == 0));
}

async fn sorting_orders_the_whole_catalog(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, asc) = app
        .get_json("/api/products?sort=price_asc&per_page=100")
        .await;
    let asc = prices(&asc);
    assert!(asc.windows(2).all(|w| w[0] <= w[1]), "{asc:?}");
    let (_, desc) = app
        .get_json("/api/products?sort=price_desc&per_page=100")
        .await;
    let desc = prices(&desc);
    assert!(desc.windows(2).all(|w| w[0] >= w[1]), "{desc:?}");
    let (status, liked) = app.get_json("/api/products?sort=likes_desc").await;
    assert_eq!(status, 200, "{liked}");
    let (_, latest) = app.get_json("/api/products?sort=latest&per_page=3").await;
    let (_, default) = app.get_json("/api/products?per_page=3").await;
    assert_eq!(latest["items"], default["items"], "latest is the default");
}

async fn pages_split_the_catalog_without_overlap(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, all) = app
        .get_json("/api/products?sort=price_asc&per_page=100")
        .await;
    let total = all["total"].as_i64().unwrap();
    let mut seen = Vec::new();
    for page in 1..=((total + 9) / 10) {
        let (status, body) = app
            .get_json(&format!(
                "/api/products?sort=price_asc&per_page=10&page={page}"
            ))
            .await;
        assert_eq!(status, 200);
        assert_eq!(body["page"], page);
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].clone()),
        );
    }
    let expected: Vec<_> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(seen, expected, "pages cover the catalog once, in order");
    let (status, past_end) = app.get_json("/api/products?page=999").await;
    assert_eq!(status, 200);
    assert_eq!(past_end["items"].as_array().unwrap().len(), 0);
    assert_eq!(past_end["total"], total);
}

async fn brand_filter_and_search_narrow_the_list(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, sora) = app.get_json("/api/products?brand=Sora&per_page=100").await;
    let items = sora["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|p| p["brand"] == "Sora"));
    assert_eq!(sora["total"].as_i64().unwrap(), items.len() as i64);

    // Found by the English name, shown in English to an English reader.
    let (_, found) = app
        .visitor_speaking("en")
        .get_json("/api/products?q=SNEAKERS")
        .await;
    let names: Vec<_> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(!names.is_empty());
    assert!(
        names.iter().all(|n| n.to_lowercase().contains("sneakers")),
        "{names:?}"
    );

    let (_, both) = app.get_json("/api/products?q=sneakers&brand=Sora").await;
    assert_eq!(both["total"], 0);
    // Wildcards in the search are plain characters.
    let (_, percent) = app.get_json("/api/products?q=%25").await;
    assert_eq!(percent["total"], 0);
    let (_, nobrand) = app.get_json("/api/products?brand=Nope").await;
    assert_eq!(nobrand["total"], 0);
}

async fn search_finds_any_part_of_a_name_through_the_index(backend: Backend) {
    let app = spawn_app(backend).await;
    for (sku, name) in [
        ("t-quoted", "Ultra \"Quoted\" Jacket"),
        ("t-percent", "50% Off Tee"),
        ("t-snake", "snake_case Sock"),
        ("t-korean", "한글 상품 이름"),
    ] {
        crate::helpers::insert_product(&app.db, sku, name, "Test", 1000, 5).await;
    }
    let search = |q: &'static str| {
        let app = &app;
        async move {
            let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
            let (status, body) = app
                .get_json(&format!("/api/products?per_page=100&q={encoded}"))
                .await;
            assert_eq!(status, 200, "{q}: {body}");
            let mut found = names(&body);
            found.sort();
            assert_eq!(body["total"].as_i64().unwrap(), found.len() as i64, "{q}");
            found
        }
    };
    // A search is words: what is not a letter or a digit separates them,
    // and each word is found anywhere in a word of the product's.
    assert_eq!(search("QUOTED").await, ["Ultra \"Quoted\" Jacket"]);
    assert_eq!(search("\"quoted\" j").await, ["Ultra \"Quoted\" Jacket"]);
    let fifty = search("50%").await;
    assert!(fifty.contains(&"50% Off Tee".to_string()), "{fifty:?}");
    assert!(fifty.iter().all(|n| n.contains("50")), "{fifty:?}");
    assert_eq!(search("snake_case sock").await, ["snake_case Sock"]);
    assert_eq!(search("글 상품").await, ["한글 상품 이름"]);
    assert_eq!(search("상품").await, ["한글 상품 이름"]);
    let ke = search("ke").await;
    assert!(
        ke.contains(&"Ultra \"Quoted\" Jacket".to_string()),
        "{ke:?}"
    );
    assert!(ke.contains(&"snake_case Sock".to_string()), "{ke:?}");
    assert!(search("%%%").await.is_empty());
    // The index follows a renamed product.
    sqlx::query("UPDATE products SET name = 'Renamed Parka' WHERE sku = 't-snake'")
        .execute(app.db.pool())
        .await
        .unwrap();
    assert!(search("snake").await.is_empty());
    assert_eq!(search("med par").await, ["Renamed Parka"]);
}

async fn the_catalog_size_follows_inserts_and_deletes(backend: Backend) {
    let app = spawn_app(backend).await;
    let total = || async {
        app.get_json("/api/products").await.1["total"]
            .as_i64()
            .unwrap()
    };
    let counted = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM products")
            .fetch_one(app.db.pool())
            .await
            .unwrap()
    };
    assert_eq!(total().await, 34);
    let insert = |sql: &'static str| async {
        sqlx::query(sql).execute(app.db.pool()).await.unwrap();
    };
    // Several rows in one statement, then one.
    insert(
        "INSERT INTO products (sku, name, brand, price, image, created_at) VALUES \
         ('n-1', 'New 1', 'New', 1000, '/i.svg', 0), \
         ('n-2', 'New 2', 'New', 1000, '/i.svg', 0), \
         ('n-3', 'New 3', 'New', 1000, '/i.svg', 0)",
    )
    .await;
    insert(
        "INSERT INTO products (sku, name, brand, price, image, created_at) \
         VALUES ('n-4', 'New 4', 'New', 1000, '/i.svg', 0)",
    )
    .await;
    assert_eq!(total().await, 38);
    insert("DELETE FROM products WHERE sku IN ('n-1', 'n-4')").await;
    assert_eq!(total().await, 36);
    assert_eq!(total().await, counted().await);
    // A filtered listing still counts its matches.
    let (_, new) = app.get_json("/api/products?brand=New").await;
    assert_eq!(new["total"], 2);
}

async fn bad_query_values_are_bad_requests(backend: Backend) {
    let app = spawn_app(backend).await;
    for (query, field) in [
        ("per_page=lots", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=1000", "per_page"),
        ("page=-1", "page"),
        ("page=0", "page"),
        ("page=1.5", "page"),
        ("sort=cheapest", "sort"),
    ] {
        let (status, body) = app.get_json(&format!("/api/products?{query}")).await;
        assert_error(status, &body, 400, "BAD_REQUEST");
        assert_eq!(body["details"]["field"], field, "{query}: {body}");
    }
    let long = "x".repeat(500);
    let (status, body) = app.get_json(&format!("/api/products?q={long}")).await;
    assert_error(status, &body, 400, "BAD_REQUEST");
}

async fn one_product_by_id(backend: Backend) {
    let app = spawn_app(backend).await;
    // The first product listed that has no options (the shoes come in sizes).
    let (_, list) = app.get_json("/api/products?per_page=100").await;
    let first = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["has_options"] == false)
        .unwrap();
    let (status, one) = app
        .get_json(&format!("/api/products/get?id={}", first["id"]))
        .await;
    assert_eq!(status, 200);
    // Its one variant, as the catalog keeps it.
    let variant: i64 = sqlx::query_scalar("SELECT id FROM variants WHERE product_id = $1")
        .bind(first["id"].as_i64().unwrap())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // The product as listed, with what there is to choose from.
    let mut listed = first.clone();
    listed["options"] = serde_json::json!([]);
    listed["variants"] = serde_json::json!([{
        "variant_id": variant, "sku": "hb-socks", "options": {}, "label": "",
        "price": first["price"], "stock": first["stock"], "on_sale": true,
    }]);
    assert_eq!(one, listed);

    let (status, body) = app.get_json("/api/products/get?id=999999").await;
    assert_error(status, &body, 404, "PRODUCT_NOT_FOUND");
    for bad in ["abc", "-1", "0", ""] {
        let (status, body) = app.get_json(&format!("/api/products/get?id={bad}")).await;
        assert_error(status, &body, 400, "BAD_REQUEST");
    }
    let (status, body) = app.get_json("/api/products/get").await;
    assert_error(status, &body, 400, "BAD_REQUEST");
}

async fn product_pages_render_and_unknown_ones_are_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, list) = app.get_json("/api/products?per_page=100").await;
    let sold_out = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["stock"] == 0)
        .unwrap();
    let res = app.get(&format!("/products/{}", sold_out["id"])).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(sold_out["name"].as_str().unwrap()));
    assert!(html.contains("품절"), "Korean by default");

    let res = app.get("/products/999999").await;
    assert_eq!(res.status(), 404);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("존재하지 않는 상품입니다."));
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    // The 404 page's header still knows who is shopping.
    app.signup("lost_shopper").await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("페이지를 찾을 수 없습니다"), "{html}");
    assert!(
        html.contains("data-testid=\"current-user\"") && html.contains("lost_shopper"),
        "{html}"
    );

    let res = app.get("/?sort=price_desc&brand=Namu").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("월넛 스탠딩 데스크"),
        "the grid is server-rendered"
    );
}
