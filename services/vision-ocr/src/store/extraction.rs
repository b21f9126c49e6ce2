//! `extraction`: one reading asked for, its idempotency key, the upload while a worker has yet to
//! read it, and the answer given (replayed to a retry).

use sea_orm::entity::prelude::*;

/// One reading of an invoice or a label.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "extraction")]
pub struct Model {
    /// A UUID v7 (time-ordered).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `invoice` or `equipment`.
    pub kind: String,
    /// Who asked: `staff:<username>` or `tech:<technician>`.
    pub principal: String,
    /// The caller's `Idempotency-Key`, unique with the principal.
    pub idempotency_key: Option<String>,
    /// SHA-256 of the upload (hex): the same key with another file is refused.
    pub input_sha256: String,
    /// What the upload is (`image/jpeg`…).
    pub media_type: String,
    /// `?draft=true`: make a draft Purchase Invoice.
    pub draft: bool,
    /// The language of the answer's words (`fr` or `en`).
    pub lang: String,
    /// `queued` (a job waiting), `running`, `done` or `failed`.
    pub state: String,
    /// The upload, kept only while a job waits or runs.
    #[sea_orm(column_type = "Blob", nullable)]
    pub input: Option<Vec<u8>>,
    /// The HTTP status of the answer, once there is one.
    pub status: Option<i32>,
    /// The answer (JSON), once there is one.
    #[sea_orm(column_type = "Text", nullable)]
    pub body: Option<String>,
    /// `gemini` or `local`, once read.
    pub provider: Option<String>,
    /// Readings started.
    pub attempts: i32,
    /// A worker holds it until then (Unix ms); 0 when nobody does.
    pub claimed_until: i64,
    /// When a job may be tried again (Unix ms).
    pub next_try_at: i64,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
}

/// The record relates to nothing enforced.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
