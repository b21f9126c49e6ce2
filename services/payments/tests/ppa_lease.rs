//! The auto-pay day's lease on both databases: one holder at a time, taken again only once it ran
//! out, lost by a holder that let it run out, and a finished day left alone by the scheduler; the
//! auto-pay migration step goes down and up again.
#![allow(clippy::unwrap_used)]

use payments::store::{Lease, Migrator, Store};
use sea_orm_migration::MigratorTrait as _;
use testkit::TestDb;

fn lease(owner: &str) -> Lease {
    Lease {
        day: "2027-01-05".to_owned(),
        owner: owner.to_owned(),
        ttl_ms: 1_000,
    }
}

async fn one_holder_at_a_time(db: &TestDb) {
    let store = Store::connect(db.url()).await.unwrap();
    let (a, b) = (lease("replica-a"), lease("replica-b"));
    let t = 1_800_000_000_000;
    assert!(store.take_ppa_lease(&a, t, false).await.unwrap());
    assert!(!store.take_ppa_lease(&b, t + 10, true).await.unwrap());
    assert!(store.renew_ppa_lease(&a, t + 500).await.unwrap());
    assert!(!store.take_ppa_lease(&b, t + 1_200, true).await.unwrap());
    // a crashed: its lease runs out and b takes the day; a, coming back, has lost it.
    assert!(store.take_ppa_lease(&b, t + 1_501, false).await.unwrap());
    assert!(!store.renew_ppa_lease(&a, t + 1_600).await.unwrap());
    store.finish_ppa_run(&b, t + 2_000, "{}").await.unwrap();
    assert!(!store.take_ppa_lease(&a, t + 2_001, false).await.unwrap());
    assert!(store.take_ppa_lease(&a, t + 2_001, true).await.unwrap());
}

#[tokio::test]
async fn a_day_has_one_holder_at_a_time_on_sqlite() {
    one_holder_at_a_time(&TestDb::sqlite()).await;
}

#[tokio::test]
async fn a_day_has_one_holder_at_a_time_on_postgres() {
    let db = TestDb::postgres().await;
    one_holder_at_a_time(&db).await;
    db.cleanup().await;
}

#[tokio::test]
async fn the_auto_pay_tables_go_down_and_up_again() {
    let db = TestDb::sqlite();
    let store = Store::connect(db.url()).await.unwrap();
    Migrator::down(store.connection(), Some(1)).await.unwrap();
    Migrator::up(store.connection(), None).await.unwrap();
    assert!(store.take_ppa_lease(&lease("a"), 1, false).await.unwrap());
}
