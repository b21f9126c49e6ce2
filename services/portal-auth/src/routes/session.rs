//! The logged-in customer: forwardAuth verification, profile, logout, and the public keys.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AppState, customer};
use crate::error::ApiError;
use crate::metrics::LoginMethod;
use crate::store::{RevocationEntry, now_ms};
use crate::tokens::CUSTOMER_TOKEN_TTL_S;

/// Traefik forwardAuth: 200 with the customer's id and name for a valid, unrevoked token; 401 otherwise.
/// `X-Customer-Name` is percent-encoded UTF-8 (names carry accents; header values are ASCII).
#[utoipa::path(get, path = "/auth/verify", tag = "portal-auth",
    responses((status = 200, description = "A valid customer token", headers(("X-Customer-Id" = String), ("X-Customer-Name" = String))),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn auth_verify(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let claims = customer(&req, &state)?;
    let id = HeaderValue::from_str(&claims.sub).map_err(|_| ApiError::Unauthorized)?;
    let name =
        HeaderValue::from_str(&percent_encode(&claims.name)).map_err(|_| ApiError::Unauthorized)?;
    Ok(HttpResponse::Ok()
        .insert_header(("X-Customer-Id", id))
        .insert_header(("X-Customer-Name", name))
        .finish())
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b' ' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The customer's profile, as the portal shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Profile {
    /// ERPNext Customer name (the customer number).
    pub customer: String,
    /// Full name.
    pub customer_name: String,
    /// Contact email.
    pub email: Option<String>,
    /// Billing email when different.
    pub email_billing: Option<String>,
    /// Mobile phone as on file.
    pub phone: Option<String>,
    /// `fr` or `en`.
    pub language: String,
    /// The staff member who opened this session, if any.
    pub impersonated_by: Option<String>,
}

/// `?via=link`: the portal confirms the token it was opened with (a sign-in by link).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MeQuery {
    /// `link` when the portal was just opened with this token; counted as a sign-in by link.
    #[param(inline)]
    pub via: Option<Via>,
}

/// How the portal got the token it shows the profile for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// The link of an email or of an SMS.
    Link,
}

/// The logged-in customer's profile from ERPNext.
#[utoipa::path(get, path = "/portal/me", tag = "portal-auth", params(MeQuery),
    responses((status = 200, description = "The profile", body = Profile),
              (status = 400, description = "The query string does not parse", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "The customer is no longer in the ERP", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "The ERP does not answer", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn me(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<MeQuery>,
) -> Result<HttpResponse, ApiError> {
    let claims = customer(&req, &state)?;
    let c: shared::erpnext::Customer = match state.erp.get("Customer", &claims.sub).await {
        Ok(c) => c,
        Err(shared::erpnext::ErpError::NotFound) => return Err(ApiError::NotFound),
        Err(e) => return Err(ApiError::Unavailable(format!("ERP: {e}"))),
    };
    // A staff member's session is no customer signing in.
    if query.via == Some(Via::Link) && claims.act.is_none() {
        state.metrics.login(LoginMethod::Link);
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Profile {
            customer: c.name,
            customer_name: c.customer_name,
            email: c.email_id,
            email_billing: c.email_billing,
            phone: c.cell_phone.or(c.mobile_no).or(c.tel_home),
            language: c.language.unwrap_or_else(|| claims.lang.clone()),
            impersonated_by: claims.act.map(|a| a.sub),
        }))
}

/// `?everywhere=true` signs out every session of the customer.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LogoutQuery {
    /// Revoke every token of the customer, not only this one.
    #[serde(default)]
    pub everywhere: bool,
}

/// Revokes this token (or every token of the customer) until it expires.
#[utoipa::path(post, path = "/portal/logout", tag = "portal-auth", params(LogoutQuery),
    responses((status = 204, description = "Signed out"),
              (status = 400, description = "The query string does not parse", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "The database does not answer", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LogoutQuery>,
) -> Result<HttpResponse, ApiError> {
    let claims = customer(&req, &state)?;
    if query.everywhere {
        let until = now_ms() + CUSTOMER_TOKEN_TTL_S * 1000 + 60_000;
        let min_version = state.store.revoke_customer(&claims.sub, until).await?;
        state.tokens.remember(RevocationEntry::Customer {
            customer: claims.sub.clone(),
            min_version,
        });
    } else {
        state
            .store
            .revoke_token(&claims.jti, claims.exp * 1000 + 60_000)
            .await?;
        state.tokens.remember(RevocationEntry::Token {
            jti: claims.jti.clone(),
        });
    }
    state.metrics.revocation(query.everywhere);
    tracing::info!(target: "audit", everywhere = query.everywhere, customer_hash = %crate::worker::short_hash(&claims.sub), "logout");
    Ok(HttpResponse::NoContent().finish())
}

/// The public keys that verify customer tokens, old ones included until their last token expires.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "portal-auth", responses((status = 200, description = "The JWKS")))]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    let jwks = state.tokens.jwks(now_ms() / 1000);
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(jwks)
}
