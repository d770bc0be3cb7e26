//! Charges: the one rule that credits a paid charge. A charge is credited
//! exactly once whoever confirms it and however many at once (the
//! shopper's return, a replay, the reconciler; two instances on one
//! database), its ledger row names it, and a charge settled otherwise is
//! never credited.

use crate::helpers::{fresh_database, spawn_app_with};
use crate::on_both_backends;
use app::{
    db::{Backend, Db},
    identity::UserId,
    payments::{self, ChargeId, ChargeStatus},
    points,
};
use serde_json::json;
use server::config::Config;

on_both_backends!(
    a_paid_charge_is_credited_once_whoever_confirms_it,
    a_charge_settled_otherwise_is_never_credited,
    a_paid_charge_comes_in_past_the_balance_cap,
);

/// A pending charge of `amount` for `user`, as the charge flow makes it.
async fn pending_charge(db: &Db, user: i64, amount: i64) -> ChargeId {
    let mut tx = db.begin_write().await.unwrap();
    let id = payments::store::create(&mut tx, UserId(user), amount, "kakaopay", None)
        .await
        .unwrap()
        .charge_id;
    payments::store::set_provider_ref(&mut tx, id, &format!("T{:019}", id.0))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The ledger rows that name `charge`.
async fn ledger_rows(db: &Db, charge: ChargeId) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM point_ledger WHERE charge_id = $1")
        .bind(charge.0)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn a_paid_charge_is_credited_once_whoever_confirms_it(backend: Backend) {
    let url = fresh_database(backend).await;
    let app = spawn_app_with(Config::for_tests(url.clone())).await;
    // A second instance's pool on the same database.
    let other = Db::connect(&url).await.unwrap();
    let shopper = app.visitor();
    let user = shopper.signup("payer").await;
    let charge = pending_charge(&app.db, user, 50_000).await;

    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let db = if i % 2 == 0 {
                app.db.clone()
            } else {
                other.clone()
            };
            tokio::spawn(async move {
                points::store::credit_paid_charge(&db, charge, "approved")
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut credited = Vec::new();
    for task in tasks {
        credited.extend(task.await.unwrap());
    }
    assert_eq!(credited, vec![50_000], "credited once, with the balance");

    let (status, me) = shopper.get_json("/api/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["points"], 50_000);
    assert_eq!(
        points::store::ledger_sum(&app.db, UserId(user))
            .await
            .unwrap(),
        50_000
    );
    assert_eq!(ledger_rows(&app.db, charge).await, 1);
    let paid = payments::store::get(&app.db, charge)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.status, ChargeStatus::Paid);
    assert!(paid.paid_at.is_some());
    let kinds: Vec<String> = payments::store::events(&app.db, charge)
        .await
        .unwrap()
        .into_iter()
        .map(|(kind, _, _)| kind)
        .collect();
    assert_eq!(kinds, ["created", "started", "paid"]);
    // Confirmed again later (a replayed return): nothing more.
    assert_eq!(
        points::store::credit_paid_charge(&other, charge, "replay")
            .await
            .unwrap(),
        None
    );
    assert_eq!(ledger_rows(&app.db, charge).await, 1);
}

async fn a_charge_settled_otherwise_is_never_credited(backend: Backend) {
    let app = spawn_app_with(Config::for_tests(fresh_database(backend).await)).await;
    let shopper = app.visitor();
    let user = shopper.signup("decliner").await;
    for to in [ChargeStatus::Failed, ChargeStatus::Cancelled] {
        let charge = pending_charge(&app.db, user, 10_000).await;
        let mut tx = app.db.begin_write().await.unwrap();
        let settled = payments::store::settle(&mut tx, charge, to, "declined")
            .await
            .unwrap()
            .expect("a pending charge settles");
        tx.commit().await.unwrap();
        assert_eq!(settled.status, to);
        assert_eq!(settled.paid_at, None);
        // The reconciler or a late return finding it paid after all: no.
        assert_eq!(
            points::store::credit_paid_charge(&app.db, charge, "late")
                .await
                .unwrap(),
            None
        );
        // And it is settled once: a second settle changes nothing.
        let mut tx = app.db.begin_write().await.unwrap();
        let again = payments::store::settle(&mut tx, charge, ChargeStatus::Failed, "again")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(again, None);
        assert_eq!(ledger_rows(&app.db, charge).await, 0);
    }
    // Pending is no state to settle to.
    let charge = pending_charge(&app.db, user, 10_000).await;
    let mut tx = app.db.begin_write().await.unwrap();
    assert!(
        payments::store::settle(&mut tx, charge, ChargeStatus::Pending, "")
            .await
            .is_err()
    );
    drop(tx);
    let (_, me) = shopper.get_json("/api/me").await;
    assert_eq!(me["points"], 0);
    // An unknown charge: nothing.
    assert_eq!(
        points::store::credit_paid_charge(&app.db, ChargeId(999_999), "")
            .await
            .unwrap(),
        None
    );
}

async fn a_paid_charge_comes_in_past_the_balance_cap(backend: Backend) {
    let app = spawn_app_with(Config::for_tests(fresh_database(backend).await)).await;
    let shopper = app.visitor();
    let user = shopper.signup("big_payer").await;
    // The payment started below the cap; meanwhile the balance reached it.
    let charge = pending_charge(&app.db, user, 50_000).await;
    for _ in 0..(points::MAX_BALANCE / 1_000_000) {
        let (status, _) = shopper
            .post_json("/api/points/charge", &json!({"amount": 1_000_000}))
            .await;
        assert_eq!(status, 200);
    }
    let balance = points::store::credit_paid_charge(&app.db, charge, "approved")
        .await
        .unwrap();
    assert_eq!(
        balance,
        Some(points::MAX_BALANCE + 50_000),
        "the money is taken"
    );
    assert_eq!(
        points::store::ledger_sum(&app.db, UserId(user))
            .await
            .unwrap(),
        points::MAX_BALANCE + 50_000
    );
}
