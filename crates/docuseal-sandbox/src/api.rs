//! `/api`: create a submission, read a submission or a submitter, wire-compatible with DocuSeal;
//! the `X-Auth-Token` check every route shares.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use secrecy::ExposeSecret;
use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::DocusealError;
use crate::serialize::{With, submission_api, submitter_api};
use crate::templates;

mod create;

type State = web::Data<AppState>;

/// The `/api` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/submissions", web::post().to(create::create))
        .route("/submissions/{id}", web::get().to(get_submission))
        .route("/submitters/{id}", web::get().to(get_submitter))
        .default_service(web::to(not_found_authorized));
}

/// 401 `Not authenticated` unless `X-Auth-Token` is the configured key (compared in constant time).
pub(crate) fn authorize(req: &HttpRequest, state: &AppState) -> Result<(), DocusealError> {
    let given = req
        .headers()
        .get("X-Auth-Token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let expected = state.api_key.expose_secret().as_bytes();
    if !given.is_empty() && bool::from(given.ct_eq(expected)) {
        Ok(())
    } else {
        Err(DocusealError::not_authenticated())
    }
}

/// A path id: DocuSeal's ids are integers; anything else is a missing record.
pub(crate) fn parse_id(raw: &str) -> Result<i64, DocusealError> {
    raw.parse().map_err(|_| DocusealError::not_found())
}

#[tracing::instrument(skip_all)]
async fn get_submission(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, DocusealError> {
    authorize(&req, &state)?;
    let id = parse_id(&id)?;
    let submission = state
        .store
        .find_submission(id)
        .await?
        .ok_or_else(DocusealError::not_found)?;
    let template = templates::find(submission.template_id).ok_or_else(DocusealError::not_found)?;
    let submitters = state.store.find_submitters_of(id).await?;
    Ok(HttpResponse::Ok().json(submission_api(
        &state.public_url,
        template,
        &submission,
        &submitters,
    )))
}

#[tracing::instrument(skip_all)]
async fn get_submitter(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, DocusealError> {
    authorize(&req, &state)?;
    let submitter = state
        .store
        .find_submitter(parse_id(&id)?)
        .await?
        .ok_or_else(DocusealError::not_found)?;
    let submission = state
        .store
        .find_submission(submitter.submission_id)
        .await?
        .ok_or_else(DocusealError::not_found)?;
    let template = templates::find(submission.template_id).ok_or_else(DocusealError::not_found)?;
    let with = With {
        documents: true,
        template: true,
        events: true,
        ..With::default()
    };
    Ok(HttpResponse::Ok().json(submitter_api(&state.public_url, template, &submitter, with)))
}

/// An `/api` route the stand-in does not have: 401 without the key, else 404.
async fn not_found_authorized(
    req: HttpRequest,
    state: State,
) -> Result<HttpResponse, DocusealError> {
    authorize(&req, &state)?;
    Err(DocusealError::not_found())
}

/// Any other route: 404.
pub async fn not_found() -> Result<HttpResponse, DocusealError> {
    Err(DocusealError::not_found())
}

/// The JSON body, `{}` when empty; a malformed one is DocuSeal's 422 `JSON parse error: …`.
pub(crate) fn json_body(body: &[u8]) -> Result<Value, DocusealError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    serde_json::from_slice(body)
        .map_err(|e| DocusealError::unprocessable(format!("JSON parse error: {e}")))
}

/// Now, for handlers.
pub(crate) fn now() -> chrono::DateTime<Utc> {
    Utc::now()
}
