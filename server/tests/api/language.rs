//! Korean and English: the language a request gets (cookie, then
//! `Accept-Language`, then Korean), pages and JSON messages in it, codes and
//! details the same in both, product names in both, searched in both, and
//! an order's names kept as they were.

use crate::helpers::{assert_error, spawn_app, TestApp};
use crate::on_both_backends;
use app::db::Backend;
use serde_json::{json, Value};

on_both_backends!(
    messages_follow_the_language_and_codes_do_not,
    pages_speak_the_shoppers_language,
    the_language_switch_remembers_and_comes_back,
    products_have_names_in_both_languages_and_are_found_by_either,
    an_order_keeps_its_names_in_both_languages,
);

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn messages_follow_the_language_and_codes_do_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let ask = |visitor: TestApp| async move {
        let res = visitor.get("/api/products?per_page=500").await;
        let language = header(&res, "content-language");
        let body: Value = res.json().await.unwrap();
        (language, body)
    };
    let (korean, ko) = ask(app.visitor()).await;
    let (english, en) = ask(app.visitor_speaking("en-US,en;q=0.9")).await;
    let (preferred, ko_kr) = ask(app.visitor_speaking("ko-KR,ko;q=0.9,en;q=0.8")).await;
    assert_eq!((korean.as_str(), english.as_str()), ("ko", "en"));
    assert_eq!(preferred, "ko");
    assert_eq!(
        ko["message"],
        "per_page은(는) 1에서 100 사이의 정수여야 합니다."
    );
    assert_eq!(
        en["message"],
        "per_page must be a whole number from 1 to 100."
    );
    assert_eq!(ko_kr["message"], ko["message"]);
    // Codes and details never change with the language.
    assert_eq!(ko["code"], "BAD_REQUEST");
    assert_eq!(en["code"], ko["code"]);
    assert_eq!(en["details"], ko["details"]);
    assert_eq!(en["details"]["field"], "per_page");

    // The cookie beats the header.
    let cookie_en = app.visitor_speaking("ko-KR");
    let res = cookie_en
        .client
        .post(cookie_en.url("/api/login"))
        .header("cookie", "lang=en")
        .json(&json!({"login_id": "nobody_here", "password": "wrong password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, "content-language"), "en");
    let body: Value = res.json().await.unwrap();
    assert_error(401, &body, 401, "INVALID_CREDENTIALS");
    assert_eq!(body["message"], "The login id or the password is wrong.");
    let (status, body) = app.login("nobody_here", "wrong password").await;
    assert_error(status, &body, 401, "INVALID_CREDENTIALS");
    assert_eq!(body["message"], "아이디 또는 비밀번호가 맞지 않습니다.");

    // Messages written by the layers in front of the app too.
    let res = app
        .client
        .post(app.url("/api/cart/add"))
        .header("origin", "https://elsewhere.example")
        .header("accept-language", "en")
        .form(&[("product_id", "1"), ("quantity", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "FORBIDDEN_ORIGIN");
    assert_eq!(
        body["message"],
        "This request came from another site and was refused."
    );
    let (status, body) = app.post_json("/api/cart/add", &json!([1, 2])).await;
    assert_error(status, &body, 400, "BAD_REQUEST");
    assert_eq!(body["message"], "JSON 본문은 객체여야 합니다.");
}

async fn pages_speak_the_shoppers_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = |visitor: TestApp, path: &'static str| async move {
        let res = visitor.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let language = header(&res, "content-language");
        let vary = header(&res, "vary").to_lowercase();
        assert!(
            vary.contains("cookie") && vary.contains("accept-language"),
            "{path}: vary {vary}"
        );
        assert!(header(&res, "cache-control").contains("private"));
        (language, res.text().await.unwrap())
    };
    // Size 270 chosen (it comes in sizes): the button adds it to the cart.
    let (language, ko) = page(app.visitor(), "/products/1?o0=270").await;
    assert_eq!(language, "ko");
    assert!(ko.contains("<html lang=\"ko\""), "{ko}");
    assert!(ko.contains("클라우드 러너 운동화"), "the Korean name");
    assert!(ko.contains("89,000원"), "won the Korean way");
    assert!(ko.contains("장바구니 담기"));
    let (language, en) = page(app.visitor_speaking("en-GB"), "/products/1?o0=270").await;
    assert_eq!(language, "en");
    assert!(en.contains("<html lang=\"en\""), "{en}");
    assert!(en.contains("Cloud Runner Sneakers"));
    assert!(en.contains("₩89,000"), "won the English way");
    assert!(en.contains("Add to cart"));
    assert!(!en.contains("89,000원"));

    // The switch is on every page, in each language's own words, and
    // comes back to the same page, query and all.
    for html in [&ko, &en] {
        assert!(html.contains(">한국어</a>") && html.contains(">English</a>"));
    }
    let (_, search) = page(app.visitor(), "/?q=Runner&sort=price_asc").await;
    assert!(
        search.contains("/language?lang=en&amp;next=%2F%3Fq%3DRunner%26sort%3Dprice_asc"),
        "{search}"
    );

    // What has no words is the same in every language.
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("content-language").is_none());
}

async fn the_language_switch_remembers_and_comes_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/language?lang=en&next=%2Fcart%3Fx%3D1").await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/cart?x=1");
    let cookie = header(&res, "set-cookie");
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    assert!(cookie.contains("Path=/") && cookie.contains("SameSite=Lax"));
    // The cookie jar now asks for English, over Accept-Language.
    let res = app
        .client
        .get(app.url("/cart"))
        .header("accept-language", "ko")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, "content-language"), "en");
    assert!(res.text().await.unwrap().contains("<html lang=\"en\""));

    // `next` is a path of this shop only; an unknown language changes nothing.
    for next in [
        "https%3A%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "%2F%0D%0Aset-cookie:x",
    ] {
        let res = app.get(&format!("/language?lang=ko&next={next}")).await;
        assert_eq!(res.status(), 303, "{next}");
        let location = header(&res, "location");
        assert!(location == "/" || location.starts_with('/') && !location.starts_with("//"));
        assert!(
            !location.contains('\n') && !location.contains('\r'),
            "{location:?}"
        );
    }
    let visitor = app.visitor();
    let res = visitor.get("/language?lang=xx&next=%2F").await;
    assert_eq!(res.status(), 303);
    assert!(res.headers().get("set-cookie").is_none());
    let res = visitor.get("/").await;
    assert_eq!(header(&res, "content-language"), "ko");
}

async fn products_have_names_in_both_languages_and_are_found_by_either(backend: Backend) {
    let app = spawn_app(backend).await;
    let english = app.visitor_speaking("en");
    let names = |body: &Value| -> Vec<String> {
        let mut names: Vec<String> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    let search = |visitor: &TestApp, q: &str| {
        let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
        let url = format!("/api/products?per_page=100&q={encoded}");
        let visitor = visitor.with_client(visitor.client.clone());
        async move {
            let (status, body) = visitor.get_json(&url).await;
            assert_eq!(status, 200, "{body}");
            names(&body)
        }
    };
    // Three syllables go through the trigram index; two, a scan.
    assert_eq!(
        search(&app, "운동화").await,
        ["코트 클래식 운동화", "클라우드 러너 운동화"]
    );
    assert_eq!(search(&app, "텐트").await, ["트레킹 2인용 텐트"]);
    assert_eq!(search(&app, "후드").await, ["플리스 풀오버 후드티"]);
    // Korean words find the product for an English reader, and English
    // words for a Korean one; each sees the name in their language.
    assert_eq!(search(&english, "텐트").await, ["Two-person Trekking Tent"]);
    assert_eq!(search(&app, "trekking tent").await, ["트레킹 2인용 텐트"]);
    assert_eq!(
        search(&english, "sneakers").await,
        ["Cloud Runner Sneakers", "Court Classic Sneakers"]
    );
    let (_, product) = app.get_json("/api/products/get?id=1").await;
    assert_eq!(product["name"], "클라우드 러너 운동화");
    let (_, product) = english.get_json("/api/products/get?id=1").await;
    assert_eq!(product["name"], "Cloud Runner Sneakers");
    assert_eq!(
        product["description"],
        "Light mesh running shoes with a cushioned sole."
    );
}

async fn an_order_keeps_its_names_in_both_languages(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup("bilingual").await;
    let (status, body) = app
        .post_json("/api/points/charge", &json!({"amount": 500_000}))
        .await;
    assert_eq!(status, 200, "{body}");
    // The sneakers come in sizes: one of them.
    let variant = app.variant_in_stock(1).await;
    let address = app.add_address().await;
    let (status, order) = app
        .post_json(
            "/api/orders/place",
            &json!({"idempotency_key": "bilingual-0001", "address_id": address,
                    "items": [{"product_id": 1, "variant_id": variant, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["items"][0]["name"], "클라우드 러너 운동화");
    let id = order["order_id"].as_i64().unwrap();
    // Renamed after the order: the order keeps the names it was placed with.
    for (lang, name) in [("ko", "새 이름"), ("en", "New Name")] {
        sqlx::query("UPDATE product_translations SET name = $1 WHERE product_id = 1 AND lang = $2")
            .bind(name)
            .bind(lang)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    let (_, ko) = app.get_json(&format!("/api/orders/get?id={id}")).await;
    assert_eq!(ko["items"][0]["name"], "클라우드 러너 운동화");
    let (_, list) = app.get_json("/api/orders").await;
    assert!(list.to_string().contains("클라우드 러너 운동화"), "{list}");
    // The same shopper switches to English (the cookie joins the session's).
    assert_eq!(app.get("/language?lang=en&next=%2F").await.status(), 303);
    let (_, en) = app.get_json(&format!("/api/orders/get?id={id}")).await;
    assert_eq!(en["items"][0]["name"], "Cloud Runner Sneakers");
    // The event to the data platform carries the base name.
    let payload: String =
        sqlx::query_scalar("SELECT payload FROM outbox WHERE kind = 'order.placed'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(payload.contains("Cloud Runner Sneakers"), "{payload}");
}
