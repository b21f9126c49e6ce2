//! What the hub decides for payments in the embedded default: the Stripe stand-in in-process when
//! `STRIPE_API_URL` is unset (its webhook pointing back at the hub), portal-auth being the hub
//! itself, and an `INTERNAL_API_SECRET` made at start when none is given.

use std::collections::HashMap;

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

/// Starts the Stripe stand-in on `STRIPE_SANDBOX_BIND` (default 127.0.0.1:8002) over
/// `STRIPE_SANDBOX_DATABASE_URL`, sending every event to the hub's `/webhook/stripe`, signed with
/// [`SANDBOX_WEBHOOK_SECRET`]; returns its URL.
pub(crate) async fn start_stripe_sandbox(src: &dyn Source) -> anyhow::Result<String> {
    let settings = stripe_sandbox::SandboxSettings::from_source(&stripe_sandbox_source(src)?)?;
    std::fs::create_dir_all("var").context("creating var/")?;
    let sandbox = stripe_sandbox::Sandbox::build(settings)
        .await
        .context("starting the Stripe stand-in (STRIPE_SANDBOX_BIND)")?;
    let url = sandbox.base_url();
    tracing::info!(url = %url, "Stripe stand-in started in-process");
    tokio::spawn(sandbox.run_until_stopped());
    Ok(url)
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

/// portal-auth is the hub itself; `INTERNAL_API_SECRET`, when neither it nor its `_FILE` is set, is
/// made now (48 random characters), so portal-auth mints the tokens payments asks for.
pub(crate) fn wire_payments(src: &mut HubDefaults) {
    let bind = config::string_or(&*src, "BIND", "127.0.0.1:8080");
    src.overrides
        .insert("PORTAL_AUTH_URL".to_owned(), own_origin(&bind));
    if src.get("INTERNAL_API_SECRET").is_none() && src.get("INTERNAL_API_SECRET_FILE").is_none() {
        let secret: String = rand::rng()
            .sample_iter(rand::distr::Alphanumeric)
            .take(48)
            .map(char::from)
            .collect();
        src.defaults
            .insert("INTERNAL_API_SECRET".to_owned(), secret);
    }
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
    fn a_made_internal_secret_is_long_enough_and_one_given_is_kept() {
        let mut made = crate::defaults();
        wire_payments(&mut made);
        if std::env::var_os("INTERNAL_API_SECRET").is_none() {
            assert!(made.get("INTERNAL_API_SECRET").unwrap().len() >= 32);
        }
        assert!(made.get("PORTAL_AUTH_URL").unwrap().starts_with("http://"));
    }
}
