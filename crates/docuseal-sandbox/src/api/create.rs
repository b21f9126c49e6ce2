//! `POST /api/submissions`: DocuSeal's checks in DocuSeal's order (key, JSON, template, parameters,
//! roles and fields), then one submission and its submitters, answered as an array of submitters.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value, json};

use super::{State, authorize, json_body, now};
use crate::error::DocusealError;
use crate::model::{Submission, Submitter, random_token};
use crate::serialize::{With, submission_api, submitter_api};
use crate::templates::{self, Template};
use crate::webhooks::emit;

/// The parameters of one submitter, checked.
struct SubmitterParams {
    role: Option<String>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    external_id: Option<String>,
    metadata: Value,
    values: Map<String, Value>,
    send_email: Option<bool>,
    completed_redirect_url: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn create(
    req: HttpRequest,
    state: State,
    body: web::Bytes,
) -> Result<HttpResponse, DocusealError> {
    authorize(&req, &state)?;
    let params = json_body(&body)?;
    let template = template_of(&params)?;
    let submitters = validate(&params)?;
    let send_email = boolean(&params, "send_email")?.unwrap_or(true);
    let _guard = state.write_lock.lock().await;
    let (submission, submitters) = store(&state, template, &params, submitters, send_email).await?;
    let data = submission_api(&state.public_url, template, &submission, &submitters);
    emit(&state, "submission.created", data).await?;
    let with = With {
        embed_src: true,
        ..With::default()
    };
    let answer: Vec<Value> = submitters
        .iter()
        .map(|s| submitter_api(&state.public_url, template, s, with))
        .collect();
    Ok(HttpResponse::Ok().json(answer))
}

fn template_of(params: &Value) -> Result<&'static Template, DocusealError> {
    let id = match &params["template_id"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    id.and_then(templates::find)
        .ok_or_else(|| DocusealError::unprocessable("Template not found"))
}

fn present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn at(message: String, path: &str) -> DocusealError {
    if path.is_empty() {
        DocusealError::unprocessable(message)
    } else {
        DocusealError::unprocessable(format!("{message} in `{path}`."))
    }
}

/// A present value must be a string (`<key> must be a String`).
fn string(object: &Value, key: &str, path: &str) -> Result<Option<String>, DocusealError> {
    match &object[key] {
        v if !present(v) => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(at(format!("{key} must be a String"), path)),
    }
}

/// A present value must be an object (`<key> must be a Object`).
fn object(object: &Value, key: &str, path: &str) -> Result<Map<String, Value>, DocusealError> {
    match &object[key] {
        v if !present(v) => Ok(Map::new()),
        Value::Object(map) => Ok(map.clone()),
        _ => Err(at(format!("{key} must be a Object"), path)),
    }
}

/// Rails' boolean cast: `true`/`false`, `"true"`/`"false"`, `1`/`0`, `"t"`/`"f"`, …
fn boolean(object: &Value, key: &str) -> Result<Option<bool>, DocusealError> {
    let cast = match &object[key] {
        Value::Null => return Ok(None),
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "" => return Ok(None),
            "false" | "f" | "0" | "off" => Some(false),
            "true" | "t" | "1" | "on" => Some(true),
            _ => None,
        },
        _ => None,
    };
    cast.map(Some)
        .ok_or_else(|| DocusealError::unprocessable(format!("{key} must be true or false")))
}

fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.trim().rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

fn validate(params: &Value) -> Result<Vec<SubmitterParams>, DocusealError> {
    if !present(&params["submitters"]) {
        return Err(DocusealError::unprocessable("submitters is required"));
    }
    boolean(params, "send_email")?;
    boolean(params, "send_sms")?;
    match &params["order"] {
        Value::Null => {}
        Value::String(s) if s == "preserved" || s == "random" => {}
        Value::String(_) => {
            return Err(DocusealError::unprocessable(
                "order must be one of preserved, random",
            ));
        }
        _ => return Err(DocusealError::unprocessable("order must be a String")),
    }
    string(params, "completed_redirect_url", "")?;
    let Value::Array(list) = &params["submitters"] else {
        return Err(DocusealError::unprocessable("submitters must be a Array"));
    };
    if !list[0].is_object() {
        return Err(at("0 must be a Object".to_owned(), "submitters"));
    }
    list.iter()
        .enumerate()
        .map(|(index, item)| submitter_params(item, &format!("submitters[{index}]")))
        .collect()
}

fn submitter_params(item: &Value, path: &str) -> Result<SubmitterParams, DocusealError> {
    if !["email", "phone", "name"]
        .iter()
        .any(|k| present(&item[*k]))
    {
        return Err(at("email or phone or name is required".to_owned(), path));
    }
    let name = string(item, "name", path)?;
    let email = string(item, "email", path)?;
    if email.as_deref().is_some_and(|e| !email_ok(e)) {
        return Err(at("email is invalid".to_owned(), path));
    }
    let phone = string(item, "phone", path)?;
    if phone.as_deref().is_some_and(|p| {
        !(p.starts_with('+') && p.len() > 1 && p[1..].bytes().all(|b| b.is_ascii_digit()))
    }) {
        return Err(at(
            "phone should start with +<country code> and contain only digits".to_owned(),
            path,
        ));
    }
    let values = object(item, "values", path)?;
    let metadata = Value::Object(object(item, "metadata", path)?);
    let send_email = boolean(item, "send_email").map_err(|e| at(e.message, path))?;
    let completed_redirect_url = string(item, "completed_redirect_url", path)?;
    let external_id = match &item["external_id"] {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    };
    Ok(SubmitterParams {
        role: string(item, "role", path)?,
        name,
        email,
        phone,
        external_id,
        metadata,
        values,
        send_email,
        completed_redirect_url,
    })
}

/// `expire_at` as Rails casts it: an RFC 3339 time, `YYYY-MM-DD HH:MM[:SS]` (UTC) or a date;
/// anything else is no expiry.
fn expire_at(params: &Value) -> Option<DateTime<Utc>> {
    let raw = params["expire_at"].as_str()?.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(at.and_utc());
        }
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

/// A submitter's role and prefilled values.
type RoleAndValues = (String, BTreeMap<String, Value>);

/// Each submitter's role (given, or the template's role at its index) and values, checked
/// against the template.
fn roles_and_values(
    template: &Template,
    submitters: &[SubmitterParams],
) -> Result<Vec<RoleAndValues>, DocusealError> {
    if submitters.len() > template.roles.len() {
        return Err(DocusealError::unprocessable(
            "Defined more signing parties than in template",
        ));
    }
    submitters
        .iter()
        .enumerate()
        .map(|(index, params)| {
            let role = match &params.role {
                Some(role) => template
                    .roles
                    .iter()
                    .find(|r| r.eq_ignore_ascii_case(role))
                    .ok_or_else(|| {
                        DocusealError::unprocessable(format!(
                            "Unknown submitter role: {role}. Template defines {:?}",
                            template.roles
                        ))
                    })?,
                None => template.roles[index],
            };
            let mut values = BTreeMap::new();
            for (field, value) in &params.values {
                if template.field(field).is_none() {
                    return Err(DocusealError::unprocessable(format!(
                        "Unknown field: {field}"
                    )));
                }
                values.insert(field.clone(), value.clone());
            }
            Ok(((*role).to_owned(), values))
        })
        .collect()
}

async fn store(
    state: &State,
    template: &'static Template,
    params: &Value,
    submitters: Vec<SubmitterParams>,
    send_email: bool,
) -> Result<(Submission, Vec<Submitter>), DocusealError> {
    let roles = roles_and_values(template, &submitters)?;
    let now = now();
    let id = state.store.next_submission_id().await?;
    let submission = Submission {
        id,
        slug: random_token(14),
        template_id: template.id,
        submitters_order: params["order"].as_str().unwrap_or("preserved").to_owned(),
        expire_at: expire_at(params),
        completed_redirect_url: params["completed_redirect_url"].as_str().map(str::to_owned),
        created_at: now,
        updated_at: now,
        completed_at: None,
        audit_log: None,
    };
    state.store.update_submission(&submission).await?;
    let mut stored = Vec::with_capacity(submitters.len());
    for (params, (role, values)) in submitters.into_iter().zip(roles) {
        let slug = random_token(14);
        let sent = params.send_email.unwrap_or(send_email);
        let mut preferences = json!({"send_email": sent, "send_sms": false});
        if let Some(url) = &params.completed_redirect_url {
            preferences["completed_redirect_url"] = json!(url);
        }
        let submitter = Submitter {
            id: state.store.next_submitter_id(id, &slug).await?,
            submission_id: id,
            uuid: uuid::Uuid::new_v4().to_string(),
            slug,
            role,
            name: params.name,
            email: params.email.map(|e| e.trim().to_lowercase()),
            phone: params.phone,
            external_id: params.external_id,
            metadata: params.metadata,
            values,
            preferences,
            completed_redirect_url: params.completed_redirect_url,
            // No email leaves the stand-in; `sent_at` records that DocuSeal would have sent one.
            sent_at: sent.then_some(now),
            opened_at: None,
            completed_at: None,
            declined_at: None,
            created_at: now,
            updated_at: now,
            ip: None,
            ua: None,
            events: Vec::new(),
            documents: Vec::new(),
        };
        state.store.update_submitter(&submitter).await?;
        stored.push(submitter);
    }
    Ok((submission, stored))
}
