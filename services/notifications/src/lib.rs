//! notifications: delivers `notify.email.send` (SMTP, lettre) and `notify.sms.send` (Twilio) exactly
//! once in effect, captures everything in a sandbox outbox outside production, keeps a delivery log,
//! and dead-letters what can never go to `notify.dead`. See `docs/notifications.md`.

pub mod cli;
pub mod config;
mod consumer;
pub mod domain;
pub mod mailer;
pub mod mailjet;
mod routes;
mod smtps;
pub mod startup;
pub mod store;
pub mod twilio;

pub use config::Settings;
pub use consumer::{EMAIL_DURABLE, SMS_DURABLE};
pub use startup::{Application, Notifications};

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
