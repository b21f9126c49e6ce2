//! `POST /internal/customer-tokens`: another service (payments: its Stripe return page, the payment
//! links staff send) gets a customer token, recorded in the audit with its purpose. The caller shows
//! `INTERNAL_API_SECRET` as its bearer token; Traefik never routes `/internal/`, and without the
//! secret the route is not mounted at all.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::http::ClientIp;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use super::AppState;
use crate::domain::mint::{CustomerName, MintContext, MintPurpose};
use crate::error::ApiError;

/// The `staff` of an audit row written for an internal caller (the secret names no service).
const INTERNAL_CALLER: &str = "internal";

/// Which customer, why, and what for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MintRequest {
    /// ERPNext Customer name (enabled).
    #[schema(value_type = String, example = "CUST-2024-00001")]
    pub customer: CustomerName,
    /// `payment_return` (1 h), `payment_link` or `quote_link` (24 h).
    pub purpose: MintPurpose,
    /// The caller's reference, kept in the audit: 1 to 200 characters.
    #[schema(value_type = String, example = "cs_test_a1b2c3")]
    pub context: MintContext,
}

/// An ordinary customer token.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerToken {
    /// The JWT.
    pub token: String,
    /// Expiry (Unix seconds).
    pub expires_at: i64,
    /// Portal URL that opens the session: `<PORTAL_URL>/#/?token=<token>`.
    pub url: String,
    /// For a `payment_link` or `quote_link`: a short link for SMS (`<PUBLIC_URL>/portal/l/<code>`) that opens the
    /// same session until the token expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_url: Option<String>,
}

/// A caller that showed `INTERNAL_API_SECRET` as its bearer token. Extracted before the body, so a
/// caller without it learns nothing about what it sent.
pub struct InternalCaller;

impl FromRequest for InternalCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(internal_caller(req))
    }
}

/// Compares digests, so the time taken says nothing about the secret, its length included.
fn internal_caller(req: &HttpRequest) -> Result<InternalCaller, ApiError> {
    let expected = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.internal_secret_digest)
        .ok_or(ApiError::NotInternalCaller)?;
    let presented = super::bearer(req).ok_or(ApiError::NotInternalCaller)?;
    let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    match bool::from(digest.ct_eq(&expected)) {
        true => Ok(InternalCaller),
        false => Err(ApiError::NotInternalCaller),
    }
}

/// Mints a customer token for another service (`Authorization: Bearer <INTERNAL_API_SECRET>`);
/// audited before it is answered.
#[utoipa::path(post, path = "/internal/customer-tokens", request_body = MintRequest, tag = "portal-auth",
    responses((status = 200, description = "The customer's token (Cache-Control: no-store)", body = CustomerToken),
              shared::http::JsonBodyProblems,
              (status = 401, description = "No or a wrong INTERNAL_API_SECRET", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such enabled customer; or INTERNAL_API_SECRET is unset (the route is off)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "The ERP or the database does not answer", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(purpose = body.purpose.as_str()))]
pub async fn mint_customer_token(
    _caller: InternalCaller,
    state: web::Data<AppState>,
    ip: ClientIp,
    body: web::Json<MintRequest>,
) -> Result<HttpResponse, ApiError> {
    let customer = super::enabled_customer(&state, body.customer.as_str()).await?;
    let (claims, token) =
        super::customer_token(&state, &customer, body.purpose.ttl_s(), None).await?;
    // Recorded before the token leaves: without its audit row, no token.
    let seq = crate::store::record_impersonation(
        state.store.connection(),
        &crate::store::NewImpersonation {
            staff: INTERNAL_CALLER,
            staff_groups: &[],
            customer: &customer.name,
            reason: Some(body.context.as_str()),
            created_at: crate::store::now_ms(),
            client_ip: ip.0.to_string(),
            token_id: &claims.jti,
            purpose: body.purpose.as_str(),
        },
    )
    .await?;
    let short_url = match body.purpose {
        MintPurpose::PaymentLink | MintPurpose::QuoteLink => {
            Some(short_link(&state, &claims).await?)
        }
        MintPurpose::PaymentReturn => None,
    };
    state.metrics.token_minted(body.purpose);
    tracing::info!(target: "audit", customer = %customer.name, purpose = body.purpose.as_str(),
        context = body.context.as_str(), client_ip = %ip.0, jti = %claims.jti, audit_seq = seq,
        "customer token minted for an internal caller");
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CustomerToken {
            url: format!("{}/#/?token={token}", state.portal_url),
            token,
            expires_at: claims.exp,
            short_url,
        }))
}

/// A short link opening a session of `claims` until they expire (an SMS cannot carry a token).
async fn short_link(
    state: &AppState,
    claims: &shared::claims::CustomerClaims,
) -> Result<String, ApiError> {
    let code = shared::claims::random_token(12);
    let json = serde_json::to_string(claims).map_err(|e| ApiError::Unexpected(e.into()))?;
    crate::store::insert_short_link(state.store.connection(), &code, &json, claims.exp * 1000)
        .await?;
    Ok(format!("{}/portal/l/{code}", state.public_url))
}
