//! Settings of the payments service, read from the environment.

use secrecy::{ExposeSecret, SecretString};
use shared::config::{self, ConfigError, ErpSettings, SANDBOX_ERP_KEY, SANDBOX_ERP_SECRET, Source};

use shared::http::{StaffGate, TrustedProxies};

use crate::booking::Accounts;

/// `DATABASE_URL` when unset: a SQLite file of its own under `var/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://var/payments.db?mode=rwc";
/// `BIND` when unset.
pub const DEFAULT_BIND: &str = "127.0.0.1:8082";
/// `STRIPE_API_URL` when unset: the Stripe stand-in of the embedded default.
pub const DEFAULT_STRIPE_API_URL: &str = "http://127.0.0.1:8002";
/// `PORTAL_AUTH_URL` when unset: portal-auth on its own port.
pub const DEFAULT_PORTAL_AUTH_URL: &str = "http://127.0.0.1:8081";
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
    /// ERPNext: the invoices, the customers, the Payment Entries.
    pub erp: ErpSettings,
    /// Where customer tokens are checked (`PORTAL_AUTH_URL`: its `/auth/verify`).
    pub portal_auth_url: String,
    /// The portal's origin (`PORTAL_URL`): where Stripe's return lands the customer.
    pub portal_url: String,
    /// Our public origin (`PUBLIC_URL`): Stripe's `success_url` and `cancel_url` point at it.
    pub public_url: String,
    /// Klarna is offered for one invoice between these amounts, in cents (`KLARNA_MIN_CENTS`, 3500;
    /// `KLARNA_MAX_CENTS`, 100000; Klarna's Canadian limits are wider).
    pub klarna_cents: (i64, i64),
    /// Where payments are booked in ERPNext (`ERP_MODE_OF_PAYMENT`, `ERP_STRIPE_FEE_ACCOUNT`,
    /// `ERP_COST_CENTER`).
    pub accounts: Accounts,
    /// The tax registration numbers printed on receipts (`GST_NUMBER`, `QST_NUMBER`).
    pub tax_numbers: TaxNumbers,
    /// The secret portal-auth mints customer tokens for (`INTERNAL_API_SECRET` or `_FILE`); none:
    /// Stripe's return page and payment links carry no token (the customer logs in again).
    pub internal_secret: Option<SecretString>,
    /// Who is staff (`TRUSTED_PROXIES`, default 127.0.0.1; `LOOPBACK_IS_STAFF`, off unless the hub
    /// turns it on).
    pub staff_gate: StaffGate,
    /// Staff groups that may refund, send payment links and run auto-pay by hand
    /// (`PAYMENTS_STAFF_GROUPS`, default `billing,support,admin`).
    pub staff_groups: Vec<String>,
    /// How often the repair books payments whose events never came (`REPAIR_EVERY_S`, a day), and
    /// how far back it looks (`REPAIR_LOOKBACK_DAYS`, 3).
    pub repair: (std::time::Duration, std::time::Duration),
    /// Pre-authorised auto-pay (`PPA_ENABLED`, `PPA_TIME`, `PPA_RATE_PER_S`, `PPA_LEASE_SECONDS`).
    pub ppa: crate::ppa::PpaSettings,
}

/// Gigafibre's GST/TPS and QST/TVQ registration numbers, as receipts print them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxNumbers {
    /// `123456789 RT0001`.
    pub gst: String,
    /// `1234567890 TQ0001`.
    pub qst: String,
}

impl Settings {
    /// The Stripe client, when `STRIPE_SECRET_KEY` is set.
    pub fn stripe_client(&self) -> anyhow::Result<Option<crate::stripe::StripeClient>> {
        self.stripe_secret_key
            .as_ref()
            .map(|key| {
                crate::stripe::StripeClient::new(&self.stripe_api_url, key)
                    .ok_or_else(|| anyhow::anyhow!("STRIPE_SECRET_KEY cannot be sent as a header"))
            })
            .transpose()
    }

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
            erp: ErpSettings::from_source(src, SANDBOX_ERP_KEY, SANDBOX_ERP_SECRET)?,
            portal_auth_url: config::origin_or(src, "PORTAL_AUTH_URL", DEFAULT_PORTAL_AUTH_URL)?,
            portal_url: config::origin_or(src, "PORTAL_URL", "http://127.0.0.1:8080")?,
            public_url: config::origin_or(src, "PUBLIC_URL", "http://127.0.0.1:8080")?,
            klarna_cents: (
                config::parsed_or(src, "KLARNA_MIN_CENTS", 3_500)?,
                config::parsed_or(src, "KLARNA_MAX_CENTS", 100_000)?,
            ),
            accounts: accounts(src),
            internal_secret: config::secret(src, "INTERNAL_API_SECRET")?,
            staff_gate: StaffGate {
                trusted_proxies: TrustedProxies::from_source(src)?,
                loopback_is_staff: config::parsed_or(src, "LOOPBACK_IS_STAFF", false)?,
            },
            repair: (
                std::time::Duration::from_secs(config::parsed_or(src, "REPAIR_EVERY_S", 86_400)?),
                std::time::Duration::from_secs(
                    86_400 * config::parsed_or::<u64>(src, "REPAIR_LOOKBACK_DAYS", 3)?,
                ),
            ),
            staff_groups: shared::http::groups_or(
                src,
                "PAYMENTS_STAFF_GROUPS",
                "billing,support,admin",
            ),
            ppa: crate::ppa::PpaSettings::from_source(src)?,
            tax_numbers: TaxNumbers {
                gst: config::string_or(src, "GST_NUMBER", "123456789 RT0001"),
                qst: config::string_or(src, "QST_NUMBER", "1234567890 TQ0001"),
            },
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

/// The accounts of the erp-sandbox's chart unless told otherwise.
fn accounts(src: &dyn Source) -> Accounts {
    let default = Accounts::default();
    Accounts {
        mode_of_payment: config::string_or(src, "ERP_MODE_OF_PAYMENT", &default.mode_of_payment),
        fee_account: config::string_or(src, "ERP_STRIPE_FEE_ACCOUNT", &default.fee_account),
        cost_center: config::string_or(src, "ERP_COST_CENTER", &default.cost_center),
    }
}
