//! Migrations of the notifications service.

use sea_orm_migration::prelude::*;

/// This service's tables plus the shared outbox table.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateDeliveryTable),
            Box::new(shared::events::outbox::CreateOutboxTable),
            Box::new(KeepDeadCommands),
            Box::new(MarkInterruptedSends),
            Box::new(IndexSmsProviderIdsOnly),
        ]
    }

    fn migration_table_name() -> DynIden {
        "notifications_migrations".into_iden()
    }
}

/// `m20261127_000001_create_delivery`: the delivery log (and dedupe by event id).
struct CreateDeliveryTable;

impl MigrationName for CreateDeliveryTable {
    fn name(&self) -> &str {
        "m20261127_000001_create_delivery"
    }
}

const DELIVERY: &str = r#"
CREATE TABLE delivery (
    event_id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until BIGINT NOT NULL DEFAULT 0,
    provider_id TEXT,
    error TEXT,
    template TEXT,
    customer TEXT,
    subject TEXT,
    body_text TEXT,
    body_html TEXT,
    segments INTEGER,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX delivery_recipient ON delivery (recipient, created_at);
CREATE INDEX delivery_provider ON delivery (provider_id);
CREATE INDEX delivery_created ON delivery (created_at);
"#;

#[async_trait::async_trait]
impl MigrationTrait for CreateDeliveryTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(DELIVERY)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE delivery;")
            .await?;
        Ok(())
    }
}

/// `m20261127_000200_keep_dead_commands`: a dead delivery keeps its command so an operator can
/// replay it once (`notifications dead-letters replay`), and records the id of the copy sent.
struct KeepDeadCommands;

impl MigrationName for KeepDeadCommands {
    fn name(&self) -> &str {
        "m20261127_000200_keep_dead_commands"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for KeepDeadCommands {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE delivery ADD COLUMN command TEXT; \
                 ALTER TABLE delivery ADD COLUMN replayed_as TEXT;",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE delivery DROP COLUMN replayed_as; \
                 ALTER TABLE delivery DROP COLUMN command;",
            )
            .await?;
        Ok(())
    }
}

/// `m20261128_000300_mark_interrupted_sends`: a delivery taken over from a sender whose lease ran out
/// (a crashed process) is marked, so the next sender first asks the provider whether the cut attempt
/// got through.
struct MarkInterruptedSends;

impl MigrationName for MarkInterruptedSends {
    fn name(&self) -> &str {
        "m20261128_000300_mark_interrupted_sends"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MarkInterruptedSends {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE delivery ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE delivery DROP COLUMN interrupted")
            .await?;
        Ok(())
    }
}

/// `m20261128_000400_index_sms_provider_ids_only`: only Twilio's status callbacks look a delivery up
/// by its provider id, so only SMS rows are indexed by it; an email's claim and its `sent` record
/// each skip an index insert (the `sent` update changes `provider_id`, so it is never a HOT update).
struct IndexSmsProviderIdsOnly;

impl MigrationName for IndexSmsProviderIdsOnly {
    fn name(&self) -> &str {
        "m20261128_000400_index_sms_provider_ids_only"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for IndexSmsProviderIdsOnly {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP INDEX delivery_provider; \
                 CREATE INDEX delivery_provider_sms ON delivery (provider_id) WHERE channel = 'sms';",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP INDEX delivery_provider_sms; \
                 CREATE INDEX delivery_provider ON delivery (provider_id);",
            )
            .await?;
        Ok(())
    }
}
