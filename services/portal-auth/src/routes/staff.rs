//! `POST /portal/impersonate`: support staff open a customer's portal for one hour.
//! Staff are identified by Authentik's headers, believed only from a trusted proxy.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use shared::http::ClientIp;
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

/// The staff member behind a request: username and groups from a trusted proxy only.
fn staff(req: &HttpRequest, state: &AppState) -> Result<String, ApiError> {
    if !state.trusted_proxies.peer_is_trusted(req) {
        return Err(ApiError::Forbidden(
            "Staff access goes through the company proxy.",
        ));
    }
    let text = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .unwrap_or("")
    };
    let username = text("X-authentik-username");
    if username.is_empty() {
        return Err(ApiError::Forbidden("No staff identity."));
    }
    // Authentik separates groups with `|`; accept commas as well.
    let allowed = text("X-authentik-groups")
        .split(['|', ','])
        .map(str::trim)
        .any(|g| {
            state
                .impersonation_groups
                .iter()
                .any(|a| a.eq_ignore_ascii_case(g))
        });
    if !allowed {
        return Err(ApiError::Forbidden(
            "This staff member may not open customer sessions.",
        ));
    }
    Ok(username.to_owned())
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
    let staff = staff(&req, &state)?;
    let name = body.customer.trim();
    if name.is_empty() || name.len() > 140 || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "customer must be an ERPNext Customer name.".into(),
        ));
    }
    let c: shared::erpnext::Customer = match state
        .erp
        .get::<shared::erpnext::Customer>("Customer", name)
        .await
    {
        Ok(c) if !c.disabled => c,
        Ok(_) | Err(shared::erpnext::ErpError::NotFound) => return Err(ApiError::NotFound),
        Err(e) => return Err(ApiError::Unavailable(format!("ERP: {e}"))),
    };
    let version = crate::store::token_version(state.store.connection(), &c.name).await?;
    let lang = c.language.as_deref().unwrap_or("fr");
    let claims = state.tokens.claims(
        &c.name,
        &c.customer_name,
        lang,
        version,
        IMPERSONATION_TTL_S,
        Some(&staff),
    );
    let token = state
        .tokens
        .sign(&claims)
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    tracing::info!(target: "audit", staff = %staff, customer = %c.name, client_ip = %ip.0,
        reason = body.reason.as_deref().unwrap_or(""), jti = %claims.jti, "staff impersonation");
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ImpersonationToken {
            url: format!("{}/#/?token={token}", state.portal_url),
            token,
            expires_at: claims.exp,
        }))
}
