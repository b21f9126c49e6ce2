//! The payments database: the webhook's inbox of Stripe events (sea-orm entity and migration), and
//! the shared outbox.

use sea_orm::{ActiveValue::Set, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait as _;
use shared::db::GroupCommit;
use shared::inbox::InboxWrites;

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
    inbox: GroupCommit<InboxWrites<stripe_event::Entity>>,
}

impl Store {
    /// Connects and migrates; starts the inbox's writer.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let db = shared::db::connect(url).await?;
        Migrator::up(&db, None).await?;
        let writer = shared::db::connect_writer(url).await?;
        Ok(Self {
            db,
            inbox: GroupCommit::spawn(writer, InboxWrites::default()),
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
