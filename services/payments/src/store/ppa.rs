//! The auto-pay rows: enrolments, the day's run and its lease, and the charges recorded before and
//! after each call to Stripe.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter, TransactionTrait};
use shared::events::{Envelope, outbox};

use super::{Store, ppa_charge, ppa_enrolment, ppa_run};

/// A process's hold on one day's run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The day (`2027-01-05`).
    pub day: String,
    /// Who holds it (one id per process).
    pub owner: String,
    /// How long a take or a renewal holds it, in ms.
    pub ttl_ms: i64,
}

/// The outcome of one attempt, recorded after Stripe answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeDone {
    /// The invoice charged.
    pub invoice: String,
    /// Its attempt.
    pub attempt: i32,
    /// `succeeded`, `processing` (a bank debit), `soft_declined`, `hard_declined`,
    /// `needs_authentication`.
    pub status: &'static str,
    /// `pi_…` of a success.
    pub payment_intent: Option<String>,
    /// The decline's code.
    pub decline_code: Option<String>,
    /// The day a soft decline is tried again.
    pub next_try_on: Option<String>,
}

impl Store {
    /// `customer`'s enrolment, if they ever enrolled.
    pub async fn ppa_enrolment(
        &self,
        customer: &str,
    ) -> Result<Option<ppa_enrolment::Model>, DbErr> {
        ppa_enrolment::Entity::find_by_id(customer.to_owned())
            .one(self.connection())
            .await
    }

    /// Records `row` as the customer's enrolment, replacing the one before.
    pub async fn set_ppa_enrolment(&self, row: ppa_enrolment::Model) -> Result<(), DbErr> {
        use ppa_enrolment::Column as E;
        ppa_enrolment::Entity::insert(ppa_enrolment::ActiveModel::from(row))
            .on_conflict(
                OnConflict::column(E::Customer)
                    .update_columns([
                        E::Method,
                        E::PaymentMethod,
                        E::Mandate,
                        E::Status,
                        E::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(self.connection())
            .await
            .map(|_| ())
    }

    /// The enrolment debiting under bank mandate `mandate`, if any.
    pub async fn ppa_enrolment_by_mandate(
        &self,
        mandate: &str,
    ) -> Result<Option<ppa_enrolment::Model>, DbErr> {
        ppa_enrolment::Entity::find()
            .filter(ppa_enrolment::Column::Mandate.eq(mandate))
            .one(self.connection())
            .await
    }

    /// Every active enrolment, by customer.
    pub async fn active_ppa_enrolments(&self) -> Result<Vec<ppa_enrolment::Model>, DbErr> {
        use sea_orm::QueryOrder as _;
        ppa_enrolment::Entity::find()
            .filter(ppa_enrolment::Column::Status.eq("active"))
            .order_by_asc(ppa_enrolment::Column::Customer)
            .all(self.connection())
            .await
    }

    /// Takes `lease` on its day's run when nobody holds it: the first run of the day, or one whose
    /// holder's lease ran out (it crashed). A finished day is taken again only when `again`.
    /// One conditional statement each, so two replicas never both take it.
    pub async fn take_ppa_lease(
        &self,
        lease: &Lease,
        now_ms: i64,
        again: bool,
    ) -> Result<bool, DbErr> {
        use ppa_run::Column as R;
        let row = ppa_run::ActiveModel {
            day: Set(lease.day.clone()),
            lease_owner: Set(lease.owner.clone()),
            lease_until: Set(now_ms + lease.ttl_ms),
            started_at: Set(now_ms),
            finished_at: Set(None),
            summary: Set(None),
        };
        let inserted = ppa_run::Entity::insert(row)
            .on_conflict(OnConflict::column(R::Day).do_nothing().to_owned())
            .exec_without_returning(self.connection())
            .await?;
        if inserted == 1 {
            return Ok(true);
        }
        let mut free = Condition::all()
            .add(R::Day.eq(&lease.day))
            .add(R::LeaseUntil.lt(now_ms));
        if !again {
            free = free.add(R::FinishedAt.is_null());
        }
        let taken = ppa_run::Entity::update_many()
            .col_expr(R::LeaseOwner, Expr::value(lease.owner.clone()))
            .col_expr(R::LeaseUntil, Expr::value(now_ms + lease.ttl_ms))
            .col_expr(R::StartedAt, Expr::value(now_ms))
            .col_expr(R::FinishedAt, Expr::value(Option::<i64>::None))
            .filter(free)
            .exec(self.connection())
            .await?;
        Ok(taken.rows_affected == 1)
    }

    /// Extends `lease`; `false` when it is no longer ours.
    pub async fn renew_ppa_lease(&self, lease: &Lease, now_ms: i64) -> Result<bool, DbErr> {
        use ppa_run::Column as R;
        let renewed = ppa_run::Entity::update_many()
            .col_expr(R::LeaseUntil, Expr::value(now_ms + lease.ttl_ms))
            .filter(R::Day.eq(&lease.day))
            .filter(R::LeaseOwner.eq(&lease.owner))
            .filter(R::LeaseUntil.gte(now_ms))
            .exec(self.connection())
            .await?;
        Ok(renewed.rows_affected == 1)
    }

    /// Records the day's run finished with `summary` and lets its lease go.
    pub async fn finish_ppa_run(
        &self,
        lease: &Lease,
        now_ms: i64,
        summary: &str,
    ) -> Result<(), DbErr> {
        use ppa_run::Column as R;
        ppa_run::Entity::update_many()
            .col_expr(R::LeaseUntil, Expr::value(now_ms))
            .col_expr(R::FinishedAt, Expr::value(now_ms))
            .col_expr(R::Summary, Expr::value(summary.to_owned()))
            .filter(R::Day.eq(&lease.day))
            .filter(R::LeaseOwner.eq(&lease.owner))
            .exec(self.connection())
            .await
            .map(|_| ())
    }

    /// Every attempt made on `invoices`.
    pub async fn ppa_charges_of(
        &self,
        invoices: &[String],
    ) -> Result<Vec<ppa_charge::Model>, DbErr> {
        ppa_charge::Entity::find()
            .filter(ppa_charge::Column::Invoice.is_in(invoices.iter().cloned()))
            .all(self.connection())
            .await
    }

    /// Records an attempt about to be made (`pending`); `false` when it was recorded before.
    pub async fn new_ppa_charge(&self, row: ppa_charge::Model) -> Result<bool, DbErr> {
        use ppa_charge::Column as C;
        let inserted = ppa_charge::Entity::insert(ppa_charge::ActiveModel::from(row))
            .on_conflict(
                OnConflict::columns([C::Invoice, C::Attempt])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(self.connection())
            .await?;
        Ok(inserted == 1)
    }

    /// Records what Stripe answered to an attempt, with `events` (a pay link) in the outbox, in one
    /// transaction.
    pub async fn ppa_charge_done(
        &self,
        done: &ChargeDone,
        events: &[Envelope],
    ) -> Result<(), DbErr> {
        use ppa_charge::Column as C;
        let txn = self.connection().begin().await?;
        ppa_charge::Entity::update_many()
            .col_expr(C::Status, Expr::value(done.status))
            .col_expr(C::PaymentIntent, Expr::value(done.payment_intent.clone()))
            .col_expr(C::DeclineCode, Expr::value(done.decline_code.clone()))
            .col_expr(C::NextTryOn, Expr::value(done.next_try_on.clone()))
            .filter(C::Invoice.eq(&done.invoice))
            .filter(C::Attempt.eq(done.attempt))
            .exec(&txn)
            .await?;
        outbox::enqueue_many(&txn, events).await?;
        txn.commit().await
    }

    /// Records how a bank debit left `processing` settled (`done.status`); `false` when the
    /// attempt was not processing (settled before, or not a bank debit).
    pub async fn ppa_debit_settled(&self, done: &ChargeDone) -> Result<bool, DbErr> {
        use ppa_charge::Column as C;
        let updated = ppa_charge::Entity::update_many()
            .col_expr(C::Status, Expr::value(done.status))
            .col_expr(C::DeclineCode, Expr::value(done.decline_code.clone()))
            .col_expr(C::NextTryOn, Expr::value(done.next_try_on.clone()))
            .filter(C::Invoice.eq(&done.invoice))
            .filter(C::Attempt.eq(done.attempt))
            .filter(C::Status.eq("processing"))
            .exec(self.connection())
            .await?;
        Ok(updated.rows_affected == 1)
    }
}
