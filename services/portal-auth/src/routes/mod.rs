//! HTTP routes of portal-auth. Handlers stay thin: extract, parse, one call, answer.

mod audit;
mod code;
mod internal;
mod link;
mod session;
mod staff;
mod tech_link;

use std::sync::Arc;

use actix_web::{HttpRequest, web};
use shared::erpnext::FrappeClient;
use shared::http::{StaffGate, TrustedProxies, json_config};
use tokio::sync::Notify;

use crate::admit::Admitter;
use crate::error::ApiError;
use crate::store::Store;
use crate::tokens::Tokens;

pub use audit::__path_impersonations;
pub use code::__path_verify_code;
pub use internal::__path_mint_customer_token;
pub use link::{__path_follow_short_link, __path_request_link};
pub use session::{__path_auth_verify, __path_jwks, __path_logout, __path_me};
pub use staff::__path_impersonate;
pub use tech_link::__path_send_tech_link;

/// Largest JSON body accepted (an identifier is at most 254 characters).
const BODY_LIMIT: usize = 4096;

/// Shared state of the handlers.
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) erp: FrappeClient,
    pub(crate) tokens: Arc<Tokens>,
    pub(crate) admitter: Admitter,
    pub(crate) trusted_proxies: TrustedProxies,
    pub(crate) portal_url: String,
    /// Origin of the short links (`PUBLIC_URL`).
    pub(crate) public_url: String,
    /// Staff from the trusted proxy only: no loopback shortcut (impersonation is always named).
    pub(crate) staff_gate: StaffGate,
    pub(crate) impersonation_groups: Vec<String>,
    /// Staff groups that may send tech links (`DISPATCH_STAFF_GROUPS`).
    pub(crate) dispatch_groups: Vec<String>,
    /// Wakes the outbox relay after a route wrote to the outbox.
    pub(crate) outbox_written: Arc<Notify>,
    pub(crate) limits: crate::store::Limits,
    pub(crate) jobs_queued: Arc<Notify>,
    pub(crate) code_key: crate::code_key::CodeKey,
    /// `CODE_BACKOFF_S` in milliseconds.
    pub(crate) code_backoff_ms: i64,
    pub(crate) code_failures_per_minute: u32,
    pub(crate) metrics: crate::metrics::AuthMetrics,
    /// SHA-256 of `INTERNAL_API_SECRET`; none: the internal routes are not mounted.
    pub(crate) internal_secret_digest: Option<[u8; 32]>,
}

/// Mounts every route of portal-auth.
pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    let json = || json_config(BODY_LIMIT);
    // The `ClientIp` extractor reads the trusted proxies from here; without them every client
    // behind the proxy would share the proxy's address (and its rate limit).
    let trusted = web::Data::new(state.trusted_proxies.clone());
    // Without INTERNAL_API_SECRET the internal routes are absent: the server's own 404.
    let internal_on = state.internal_secret_digest.is_some();
    cfg.app_data(state)
        .app_data(trusted)
        .service(
            web::resource("/portal/request-link")
                .app_data(json())
                .route(web::post().to(link::request_link)),
        )
        .service(
            web::resource("/portal/verify-code")
                .app_data(json())
                .route(web::post().to(code::verify_code)),
        )
        .service(web::resource("/portal/l/{code}").route(web::get().to(link::follow_short_link)))
        .service(web::resource("/portal/me").route(web::get().to(session::me)))
        .service(web::resource("/portal/logout").route(web::post().to(session::logout)))
        .service(
            web::resource("/portal/impersonate")
                .app_data(json())
                .route(web::post().to(staff::impersonate)),
        )
        .service(
            web::resource("/portal/impersonations")
                .app_data(shared::http::query_config())
                .route(web::get().to(audit::impersonations)),
        )
        .service(
            web::resource("/otp/tech-link")
                .app_data(json())
                .route(web::post().to(tech_link::send_tech_link)),
        )
        .service(web::resource("/auth/verify").route(web::get().to(session::auth_verify)))
        .service(web::resource("/.well-known/jwks.json").route(web::get().to(session::jwks)));
    if internal_on {
        cfg.service(
            web::resource("/internal/customer-tokens")
                .app_data(json())
                .route(web::post().to(internal::mint_customer_token)),
        );
    }
}

/// The bearer token of a request, if any.
fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The verified claims of the request's customer token.
fn customer(
    req: &HttpRequest,
    state: &AppState,
) -> Result<shared::claims::CustomerClaims, ApiError> {
    let token = bearer(req).ok_or(ApiError::Unauthorized)?;
    state
        .tokens
        .verify(token)
        .map_err(|_| ApiError::Unauthorized)
}

/// The enabled ERPNext customer `name`; 404 when there is none (or it is disabled), 503 when the ERP
/// does not answer.
async fn enabled_customer(
    state: &AppState,
    name: &str,
) -> Result<shared::erpnext::Customer, ApiError> {
    match state
        .erp
        .get::<shared::erpnext::Customer>("Customer", name)
        .await
    {
        Ok(c) if !c.disabled => Ok(c),
        Ok(_) | Err(shared::erpnext::ErpError::NotFound) => Err(ApiError::NotFound),
        Err(e) => Err(ApiError::Unavailable(format!("ERP: {e}"))),
    }
}

/// A fresh token of `customer` at its current token version (so "sign out everywhere" voids it),
/// living `ttl_s`, acted by `actor` when staff open it; its claims and the signed JWT.
async fn customer_token(
    state: &AppState,
    customer: &shared::erpnext::Customer,
    ttl_s: i64,
    actor: Option<&str>,
) -> Result<(shared::claims::CustomerClaims, String), ApiError> {
    let version = crate::store::token_version(state.store.connection(), &customer.name).await?;
    let lang = customer.language.as_deref().unwrap_or("fr");
    let claims = state.tokens.claims(
        &customer.name,
        &customer.customer_name,
        lang,
        version,
        ttl_s,
        actor,
    );
    let token = state
        .tokens
        .sign(&claims)
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    Ok((claims, token))
}
