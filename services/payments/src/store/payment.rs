//! `payment`: one row per PaymentIntent that brought money, whichever event told us first. The row
//! is also the lock of its booking: a worker claims it (`claimed_until`) before it books in ERPNext,
//! so two events of the same payment, or two replicas, never book it at once.

use sea_orm::entity::prelude::*;

/// One payment received.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    /// `pi_…`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub payment_intent: String,
    /// The ERPNext Customer.
    pub customer: String,
    /// Our checkout it came from, if any.
    pub checkout: Option<String>,
    /// What was received, in cents.
    pub amount_cents: i64,
    /// Stripe's fee, in cents.
    pub fee_cents: i64,
    /// `booking` until its Payment Entry exists, then `booked`.
    pub status: String,
    /// The Payment Entry (`ACC-PAY-…`), once booked.
    pub payment_entry: Option<String>,
    /// A worker booking it holds it until then (Unix ms).
    pub claimed_until: i64,
    /// When it was booked (Unix ms).
    pub booked_at: Option<i64>,
}

/// The payment relates to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
