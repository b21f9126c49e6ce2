//! Settings of portal-auth, read from the environment (see `.env.example`).

use std::path::PathBuf;
use std::time::Duration;

use shared::config::{self, ConfigError, ErpSettings, Source};
use shared::http::TrustedProxies;

/// `DATABASE_URL` when unset: a SQLite file of its own under `var/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://var/portal-auth.db?mode=rwc";

/// `BIND` when unset.
pub const DEFAULT_BIND: &str = "127.0.0.1:8081";

pub use shared::config::{SANDBOX_ERP_KEY, SANDBOX_ERP_SECRET};

/// Everything portal-auth needs to run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where and how its own process serves (`BIND`, `SHUTDOWN_*`, the event bus).
    pub server: shared::http::ServerSettings,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The ERP to look customers up in.
    pub erp: ErpSettings,
    /// Origin of the customer portal (links point there).
    pub portal_url: String,
    /// Public origin of the hub (short links).
    pub public_url: String,
    /// Directory of the Ed25519 signing keys.
    pub keys_dir: PathBuf,
    /// A PKCS#8 PEM Ed25519 key given in the environment (`JWT_PRIVATE_KEY` or `JWT_PRIVATE_KEY_FILE`);
    /// when set, it signs and `keys_dir` is not read.
    pub private_key_pem: Option<secrecy::SecretString>,
    /// Seconds after its creation before a new key signs (`JWT_KEY_ACTIVATION_S`, 600): published and
    /// verifying at once, signing only once every replica and JWKS cache has had time to learn it.
    pub key_activation_s: i64,
    /// How often `keys_dir` is read again for added or removed keys (`JWT_KEYS_RELOAD_S`, 10).
    pub keys_reload: Duration,
    /// Generate a key when the directory has none (embedded default only); also the code hash key.
    pub generate_keys: bool,
    /// The secret of the typed codes' hashes (`CODE_HASH_KEY` or `CODE_HASH_KEY_FILE`); required when
    /// `generate_keys` is false, else generated in `keys_dir` on the first start.
    pub code_hash_key: Option<secrecy::SecretString>,
    /// `iss` of the tokens we mint and accept.
    pub issuer: String,
    /// Proxies whose forwarded and staff headers are believed.
    pub trusted_proxies: TrustedProxies,
    /// Requests allowed per identifier per window.
    pub identifier_limit: u32,
    /// Requests allowed per client address per window.
    pub ip_limit: u32,
    /// The rate-limit window.
    pub limit_window: Duration,
    /// The first delay of a customer's codes after its free wrong codes, doubling with each further one
    /// (`CODE_BACKOFF_S`, 30).
    pub code_backoff: Duration,
    /// Wrong codes per minute, all customers together, over which every code is refused for the rest
    /// of the minute, with a warning and `portal_auth_code_failure_cap_reached_total`
    /// (`CODE_FAILURES_PER_MINUTE`, 30).
    pub code_failures_per_minute: u32,
    /// Country calling codes we send SMS to (SMS-pumping defence), e.g. `["1"]`.
    pub sms_country_codes: Vec<String>,
    /// Login emails per address per day (`EMAIL_CAP_PER_ADDRESS`, 20): past it, no email that day
    /// (inbox-flooding defence; login SMS have their own cap, 10 per number per day).
    pub email_cap_per_address: u32,
    /// ERP lookups per second the link worker may make (protects ERPNext from a flood of requests).
    pub erp_lookups_per_s: u32,
    /// Staff groups allowed to impersonate a customer.
    pub impersonation_groups: Vec<String>,
    /// Staff groups allowed to send a technician a tech link (`DISPATCH_STAFF_GROUPS`, default
    /// `dispatch,support,admin`).
    pub dispatch_groups: Vec<String>,
    /// The bearer secret of `POST /internal/customer-tokens` (`INTERNAL_API_SECRET` or
    /// `INTERNAL_API_SECRET_FILE`, at least 32 characters), shared with the services that ask for
    /// customer tokens; unset, the route is off (404).
    pub internal_api_secret: Option<secrecy::SecretString>,
}

impl Settings {
    /// Reads the environment, failing on the first bad variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&config::Env)
    }

    /// Reads settings from any source (the environment, or a map in tests).
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let keys_dir = config::path_or(src, "JWT_KEYS_DIR", "var/keys");
        Ok(Self {
            server: shared::http::ServerSettings::from_source(src, DEFAULT_BIND)?,
            database_url: config::database_url(src, DEFAULT_DATABASE_URL)?,
            erp: ErpSettings::from_source(src, SANDBOX_ERP_KEY, SANDBOX_ERP_SECRET)?,
            portal_url: config::origin_or(src, "PORTAL_URL", "http://127.0.0.1:8080")?,
            public_url: config::origin_or(src, "PUBLIC_URL", "http://127.0.0.1:8080")?,
            private_key_pem: config::secret(src, "JWT_PRIVATE_KEY")?,
            generate_keys: config::parsed_or(src, "JWT_GENERATE_KEYS", true)?,
            code_hash_key: config::secret(src, "CODE_HASH_KEY")?,
            keys_dir,
            key_activation_s: config::parsed_or(src, "JWT_KEY_ACTIVATION_S", 600)?,
            keys_reload: Duration::from_secs(
                config::parsed_or::<u64>(src, "JWT_KEYS_RELOAD_S", 10)?.max(1),
            ),
            issuer: config::string_or(src, "JWT_ISSUER", "https://hub.gigafibre.ca"),
            trusted_proxies: TrustedProxies::from_source(src)?,
            identifier_limit: config::parsed_or(src, "LINK_LIMIT_PER_IDENTIFIER", 3)?,
            ip_limit: config::parsed_or(src, "LINK_LIMIT_PER_IP", 30)?,
            limit_window: Duration::from_secs(config::parsed_or(src, "LINK_LIMIT_WINDOW_S", 900)?),
            code_backoff: Duration::from_secs(config::parsed_or(src, "CODE_BACKOFF_S", 30)?),
            code_failures_per_minute: config::parsed_or(src, "CODE_FAILURES_PER_MINUTE", 30)?,
            sms_country_codes: list(src, "SMS_COUNTRY_CODES", "1"),
            email_cap_per_address: config::parsed_or(src, "EMAIL_CAP_PER_ADDRESS", 20)?,
            erp_lookups_per_s: config::parsed_or(src, "LINK_WORKER_ERP_RATE", 50)?,
            impersonation_groups: shared::http::impersonation_groups(src),
            dispatch_groups: shared::http::groups_or(
                src,
                "DISPATCH_STAFF_GROUPS",
                "dispatch,support,admin",
            ),
            internal_api_secret: internal_api_secret(src)?,
        })
    }
}

/// Fewest characters of `INTERNAL_API_SECRET` (`openssl rand -hex 32` gives 64).
const MIN_INTERNAL_SECRET_LEN: usize = 32;

/// `INTERNAL_API_SECRET` (or its `_FILE`), refused when shorter than 32 characters.
fn internal_api_secret(src: &dyn Source) -> Result<Option<secrecy::SecretString>, ConfigError> {
    use secrecy::ExposeSecret;
    let secret = config::secret(src, "INTERNAL_API_SECRET")?;
    if secret
        .as_ref()
        .is_some_and(|s| s.expose_secret().chars().count() < MIN_INTERNAL_SECRET_LEN)
    {
        return Err(ConfigError {
            name: "INTERNAL_API_SECRET".into(),
            problem: format!(
                "must be at least {MIN_INTERNAL_SECRET_LEN} characters (e.g. `openssl rand -hex 32`)"
            ),
        });
    }
    Ok(secret)
}

fn list(src: &dyn Source, name: &str, default: &str) -> Vec<String> {
    config::string_or(src, name, default)
        .split(',')
        .map(|s| s.trim().trim_start_matches('+').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}
