//! Settings of vision-ocr, read from the environment.

use std::time::Duration;

use secrecy::SecretString;
use shared::config::{self, ConfigError, ErpSettings, SANDBOX_ERP_KEY, SANDBOX_ERP_SECRET, Source};
use shared::http::{StaffGate, TrustedProxies};

use crate::erp::TaxAccounts;
use crate::gemini::GeminiSettings;
use crate::input::Guard;
use crate::local::LocalSettings;
use crate::process::Limits;

/// `DATABASE_URL` when unset: a SQLite file of its own under `var/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://var/vision-ocr.db?mode=rwc";
/// `BIND` when unset.
pub const DEFAULT_BIND: &str = "127.0.0.1:8084";
/// `VISION_MAX_UPLOAD_BYTES` when unset: 10 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// `VISION_MAX_PIXELS` when unset: 25 megapixels (a 24 MP camera's photo passes, a 50 MP one not).
pub const DEFAULT_MAX_PIXELS: u64 = 25_000_000;
/// `VISION_MAX_PDF_PAGES` when unset.
pub const DEFAULT_MAX_PDF_PAGES: u32 = 10;
/// `PORTAL_AUTH_URL` when unset: portal-auth on its own port (technicians' tokens are checked
/// with its keys).
pub const DEFAULT_PORTAL_AUTH_URL: &str = "http://127.0.0.1:8081";

/// Everything the service needs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where and how its own process serves (`BIND`, `SHUTDOWN_*`, the event bus).
    pub server: shared::http::ServerSettings,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// ERPNext: suppliers, Purchase Invoices, Equipment.
    pub erp: ErpSettings,
    /// What an upload may be (`VISION_MAX_PIXELS`, `VISION_MAX_PDF_PAGES`).
    pub guard: Guard,
    /// Largest upload (`VISION_MAX_UPLOAD_BYTES`).
    pub max_upload_bytes: usize,
    /// How many readings run at once (`VISION_WORKERS`, default the number of cores).
    pub workers: usize,
    /// Tesseract and poppler.
    pub local: LocalSettings,
    /// Gemini, when `GEMINI_API_KEY` is set.
    pub gemini: Option<GeminiSettings>,
    /// Where a draft Purchase Invoice books each tax (`VISION_ACCOUNT_TPS`, `_TVQ`, `_HST`).
    pub tax_accounts: TaxAccounts,
    /// Where technicians' tokens are checked (`PORTAL_AUTH_URL`'s JWKS) and their issuer
    /// (`JWT_ISSUER`).
    pub portal_auth_url: String,
    /// The `iss` of portal-auth's tokens.
    pub jwt_issuer: String,
    /// Who is staff (`TRUSTED_PROXIES`; `LOOPBACK_IS_STAFF`, off unless the hub turns it on).
    pub staff_gate: StaffGate,
    /// Staff groups that may read invoices (`VISION_STAFF_GROUPS`, default
    /// `accounting,support,admin,dispatch`).
    pub staff_groups: Vec<String>,
}

impl Settings {
    /// Reads the settings from `src`, failing on the first bad variable.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let limits = Limits::default();
        Ok(Self {
            server: shared::http::ServerSettings::from_source(src, DEFAULT_BIND)?,
            database_url: config::database_url(src, DEFAULT_DATABASE_URL)?,
            erp: ErpSettings::from_source(src, SANDBOX_ERP_KEY, SANDBOX_ERP_SECRET)?,
            guard: Guard {
                max_pixels: config::parsed_or(src, "VISION_MAX_PIXELS", DEFAULT_MAX_PIXELS)?,
                max_pages: config::parsed_or(src, "VISION_MAX_PDF_PAGES", DEFAULT_MAX_PDF_PAGES)?,
                limits,
            },
            max_upload_bytes: config::parsed_or(
                src,
                "VISION_MAX_UPLOAD_BYTES",
                DEFAULT_MAX_UPLOAD_BYTES,
            )?,
            workers: config::parsed_or(src, "VISION_WORKERS", default_workers())?.max(1),
            local: LocalSettings {
                tesseract: config::string_or(src, "TESSERACT", "tesseract"),
                ..LocalSettings::default()
            },
            gemini: gemini(src)?,
            tax_accounts: TaxAccounts {
                tps: config::string_or(src, "VISION_ACCOUNT_TPS", "1310 - TPS à recevoir - GF"),
                tvq: config::string_or(src, "VISION_ACCOUNT_TVQ", "1320 - TVQ à recevoir - GF"),
                hst: config::string_or(src, "VISION_ACCOUNT_HST", "1330 - TVH à recevoir - GF"),
            },
            portal_auth_url: config::origin_or(src, "PORTAL_AUTH_URL", DEFAULT_PORTAL_AUTH_URL)?,
            jwt_issuer: config::string_or(src, "JWT_ISSUER", "https://hub.gigafibre.ca"),
            staff_gate: StaffGate {
                trusted_proxies: TrustedProxies::from_source(src)?,
                loopback_is_staff: config::parsed_or(src, "LOOPBACK_IS_STAFF", false)?,
            },
            staff_groups: shared::http::groups_or(
                src,
                "VISION_STAFF_GROUPS",
                "accounting,support,admin,dispatch",
            ),
        })
    }
}

fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// Gemini's settings when `GEMINI_API_KEY` (or `_FILE`) is set.
fn gemini(src: &dyn Source) -> Result<Option<GeminiSettings>, ConfigError> {
    let Some(api_key) = config::secret(src, "GEMINI_API_KEY")? else {
        return Ok(None);
    };
    let defaults = GeminiSettings::new(SecretString::default());
    let api_url = config::url_or(src, "GEMINI_API_URL", &defaults.api_url)?;
    Ok(Some(GeminiSettings {
        api_url: api_url.as_str().trim_end_matches('/').to_owned(),
        model: config::string_or(src, "GEMINI_MODEL", &defaults.model),
        timeout: Duration::from_secs(config::parsed_or(
            src,
            "GEMINI_TIMEOUT_S",
            defaults.timeout.as_secs(),
        )?),
        api_key,
        ..defaults
    }))
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
    fn defaults_read_locally_with_the_documented_bounds() {
        let s = settings(&[]).unwrap();
        assert!(s.gemini.is_none());
        assert_eq!(s.max_upload_bytes, 10 * 1024 * 1024);
        assert_eq!(s.guard.max_pixels, 25_000_000);
        assert_eq!(s.guard.max_pages, 10);
        assert!(s.workers >= 1);
    }

    #[test]
    fn a_key_turns_gemini_on_and_bad_numbers_are_named() {
        let s = settings(&[("GEMINI_API_KEY", "test-key")]).unwrap();
        assert_eq!(s.gemini.unwrap().model, "gemini-2.5-flash");
        let e = settings(&[("VISION_MAX_PIXELS", "lots")]).unwrap_err();
        assert_eq!(e.name, "VISION_MAX_PIXELS");
    }
}
