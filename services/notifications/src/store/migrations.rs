//! Migrations of the notifications service.

use sea_orm_migration::prelude::*;
use shared::db::SqlMigration;

/// This service's tables plus the shared outbox table.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CREATE_DELIVERY),
            Box::new(shared::events::outbox::CreateOutboxTable),
            Box::new(KEEP_DEAD_COMMANDS),
            Box::new(MARK_INTERRUPTED_SENDS),
            Box::new(INDEX_SMS_PROVIDER_IDS_ONLY),
        ]
    }

    fn migration_table_name() -> DynIden {
        "notifications_migrations".into_iden()
    }
}

/// The delivery log (and dedupe by event id).
const CREATE_DELIVERY: SqlMigration = SqlMigration {
    name: "m20261127_000001_create_delivery",
    up: DELIVERY,
    down: "DROP TABLE delivery;",
};

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

/// A dead delivery keeps its command so an operator can replay it once (`notifications dead-letters
/// replay`), and records the id of the copy sent.
const KEEP_DEAD_COMMANDS: SqlMigration = SqlMigration {
    name: "m20261127_000200_keep_dead_commands",
    up: "ALTER TABLE delivery ADD COLUMN command TEXT; \
         ALTER TABLE delivery ADD COLUMN replayed_as TEXT;",
    down: "ALTER TABLE delivery DROP COLUMN replayed_as; \
           ALTER TABLE delivery DROP COLUMN command;",
};

/// A delivery taken over from a sender whose lease ran out (a crashed process) is marked, so the next
/// sender first asks the provider whether the cut attempt got through.
const MARK_INTERRUPTED_SENDS: SqlMigration = SqlMigration {
    name: "m20261128_000300_mark_interrupted_sends",
    up: "ALTER TABLE delivery ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0",
    down: "ALTER TABLE delivery DROP COLUMN interrupted",
};

/// Only Twilio's status callbacks look a delivery up by its provider id, so only SMS rows are indexed
/// by it; an email's claim and its `sent` record each skip an index insert (the `sent` update changes
/// `provider_id`, so it is never a HOT update).
const INDEX_SMS_PROVIDER_IDS_ONLY: SqlMigration = SqlMigration {
    name: "m20261128_000400_index_sms_provider_ids_only",
    up: "DROP INDEX delivery_provider; \
         CREATE INDEX delivery_provider_sms ON delivery (provider_id) WHERE channel = 'sms';",
    down: "DROP INDEX delivery_provider_sms; \
           CREATE INDEX delivery_provider ON delivery (provider_id);",
};
