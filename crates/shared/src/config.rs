//! Settings read from the environment. Each service builds one typed `Settings` from these sections; a
//! missing or malformed variable stops the service at start with a message naming it.

use std::path::PathBuf;

use secrecy::SecretString;
use url::Url;

mod nats;
#[cfg(test)]
mod nats_tests;
pub use nats::{NatsAuth, NatsConnection, NatsTls};

/// A variable that is missing or malformed: the message names it, never its value.
#[derive(Debug, thiserror::Error)]
#[error("configuration variable {name}: {problem}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub name: String,
    /// What is wrong with it.
    pub problem: String,
}

impl ConfigError {
    /// `name` is wrong: `problem`.
    pub fn new(name: &str, problem: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            problem: problem.into(),
        }
    }
}

/// Where variables come from: the process environment, or a map in tests.
pub trait Source {
    /// The value of `name`, if set and not empty.
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct Env;

impl Source for Env {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Source for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        self.get(name).cloned().filter(|v| !v.trim().is_empty())
    }
}

/// A string variable with a default.
pub fn string_or(src: &dyn Source, name: &str, default: &str) -> String {
    src.get(name).unwrap_or_else(|| default.to_owned())
}

/// A secret, read from `NAME` or from the file named by `NAME_FILE` (Docker/Kubernetes secrets).
pub fn secret(src: &dyn Source, name: &str) -> Result<Option<SecretString>, ConfigError> {
    if let Some(v) = src.get(name) {
        return Ok(Some(SecretString::from(v)));
    }
    let file_var = format!("{name}_FILE");
    match src.get(&file_var) {
        None => Ok(None),
        Some(path) => std::fs::read_to_string(&path)
            .map(|s| Some(SecretString::from(s.trim_end().to_owned())))
            .map_err(|e| ConfigError::new(&file_var, format!("cannot read the file: {e}"))),
    }
}

/// A secret with a default for the embedded sandbox.
pub fn secret_or(src: &dyn Source, name: &str, default: &str) -> Result<SecretString, ConfigError> {
    Ok(secret(src, name)?.unwrap_or_else(|| SecretString::from(default.to_owned())))
}

/// A value parsed with `FromStr`, with a default.
pub fn parsed_or<T: std::str::FromStr>(
    src: &dyn Source,
    name: &str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match src.get(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|e| ConfigError::new(name, format!("cannot parse {v:?}: {e}"))),
    }
}

/// An absolute http(s) URL (an origin for links), without a trailing slash.
pub fn url_or(src: &dyn Source, name: &str, default: &str) -> Result<Url, ConfigError> {
    let raw = string_or(src, name, default);
    let url = Url::parse(raw.trim_end_matches('/'))
        .map_err(|e| ConfigError::new(name, format!("not an absolute URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(ConfigError::new(name, "must be an http(s) URL with a host"));
    }
    Ok(url)
}

/// An http(s) origin such as `https://portail.gigafibre.ca`, without a trailing slash, for building links.
pub fn origin_or(src: &dyn Source, name: &str, default: &str) -> Result<String, ConfigError> {
    Ok(url_or(src, name, default)?
        .as_str()
        .trim_end_matches('/')
        .to_owned())
}

/// A comma-separated list of IP addresses and CIDR ranges (`127.0.0.1, 10.42.0.0/16`).
pub fn ip_ranges_or(
    src: &dyn Source,
    name: &str,
    default: &str,
) -> Result<Vec<crate::http::IpRange>, ConfigError> {
    string_or(src, name, default)
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|e: String| ConfigError::new(name, e)))
        .collect()
}

/// The database URL: `sqlite://…` or `postgres://…`.
pub fn database_url(src: &dyn Source, default: &str) -> Result<String, ConfigError> {
    let url = string_or(src, "DATABASE_URL", default);
    if url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://")
    {
        Ok(url)
    } else {
        Err(ConfigError::new(
            "DATABASE_URL",
            "must start with sqlite: or postgres://",
        ))
    }
}

/// Default API credentials of the embedded erp-sandbox (documented in its README; not secrets).
pub const SANDBOX_ERP_KEY: &str = "sandbox-key";
/// See [`SANDBOX_ERP_KEY`].
pub const SANDBOX_ERP_SECRET: &str = "sandbox-secret";

/// Connection to the ERP (Frappe REST).
#[derive(Clone, Debug)]
pub struct ErpSettings {
    /// Base URL of the Frappe site.
    pub url: Url,
    /// API key of the integration user.
    pub api_key: String,
    /// API secret of the integration user.
    pub api_secret: SecretString,
}

impl ErpSettings {
    /// A Frappe client with these settings.
    pub fn client(&self) -> Result<crate::erpnext::FrappeClient, crate::erpnext::ErpError> {
        crate::erpnext::FrappeClient::new(self.url.as_str(), &self.api_key, &self.api_secret)
    }

    /// `ERP_URL`, `ERP_API_KEY`, `ERP_API_SECRET`, defaulting to the embedded erp-sandbox.
    pub fn from_source(
        src: &dyn Source,
        sandbox_key: &str,
        sandbox_secret: &str,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            url: url_or(src, "ERP_URL", "http://127.0.0.1:8000")?,
            api_key: string_or(src, "ERP_API_KEY", sandbox_key),
            api_secret: secret_or(src, "ERP_API_SECRET", sandbox_secret)?,
        })
    }
}

/// The event bus: `NATS_URL` (unset: in-process) with its credentials and TLS ([`NatsConnection`]),
/// `NATS_PREFIX` (isolates streams and subjects of an environment or a test run; empty in production),
/// `NATS_ACK_WAIT_S` (redelivery of unacked messages).
#[derive(Clone, Debug)]
pub struct BusSettings {
    /// The NATS server and how to log in, or none for the in-process bus.
    pub url: Option<NatsConnection>,
    /// Stream and subject prefix.
    pub prefix: String,
    /// How long JetStream waits for an ack before redelivering.
    pub ack_wait: std::time::Duration,
}

impl BusSettings {
    /// Reads the bus variables.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let prefix = string_or(src, "NATS_PREFIX", "");
        if !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(ConfigError::new(
                "NATS_PREFIX",
                "letters, digits, '-' and '_' only",
            ));
        }
        Ok(Self {
            url: NatsConnection::from_source(src)?,
            prefix,
            ack_wait: std::time::Duration::from_secs(parsed_or(src, "NATS_ACK_WAIT_S", 30)?),
        })
    }

    /// Connects the bus these settings describe.
    pub async fn connect(
        &self,
    ) -> Result<std::sync::Arc<dyn crate::events::EventBus>, crate::events::BusError> {
        crate::events::connect_bus_to(self.url.as_ref(), &self.prefix, self.ack_wait).await
    }
}

/// Whether messages may leave the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboundMode {
    /// Captured in the outbox; only allowlisted recipients leave.
    Sandbox,
    /// Sent for real; must be set explicitly.
    Live,
}

/// `OUTBOUND_MODE` (default sandbox).
pub fn outbound_mode(src: &dyn Source) -> Result<OutboundMode, ConfigError> {
    match string_or(src, "OUTBOUND_MODE", "sandbox").as_str() {
        "sandbox" => Ok(OutboundMode::Sandbox),
        "live" => Ok(OutboundMode::Live),
        other => Err(ConfigError::new(
            "OUTBOUND_MODE",
            format!("{other:?}: expected sandbox or live"),
        )),
    }
}

/// `SHUTDOWN_GRACE_S` (default 25): how long a stopping process may take, after SIGTERM, to finish
/// the requests in flight and the work in hand. Under Kubernetes' default 30 s before SIGKILL.
pub fn shutdown_grace(src: &dyn Source) -> Result<std::time::Duration, ConfigError> {
    let seconds: u64 = parsed_or(src, "SHUTDOWN_GRACE_S", 25)?;
    if seconds == 0 {
        return Err(ConfigError::new(
            "SHUTDOWN_GRACE_S",
            "must be at least 1 second",
        ));
    }
    Ok(std::time::Duration::from_secs(seconds))
}

/// How long a stopping server keeps serving, answering `/readyz` with 503, before it closes its
/// listener (`SHUTDOWN_DELAY_S`, default 0): long enough for a load balancer that health-checks
/// `/readyz` (Traefik, every 10 s) to take the replica out, so no request is sent to a closed port.
pub fn shutdown_delay(src: &dyn Source) -> Result<std::time::Duration, ConfigError> {
    let seconds: u64 = parsed_or(src, "SHUTDOWN_DELAY_S", 0)?;
    Ok(std::time::Duration::from_secs(seconds))
}

/// A directory path with a default.
pub fn path_or(src: &dyn Source, name: &str, default: &str) -> PathBuf {
    PathBuf::from(string_or(src, name, default))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_malformed_number_names_its_variable() {
        let err = parsed_or::<u32>(&env(&[("IP_LIMIT", "lots")]), "IP_LIMIT", 30).unwrap_err();
        assert_eq!(err.name, "IP_LIMIT");
        assert!(err.to_string().contains("IP_LIMIT"));
    }

    #[test]
    fn a_portal_url_without_scheme_is_refused() {
        let err = url_or(
            &env(&[("PORTAL_URL", "portal.example.ca")]),
            "PORTAL_URL",
            "",
        )
        .unwrap_err();
        assert_eq!(err.name, "PORTAL_URL");
    }

    #[test]
    fn a_trailing_slash_is_dropped_from_origins() {
        let url = url_or(
            &env(&[("PUBLIC_URL", "https://hub.example.ca/")]),
            "PUBLIC_URL",
            "",
        )
        .unwrap();
        assert_eq!(url.as_str().trim_end_matches('/'), "https://hub.example.ca");
    }

    #[test]
    fn trusted_proxies_parse_as_a_list_of_addresses_and_ranges() {
        let ranges = ip_ranges_or(
            &env(&[("TRUSTED_PROXIES", "127.0.0.1, ::1, 10.42.0.0/16")]),
            "TRUSTED_PROXIES",
            "",
        )
        .unwrap();
        assert_eq!(ranges.len(), 3);
        for bad in ["nope", "10.0.0.0/40"] {
            let e =
                ip_ranges_or(&env(&[("TRUSTED_PROXIES", bad)]), "TRUSTED_PROXIES", "").unwrap_err();
            assert!(e.to_string().contains("TRUSTED_PROXIES"), "{e}");
        }
    }

    #[test]
    fn outbound_mode_must_be_explicit() {
        assert_eq!(outbound_mode(&env(&[])).unwrap(), OutboundMode::Sandbox);
        assert!(outbound_mode(&env(&[("OUTBOUND_MODE", "yes")])).is_err());
    }

    #[test]
    fn a_database_url_of_another_kind_is_refused() {
        assert!(
            database_url(
                &env(&[("DATABASE_URL", "mysql://x")]),
                "sqlite://var/hub.db"
            )
            .is_err()
        );
    }
}
