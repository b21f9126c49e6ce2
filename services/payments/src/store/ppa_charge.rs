//! `ppa_charge`: each attempt at charging an invoice by auto-pay, recorded `pending` before Stripe
//! is called and with its outcome after. `(invoice, attempt)` is the key and the PaymentIntent's
//! `Idempotency-Key` (`ppa:<invoice>:<attempt>`), so no attempt is ever made twice.

use sea_orm::entity::prelude::*;

/// One attempt.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ppa_charge")]
pub struct Model {
    /// The Sales Invoice charged.
    #[sea_orm(primary_key, auto_increment = false)]
    pub invoice: String,
    /// 1, then 2 and 3 after soft declines.
    #[sea_orm(primary_key, auto_increment = false)]
    pub attempt: i32,
    /// The run's day (`2027-01-05`).
    pub day: String,
    /// The ERPNext Customer.
    pub customer: String,
    /// Asked, in cents.
    pub amount_cents: i64,
    /// `pi_…` when Stripe made one that succeeded.
    pub payment_intent: Option<String>,
    /// `pending`, `succeeded`, `soft_declined`, `hard_declined`, `needs_authentication`.
    pub status: String,
    /// Stripe's `decline_code` (or `code`) of a decline.
    pub decline_code: Option<String>,
    /// A soft decline is tried again from this day (`2027-01-08`); none: never again.
    pub next_try_on: Option<String>,
}

/// The charge relates to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
