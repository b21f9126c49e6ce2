//! The checkout rows and the Stripe customers: what the pay routes and the return page read and write.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{Store, checkout, stripe_customer};
use crate::checkout::{Plan, REUSE_WINDOW_MS};

impl Store {
    /// The customer's open session for the same payment made in the last 30 minutes, if any.
    pub async fn reusable_checkout(
        &self,
        plan: &Plan,
        now_ms: i64,
    ) -> Result<Option<checkout::Model>, DbErr> {
        use checkout::Column as C;
        checkout::Entity::find()
            .filter(C::Customer.eq(&plan.customer))
            .filter(C::CreatedAt.gt(now_ms - REUSE_WINDOW_MS))
            .filter(C::Kind.eq(plan.kind.as_str()))
            .filter(C::Method.eq(plan.method.as_str()))
            .filter(C::Invoices.eq(plan.invoices_json()))
            .filter(C::AmountCents.eq(plan.amount.get()))
            .filter(C::Status.eq("open"))
            .filter(C::Url.is_not_null())
            .order_by_desc(C::CreatedAt)
            .one(self.connection())
            .await
    }

    /// Records a checkout about to be asked of Stripe; returns its id.
    pub async fn new_checkout(&self, plan: &Plan, now_ms: i64) -> Result<String, DbErr> {
        let id = uuid::Uuid::now_v7().to_string();
        checkout::Entity::insert(checkout::ActiveModel {
            id: Set(id.clone()),
            customer: Set(plan.customer.clone()),
            kind: Set(plan.kind.as_str().to_owned()),
            method: Set(plan.method.as_str().to_owned()),
            invoices: Set(plan.invoices_json()),
            amount_cents: Set(plan.amount.get()),
            stripe_session: Set(None),
            url: Set(None),
            status: Set("open".to_owned()),
            created_at: Set(now_ms),
            returned_at: Set(None),
        })
        .exec_without_returning(self.connection())
        .await?;
        Ok(id)
    }

    /// Notes the session Stripe made for checkout `id`.
    pub async fn checkout_session_made(
        &self,
        id: &str,
        session: &str,
        url: &str,
    ) -> Result<(), DbErr> {
        checkout::Entity::update(checkout::ActiveModel {
            id: Set(id.to_owned()),
            stripe_session: Set(Some(session.to_owned())),
            url: Set(Some(url.to_owned())),
            ..Default::default()
        })
        .exec(self.connection())
        .await
        .map(|_| ())
    }

    /// Checkout `id`.
    pub async fn checkout(&self, id: &str) -> Result<Option<checkout::Model>, DbErr> {
        checkout::Entity::find_by_id(id.to_owned())
            .one(self.connection())
            .await
    }

    /// The checkout of Stripe session `session`.
    pub async fn checkout_of_session(
        &self,
        session: &str,
    ) -> Result<Option<checkout::Model>, DbErr> {
        checkout::Entity::find()
            .filter(checkout::Column::StripeSession.eq(session))
            .one(self.connection())
            .await
    }

    /// Marks checkout `id` as returned through; `false` when it was before (a session lets one
    /// return in, so a session id found later in a browser's history opens nothing).
    pub async fn checkout_returned(&self, id: &str, now_ms: i64) -> Result<bool, DbErr> {
        let done = checkout::Entity::update_many()
            .col_expr(checkout::Column::ReturnedAt, now_ms.into())
            .filter(checkout::Column::Id.eq(id))
            .filter(checkout::Column::ReturnedAt.is_null())
            .exec(self.connection())
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// Puts `events` in the outbox.
    pub async fn enqueue(&self, events: &[shared::events::Envelope]) -> Result<(), DbErr> {
        shared::events::outbox::enqueue_many(self.connection(), events).await
    }

    /// Customer `customer`'s Stripe customer, if made.
    pub async fn stripe_customer(&self, customer: &str) -> Result<Option<String>, DbErr> {
        Ok(stripe_customer::Entity::find_by_id(customer.to_owned())
            .one(self.connection())
            .await?
            .map(|m| m.stripe_id))
    }

    /// Our customer whose Stripe customer is `stripe_id`, if any.
    pub async fn customer_of_stripe(&self, stripe_id: &str) -> Result<Option<String>, DbErr> {
        Ok(stripe_customer::Entity::find()
            .filter(stripe_customer::Column::StripeId.eq(stripe_id))
            .one(self.connection())
            .await?
            .map(|m| m.customer))
    }

    /// Records `customer`'s Stripe customer (the first one recorded stays).
    pub async fn set_stripe_customer(&self, customer: &str, stripe_id: &str) -> Result<(), DbErr> {
        let row = stripe_customer::ActiveModel {
            customer: Set(customer.to_owned()),
            stripe_id: Set(stripe_id.to_owned()),
        };
        match stripe_customer::Entity::insert(row)
            .on_conflict(
                OnConflict::column(stripe_customer::Column::Customer)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(self.connection())
            .await
        {
            Ok(_) | Err(DbErr::RecordNotInserted) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
