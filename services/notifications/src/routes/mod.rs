//! HTTP routes: the sandbox outbox (page and JSON), the staff delivery log, the Twilio webhook.

mod outbox;
mod webhook;

use actix_web::{HttpRequest, web};
use secrecy::SecretString;
use shared::config::OutboundMode;
use shared::http::StaffGate;

use crate::error::ApiError;
use crate::store::Store;

/// Why staff outside the allowed groups are refused.
pub(crate) const NOT_IN_GROUP: &str =
    "This staff member may not read the outbox or the delivery log.";

pub use outbox::{__path_delivery_log, __path_outbox_json};
pub use webhook::__path_twilio_status;

/// Shared state of the handlers.
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) mode: OutboundMode,
    pub(crate) staff: StaffAccess,
    /// `<PUBLIC_URL>/webhook/twilio`: the URL Twilio signs (never taken from the request's Host).
    pub(crate) twilio_callback_url: String,
    pub(crate) twilio_auth_token: Option<SecretString>,
}

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    cfg.app_data(state)
        .service(web::resource("/notifications/outbox").route(web::get().to(outbox::outbox_page)))
        .service(
            web::resource("/notifications/outbox.json").route(web::get().to(outbox::outbox_json)),
        )
        .service(
            web::resource("/notifications/outbox/{id}").route(web::get().to(outbox::message_page)),
        )
        .service(
            web::resource("/notifications/outbox/{id}/html")
                .route(web::get().to(outbox::message_html)),
        )
        .service(web::resource("/notifications/log").route(web::get().to(outbox::delivery_log)))
        .service(
            web::resource("/webhook/twilio")
                // The handler reads raw bytes (to verify the signature), so the limit is a PayloadConfig.
                .app_data(web::PayloadConfig::new(16 * 1024))
                .route(web::post().to(webhook::twilio_status)),
        );
}

/// Who may read the outbox and the delivery log, and how much of them.
pub struct StaffAccess {
    /// Staff from the trusted proxy (and the local operator when `LOOPBACK_IS_STAFF`).
    pub(crate) gate: StaffGate,
    /// Groups that see links and codes (`IMPERSONATION_GROUPS`).
    pub(crate) full_view: Vec<String>,
    /// Groups that see them masked (`OUTBOX_READER_GROUPS`).
    pub(crate) masked_view: Vec<String>,
}

/// How much of a captured message a staff member sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum View {
    /// Everything: the groups that may impersonate a customer anyway.
    Full,
    /// Links cut to their origin and codes hidden.
    Masked,
}

impl StaffAccess {
    /// What the staff member behind `req` may see; customers and other staff see nothing.
    pub(crate) fn view(&self, req: &HttpRequest) -> Result<View, ApiError> {
        let staff = self
            .gate
            .staff(req)
            .map_err(|e| ApiError::Forbidden(e.detail()))?;
        if staff.in_any(&self.full_view) {
            Ok(View::Full)
        } else if staff.in_any(&self.masked_view) {
            Ok(View::Masked)
        } else {
            Err(ApiError::Forbidden(NOT_IN_GROUP))
        }
    }
}
