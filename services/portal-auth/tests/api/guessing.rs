//! Guessing codes (issue 16, "Codes and guessing"): attempts counted before the comparison.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use crate::helpers::{Backend, TestApp, link_token, problem, spawn_app, typed_code};

const MARIE: &str = "marie.tremblay@example.ca";

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// The code sent to Marie by email.
async fn code_for_marie(app: &TestApp) -> String {
    let email = app.login_email(MARIE, MARIE).await;
    assert!(!link_token(&email.text).is_empty());
    typed_code(&email.text)
}

/// Sessions of the service waiting for a row lock in its PostgreSQL database.
async fn waiting_on_a_lock(db: &DatabaseConnection) -> i64 {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index(0).unwrap()
}

async fn wait_for_waiters(db: &DatabaseConnection, n: i64) {
    let reached = testkit::poll_until(Duration::from_secs(10), || async {
        (waiting_on_a_lock(db).await >= n).then_some(())
    })
    .await;
    assert!(
        reached.is_some(),
        "{n} guesses never reached the code's row"
    );
}

/// Issue 16, finding 1: on PostgreSQL, a fifth and a sixth guess in flight together were both
/// checked against `attempts < 5` read before either counted, so the sixth (here the right code)
/// was accepted. The test holds the code's row locked while both guesses reach it, then lets them
/// go in order: only five guesses may ever be checked, and exactly five attempts are recorded.
#[tokio::test]
async fn a_sixth_guess_in_flight_with_the_fifth_is_not_checked_on_postgresql() {
    let app = spawn_app(Backend::Postgres).await;
    let code = code_for_marie(&app).await;
    for _ in 0..4 {
        problem(app.verify_code(MARIE, &wrong(&code)).await, 400).await;
    }

    let db = app.database().await;
    let lock = db.begin().await.unwrap();
    lock.execute_unprepared("SELECT id FROM login_code FOR UPDATE")
        .await
        .unwrap();
    let fifth = {
        let (client, url) = (app.client.clone(), app.url("/portal/verify-code"));
        let body = serde_json::json!({"identifier": MARIE, "code": wrong(&code)});
        tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap() })
    };
    wait_for_waiters(&db, 1).await;
    let sixth = {
        let (client, url) = (app.client.clone(), app.url("/portal/verify-code"));
        let body = serde_json::json!({"identifier": MARIE, "code": code});
        tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap() })
    };
    wait_for_waiters(&db, 2).await;
    lock.commit().await.unwrap();

    problem(fifth.await.unwrap(), 400).await;
    problem(sixth.await.unwrap(), 400).await;
    let attempts: i32 = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT attempts FROM login_code",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();
    assert_eq!(attempts, 5);
    app.cleanup().await;
}
