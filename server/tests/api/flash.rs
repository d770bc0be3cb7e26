//! Forms posted without JavaScript hear what happened: the next page of
//! the session says it once (`role="status"` for a success, `role="alert"`
//! for a refusal, in the reader's language), a refused form comes back as
//! typed with the message by its field, a reload says nothing more, JSON
//! clients are answered as before, and no message reaches the guests'
//! page cache.

use crate::helpers::{flash, spawn_app, TestApp};
use crate::on_both_backends;
use app::{db::Backend, staff::Role};
use serde_json::json;

on_both_backends!(
    a_success_is_said_once_on_the_next_page,
    a_refusal_comes_back_to_its_page_with_its_message,
    a_refused_admin_form_keeps_what_was_typed_beside_its_message,
    json_clients_and_guests_pages_are_left_alone,
);

/// A form posted by a browser with JavaScript off, from the page `from`.
async fn plain_post(
    visitor: &TestApp,
    path: &str,
    from: &str,
    language: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    visitor
        .client
        .post(visitor.url(path))
        .header("accept", "text/html,application/xhtml+xml")
        .header("accept-language", language)
        .header("origin", visitor.address.as_str())
        .header("referer", visitor.url(from))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The page at `location` as a browser opens it.
async fn open(visitor: &TestApp, location: &str, language: &str) -> String {
    let url = if location.starts_with("http") {
        location.to_string()
    } else {
        visitor.url(location)
    };
    let response = visitor
        .client
        .get(url)
        .header("accept", "text/html,application/xhtml+xml")
        .header("accept-language", language)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{location}");
    response.text().await.unwrap()
}

fn location(response: &reqwest::Response) -> String {
    assert!(
        response.status().is_redirection(),
        "{}: not a redirect",
        response.status()
    );
    response.headers()["location"].to_str().unwrap().to_string()
}

async fn a_success_is_said_once_on_the_next_page(backend: Backend) {
    let app = spawn_app(backend).await;
    for (language, added) in [("ko", "담았습니다 ✓"), ("en", "Added ✓")] {
        // A guest: the post starts their session.
        let guest = app.visitor();
        let response = plain_post(
            &guest,
            "/api/cart/add",
            "/products/5",
            language,
            &[("product_id", "5"), ("quantity", "2")],
        )
        .await;
        let back = location(&response);
        assert!(back.ends_with("/products/5"), "{back}");
        let html = open(&guest, &back, language).await;
        assert_eq!(
            flash(&html),
            Some(("status".to_string(), added.to_string()))
        );
        // Once: a reload says nothing more.
        let again = open(&guest, &back, language).await;
        assert_eq!(flash(&again), None);

        // A shopper's charge says what was charged and the balance.
        let shopper = app.visitor();
        shopper.signup(&format!("flash_{language}")).await;
        let response = plain_post(
            &shopper,
            "/api/points/charge",
            "/points",
            language,
            &[("amount", "5000")],
        )
        .await;
        let html = open(&shopper, &location(&response), language).await;
        let (role, text) = flash(&html).expect("a message");
        assert_eq!(role, "status");
        assert!(text.contains("5,000"), "{text}");
    }
}

async fn a_refusal_comes_back_to_its_page_with_its_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.staff("flash_admin", Role::Admin).await;
    let (status, campaign) = admin
        .post_json(
            "/api/admin/coupons",
            &json!({"name": "하나뿐", "kind": "fixed", "value": 1000, "quantity": 1, "open": true}),
        )
        .await;
    assert_eq!(status, 201, "{campaign}");
    let id = campaign["id"].as_i64().unwrap().to_string();
    let first = app.visitor();
    first.signup("flash_first").await;
    let (status, _) = first
        .post_json("/api/coupons/issue", &json!({"campaign_id": id}))
        .await;
    assert_eq!(status, 201);

    for language in ["ko", "en"] {
        let late = app.visitor();
        late.signup(&format!("flash_late_{language}")).await;
        // The words a JSON client gets for the same refusal.
        let (status, refusal) = late
            .client
            .post(late.url("/api/coupons/issue"))
            .header("accept-language", language)
            .json(&json!({"campaign_id": id}))
            .send()
            .await
            .map(|r| (r.status().as_u16(), r))
            .unwrap();
        assert_eq!(status, 409);
        let refusal: serde_json::Value = refusal.json().await.unwrap();
        assert_eq!(refusal["code"], "COUPON_SOLD_OUT");

        let response = plain_post(
            &late,
            "/api/coupons/issue",
            "/coupons?page=1",
            language,
            &[("campaign_id", &id)],
        )
        .await;
        assert_eq!(response.status(), 303);
        let back = location(&response);
        assert_eq!(back, "/coupons?page=1", "no error in the address");
        let html = open(&late, &back, language).await;
        assert_eq!(
            flash(&html),
            Some((
                "alert".to_string(),
                refusal["message"].as_str().unwrap().to_string()
            ))
        );
        assert_eq!(flash(&open(&late, &back, language).await), None);

        // Refused before the function, by the operator's guard: said alike.
        let response = plain_post(
            &late,
            "/api/admin/products/price",
            "/products/5",
            language,
            &[("product_id", "5"), ("price", "1000")],
        )
        .await;
        assert_eq!(location(&response), "/products/5");
        let (role, text) = flash(&open(&late, "/products/5", language).await).unwrap();
        assert_eq!(role, "alert");
        assert!(!text.is_empty());
    }
}

async fn a_refused_admin_form_keeps_what_was_typed_beside_its_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.staff("flash_prices", Role::Admin).await;
    let (_, product) = admin.get_json("/api/admin/products/get?id=5").await;
    let price = product["price"].as_i64().unwrap().to_string();
    for (language, words) in [("ko", "가격은"), ("en", "A price is")] {
        let response = plain_post(
            &admin,
            "/api/admin/products/price",
            "/admin/products/5",
            language,
            &[("product_id", "5"), ("price", "100000001")],
        )
        .await;
        let back = location(&response);
        assert_eq!(back, "/admin/products/5");
        let html = open(&admin, &back, language).await;
        let (role, text) = flash(&html).unwrap();
        assert_eq!(role, "alert");
        assert!(text.starts_with(words), "{text}");
        // The price field holds what was typed, and names its message.
        let input = html
            .split("<input")
            .find(|tag| tag.contains("name=\"price\""))
            .unwrap();
        let input = &input[..input.find('>').unwrap()];
        assert!(input.contains("value=\"100000001\""), "{input}");
        assert!(input.contains("aria-invalid=\"true\""), "{input}");
        assert!(
            input.contains("aria-describedby=\"field-error-price\""),
            "{input}"
        );
        let message = html
            .split("id=\"field-error-price\"")
            .nth(1)
            .expect("the message by the field");
        assert!(message[..message.find("</p>").unwrap()].contains(words));
        // Other forms of the page are as they were.
        assert_eq!(html.matches("aria-invalid").count(), 1);
        // Once: a reload shows the price as it is.
        let html = open(&admin, &back, language).await;
        let input = html
            .split("<input")
            .find(|tag| tag.contains("name=\"price\""))
            .unwrap();
        assert!(input.contains(&format!("value=\"{price}\"")), "{input}");
        assert!(!html.contains("field-error-price"));
    }
    // Nothing changed.
    let (_, after) = admin.get_json("/api/admin/products/get?id=5").await;
    assert_eq!(after["price"].as_i64().unwrap().to_string(), price);
}

async fn json_clients_and_guests_pages_are_left_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let shopper = app.visitor();
    shopper.signup("flash_json").await;
    // JSON: the answer itself, and no message waits for the next page.
    let (status, cart) = shopper
        .post_json("/api/cart/add", &json!({"product_id": 11, "quantity": 1}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(cart["item_count"], 1);
    let (status, refusal) = shopper
        .post_json("/api/cart/add", &json!({"product_id": 11, "quantity": 0}))
        .await;
    assert_eq!(status, 400, "{refusal}");
    assert_eq!(flash(&open(&shopper, "/products/11", "ko").await), None);

    // A guest's message is theirs: the guests' cache never has it.
    let guest = app.visitor();
    let response = plain_post(
        &guest,
        "/api/cart/add",
        "/products/20",
        "ko",
        &[("product_id", "20")],
    )
    .await;
    assert!(response.headers().contains_key("set-cookie"));
    let with_message = guest
        .client
        .get(guest.url("/products/20"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_ne!(
        with_message
            .headers()
            .get("x-page-cache")
            .map(|v| v.to_str().unwrap().to_string()),
        Some("hit".to_string())
    );
    assert!(flash(&with_message.text().await.unwrap()).is_some());
    for _ in 0..2 {
        let other = app.visitor();
        let response = other
            .client
            .get(other.url("/products/20"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert!(response.headers().contains_key("x-page-cache"));
        assert_eq!(flash(&response.text().await.unwrap()), None);
    }
}
