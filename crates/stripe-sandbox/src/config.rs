//! The sandbox's settings from the environment (the `stripe-sandbox` binary, later the hub).

use std::time::Duration;

use secrecy::ExposeSecret;
use shared::config::{self, ConfigError, Source};

use crate::{SandboxSettings, WebhookEndpoint};

/// The key `make run` uses when `STRIPE_SECRET_KEY` is unset: a test key for a stand-in.
pub const DEFAULT_SECRET_KEY: &str = "sk_test_sandbox";

impl SandboxSettings {
    /// `BIND`, `DATABASE_URL`, `STRIPE_SECRET_KEY` (or `_FILE`), `STRIPE_SANDBOX_PUBLIC_URL`,
    /// `STRIPE_SANDBOX_WEBHOOKS` (`URL=whsec_…[,URL=whsec_…]`), `STRIPE_SANDBOX_RETRY_SECONDS`
    /// (`60,300,…`); a malformed one is named in the error.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let bind = stand_in_kit::config::bind(src, "127.0.0.1:8002")?;
        let secret_key = config::secret_or(src, "STRIPE_SECRET_KEY", DEFAULT_SECRET_KEY)?;
        if !secret_key.expose_secret().starts_with("sk_test_") {
            return Err(ConfigError::new(
                "STRIPE_SECRET_KEY",
                "the stand-in takes sk_test_ keys only",
            ));
        }
        let public_url = src.get("STRIPE_SANDBOX_PUBLIC_URL");
        Ok(Self {
            bind,
            public_url,
            database_url: config::database_url(src, "sqlite://var/stripe-sandbox.db?mode=rwc")?,
            secret_key,
            webhook_endpoints: endpoints(src.get("STRIPE_SANDBOX_WEBHOOKS").as_deref())?,
            retry_schedule: stand_in_kit::config::retry_schedule(
                src,
                "STRIPE_SANDBOX_RETRY_SECONDS",
                Self::default_retry_schedule(),
            )?,
            poll_interval: Duration::from_millis(500),
            portal_unvisited_lifetime: Duration::from_secs(300),
            debit_delay: debit_delay(src.get("STRIPE_SANDBOX_DEBIT_DELAY_SECONDS").as_deref())?,
            business_name: src
                .get("STRIPE_SANDBOX_BUSINESS_NAME")
                .unwrap_or_else(|| "Gigafibre".to_owned()),
        })
    }
}

/// Seconds a bank debit stays `processing` (60 when unset).
fn debit_delay(raw: Option<&str>) -> Result<Duration, ConfigError> {
    const NAME: &str = "STRIPE_SANDBOX_DEBIT_DELAY_SECONDS";
    match raw.map(str::parse::<u64>) {
        None => Ok(Duration::from_secs(60)),
        Some(Ok(seconds)) => Ok(Duration::from_secs(seconds)),
        Some(Err(_)) => Err(ConfigError::new(NAME, "a whole number of seconds")),
    }
}

fn endpoints(raw: Option<&str>) -> Result<Vec<WebhookEndpoint>, ConfigError> {
    const NAME: &str = "STRIPE_SANDBOX_WEBHOOKS";
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (url, secret) = item
                .rsplit_once("=whsec_")
                .ok_or_else(|| ConfigError::new(NAME, "each item is URL=whsec_…"))?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::new(
                    NAME,
                    "each URL starts with http:// or https://",
                ));
            }
            Ok(WebhookEndpoint {
                url: url.to_owned(),
                secret: format!("whsec_{secret}").into(),
            })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_defaults_serve_on_8002_with_no_endpoint() {
        let settings = SandboxSettings::from_source(&env(&[])).unwrap();
        assert_eq!(settings.bind, "127.0.0.1:8002");
        assert!(settings.webhook_endpoints.is_empty());
        assert_eq!(settings.retry_schedule.len(), 6);
    }

    #[test]
    fn endpoints_and_a_schedule_are_read() {
        let settings = SandboxSettings::from_source(&env(&[
            (
                "STRIPE_SANDBOX_WEBHOOKS",
                "http://127.0.0.1:8082/webhook/stripe?a=b=whsec_one, http://h/x=whsec_two",
            ),
            ("STRIPE_SANDBOX_RETRY_SECONDS", "1,2"),
        ]))
        .unwrap();
        let urls: Vec<_> = settings
            .webhook_endpoints
            .iter()
            .map(|e| e.url.as_str())
            .collect();
        assert_eq!(
            urls,
            ["http://127.0.0.1:8082/webhook/stripe?a=b", "http://h/x"]
        );
        assert_eq!(
            settings.webhook_endpoints[1].secret.expose_secret(),
            "whsec_two"
        );
        assert_eq!(
            settings.retry_schedule,
            [Duration::from_secs(1), Duration::from_secs(2)]
        );
    }

    #[test]
    fn a_live_key_or_a_bad_endpoint_is_refused_by_name() {
        let live = SandboxSettings::from_source(&env(&[("STRIPE_SECRET_KEY", "sk_live_x")]));
        assert_eq!(live.unwrap_err().name, "STRIPE_SECRET_KEY");
        let bad = SandboxSettings::from_source(&env(&[("STRIPE_SANDBOX_WEBHOOKS", "http://h/x")]));
        assert_eq!(bad.unwrap_err().name, "STRIPE_SANDBOX_WEBHOOKS");
    }
}
