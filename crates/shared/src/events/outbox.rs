//! Transactional outbox: events are written in the caller's transaction, next to the state
//! change they describe, and published later by the [`super::OutboxRelay`].

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait};
use sea_orm_migration::{
    MigrationName, MigrationTrait, SchemaManager, async_trait,
    sea_query::{ColumnDef, Table},
};

use super::Envelope;

/// The `outbox` table: one row per event not yet accepted by the bus, in `seq` order.
pub mod entity {
    use sea_orm::entity::prelude::*;

    /// One pending event.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        /// Insertion order; events are published in this order.
        #[sea_orm(primary_key)]
        pub seq: i64,
        /// Envelope id (UUID text).
        #[sea_orm(unique)]
        pub id: String,
        /// NATS subject, for logs and metrics.
        pub subject: String,
        /// The CloudEvents JSON envelope as published.
        #[sea_orm(column_type = "Text")]
        pub payload: String,
        /// When the row was written, Unix milliseconds.
        pub created_at: i64,
        /// Failed publish attempts so far.
        pub attempts: i32,
        /// The last publish failure, if any.
        #[sea_orm(column_type = "Text", nullable)]
        pub last_error: Option<String>,
    }

    /// The outbox relates to nothing.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity::{ActiveModel, Column, Entity};

/// Migration step creating the `outbox` table (SQLite and PostgreSQL); add it to a service's `Migrator`.
pub struct CreateOutboxTable;

impl MigrationName for CreateOutboxTable {
    fn name(&self) -> &str {
        "m20261127_000100_create_outbox"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateOutboxTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Spelled out rather than derived from the entity, so the step never changes once shipped.
        manager
            .create_table(
                Table::create()
                    .table(Entity)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Column::Seq)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Column::Id)
                            .string_len(36)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Column::Subject).string_len(255).not_null())
                    .col(ColumnDef::new(Column::Payload).text().not_null())
                    .col(ColumnDef::new(Column::CreatedAt).big_integer().not_null())
                    .col(
                        ColumnDef::new(Column::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Column::LastError).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Entity).if_exists().to_owned())
            .await
    }
}

fn row(envelope: &Envelope) -> Result<ActiveModel, DbErr> {
    let payload = serde_json::to_string(envelope)
        .map_err(|err| DbErr::Custom(format!("outbox: envelope not serialisable: {err}")))?;
    Ok(ActiveModel {
        id: Set(envelope.id.to_string()),
        subject: Set(envelope.subject.clone()),
        payload: Set(payload),
        created_at: Set(Utc::now().timestamp_millis()),
        attempts: Set(0),
        last_error: Set(None),
        ..Default::default()
    })
}

/// Writes one event to the outbox; call it INSIDE the transaction that makes the state change,
/// then `notify_one()` the relay's notifier after the commit.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, envelope: &Envelope) -> Result<(), DbErr> {
    Entity::insert(row(envelope)?)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Writes several events to the outbox, in order, in the caller's transaction.
pub async fn enqueue_many<C: ConnectionTrait>(
    conn: &C,
    envelopes: &[Envelope],
) -> Result<(), DbErr> {
    if envelopes.is_empty() {
        return Ok(());
    }
    let rows = envelopes.iter().map(row).collect::<Result<Vec<_>, _>>()?;
    Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Number of events not yet accepted by the bus (for metrics and readiness).
pub async fn pending_count<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    Entity::find().count(conn).await
}
