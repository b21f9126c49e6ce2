//! Migrations of the payments service (sea-orm's schema builder, the same on SQLite and PostgreSQL).

use sea_orm_migration::prelude::*;

use super::stripe_event::{Column, Entity};
use super::{checkout, payment, refund, stripe_customer};

/// This service's tables plus the shared outbox table.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(shared::events::outbox::CreateOutboxTable),
            Box::new(CreateStripeEvent),
            Box::new(CreateCheckoutAndPayment),
            Box::new(CreateRefund),
            Box::new(super::ppa_migration::CreatePpaTables),
            Box::new(OneRowPerStripeRefund),
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

struct CreateCheckoutAndPayment;

impl MigrationName for CreateCheckoutAndPayment {
    fn name(&self) -> &str {
        "m20261207_000002_create_checkout_and_payment"
    }
}

fn text_key<C: IntoIden>(column: C) -> ColumnDef {
    ColumnDef::new(column)
        .string_len(255)
        .not_null()
        .primary_key()
        .to_owned()
}

fn text<C: IntoIden>(column: C) -> ColumnDef {
    ColumnDef::new(column).string_len(255).not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateCheckoutAndPayment {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use checkout::Column as C;
        use payment::Column as P;
        manager
            .alter_table(
                Table::alter()
                    .table(Entity)
                    .add_column(
                        ColumnDef::new(Column::NextTryAt)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(stripe_customer::Entity)
                    .if_not_exists()
                    .col(text_key(stripe_customer::Column::Customer))
                    .col(text(stripe_customer::Column::StripeId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(checkout::Entity)
                    .if_not_exists()
                    .col(text_key(C::Id))
                    .col(text(C::Customer))
                    .col(text(C::Kind))
                    .col(text(C::Method))
                    .col(ColumnDef::new(C::Invoices).text().not_null())
                    .col(ColumnDef::new(C::AmountCents).big_integer().not_null())
                    .col(ColumnDef::new(C::StripeSession).string_len(255).null())
                    .col(ColumnDef::new(C::Url).text().null())
                    .col(text(C::Status))
                    .col(ColumnDef::new(C::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(C::ReturnedAt).big_integer().null())
                    .to_owned(),
            )
            .await?;
        // A second click finds the customer's recent open session; the return page finds a session.
        manager
            .create_index(
                Index::create()
                    .name("checkout_by_customer")
                    .table(checkout::Entity)
                    .col(C::Customer)
                    .col(C::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("checkout_by_session")
                    .table(checkout::Entity)
                    .col(C::StripeSession)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(payment::Entity)
                    .if_not_exists()
                    .col(text_key(P::PaymentIntent))
                    .col(text(P::Customer))
                    .col(ColumnDef::new(P::Checkout).string_len(255).null())
                    .col(ColumnDef::new(P::AmountCents).big_integer().not_null())
                    .col(ColumnDef::new(P::FeeCents).big_integer().not_null())
                    .col(text(P::Status))
                    .col(ColumnDef::new(P::PaymentEntry).string_len(255).null())
                    .col(ColumnDef::new(P::ClaimedUntil).big_integer().not_null())
                    .col(ColumnDef::new(P::BookedAt).big_integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            payment::Entity.into_iden(),
            checkout::Entity.into_iden(),
            stripe_customer::Entity.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Entity)
                    .drop_column(Column::NextTryAt)
                    .to_owned(),
            )
            .await
    }
}

struct CreateRefund;

impl MigrationName for CreateRefund {
    fn name(&self) -> &str {
        "m20261207_000003_create_refund"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateRefund {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use refund::Column as R;
        manager
            .create_table(
                Table::create()
                    .table(refund::Entity)
                    .if_not_exists()
                    .col(text_key(R::Id))
                    .col(text(R::PaymentIntent))
                    .col(text(R::Customer))
                    .col(ColumnDef::new(R::AmountCents).big_integer().not_null())
                    .col(text(R::Reason))
                    .col(text(R::Staff))
                    .col(ColumnDef::new(R::StripeRefund).string_len(255).null())
                    .col(text(R::Status))
                    .col(ColumnDef::new(R::PaymentEntry).string_len(255).null())
                    .col(ColumnDef::new(R::CreatedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        // What is refunded of a payment is summed over its refunds.
        manager
            .create_index(
                Index::create()
                    .name("refund_by_payment")
                    .table(refund::Entity)
                    .col(R::PaymentIntent)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(refund::Entity).if_exists().to_owned())
            .await
    }
}

/// A refund made in Stripe's dashboard is recorded once however many `charge.refunded` tell of it.
struct OneRowPerStripeRefund;

impl MigrationName for OneRowPerStripeRefund {
    fn name(&self) -> &str {
        "m20261207_000005_refund_unique_stripe_id"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OneRowPerStripeRefund {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("refund_stripe_id")
                    .table(refund::Entity)
                    .col(refund::Column::StripeRefund)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("refund_stripe_id")
                    .table(refund::Entity)
                    .to_owned(),
            )
            .await
    }
}
