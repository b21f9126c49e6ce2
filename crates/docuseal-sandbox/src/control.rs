//! Sandbox-only routes (no DocuSeal counterpart), behind the same `X-Auth-Token`:
//! `POST /sandbox/submissions/{id}/expire` sets `expire_at` to now and sends `submission.expired`;
//! `GET /sandbox/health` (no token: the container's health check) answers 200 while its database does.
//! Also the expiry announcer the worker runs: each submission past its `expire_at`, neither
//! completed nor declined, gets one `submission.expired` (DocuSeal's `ProcessSubmissionExpiredJob`).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use crate::AppState;
use crate::api::{authorize, parse_id};
use crate::error::DocusealError;
use crate::serialize::submission_api;
use crate::templates;
use crate::webhooks::emit;

/// `/sandbox` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/submissions/{id}/expire", web::post().to(expire))
        .route("/health", web::get().to(health));
}

/// 200 once the database answers a read (compose's health check; DocuSeal has no such route).
async fn health(state: web::Data<AppState>) -> Result<HttpResponse, DocusealError> {
    state.store.find_submission(0).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok"))
}

#[tracing::instrument(skip_all)]
async fn expire(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, DocusealError> {
    authorize(&req, &state)?;
    let id = parse_id(&id)?;
    {
        let _guard = state.write_lock.lock().await;
        let mut submission = state
            .store
            .find_submission(id)
            .await?
            .ok_or_else(DocusealError::not_found)?;
        let now = Utc::now();
        submission.expire_at = Some(now);
        submission.updated_at = now;
        state.store.update_submission(&submission).await?;
        state.store.rearm_expiry(id).await?;
    }
    announce_expiries(&state).await?;
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

/// Sends `submission.expired` once for each submission newly past its `expire_at` that is neither
/// completed nor declined.
pub async fn announce_expiries(state: &AppState) -> Result<(), DocusealError> {
    let due = state
        .store
        .find_newly_expired(Utc::now().timestamp_millis())
        .await?;
    for id in due {
        let _guard = state.write_lock.lock().await;
        // The control route and the worker may both have listed it; one announces it.
        if !state.store.claim_expiry(id).await? {
            continue;
        }
        let Some(submission) = state.store.find_submission(id).await? else {
            continue;
        };
        let submitters = state.store.find_submitters_of(id).await?;
        let moot =
            submission.completed_at.is_some() || submitters.iter().any(|s| s.declined_at.is_some());
        if let (false, Some(template)) = (moot, templates::find(submission.template_id)) {
            let data = submission_api(&state.public_url, template, &submission, &submitters);
            emit(state, "submission.expired", data).await?;
        }
    }
    Ok(())
}
