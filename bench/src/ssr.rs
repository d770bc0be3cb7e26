//! Section 1, server-side rendering against a static handler of the same size in
//! the same server (`GET /_bench/static/{bytes}`, the same layers, no
//! rendering, no database), and each page against its twin written by
//! hand with maud (`GET /_bench/twin/…`, the same queries), whose visible
//! text is checked equal first. The server runs with the guests' page
//! cache off (`PAGE_CACHE_MS=0`): this section measures rendering. The
//! home, product and cart pages are measured as a guest and logged in;
//! the shopper's own pages, `/orders` and `/checkout`, logged in only,
//! once the shopper has ordered and filled the cart ([`furnish`]).

use crate::{
    server::Server,
    wrk::{Figures, Load},
};
use reqwest::cookie::{CookieStore, Jar};
use std::sync::Arc;

pub struct PageFigures {
    pub label: String,
    pub bytes: usize,
    pub ssr: Figures,
    pub fixed: Figures,
    /// The hand-written twin, where the page has one.
    pub twin: Option<Twin>,
}

pub struct Twin {
    pub bytes: usize,
    pub figures: Figures,
    /// The visible text of both pages is the same.
    pub same_text: bool,
}

impl PageFigures {
    pub fn ratio(&self) -> f64 {
        self.ssr.per_second() / self.fixed.per_second()
    }

    /// Leptos ÷ hand-written.
    pub fn twin_ratio(&self) -> Option<f64> {
        self.twin
            .as_ref()
            .map(|t| self.ssr.per_second() / t.figures.per_second())
    }
}

/// The page written by hand that copies the Leptos page at `path`
/// (`server/src/yardstick.rs`): every page of this section has one.
fn twin_of(path: &str) -> Option<String> {
    Some(format!("/_bench/twin{path}"))
}

pub const CONNECTIONS: u32 = 32;
/// The orders the shopper has placed when their own pages are measured.
pub const ORDERS: usize = 8;
const PAGE_REQUESTS: u64 = 4_000;
const STATIC_REQUESTS: u64 = 20_000;
const RUNS: usize = 3;

/// The median run by requests per second.
fn median(mut runs: Vec<Figures>) -> Figures {
    runs.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
    runs.swap_remove(runs.len() / 2)
}

/// Signs up a shopper with one product in the cart; returns the session
/// cookie as a `Cookie` header.
pub async fn shopper(server: &Server, login: &str) -> anyhow::Result<String> {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .build()?;
    client
        .post(server.url("/api/signup"))
        .json(&serde_json::json!({"login_id": login, "password": "correct horse battery"}))
        .send()
        .await?
        .error_for_status()?;
    client
        .post(server.url("/api/cart/add"))
        .header("content-type", "application/x-www-form-urlencoded")
        // Socks: a product without sizes (the shoes come in sizes).
        .body("product_id=5")
        .send()
        .await?
        .error_for_status()?;
    let cookies = jar
        .cookies(&server.base.parse()?)
        .ok_or_else(|| anyhow::anyhow!("no session cookie after signup"))?;
    Ok(format!("Cookie: {}", cookies.to_str()?))
}

/// Gives the shopper of `cookie` a past and a basket, for the pages only a
/// shopper sees: points (demo charges, added at once), an address, two
/// more products in the cart (three lines, under the free-shipping
/// threshold: the checkout page shows the fee and the hint), and
/// `ORDERS` orders placed through the shop's own API, of one to three
/// lines each. Returns once the best sellers count them all (the orders'
/// events reach them a moment later, in the background): that work is
/// done before anything more is measured.
pub async fn furnish(server: &Server, cookie: &str) -> anyhow::Result<()> {
    // (product, quantity) per order, taking turns; products without sizes,
    // five of them, so that the best sellers' five count every unit.
    const BASKETS: [&[(i64, i64)]; 3] =
        [&[(17, 2), (5, 1)], &[(18, 1), (16, 1), (5, 3)], &[(14, 1)]];
    let cookie = cookie.trim_start_matches("Cookie: ");
    let client = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        client
            .post(server.url(path))
            .header("cookie", cookie)
            .json(&body)
    };
    let charged: serde_json::Value = post(
        "/api/points/charge",
        serde_json::json!({"amount": 1_000_000}),
    )
    .send()
    .await?
    .error_for_status()?
    .json()
    .await?;
    anyhow::ensure!(
        charged["charged"].is_i64(),
        "points were not added at once (a payment service?): {charged}"
    );
    let address: serde_json::Value = post(
        "/api/addresses",
        serde_json::json!({
            "recipient": "벤치 구매자",
            "phone": "010-1234-5678",
            "postal_code": "04524",
            "address1": "서울특별시 중구 세종대로 110",
            "address2": "3층",
        }),
    )
    .send()
    .await?
    .error_for_status()?
    .json()
    .await?;
    let address_id = address["address_id"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("no address id in {address}"))?;
    // A cable and a mug beside the socks.
    for product in [17, 19] {
        post("/api/cart/add", serde_json::json!({"product_id": product}))
            .send()
            .await?
            .error_for_status()?;
    }
    let mut units = 0;
    for n in 0..ORDERS {
        let basket = BASKETS[n % BASKETS.len()];
        units += basket.iter().map(|(_, q)| q).sum::<i64>();
        let items: Vec<_> = basket
            .iter()
            .map(|(product, quantity)| serde_json::json!({"product_id": product, "quantity": quantity}))
            .collect();
        post(
            "/api/orders/place",
            serde_json::json!({
                "idempotency_key": format!("bench-pages-{n}"),
                "address_id": address_id,
                "items": items,
            }),
        )
        .send()
        .await?
        .error_for_status()?;
    }
    let started = std::time::Instant::now();
    loop {
        let top: serde_json::Value = client
            .get(server.url("/api/top-products"))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let counted: i64 = top["items"].as_array().map_or(0, |items| {
            items
                .iter()
                .filter_map(|i| i["quantity_sold"].as_i64())
                .sum()
        });
        if counted == units {
            return Ok(());
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            anyhow::bail!(
                "the best sellers count {counted} of the {units} units ordered after 30 s"
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The page as sent without compression.
pub async fn page(server: &Server, path: &str, cookie: Option<&str>) -> anyhow::Result<String> {
    let mut request = reqwest::Client::new().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie.trim_start_matches("Cookie: "));
    }
    let answer = request.send().await?.error_for_status()?;
    Ok(answer.text().await?)
}

/// What a reader sees of a page: the title and the text of the body, tags,
/// scripts and runs of white space left out, entities read (as topcoat's
/// `verify_parity.sh` compares its twins).
pub fn visible_text(html: &str) -> String {
    let title = html
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map_or("", |(title, _)| title);
    let body = html.split_once("<body").map_or(html, |(_, body)| body);
    let mut text = String::new();
    let mut rest = body;
    // Scripts are not text.
    let mut plain = String::new();
    while let Some(at) = rest.find("<script") {
        plain.push_str(&rest[..at]);
        rest = rest[at..]
            .split_once("</script>")
            .map_or("", |(_, after)| after);
    }
    plain.push_str(rest);
    let mut in_tag = true; // the rest of `<body …>`
    for c in plain.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    format!(
        "{title}\n{}",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// The pages measured, and whether only a shopper sees them (a guest is
/// sent to log in).
const PAGES: [(&str, bool); 5] = [
    ("/", false),
    ("/products/1", false),
    ("/cart", false),
    ("/orders", true),
    ("/checkout", true),
];

/// Each page as a guest and logged in (a shopper's own pages logged in
/// only), each against its static twin, runs interleaved, the median of
/// three kept. The shopper's past and basket ([`furnish`]) come after the
/// pages both see, which are measured as before: an empty best-sellers
/// strip, one line in the cart.
pub async fn measure(server: &Server, cookie: &str) -> anyhow::Result<Vec<PageFigures>> {
    let mut figures = Vec::new();
    let mut furnished = false;
    for who in [None, Some(cookie)] {
        for (path, shopper_only) in PAGES {
            if shopper_only {
                let Some(cookie) = who else { continue };
                if !furnished {
                    furnish(server, cookie).await?;
                    furnished = true;
                }
            }
            let html = page(server, path, who).await?;
            let bytes = html.len();
            let with_cookie = |load: Load<'static>| match who {
                Some(c) => load.header(c),
                None => load,
            };
            let twin_page = match twin_of(path) {
                Some(twin) => {
                    let twin_html = page(server, &twin, who).await?;
                    let (mine, theirs) = (visible_text(&html), visible_text(&twin_html));
                    if mine != theirs {
                        let at = mine
                            .chars()
                            .zip(theirs.chars())
                            .take_while(|(a, b)| a == b)
                            .count();
                        let around = |t: &str| {
                            t.chars()
                                .skip(at.saturating_sub(40))
                                .take(120)
                                .collect::<String>()
                        };
                        anyhow::bail!(
                            "{twin} does not read as {path} does, from character {at}:\n  leptos: {}\n  twin:   {}",
                            around(&mine),
                            around(&theirs)
                        );
                    }
                    Some((twin, twin_html))
                }
                None => None,
            };
            let (mut ssr, mut fixed, mut twin) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..RUNS {
                if let Some((twin_path, _)) = &twin_page {
                    twin.push(
                        with_cookie(Load::get(server.url(twin_path), PAGE_REQUESTS, CONNECTIONS))
                            .run()?,
                    );
                }
                ssr.push(
                    with_cookie(Load::get(server.url(path), PAGE_REQUESTS, CONNECTIONS)).run()?,
                );
                fixed.push(
                    with_cookie(Load::get(
                        server.url(&format!("/_bench/static/{bytes}")),
                        STATIC_REQUESTS,
                        CONNECTIONS,
                    ))
                    .run()?,
                );
            }
            figures.push(PageFigures {
                label: format!(
                    "{path} ({})",
                    if who.is_some() { "logged in" } else { "guest" }
                ),
                bytes,
                ssr: median(ssr),
                fixed: median(fixed),
                twin: twin_page.map(|(_, twin_html)| Twin {
                    bytes: twin_html.len(),
                    same_text: true,
                    figures: median(twin),
                }),
            });
        }
    }
    Ok(figures)
}
