//! The Traefik file-provider configuration, checked offline (there is no `traefik check`): every
//! path prefix of DESIGN.md routes to its service, staff pages sit behind forwardAuth, and the legacy
//! login redirect works on full URLs (Rust's regex is close to Go's RE2).
#![allow(clippy::unwrap_used)]

use serde_json::Value;

fn dynamic() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../traefik/dynamic.yml"
    ))
    .unwrap();
    serde_norway::from_str(&text).unwrap()
}

/// Routers whose rule matches `path`, judged on the `PathRegexp`/`Path` terms of the rule.
fn routers_for(config: &Value, path: &str) -> Vec<String> {
    let path_re = regex::Regex::new(r"Path(Regexp)?\(`([^`]*)`\)").unwrap();
    let mut found = Vec::new();
    for (name, router) in config["http"]["routers"].as_object().unwrap() {
        let rule = router["rule"].as_str().unwrap();
        let matches = path_re.captures_iter(rule).any(|c| match c.get(1) {
            Some(_) => regex::Regex::new(&c[2]).unwrap().is_match(path),
            None => &c[2] == path,
        });
        if matches {
            found.push(name.clone());
        }
    }
    found
}

/// The router Traefik picks: highest `priority`, which defaults to the rule's length.
fn winner(config: &Value, path: &str) -> String {
    routers_for(config, path)
        .into_iter()
        .max_by_key(|r| {
            let router = &config["http"]["routers"][r.as_str()];
            router["priority"]
                .as_u64()
                .unwrap_or(router["rule"].as_str().unwrap().len() as u64)
        })
        .unwrap()
}

fn service_of(config: &Value, router: &str) -> String {
    config["http"]["routers"][router]["service"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn every_prefix_routes_to_its_service() {
    let c = dynamic();
    for (path, service) in [
        ("/portal/request-link", "portal-auth"),
        ("/auth/verify", "portal-auth"),
        ("/.well-known/jwks.json", "portal-auth"),
        ("/notifications/outbox", "notifications"),
        ("/notifications/outbox.json", "notifications"),
        ("/webhook/twilio", "notifications"),
    ] {
        let routers = routers_for(&c, path);
        assert!(!routers.is_empty(), "no router for {path}");
        assert!(
            routers.iter().all(|r| service_of(&c, r) == service),
            "{path} -> {routers:?}"
        );
    }
}

#[test]
fn a_prefix_does_not_swallow_a_longer_word() {
    let c = dynamic();
    assert!(routers_for(&c, "/portalx").is_empty());
    assert!(routers_for(&c, "/notificationsfoo").is_empty());
}

#[test]
fn staff_pages_need_forward_auth() {
    let c = dynamic();
    assert_eq!(winner(&c, "/portal/impersonate"), "impersonate");
    assert_eq!(winner(&c, "/notifications/log"), "notifications-staff");
    for router in ["impersonate", "notifications-staff"] {
        let m = c["http"]["routers"][router]["middlewares"]
            .as_array()
            .unwrap();
        assert!(m.iter().any(|v| v == "staff"), "{router}");
    }
    let auth = &c["http"]["middlewares"]["staff"]["forwardAuth"]["authResponseHeaders"];
    assert!(
        auth.as_array()
            .unwrap()
            .iter()
            .any(|h| h == "X-authentik-username")
    );
}

#[test]
fn legacy_login_urls_redirect_to_the_spa() {
    let c = dynamic();
    let r = &c["http"]["middlewares"]["to-spa-login"]["redirectRegex"];
    let re = regex::Regex::new(r["regex"].as_str().unwrap()).unwrap();
    let replacement = r["replacement"].as_str().unwrap().replace("${1}", "$1");
    for url in [
        "https://portail.gigafibre.ca/login",
        "https://portail.gigafibre.ca/update-password/?x=1",
    ] {
        assert_eq!(
            re.replace(url, replacement.as_str()),
            "https://portail.gigafibre.ca/#/login",
            "{url}"
        );
    }
    assert!(!re.is_match("https://portail.gigafibre.ca/loginx"));
}
