//! Settings of the notifications service, read from the environment (see `.env.example`).

use std::time::Duration;

use secrecy::SecretString;
use shared::config::{self, ConfigError, OutboundMode, Source};
use shared::http::TrustedProxies;

/// `DATABASE_URL` when unset: a SQLite file of its own under `var/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://var/notifications.db?mode=rwc";

/// `BIND` when unset.
pub const DEFAULT_BIND: &str = "127.0.0.1:8085";

/// Twilio account and sender.
#[derive(Clone, Debug)]
pub struct TwilioSettings {
    /// API origin (`https://api.twilio.com`; a fake in tests).
    pub api_url: String,
    /// Account SID (`AC…`).
    pub account_sid: String,
    /// Auth token: signs requests and webhooks.
    pub auth_token: SecretString,
    /// Sender number, when no Messaging Service is used.
    pub from: Option<String>,
    /// Messaging Service SID (`MG…`), preferred over `from`.
    pub messaging_service_sid: Option<String>,
    /// Longest wait for each answer of Twilio's API (`TWILIO_TIMEOUT_S`); past it, a message whose
    /// request went out is uncertain (Twilio's records are asked before any resend).
    pub timeout: Duration,
}

/// Everything the service needs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where and how its own process serves (`BIND`, `SHUTDOWN_*`, the event bus).
    pub server: shared::http::ServerSettings,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Public origin of the hub: Twilio status callbacks are signed over `<PUBLIC_URL>/webhook/twilio`.
    pub public_url: String,
    /// Sandbox (capture) or live.
    pub mode: OutboundMode,
    /// Recipients (emails, E.164 numbers, or `@domain`) that may leave in sandbox mode.
    pub allowlist: Vec<String>,
    /// SMTP relay (`smtp://user:pass@host:587?tls=required`, `smtps://…:465`); none: email can only be captured.
    pub smtp_url: Option<SecretString>,
    /// PEM file of CA certificates trusted for the relay besides the public roots (`SMTP_CA_FILE`).
    pub smtp_ca_file: Option<String>,
    /// Longest wait for each reply of the relay (`SMTP_TIMEOUT_S`); past it, a connection is given
    /// up, and an email whose data was sent has an unknown outcome.
    pub smtp_timeout: Duration,
    /// Mailjet's API origin (`https://api.mailjet.com`), asked before an email cut by a crash is sent
    /// again (`MAILJET_API_URL`); none: such an email is sent again, possibly a second time.
    pub mailjet_api_url: Option<String>,
    /// `From` of every email, e.g. `Gigafibre <noreply@gigafibre.ca>`.
    pub mail_from: String,
    /// Default `Reply-To`.
    pub reply_to: Option<String>,
    /// Domain of generated `Message-ID`s.
    pub message_id_domain: String,
    /// Twilio; none: SMS can only be captured.
    pub twilio: Option<TwilioSettings>,
    /// Largest total of attachments per email.
    pub max_attachment_bytes: usize,
    /// Attempts before a message goes to `notify.dead` (temporary failures of the message itself).
    pub max_attempts: u32,
    /// First retry delay; doubles each attempt, with jitter, capped at `retry_cap`.
    pub retry_base: Duration,
    /// Longest retry delay.
    pub retry_cap: Duration,
    /// How long a worker holds a delivery before another may take it (after a crash).
    pub lease: Duration,
    /// Messages handled at once.
    pub concurrency: usize,
    /// Proxies whose staff headers are believed.
    pub trusted_proxies: TrustedProxies,
    /// A loopback peer forwarding nothing is staff (`LOOPBACK_IS_STAFF`): on in the hub's embedded
    /// default, off for the service alone.
    pub loopback_is_staff: bool,
    /// Staff groups that see the outbox whole, links and codes included (`IMPERSONATION_GROUPS`,
    /// as portal-auth reads it: whoever may open a customer's session anyway).
    pub impersonation_groups: Vec<String>,
    /// Further staff groups that may read the delivery log and the outbox with links and codes
    /// masked (`OUTBOX_READER_GROUPS`, default none).
    pub outbox_reader_groups: Vec<String>,
}

impl Settings {
    /// Reads the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&config::Env)
    }

    /// Reads settings from any source.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let mode = config::outbound_mode(src)?;
        let smtp_url = config::secret(src, "SMTP_URL")?;
        let twilio = twilio(src)?;
        if mode == OutboundMode::Live && (smtp_url.is_none() || twilio.is_none()) {
            return Err(ConfigError {
                name: if smtp_url.is_none() {
                    "SMTP_URL"
                } else {
                    "TWILIO_ACCOUNT_SID"
                }
                .to_owned(),
                problem: "required when OUTBOUND_MODE=live".to_owned(),
            });
        }
        Ok(Self {
            server: shared::http::ServerSettings::from_source(src, DEFAULT_BIND)?,
            database_url: config::database_url(src, DEFAULT_DATABASE_URL)?,
            public_url: config::origin_or(src, "PUBLIC_URL", "http://127.0.0.1:8080")?,
            mode,
            allowlist: config::string_or(src, "OUTBOUND_ALLOWLIST", "")
                .split(',')
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
            smtp_url,
            smtp_ca_file: src.get("SMTP_CA_FILE").filter(|path| !path.is_empty()),
            smtp_timeout: timeout(src, "SMTP_TIMEOUT_S", 60)?,
            mailjet_api_url: match src.get("MAILJET_API_URL") {
                Some(_) => Some(config::origin_or(src, "MAILJET_API_URL", "")?),
                None => None,
            },
            mail_from: config::string_or(src, "MAIL_FROM", "Gigafibre <noreply@gigafibre.ca>"),
            reply_to: src.get("MAIL_REPLY_TO"),
            message_id_domain: config::string_or(src, "MESSAGE_ID_DOMAIN", "gigafibre.ca"),
            twilio,
            max_attachment_bytes: config::parsed_or(src, "MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)?,
            max_attempts: config::parsed_or(src, "NOTIFY_MAX_ATTEMPTS", 8)?,
            retry_base: Duration::from_millis(config::parsed_or(
                src,
                "NOTIFY_RETRY_BASE_MS",
                1000,
            )?),
            retry_cap: Duration::from_millis(config::parsed_or(
                src,
                "NOTIFY_RETRY_CAP_MS",
                300_000,
            )?),
            concurrency: config::parsed_or(src, "NOTIFY_CONCURRENCY", 32)?,
            lease: Duration::from_secs(config::parsed_or(src, "NOTIFY_LEASE_S", 60)?),
            trusted_proxies: TrustedProxies::from_source(src)?,
            loopback_is_staff: config::parsed_or(src, "LOOPBACK_IS_STAFF", false)?,
            impersonation_groups: shared::http::impersonation_groups(src),
            outbox_reader_groups: shared::http::groups_or(src, "OUTBOX_READER_GROUPS", ""),
        })
    }
}

fn twilio(src: &dyn Source) -> Result<Option<TwilioSettings>, ConfigError> {
    let Some(account_sid) = src.get("TWILIO_ACCOUNT_SID") else {
        return Ok(None);
    };
    let auth_token = config::secret(src, "TWILIO_AUTH_TOKEN")?.ok_or_else(|| ConfigError {
        name: "TWILIO_AUTH_TOKEN".to_owned(),
        problem: "required with TWILIO_ACCOUNT_SID".to_owned(),
    })?;
    let from = src.get("TWILIO_FROM");
    let messaging_service_sid = src.get("TWILIO_MESSAGING_SERVICE_SID");
    if from.is_none() && messaging_service_sid.is_none() {
        return Err(ConfigError {
            name: "TWILIO_FROM".to_owned(),
            problem: "TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required".to_owned(),
        });
    }
    Ok(Some(TwilioSettings {
        api_url: config::origin_or(src, "TWILIO_API_URL", "https://api.twilio.com")?,
        account_sid,
        auth_token,
        from,
        messaging_service_sid,
        timeout: timeout(src, "TWILIO_TIMEOUT_S", 15)?,
    }))
}

/// A timeout in seconds: at least one (0 would give up every exchange before it began).
fn timeout(src: &dyn Source, name: &str, default: u64) -> Result<Duration, ConfigError> {
    match config::parsed_or(src, name, default)? {
        0 => Err(ConfigError {
            name: name.to_owned(),
            problem: "at least 1 second".to_owned(),
        }),
        secs => Ok(Duration::from_secs(secs)),
    }
}
