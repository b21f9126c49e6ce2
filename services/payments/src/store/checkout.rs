//! `checkout`: what we asked Stripe for, one row per Checkout Session we made. The Stripe call's
//! `Idempotency-Key` is `checkout:<id>`, so a retried call never makes a second session.

use sea_orm::entity::prelude::*;

/// One Checkout Session asked of Stripe.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checkout")]
pub struct Model {
    /// Our id (UUIDv7), also the session's `client_reference_id` and its PaymentIntent's
    /// `metadata[checkout]`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The ERPNext Customer.
    pub customer: String,
    /// `invoice`, `balance` or `setup`.
    pub kind: String,
    /// `card` or `klarna`.
    pub method: String,
    /// The invoices paid and how much of each, in cents: `[["ACC-SINV-…", 5749], …]` (JSON).
    #[sea_orm(column_type = "Text")]
    pub invoices: String,
    /// The amount asked, in cents.
    pub amount_cents: i64,
    /// `cs_…`, once Stripe made it.
    pub stripe_session: Option<String>,
    /// The hosted page's address, once Stripe made it.
    #[sea_orm(column_type = "Text", nullable)]
    pub url: Option<String>,
    /// `open`, `paid`, `expired`.
    pub status: String,
    /// When it was asked for (Unix ms).
    pub created_at: i64,
    /// When Stripe sent the customer back to us with it (Unix ms): a session lets one return in.
    pub returned_at: Option<i64>,
}

/// The checkout relates to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
