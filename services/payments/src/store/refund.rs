//! `refund`: each refund staff asked for. Its Stripe call's `Idempotency-Key` is `refund:<id>`, so a
//! retried call never refunds twice; its Payment Entry (money paid back to the customer) is booked
//! after Stripe says it succeeded, again by the processor if ERPNext was down.

use sea_orm::entity::prelude::*;

/// One refund.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refund")]
pub struct Model {
    /// Our id (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The payment refunded (`pi_…`).
    pub payment_intent: String,
    /// The ERPNext Customer.
    pub customer: String,
    /// How much, in cents.
    pub amount_cents: i64,
    /// `requested_by_customer`, `duplicate` or `fraudulent`.
    pub reason: String,
    /// The staff member who asked.
    pub staff: String,
    /// `re_…`, once Stripe made it.
    pub stripe_refund: Option<String>,
    /// `pending` (asked), `succeeded`, `failed`.
    pub status: String,
    /// The Payment Entry paying the customer back, once booked.
    pub payment_entry: Option<String>,
    /// When it was asked for (Unix ms).
    pub created_at: i64,
}

/// The refund relates to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
