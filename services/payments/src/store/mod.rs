//! The payments database: the webhook's inbox of Stripe events (sea-orm entity and migration), and
//! the shared outbox.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait};
use sea_orm_migration::MigratorTrait as _;

mod migrations;
pub mod stripe_event;

pub use migrations::Migrator;

use crate::stripe::Event;

/// The service's database.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects and migrates.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let db = shared::db::connect(url).await?;
        Migrator::up(&db, None).await?;
        Ok(Self { db })
    }

    /// The connection (readiness, metrics, the outbox relay).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Records a verified event in the inbox, once: `false` when its id was recorded before (Stripe
    /// delivers at least once).
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
            attempts: Set(0),
            last_error: Set(None),
        };
        let inserted = stripe_event::Entity::insert(row)
            .on_conflict(
                OnConflict::column(stripe_event::Column::Id)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(inserted == 1)
    }
}
