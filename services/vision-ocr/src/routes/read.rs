//! `POST /vision/invoice` and `POST /vision/equipment`: an upload read now (200) or as a job
//! (202).

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{AppState, Caller, lang, respond, upload};
use crate::error::ApiError;
use crate::flow::{Ask, Kind};

/// The options of a reading.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadQuery {
    /// Make a draft Purchase Invoice in ERPNext (invoices only).
    #[serde(default)]
    pub draft: bool,
    /// Answer 202 at once with a job to follow (`GET /vision/jobs/{id}`).
    #[serde(default, rename = "async")]
    pub as_job: bool,
}

/// The upload, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct Upload {
    /// The photo or PDF (JPEG, PNG, WebP or PDF; told by its bytes).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A supplier invoice read from a photo or a PDF.
#[utoipa::path(post, path = "/vision/invoice", tag = "vision-ocr", params(ReadQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "The same key and file give the same answer, with no second reading")),
    request_body(content = inline(Upload), content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Read, checked, and drafted when asked", body = crate::flow::InvoiceResult),
        (status = 202, description = "Queued as a job (`Location`)", body = crate::flow::Job),
        (status = 400, description = "No file, or empty (VIS_01)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff (VIS_14)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same key is being read (VIS_10)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large (VIS_03)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JPEG, PNG, WebP or PDF (VIS_02)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too many pixels or pages, truncated, encrypted, or a key reused (VIS_04–VIS_09)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 503, description = "No reader available (VIS_12)", body = shared::http::Problem, content_type = "application/problem+json"),
    ))]
pub async fn invoice(
    req: HttpRequest,
    query: web::Query<ReadQuery>,
    payload: Multipart,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = state.staff(&req)?;
    let kind = Kind::Invoice { draft: query.draft };
    read(&req, &state, caller, kind, query.as_job, payload).await
}

/// An equipment label read from a photo, and its Equipment found in ERPNext.
#[utoipa::path(post, path = "/vision/equipment", tag = "vision-ocr", params(ReadQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "The same key and photo give the same answer, with no second reading")),
    request_body(content = inline(Upload), content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Read, and looked up in ERPNext", body = crate::flow::EquipmentResult),
        (status = 202, description = "Queued as a job (`Location`)", body = crate::flow::Job),
        (status = 400, description = "No file, or empty (VIS_01)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid technician token (VIS_13)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff (VIS_14)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same key is being read (VIS_10)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large (VIS_03)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a JPEG, PNG or WebP photo (VIS_02)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too many pixels, truncated, or a key reused (VIS_04, VIS_05, VIS_09)", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 503, description = "No reader available (VIS_12)", body = shared::http::Problem, content_type = "application/problem+json"),
    ))]
pub async fn equipment(
    req: HttpRequest,
    query: web::Query<ReadQuery>,
    payload: Multipart,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = state.staff_or_tech(&req).await?;
    read(&req, &state, caller, Kind::Equipment, query.as_job, payload).await
}

async fn read(
    req: &HttpRequest,
    state: &AppState,
    caller: Caller,
    kind: Kind,
    as_job: bool,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    let answer = async {
        let key = upload::idempotency_key(req, lang)?;
        let bytes = upload::file(payload, state.max_upload_bytes, lang).await?;
        let doc = state
            .vision
            .guard
            .check(bytes, kind == Kind::Equipment)
            .await
            .map_err(|refused| ApiError::Upload(refused, lang))?;
        let ask = Ask {
            kind,
            principal: caller.principal(),
            key,
            lang,
            as_job,
        };
        state.vision.submit(ask, doc).await
    }
    .await;
    let answer = answer.inspect_err(|e| state.vision.metrics.refused(&e.problem().code))?;
    Ok(respond(answer))
}
