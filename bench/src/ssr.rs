//! Section 1, server-side rendering against a static handler of the same size in
//! the same server (`GET /_bench/static/{bytes}`, the same layers, no
//! rendering, no database).

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
}

impl PageFigures {
    pub fn ratio(&self) -> f64 {
        self.ssr.per_second() / self.fixed.per_second()
    }
}

pub const CONNECTIONS: u32 = 32;
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
        .body("product_id=1")
        .send()
        .await?
        .error_for_status()?;
    let cookies = jar
        .cookies(&server.base.parse()?)
        .ok_or_else(|| anyhow::anyhow!("no session cookie after signup"))?;
    Ok(format!("Cookie: {}", cookies.to_str()?))
}

/// The page's size as sent without compression.
async fn page_bytes(server: &Server, path: &str, cookie: Option<&str>) -> anyhow::Result<usize> {
    let mut request = reqwest::Client::new().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie.trim_start_matches("Cookie: "));
    }
    let answer = request.send().await?.error_for_status()?;
    Ok(answer.bytes().await?.len())
}

/// Each page as a guest and logged in, each against its static twin,
/// runs interleaved, the median of three kept.
pub async fn measure(server: &Server, cookie: &str) -> anyhow::Result<Vec<PageFigures>> {
    let pages = ["/", "/products/1", "/cart"];
    let mut figures = Vec::new();
    for who in [None, Some(cookie)] {
        for path in pages {
            let bytes = page_bytes(server, path, who).await?;
            let with_cookie = |load: Load<'static>| match who {
                Some(c) => load.header(c),
                None => load,
            };
            let (mut ssr, mut fixed) = (Vec::new(), Vec::new());
            for _ in 0..RUNS {
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
            });
        }
    }
    Ok(figures)
}
