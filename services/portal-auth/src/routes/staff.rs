//! `POST /portal/impersonate`: support staff open a customer's portal for one hour, each time
//! recorded in the impersonation audit. Staff are identified by Authentik's headers, believed only
//! from a trusted proxy.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use shared::http::{ClientIp, Staff};
use utoipa::ToSchema;

use super::AppState;
use crate::error::ApiError;
use crate::tokens::IMPERSONATION_TTL_S;

/// Which customer to open, and why (kept in the audit log).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ImpersonationRequest {
    /// ERPNext Customer name.
    #[schema(example = "CUST-2024-00001")]
    pub customer: String,
    /// Ticket number or reason.
    #[schema(example = "Ticket 4812")]
    pub reason: Option<String>,
}

/// A one-hour customer token carrying `act.sub` = the staff member.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImpersonationToken {
    /// The JWT.
    pub token: String,
    /// Portal URL that opens the session.
    pub url: String,
    /// Expiry (Unix seconds).
    pub expires_at: i64,
}

/// Longest reason kept.
const MAX_REASON_CHARS: usize = 500;

/// The staff member behind a request, if one of the groups allowed to impersonate.
pub(super) fn impersonator(req: &HttpRequest, state: &AppState) -> Result<Staff, ApiError> {
    let staff = state
        .staff_gate
        .staff(req)
        .map_err(|e| ApiError::Forbidden(e.detail()))?;
    if !staff.in_any(&state.impersonation_groups) {
        return Err(ApiError::Forbidden(
            "This staff member may not open customer sessions.",
        ));
    }
    Ok(staff)
}

/// Mints a one-hour token for a customer on behalf of a staff member; audited.
#[utoipa::path(post, path = "/portal/impersonate", request_body = ImpersonationRequest, tag = "portal-auth",
    responses((status = 200, description = "The customer's token", body = ImpersonationToken),
              shared::http::JsonBodyProblems,
              (status = 403, description = "Not a staff member allowed to open customer sessions", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such enabled customer", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "The ERP or the database does not answer", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn impersonate(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    body: web::Json<ImpersonationRequest>,
) -> Result<HttpResponse, ApiError> {
    let staff = impersonator(&req, &state)?;
    let name = body.customer.trim();
    if name.is_empty() || name.len() > 140 || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "customer must be an ERPNext Customer name.".into(),
        ));
    }
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(ApiError::BadRequest(format!(
            "reason is at most {MAX_REASON_CHARS} characters."
        )));
    }
    let c = super::enabled_customer(&state, name).await?;
    let (claims, token) =
        super::customer_token(&state, &c, IMPERSONATION_TTL_S, Some(&staff.username)).await?;
    // Recorded before the token leaves: without its audit row, no session is opened.
    let seq = crate::store::record_impersonation(
        state.store.connection(),
        &crate::store::NewImpersonation {
            staff: &staff.username,
            staff_groups: &staff.groups,
            customer: &c.name,
            reason,
            created_at: crate::store::now_ms(),
            client_ip: ip.0.to_string(),
            token_id: &claims.jti,
            purpose: crate::store::IMPERSONATION,
        },
    )
    .await?;
    state.metrics.impersonations.inc();
    tracing::info!(target: "audit", staff = %staff.username, customer = %c.name, client_ip = %ip.0,
        reason = reason.unwrap_or(""), jti = %claims.jti, audit_seq = seq, "staff impersonation");
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ImpersonationToken {
            url: format!("{}/#/?token={token}", state.portal_url),
            token,
            expires_at: claims.exp,
        }))
}
