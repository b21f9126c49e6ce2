//! Settings of quotation-signing, read from the environment.

use secrecy::{ExposeSecret, SecretString};
use shared::config::{self, ConfigError, ErpSettings, SANDBOX_ERP_KEY, SANDBOX_ERP_SECRET, Source};
use shared::http::{StaffGate, TrustedProxies};

/// `DATABASE_URL` when unset: a SQLite file of its own under `var/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://var/quotation-signing.db?mode=rwc";
/// `BIND` when unset.
pub const DEFAULT_BIND: &str = "127.0.0.1:8083";
/// `DOCUSEAL_API_URL` when unset: the DocuSeal stand-in of the embedded default.
pub const DEFAULT_DOCUSEAL_API_URL: &str = "http://127.0.0.1:8003/api";
/// `PORTAL_AUTH_URL` when unset: portal-auth on its own port.
pub const DEFAULT_PORTAL_AUTH_URL: &str = "http://127.0.0.1:8081";
/// `DOCUSEAL_WEBHOOK_HEADER` when unset.
pub const DEFAULT_WEBHOOK_HEADER: &str = "X-Docuseal-Secret";
/// Largest webhook body accepted (`DOCUSEAL_WEBHOOK_MAX_BYTES`): a submitter with its values and
/// document links is a few KiB.
pub const DEFAULT_WEBHOOK_MAX_BYTES: usize = 256 * 1024;

/// Everything the service needs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where and how its own process serves (`BIND`, `SHUTDOWN_*`, the event bus).
    pub server: shared::http::ServerSettings,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// DocuSeal: the API, its key, the templates, the webhook's secret header.
    pub docuseal: DocusealSettings,
    /// ERPNext: the quotations, Sales Orders, Subscriptions and files.
    pub erp: ErpSettings,
    /// Where customer tokens are checked and minted (`PORTAL_AUTH_URL`).
    pub portal_auth_url: String,
    /// The secret portal-auth mints customer tokens for (`INTERNAL_API_SECRET` or `_FILE`); none:
    /// a click quote's link makes the customer log in first.
    pub internal_secret: Option<SecretString>,
    /// The portal's origin (`PORTAL_URL`): the quotes page, DocuSeal's return.
    pub portal_url: String,
    /// Who is staff (`TRUSTED_PROXIES`; `LOOPBACK_IS_STAFF`, off unless the hub turns it on); also
    /// whose forwarded address is believed for the acceptance's IP.
    pub staff_gate: StaffGate,
    /// Staff groups that may send quotes (`ACCEPT_STAFF_GROUPS`, default `sales,support,admin`).
    pub staff_groups: Vec<String>,
}

/// DocuSeal, as configured in its UI.
#[derive(Clone, Debug)]
pub struct DocusealSettings {
    /// `https://<host>/api` (`DOCUSEAL_API_URL`).
    pub api_url: String,
    /// `X-Auth-Token` (`DOCUSEAL_API_KEY` or `_FILE`); none: no quote can be sent to sign.
    pub api_key: Option<SecretString>,
    /// The template of a French quote (`DOCUSEAL_TEMPLATE_FR`) and of an English one
    /// (`DOCUSEAL_TEMPLATE_EN`).
    pub templates: (u64, u64),
    /// The header DocuSeal sends the webhook secret in (`DOCUSEAL_WEBHOOK_HEADER`).
    pub webhook_header: String,
    /// Its accepted values (`DOCUSEAL_WEBHOOK_SECRETS`, comma-separated); none: every webhook is
    /// refused.
    pub webhook_secrets: Vec<SecretString>,
    /// Largest webhook body (`DOCUSEAL_WEBHOOK_MAX_BYTES`).
    pub webhook_max_bytes: usize,
}

impl Settings {
    /// Reads the settings from `src`, failing on the first bad variable.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        Ok(Self {
            server: shared::http::ServerSettings::from_source(src, DEFAULT_BIND)?,
            database_url: config::database_url(src, DEFAULT_DATABASE_URL)?,
            docuseal: DocusealSettings::from_source(src)?,
            erp: ErpSettings::from_source(src, SANDBOX_ERP_KEY, SANDBOX_ERP_SECRET)?,
            portal_auth_url: config::origin_or(src, "PORTAL_AUTH_URL", DEFAULT_PORTAL_AUTH_URL)?,
            internal_secret: config::secret(src, "INTERNAL_API_SECRET")?,
            portal_url: config::origin_or(src, "PORTAL_URL", "http://127.0.0.1:8080")?,
            staff_gate: StaffGate {
                trusted_proxies: TrustedProxies::from_source(src)?,
                loopback_is_staff: config::parsed_or(src, "LOOPBACK_IS_STAFF", false)?,
            },
            staff_groups: shared::http::groups_or(
                src,
                "ACCEPT_STAFF_GROUPS",
                "sales,support,admin",
            ),
        })
    }
}

impl DocusealSettings {
    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let api_url = config::url_or(src, "DOCUSEAL_API_URL", DEFAULT_DOCUSEAL_API_URL)?;
        Ok(Self {
            api_url: api_url.as_str().trim_end_matches('/').to_owned(),
            api_key: config::secret(src, "DOCUSEAL_API_KEY")?,
            templates: (
                config::parsed_or(src, "DOCUSEAL_TEMPLATE_FR", 1)?,
                config::parsed_or(src, "DOCUSEAL_TEMPLATE_EN", 2)?,
            ),
            webhook_header: webhook_header(src)?,
            webhook_secrets: webhook_secrets(src)?,
            webhook_max_bytes: config::parsed_or(
                src,
                "DOCUSEAL_WEBHOOK_MAX_BYTES",
                DEFAULT_WEBHOOK_MAX_BYTES,
            )?,
        })
    }
}

/// `DOCUSEAL_WEBHOOK_HEADER`: a header name (letters, digits and dashes).
fn webhook_header(src: &dyn Source) -> Result<String, ConfigError> {
    let name = config::string_or(src, "DOCUSEAL_WEBHOOK_HEADER", DEFAULT_WEBHOOK_HEADER);
    match !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        true => Ok(name),
        false => Err(ConfigError {
            name: "DOCUSEAL_WEBHOOK_HEADER".to_owned(),
            problem: "a header name: letters, digits and dashes".to_owned(),
        }),
    }
}

/// `DOCUSEAL_WEBHOOK_SECRETS`: comma-separated values of at least 16 characters (a guessable secret
/// would let anyone accept a quote).
fn webhook_secrets(src: &dyn Source) -> Result<Vec<SecretString>, ConfigError> {
    let Some(list) = config::secret(src, "DOCUSEAL_WEBHOOK_SECRETS")? else {
        return Ok(Vec::new());
    };
    list.expose_secret()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.len() >= 16 {
            true => Ok(SecretString::from(s.to_owned())),
            false => Err(ConfigError {
                name: "DOCUSEAL_WEBHOOK_SECRETS".to_owned(),
                problem: "each secret is at least 16 characters".to_owned(),
            }),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_source(&map)
    }

    #[test]
    fn defaults_point_at_the_stand_ins() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.docuseal.api_url, DEFAULT_DOCUSEAL_API_URL);
        assert_eq!(s.docuseal.templates, (1, 2));
        assert_eq!(s.docuseal.webhook_header, "X-Docuseal-Secret");
        assert!(s.docuseal.webhook_secrets.is_empty());
    }

    #[test]
    fn two_secrets_during_a_roll_and_short_ones_refused() {
        let s = settings(&[(
            "DOCUSEAL_WEBHOOK_SECRETS",
            "old-secret-0123456789, new-secret-0123456789",
        )])
        .unwrap();
        assert_eq!(s.docuseal.webhook_secrets.len(), 2);
        let e = settings(&[("DOCUSEAL_WEBHOOK_SECRETS", "short")]).unwrap_err();
        assert_eq!(e.name, "DOCUSEAL_WEBHOOK_SECRETS");
        let e = settings(&[("DOCUSEAL_WEBHOOK_HEADER", "X Secret")]).unwrap_err();
        assert_eq!(e.name, "DOCUSEAL_WEBHOOK_HEADER");
    }
}
