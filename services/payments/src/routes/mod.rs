//! HTTP routes of payments. Handlers stay thin: extract, verify, one call, answer.

pub(crate) mod cards;
pub(crate) mod customer;
pub(crate) mod ppa;
pub(crate) mod staff;
pub(crate) mod stripe_return;
pub(crate) mod webhook;

use actix_web::{HttpRequest, web};
use secrecy::SecretString;

use cards::{billing_portal, make_default, methods, remove, save_card};
use customer::{balance, invoice_pdf, invoices, pay_balance, pay_invoice};
use staff::{refund, repair, send_link};
use stripe_return::stripe_return;
use webhook::stripe_webhook;

use crate::error::ApiError;
use crate::pay::Ctx;
use shared::portal_auth::PortalAuth;

/// Shared state of the handlers.
pub struct AppState {
    pub(crate) pay: Ctx,
    pub(crate) auth: PortalAuth,
    pub(crate) webhook_secrets: Vec<SecretString>,
    /// Who is staff, and the groups that may act here.
    pub(crate) staff: (shared::http::StaffGate, Vec<String>),
    /// Books what Stripe's events say (the repair route runs it by hand).
    pub(crate) processor: crate::processor::Processor,
    /// Wakes the inbox's processor when an event is recorded.
    pub(crate) inbox_wake: std::sync::Arc<tokio::sync::Notify>,
    /// Auto-pay: enrolments and runs.
    pub(crate) ppa: crate::ppa::Runner,
}

impl AppState {
    /// The staff member behind `req`, in one of the payments staff groups.
    fn staff(&self, req: &HttpRequest) -> Result<shared::http::Staff, ApiError> {
        let (gate, groups) = &self.staff;
        let staff = gate
            .staff(req)
            .map_err(|e| ApiError::NotStaff(e.detail()))?;
        match staff.in_any(groups) {
            true => Ok(staff),
            false => Err(ApiError::NotStaff(
                "Not in a group that may act on payments.",
            )),
        }
    }

    /// The customer whose token `req` carries.
    async fn customer(&self, req: &HttpRequest) -> Result<String, ApiError> {
        Ok(self.auth.customer(req).await?)
    }
}

/// Mounts every route of payments; webhook bodies above `webhook_max_bytes` are refused (413).
pub fn configure(
    cfg: &mut web::ServiceConfig,
    state: web::Data<AppState>,
    webhook_max_bytes: usize,
) {
    cfg.service(
        web::resource("/webhook/stripe")
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(webhook_max_bytes))
            .route(web::post().to(stripe_webhook)),
    )
    .service(
        web::scope("/payments")
            .app_data(state)
            .app_data(shared::http::json_config(4096))
            .app_data(shared::http::query_config())
            .route("/balance", web::get().to(balance))
            .route("/invoices", web::get().to(invoices))
            .route("/invoices/{name}/pdf", web::get().to(invoice_pdf))
            .route("/pay-invoice/{name}", web::post().to(pay_invoice))
            .route("/pay-balance", web::post().to(pay_balance))
            .route("/return", web::get().to(stripe_return))
            .route("/methods", web::get().to(methods))
            .route("/methods/{id}", web::delete().to(remove))
            .route("/methods/{id}/default", web::post().to(make_default))
            .route("/save-card", web::post().to(save_card))
            .route("/billing-portal", web::post().to(billing_portal))
            .route("/repair", web::post().to(repair))
            .route("/refund", web::post().to(refund))
            .route("/send-link", web::post().to(send_link))
            .configure(ppa::configure),
    );
}
