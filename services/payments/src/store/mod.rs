//! The payments database: the webhook's inbox of Stripe events (sea-orm entity and migration), and
//! the shared outbox.

use std::collections::HashSet;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
};
use sea_orm_migration::MigratorTrait as _;
use shared::db::{GroupCommit, WriteBatch};

pub mod checkout;
mod checkouts;
mod inbox;
mod migrations;
pub mod payment;
mod ppa;
pub mod ppa_charge;
pub mod ppa_enrolment;
mod ppa_migration;
pub mod ppa_run;
pub mod refund;
mod refunds;
pub mod stripe_customer;
pub mod stripe_event;

pub use inbox::{Claim, NewPayment};
pub use migrations::Migrator;
pub use ppa::{ChargeDone, Lease};

use crate::stripe::Event;

/// The service's database.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    inbox: GroupCommit<Inbox>,
}

impl Store {
    /// Connects and migrates; starts the inbox's writer.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let db = shared::db::connect(url).await?;
        Migrator::up(&db, None).await?;
        let writer = shared::db::connect_writer(url).await?;
        Ok(Self {
            db,
            inbox: GroupCommit::spawn(writer, Inbox),
        })
    }

    /// The connection (readiness, metrics, the outbox relay).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Records a verified event in the inbox, once: `false` when its id was recorded before (Stripe
    /// delivers at least once). Concurrent webhooks are written together (group commit: one
    /// transaction, one flush, for all the events that arrived meanwhile).
    pub async fn record_event(
        &self,
        event: &Event,
        payload: &str,
        now_ms: i64,
    ) -> Result<bool, DbErr> {
        let row = stripe_event::ActiveModel {
            id: Set(event.id.clone()),
            kind: Set(event.kind.clone()),
            created: Set(event.created),
            payload: Set(payload.to_owned()),
            received_at: Set(now_ms),
            processed_at: Set(None),
            next_try_at: Set(0),
            attempts: Set(0),
            last_error: Set(None),
        };
        self.inbox.execute(row).await
    }
}

/// The inbox's group commit: the batch's events in one `INSERT … ON CONFLICT DO NOTHING RETURNING
/// id`, which says which were new; on its own, without a transaction (one round trip on
/// PostgreSQL: `make bench`'s webhook intake needed it).
struct Inbox;

impl WriteBatch for Inbox {
    type Op = stripe_event::ActiveModel;
    type Out = bool;

    async fn run_alone(
        &self,
        db: &DatabaseConnection,
        rows: &[stripe_event::ActiveModel],
    ) -> Result<Option<Vec<bool>>, DbErr> {
        insert_new(db, rows.to_vec()).await.map(Some)
    }

    async fn run(
        &self,
        txn: &DatabaseTransaction,
        rows: Vec<stripe_event::ActiveModel>,
    ) -> Result<Vec<bool>, DbErr> {
        insert_new(txn, rows).await
    }
}

/// Inserts the events whose id is not recorded yet; for each, whether it was new (a twin later in
/// the same batch is a redelivery).
async fn insert_new<C: ConnectionTrait>(
    db: &C,
    rows: Vec<stripe_event::ActiveModel>,
) -> Result<Vec<bool>, DbErr> {
    let ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.id.try_as_ref().cloned())
        .collect();
    let mut seen = HashSet::new();
    let unique: Vec<_> = rows
        .into_iter()
        .zip(&ids)
        .filter_map(|(row, id)| seen.insert(id.clone()).then_some(row))
        .collect();
    let inserted: HashSet<String> = match stripe_event::Entity::insert_many(unique)
        .on_conflict(
            OnConflict::column(stripe_event::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .exec_with_returning_keys(db)
        .await
    {
        Ok(keys) => keys.into_iter().collect(),
        Err(DbErr::RecordNotInserted) => HashSet::new(),
        Err(e) => return Err(e),
    };
    let mut answered = HashSet::new();
    Ok(ids
        .into_iter()
        .map(|id| inserted.contains(&id) && answered.insert(id))
        .collect())
}
