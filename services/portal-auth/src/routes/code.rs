//! `POST /portal/verify-code`: the typed 6-digit code, for the same token as the link.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use shared::claims::CustomerClaims;
use shared::http::ClientIp;
use utoipa::ToSchema;

use super::AppState;
use super::link::{address_key, identifier_key};
use crate::domain::identifier::Identifier;
use crate::error::ApiError;
use crate::metrics::LoginMethod;
use crate::store::code_budget::{all_failures_capped, count_failure};
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

/// Redeems a code. Every failure (wrong, expired, used, burned, unknown identifier, customer over
/// its budget of wrong codes) looks the same; five wrong codes burn every live code of the
/// identifier. 429 when the address, or every customer together, is over its limit of guesses.
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
    let claims = check(&state, ip, &identifier, code).await?;
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
    state.metrics.codes_verified.inc();
    state.metrics.login(LoginMethod::Code);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse { token }))
}

/// The claims of the right code, after the limits: per address (or IPv6 /64), every customer
/// together, then the code's own tries and its customer's budget.
async fn check(
    state: &AppState,
    ip: ClientIp,
    identifier: &Identifier,
    code: &str,
) -> Result<String, ApiError> {
    let now = now_ms();
    // Guessing across many identifiers is capped per address as well as per code.
    let limit = state.limits.per_ip * 2;
    let key = format!("code-{}", address_key(ip.0));
    if let RateDecision::Limited { retry_after_s, .. } = state
        .store
        .hit(&key, limit, now, state.limits.window_ms)
        .await?
    {
        return Err(ApiError::RateLimited(retry_after_s));
    }
    let db = state.store.connection();
    let cap = state.code_failures_per_minute;
    if let Some(retry_after_s) = all_failures_capped(db, cap, now).await? {
        return Err(ApiError::RateLimited(retry_after_s));
    }
    let key = identifier_key(identifier);
    let check = state
        .store
        .check_code(&state.code_key, &key, code, now, state.code_backoff_ms)
        .await?;
    if let CodeCheck::Valid(claims) = check {
        return Ok(claims);
    }
    let over_cap = count_failure(db, cap, now).await?;
    state.metrics.code_failures.inc();
    if over_cap {
        state.metrics.code_failure_cap_reached.inc();
        tracing::warn!(
            cap,
            "wrong codes reached CODE_FAILURES_PER_MINUTE: every code is refused for the rest of the minute"
        );
    }
    Err(ApiError::InvalidCode)
}
