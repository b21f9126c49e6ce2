//! The auto-pay tables: `ppa_enrolment`, `ppa_run`, `ppa_charge` (docs/payments.md, "Tables").

use sea_orm_migration::prelude::*;

use super::{ppa_charge, ppa_enrolment, ppa_run};

/// Creates the three auto-pay tables.
pub struct CreatePpaTables;

impl MigrationName for CreatePpaTables {
    fn name(&self) -> &str {
        "m20261207_000003_create_ppa"
    }
}

fn text<C: IntoIden>(column: C) -> ColumnDef {
    ColumnDef::new(column).string_len(255).not_null().to_owned()
}

fn optional_text<C: IntoIden>(column: C) -> ColumnDef {
    ColumnDef::new(column).string_len(255).null().to_owned()
}

fn int64<C: IntoIden>(column: C) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreatePpaTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Spelled out rather than derived from the entities, so the step never changes once shipped.
        use ppa_charge::Column as C;
        use ppa_enrolment::Column as E;
        use ppa_run::Column as R;
        manager
            .create_table(
                Table::create()
                    .table(ppa_enrolment::Entity)
                    .if_not_exists()
                    .col(text(E::Customer).primary_key())
                    .col(text(E::Method))
                    .col(optional_text(E::PaymentMethod))
                    .col(optional_text(E::Mandate))
                    .col(text(E::Status))
                    .col(int64(E::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ppa_run::Entity)
                    .if_not_exists()
                    .col(text(R::Day).primary_key())
                    .col(text(R::LeaseOwner))
                    .col(int64(R::LeaseUntil))
                    .col(int64(R::StartedAt))
                    .col(ColumnDef::new(R::FinishedAt).big_integer().null())
                    .col(ColumnDef::new(R::Summary).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ppa_charge::Entity)
                    .if_not_exists()
                    .col(text(C::Invoice))
                    .col(ColumnDef::new(C::Attempt).integer().not_null())
                    .col(text(C::Day))
                    .col(text(C::Customer))
                    .col(int64(C::AmountCents))
                    .col(optional_text(C::PaymentIntent))
                    .col(text(C::Status))
                    .col(optional_text(C::DeclineCode))
                    .col(optional_text(C::NextTryOn))
                    .primary_key(Index::create().col(C::Invoice).col(C::Attempt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ppa_charge::Entity.into_iden(),
            ppa_run::Entity.into_iden(),
            ppa_enrolment::Entity.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
