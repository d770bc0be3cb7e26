//! Stored text never becomes markup. Attacks are stored through the real
//! endpoints in every text a person can store (product names,
//! descriptions and brands in both languages, campaign names, stock notes,
//! point and cancel reasons, a shopper's addresses (and the copies their
//! orders keep), search terms and the
//! `next` of a redirect), then every page the router has is fetched (ids
//! filled with the things holding the attacks) as a shopper and as an
//! admin, in Korean and in English: no attack may appear as markup
//! anywhere in the document, its head included, and every link stays on
//! the shop.

use crate::helpers::{spawn_app, TestApp};
use crate::on_both_backends;
use app::{db::Backend, staff::Role};
use serde_json::{json, Value};

on_both_backends!(stored_text_never_becomes_markup);

/// What a staff member or a shopper might try to store.
const ATTACKS: [&str; 5] = [
    "</title><meta http-equiv=refresh content=0;url=//evil.example>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(2)>",
    "</script><script>alert(3)</script>",
    "javascript:alert(4)",
];

/// The first attack, short enough for a brand (50 characters).
const SHORT_TITLE_ATTACK: &str = "</title><meta http-equiv=refresh content=0>";

/// An attack short enough for an address's label (20 characters).
const TINY_ATTACK: &str = "'><img src=x>";

/// A long run of ampersands, kept in descriptions and reasons.
fn ampersands() -> String {
    "&".repeat(60)
}

/// `attack`, or the short one when it is longer than `max` characters.
fn fit(attack: &str, max: usize) -> &str {
    if attack.chars().count() <= max {
        attack
    } else {
        SHORT_TITLE_ATTACK
    }
}

/// `attack`, or a shorter one when it is longer than `max` characters
/// (an address's recipient holds 30, its label 20).
fn fit_short(attack: &str, max: usize) -> &str {
    [attack, SHORT_TITLE_ATTACK, ATTACKS[1], TINY_ATTACK]
        .into_iter()
        .find(|a| a.chars().count() <= max)
        .unwrap()
}

/// What may never appear in a page, lower-cased: a tag an attack would
/// bring in, and a link leaving the shop by script. (The attacks' words
/// are on the pages as text, `onerror=alert` among them: harmless once
/// their `<` is escaped.)
const MARKUP_SIGNS: [&str; 6] = [
    "<meta http-equiv",
    "<script>alert",
    "<img src=x",
    "href=\"javascript:",
    "src=\"javascript:",
    "action=\"javascript:",
];

fn assert_no_markup(who: &str, path: &str, html: &str) {
    for attack in ATTACKS.iter().chain([&SHORT_TITLE_ATTACK, &TINY_ATTACK]) {
        if attack.contains(['<', '>', '"', '\'']) {
            assert!(
                !html.contains(attack),
                "{who} {path}: {attack} is in the page as markup: …{}…",
                around(html, attack)
            );
        }
    }
    let lower = html.to_lowercase();
    for sign in MARKUP_SIGNS {
        assert!(!lower.contains(sign), "{who} {path}: {sign} in the page");
    }
    // Inside a script a run of `&` is JavaScript text (the data leptos
    // embeds for a page's resources: JSON with `<` as `\u003c`).
    let markup = outside_scripts(html);
    assert!(
        !markup.contains(&ampersands()),
        "{who} {path}: a run of & is not escaped: …{}…",
        around(&markup, &ampersands())
    );
}

/// The page less the text of its scripts.
fn outside_scripts(html: &str) -> String {
    let mut markup = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>') else {
            break;
        };
        markup.push_str(&rest[..start + open_end + 1]);
        rest = &rest[start + open_end + 1..];
        rest = rest.find("</script>").map_or("", |end| &rest[end..]);
    }
    markup.push_str(rest);
    markup
}

/// The page around the first place `needle` is.
fn around<'a>(html: &'a str, needle: &str) -> &'a str {
    let at = html.find(needle).unwrap_or_default();
    let mut start = at.saturating_sub(300);
    while !html.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + needle.len() + 100).min(html.len());
    while !html.is_char_boundary(end) {
        end += 1;
    }
    &html[start..end]
}

async fn page(visitor: &TestApp, path: &str, language: &str) -> (u16, String) {
    let response = visitor
        .client
        .get(visitor.url(path))
        .header("accept-language", language)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn created(visitor: &TestApp, path: &str, body: Value) -> Value {
    let (status, answer) = visitor.post_json(path, &body).await;
    assert!([200, 201].contains(&status), "{path}: {status} {answer}");
    answer
}

async fn stored_text_never_becomes_markup(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.staff("markup_admin", Role::Admin).await;
    let shopper = app.visitor();
    let shopper_id = shopper.signup("markup_shopper").await;

    // Every text of a product holds an attack; so does a campaign's name.
    let mut products = Vec::new();
    let mut campaigns = Vec::new();
    for (i, attack) in ATTACKS.iter().enumerate() {
        let product = created(
            &admin,
            "/api/admin/products",
            json!({
                "sku": format!("MARKUP-{i}"),
                "name": attack,
                "name_en": attack,
                "brand": fit(attack, 50),
                "description": format!("{attack} {}", ampersands()),
                "description_en": format!("{attack} {}", ampersands()),
                "price": 1000,
                "stock": 20,
            }),
        )
        .await;
        let id = product["id"].as_i64().unwrap();
        assert_eq!(product["name"], *attack, "stored as sent");
        created(
            &admin,
            "/api/admin/stock/adjust",
            json!({"product_id": id, "delta": 1, "reason": "received", "note": attack}),
        )
        .await;
        products.push(id);
        let campaign = created(
            &admin,
            "/api/admin/coupons",
            json!({"name": attack, "name_en": attack, "kind": "fixed", "value": 100, "open": true}),
        )
        .await;
        campaigns.push(campaign["id"].as_i64().unwrap());
    }
    // A login id holds none of it: the rule refuses every attack.
    for attack in ATTACKS {
        let (status, _) = app
            .visitor()
            .post_json(
                "/api/signup",
                &json!({"login_id": attack, "password": "correct horse"}),
            )
            .await;
        assert_eq!(status, 400, "{attack} as a login id");
    }

    // The shopper keeps an address holding each attack, likes the
    // products, holds a coupon, fills a cart and orders them twice, to two
    // of those addresses: one order cancelled with a reason, one shipped.
    created(
        &admin,
        "/api/admin/customers/points",
        json!({"user_id": shopper_id, "delta": 100_000, "reason": format!("{} {}", ATTACKS[0], ampersands())}),
    )
    .await;
    created(
        &shopper,
        "/api/coupons/issue",
        json!({"campaign_id": campaigns[1]}),
    )
    .await;
    let mut addresses = Vec::new();
    for attack in ATTACKS {
        let address = created(
            &shopper,
            "/api/addresses",
            json!({
                "label": fit_short(attack, 20),
                "recipient": fit_short(attack, 30),
                "phone": "010-1234-5678",
                "postal_code": "04524",
                "address1": format!("{attack} {}", ampersands()),
                "address2": attack,
                "memo": attack,
            }),
        )
        .await;
        assert_eq!(address["address2"], attack, "stored as sent");
        addresses.push(address["address_id"].as_i64().unwrap());
    }
    let lines: Vec<Value> = products
        .iter()
        .map(|id| json!({"product_id": id, "quantity": 1}))
        .collect();
    let mut orders = Vec::new();
    for (key, address) in ["markup-order-1", "markup-order-2"]
        .into_iter()
        .zip(&addresses)
    {
        let order = created(
            &shopper,
            "/api/orders/place",
            json!({"idempotency_key": key, "address_id": address, "items": lines}),
        )
        .await;
        orders.push(order["order_id"].as_i64().unwrap());
    }
    created(
        &shopper,
        "/api/orders/cancel",
        json!({"order_id": orders[0], "idempotency_key": "markup-cancel", "reason": ATTACKS[2]}),
    )
    .await;
    created(
        &admin,
        "/api/admin/orders/ship",
        json!({"order_id": orders[1], "carrier": "cj", "tracking_number": "1234-5678-9012"}),
    )
    .await;
    for id in &products {
        created(&shopper, "/api/likes/add", json!({"product_id": id})).await;
        created(
            &shopper,
            "/api/cart/add",
            json!({"product_id": id, "quantity": 1}),
        )
        .await;
    }

    // Every page of the router, once per thing its id can name, and the
    // pages that show what a visitor typed in their address.
    let mut paths = Vec::new();
    for route in server::startup::page_paths() {
        let ids: Vec<i64> = if !route.contains("{id}") {
            vec![0]
        } else if route.contains("/orders/") {
            orders.clone()
        } else if route.contains("/coupons/") {
            campaigns.clone()
        } else if route.contains("/customers/") {
            vec![shopper_id]
        } else {
            products.clone()
        };
        for id in ids {
            paths.push(route.replace("{id}", &id.to_string()));
        }
    }
    assert!(paths.len() >= 40, "{paths:?}");
    for attack in ATTACKS.iter().chain([&ampersands().as_str()]) {
        let typed = app::url::encode(attack);
        paths.extend([
            format!("/?q={typed}"),
            format!("/?brand={typed}"),
            format!("/login?next={typed}"),
            format!("/signup?next={typed}"),
            format!("/admin/customers?q={typed}"),
            format!("/admin/products?q={typed}"),
            format!("/admin/audit?target={typed}"),
        ]);
    }

    for (who, visitor) in [("shopper", &shopper), ("admin", &admin)] {
        for language in ["ko", "en"] {
            for path in &paths {
                let (status, html) = page(visitor, path, language).await;
                assert!(
                    [200, 400, 403, 404].contains(&status),
                    "{who} {language} {path}: {status}"
                );
                assert_no_markup(&format!("{who} ({language})"), path, &html);
            }
        }
    }

    // The attacks are on the pages, as text: the title of the first
    // product's pages names it, escaped.
    for path in [
        format!("/products/{}", products[0]),
        format!("/admin/products/{}", products[0]),
    ] {
        let (_, html) = page(&admin, &path, "ko").await;
        let head = html.split("</head>").next().unwrap();
        assert!(
            head.contains("<title>&lt;/title&gt;&lt;meta http-equiv=refresh"),
            "{path}: {head}"
        );
        assert_eq!(head.matches("<title>").count(), 1, "{path}: {head}");
    }
    let (_, html) = page(&shopper, &format!("/products/{}", products[1]), "en").await;
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    // A `next` that is no path of the shop never leads anywhere else.
    for next in [
        "javascript:alert(4)",
        "//evil.example",
        "/\t/evil.example",
        "https://evil.example",
    ] {
        let response = app
            .visitor()
            .client
            .get(app.url(&format!(
                "/language?lang=en&next={}",
                app::url::encode(next)
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/", "{next}");
        let visitor = app.visitor();
        let response = visitor
            .client
            .post(visitor.url("/api/login"))
            .header("accept", "text/html")
            .form(&[
                ("login_id", "markup_shopper"),
                ("password", "correct horse"),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{next}");
        assert_eq!(response.headers()["location"], "/", "{next}");
    }
}
