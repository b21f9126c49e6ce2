//! HTTP routes of quotation-signing. Handlers stay thin: extract, check who calls, one call, answer.

pub(crate) mod customer;
pub(crate) mod quote;
pub(crate) mod staff;
pub(crate) mod webhook;

use std::sync::Arc;

use actix_web::{HttpRequest, web};
use secrecy::SecretString;
use shared::portal_auth::PortalAuth;
use tokio::sync::Notify;

use crate::error::ApiError;
use crate::metrics::QuoteMetrics;
use crate::portal::Caller;
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
    /// Sends quotes.
    pub(crate) sender: crate::generate::Sender,
    /// Reads and accepts quotes for customers and staff.
    pub(crate) portal: crate::portal::Portal,
}

impl AppState {
    /// The staff member behind `req`, in one of the groups that may send quotes.
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
    async fn customer(&self, req: &HttpRequest) -> Result<String, ApiError> {
        Ok(self.auth.customer(req).await?)
    }

    /// A customer when `req` carries a token (it must be valid), else staff.
    async fn caller(&self, req: &HttpRequest) -> Result<Caller, ApiError> {
        match req.headers().contains_key("Authorization") {
            true => Ok(Caller::Customer(self.customer(req).await?, lang(req))),
            false => Ok(Caller::Staff(self.staff(req)?.username)),
        }
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
            .app_data(shared::http::query_config())
            .app_data(shared::http::path_config())
            .route("/generate", web::post().to(staff::generate))
            .route("/quotes", web::get().to(customer::quotes))
            .route("/confirm", web::post().to(customer::confirm))
            .route("/{quotation}/status", web::get().to(quote::status))
            .route("/{quotation}/qr.svg", web::get().to(quote::qr_svg))
            .route("/{quotation}/qr.png", web::get().to(quote::qr_png))
            .route("/{quotation}/print", web::get().to(quote::print)),
    );
}

/// The language a customer reads: `Accept-Language`, French when it names neither.
pub(crate) fn lang(req: &HttpRequest) -> shared::lang::Lang {
    req.headers()
        .get("Accept-Language")
        .and_then(|v| v.to_str().ok())
        .map_or_else(Default::default, shared::lang::Lang::from_accept_language)
}
