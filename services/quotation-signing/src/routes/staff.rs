//! `POST /accept/generate`: staff send a quotation to its customer.

use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use crate::error::ApiError;
use crate::generate::{Generate, Generated};

/// Sends the quotation to sign (DocuSeal) or to accept in one click (the portal): checked in
/// ERPNext (submitted, valid, to a Customer, every item with a billing frequency), the links stored
/// on the Quotation, the link sent by email and SMS in the customer's language. Sending a quote
/// again reuses its submission and sends the link again; a declined one gets a new submission.
#[utoipa::path(post, path = "/accept/generate", tag = "quotation-signing",
    request_body = Generate,
    responses((status = 200, description = "Sent", body = Generated),
              (status = 400, description = "Malformed JSON", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Not staff allowed to send quotes", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such quotation (QUO_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 409, description = "Expired (QUO_10), cancelled (QUO_11), accepted or signed (QUO_12), being sent by another request (QUO_18)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 413, description = "Body too large", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 415, description = "Not JSON", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "Items without a billing frequency, named (QUO_13); a draft, not to a Customer, or no way to reach the customer (QUO_17); unknown fields", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "ERPNext or DocuSeal not answering (QUO_16)", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn generate(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Generate>,
) -> Result<HttpResponse, ApiError> {
    let staff = state.staff(&req)?;
    let sent = state.sender.generate(&body, &staff.username).await?;
    Ok(HttpResponse::Ok().json(sent))
}
