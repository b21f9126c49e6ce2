//! Migrations of the payments service (sea-orm's schema builder, the same on SQLite and PostgreSQL).

use sea_orm_migration::prelude::*;

use super::stripe_event::{Column, Entity};

/// This service's tables plus the shared outbox table.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(shared::events::outbox::CreateOutboxTable),
            Box::new(CreateStripeEvent),
        ]
    }

    fn migration_table_name() -> DynIden {
        "payments_migrations".into_iden()
    }
}

struct CreateStripeEvent;

impl MigrationName for CreateStripeEvent {
    fn name(&self) -> &str {
        "m20261207_000001_create_stripe_event"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateStripeEvent {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Spelled out rather than derived from the entity, so the step never changes once shipped.
        manager
            .create_table(
                Table::create()
                    .table(Entity)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Column::Id)
                            .string_len(255)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Column::Kind).string_len(255).not_null())
                    .col(ColumnDef::new(Column::Created).big_integer().not_null())
                    .col(ColumnDef::new(Column::Payload).text().not_null())
                    .col(ColumnDef::new(Column::ReceivedAt).big_integer().not_null())
                    .col(ColumnDef::new(Column::ProcessedAt).big_integer().null())
                    .col(
                        ColumnDef::new(Column::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Column::LastError).text().null())
                    .to_owned(),
            )
            .await?;
        // The processing reads the waiting events in the order they came.
        manager
            .create_index(
                Index::create()
                    .name("stripe_event_waiting")
                    .table(Entity)
                    .col(Column::ProcessedAt)
                    .col(Column::ReceivedAt)
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
