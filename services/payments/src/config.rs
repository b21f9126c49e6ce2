//! Settings of the payments service, read from the environment.

use secrecy::{ExposeSecret, SecretString};
use shared::config::{self, ConfigError, Source};

/// `DATABASE_URL` when unset: a SQLite file of its own under `var/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://var/payments.db?mode=rwc";
/// `BIND` when unset.
pub const DEFAULT_BIND: &str = "127.0.0.1:8082";
/// `STRIPE_API_URL` when unset: the Stripe stand-in of the embedded default.
pub const DEFAULT_STRIPE_API_URL: &str = "http://127.0.0.1:8002";
/// Largest webhook body accepted (`STRIPE_WEBHOOK_MAX_BYTES`); Stripe's events are a few KiB.
pub const DEFAULT_WEBHOOK_MAX_BYTES: usize = 256 * 1024;

/// Everything the service needs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where and how its own process serves (`BIND`, `SHUTDOWN_*`, the event bus).
    pub server: shared::http::ServerSettings,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Stripe's API origin (`STRIPE_API_URL`).
    pub stripe_api_url: String,
    /// `sk_…` (`STRIPE_SECRET_KEY` or `_FILE`); none: no call to Stripe can be made.
    pub stripe_secret_key: Option<SecretString>,
    /// The endpoint secrets webhooks are signed with (`STRIPE_WEBHOOK_SECRETS`, comma-separated, more
    /// than one during a roll), each `whsec_…`; none: every webhook is refused.
    pub webhook_secrets: Vec<SecretString>,
    /// Largest webhook body (`STRIPE_WEBHOOK_MAX_BYTES`).
    pub webhook_max_bytes: usize,
}

impl Settings {
    /// Reads the settings from `src`, failing on the first bad variable.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        Ok(Self {
            server: shared::http::ServerSettings::from_source(src, DEFAULT_BIND)?,
            database_url: config::database_url(src, DEFAULT_DATABASE_URL)?,
            stripe_api_url: config::origin_or(src, "STRIPE_API_URL", DEFAULT_STRIPE_API_URL)?,
            stripe_secret_key: config::secret(src, "STRIPE_SECRET_KEY")?,
            webhook_secrets: webhook_secrets(src)?,
            webhook_max_bytes: config::parsed_or(
                src,
                "STRIPE_WEBHOOK_MAX_BYTES",
                DEFAULT_WEBHOOK_MAX_BYTES,
            )?,
        })
    }
}

/// `STRIPE_WEBHOOK_SECRETS`: comma-separated `whsec_…` secrets; anything else is refused at start.
fn webhook_secrets(src: &dyn Source) -> Result<Vec<SecretString>, ConfigError> {
    let Some(list) = config::secret(src, "STRIPE_WEBHOOK_SECRETS")? else {
        return Ok(Vec::new());
    };
    list.expose_secret()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.starts_with("whsec_") {
            true => Ok(SecretString::from(s.to_owned())),
            false => Err(ConfigError {
                name: "STRIPE_WEBHOOK_SECRETS".to_owned(),
                problem: "each secret starts with whsec_ (Stripe's endpoint secret)".to_owned(),
            }),
        })
        .collect()
}
