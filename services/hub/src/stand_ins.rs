//! What the hub decides for payments and quotation-signing in the embedded default: the Stripe
//! stand-in in-process when `STRIPE_API_URL` is unset and the DocuSeal stand-in when
//! `DOCUSEAL_API_URL` is (each with its webhook pointing back at the hub), portal-auth being the
//! hub itself, and an `INTERNAL_API_SECRET` made at start when none is given.

use std::collections::HashMap;
use std::future::Future;

use anyhow::Context;
use rand::Rng as _;
use secrecy::ExposeSecret as _;
use shared::config::{self, ConfigError, Source};

use crate::HubDefaults;

/// The stand-in's own database when the hub runs it in-process.
pub(crate) const STRIPE_SANDBOX_DATABASE_URL: &str = "sqlite://var/stripe-sandbox.db?mode=rwc";
/// Where the in-process stand-in listens unless `STRIPE_SANDBOX_BIND` says otherwise.
pub(crate) const STRIPE_SANDBOX_BIND: &str = "127.0.0.1:8002";
/// The endpoint secret the in-process stand-in signs the hub's webhooks with. Not a secret: the
/// stand-in moves no money and takes `sk_test_` keys only; a real Stripe (`STRIPE_API_URL` set) uses
/// `STRIPE_WEBHOOK_SECRETS`.
pub(crate) const SANDBOX_WEBHOOK_SECRET: &str = "whsec_sandbox_embedded";

/// `http://<host>:<port>` of the hub's own listener, as a process on this machine reaches it
/// (`0.0.0.0` and `[::]` are reached on 127.0.0.1).
pub(crate) fn own_origin(bind: &str) -> String {
    let (host, port) = bind.rsplit_once(':').unwrap_or((bind, "8080"));
    let host = match host {
        "" | "0.0.0.0" | "[::]" => "127.0.0.1",
        other => other,
    };
    format!("http://{host}:{port}")
}

/// A stand-in the hub runs in-process: the erp-sandbox, the Stripe and the DocuSeal stand-ins all
/// bind when built, tell their URL and serve until the process stops.
pub(crate) trait StandIn: Sized {
    /// `http://127.0.0.1:<port>`.
    fn base_url(&self) -> String;
    /// Serves until the process stops.
    fn serve(self) -> impl Future<Output = std::io::Result<()>> + Send + 'static;
}

macro_rules! stand_in {
    ($($sandbox:ty),*) => {$(
        impl StandIn for $sandbox {
            fn base_url(&self) -> String {
                <$sandbox>::base_url(self)
            }
            fn serve(self) -> impl Future<Output = std::io::Result<()>> + Send + 'static {
                self.run_until_stopped()
            }
        }
    )*};
}
stand_in!(
    erp_sandbox::Sandbox,
    stripe_sandbox::Sandbox,
    docuseal_sandbox::Sandbox
);

/// Builds a stand-in (`what`, named with the variable that places it) once `var/` exists for its
/// SQLite file, and serves it in the background; returns its URL.
pub(crate) async fn start_in_process<S: StandIn>(
    what: &str,
    build: impl Future<Output = anyhow::Result<S>>,
) -> anyhow::Result<String> {
    std::fs::create_dir_all("var").context("creating var/")?;
    let sandbox = build
        .await
        .with_context(|| format!("starting the {what}"))?;
    let url = sandbox.base_url();
    tracing::info!(url = %url, "{what} started in-process");
    tokio::spawn(sandbox.serve());
    Ok(url)
}

/// Starts the Stripe stand-in on `STRIPE_SANDBOX_BIND` (default 127.0.0.1:8002) over
/// `STRIPE_SANDBOX_DATABASE_URL`, sending every event to the hub's `/webhook/stripe`, signed with
/// [`SANDBOX_WEBHOOK_SECRET`]; returns its URL.
pub(crate) async fn start_stripe_sandbox(src: &dyn Source) -> anyhow::Result<String> {
    let settings = stripe_sandbox::SandboxSettings::from_source(&stripe_sandbox_source(src)?)?;
    start_in_process(
        "Stripe stand-in (STRIPE_SANDBOX_BIND)",
        stripe_sandbox::Sandbox::build(settings),
    )
    .await
}

/// The stand-in's own settings, named as its binary reads them, from the hub's variables.
pub(crate) fn stripe_sandbox_source(
    src: &dyn Source,
) -> Result<HashMap<String, String>, ConfigError> {
    let bind = config::string_or(src, "BIND", "127.0.0.1:8080");
    let key = config::secret_or(src, "STRIPE_SECRET_KEY", stripe_sandbox::DEFAULT_SECRET_KEY)?;
    let mut own = HashMap::from([
        (
            "BIND".to_owned(),
            config::string_or(src, "STRIPE_SANDBOX_BIND", STRIPE_SANDBOX_BIND),
        ),
        (
            "DATABASE_URL".to_owned(),
            config::string_or(
                src,
                "STRIPE_SANDBOX_DATABASE_URL",
                STRIPE_SANDBOX_DATABASE_URL,
            ),
        ),
        (
            "STRIPE_SECRET_KEY".to_owned(),
            key.expose_secret().to_owned(),
        ),
        (
            "STRIPE_SANDBOX_WEBHOOKS".to_owned(),
            format!(
                "{}/webhook/stripe={SANDBOX_WEBHOOK_SECRET}",
                own_origin(&bind)
            ),
        ),
    ]);
    for name in ["STRIPE_SANDBOX_PUBLIC_URL", "STRIPE_SANDBOX_RETRY_SECONDS"] {
        if let Some(value) = src.get(name) {
            own.insert(name.to_owned(), value);
        }
    }
    Ok(own)
}

/// Points payments at the in-process stand-in (`url`): its key and webhook secret.
pub(crate) fn use_stripe_sandbox(src: &mut HubDefaults, url: String) {
    src.overrides.insert("STRIPE_API_URL".to_owned(), url);
    src.overrides.insert(
        "STRIPE_WEBHOOK_SECRETS".to_owned(),
        SANDBOX_WEBHOOK_SECRET.to_owned(),
    );
    src.defaults.insert(
        "STRIPE_SECRET_KEY".to_owned(),
        stripe_sandbox::DEFAULT_SECRET_KEY.to_owned(),
    );
}

/// 48 random letters and digits.
fn random_secret() -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(48)
        .map(char::from)
        .collect()
}

/// portal-auth is the hub itself; `INTERNAL_API_SECRET`, when neither it nor its `_FILE` is set, is
/// made now (48 random characters), so portal-auth mints the tokens payments and quotation-signing
/// ask for; `PORTAL_URL`, unset, is the hub's own origin (the portal's links, DocuSeal's return).
pub(crate) fn wire_payments(src: &mut HubDefaults) {
    let bind = config::string_or(&*src, "BIND", "127.0.0.1:8080");
    src.overrides
        .insert("PORTAL_AUTH_URL".to_owned(), own_origin(&bind));
    src.defaults
        .insert("PORTAL_URL".to_owned(), own_origin(&bind));
    if src.get("INTERNAL_API_SECRET").is_none() && src.get("INTERNAL_API_SECRET_FILE").is_none() {
        src.defaults
            .insert("INTERNAL_API_SECRET".to_owned(), random_secret());
    }
}

/// The DocuSeal stand-in's own database when the hub runs it in-process.
pub(crate) const DOCUSEAL_SANDBOX_DATABASE_URL: &str = "sqlite://var/docuseal-sandbox.db?mode=rwc";
/// Where the in-process DocuSeal stand-in listens unless `DOCUSEAL_SANDBOX_BIND` says otherwise.
pub(crate) const DOCUSEAL_SANDBOX_BIND: &str = "127.0.0.1:8003";

/// The DocuSeal stand-in's own settings, named as its binary reads them, from the hub's variables:
/// its webhook to the hub's `/accept/docuseal-webhook` with `secret` in quotation-signing's header
/// (`DOCUSEAL_WEBHOOK_HEADER`), the API key quotation-signing sends (`DOCUSEAL_API_KEY`, default
/// the stand-in's).
pub(crate) fn docuseal_sandbox_source(
    src: &dyn Source,
    secret: &str,
) -> Result<HashMap<String, String>, ConfigError> {
    let bind = config::string_or(src, "BIND", "127.0.0.1:8080");
    let key = config::secret_or(src, "DOCUSEAL_API_KEY", docuseal_sandbox::DEFAULT_API_KEY)?;
    let header = config::string_or(
        src,
        "DOCUSEAL_WEBHOOK_HEADER",
        quotation_signing::config::DEFAULT_WEBHOOK_HEADER,
    );
    let mut own = HashMap::from([
        (
            "BIND".to_owned(),
            config::string_or(src, "DOCUSEAL_SANDBOX_BIND", DOCUSEAL_SANDBOX_BIND),
        ),
        (
            "DATABASE_URL".to_owned(),
            config::string_or(
                src,
                "DOCUSEAL_SANDBOX_DATABASE_URL",
                DOCUSEAL_SANDBOX_DATABASE_URL,
            ),
        ),
        (
            "DOCUSEAL_API_KEY".to_owned(),
            key.expose_secret().to_owned(),
        ),
        (
            "DOCUSEAL_SANDBOX_WEBHOOK_URL".to_owned(),
            format!("{}/accept/docuseal-webhook", own_origin(&bind)),
        ),
        (
            "DOCUSEAL_SANDBOX_WEBHOOK_HEADERS".to_owned(),
            format!("{header}={secret}"),
        ),
    ]);
    for name in [
        "DOCUSEAL_SANDBOX_PUBLIC_URL",
        "DOCUSEAL_SANDBOX_RETRY_SECONDS",
        "DOCUSEAL_SANDBOX_WEBHOOK_EVENTS",
    ] {
        if let Some(value) = src.get(name) {
            own.insert(name.to_owned(), value);
        }
    }
    Ok(own)
}

/// Starts the DocuSeal stand-in on `DOCUSEAL_SANDBOX_BIND` (default 127.0.0.1:8003) over
/// `DOCUSEAL_SANDBOX_DATABASE_URL`, its webhook pointing at the hub with a secret made now, and
/// points quotation-signing at it (`DOCUSEAL_API_URL`, `DOCUSEAL_API_KEY`,
/// `DOCUSEAL_WEBHOOK_SECRETS`).
pub(crate) async fn start_docuseal_sandbox(src: &mut HubDefaults) -> anyhow::Result<()> {
    let secret = random_secret();
    let own = docuseal_sandbox_source(&*src, &secret)?;
    let settings = docuseal_sandbox::SandboxSettings::from_source(&own)?;
    let key = own.get("DOCUSEAL_API_KEY").cloned().unwrap_or_default();
    let url = start_in_process(
        "DocuSeal stand-in (DOCUSEAL_SANDBOX_BIND)",
        docuseal_sandbox::Sandbox::build(settings),
    )
    .await?;
    src.overrides
        .insert("DOCUSEAL_API_URL".to_owned(), format!("{url}/api"));
    src.overrides.insert("DOCUSEAL_API_KEY".to_owned(), key);
    src.overrides
        .insert("DOCUSEAL_WEBHOOK_SECRETS".to_owned(), secret);
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_hub_reaches_its_own_listener_on_loopback() {
        assert_eq!(own_origin("0.0.0.0:8080"), "http://127.0.0.1:8080");
        assert_eq!(own_origin("[::]:9000"), "http://127.0.0.1:9000");
        assert_eq!(own_origin("127.0.0.1:41234"), "http://127.0.0.1:41234");
    }

    #[test]
    fn the_stand_in_signs_the_hubs_webhook_with_the_documented_secret() {
        let env: HashMap<String, String> = HashMap::from([
            ("BIND".to_owned(), "0.0.0.0:8080".to_owned()),
            ("STRIPE_SANDBOX_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        ]);
        let settings =
            stripe_sandbox::SandboxSettings::from_source(&stripe_sandbox_source(&env).unwrap())
                .unwrap();
        assert_eq!(settings.bind, "127.0.0.1:0");
        assert_eq!(settings.webhook_endpoints.len(), 1);
        assert_eq!(
            settings.webhook_endpoints[0].url,
            "http://127.0.0.1:8080/webhook/stripe"
        );
        assert_eq!(
            settings.webhook_endpoints[0].secret.expose_secret(),
            SANDBOX_WEBHOOK_SECRET
        );
        assert_eq!(
            settings.secret_key.expose_secret(),
            stripe_sandbox::DEFAULT_SECRET_KEY
        );
    }

    #[test]
    fn the_docuseal_stand_in_sends_the_hubs_webhook_with_the_secret_header() {
        let env: HashMap<String, String> = HashMap::from([
            ("BIND".to_owned(), "0.0.0.0:8080".to_owned()),
            ("DOCUSEAL_SANDBOX_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        ]);
        let own = docuseal_sandbox_source(&env, "made-at-start-0123456789").unwrap();
        let settings = docuseal_sandbox::SandboxSettings::from_source(&own).unwrap();
        assert_eq!(settings.bind, "127.0.0.1:0");
        assert_eq!(
            settings.webhook_url.as_deref(),
            Some("http://127.0.0.1:8080/accept/docuseal-webhook")
        );
        assert_eq!(settings.webhook_headers.len(), 1);
        assert_eq!(settings.webhook_headers[0].0, "X-Docuseal-Secret");
        assert_eq!(
            settings.webhook_headers[0].1.expose_secret(),
            "made-at-start-0123456789"
        );
        assert_eq!(
            settings.api_key.expose_secret(),
            docuseal_sandbox::DEFAULT_API_KEY
        );
    }

    #[test]
    fn a_made_internal_secret_is_long_enough_and_one_given_is_kept() {
        let mut made = crate::defaults();
        wire_payments(&mut made);
        if std::env::var_os("INTERNAL_API_SECRET").is_none() {
            assert!(made.get("INTERNAL_API_SECRET").unwrap().len() >= 32);
        }
        assert!(made.get("PORTAL_AUTH_URL").unwrap().starts_with("http://"));
    }
}
