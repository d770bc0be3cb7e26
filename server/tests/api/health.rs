//! Liveness (`/healthz`: the process serves) and readiness (`/readyz`: the
//! database answers within a second and its schema is this build's).

use crate::helpers::{fresh_database, spawn_app, spawn_app_with, TestApp};
use crate::on_both_backends;
use app::db::Backend;
use server::config::Config;

on_both_backends!(
    a_fresh_shop_is_live_and_ready,
    a_shop_whose_migrations_are_not_all_applied_is_not_ready,
);

async fn status_and_text(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.get(path).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn a_fresh_shop_is_live_and_ready(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(status_and_text(&app, "/healthz").await, (200, "ok".into()));
    assert_eq!(
        status_and_text(&app, "/readyz").await,
        (200, "ready".into())
    );
}

/// The newest migration marked failed (as a deploy that stopped half-way
/// leaves it): not ready, while still live; marked done again: ready.
async fn a_shop_whose_migrations_are_not_all_applied_is_not_ready(backend: Backend) {
    let app = spawn_app(backend).await;
    let mark = |success: bool| {
        let db = app.db.clone();
        async move {
            sqlx::query(&format!(
                "UPDATE _sqlx_migrations SET success = {} \
                 WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
                if success { "TRUE" } else { "FALSE" }
            ))
            .execute(db.pool())
            .await
            .unwrap();
        }
    };
    mark(false).await;
    assert_eq!(
        status_and_text(&app, "/readyz").await,
        (503, "1 migration(s) not applied".into())
    );
    assert_eq!(status_and_text(&app, "/healthz").await, (200, "ok".into()));
    mark(true).await;
    assert_eq!(
        status_and_text(&app, "/readyz").await,
        (200, "ready".into())
    );
}

/// PostgreSQL goes away under a running shop (its database refuses new
/// connections and the shop's are ended) and comes back: `/readyz` says
/// 503 within its second and 200 again once the database answers, the
/// shop reconnecting by itself; `/healthz` says 200 throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readiness_follows_postgresql_going_away_and_coming_back() {
    use sqlx::Connection;
    let url = fresh_database(Backend::Postgres).await;
    let name = url.as_str().rsplit('/').next().unwrap().to_string();
    let app = spawn_app_with(Config::for_tests(url)).await;
    assert_eq!(
        status_and_text(&app, "/readyz").await,
        (200, "ready".into())
    );
    let admin_url = std::env::var("TEST_POSTGRES_URL").unwrap();
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    for sql in [
        format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"),
        format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"),
    ] {
        sqlx::query(&sql).execute(&mut admin).await.unwrap();
    }

    let (status, text) = status_and_text(&app, "/readyz").await;
    assert_eq!(status, 503, "{text}");
    assert!(text.starts_with("database unreachable"), "{text}");
    assert_eq!(status_and_text(&app, "/healthz").await, (200, "ok".into()));

    sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .execute(&mut admin)
        .await
        .unwrap();
    assert_eq!(
        status_and_text(&app, "/readyz").await,
        (200, "ready".into())
    );
    let (status, _) = status_and_text(&app, "/api/products").await;
    assert_eq!(status, 200, "the shop serves again");
}
