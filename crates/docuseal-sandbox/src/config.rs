//! The sandbox's settings from the environment (the `docuseal-sandbox` binary, later the hub).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use shared::config::{self, ConfigError, Source};

use crate::{EVENTS, SandboxSettings, model};

/// The key `make run` uses when `DOCUSEAL_API_KEY` is unset.
pub const DEFAULT_API_KEY: &str = "docuseal-sandbox-key";

impl SandboxSettings {
    /// `BIND`, `DATABASE_URL`, `DOCUSEAL_API_KEY` (or `_FILE`), `DOCUSEAL_SANDBOX_PUBLIC_URL`,
    /// `DOCUSEAL_SANDBOX_WEBHOOK_URL`, `DOCUSEAL_SANDBOX_WEBHOOK_HEADERS` (`Name=value[,…]`, or
    /// `_FILE`), `DOCUSEAL_SANDBOX_WEBHOOK_EVENTS`, `DOCUSEAL_SANDBOX_WEBHOOK_HMAC_SECRET` (or
    /// `_FILE`), `DOCUSEAL_SANDBOX_RETRY_SECONDS`; a malformed one is named in the error.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let bind = stand_in_kit::config::bind(src, "127.0.0.1:8003")?;
        let public_url = src.get("DOCUSEAL_SANDBOX_PUBLIC_URL");
        if let Some(url) = &public_url {
            http_url("DOCUSEAL_SANDBOX_PUBLIC_URL", url)?;
        }
        let webhook_url = src.get("DOCUSEAL_SANDBOX_WEBHOOK_URL");
        if let Some(url) = &webhook_url {
            http_url("DOCUSEAL_SANDBOX_WEBHOOK_URL", url)?;
        }
        let headers = config::secret(src, "DOCUSEAL_SANDBOX_WEBHOOK_HEADERS")?;
        Ok(Self {
            bind,
            public_url,
            database_url: config::database_url(src, "sqlite://var/docuseal-sandbox.db?mode=rwc")?,
            api_key: config::secret_or(src, "DOCUSEAL_API_KEY", DEFAULT_API_KEY)?,
            webhook_url,
            webhook_events: events(src.get("DOCUSEAL_SANDBOX_WEBHOOK_EVENTS").as_deref())?,
            webhook_headers: match headers {
                None => Vec::new(),
                Some(raw) => header_list(raw.expose_secret())?,
            },
            webhook_hmac_secret: config::secret(src, "DOCUSEAL_SANDBOX_WEBHOOK_HMAC_SECRET")?
                .unwrap_or_else(|| {
                    SecretString::from(format!("whsec_{}", model::random_token(32)))
                }),
            retry_schedule: stand_in_kit::config::retry_schedule(
                src,
                "DOCUSEAL_SANDBOX_RETRY_SECONDS",
                Self::default_retry_schedule(),
            )?,
            poll_interval: Duration::from_millis(500),
        })
    }
}

fn http_url(name: &str, url: &str) -> Result<(), ConfigError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(ConfigError::new(name, "starts with http:// or https://"))
    }
}

fn events(raw: Option<&str>) -> Result<Vec<String>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(EVENTS.iter().map(|e| (*e).to_owned()).collect());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            if EVENTS.contains(&e) {
                Ok(e.to_owned())
            } else {
                Err(ConfigError::new(
                    "DOCUSEAL_SANDBOX_WEBHOOK_EVENTS",
                    format!("{e:?} is not one of {}", EVENTS.join(", ")),
                ))
            }
        })
        .collect()
}

/// `Name=value[,Name=value]`: the headers merged into every delivery.
fn header_list(raw: &str) -> Result<Vec<(String, SecretString)>, ConfigError> {
    const NAME: &str = "DOCUSEAL_SANDBOX_WEBHOOK_HEADERS";
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (name, value) = item
                .split_once('=')
                .ok_or_else(|| ConfigError::new(NAME, "each item is Name=value"))?;
            let name = name.trim();
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !valid {
                return Err(ConfigError::new(
                    NAME,
                    "a header name is letters, digits, - and _",
                ));
            }
            Ok((name.to_owned(), SecretString::from(value.trim().to_owned())))
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
    fn the_defaults_serve_on_8003_without_a_webhook() {
        let settings = SandboxSettings::from_source(&env(&[])).unwrap();
        assert_eq!(settings.bind, "127.0.0.1:8003");
        assert_eq!(settings.api_key.expose_secret(), DEFAULT_API_KEY);
        assert!(settings.webhook_url.is_none());
        assert_eq!(settings.webhook_events.len(), EVENTS.len());
        assert_eq!(settings.retry_schedule.len(), 11);
        assert_eq!(settings.retry_schedule[3], Duration::from_secs(480));
    }

    #[test]
    fn a_webhook_with_its_headers_and_a_schedule_are_read() {
        let settings = SandboxSettings::from_source(&env(&[
            (
                "DOCUSEAL_SANDBOX_WEBHOOK_URL",
                "http://127.0.0.1:8083/accept/docuseal-webhook",
            ),
            (
                "DOCUSEAL_SANDBOX_WEBHOOK_HEADERS",
                "X-Docuseal-Secret=s3cr=t, X-Other=1",
            ),
            ("DOCUSEAL_SANDBOX_WEBHOOK_EVENTS", "form.completed"),
            ("DOCUSEAL_SANDBOX_RETRY_SECONDS", "1,2"),
        ]))
        .unwrap();
        assert_eq!(settings.webhook_headers.len(), 2);
        assert_eq!(settings.webhook_headers[0].0, "X-Docuseal-Secret");
        assert_eq!(settings.webhook_headers[0].1.expose_secret(), "s3cr=t");
        assert_eq!(settings.webhook_events, ["form.completed"]);
        assert_eq!(
            settings.retry_schedule,
            [Duration::from_secs(1), Duration::from_secs(2)]
        );
    }

    #[test]
    fn a_malformed_variable_is_refused_by_name() {
        for (name, value) in [
            ("DOCUSEAL_SANDBOX_WEBHOOK_URL", "ftp://x"),
            ("DOCUSEAL_SANDBOX_WEBHOOK_HEADERS", "no-equals"),
            ("DOCUSEAL_SANDBOX_WEBHOOK_EVENTS", "form.exploded"),
            ("DOCUSEAL_SANDBOX_RETRY_SECONDS", "soon"),
            ("BIND", "nowhere"),
        ] {
            let refused = SandboxSettings::from_source(&env(&[(name, value)]));
            assert_eq!(refused.unwrap_err().name, name);
        }
    }
}
