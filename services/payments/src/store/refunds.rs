//! The refunds asked for, and the payments they draw on.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{Store, payment, refund};

impl Store {
    /// The booked payment `payment_intent`.
    pub async fn booked_payment(
        &self,
        payment_intent: &str,
    ) -> Result<Option<payment::Model>, DbErr> {
        Ok(payment::Entity::find_by_id(payment_intent.to_owned())
            .one(self.connection())
            .await?
            .filter(|p| p.payment_entry.is_some()))
    }

    /// The refunds of `payment_intent` that did not fail, newest first.
    pub async fn refunds_of(&self, payment_intent: &str) -> Result<Vec<refund::Model>, DbErr> {
        refund::Entity::find()
            .filter(refund::Column::PaymentIntent.eq(payment_intent))
            .filter(refund::Column::Status.ne("failed"))
            .order_by_desc(refund::Column::CreatedAt)
            .all(self.connection())
            .await
    }

    /// Records a refund about to be asked of Stripe.
    pub async fn new_refund(&self, row: refund::Model) -> Result<(), DbErr> {
        refund::Entity::insert(refund::ActiveModel {
            id: Set(row.id),
            payment_intent: Set(row.payment_intent),
            customer: Set(row.customer),
            amount_cents: Set(row.amount_cents),
            reason: Set(row.reason),
            staff: Set(row.staff),
            stripe_refund: Set(row.stripe_refund),
            status: Set(row.status),
            payment_entry: Set(row.payment_entry),
            created_at: Set(row.created_at),
        })
        .exec_without_returning(self.connection())
        .await
        .map(|_| ())
    }

    /// Notes what Stripe answered for refund `id`.
    pub async fn refund_answered(
        &self,
        id: &str,
        status: &str,
        stripe_refund: Option<&str>,
    ) -> Result<(), DbErr> {
        refund::Entity::update_many()
            .col_expr(refund::Column::Status, Expr::value(status))
            .col_expr(
                refund::Column::StripeRefund,
                Expr::value(stripe_refund.map(str::to_owned)),
            )
            .filter(refund::Column::Id.eq(id))
            .exec(self.connection())
            .await
            .map(|_| ())
    }

    /// Notes refund `id`'s Payment Entry.
    pub async fn refund_booked(&self, id: &str, entry: &str) -> Result<(), DbErr> {
        refund::Entity::update_many()
            .col_expr(refund::Column::PaymentEntry, Expr::value(entry.to_owned()))
            .filter(refund::Column::Id.eq(id))
            .exec(self.connection())
            .await
            .map(|_| ())
    }

    /// Records a refund made outside this service, once per Stripe refund id.
    pub async fn outside_refund(&self, row: refund::Model) -> Result<(), DbErr> {
        use sea_orm::sea_query::OnConflict;
        let insert = refund::Entity::insert(refund::ActiveModel {
            id: Set(row.id),
            payment_intent: Set(row.payment_intent),
            customer: Set(row.customer),
            amount_cents: Set(row.amount_cents),
            reason: Set(row.reason),
            staff: Set(row.staff),
            stripe_refund: Set(row.stripe_refund),
            status: Set(row.status),
            payment_entry: Set(row.payment_entry),
            created_at: Set(row.created_at),
        })
        .on_conflict(
            OnConflict::column(refund::Column::StripeRefund)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(self.connection())
        .await;
        match insert {
            Ok(_) | Err(DbErr::RecordNotInserted) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Whether a worker has taken `payment_intent` to book it (booked or on its way).
    pub async fn is_claimed(&self, payment_intent: &str) -> Result<bool, DbErr> {
        Ok(payment::Entity::find_by_id(payment_intent.to_owned())
            .one(self.connection())
            .await?
            .is_some())
    }

    /// Refunds Stripe made that have no Payment Entry yet.
    pub async fn refunds_to_book(&self) -> Result<Vec<refund::Model>, DbErr> {
        refund::Entity::find()
            .filter(refund::Column::Status.eq("succeeded"))
            .filter(refund::Column::PaymentEntry.is_null())
            .all(self.connection())
            .await
    }
}
