//! What browsers and shared caches may keep: the built files for good when
//! their names carry a hash, pictures for an hour, pages and JSON (which
//! can depend on the session) never in a shared cache.

use crate::helpers::{fresh_database, spawn_app, spawn_app_with};
use app::db::Backend;
use server::config::Config;

fn cache_control(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn pages_and_json_are_private() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in [
        "/",
        "/products/1",
        "/cart",
        "/api/products",
        "/api/me",
        "/nope",
    ] {
        let response = app.get(path).await;
        assert_eq!(
            cache_control(&response).as_deref(),
            Some("private, no-cache"),
            "{path}: {}",
            response.status()
        );
    }
}

/// A site folder with a hashed script, a picture and the favicon.
fn site() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("storefront-cache-{}", std::process::id()));
    for (file, body) in [
        ("pkg/storefront.0123abcd.js", "console.log(1)"),
        ("pkg/storefront.d.0123abcd.ts", "export {};"),
        ("images/products/x.svg", "<svg/>"),
        ("favicon.svg", "<svg/>"),
    ] {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    root
}

#[tokio::test]
async fn hashed_files_are_kept_for_good_and_pictures_for_an_hour() {
    let root = site();
    for (hashed, pkg) in [
        (true, "public, max-age=31536000, immutable"),
        (false, "no-cache"),
    ] {
        let mut config = Config::for_tests(fresh_database(Backend::Sqlite).await);
        config.leptos.site_root = root.to_string_lossy().into();
        config.leptos.hash_files = hashed;
        let app = spawn_app_with(config).await;
        let script = app.get("/pkg/storefront.0123abcd.js").await;
        assert_eq!(script.status(), 200);
        assert_eq!(
            cache_control(&script).as_deref(),
            Some(pkg),
            "hashed: {hashed}"
        );
        for picture in ["/images/products/x.svg", "/favicon.svg"] {
            let response = app.get(picture).await;
            assert_eq!(response.status(), 200, "{picture}");
            assert_eq!(
                cache_control(&response).as_deref(),
                Some("public, max-age=3600")
            );
        }
        // A missing file is not cached, so it can appear with the next deploy.
        let missing = app.get("/pkg/storefront.ffffffff.js").await;
        assert_eq!(missing.status(), 404);
        assert_eq!(cache_control(&missing), None);
    }
}

#[tokio::test]
async fn names_no_file_can_have_are_not_found() {
    let mut config = Config::for_tests(fresh_database(Backend::Sqlite).await);
    config.leptos.site_root = site().to_string_lossy().into();
    let app = spawn_app_with(config).await;
    let long = "a".repeat(300);
    for path in [
        format!("/pkg/{long}.js"),
        format!("/images/{long}"),
        format!("/images/products/{long}.svg"),
        format!("/pkg/{}", "%61".repeat(256)),
        // What the wasm build leaves beside the js is not served.
        "/pkg/storefront.d.0123abcd.ts".to_string(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    // A long name of few bytes (percent-encoded) is looked up as usual.
    let encoded = app.get("/pkg/storefront.0123abcd%2Ejs").await;
    assert_eq!(encoded.status(), 200);
}
