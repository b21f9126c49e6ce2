//! The inbox's processing: the events waiting, in the order they came; and the `payment` rows that
//! make booking a PaymentIntent happen once (a claim with a lease, then the booking recorded with its
//! events in one transaction).

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{
    ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use shared::events::{Envelope, outbox};

use super::{Store, checkout, payment, stripe_event};

/// Who books a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This worker: book it, then [`Store::payment_booked`].
    Mine,
    /// Booked before, by this Payment Entry.
    Booked(String),
    /// Another worker holds it until its lease ends: try again later.
    Held,
}

/// A payment about to be booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment<'a> {
    /// `pi_…`.
    pub payment_intent: &'a str,
    /// The ERPNext Customer.
    pub customer: &'a str,
    /// Our checkout.
    pub checkout: Option<&'a str>,
    /// Received, in cents.
    pub amount_cents: i64,
    /// Stripe's fee, in cents.
    pub fee_cents: i64,
}

impl Store {
    /// Up to `limit` events waiting to be processed whose time has come, oldest first.
    pub async fn waiting_events(
        &self,
        now_ms: i64,
        limit: u64,
    ) -> Result<Vec<stripe_event::Model>, DbErr> {
        use stripe_event::Column as E;
        stripe_event::Entity::find()
            .filter(E::ProcessedAt.is_null())
            .filter(E::NextTryAt.lte(now_ms))
            .order_by_asc(E::ReceivedAt)
            .order_by_asc(E::Id)
            .limit(limit)
            .all(self.connection())
            .await
    }

    /// How many events wait to be processed, and when the oldest of them came (Unix ms).
    pub async fn inbox_backlog(&self) -> Result<(i64, Option<i64>), DbErr> {
        use sea_orm::PaginatorTrait as _;
        use stripe_event::Column as E;
        let waiting = stripe_event::Entity::find()
            .filter(E::ProcessedAt.is_null())
            .count(self.connection())
            .await?;
        let oldest = stripe_event::Entity::find()
            .filter(E::ProcessedAt.is_null())
            .order_by_asc(E::ReceivedAt)
            .one(self.connection())
            .await?
            .map(|e| e.received_at);
        Ok((i64::try_from(waiting).unwrap_or(i64::MAX), oldest))
    }

    /// Event `id` is done with; `note` says why nothing was done, when something was expected.
    pub async fn event_processed(
        &self,
        id: &str,
        now_ms: i64,
        note: Option<String>,
    ) -> Result<(), DbErr> {
        stripe_event::Entity::update_many()
            .col_expr(stripe_event::Column::ProcessedAt, Expr::value(now_ms))
            .col_expr(stripe_event::Column::LastError, Expr::value(note))
            .filter(stripe_event::Column::Id.eq(id))
            .exec(self.connection())
            .await
            .map(|_| ())
    }

    /// Event `id` failed; it is tried again from `next_try_at`.
    pub async fn event_failed(&self, id: &str, error: &str, next_try_at: i64) -> Result<(), DbErr> {
        use stripe_event::Column as E;
        stripe_event::Entity::update_many()
            .col_expr(E::Attempts, Expr::col(E::Attempts).add(1))
            .col_expr(E::LastError, Expr::value(error.to_owned()))
            .col_expr(E::NextTryAt, Expr::value(next_try_at))
            .filter(E::Id.eq(id))
            .exec(self.connection())
            .await
            .map(|_| ())
    }

    /// Claims the booking of `new` until `now_ms + lease_ms`.
    pub async fn claim_payment(
        &self,
        new: &NewPayment<'_>,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Claim, DbErr> {
        use payment::Column as P;
        let row = payment::ActiveModel {
            payment_intent: Set(new.payment_intent.to_owned()),
            customer: Set(new.customer.to_owned()),
            checkout: Set(new.checkout.map(str::to_owned)),
            amount_cents: Set(new.amount_cents),
            fee_cents: Set(new.fee_cents),
            status: Set("booking".to_owned()),
            payment_entry: Set(None),
            claimed_until: Set(now_ms + lease_ms),
            booked_at: Set(None),
        };
        let inserted = payment::Entity::insert(row)
            .on_conflict(OnConflict::column(P::PaymentIntent).do_nothing().to_owned())
            .exec_without_returning(self.connection())
            .await?;
        if inserted == 1 {
            return Ok(Claim::Mine);
        }
        let taken = payment::Entity::update_many()
            .col_expr(P::ClaimedUntil, Expr::value(now_ms + lease_ms))
            .filter(P::PaymentIntent.eq(new.payment_intent))
            .filter(P::Status.eq("booking"))
            .filter(P::ClaimedUntil.lt(now_ms))
            .exec(self.connection())
            .await?;
        if taken.rows_affected == 1 {
            return Ok(Claim::Mine);
        }
        let existing = payment::Entity::find_by_id(new.payment_intent.to_owned())
            .one(self.connection())
            .await?;
        Ok(match existing.and_then(|p| p.payment_entry) {
            Some(entry) => Claim::Booked(entry),
            None => Claim::Held,
        })
    }

    /// Whether `payment_intent` is booked.
    pub async fn is_booked(&self, payment_intent: &str) -> Result<bool, DbErr> {
        Ok(payment::Entity::find_by_id(payment_intent.to_owned())
            .one(self.connection())
            .await?
            .is_some_and(|p| p.payment_entry.is_some()))
    }

    /// Records `payment_intent` booked as `entry` and its checkout paid, with `events` (the fact and
    /// the receipt) in the outbox, in one transaction.
    pub async fn payment_booked(
        &self,
        payment_intent: &str,
        checkout_id: Option<&str>,
        entry: &str,
        events: &[Envelope],
        now_ms: i64,
    ) -> Result<(), DbErr> {
        use payment::Column as P;
        let txn = self.connection().begin().await?;
        payment::Entity::update_many()
            .col_expr(P::Status, Expr::value("booked"))
            .col_expr(P::PaymentEntry, Expr::value(entry.to_owned()))
            .col_expr(P::BookedAt, Expr::value(now_ms))
            .filter(P::PaymentIntent.eq(payment_intent))
            .exec(&txn)
            .await?;
        if let Some(id) = checkout_id {
            checkout::Entity::update_many()
                .col_expr(checkout::Column::Status, Expr::value("paid"))
                .filter(checkout::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
        outbox::enqueue_many(&txn, events).await?;
        txn.commit().await
    }
}
