//! HTTP routes of quotation-signing. Handlers stay thin: extract, check who calls, one call, answer.

pub(crate) mod webhook;

use std::sync::Arc;

use actix_web::{HttpRequest, web};
use secrecy::SecretString;
use shared::portal_auth::PortalAuth;
use tokio::sync::Notify;

use crate::error::ApiError;
use crate::metrics::QuoteMetrics;
use crate::store::Store;

/// Shared state of the handlers.
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) metrics: QuoteMetrics,
    pub(crate) auth: PortalAuth,
    /// The header DocuSeal sends its secret in, and the accepted values.
    pub(crate) webhook_header: String,
    pub(crate) webhook_secrets: Vec<SecretString>,
    /// Wakes the inbox's processor when an event is recorded.
    pub(crate) inbox_wake: Arc<Notify>,
    /// Who is staff, and the groups that may send quotes.
    pub(crate) staff: (shared::http::StaffGate, Vec<String>),
}

impl AppState {
    /// The staff member behind `req`, in one of the groups that may send quotes.
    #[allow(dead_code)]
    fn staff(&self, req: &HttpRequest) -> Result<shared::http::Staff, ApiError> {
        let (gate, groups) = &self.staff;
        let staff = gate
            .staff(req)
            .map_err(|e| ApiError::NotStaff(e.detail()))?;
        match staff.in_any(groups) {
            true => Ok(staff),
            false => Err(ApiError::NotStaff("Not in a group that may send quotes.")),
        }
    }

    /// The customer whose token `req` carries.
    #[allow(dead_code)]
    async fn customer(&self, req: &HttpRequest) -> Result<String, ApiError> {
        Ok(self.auth.customer(req).await?)
    }
}

/// Mounts every route; webhook bodies above `webhook_max_bytes` are refused (413).
pub fn configure(
    cfg: &mut web::ServiceConfig,
    state: web::Data<AppState>,
    webhook_max_bytes: usize,
) {
    cfg.service(
        web::resource("/accept/docuseal-webhook")
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(webhook_max_bytes))
            .route(web::post().to(webhook::docuseal_webhook)),
    )
    .service(
        web::scope("/accept")
            .app_data(state)
            .app_data(shared::http::json_config(4096))
            .app_data(shared::http::query_config()),
    );
}
