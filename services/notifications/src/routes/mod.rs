//! HTTP routes: the sandbox outbox (page and JSON), the staff delivery log, the Twilio webhook.

mod outbox;
mod webhook;

use actix_web::{HttpRequest, web};
use secrecy::SecretString;
use shared::config::OutboundMode;
use shared::http::TrustedProxies;

use crate::store::Store;

pub use outbox::{__path_delivery_log, __path_outbox_json};
pub use webhook::__path_twilio_status;

/// Shared state of the handlers.
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) mode: OutboundMode,
    pub(crate) trusted_proxies: TrustedProxies,
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

/// Staff: a trusted proxy vouching for an Authentik user, or someone on this very machine (the
/// embedded default and tests). Customers never see the outbox or the log.
fn is_staff(req: &HttpRequest, trusted: &TrustedProxies) -> bool {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return false;
    };
    let forwarded = req.headers().contains_key("x-forwarded-for");
    if peer.is_loopback() && !forwarded {
        return true;
    }
    let user = req
        .headers()
        .get("x-authentik-username")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|u| !u.trim().is_empty());
    trusted.contains(peer) && user
}
