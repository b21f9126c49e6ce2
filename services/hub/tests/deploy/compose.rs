//! `docker-compose.yml`: health checks, builds, each service's environment, stop timing, and the
//! Traefik backends it and Kubernetes must both run.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::dockerfile::{dockerfile_stages, workspace_binaries};
use crate::kubernetes::seconds;
use crate::kustomize::Rendered;
use crate::settings::{check_environment, documented_variables};
use crate::{RUST_SERVICES, port_of, read, traefik_backends, yaml};

fn compose() -> Value {
    yaml("docker-compose.yml")
}

fn compose_services(compose: &Value) -> &serde_json::Map<String, Value> {
    compose["services"].as_object().unwrap()
}

fn compose_env(service: &Value) -> BTreeMap<String, String> {
    service["environment"]
        .as_object()
        .map(|env| {
            env.iter()
                .map(|(k, v)| {
                    let value = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), value)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_compose_service_has_a_health_check_and_an_image_or_a_build() {
    let compose = compose();
    let services = compose_services(&compose);
    for name in ["traefik", "nats", "postgres", "erp-sandbox", "portal"]
        .iter()
        .chain(RUST_SERVICES.iter())
    {
        assert!(
            services.contains_key(*name),
            "docker-compose.yml lacks {name}"
        );
    }
    for (name, s) in services {
        assert!(
            s["healthcheck"]["test"]
                .as_array()
                .is_some_and(|t| t.len() > 1),
            "{name} has no health check"
        );
        assert!(
            s["image"].is_string() || s["build"].is_object(),
            "{name}: image or build"
        );
        for (dependency, condition) in s["depends_on"].as_object().into_iter().flatten() {
            assert!(
                services.contains_key(dependency),
                "{name} depends on {dependency}"
            );
            assert_eq!(
                condition["condition"], "service_healthy",
                "{name} -> {dependency}"
            );
        }
    }
    assert!(
        services["nats"]["command"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--jetstream" || a == "-js"),
        "NATS without JetStream"
    );
}

#[test]
fn compose_builds_only_dockerfile_stages_and_workspace_binaries() {
    let compose = compose();
    let stages = dockerfile_stages();
    let binaries = workspace_binaries();
    for (name, s) in compose_services(&compose) {
        let build = &s["build"];
        if !build.is_object() {
            continue;
        }
        assert_eq!(build["dockerfile"], "deploy/Dockerfile", "{name}");
        let target = build["target"].as_str().unwrap();
        assert!(stages.contains_key(target), "{name}: no stage {target}");
        if let Some(binary) = build["args"]["SERVICE"].as_str() {
            assert!(binaries.contains(binary), "{name}: no binary {binary}");
            assert_eq!(binary, name, "{name} builds {binary}");
            let test = s["healthcheck"]["test"].as_array().unwrap();
            assert_eq!(
                test[1], "healthcheck",
                "{name}: the image's health-check script"
            );
            if RUST_SERVICES.contains(&name.as_str()) {
                assert_eq!(test[2], "/readyz", "{name}");
            }
        }
    }
}

#[test]
fn compose_gives_each_service_the_environment_it_needs() {
    let compose = compose();
    let services = compose_services(&compose);
    let documented = documented_variables();
    let init_sql = read("deploy/postgres/init.sql");
    for name in RUST_SERVICES
        .iter()
        .chain(&["erp-sandbox", "stripe-sandbox", "docuseal-sandbox"])
    {
        let vars = compose_env(&services[*name]);
        check_environment(
            &format!("docker-compose.yml {name}"),
            name,
            &vars,
            &documented,
        );
        for var in ["DATABASE_URL", "NATS_URL", "ERP_URL"] {
            let Some(url) = vars.get(var).and_then(|u| url::Url::parse(u).ok()) else {
                continue;
            };
            let Some(host) = url.host_str() else { continue };
            assert!(
                services.contains_key(host),
                "{name}: {var} names {host}, not a compose service"
            );
            if url.scheme() == "postgres" {
                let database = url.path().trim_start_matches('/');
                assert!(
                    init_sql.contains(&format!("CREATE DATABASE {database};")),
                    "{name}: database {database} is not created by deploy/postgres/init.sql"
                );
            }
        }
    }
    let traefik_ip = services["traefik"]["networks"]["default"]["ipv4_address"]
        .as_str()
        .unwrap();
    for name in RUST_SERVICES {
        let proxies = compose_env(&services[name])["TRUSTED_PROXIES"].clone();
        assert!(
            proxies.split(',').any(|p| p.trim() == traefik_ip),
            "{name}: TRUSTED_PROXIES must name Traefik ({traefik_ip})"
        );
    }
    let dbs: BTreeSet<String> = RUST_SERVICES
        .iter()
        .map(|s| compose_env(&services[*s])["DATABASE_URL"].clone())
        .collect();
    assert_eq!(dbs.len(), RUST_SERVICES.len(), "one database per service");
}

#[test]
fn compose_lets_a_service_finish_its_shutdown_grace_before_killing_it() {
    let compose = compose();
    for name in RUST_SERVICES {
        let s = &compose["services"][name];
        let env = compose_env(s);
        let grace: u64 = env
            .get("SHUTDOWN_GRACE_S")
            .map_or(25, |g| g.parse().unwrap());
        let delay: u64 = env
            .get("SHUTDOWN_DELAY_S")
            .map_or(0, |d| d.parse().unwrap());
        let stop = s["stop_grace_period"].as_str().map_or(10, seconds);
        assert!(
            delay + grace < stop,
            "{name}: SHUTDOWN_DELAY_S {delay} s + SHUTDOWN_GRACE_S {grace} s, stop_grace_period {stop} s"
        );
    }
}

#[test]
fn compose_mounts_the_traefik_configuration() {
    let compose = compose();
    let traefik = &compose["services"]["traefik"];
    let volumes: Vec<&str> = traefik["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        volumes.contains(&"./traefik:/etc/traefik:ro"),
        "{volumes:?}"
    );
    let command = traefik["command"][0].as_str().unwrap();
    assert_eq!(command, "--configFile=/etc/traefik/traefik.yml");
    let file = yaml("traefik/traefik.yml")["providers"]["file"]["filename"].clone();
    assert_eq!(file, "/etc/traefik/dynamic.yml");
}

/// Backends that are not ours to run: Authentik is installed and configured on its own.
const EXTERNAL_BACKENDS: [&str; 1] = ["authentik-outpost"];

#[test]
fn every_traefik_backend_runs_in_compose_and_kubernetes_on_the_port_traefik_uses() {
    let compose = compose();
    let rendered = Rendered::all();
    let nginx_port = regex::Regex::new(r"listen\s+(\d+);")
        .unwrap()
        .captures(&read("deploy/portal-nginx.conf"))
        .unwrap()[1]
        .to_owned();
    for (host, url) in traefik_backends() {
        if EXTERNAL_BACKENDS.contains(&host.as_str()) {
            continue;
        }
        let port = url.port().unwrap().to_string();
        let service = &compose["services"][&host];
        assert!(
            service.is_object(),
            "Traefik's backend {host} is not in docker-compose.yml"
        );
        let listens = match service["environment"]["BIND"].as_str() {
            Some(bind) => port_of(bind),
            None => nginx_port.clone(),
        };
        assert_eq!(listens, port, "compose {host}");
        let k8s = rendered
            .named("Service", &host)
            .unwrap_or_else(|| panic!("Traefik's backend {host} has no Kubernetes Service"));
        assert_eq!(
            k8s["spec"]["ports"][0]["port"]
                .as_u64()
                .unwrap()
                .to_string(),
            port
        );
    }
}

/// payments in compose: portal-auth mints its customer tokens on the same `INTERNAL_API_SECRET`, and
/// the stripe-sandbox standing in for Stripe takes payments' key and signs the events it sends to
/// payments' `/webhook/stripe` with a secret payments accepts.
#[test]
fn payments_shares_its_secrets_with_portal_auth_and_the_stripe_stand_in() {
    let compose = compose();
    let services = compose_services(&compose);
    let (portal, payments, stripe) = (
        compose_env(&services["portal-auth"]),
        compose_env(&services["payments"]),
        compose_env(&services["stripe-sandbox"]),
    );
    assert_eq!(
        portal["INTERNAL_API_SECRET"],
        payments["INTERNAL_API_SECRET"]
    );
    assert!(payments["INTERNAL_API_SECRET"].len() >= 32);
    assert_eq!(payments["PORTAL_AUTH_URL"], "http://portal-auth:8081");
    assert_eq!(stripe["STRIPE_SECRET_KEY"], payments["STRIPE_SECRET_KEY"]);
    let stripe_url = url::Url::parse(&payments["STRIPE_API_URL"]).unwrap();
    assert_eq!(stripe_url.host_str(), Some("stripe-sandbox"));
    assert_eq!(
        stripe_url.port().map(|p| p.to_string()),
        Some(port_of(&stripe["BIND"]))
    );
    let (endpoint, secret) = stripe["STRIPE_SANDBOX_WEBHOOKS"].rsplit_once('=').unwrap();
    let payments_port = port_of(&payments["BIND"]);
    assert_eq!(
        endpoint,
        format!("http://payments:{payments_port}/webhook/stripe")
    );
    assert!(
        payments["STRIPE_WEBHOOK_SECRETS"]
            .split(',')
            .any(|s| s.trim() == secret)
    );
}

/// quotation-signing in compose: portal-auth mints its customer tokens on the same
/// `INTERNAL_API_SECRET`, and the docuseal-sandbox standing in for DocuSeal takes its API key and
/// sends its webhooks to quotation-signing's `/accept/docuseal-webhook` with a secret header that
/// quotation-signing accepts.
#[test]
fn quotation_signing_shares_its_secrets_with_portal_auth_and_the_docuseal_stand_in() {
    let compose = compose();
    let services = compose_services(&compose);
    let (portal, quotes, docuseal) = (
        compose_env(&services["portal-auth"]),
        compose_env(&services["quotation-signing"]),
        compose_env(&services["docuseal-sandbox"]),
    );
    assert_eq!(portal["INTERNAL_API_SECRET"], quotes["INTERNAL_API_SECRET"]);
    assert_eq!(quotes["PORTAL_AUTH_URL"], "http://portal-auth:8081");
    assert_eq!(docuseal["DOCUSEAL_API_KEY"], quotes["DOCUSEAL_API_KEY"]);
    let api = url::Url::parse(&quotes["DOCUSEAL_API_URL"]).unwrap();
    assert_eq!(api.host_str(), Some("docuseal-sandbox"));
    assert_eq!(
        api.port().map(|p| p.to_string()),
        Some(port_of(&docuseal["BIND"]))
    );
    assert_eq!(api.path(), "/api");
    let quotes_port = port_of(&quotes["BIND"]);
    assert_eq!(
        docuseal["DOCUSEAL_SANDBOX_WEBHOOK_URL"],
        format!("http://quotation-signing:{quotes_port}/accept/docuseal-webhook")
    );
    let (header, secret) = docuseal["DOCUSEAL_SANDBOX_WEBHOOK_HEADERS"]
        .split_once('=')
        .unwrap();
    let expected = quotes
        .get("DOCUSEAL_WEBHOOK_HEADER")
        .map_or("X-Docuseal-Secret", String::as_str);
    assert!(header.eq_ignore_ascii_case(expected), "{header}");
    assert!(
        quotes["DOCUSEAL_WEBHOOK_SECRETS"]
            .split(',')
            .any(|s| s.trim() == secret)
    );
}

/// vision-ocr in compose: technicians' tokens are checked with portal-auth's keys (its JWKS) on the
/// compose network, with the issuer portal-auth signs them with; Tesseract reads without a Gemini key.
#[test]
fn vision_ocr_checks_tokens_with_portal_auth() {
    let compose = compose();
    let services = compose_services(&compose);
    let (portal, vision) = (
        compose_env(&services["portal-auth"]),
        compose_env(&services["vision-ocr"]),
    );
    let auth = url::Url::parse(&vision["PORTAL_AUTH_URL"]).unwrap();
    assert_eq!(auth.host_str(), Some("portal-auth"));
    assert_eq!(
        auth.port().map(|p| p.to_string()),
        Some(port_of(&portal["BIND"]))
    );
    assert_eq!(
        portal.get("JWT_ISSUER"),
        vision.get("JWT_ISSUER"),
        "both the default issuer, or the same one"
    );
    assert!(
        services["vision-ocr"]["depends_on"]["portal-auth"].is_object(),
        "vision-ocr starts after portal-auth"
    );
}
