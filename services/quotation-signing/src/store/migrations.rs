//! Migrations of quotation-signing (sea-orm's schema builder, the same on SQLite and PostgreSQL).
//! Spelled out rather than derived from the entities, so a step never changes once shipped.

use sea_orm_migration::prelude::*;

use super::{acceptance, docuseal_event, quote, quote_history};

/// This service's tables plus the shared outbox table.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(shared::events::outbox::CreateOutboxTable),
            Box::new(CreateQuoteTables),
        ]
    }

    fn migration_table_name() -> DynIden {
        "quotation_signing_migrations".into_iden()
    }
}

struct CreateQuoteTables;

impl MigrationName for CreateQuoteTables {
    fn name(&self) -> &str {
        "m20261207_000001_create_quote_tables"
    }
}

fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}

fn text_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().null().to_owned()
}

fn name(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string_len(255).not_null().to_owned()
}

fn name_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string_len(255).null().to_owned()
}

fn millis(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn quote_table() -> TableCreateStatement {
    use quote::Column as Q;
    Table::create()
        .table(quote::Entity)
        .if_not_exists()
        .col(name(Q::Quotation).primary_key())
        .col(name(Q::Customer))
        .col(ColumnDef::new(Q::QuoteType).string_len(16).not_null())
        .col(name_null(Q::EnvelopeId).unique_key())
        .col(text_null(Q::SigningUrl))
        .col(ColumnDef::new(Q::Lang).string_len(8).not_null())
        .col(ColumnDef::new(Q::Status).string_len(16).not_null())
        .col(ColumnDef::new(Q::ValidTill).string_len(10).not_null())
        .col(name_null(Q::SalesOrder))
        .col(millis(Q::ClaimedUntil))
        .col(ColumnDef::new(Q::Attempts).integer().not_null().default(0))
        .col(millis(Q::NextTryAt))
        .col(text_null(Q::LastError))
        .col(millis(Q::CreatedAt))
        .col(millis(Q::UpdatedAt))
        .to_owned()
}

fn history_table() -> TableCreateStatement {
    use quote_history::Column as H;
    Table::create()
        .table(quote_history::Entity)
        .if_not_exists()
        .col(
            ColumnDef::new(H::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(name(H::Quotation))
        .col(ColumnDef::new(H::Status).string_len(16).not_null())
        .col(millis(H::At))
        .col(text(H::Detail))
        .to_owned()
}

fn acceptance_table() -> TableCreateStatement {
    use acceptance::Column as A;
    Table::create()
        .table(acceptance::Entity)
        .if_not_exists()
        .col(name(A::Quotation).primary_key())
        .col(ColumnDef::new(A::Method).string_len(16).not_null())
        .col(name(A::SignerName))
        .col(name_null(A::SignerEmail))
        .col(millis(A::SignedAt))
        .col(ColumnDef::new(A::Ip).string_len(64).null())
        .col(text_null(A::UserAgent))
        .col(text_null(A::AuditLogUrl))
        .col(text_null(A::DocumentUrl))
        .col(name_null(A::EnvelopeId))
        .to_owned()
}

fn event_table() -> TableCreateStatement {
    use docuseal_event::Column as E;
    Table::create()
        .table(docuseal_event::Entity)
        .if_not_exists()
        .col(name(E::Id).primary_key())
        .col(ColumnDef::new(E::EventType).string_len(64).not_null())
        .col(name_null(E::EnvelopeId))
        .col(text(E::Payload))
        .col(millis(E::ReceivedAt))
        .col(ColumnDef::new(E::ProcessedAt).big_integer().null())
        .col(millis(E::NextTryAt))
        .col(ColumnDef::new(E::Attempts).integer().not_null().default(0))
        .col(text_null(E::Outcome))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateQuoteTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            quote_table(),
            history_table(),
            acceptance_table(),
            event_table(),
        ] {
            manager.create_table(table).await?;
        }
        // The acceptor reads the signed quotes whose time has come.
        manager
            .create_index(
                Index::create()
                    .name("quote_to_accept")
                    .table(quote::Entity)
                    .col(quote::Column::Status)
                    .col(quote::Column::NextTryAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("quote_by_customer")
                    .table(quote::Entity)
                    .col(quote::Column::Customer)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("quote_history_of")
                    .table(quote_history::Entity)
                    .col(quote_history::Column::Quotation)
                    .col(quote_history::Column::Id)
                    .to_owned(),
            )
            .await?;
        // The processing reads the waiting events in the order they came.
        manager
            .create_index(
                Index::create()
                    .name("docuseal_event_waiting")
                    .table(docuseal_event::Entity)
                    .col(docuseal_event::Column::ProcessedAt)
                    .col(docuseal_event::Column::ReceivedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(docuseal_event::Entity).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(acceptance::Entity).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(quote_history::Entity).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(quote::Entity).to_owned())
            .await
    }
}
