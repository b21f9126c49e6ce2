//! The quotation-signing database: quotes, their history and acceptance, DocuSeal's inbox (sea-orm
//! entities and migrations), and the shared outbox. Reads here; a quote's changes of status in
//! `changes`; the leases that keep two workers off one quote in `leases`.

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use sea_orm_migration::MigratorTrait as _;
use shared::db::GroupCommit;
use shared::inbox::InboxWrites;

pub mod acceptance;
mod changes;
pub mod docuseal_event;
mod inbox;
mod leases;
mod migrations;
pub mod quote;
pub mod quote_history;

pub use changes::{Applied, Effects};
pub use inbox::Received;
pub use leases::{LEASE_MS, NewQuote};
pub use migrations::Migrator;

/// The service's database.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    inbox: GroupCommit<InboxWrites<docuseal_event::Entity>>,
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

    /// The quote of `quotation`, if it was ever sent.
    pub async fn quote(&self, quotation: &str) -> Result<Option<quote::Model>, DbErr> {
        quote::Entity::find_by_id(quotation.to_owned())
            .one(&self.db)
            .await
    }

    /// The quotation of each of `envelopes` that is one of ours, by envelope.
    pub async fn quotations_of_envelopes(
        &self,
        envelopes: &[String],
    ) -> Result<std::collections::HashMap<String, String>, DbErr> {
        if envelopes.is_empty() {
            return Ok(Default::default());
        }
        let quotes = quote::Entity::find()
            .filter(quote::Column::EnvelopeId.is_in(envelopes.iter().cloned()))
            .all(&self.db)
            .await?;
        Ok(quotes
            .into_iter()
            .filter_map(|q| Some((q.envelope_id?, q.quotation)))
            .collect())
    }

    /// Every quote sent to `customer`, newest first.
    pub async fn quotes_of(&self, customer: &str) -> Result<Vec<quote::Model>, DbErr> {
        quote::Entity::find()
            .filter(quote::Column::Customer.eq(customer))
            .order_by_desc(quote::Column::CreatedAt)
            .all(&self.db)
            .await
    }

    /// The history of `quotation`, oldest first.
    pub async fn history(&self, quotation: &str) -> Result<Vec<quote_history::Model>, DbErr> {
        quote_history::Entity::find()
            .filter(quote_history::Column::Quotation.eq(quotation))
            .order_by_asc(quote_history::Column::Id)
            .all(&self.db)
            .await
    }

    /// The audit record of `quotation`'s acceptance.
    pub async fn acceptance(&self, quotation: &str) -> Result<Option<acceptance::Model>, DbErr> {
        acceptance::Entity::find_by_id(quotation.to_owned())
            .one(&self.db)
            .await
    }
}
