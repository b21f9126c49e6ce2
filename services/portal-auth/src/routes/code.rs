//! `POST /portal/verify-code`: the typed 6-digit code, for the same token as the link.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use shared::claims::CustomerClaims;
use shared::http::ClientIp;
use utoipa::ToSchema;

use super::AppState;
use super::link::identifier_key;
use crate::domain::identifier::Identifier;
use crate::error::ApiError;
use crate::store::{CodeCheck, RateDecision, now_ms};

/// A code typed by the customer with the identifier it was sent for.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeRequest {
    /// The identifier typed on the login page.
    #[schema(example = "marie.tremblay@example.ca")]
    pub identifier: String,
    /// The 6 digits from the message.
    #[schema(example = "123456")]
    pub code: String,
}

/// A customer token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The JWT (EdDSA).
    pub token: String,
}

/// Redeems a code. Every failure (wrong, expired, used, burned, unknown identifier) looks the same;
/// five wrong codes burn every live code of the identifier.
#[utoipa::path(post, path = "/portal/verify-code", request_body = CodeRequest, tag = "portal-auth",
    responses((status = 200, description = "The customer token", body = TokenResponse),
              shared::http::JsonBodyProblems,
              (status = 429, description = "Too many codes tried from this address", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "The database does not answer", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn verify_code(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: web::Json<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let identifier = Identifier::parse(&body.identifier)?;
    let code = body.code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::BadRequest("The code is 6 digits.".into()));
    }
    // Guessing across many identifiers is capped per address as well as per code.
    let limit = state.limits.per_ip * 2;
    if let RateDecision::Limited { retry_after_s } = state
        .store
        .hit(
            &format!("code-ip:{}", ip.0),
            limit,
            now_ms(),
            state.limits.window_ms,
        )
        .await?
    {
        return Err(ApiError::RateLimited(retry_after_s));
    }
    let CodeCheck::Valid(claims) = state
        .store
        .check_code(&identifier_key(&identifier), code, now_ms())
        .await?
    else {
        return Err(ApiError::InvalidCode);
    };
    let claims: CustomerClaims =
        serde_json::from_str(&claims).map_err(|e| ApiError::Unexpected(e.into()))?;
    let token = state
        .tokens
        .sign(&claims)
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    // A customer who signed out everywhere since the code was sent gets nothing from it.
    state
        .tokens
        .verify(&token)
        .map_err(|_| ApiError::InvalidCode)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse { token }))
}
