//! The JSON DocuSeal gives its records: a submitter for the API (`Submitters::SerializeForApi`)
//! and for webhooks (`Submitters::SerializeForWebhook`), a submission for the API and the
//! `submission.*` webhooks (`Submissions::SerializeForApi`).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::model::{Submission, Submitter, ts, ts_opt};
use crate::templates::Template;

/// What a submitter's API JSON carries besides its columns.
#[derive(Debug, Clone, Copy, Default)]
pub struct With {
    pub documents: bool,
    pub embed_src: bool,
    pub template: bool,
    pub events: bool,
}

/// `[{field, value}]` of the template's fields the submitter has a value for (all of them once
/// completed), in the template's order.
pub fn values_array(template: &Template, submitter: &Submitter) -> Value {
    let completed = submitter.completed_at.is_some();
    template
        .fields
        .iter()
        .filter(|f| completed || submitter.values.contains_key(f.name))
        .map(|f| {
            json!({
                "field": f.name,
                "value": submitter.values.get(f.name).cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

fn documents(submitter: &Submitter) -> Value {
    json!(submitter.documents)
}

fn events(submitter: &Submitter) -> Value {
    submitter
        .events
        .iter()
        .map(|e| {
            let mut data = Map::new();
            if let Some(reason) = e.data.get("reason") {
                data.insert("reason".to_owned(), reason.clone());
            }
            json!({
                "id": e.id,
                "submitter_id": submitter.id,
                "event_type": e.event_type,
                "event_timestamp": ts(e.event_timestamp),
                "data": data,
            })
        })
        .collect()
}

fn columns(submitter: &Submitter) -> Map<String, Value> {
    let s = submitter;
    let Value::Object(map) = json!({
        "id": s.id,
        "submission_id": s.submission_id,
        "uuid": s.uuid,
        "email": s.email,
        "slug": s.slug,
        "sent_at": ts_opt(s.sent_at),
        "opened_at": ts_opt(s.opened_at),
        "completed_at": ts_opt(s.completed_at),
        "declined_at": ts_opt(s.declined_at),
        "created_at": ts(s.created_at),
        "updated_at": ts(s.updated_at),
        "name": s.name,
        "phone": s.phone,
        "external_id": s.external_id,
        "metadata": s.metadata,
        "status": s.status(),
        "application_key": null,
    }) else {
        unreachable!("json! of an object literal is an object")
    };
    map
}

/// A submitter as the API returns it.
pub fn submitter_api(
    public_url: &str,
    template: &Template,
    submitter: &Submitter,
    with: With,
) -> Value {
    let mut map = columns(submitter);
    if with.template {
        let mut nested = template.json();
        if let Some(object) = nested.as_object_mut() {
            object.remove("external_id");
            object.remove("folder_name");
        }
        map.insert("template".to_owned(), nested);
    }
    map.insert("values".to_owned(), values_array(template, submitter));
    if with.documents {
        map.insert("documents".to_owned(), documents(submitter));
    }
    map.insert("preferences".to_owned(), submitter.preferences.clone());
    if with.events {
        map.insert("submission_events".to_owned(), events(submitter));
    }
    map.insert("role".to_owned(), json!(submitter.role));
    if with.embed_src {
        map.insert(
            "embed_src".to_owned(),
            json!(format!("{public_url}/s/{}", submitter.slug)),
        );
    }
    Value::Object(map)
}

/// `completed`, `declined`, `expired` or `pending`.
pub fn submission_status(
    submission: &Submission,
    submitters: &[Submitter],
    now: DateTime<Utc>,
) -> &'static str {
    if submission.completed_at.is_some() {
        "completed"
    } else if submitters.iter().any(|s| s.declined_at.is_some()) {
        "declined"
    } else if submission.expired(now) {
        "expired"
    } else {
        "pending"
    }
}

fn audit_log_url(submission: &Submission) -> Value {
    submission
        .audit_log
        .as_ref()
        .map_or(Value::Null, |f| json!(f.url))
}

fn submission_url(public_url: &str, submission: &Submission) -> String {
    format!("{public_url}/e/{}", submission.slug)
}

/// A submitter as a `form.*` webhook's `data`.
pub fn submitter_webhook(
    public_url: &str,
    template: &Template,
    submission: &Submission,
    submitters: &[Submitter],
    submitter: &Submitter,
) -> Value {
    let mut map = columns(submitter);
    map.remove("uuid");
    map.remove("slug");
    map.insert("ua".to_owned(), json!(submitter.ua));
    map.insert("ip".to_owned(), json!(submitter.ip));
    let status = submission_status(submission, submitters, Utc::now());
    for (key, value) in [
        ("decline_reason", json!(submitter.decline_reason())),
        ("role", json!(submitter.role)),
        ("preferences", submitter.preferences.clone()),
        ("values", values_array(template, submitter)),
        ("documents", documents(submitter)),
        ("audit_log_url", audit_log_url(submission)),
        (
            "submission_url",
            json!(submission_url(public_url, submission)),
        ),
        ("template", template.json()),
        (
            "submission",
            json!({
                "id": submission.id,
                "audit_log_url": audit_log_url(submission),
                "combined_document_url": null,
                "status": status,
                "url": submission_url(public_url, submission),
                "variables": {},
                "created_at": ts(submission.created_at),
            }),
        ),
    ] {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

/// The sandbox's one user, the creator of every submission.
fn created_by_user() -> Value {
    json!({"id": 1, "email": "ventes@gigafibre.ca", "first_name": "Ventes", "last_name": "Gigafibre"})
}

/// A submission as the API (and the `submission.*` webhooks) return it.
pub fn submission_api(
    public_url: &str,
    template: &Template,
    submission: &Submission,
    submitters: &[Submitter],
) -> Value {
    let serialized: Vec<Value> = submitters
        .iter()
        .map(|s| {
            submitter_api(
                public_url,
                template,
                s,
                With {
                    documents: true,
                    ..With::default()
                },
            )
        })
        .collect();
    let all_events: Vec<Value> = submitters
        .iter()
        .flat_map(|s| events(s).as_array().cloned().unwrap_or_default())
        .collect();
    let last = submitters
        .iter()
        .filter(|s| s.completed_at.is_some())
        .max_by_key(|s| s.completed_at);
    let documents = match (submission.completed_at, last) {
        (Some(_), Some(last)) => documents(last),
        _ => json!([]),
    };
    json!({
        "id": submission.id,
        "name": null,
        "slug": submission.slug,
        "source": "api",
        "submitters_order": submission.submitters_order,
        "expire_at": ts_opt(submission.expire_at),
        "created_at": ts(submission.created_at),
        "updated_at": ts(submission.updated_at),
        "archived_at": null,
        "template": template.json(),
        "created_by_user": created_by_user(),
        "variables": {},
        "submission_events": all_events,
        "documents": documents,
        "audit_log_url": audit_log_url(submission),
        "combined_document_url": null,
        "status": submission_status(submission, submitters, Utc::now()),
        "completed_at": ts_opt(submission.completed_at),
        "submitters": serialized,
    })
}
