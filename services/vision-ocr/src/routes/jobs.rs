//! `GET /vision/jobs/{id}`: a job, to whoever asked for it (staff see every job).

use actix_web::{HttpRequest, HttpResponse, web};

use super::{AppState, Caller, lang};
use crate::error::ApiError;

/// A job: waiting, being read, or its answer.
#[utoipa::path(get, path = "/vision/jobs/{id}", tag = "vision-ocr",
    params(("id" = String, Path, description = "The job's id (from the 202's `Location`)")),
    responses(
        (status = 200, description = "The job", body = crate::flow::Job),
        (status = 401, description = "Invalid technician token (VIS_13)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff (VIS_14)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job, or another technician's (VIS_11)", body = shared::http::Problem, content_type = "application/problem+json"),
    ))]
pub async fn job(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = state.staff_or_tech(&req).await?;
    let only = match &caller {
        Caller::Staff(_) => None,
        Caller::Tech(_) => Some(caller.principal()),
    };
    let found = state.vision.job(&id, only.as_deref()).await?;
    let job = found.ok_or(ApiError::NotFound(lang(&req)))?;
    Ok(HttpResponse::Ok().json(job))
}
