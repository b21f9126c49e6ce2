//! What a reading answers, how a stored answer is replayed, and how a job is shown.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::to_json;
use crate::equipment::Label;
use crate::erp::{Draft, EquipmentMatch};
use crate::error::ApiError;
use crate::invoice::Invoice;
use crate::read::Provider;
use crate::store::{Outcome, extraction, state};
use crate::warning::Warning;

/// What an invoice read gives.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = VisionInvoiceResult)]
pub struct InvoiceResult {
    /// The extraction (`GET /vision/jobs/{id}` shows it again).
    pub id: String,
    /// Who read it.
    pub provider: Provider,
    /// What was read.
    pub invoice: Invoice,
    /// What a person should check.
    pub warnings: Vec<Warning>,
    /// Pages read.
    pub pages: u32,
    /// The draft Purchase Invoice, when asked for and made (or found).
    pub draft: Option<Draft>,
}

/// What a label read gives.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = VisionEquipmentResult)]
pub struct EquipmentResult {
    /// The extraction.
    pub id: String,
    /// Who read its text (its codes are always decoded locally).
    pub provider: Provider,
    /// What was read.
    pub label: Label,
    /// The Equipment it belongs to, if ERPNext knows it.
    pub equipment: Option<EquipmentMatch>,
    /// What a person should check.
    pub warnings: Vec<Warning>,
}

/// A job, as `GET /vision/jobs/{id}` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = VisionJob)]
pub struct Job {
    /// The extraction.
    pub id: String,
    /// `invoice` or `equipment`.
    pub kind: String,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// When it was asked for (RFC 3339).
    pub created_at: String,
    /// The answer's status, once there is one.
    pub status: Option<u16>,
    /// The result (an `InvoiceResult` or an `EquipmentResult`) or the problem, once there is one.
    #[schema(value_type = Option<Object>)]
    pub answer: Option<Value>,
}

/// An HTTP answer, stored to be replayed.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Its status.
    pub status: u16,
    /// Its JSON body.
    pub body: String,
    /// Given before to the same key.
    pub replayed: bool,
    /// A job's URL (202).
    pub location: Option<String>,
}

pub(super) fn refusal_outcome(error: ApiError) -> Outcome {
    let problem = error.problem();
    Outcome {
        state: state::DONE,
        status: problem.status,
        body: to_json(&problem),
        provider: None,
    }
}
pub(super) fn replay(row: &extraction::Model) -> Answer {
    Answer {
        status: row
            .status
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(200),
        body: row.body.clone().unwrap_or_default(),
        replayed: true,
        location: None,
    }
}

pub(super) fn job_answer(row: &extraction::Model, replayed: bool) -> Answer {
    Answer {
        status: 202,
        body: to_json(&job(row)),
        replayed,
        location: Some(format!("/vision/jobs/{}", row.id)),
    }
}

pub(super) fn job(row: &extraction::Model) -> Job {
    Job {
        id: row.id.clone(),
        kind: row.kind.clone(),
        state: row.state.clone(),
        created_at: chrono::DateTime::from_timestamp_millis(row.created_at)
            .unwrap_or_default()
            .to_rfc3339(),
        status: row.status.and_then(|s| u16::try_from(s).ok()),
        answer: row
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok()),
    }
}
