//! The transactional outbox and its relay, on SQLite and on a fresh PostgreSQL database.
#![allow(clippy::unwrap_used)]

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryOrder, TransactionTrait,
};
use sea_orm_migration::{MigrationTrait, MigratorTrait};
use shared::events::{
    BusError, CreateOutboxTable, Envelope, EventBus, InProcessBus, NatsBus, NatsOptions,
    OutboxRelay, SessionRevoked, Subscription,
    outbox::{self, entity},
};
use uuid::Uuid;

struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateOutboxTable)]
    }
}

const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A migrated database: SQLite in memory, or a PostgreSQL database dropped by `cleanup`.
struct TestDb {
    db: DatabaseConnection,
    pg_name: Option<String>,
}

impl TestDb {
    async fn sqlite() -> Self {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        Self { db, pg_name: None }
    }

    async fn postgres() -> Self {
        let name = format!("outbox_test_{}", Uuid::new_v4().simple());
        let admin = Database::connect(PG_ADMIN_URL).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let db = Database::connect(format!("postgres://postgres@127.0.0.1:5432/{name}"))
            .await
            .unwrap();
        Migrator::up(&db, None).await.unwrap();
        Self {
            db,
            pg_name: Some(name),
        }
    }

    async fn cleanup(self) {
        self.db.close().await.unwrap();
        if let Some(name) = self.pg_name {
            let admin = Database::connect(PG_ADMIN_URL).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
            admin.close().await.unwrap();
        }
    }
}

fn revoked(customer: &str) -> Envelope {
    Envelope::new(
        "test",
        &SessionRevoked {
            customer: customer.into(),
            everywhere: false,
        },
    )
    .unwrap()
}

/// Acks everything and records the ids received, in order.
fn record(mut sub: Subscription) -> Arc<Mutex<Vec<Uuid>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Some(delivery) = sub.next().await {
            log.lock()
                .unwrap()
                .push(delivery.envelope.as_ref().unwrap().id);
            delivery.ack().await;
        }
    });
    seen
}

async fn recording_bus() -> (Arc<InProcessBus>, Arc<Mutex<Vec<Uuid>>>) {
    let bus = Arc::new(InProcessBus::new());
    let seen = record(bus.subscribe("portal.>", "audit").await.unwrap());
    (bus, seen)
}

/// Refuses the first `failures` publishes, then forwards to the inner bus.
struct FlakyBus {
    inner: Arc<InProcessBus>,
    failures: AtomicUsize,
}

#[async_trait]
impl EventBus for FlakyBus {
    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError> {
        if self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(BusError::NotReady("NATS is down".into()));
        }
        self.inner.publish(envelope).await
    }
    async fn subscribe(&self, filter: &str, durable: &str) -> Result<Subscription, BusError> {
        self.inner.subscribe(filter, durable).await
    }
    async fn ready(&self) -> Result<(), BusError> {
        Ok(())
    }
}

/// Counts publishes per event id (to spot double publishing by concurrent relays).
#[derive(Default)]
struct CountingBus {
    counts: Mutex<HashMap<Uuid, usize>>,
}

#[async_trait]
impl EventBus for CountingBus {
    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError> {
        // A little latency so that relays really overlap.
        tokio::time::sleep(Duration::from_micros(200)).await;
        *self.counts.lock().unwrap().entry(envelope.id).or_default() += 1;
        Ok(())
    }
    async fn subscribe(&self, filter: &str, durable: &str) -> Result<Subscription, BusError> {
        InProcessBus::new().subscribe(filter, durable).await
    }
    async fn ready(&self) -> Result<(), BusError> {
        Ok(())
    }
}

async fn a_rolled_back_event_is_never_published(t: TestDb) {
    let (bus, seen) = recording_bus().await;
    let txn = t.db.begin().await.unwrap();
    outbox::enqueue(&txn, &revoked("C1")).await.unwrap();
    txn.rollback().await.unwrap();

    let relay = OutboxRelay::new(t.db.clone(), bus);
    assert_eq!(relay.drain_once().await.unwrap(), 0);
    assert!(seen.lock().unwrap().is_empty());
    t.cleanup().await;
}

async fn a_committed_event_is_published_exactly_once(t: TestDb) {
    let (bus, seen) = recording_bus().await;
    let envelope = revoked("C1");
    let txn = t.db.begin().await.unwrap();
    outbox::enqueue(&txn, &envelope).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 1);

    let relay = OutboxRelay::new(t.db.clone(), bus);
    assert_eq!(relay.drain_once().await.unwrap(), 1);
    assert_eq!(relay.drain_once().await.unwrap(), 0);
    assert_eq!(*seen.lock().unwrap(), vec![envelope.id]);
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 0);
    t.cleanup().await;
}

async fn events_survive_a_failing_bus_and_go_out_once_in_order(t: TestDb) {
    let (inner, seen) = recording_bus().await;
    let bus = Arc::new(FlakyBus {
        inner,
        failures: AtomicUsize::new(2),
    });
    let envelopes: Vec<_> = (0..5).map(|n| revoked(&format!("C{n}"))).collect();
    let txn = t.db.begin().await.unwrap();
    outbox::enqueue_many(&txn, &envelopes[..3]).await.unwrap();
    outbox::enqueue_many(&txn, &envelopes[3..]).await.unwrap();
    txn.commit().await.unwrap();

    // Issue 17: the relay counts what it publishes and the rounds the bus stops.
    let metrics = shared::metrics::Metrics::new().unwrap();
    let counters = metrics.outbox("test");
    let relay = OutboxRelay::new(t.db.clone(), bus)
        .with_batch_size(2)
        .with_counters(counters.clone());
    assert!(relay.drain_once().await.is_err());
    assert!(relay.drain_once().await.is_err());
    assert_eq!(counters.errors.get(), 2);
    assert_eq!(counters.published.get(), 0);
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 5);
    let head = entity::Entity::find()
        .order_by_asc(entity::Column::Seq)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(head.attempts, 2);
    assert!(head.last_error.unwrap().contains("NATS is down"));

    assert_eq!(relay.drain_once().await.unwrap(), 5);
    assert_eq!((counters.published.get(), counters.errors.get()), (5, 2));
    let expected: Vec<_> = envelopes.iter().map(|e| e.id).collect();
    assert_eq!(*seen.lock().unwrap(), expected);
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 0);
    t.cleanup().await;
}

async fn the_spawned_relay_retries_until_the_bus_accepts(t: TestDb) {
    let (inner, seen) = recording_bus().await;
    let bus = Arc::new(FlakyBus {
        inner,
        failures: AtomicUsize::new(3),
    });
    let relay = OutboxRelay::new(t.db.clone(), bus);
    let notifier = relay.notifier();
    let task = relay.spawn();

    let envelope = revoked("C1");
    let txn = t.db.begin().await.unwrap();
    outbox::enqueue(&txn, &envelope).await.unwrap();
    txn.commit().await.unwrap();
    notifier.notify_one();

    tokio::time::timeout(Duration::from_secs(10), async {
        while seen.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![envelope.id]);
    task.abort();
    t.cleanup().await;
}

#[tokio::test]
async fn sqlite_a_rolled_back_event_is_never_published() {
    a_rolled_back_event_is_never_published(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn postgres_a_rolled_back_event_is_never_published() {
    a_rolled_back_event_is_never_published(TestDb::postgres().await).await;
}

#[tokio::test]
async fn sqlite_a_committed_event_is_published_exactly_once() {
    a_committed_event_is_published_exactly_once(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn postgres_a_committed_event_is_published_exactly_once() {
    a_committed_event_is_published_exactly_once(TestDb::postgres().await).await;
}

#[tokio::test]
async fn sqlite_events_survive_a_failing_bus_and_go_out_once_in_order() {
    events_survive_a_failing_bus_and_go_out_once_in_order(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn postgres_events_survive_a_failing_bus_and_go_out_once_in_order() {
    events_survive_a_failing_bus_and_go_out_once_in_order(TestDb::postgres().await).await;
}

#[tokio::test]
async fn sqlite_the_spawned_relay_retries_until_the_bus_accepts() {
    the_spawned_relay_retries_until_the_bus_accepts(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn postgres_the_spawned_relay_retries_until_the_bus_accepts() {
    the_spawned_relay_retries_until_the_bus_accepts(TestDb::postgres().await).await;
}

#[tokio::test]
async fn postgres_concurrent_relays_never_publish_a_row_twice() {
    let t = TestDb::postgres().await;
    let envelopes: Vec<_> = (0..600).map(|n| revoked(&format!("C{n}"))).collect();
    outbox::enqueue_many(&t.db, &envelopes).await.unwrap();

    let bus = Arc::new(CountingBus::default());
    let relays: Vec<_> = (0..3)
        .map(|_| OutboxRelay::new(t.db.clone(), bus.clone()).with_batch_size(50))
        .collect();
    let drained = futures::future::join_all(relays.iter().map(OutboxRelay::drain_once)).await;
    let total: usize = drained.into_iter().map(Result::unwrap).sum();

    assert_eq!(total, 600);
    let counts = bus.counts.lock().unwrap().clone();
    assert_eq!(counts.len(), 600);
    assert!(
        counts.values().all(|&n| n == 1),
        "a row was published twice"
    );
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 0);
    t.cleanup().await;
}

#[tokio::test]
async fn the_outbox_migration_is_idempotent_and_reversible() {
    let t = TestDb::postgres().await;
    let manager = sea_orm_migration::SchemaManager::new(&t.db);
    CreateOutboxTable.up(&manager).await.unwrap();
    assert!(manager.has_table("outbox").await.unwrap());
    CreateOutboxTable.down(&manager).await.unwrap();
    assert!(!manager.has_table("outbox").await.unwrap());
    t.cleanup().await;
}

/// The relay on the real JetStream bus while the NATS server is down (SIGKILL of a server of the
/// test's own): events committed meanwhile wait in the outbox, then go out once it is back on the
/// same port and store, each stored once.
#[tokio::test]
async fn events_committed_while_nats_is_down_go_out_once_it_is_back() {
    let mut nats = testkit::NatsServer::start();
    let bus = NatsBus::connect_with(&nats.url(), NatsOptions::default())
        .await
        .unwrap();
    let t = TestDb::sqlite().await;
    let relay = OutboxRelay::new(t.db.clone(), Arc::new(bus.clone()));
    let notifier = relay.notifier();
    let task = relay.spawn();

    nats.kill();
    let envelopes: Vec<Envelope> = (0..50).map(|i| revoked(&format!("C{i}"))).collect();
    for envelope in &envelopes {
        let txn = t.db.begin().await.unwrap();
        outbox::enqueue(&txn, envelope).await.unwrap();
        txn.commit().await.unwrap();
    }
    notifier.notify_one();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pending = || async { entity::Entity::find().all(&t.db).await.unwrap().len() };
    assert_eq!(pending().await, 50, "published with NATS down?");

    nats.start_again();
    tokio::time::timeout(Duration::from_secs(30), async {
        while pending().await > 0 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the outbox drained within 30 s of NATS coming back");
    let stream = bus.stream_name(&envelopes[0].subject).unwrap();
    let mut stream = bus.jetstream().get_stream(stream).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 50);
    task.abort();
    t.cleanup().await;
}
