//! The guests' page cache: a visitor with no session (no cookie but the
//! language's: most first visits, every search engine) gets pages from
//! memory, finished and compressed, rendered at most once per page and
//! language every [`PageCache::max_age`] however many ask at once.
//!
//! - **What is kept**: the answers to `GET` of a page (not `/api/`,
//!   `/auth/`, `/admin`) by a request with no cookie but `lang`, no
//!   `Authorization` and no `X-USER-ID`, that are `200` HTML and set no
//!   cookie. Such a page depends on nothing but its URL and language (a
//!   guest's header shows an empty cart, no balance, nothing liked), so
//!   the key is the path, the query and the language. Anything else
//!   (a redirect, a 404, an error) is passed through and not asked again
//!   for `max_age`: concurrent requests for it are not queued.
//! - **Fresh within a second**: an entry is served only while younger than
//!   `max_age` (500 ms), counted from *before* its render read anything, so
//!   a guest never sees data older than that, whatever changed it and on
//!   whichever instance: nothing has to tell the cache (one PostgreSQL,
//!   several instances, writes from the operator's side or the database
//!   itself). A concurrent miss renders once; the others wait for it.
//! - **Compressed once**: each entry holds the page as rendered, and gzip
//!   and brotli once a visitor has asked for them (each made once per
//!   entry, at a quick level: a miss should not wait for a dense one); at
//!   most 64 MiB in all.
//! - **`ETag` and `304`**: a weak tag from the page's SHA-256; a browser
//!   that sends it back in `If-None-Match` gets `304` with no body.
//! - **No shared nonce**: a cached page must not hand one render's nonce
//!   to every visitor. The nonce is taken out of the kept page, and its
//!   Content Security Policy allows the inline scripts by their SHA-256
//!   instead ([`ContentPolicy::header_for_hashes`]).
//! - `X-Page-Cache: hit | miss | pass` says what happened to a guest's
//!   request; the counts are kept for the benchmark.

use app::{locale::Locale, security::ContentPolicy};
use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine;
use http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;
use moka::{future::Cache, ops::compute::Op};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::{
    io::Write,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, OnceLock,
    },
    time::{Duration, Instant},
};

/// How long a page is served after its render began, unless configured.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_millis(500);
/// The bytes all entries may weigh together.
const CAPACITY_BYTES: u64 = 64 << 20;
/// A page larger than this is sent as it is, not kept.
const MAX_PAGE_BYTES: usize = 4 << 20;

const X_PAGE_CACHE: HeaderName = HeaderName::from_static("x-page-cache");

#[derive(Clone)]
pub struct PageCache {
    entries: Cache<Key, Entry>,
    max_age: Duration,
    policy: Arc<ContentPolicy>,
    counts: Arc<Counts>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    locale: Locale,
    path_and_query: String,
}

/// One page as kept, or the mark of a URL whose answer cannot be kept.
#[derive(Clone)]
struct Entry {
    /// When the render that made it began.
    began: Instant,
    page: Option<Arc<Page>>,
}

struct Page {
    headers: HeaderMap,
    etag: HeaderValue,
    identity: Bytes,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

#[derive(Default)]
struct Counts {
    hits: AtomicU64,
    misses: AtomicU64,
    passes: AtomicU64,
}

/// What the cache has done since the process started.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CacheCounts {
    pub hits: u64,
    pub misses: u64,
    pub passes: u64,
    pub entries: u64,
    pub max_age_ms: u64,
}

#[derive(Clone, Copy)]
enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl PageCache {
    pub fn new(max_age: Duration, policy: ContentPolicy) -> Self {
        let entries = Cache::builder()
            .weigher(|_: &Key, entry: &Entry| {
                // The page, and room for its compressed forms (a fifth
                // of it each, about, for HTML).
                entry
                    .page
                    .as_ref()
                    .map_or(64, |p| (p.identity.len() + p.identity.len() / 2) as u32)
            })
            .max_capacity(CAPACITY_BYTES)
            // Stale entries are never served; this lets them go.
            .time_to_live(max_age.max(Duration::from_millis(1)) * 4)
            .build();
        Self {
            entries,
            max_age,
            policy: Arc::new(policy),
            counts: Arc::default(),
        }
    }

    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    pub fn counts(&self) -> CacheCounts {
        CacheCounts {
            hits: self.counts.hits.load(Ordering::Relaxed),
            misses: self.counts.misses.load(Ordering::Relaxed),
            passes: self.counts.passes.load(Ordering::Relaxed),
            entries: self.entries.entry_count(),
            max_age_ms: self.max_age.as_millis() as u64,
        }
    }

    fn fresh(&self, entry: &Entry) -> bool {
        entry.began.elapsed() < self.max_age
    }

    /// Counts and marks an answer that was not kept.
    fn passed(&self, mut response: Response) -> Response {
        self.counts.passes.fetch_add(1, Ordering::Relaxed);
        response
            .headers_mut()
            .insert(X_PAGE_CACHE, HeaderValue::from_static("pass"));
        response
    }
}

/// The layer: a guest's page from the cache, rendered first if it has none
/// fresh.
pub async fn serve(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    let Some(key) = key_of(&request) else {
        return next.run(request).await;
    };
    let encoding = accepted(request.headers());
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();

    if let Some(entry) = cache.entries.get(&key).await.filter(|e| cache.fresh(e)) {
        return match entry.page {
            Some(page) => {
                cache.counts.hits.fetch_add(1, Ordering::Relaxed);
                answer(&page, encoding, if_none_match.as_ref(), "hit")
            }
            None => pass(&cache, next, request).await,
        };
    }

    // One render per key at a time: whoever waits finds the fresh entry.
    let mut request = Some(request);
    let mut next = Some(next);
    let mut passed = None;
    let mut rendered = false;
    let outcome = cache
        .entries
        .entry(key)
        .and_compute_with(|current| {
            let fresh = current.is_some_and(|e| cache.fresh(e.value()));
            let (request, next) = (&mut request, &mut next);
            let (passed, rendered) = (&mut passed, &mut rendered);
            let policy = &cache.policy;
            async move {
                if fresh {
                    return Op::Nop;
                }
                let (Some(mut request), Some(next)) = (request.take(), next.take()) else {
                    return Op::Nop;
                };
                let began = Instant::now();
                // Rendered plain: the cache compresses it once itself.
                request.headers_mut().remove(header::ACCEPT_ENCODING);
                let response = next.run(request).await;
                match keep(response, policy).await {
                    Ok(page) => {
                        *rendered = true;
                        Op::Put(Entry {
                            began,
                            page: Some(Arc::new(page)),
                        })
                    }
                    Err(response) => {
                        *passed = Some(response);
                        Op::Put(Entry { began, page: None })
                    }
                }
            }
        })
        .await;
    if let Some(response) = passed {
        return cache.passed(response);
    }
    let entry = outcome.into_entry().map(|e| e.into_value());
    match entry.and_then(|e| e.page) {
        Some(page) if rendered => {
            cache.counts.misses.fetch_add(1, Ordering::Relaxed);
            answer(&page, encoding, if_none_match.as_ref(), "miss")
        }
        Some(page) => {
            cache.counts.hits.fetch_add(1, Ordering::Relaxed);
            answer(&page, encoding, if_none_match.as_ref(), "hit")
        }
        // Someone else found this URL not to be kept: render it as is.
        None => match (request, next) {
            (Some(request), Some(next)) => pass(&cache, next, request).await,
            _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
    }
}

/// A request the cache does not answer for its URL, rendered as it is.
async fn pass(cache: &PageCache, next: Next, request: Request) -> Response {
    cache.passed(next.run(request).await)
}

/// The key of a request the cache may answer, or `None`.
fn key_of(request: &Request) -> Option<Key> {
    if request.method() != Method::GET {
        return None;
    }
    let path = request.uri().path();
    let excluded = app::url::is_under(path, &["/api", "/auth", "/admin", "/_bench"]);
    let headers = request.headers();
    if excluded
        || headers.contains_key(header::AUTHORIZATION)
        || headers.contains_key("x-user-id")
        || !only_language_cookie(headers)
    {
        return None;
    }
    Some(Key {
        locale: crate::language::of(request),
        path_and_query: request
            .uri()
            .path_and_query()
            .map_or(path, |pq| pq.as_str())
            .to_string(),
    })
}

/// No cookie, or only the language's.
fn only_language_cookie(headers: &HeaderMap) -> bool {
    headers.get_all(header::COOKIE).iter().all(|value| {
        value.to_str().is_ok_and(|cookies| {
            cookies
                .split(';')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .all(|c| c.split('=').next().map(str::trim) == Some(app::locale::COOKIE))
        })
    })
}

/// The best encoding the request accepts of those kept: brotli, gzip, or
/// the page as is (`q=0` refuses one).
fn accepted(headers: &HeaderMap) -> Encoding {
    let (mut gzip, mut brotli) = (0.0_f32, 0.0_f32);
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match name {
                "br" => brotli = q,
                "gzip" => gzip = q,
                "*" => {
                    brotli = brotli.max(q);
                    gzip = gzip.max(q);
                }
                _ => {}
            }
        }
    }
    if brotli > 0.0 && brotli >= gzip {
        Encoding::Brotli
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// The rendered answer as an entry, if it may be kept; given back if not.
async fn keep(response: Response, policy: &ContentPolicy) -> Result<Page, Response> {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers();
    if response.status() != StatusCode::OK
        || !html
        || headers.contains_key(header::SET_COOKIE)
        || headers.contains_key(header::CONTENT_ENCODING)
    {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    // The page is whole in memory already (every page renders whole
    // before it is sent); one too large to keep is sent as it is.
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        // The render failed on the way: what was meant for the visitor
        // cannot be sent again; say so.
        Err(_) => return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    };
    if body.len() > MAX_PAGE_BYTES {
        return Err(Response::from_parts(parts, Body::from(body)));
    }
    let nonce = parts
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(nonce_of);
    let page = match nonce {
        Some(nonce) => without_nonce(&body, nonce),
        None => body.to_vec(),
    };
    let policy = HeaderValue::from_str(
        &policy.header_for_hashes(inline_script_hashes(&page).iter().map(String::as_str)),
    )
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())?;

    let mut headers = parts.headers;
    for name in [
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
        header::VARY,
        header::DATE,
        X_PAGE_CACHE,
    ] {
        headers.remove(name);
    }
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    let digest = Sha256::digest(&page);
    let etag = format!(
        "W/\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    );
    let etag = HeaderValue::from_str(&etag).expect("base64 is a header value");
    Ok(Page {
        headers,
        etag,
        gzip: OnceLock::new(),
        brotli: OnceLock::new(),
        identity: page.into(),
    })
}

/// The nonce in a policy: `'nonce-…'`.
fn nonce_of(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    Some(&policy[start..start + len]).filter(|n| !n.is_empty())
}

/// The page with its render's nonce taken off the scripts (Leptos also
/// writes it as the preloads' `crossorigin`, where any value but
/// `use-credentials` means `anonymous`, as the empty one does).
fn without_nonce(page: &[u8], nonce: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    text.replace(&format!(" nonce=\"{nonce}\""), "")
        .replace(&format!("crossorigin=\"{nonce}\""), "crossorigin=\"\"")
        .into_bytes()
}

/// The SHA-256 (base64) of each inline script's text, as the policy names
/// them.
fn inline_script_hashes(page: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(page);
    let mut hashes = Vec::new();
    let mut rest = &*text;
    while let Some(open) = rest.find("<script") {
        rest = &rest[open..];
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end];
        rest = &rest[tag_end + 1..];
        let Some(close) = rest.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&rest.as_bytes()[..close]);
            hashes.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
        rest = &rest[close..];
    }
    hashes.sort();
    hashes.dedup();
    hashes
}

fn gzip(page: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(page)
        .and_then(|()| encoder.finish())
        .expect("writing to memory does not fail")
}

fn brotli(page: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        // Quality 5 of 11 and a 256 KiB window: within a few per cent of
        // the densest for a page, in a fraction of a millisecond (denser
        // levels allocate tables of megabytes for every page).
        let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 5, 18);
        encoder
            .write_all(page)
            .expect("writing to memory does not fail");
    }
    out
}

/// The kept page in the encoding asked for, or `304` when the browser has
/// it already.
fn answer(
    page: &Page,
    encoding: Encoding,
    if_none_match: Option<&HeaderValue>,
    outcome: &'static str,
) -> Response {
    let not_modified = if_none_match
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.trim_start_matches("W/") == page.etag_opaque())
        });
    let mut response = if not_modified {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        for name in [header::CACHE_CONTROL, header::CONTENT_LANGUAGE] {
            if let Some(value) = page.headers.get(&name) {
                response.headers_mut().insert(name, value.clone());
            }
        }
        response
    } else {
        let (body, coding) = match encoding {
            Encoding::Identity => (page.identity.clone(), None),
            Encoding::Gzip => (
                page.gzip
                    .get_or_init(|| gzip(&page.identity).into())
                    .clone(),
                Some("gzip"),
            ),
            Encoding::Brotli => (
                page.brotli
                    .get_or_init(|| brotli(&page.identity).into())
                    .clone(),
                Some("br"),
            ),
        };
        let mut response = Response::new(Body::from(body));
        *response.headers_mut() = page.headers.clone();
        if let Some(coding) = coding {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, page.etag.clone());
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(X_PAGE_CACHE, HeaderValue::from_static(outcome));
    response
}

impl Page {
    /// The tag without its `W/`.
    fn etag_opaque(&self) -> &str {
        self.etag
            .to_str()
            .unwrap_or_default()
            .trim_start_matches("W/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_the_language_cookie_keeps_a_visitor_a_guest() {
        assert!(only_language_cookie(&headers(&[])));
        assert!(only_language_cookie(&headers(&[("cookie", "lang=en")])));
        assert!(!only_language_cookie(&headers(&[(
            "cookie",
            "lang=en; storefront_session=abc"
        )])));
        assert!(!only_language_cookie(&headers(&[
            ("cookie", "lang=en"),
            ("cookie", "storefront_session=abc")
        ])));
        assert!(!only_language_cookie(&headers(&[(
            "cookie",
            "language=en"
        )])));
    }

    #[test]
    fn the_encoding_is_the_best_one_accepted() {
        let of = |v: &'static str| match accepted(&headers(&[("accept-encoding", v)])) {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Brotli => "br",
        };
        assert_eq!(of("gzip, deflate, br"), "br");
        assert_eq!(of("gzip"), "gzip");
        assert_eq!(of("br;q=0, gzip"), "gzip");
        assert_eq!(of("br;q=0.5, gzip;q=0.8"), "gzip");
        assert_eq!(of("identity"), "identity");
        assert_eq!(of("*"), "br");
        assert!(matches!(accepted(&headers(&[])), Encoding::Identity));
    }

    #[tokio::test]
    async fn a_page_too_large_to_keep_is_sent_whole_and_a_small_one_kept() {
        let page = |bytes: usize| {
            let mut response = Response::new(Body::from(vec![b'x'; bytes]));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        };
        let policy = ContentPolicy::default();
        let large = keep(page(MAX_PAGE_BYTES + 1), &policy)
            .await
            .err()
            .expect("not kept");
        assert_eq!(large.status(), StatusCode::OK);
        let body = large.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body.len(), MAX_PAGE_BYTES + 1);
        let Ok(small) = keep(page(100), &policy).await else {
            panic!("a small page is kept");
        };
        assert_eq!(small.identity.len(), 100);
    }

    #[test]
    fn the_compressed_forms_read_back_as_the_page() {
        use std::io::Read;
        let page = "<p>가격은 원 단위입니다.</p>".repeat(500);
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gzip(page.as_bytes())[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, page);
        let mut back = String::new();
        brotli::Decompressor::new(&brotli(page.as_bytes())[..], 4096)
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, page);
    }

    #[test]
    fn the_nonce_leaves_the_page_and_its_scripts_are_hashed() {
        let policy = "default-src 'self'; script-src 'self' 'nonce-N0nce' 'wasm-unsafe-eval'";
        assert_eq!(nonce_of(policy), Some("N0nce"));
        assert_eq!(nonce_of("script-src 'none'"), None);
        let page = br#"<link rel="modulepreload" href="/a.js" crossorigin="N0nce"><script type="module" nonce="N0nce">go()</script><p>N0nce is a word</p><script src="/x.js"></script><script nonce="N0nce">x=1;</script>"#;
        let kept = String::from_utf8(without_nonce(page, "N0nce")).unwrap();
        assert!(!kept.contains("nonce="), "{kept}");
        assert!(kept.contains(r#"crossorigin="""#), "{kept}");
        assert!(kept.contains("<p>N0nce is a word</p>"), "{kept}");
        let hash = |s: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s));
        let mut expected = vec![hash("go()"), hash("x=1;")];
        expected.sort();
        assert_eq!(inline_script_hashes(kept.as_bytes()), expected);
    }
}
