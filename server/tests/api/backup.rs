//! `server backup FILE` while 50 shoppers charge points and check out:
//! every copy is whole and balanced; `server restore FILE` puts one back
//! and the shop starts on it. What either refuses, it leaves as it was.

use crate::helpers::{fresh_database, insert_product, spawn_app_with, visitor_of, TestApp};
use app::db::{Backend, DatabaseUrl, Db};
use serde_json::json;
use server::config::Config;
use std::{
    path::{Path, PathBuf},
    process::Output,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

const SHOPPERS: usize = 50;
const ROUNDS: usize = 4;

/// `server ARGS` on `database`; what it said and whether it succeeded.
async fn server(database: &DatabaseUrl, args: &[&Path]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .args(args)
        .env("DATABASE_URL", database.as_str())
        .env("RUST_LOG", "warn")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn sqlite_url(file: &Path) -> DatabaseUrl {
    format!("sqlite://{}", file.display()).parse().unwrap()
}

/// A new path in the tests' directory (nothing there yet).
fn new_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("storefront-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}-{}.db", uuid::Uuid::new_v4().simple()))
}

/// Stock = movements for every variant, points = ledger for every user;
/// the number of orders.
async fn balanced_orders(file: &Path) -> i64 {
    app::db::backup::check(file).await.unwrap();
    let db = Db::connect(&sqlite_url(file)).await.unwrap();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(db.pool())
                .await
                .unwrap()
        }
    };
    let stock_off = count(
        "SELECT COUNT(*) FROM variants v WHERE v.stock <> \
         (SELECT COALESCE(SUM(m.delta), 0) FROM stock_movements m WHERE m.variant_id = v.id)",
    )
    .await;
    let points_off = count(
        "SELECT COUNT(*) FROM users u WHERE u.points <> \
         (SELECT COALESCE(SUM(l.amount), 0) FROM point_ledger l WHERE l.user_id = u.id)",
    )
    .await;
    let orders = count("SELECT COUNT(*) FROM orders").await;
    db.close().await;
    assert_eq!(
        (stock_off, points_off),
        (0, 0),
        "{}: variants whose stock is not their movements, users whose points are not their ledger",
        file.display()
    );
    orders
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backups_taken_while_shoppers_buy_are_whole_and_one_restores() {
    let database = fresh_database(Backend::Sqlite).await;
    let app = spawn_app_with(Config::for_tests(database.clone())).await;
    let product = insert_product(&app.db, "BACKUP-1", "Backup Boot", "Brand", 1_000, 100_000).await;
    let mut shoppers = Vec::new();
    for i in 0..SHOPPERS {
        let shopper = app.visitor();
        shopper.signup(&format!("keeper{i}")).await;
        let address = shopper.add_address().await;
        shoppers.push((shopper, address));
    }

    // The shoppers charge and buy; backups are taken one after another
    // until they are done (and at least three).
    let buying = Arc::new(AtomicBool::new(true));
    let mut storm = tokio::task::JoinSet::new();
    for (i, (shopper, address)) in shoppers.iter().enumerate() {
        let (shopper, address) = (shopper.with_client(shopper.client.clone()), *address);
        storm.spawn(async move {
            for round in 0..ROUNDS {
                let (status, body) = shopper
                    .post_json("/api/points/charge", &json!({ "amount": 10_000 }))
                    .await;
                assert_eq!(status, 200, "{body}");
                let (status, body) = shopper
                    .post_json(
                        "/api/orders/place",
                        &json!({"idempotency_key": format!("keep-{i}-{round}"),
                                "address_id": address,
                                "items": [{"product_id": product, "quantity": 1}]}),
                    )
                    .await;
                assert_eq!(status, 201, "{body}");
            }
        });
    }
    let backups = tokio::spawn({
        let (database, buying) = (database.clone(), buying.clone());
        async move {
            let mut taken = Vec::new();
            while buying.load(Ordering::SeqCst) || taken.len() < 3 {
                let file = new_path("backup");
                let output = server(&database, &[Path::new("backup"), &file]).await;
                assert!(output.status.success(), "{}", said(&output));
                assert!(said(&output).contains("backed up to"), "{}", said(&output));
                taken.push(file);
            }
            taken
        }
    });
    storm.join_all().await;
    buying.store(false, Ordering::SeqCst);
    let backups = backups.await.unwrap();

    // Every copy opens, passes integrity_check and balances; each has at
    // least the orders of the one before.
    let mut seen = 0;
    for file in &backups {
        let orders = balanced_orders(file).await;
        assert!(orders >= seen, "{orders} orders after {seen}");
        seen = orders;
    }
    let placed = (SHOPPERS * ROUNDS) as i64;
    // One taken now has every order.
    let last = new_path("backup-last");
    let output = server(&database, &[Path::new("backup"), &last]).await;
    assert!(output.status.success(), "{}", said(&output));
    assert_eq!(balanced_orders(&last).await, placed);

    // A backup never overwrites a file.
    let before = std::fs::read(&backups[0]).unwrap();
    let output = server(&database, &[Path::new("backup"), &backups[0]]).await;
    assert!(!output.status.success());
    assert!(said(&output).contains("exists"), "{}", said(&output));
    assert_eq!(std::fs::read(&backups[0]).unwrap(), before);

    // Nothing is restored over a running shop's database.
    let output = server(&database, &[Path::new("restore"), &last]).await;
    assert!(!output.status.success());
    assert!(said(&output).contains("running"), "{}", said(&output));
    let (status, _) = app.get_json("/api/products").await;
    assert_eq!(status, 200);

    // Restored where another shop will run, it starts on it: the same
    // orders and points, and the shoppers still signed in.
    let target = new_path("restored");
    let output = server(&sqlite_url(&target), &[Path::new("restore"), &last]).await;
    assert!(output.status.success(), "{}", said(&output));
    assert!(said(&output).contains("restored"), "{}", said(&output));
    let restored = spawn_app_with(Config::for_tests(sqlite_url(&target))).await;
    let (shopper, _) = &shoppers[7];
    let again: TestApp = visitor_of(restored.address.clone(), restored.db.clone())
        .with_client(shopper.client.clone());
    let (status, points) = again.get_json("/api/points").await;
    assert_eq!(status, 200, "{points}");
    let (_, live) = shopper.get_json("/api/points").await;
    assert_eq!(points["points"], live["points"]);
    let (status, orders) = again.get_json("/api/orders").await;
    assert_eq!(status, 200, "{orders}");
    assert_eq!(orders["total"], ROUNDS as i64, "{orders}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_refuses_what_is_not_a_whole_backup_of_this_shop() {
    let database = fresh_database(Backend::Sqlite).await;
    let app = spawn_app_with(Config::for_tests(database.clone())).await;
    let good = new_path("good");
    let output = server(&database, &[Path::new("backup"), &good]).await;
    assert!(output.status.success(), "{}", said(&output));
    drop(app);

    let target = new_path("target");
    let refused = |file: PathBuf, why: &'static str| {
        let target = target.clone();
        async move {
            let output = server(&sqlite_url(&target), &[Path::new("restore"), &file]).await;
            assert!(!output.status.success(), "{why}: {}", said(&output));
            assert!(said(&output).contains(why), "{why}: {}", said(&output));
            assert!(!target.exists(), "{why}: nothing is put in place");
        }
    };
    refused(new_path("missing"), "there is no backup").await;

    // Not a database; a database whose pages are damaged.
    let junk = new_path("junk");
    std::fs::write(
        &junk,
        b"not a database at all, but long enough to look like one?",
    )
    .unwrap();
    refused(junk, "cannot be restored").await;
    let damaged = new_path("damaged");
    let mut bytes = std::fs::read(&good).unwrap();
    let page = 4096;
    assert!(bytes.len() > 8 * page);
    for byte in &mut bytes[3 * page + 100..5 * page] {
        *byte = 0x5a;
    }
    std::fs::write(&damaged, bytes).unwrap();
    refused(damaged, "cannot be restored").await;

    // A backup of a newer shop (a migration this build does not know).
    let newer = new_path("newer");
    std::fs::copy(&good, &newer).unwrap();
    let db = Db::connect(&sqlite_url(&newer)).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, \
         execution_time) VALUES (99991231000001, 'from the future', '2099-01-01', TRUE, x'00', 0)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    db.close().await;
    refused(newer, "newer version").await;

    // And PostgreSQL has its own tools.
    let postgres: DatabaseUrl = "postgres://shop@127.0.0.1:1/shop".parse().unwrap();
    for command in ["backup", "restore"] {
        let output = server(&postgres, &[Path::new(command), &good]).await;
        assert!(!output.status.success());
        assert!(said(&output).contains("pg_dump"), "{}", said(&output));
    }
}
