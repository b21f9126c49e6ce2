//! `stripe_event`: the webhook's inbox. Intake records a verified event once by its id and answers
//! 200; the processing (booking in ERPNext) reads it off the request path.

use sea_orm::entity::prelude::*;

/// One event received from Stripe.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stripe_event")]
pub struct Model {
    /// `evt_…`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Its type (`checkout.session.completed`, …).
    pub kind: String,
    /// When Stripe created it (Unix seconds).
    pub created: i64,
    /// The body as received.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// When it was received (Unix ms).
    pub received_at: i64,
    /// When it was processed (Unix ms); none while waiting.
    pub processed_at: Option<i64>,
    /// Not to be tried again before (Unix ms): a failure waits longer each time.
    pub next_try_at: i64,
    /// Failed processing attempts.
    pub attempts: i32,
    /// The last processing failure.
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
}

/// The inbox relates to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
