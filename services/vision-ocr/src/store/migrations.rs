//! Migrations of vision-ocr (sea-orm's schema builder, the same on SQLite and PostgreSQL).
//! Spelled out rather than derived from the entities, so a step never changes once shipped.

use sea_orm_migration::prelude::*;

use super::extraction;

/// This service's table plus the shared outbox table.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(shared::events::outbox::CreateOutboxTable),
            Box::new(CreateExtractionTable),
        ]
    }

    fn migration_table_name() -> DynIden {
        "vision_ocr_migrations".into_iden()
    }
}

struct CreateExtractionTable;

impl MigrationName for CreateExtractionTable {
    fn name(&self) -> &str {
        "m20261207_000001_create_extraction_table"
    }
}

fn short(col: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(col).string_len(len).not_null().to_owned()
}

fn millis(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateExtractionTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use extraction::Column as E;
        manager
            .create_table(
                Table::create()
                    .table(extraction::Entity)
                    .if_not_exists()
                    .col(short(E::Id, 36).primary_key())
                    .col(short(E::Kind, 16))
                    .col(short(E::Principal, 255))
                    .col(ColumnDef::new(E::IdempotencyKey).string_len(255).null())
                    .col(short(E::InputSha256, 64))
                    .col(short(E::MediaType, 32))
                    .col(ColumnDef::new(E::Draft).boolean().not_null())
                    .col(short(E::Lang, 8))
                    .col(short(E::State, 16))
                    .col(ColumnDef::new(E::Input).blob().null())
                    .col(ColumnDef::new(E::Status).integer().null())
                    .col(ColumnDef::new(E::Body).text().null())
                    .col(ColumnDef::new(E::Provider).string_len(16).null())
                    .col(ColumnDef::new(E::Attempts).integer().not_null())
                    .col(millis(E::ClaimedUntil))
                    .col(millis(E::NextTryAt))
                    .col(millis(E::CreatedAt))
                    .col(millis(E::UpdatedAt))
                    // With the table, not after it: a connection of the pool that read the schema in
                    // between would not know it (SQLite answered "ON CONFLICT clause does not match").
                    .index(
                        Index::create()
                            .name("extraction_idempotency")
                            .col(E::Principal)
                            .col(E::IdempotencyKey)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("extraction_waiting")
                    .table(extraction::Entity)
                    .col(E::State)
                    .col(E::NextTryAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }
}
