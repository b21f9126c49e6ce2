//! The deployment files, checked offline (no Docker engine, no cluster):
//!
//! - `deploy/k8s`: rendered by `kubectl kustomize` (kustomize v5.5, part of the machine image), in a
//!   temp copy where each `secrets.env.example` becomes `secrets.env` as an operator would do it;
//!   the output validated against the Kubernetes schemas with the pinned
//!   `kubernetes-validate --strict` of the venv `scripts/ensure-services.sh` creates, then checked
//!   for what the schemas cannot see (probes, non-root, read-only root, references, who may
//!   connect, `TRUSTED_PROXIES`).
//! - `docker-compose.yml`: every service has a health check and an image or a build, and each
//!   service's environment goes through that service's own `Settings::from_source`, which must
//!   accept it, read every variable given, and be given what the services mode needs.
//! - `deploy/Dockerfile`: multi-stage, one binary per image, slim runtime, numeric non-root user.
//! - `deploy/prometheus`: the alert rules through `promtool check rules` and their unit tests
//!   (`promtool test rules`, promtool from Debian's prometheus package that
//!   `scripts/ensure-services.sh` installs); every alert tested firing and quiet, with its runbook
//!   entry in docs/runbooks.md, on metrics documented in docs/metrics.md. `deploy/k8s/monitoring`:
//!   the PrometheusRule is the plain rule file, the custom resources fit their CRDs' structure.
//! - `deploy/grafana`: the dashboard's queries parse, name documented metrics, use `${datasource}`.
#![allow(clippy::unwrap_used)]

mod compose;
mod dockerfile;
mod grafana;
mod kubernetes;
mod kustomize;
mod monitoring;
mod network;
mod prometheus;
mod settings;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn read(relative: impl AsRef<Path>) -> String {
    let path = root().join(relative.as_ref());
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every YAML document of a file (separated by `---` lines), merge keys (`<<: *anchor`) applied.
pub(crate) fn yaml_docs(relative: impl AsRef<Path>) -> Vec<Value> {
    let relative = relative.as_ref();
    let text = read(relative);
    let separator = regex::Regex::new(r"(?m)^---\s*$").unwrap();
    separator
        .split(&text)
        .map(|doc| {
            let mut value: serde_norway::Value = serde_norway::from_str(doc)
                .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", relative.display()));
            value.apply_merge().unwrap();
            serde_json::to_value(value).unwrap()
        })
        .filter(|v| !v.is_null())
        .collect()
}

pub(crate) fn yaml(relative: impl AsRef<Path>) -> Value {
    yaml_docs(relative).remove(0)
}

/// `KEY=VALUE` lines (kustomize env files); `#` comments and blank lines skipped.
pub(crate) fn env_file(relative: impl AsRef<Path>) -> BTreeMap<String, String> {
    read(relative)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("not KEY=VALUE: {l}"));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

pub(crate) fn port_of(address: &str) -> String {
    address.rsplit(':').next().unwrap().to_owned()
}

/// The Rust services of the services mode, by the name their Traefik service, compose service and
/// Kubernetes Service share.
pub(crate) const RUST_SERVICES: [&str; 5] = [
    "portal-auth",
    "notifications",
    "payments",
    "quotation-signing",
    "vision-ocr",
];

/// Traefik's load-balancer servers by service name (`http://portal-auth:8081`, …).
pub(crate) fn traefik_backends() -> BTreeMap<String, url::Url> {
    let dynamic = yaml("traefik/dynamic.yml");
    dynamic["http"]["services"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|s| s["loadBalancer"]["servers"].as_array().unwrap())
        .map(|s| url::Url::parse(s["url"].as_str().unwrap()).unwrap())
        .map(|u| (u.host_str().unwrap().to_owned(), u))
        .collect()
}
