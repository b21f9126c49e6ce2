//! `docuseal_event`: the webhook's inbox. Intake records an event once by `(event_type, data.id)`
//! (DocuSeal's redeliveries repeat both) and answers 200; the processing reads it off the request
//! path.

use sea_orm::entity::prelude::*;

/// One event received from DocuSeal.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "docuseal_event")]
pub struct Model {
    /// `<event_type>:<data.id>` (`form.completed:42`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `form.completed`, `form.viewed`, `submission.expired`, …
    pub event_type: String,
    /// The submission it concerns (`data.submission_id`, or `data.id` of a submission event).
    pub envelope_id: Option<String>,
    /// The body as received.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// When it was received (Unix ms).
    pub received_at: i64,
    /// When it was processed (Unix ms); none while waiting.
    pub processed_at: Option<i64>,
    /// Not to be tried again before (Unix ms).
    pub next_try_at: i64,
    /// Failed processing attempts.
    pub attempts: i32,
    /// What the processing made of it (`applied`, `unchanged`, `unknown_envelope`, `ignored`), or
    /// the last failure while waiting.
    #[sea_orm(column_type = "Text", nullable)]
    pub outcome: Option<String>,
}

/// The inbox relates to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
