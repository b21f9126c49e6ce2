//! Each service's settings, asked through a source that records what they read: the environment
//! given in Compose or Kubernetes must be accepted, read in full, and complete for the services mode.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use shared::config::Source;

use crate::read;

/// Variables read by every binary outside its settings (`shared::telemetry`).
const TELEMETRY_VARIABLES: [&str; 2] = ["RUST_LOG", "OTEL_EXPORTER_OTLP_ENDPOINT"];
/// Variables whose embedded default is right only for one process on a laptop (a loopback address,
/// a SQLite file, the in-process bus or ERP, links to 127.0.0.1, generated keys, the sandbox
/// default): a service in its own container must be given each one it reads.
const SERVICES_MODE_VARIABLES: [&str; 20] = [
    "BIND",
    "DATABASE_URL",
    "NATS_URL",
    "ERP_URL",
    "ERP_API_KEY",
    "ERP_API_SECRET",
    "PORTAL_URL",
    "PUBLIC_URL",
    "TRUSTED_PROXIES",
    "JWT_KEYS_DIR",
    "JWT_GENERATE_KEYS",
    "OUTBOUND_MODE",
    // payments: portal-auth and Stripe are not on loopback; without a key, webhook secret or the
    // internal secret (which portal-auth must share) paying, booking or coming back logged in stops.
    "PORTAL_AUTH_URL",
    "STRIPE_API_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRETS",
    "INTERNAL_API_SECRET",
    // quotation-signing: DocuSeal is not on loopback; without its key no quote is sent to sign,
    // without the webhook secrets every signature is refused.
    "DOCUSEAL_API_URL",
    "DOCUSEAL_API_KEY",
    "DOCUSEAL_WEBHOOK_SECRETS",
];

/// A settings source over a map that remembers every variable asked for.
struct Recorder {
    vars: HashMap<String, String>,
    asked: RefCell<BTreeSet<String>>,
}

impl Source for Recorder {
    fn get(&self, name: &str) -> Option<String> {
        self.asked.borrow_mut().insert(name.to_owned());
        self.vars
            .get(name)
            .cloned()
            .filter(|v| !v.trim().is_empty())
    }
}

/// What a service's settings made of an environment.
struct Reading {
    /// `Err`: the service would refuse to start, with this message.
    bind: Result<String, String>,
    /// Every variable it looked at.
    asked: BTreeSet<String>,
}

/// Reads `vars` the way service `name` does at start.
fn settings_of(name: &str, vars: &BTreeMap<String, String>) -> Reading {
    let src = Recorder {
        vars: vars.clone().into_iter().collect(),
        asked: RefCell::default(),
    };
    let bind = match name {
        "portal-auth" => portal_auth::Settings::from_source(&src)
            .map(|s| s.server.bind)
            .map_err(|e| e.to_string()),
        "notifications" => notifications::Settings::from_source(&src)
            .map(|s| s.server.bind)
            .map_err(|e| e.to_string()),
        "payments" => payments::Settings::from_source(&src)
            .map(|s| s.server.bind)
            .map_err(|e| e.to_string()),
        "quotation-signing" => quotation_signing::Settings::from_source(&src)
            .map(|s| s.server.bind)
            .map_err(|e| e.to_string()),
        "docuseal-sandbox" => docuseal_sandbox::SandboxSettings::from_source(&src)
            .map(|s| s.bind)
            .map_err(|e| e.to_string()),
        "stripe-sandbox" => stripe_sandbox::SandboxSettings::from_source(&src)
            .map(|s| s.bind)
            .map_err(|e| e.to_string()),
        "erp-sandbox" => erp_sandbox_settings(&src),
        "vision-ocr" => vision_ocr::Settings::from_source(&src)
            .map(|s| s.server.bind)
            .map_err(|e| e.to_string()),
        other => panic!("no settings known for {other}"),
    };
    Reading {
        bind,
        asked: src.asked.into_inner(),
    }
}

/// The erp-sandbox reads its few variables in main.rs, through the process environment rather
/// than a `Source`: the upper-case string literals there, and the variables its `--help` lists
/// (two spaces, the name, spaces, what it is).
fn erp_sandbox_settings(src: &Recorder) -> Result<String, String> {
    let main = read("crates/erp-sandbox/src/main.rs");
    let literal = regex::Regex::new(r#""([A-Z][A-Z0-9_]{3,})""#).unwrap();
    let help_line = regex::Regex::new(r"(?m)^  ([A-Z][A-Z0-9_]{3,})\s").unwrap();
    for name in literal
        .captures_iter(&main)
        .chain(help_line.captures_iter(&main))
    {
        src.get(&name[1]);
    }
    for name in ["BIND", "DATABASE_URL"] {
        assert!(
            src.asked.borrow().contains(name),
            "erp-sandbox reads {name}"
        );
    }
    Ok(src
        .get("BIND")
        .unwrap_or_else(|| "127.0.0.1:8000".to_owned()))
}

/// Checks one service's environment (from compose or Kubernetes) against its own settings; returns
/// the address it binds.
pub(crate) fn check_environment(
    origin: &str,
    service: &str,
    vars: &BTreeMap<String, String>,
    documented: &BTreeSet<String>,
) -> String {
    let reading = settings_of(service, vars);
    let bind = reading
        .bind
        .unwrap_or_else(|e| panic!("{origin}: {service} would not start: {e}"));
    let needed = settings_of(service, &BTreeMap::new()).asked;
    for name in SERVICES_MODE_VARIABLES
        .iter()
        .filter(|n| needed.contains(**n))
    {
        assert!(
            vars.get(*name).is_some_and(|v| !v.trim().is_empty()),
            "{origin}: {service} needs {name} in the services mode"
        );
    }
    for (name, value) in vars {
        let read = reading.asked.contains(name) || TELEMETRY_VARIABLES.contains(&name.as_str());
        if value.trim().is_empty() {
            // An empty value means unset: there only to show the variable exists. No typo, though.
            assert!(
                documented.contains(name),
                "{origin}: {name} is in no .env.example line"
            );
        } else {
            assert!(read, "{origin}: {service} never reads {name}");
        }
    }
    assert!(
        !bind.starts_with("127.") && !bind.starts_with("localhost"),
        "{origin}: {service} binds {bind}, unreachable from another container"
    );
    bind
}

/// Variables documented in `.env.example`.
pub(crate) fn documented_variables() -> BTreeSet<String> {
    read(".env.example")
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
        .filter(|k| !k.starts_with('#'))
        .collect()
}
