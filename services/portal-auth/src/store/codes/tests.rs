//! What a wrong code costs, on SQLite and PostgreSQL (issue 16, finding 4): the statements it runs
//! and the rows it writes.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use super::*;

const NOW: i64 = 1_800_000_000_000;
const CUSTOMER: &str = "CUST-2024-00001";
const CUSTOMER_S_KEY: &str = "key-of-a-customer";

fn code_key() -> CodeKey {
    CodeKey::from_secret(&"k".repeat(32)).unwrap()
}

async fn sqlite_store() -> Store {
    let file = std::env::temp_dir().join(format!("pa-codes-{}.db", uuid::Uuid::new_v4()));
    Store::connect(&format!("sqlite://{}?mode=rwc", file.display()))
        .await
        .unwrap()
}

/// Runs `scenario` on SQLite, then on a fresh PostgreSQL database.
async fn on_both_backends<F, Fut>(scenario: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    scenario(sqlite_store().await).await;
    let db = testkit::TestDb::postgres().await;
    scenario(Store::connect(db.url()).await.unwrap()).await;
    db.cleanup().await;
}

/// A live code of the customer, sent for `CUSTOMER_S_KEY`.
async fn a_live_code(store: &Store) {
    let code = NewCode {
        id: uuid::Uuid::now_v7().to_string(),
        identifier_key: CUSTOMER_S_KEY.into(),
        customer: CUSTOMER.into(),
        code: "123456".into(),
        claims: "{}".into(),
        expires_at: NOW + 900_000,
    };
    insert_code(&store.db, &code_key(), &code).await.unwrap();
}

/// The statements `store` runs for one wrong code typed with `identifier_key`.
async fn statements_of_a_wrong_code(store: &mut Store, identifier_key: &str) -> Vec<String> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    store
        .db
        .set_metric_callback(move |info| log.lock().unwrap().push(info.statement.sql.clone()));
    let check = store
        .check_code(&code_key(), identifier_key, "000000", NOW, 30_000)
        .await
        .unwrap();
    assert_eq!(check, CodeCheck::Invalid);
    seen.lock().unwrap().clone()
}

/// The attempts written in `login_code`, per identifier key.
async fn attempts(store: &Store) -> Vec<(String, i64)> {
    let rows = store
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            store.db.get_database_backend(),
            "SELECT identifier_key, CAST(SUM(attempts) AS BIGINT) FROM login_code \
             GROUP BY identifier_key ORDER BY identifier_key",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let key = r.try_get_by_index(0).unwrap();
            (key, r.try_get_by_index(1).unwrap())
        })
        .collect()
}

/// (failures, blocked_until) of the customer's budget.
async fn customer_s_budget(store: &Store) -> (i32, i64) {
    let row = store
        .db
        .query_one_raw(stmt(
            store.db.get_database_backend(),
            "SELECT failures, blocked_until FROM code_budget WHERE key = $1",
            [CUSTOMER.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let failures = row.try_get_by_index(0).unwrap();
    (failures, row.try_get_by_index(1).unwrap())
}

/// Issue 16, finding 4: a wrong code for an identifier with a live code wrote the attempt on
/// that code's row; for an identifier without, the same UPDATE changed nothing, and the answer
/// came sooner. Both now run the same statements and write one attempt in `login_code`: the
/// live code's, or the identifier's decoy's.
async fn a_wrong_code_writes_one_attempt_with_the_same_statements_with_or_without_a_code(
    mut store: Store,
) {
    a_live_code(&store).await;
    let with_a_code = statements_of_a_wrong_code(&mut store, CUSTOMER_S_KEY).await;
    let without = statements_of_a_wrong_code(&mut store, "key-of-nobody").await;
    assert_eq!(with_a_code, without);
    let decoy = stmt(store.db.get_database_backend(), COUNT_DECOY, []).sql;
    assert!(without.contains(&decoy), "{without:#?}");
    assert_eq!(
        attempts(&store).await,
        [(CUSTOMER_S_KEY.into(), 1), ("key-of-nobody".into(), 1)]
    );
}

#[tokio::test]
async fn a_wrong_code_costs_the_same_with_or_without_a_live_code_on_sqlite_and_postgresql() {
    on_both_backends(
        a_wrong_code_writes_one_attempt_with_the_same_statements_with_or_without_a_code,
    )
    .await;
}

/// Issue 16, finding 4: the codes of a blocked customer were not compared and its budget was not
/// written, so its wrong code answered sooner; a link lifts a customer's lockout, never an unknown
/// identifier's, which told them apart. A blocked check now runs the same statements, and leaves
/// the budget as it was (the wait is not extended).
async fn a_blocked_customer_s_wrong_code_runs_the_same_statements_and_changes_no_budget(
    mut store: Store,
) {
    a_live_code(&store).await;
    let open = statements_of_a_wrong_code(&mut store, CUSTOMER_S_KEY).await;
    let waiting = (6, NOW + 60_000);
    store
        .db
        .execute_raw(stmt(
            store.db.get_database_backend(),
            "UPDATE code_budget SET failures = $1, blocked_until = $2",
            [waiting.0.into(), waiting.1.into()],
        ))
        .await
        .unwrap();

    let blocked = statements_of_a_wrong_code(&mut store, CUSTOMER_S_KEY).await;
    assert_eq!(blocked, open);
    assert_eq!(customer_s_budget(&store).await, waiting);
}

#[tokio::test]
async fn a_blocked_customer_costs_the_same_as_an_open_one_on_sqlite_and_postgresql() {
    on_both_backends(
        a_blocked_customer_s_wrong_code_runs_the_same_statements_and_changes_no_budget,
    )
    .await;
}
