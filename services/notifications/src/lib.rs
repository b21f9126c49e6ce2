//! notifications: delivers `notify.email.send` (SMTP, lettre) and `notify.sms.send` (Twilio) exactly
//! once in effect, captures everything in a sandbox outbox outside production, keeps a delivery log,
//! and dead-letters what can never go to `notify.dead`. See `docs/notifications.md`.

pub mod cli;
pub mod config;
mod consumer;
pub mod domain;
mod error;
pub mod mailer;
pub mod mailjet;
pub mod metrics;
mod routes;
mod smtps;
pub mod startup;
pub mod store;
pub mod twilio;

pub use config::Settings;
pub use consumer::{EMAIL_DURABLE, SMS_DURABLE};
pub use shared::http::Application;
pub use startup::Notifications;

/// The HTTP client of a provider's API (Twilio, Mailjet): bounded connect and request times, so a
/// provider that hangs delays a delivery instead of holding a worker.
pub(crate) fn provider_http(
    timeout: std::time::Duration,
) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(5).min(timeout))
        .timeout(timeout)
        .build()
}

/// Reads a provider's records (Mailjet's messages, Twilio's message list) from an authenticated
/// `request`: any failure to get an answer (`what` names it in the error) is
/// [`domain::SendError::Unavailable`], since the caller must then wait rather than send blindly.
pub(crate) async fn provider_records<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
    what: &str,
) -> Result<T, domain::SendError> {
    use domain::SendError::Unavailable;
    let response = request
        .send()
        .await
        .map_err(|e| Unavailable(format!("{what} unreachable: {}", e.without_url())))?;
    let status = response.status();
    if !status.is_success() {
        return Err(Unavailable(format!("{what} answered {}", status.as_u16())));
    }
    response
        .json()
        .await
        .map_err(|e| Unavailable(format!("{what} unreadable: {}", e.without_url())))
}
