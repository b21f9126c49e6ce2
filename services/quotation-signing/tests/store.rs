//! The quotation-signing database on SQLite and PostgreSQL: the tables go down and up again, and a
//! quote's status moves forward only, once, whoever moves it at the same time.
#![allow(clippy::unwrap_used)]

use quotation_signing::status::{Happening, Status};
use quotation_signing::store::{Applied, Effects, Migrator, NewQuote, Store};
use sea_orm_migration::MigratorTrait as _;
use testkit::TestDb;

fn new_quote() -> NewQuote<'static> {
    NewQuote {
        quotation: "SAL-QTN-2026-00042",
        customer: "CUST-1",
        quote_type: "signature",
        lang: "fr",
        valid_till: "2099-12-31",
    }
}

async fn the_tables_go_down_and_up_again(db: &TestDb) {
    let store = Store::connect(db.url()).await.unwrap();
    Migrator::down(store.connection(), None).await.unwrap();
    Migrator::up(store.connection(), None).await.unwrap();
    assert!(
        store
            .claim_sending(&new_quote(), 1_000)
            .await
            .unwrap()
            .is_some()
    );
}

/// Ten workers sign the same quote at once: one moves it, nine find it signed.
async fn one_move_whoever_races(db: &TestDb) {
    let store = Store::connect(db.url()).await.unwrap();
    let row = store
        .claim_sending(&new_quote(), 1_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "draft");
    assert!(
        store
            .claim_sending(&new_quote(), 1_001)
            .await
            .unwrap()
            .is_none(),
        "held"
    );
    let sent = store
        .send(&row.quotation, "sent", Effects::default(), 1_002)
        .await
        .unwrap();
    assert_eq!(sent, Status::Sent);
    let tries = (0..10).map(|i| {
        let store = store.clone();
        async move {
            store
                .apply(
                    "SAL-QTN-2026-00042",
                    Happening::Signed,
                    "signed",
                    Effects::default(),
                    2_000 + i,
                )
                .await
                .unwrap()
        }
    });
    let applied = futures::future::join_all(tries).await;
    let moved = applied
        .iter()
        .filter(|a| matches!(a, Applied::Moved(_)))
        .count();
    assert_eq!(moved, 1, "{applied:?}");
    assert_eq!(store.history(&row.quotation).await.unwrap().len(), 11);
    assert_eq!(
        store
            .apply(
                "SAL-QTN-2026-00099",
                Happening::Viewed,
                "x",
                Effects::default(),
                3_000
            )
            .await
            .unwrap(),
        Applied::Unknown
    );
}

#[tokio::test]
async fn the_tables_go_down_and_up_again_on_sqlite() {
    the_tables_go_down_and_up_again(&TestDb::sqlite()).await;
}

#[tokio::test]
async fn the_tables_go_down_and_up_again_on_postgres() {
    let db = TestDb::postgres().await;
    the_tables_go_down_and_up_again(&db).await;
    db.cleanup().await;
}

#[tokio::test]
async fn one_move_whoever_races_on_sqlite() {
    one_move_whoever_races(&TestDb::sqlite()).await;
}

#[tokio::test]
async fn one_move_whoever_races_on_postgres() {
    let db = TestDb::postgres().await;
    one_move_whoever_races(&db).await;
    db.cleanup().await;
}
