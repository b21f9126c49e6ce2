//! The stored records: a submission, its submitters and their events, and the files they made.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A submission: one template sent to its signing parties.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Submission {
    pub id: i64,
    pub slug: String,
    pub template_id: i64,
    pub submitters_order: String,
    pub expire_at: Option<DateTime<Utc>>,
    pub completed_redirect_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The audit log made at completion.
    pub audit_log: Option<FileRef>,
}

impl Submission {
    /// Past its `expire_at`.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expire_at.is_some_and(|at| at <= now)
    }
}

/// One signing party of a submission.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Submitter {
    pub id: i64,
    pub submission_id: i64,
    pub uuid: String,
    pub slug: String,
    pub role: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
    pub metadata: Value,
    /// Field name → value, prefilled by the API or filled on the page.
    pub values: BTreeMap<String, Value>,
    pub preferences: Value,
    pub completed_redirect_url: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub opened_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub declined_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub ua: Option<String>,
    pub events: Vec<Event>,
    /// The signed documents made at completion.
    pub documents: Vec<FileRef>,
}

impl Submitter {
    /// `declined`, `completed`, `opened`, `sent` or `awaiting`, as DocuSeal's `Submitter#status`.
    pub fn status(&self) -> &'static str {
        if self.declined_at.is_some() {
            "declined"
        } else if self.completed_at.is_some() {
            "completed"
        } else if self.opened_at.is_some() {
            "opened"
        } else if self.sent_at.is_some() {
            "sent"
        } else {
            "awaiting"
        }
    }

    /// Whether an event of `kind` (`view_form`, `start_form`, …) was recorded.
    pub fn has_event(&self, kind: &str) -> bool {
        self.events.iter().any(|e| e.event_type == kind)
    }

    /// Records an event of `kind` with `data` at `at`.
    pub fn record(&mut self, kind: &str, data: Value, at: DateTime<Utc>) {
        let id = self.id * 1000 + i64::try_from(self.events.len()).unwrap_or(999) + 1;
        self.events.push(Event {
            id,
            event_type: kind.to_owned(),
            event_timestamp: at,
            data,
        });
        self.updated_at = at;
    }

    /// The decline reason, if declined.
    pub fn decline_reason(&self) -> Option<String> {
        self.declined_at?;
        self.events
            .iter()
            .find(|e| e.event_type == "decline_form")
            .and_then(|e| e.data["reason"].as_str().map(str::to_owned))
    }
}

/// A submission event (`view_form`, `start_form`, `complete_form`, `decline_form`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub id: i64,
    pub event_type: String,
    pub event_timestamp: DateTime<Utc>,
    /// `ip`, `ua`, `reason`.
    pub data: Value,
}

/// A stored file: its name without extension (DocuSeal's `filename.base`) and public URL.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRef {
    pub name: String,
    pub url: String,
}

/// A time as Rails renders it in JSON: UTC, milliseconds, `Z`.
pub fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `Option<DateTime>` as JSON: the time, or null.
pub fn ts_opt(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| Value::String(ts(at)))
}

/// `n` random letters and digits, as DocuSeal's slugs.
pub fn random_token(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
