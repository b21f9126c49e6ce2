//! What the services serve, from their own OpenAPI documents and default settings.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::rules::Router;

/// Namespaces several services share (`/webhook/stripe`, `/webhook/twilio`, `/.well-known/…`): there
/// the route prefix is the first two segments; elsewhere the first segment belongs to one service.
const SHARED_NAMESPACES: [&str; 2] = ["webhook", ".well-known"];

/// Paths for other services only (`INTERNAL_API_SECRET`), never routed by Traefik: documented in
/// the OpenAPI, reached inside the network.
pub(crate) const INTERNAL_PREFIX: &str = "/internal/";

/// The hosts a request may come on: the customer portal's and any other (staff, webhooks).
pub(crate) const HOSTS: [&str; 2] = ["client.gigafibre.ca", "hub.gigafibre.ca"];

/// Path prefixes served by staff only (Authentik forwardAuth): the support tools, and vision-ocr's
/// routes when the request carries no technician's token ([`TECH_PATHS`]).
pub(crate) const STAFF_PATHS: [&str; 9] = [
    "/portal/impersonate",
    "/otp/tech-link",
    "/notifications/",
    "/payments/refund",
    "/payments/send-link",
    "/payments/repair",
    "/payments/ppa/run",
    "/accept/generate",
    "/vision/",
];

/// Paths (with `{parameters}` filled in as `sample1`) that staff and customers both use: a request
/// carrying a customer token (`Authorization: Bearer`) is a customer's, checked by the service; any
/// other goes through Authentik (quotation-signing's quote pages).
pub(crate) const SHARED_PATHS: [&str; 4] = [
    "/accept/sample1/status",
    "/accept/sample1/print",
    "/accept/sample1/qr.svg",
    "/accept/sample1/qr.png",
];

/// Paths (with `{parameters}` as `sample1`) that staff and technicians both use: a request carrying
/// a technician's token (`Authorization: Bearer`, `aud=tech`) is a technician's, checked by the
/// service; any other goes through Authentik (vision-ocr's label reading and its jobs).
pub(crate) const TECH_PATHS: [&str; 2] = ["/vision/equipment", "/vision/jobs/sample1"];

/// A service of the services mode, as Traefik routes it.
pub(crate) struct Service {
    /// Name of the Traefik service (and of the compose service / Kubernetes Service).
    pub(crate) name: &'static str,
    /// Its OpenAPI document as JSON.
    pub(crate) openapi: Value,
    /// Its default listen address (the port is its own, DESIGN.md).
    pub(crate) default_bind: String,
}

/// The services behind Traefik today.
pub(crate) fn services() -> Vec<Service> {
    let none = std::collections::HashMap::<String, String>::new();
    vec![
        Service {
            name: "portal-auth",
            openapi: serde_json::from_str(&portal_auth::PortalAuth::openapi().to_json().unwrap())
                .unwrap(),
            default_bind: portal_auth::Settings::from_source(&none)
                .unwrap()
                .server
                .bind,
        },
        Service {
            name: "notifications",
            openapi: serde_json::from_str(
                &notifications::Notifications::openapi().to_json().unwrap(),
            )
            .unwrap(),
            default_bind: notifications::Settings::from_source(&none)
                .unwrap()
                .server
                .bind,
        },
        Service {
            name: "payments",
            openapi: serde_json::from_str(&payments::Payments::openapi().to_json().unwrap())
                .unwrap(),
            default_bind: payments::Settings::from_source(&none).unwrap().server.bind,
        },
        Service {
            name: "quotation-signing",
            openapi: serde_json::from_str(
                &quotation_signing::QuotationSigning::openapi()
                    .to_json()
                    .unwrap(),
            )
            .unwrap(),
            default_bind: quotation_signing::Settings::from_source(&none)
                .unwrap()
                .server
                .bind,
        },
        Service {
            name: "vision-ocr",
            openapi: serde_json::from_str(&vision_ocr::VisionOcr::openapi().to_json().unwrap())
                .unwrap(),
            default_bind: vision_ocr::Settings::from_source(&none)
                .unwrap()
                .server
                .bind,
        },
    ]
}

impl Service {
    /// Every documented path Traefik routes, with `{parameters}` filled in.
    pub(crate) fn sample_paths(&self) -> Vec<String> {
        self.documented_paths()
            .into_iter()
            .filter(|p| !p.starts_with(INTERNAL_PREFIX))
            .collect()
    }

    /// Every documented path under [`INTERNAL_PREFIX`].
    pub(crate) fn internal_paths(&self) -> Vec<String> {
        self.documented_paths()
            .into_iter()
            .filter(|p| p.starts_with(INTERNAL_PREFIX))
            .collect()
    }

    fn documented_paths(&self) -> Vec<String> {
        let params = regex::Regex::new(r"\{[^}]*\}").unwrap();
        self.openapi["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(|p| params.replace_all(p, "sample1").into_owned())
            .collect()
    }

    pub(crate) fn prefixes(&self) -> BTreeSet<String> {
        self.sample_paths().iter().map(|p| prefix_of(p)).collect()
    }
}

fn prefix_of(path: &str) -> String {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or_default();
    match segments.next() {
        Some(second) if SHARED_NAMESPACES.contains(&first) => format!("/{first}/{second}"),
        _ => format!("/{first}"),
    }
}

/// Whether a router's rule names `prefix` itself (`Path(prefix)` or `PathPrefix(prefix/)`).
pub(crate) fn declares(router: &Router, prefix: &str) -> bool {
    let mut paths = Vec::new();
    router.rule.declared_paths(&mut paths);
    paths
        .iter()
        .any(|p| p == prefix || *p == format!("{prefix}/"))
}
