//! The Traefik configuration (`traefik/`), proved offline: there is no Traefik binary here, so this
//! test reads the dynamic config, evaluates its router rules the way Traefik v3 does (Host, Path,
//! PathPrefix, PathRegexp, HeaderRegexp, `&&`, `||`, `!`, the highest priority wins) and checks it
//! against the route prefixes each service declares in its OpenAPI document
//! (`PortalAuth::openapi()`, `Notifications::openapi()`, …), not against a list kept by hand.
//!
//! Regexes (PathRegexp, the redirect) are Go `regexp` (RE2) in Traefik. They are evaluated here with
//! Rust's `regex` crate, which implements the same RE2 model (no backreferences, no lookaround,
//! leftmost-first matching, `$` at the end of the text). The two differ in what `\d`, `\w`, `\s` and
//! `\b` cover (Unicode in Rust, ASCII in Go) and in named-group syntax, so a test below refuses those
//! constructs in our regexes: on what remains, both engines give the same answers.
#![allow(clippy::unwrap_used)]

mod rules;
mod services;
mod spa;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use rules::{Router, go_compatible_regex, middleware, route, route_with_headers, routers};
use services::{HOSTS, INTERNAL_PREFIX, SHARED_PATHS, STAFF_PATHS, TECH_PATHS, declares, services};

fn read_yaml(relative: &str) -> Value {
    let path = format!("{}/../../{relative}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{relative} is not valid YAML: {e}"))
}

fn dynamic() -> Value {
    read_yaml("traefik/dynamic.yml")
}

#[test]
fn every_prefix_a_service_serves_has_exactly_one_router_to_that_service() {
    let routers = routers(&dynamic());
    for service in services() {
        let prefixes = service.prefixes();
        assert!(!prefixes.is_empty(), "{} documents no path", service.name);
        for prefix in prefixes {
            let declaring: Vec<&Router> = routers.iter().filter(|r| declares(r, &prefix)).collect();
            assert_eq!(
                declaring.len(),
                1,
                "prefix {prefix} of {} must have exactly one router, has {:?}",
                service.name,
                declaring.iter().map(|r| &r.name).collect::<Vec<_>>()
            );
            assert_eq!(declaring[0].service, service.name, "router of {prefix}");
        }
    }
}

#[test]
fn every_documented_path_reaches_its_service_on_every_host() {
    let routers = routers(&dynamic());
    for service in services() {
        for path in service.sample_paths() {
            for host in HOSTS {
                let winner = route(&routers, host, &path)
                    .unwrap_or_else(|| panic!("no router for {host}{path}"));
                assert_eq!(
                    winner.service, service.name,
                    "{host}{path} goes to router {}",
                    winner.name
                );
            }
        }
    }
}

#[test]
fn every_router_path_belongs_to_a_service_or_is_a_known_extra() {
    // Routers that serve no API of ours, and why they exist.
    let extras = BTreeMap::from([
        ("portal-page", "the portal SPA on the customer host"),
        (
            "legacy-login",
            "old ERPNext login URLs redirected to the portal",
        ),
        ("authentik-outpost", "Authentik's forward-auth callback"),
    ]);
    let services = services();
    let documented: BTreeSet<String> = services.iter().flat_map(|s| s.sample_paths()).collect();
    let prefixes: BTreeSet<String> = services.iter().flat_map(|s| s.prefixes()).collect();
    for router in routers(&dynamic()) {
        if extras.contains_key(router.name.as_str()) {
            continue;
        }
        let mut paths = Vec::new();
        router.rule.declared_paths(&mut paths);
        let mut regexes = Vec::new();
        router.rule.declared_path_regexes(&mut regexes);
        assert!(
            !paths.is_empty() || !regexes.is_empty(),
            "router {} names no path",
            router.name
        );
        for re in regexes {
            assert!(
                documented.iter().any(|p| re.is_match(p)),
                "router {}: {re} matches no path a service documents",
                router.name
            );
        }
        for p in paths {
            let known = documented.contains(&p)
                || prefixes.contains(&p)
                || prefixes.contains(p.trim_end_matches('/'));
            assert!(
                known,
                "router {} routes {p}, which no service documents in its OpenAPI",
                router.name
            );
        }
    }
}

#[test]
fn no_router_points_at_a_missing_service_or_middleware() {
    let config = dynamic();
    let defined = config["http"]["services"].as_object().unwrap();
    for router in routers(&config) {
        assert!(
            defined.contains_key(&router.service),
            "router {} points at missing service {:?}",
            router.name,
            router.service
        );
        for m in &router.middlewares {
            middleware(&config, m);
        }
    }
    for (name, service) in defined {
        let servers = service["loadBalancer"]["servers"].as_array();
        assert!(
            servers.is_some_and(|s| !s.is_empty()),
            "service {name} has no server"
        );
    }
}

/// `/internal/` (another service asking portal-auth for a customer token with
/// `INTERNAL_API_SECRET`) reaches no service through Traefik: on the customer host it is the
/// portal page's (a 404), elsewhere no router's.
#[test]
fn no_internal_path_reaches_a_service() {
    let routers = routers(&dynamic());
    let mut paths: BTreeSet<String> = services().iter().flat_map(|s| s.internal_paths()).collect();
    assert!(
        paths.contains("/internal/customer-tokens"),
        "portal-auth documents its internal route"
    );
    paths.insert(INTERNAL_PREFIX.to_owned());
    for path in paths {
        assert!(
            route(&routers, "hub.gigafibre.ca", &path).is_none(),
            "{path}"
        );
        let winner = route(&routers, "client.gigafibre.ca", &path).unwrap();
        assert_eq!(winner.name, "portal-page", "{path}");
    }
}

#[test]
fn a_prefix_does_not_swallow_a_longer_word() {
    let routers = routers(&dynamic());
    for path in [
        "/portalx",
        "/authx/verify",
        "/notificationsfoo",
        "/webhook/twiliox",
        "/paymentsx",
        "/webhook/stripex",
        "/acceptx",
        "/acceptx/generate",
        "/visionx",
        "/visionx/equipment",
    ] {
        assert!(
            route(&routers, "hub.gigafibre.ca", path).is_none(),
            "{path}"
        );
        // On the customer host, unknown paths are the portal page's (which answers 404).
        let winner = route(&routers, "client.gigafibre.ca", path).unwrap();
        assert_eq!(winner.name, "portal-page", "{path}");
    }
}

#[test]
fn each_service_is_balanced_on_its_own_port_and_health_checked_on_readyz() {
    let config = dynamic();
    for service in services() {
        let lb = &config["http"]["services"][service.name]["loadBalancer"];
        assert_eq!(
            lb["healthCheck"]["path"], "/readyz",
            "health check of {}",
            service.name
        );
        let own_port = service.default_bind.rsplit(':').next().unwrap();
        for server in lb["servers"].as_array().unwrap() {
            let url = url::Url::parse(server["url"].as_str().unwrap()).unwrap();
            assert_eq!(url.host_str(), Some(service.name), "{url}");
            assert_eq!(url.port().map(|p| p.to_string()).as_deref(), Some(own_port));
        }
    }
}

#[test]
fn every_router_sends_the_security_headers() {
    let config = dynamic();
    for router in routers(&config) {
        let headers: Vec<&Value> = router
            .middlewares
            .iter()
            .map(|m| &middleware(&config, m)["headers"])
            .filter(|h| h.is_object())
            .collect();
        let has = |key: &str, ok: &dyn Fn(&Value) -> bool| headers.iter().any(|h| ok(&h[key]));
        assert!(
            has("stsSeconds", &|v| v
                .as_u64()
                .is_some_and(|s| s >= 15_552_000)),
            "{}: HSTS of at least 180 days",
            router.name
        );
        assert!(
            has("referrerPolicy", &|v| v == "no-referrer"),
            "{}: Referrer-Policy",
            router.name
        );
        assert!(
            has("contentTypeNosniff", &|v| v == true),
            "{}: X-Content-Type-Options",
            router.name
        );
    }
}

/// The forwardAuth settings of a router, if it has one.
fn forward_auth<'a>(config: &'a Value, router: &Router) -> Option<&'a Value> {
    router
        .middlewares
        .iter()
        .map(|m| &middleware(config, m)["forwardAuth"])
        .find(|f| f.is_object())
}

#[test]
fn staff_paths_go_through_authentik() {
    let config = dynamic();
    let routers = routers(&config);
    let staff_paths: Vec<String> = services()
        .iter()
        .flat_map(|s| s.sample_paths())
        .filter(|p| STAFF_PATHS.iter().any(|s| p.starts_with(s)))
        .chain(["/notifications/outbox".to_owned()])
        .collect();
    assert!(staff_paths.iter().any(|p| p == "/portal/impersonate"));
    for path in staff_paths {
        for host in HOSTS {
            let winner = route(&routers, host, &path).unwrap();
            let auth = forward_auth(&config, winner)
                .unwrap_or_else(|| panic!("{host}{path} reaches {} without login", winner.name));
            assert!(
                auth["address"]
                    .as_str()
                    .unwrap()
                    .contains("/outpost.goauthentik.io/auth/traefik"),
                "{path} must be checked by Authentik"
            );
            let forwarded = auth["authResponseHeaders"].as_array().unwrap();
            // What the services read (portal-auth impersonation, notifications' staff pages).
            for header in ["X-authentik-username", "X-authentik-groups"] {
                assert!(forwarded.iter().any(|h| h == header), "{header}");
            }
        }
    }
}

#[test]
fn identity_headers_come_only_from_forward_auth() {
    let config = dynamic();
    let mut identity: BTreeSet<String> = BTreeSet::new();
    for m in config["http"]["middlewares"].as_object().unwrap().values() {
        if let Some(headers) = m["forwardAuth"]["authResponseHeaders"].as_array() {
            identity.extend(headers.iter().map(|h| h.as_str().unwrap().to_lowercase()));
        }
    }
    for router in routers(&config) {
        if forward_auth(&config, &router).is_some() {
            // forwardAuth deletes each authResponseHeader before copying the auth server's answer.
            continue;
        }
        let removed: BTreeSet<String> = router
            .middlewares
            .iter()
            .filter_map(|m| middleware(&config, m)["headers"]["customRequestHeaders"].as_object())
            .flat_map(|h| h.iter())
            .filter(|(_, v)| v.as_str() == Some(""))
            .map(|(k, _)| k.to_lowercase())
            .collect();
        let kept: Vec<&String> = identity.difference(&removed).collect();
        assert!(
            kept.is_empty(),
            "router {} lets a client send {kept:?} itself",
            router.name
        );
    }
}

/// payments checks customer tokens itself (portal-auth's /auth/verify) and Stripe signs its webhook:
/// neither goes through a forwardAuth, and both strip the identity headers, so every route of
/// payments but its staff routes (Authentik, `staff_paths_go_through_authentik`), Stripe's return page
/// and webhook included, reaches it on every host.
#[test]
fn payments_is_reached_without_forward_auth_and_without_a_clients_identity_headers() {
    let config = dynamic();
    let routers = routers(&config);
    let payments = services()
        .into_iter()
        .find(|s| s.name == "payments")
        .unwrap();
    let paths = payments.sample_paths();
    for path in ["/payments/balance", "/payments/return", "/webhook/stripe"] {
        assert!(paths.iter().any(|p| p == path), "payments documents {path}");
    }
    for path in paths.iter().filter(|p| !STAFF_PATHS.contains(&p.as_str())) {
        for host in HOSTS {
            let winner = route(&routers, host, path).unwrap();
            assert_eq!(winner.service, "payments", "{host}{path}");
            assert!(
                forward_auth(&config, winner).is_none(),
                "{host}{path} goes through a forwardAuth"
            );
            assert!(
                winner
                    .middlewares
                    .iter()
                    .any(|m| m == "strip-identity-headers"),
                "{host}{path}"
            );
        }
    }
}

/// A customer token, as the portal sends it.
const BEARER: (&str, &str) = ("Authorization", "Bearer eyJhbGciOiJFZERTQSJ9.e30.c2ln");

/// quotation-signing checks customer tokens itself and DocuSeal's webhook carries its secret header:
/// the customer routes and the webhook go through no forwardAuth and strip the identity headers, on
/// every host, with a token or without.
#[test]
fn quotation_signing_customer_routes_and_webhook_are_reached_without_forward_auth() {
    let config = dynamic();
    let routers = routers(&config);
    let quotes = services()
        .into_iter()
        .find(|s| s.name == "quotation-signing")
        .unwrap();
    let paths = quotes.sample_paths();
    let open = [
        "/accept/quotes",
        "/accept/confirm",
        "/accept/docuseal-webhook",
    ];
    for path in open {
        assert!(
            paths.iter().any(|p| p == path),
            "quotation-signing documents {path}"
        );
        for host in HOSTS {
            for headers in [&[][..], &[BEARER][..]] {
                let winner = route_with_headers(&routers, host, path, headers).unwrap();
                assert_eq!(winner.service, "quotation-signing", "{host}{path}");
                assert!(
                    forward_auth(&config, winner).is_none(),
                    "{host}{path} goes through a forwardAuth"
                );
                assert!(
                    winner
                        .middlewares
                        .iter()
                        .any(|m| m == "strip-identity-headers"),
                    "{host}{path}"
                );
            }
        }
    }
    // Every documented path is open, staff-only or shared: none left to chance.
    for path in &paths {
        let known = open.contains(&path.as_str())
            || STAFF_PATHS.contains(&path.as_str())
            || SHARED_PATHS.contains(&path.as_str());
        assert!(known, "{path}: open, staff or shared?");
    }
}

/// A quote's status, printable page and QR code: without a token, staff through Authentik (which
/// sets the staff headers the service reads); with a customer token, straight to the service, the
/// identity headers stripped, so a customer never meets Authentik's login and a client never passes
/// as staff by sending headers. Sending a quote stays Authentik's even with a token.
#[test]
fn quote_pages_go_through_authentik_without_a_token_and_straight_to_the_service_with_one() {
    let config = dynamic();
    let routers = routers(&config);
    let documented = services()
        .into_iter()
        .find(|s| s.name == "quotation-signing")
        .unwrap()
        .sample_paths();
    for path in SHARED_PATHS {
        assert!(documented.iter().any(|p| p == path), "{path} is documented");
        for host in HOSTS {
            let staff = route(&routers, host, path).unwrap();
            assert_eq!(staff.service, "quotation-signing");
            assert!(
                forward_auth(&config, staff).is_some_and(|a| a["address"]
                    .as_str()
                    .unwrap()
                    .contains("/outpost.goauthentik.io/")),
                "{host}{path} without a token must go through Authentik"
            );
            let customer = route_with_headers(&routers, host, path, &[BEARER]).unwrap();
            assert_eq!(customer.service, "quotation-signing");
            assert!(forward_auth(&config, customer).is_none(), "{host}{path}");
            assert!(
                customer
                    .middlewares
                    .iter()
                    .any(|m| m == "strip-identity-headers"),
                "{host}{path}"
            );
            // Another scheme is no customer token: Authentik.
            let basic =
                route_with_headers(&routers, host, path, &[("Authorization", "Basic eA==")]);
            assert!(
                forward_auth(&config, basic.unwrap()).is_some(),
                "{host}{path}"
            );
        }
    }
    for headers in [&[][..], &[BEARER][..]] {
        let generate =
            route_with_headers(&routers, "hub.gigafibre.ca", "/accept/generate", headers);
        assert!(forward_auth(&config, generate.unwrap()).is_some());
    }
    // Deeper or other paths under a quote are not the shared pages.
    for path in [
        "/accept/a/b/status",
        "/accept/x/statusx",
        "/accept/x/qrxsvg",
    ] {
        let winner = route_with_headers(&routers, "hub.gigafibre.ca", path, &[BEARER]).unwrap();
        assert_eq!(winner.name, "accept", "{path}");
    }
}

/// vision-ocr's label reading and jobs: without a token, staff through Authentik (which sets the
/// staff headers the service reads); with a technician's token, straight to the service, the
/// identity headers stripped, so the technicians' app never meets Authentik's login and a client
/// never passes as staff by sending headers. Reading an invoice stays Authentik's even with a token.
#[test]
fn vision_labels_and_jobs_go_through_authentik_without_a_token_and_straight_to_the_service_with_one()
 {
    let config = dynamic();
    let routers = routers(&config);
    let vision = services()
        .into_iter()
        .find(|s| s.name == "vision-ocr")
        .unwrap()
        .sample_paths();
    let authentik = |router: &Router| {
        forward_auth(&config, router).is_some_and(|a| {
            a["address"]
                .as_str()
                .unwrap()
                .contains("/outpost.goauthentik.io/")
        })
    };
    for path in &vision {
        assert!(
            TECH_PATHS.contains(&path.as_str())
                || ["/vision/invoice", "/vision/"].contains(&path.as_str()),
            "{path}: staff only, or technicians too?"
        );
    }
    for path in TECH_PATHS {
        assert!(vision.iter().any(|p| p == path), "{path} is documented");
        for host in HOSTS {
            let staff = route(&routers, host, path).unwrap();
            assert_eq!(staff.service, "vision-ocr");
            assert!(authentik(staff), "{host}{path} without a token");
            let tech = route_with_headers(&routers, host, path, &[BEARER]).unwrap();
            assert_eq!(tech.service, "vision-ocr");
            assert!(forward_auth(&config, tech).is_none(), "{host}{path}");
            assert!(
                tech.middlewares
                    .iter()
                    .any(|m| m == "strip-identity-headers"),
                "{host}{path}"
            );
            let basic =
                route_with_headers(&routers, host, path, &[("Authorization", "Basic eA==")]);
            assert!(authentik(basic.unwrap()), "{host}{path}");
        }
    }
    for headers in [&[][..], &[BEARER][..]] {
        let invoice =
            route_with_headers(&routers, "hub.gigafibre.ca", "/vision/invoice", headers).unwrap();
        assert_eq!(invoice.service, "vision-ocr");
        assert!(authentik(invoice), "an invoice is staff's, token or not");
    }
    // Deeper or other paths are not the technicians'.
    for path in [
        "/vision/jobs/a/b",
        "/vision/jobs/",
        "/vision/equipmentx",
        "/vision/equipment/x",
    ] {
        let winner = route_with_headers(&routers, "hub.gigafibre.ca", path, &[BEARER]).unwrap();
        assert_eq!(winner.name, "vision", "{path}");
    }
}

/// vision-ocr takes uploads of `VISION_MAX_UPLOAD_BYTES` (10 MiB) in a multipart body: no
/// middleware on its routers may cut a body shorter (Traefik's `buffering` is the one that limits;
/// none is used today, so the service refuses past its own limit with 413 VIS_03).
#[test]
fn vision_routes_let_an_upload_of_the_services_limit_through() {
    let config = dynamic();
    let upload_limit = 10 * 1024 * 1024 + 64 * 1024;
    for router in routers(&config)
        .iter()
        .filter(|r| r.service == "vision-ocr")
    {
        for m in &router.middlewares {
            let buffering = &middleware(&config, m)["buffering"];
            if let Some(max) = buffering["maxRequestBodyBytes"].as_u64() {
                assert!(
                    max >= upload_limit,
                    "{}: {m} cuts bodies at {max} bytes",
                    router.name
                );
            }
        }
    }
}

#[test]
fn customer_forward_auth_asks_portal_auth_verify() {
    let config = dynamic();
    let auth = &middleware(&config, "customer-auth")["forwardAuth"];
    let address = url::Url::parse(auth["address"].as_str().unwrap()).unwrap();
    let lb = config["http"]["services"]["portal-auth"]["loadBalancer"]["servers"][0]["url"]
        .as_str()
        .unwrap();
    assert_eq!(
        address.origin(),
        url::Url::parse(lb).unwrap().origin(),
        "forwardAuth must reach portal-auth"
    );
    let services = services();
    let portal_auth = services.iter().find(|s| s.name == "portal-auth").unwrap();
    let openapi = &portal_auth.openapi;
    let verify = &openapi["paths"][address.path()]["get"];
    assert!(
        verify.is_object(),
        "{} is no GET route of portal-auth",
        address.path()
    );
    let documented: BTreeSet<String> = verify["responses"]["200"]["headers"]
        .as_object()
        .unwrap()
        .keys()
        .map(|h| h.to_lowercase())
        .collect();
    let forwarded: BTreeSet<String> = auth["authResponseHeaders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_lowercase())
        .collect();
    assert_eq!(forwarded, documented, "headers /auth/verify answers with");
}

/// The URL Traefik's redirectRegex matches: `scheme://` + the Host header (port included) + the
/// request URI (path and query), as `rawURL` builds it in Traefik's redirect middleware.
fn apply_redirect(config: &Value, router: &Router, scheme: &str, host: &str, uri: &str) -> String {
    let raw = format!("{scheme}://{host}{uri}");
    for m in &router.middlewares {
        let redirect = &middleware(config, m)["redirectRegex"];
        if redirect.is_object() {
            let re = go_compatible_regex(redirect["regex"].as_str().unwrap());
            let replacement = redirect["replacement"].as_str().unwrap();
            // Go's ReplaceAllString and Rust's replace_all expand `${1}` the same way.
            return re.replace_all(&raw, replacement).into_owned();
        }
    }
    raw
}

/// Where a request ends: a redirect's target, or `router -> service` when nothing redirects.
fn outcome(config: &Value, routers: &[Router], scheme: &str, host: &str, uri: &str) -> String {
    let path = uri.split('?').next().unwrap();
    let Some(router) = route(routers, host, path) else {
        return "404 (no router)".to_owned();
    };
    let raw = format!("{scheme}://{host}{uri}");
    let after = apply_redirect(config, router, scheme, host, uri);
    if after != raw {
        format!("redirect {after}")
    } else {
        format!("{} -> {}", router.name, router.service)
    }
}

#[test]
fn old_login_urls_on_the_customer_host_redirect_to_the_portal_login() {
    let config = dynamic();
    let routers = routers(&config);
    for uri in [
        "/login",
        "/login/",
        "/login?redirect-to=/me",
        "/login/?redirect-to=/me",
        "/update-password",
        "/update-password/",
        "/update-password?key=abc123",
        "/update-password/?key=abc123",
    ] {
        assert_eq!(
            outcome(&config, &routers, "https", "client.gigafibre.ca", uri),
            "redirect https://client.gigafibre.ca/#/login",
            "{uri}"
        );
    }
    // `make up` serves the portal on localhost:8080: scheme and port are kept.
    assert_eq!(
        outcome(&config, &routers, "http", "localhost:8080", "/login?x=1"),
        "redirect http://localhost:8080/#/login"
    );
}

#[test]
fn loginx_and_api_login_are_not_touched() {
    let config = dynamic();
    let routers = routers(&config);
    for uri in [
        "/loginx",
        "/api/login",
        "/api/method/login",
        "/login/extra",
        "/update-passwordx?key=1",
        "/portal/login",
    ] {
        let result = outcome(&config, &routers, "https", "client.gigafibre.ca", uri);
        assert!(!result.starts_with("redirect"), "{uri}: {result}");
    }
    // Another host (ERPNext's own, staff tools) keeps its /login.
    let result = outcome(&config, &routers, "https", "erp.gigafibre.ca", "/login");
    assert!(!result.starts_with("redirect"), "{result}");
    // Even if some other router took /loginx, the regex alone would not redirect it.
    let legacy = routers.iter().find(|r| r.name == "legacy-login").unwrap();
    for uri in ["/loginx", "/api/login", "/login/extra"] {
        let raw = format!("https://client.gigafibre.ca{uri}");
        assert_eq!(
            apply_redirect(&config, legacy, "https", "client.gigafibre.ca", uri),
            raw
        );
    }
}

#[test]
fn static_config_has_entry_points_file_provider_metrics_and_access_log() {
    let s = read_yaml("traefik/traefik.yml");
    for ep in ["web", "websecure"] {
        assert_eq!(s["entryPoints"][ep]["asDefault"], true, "{ep}");
    }
    let metrics_ep = s["metrics"]["prometheus"]["entryPoint"].as_str().unwrap();
    assert!(
        s["entryPoints"][metrics_ep]["asDefault"] != true,
        "metrics must not share an entry point with the routes"
    );
    assert_eq!(s["ping"]["entryPoint"], metrics_ep);
    let file = s["providers"]["file"]["filename"].as_str().unwrap();
    assert!(file.ends_with("/dynamic.yml"), "{file}");
    let fields = &s["accessLog"]["fields"];
    assert_eq!(
        fields["headers"]["defaultMode"], "drop",
        "tokens and cookies stay out of the access log"
    );
    for field in ["RequestPath", "RequestLine"] {
        assert_eq!(
            fields["names"][field], "drop",
            "{field} can carry a short-link code"
        );
    }
}
