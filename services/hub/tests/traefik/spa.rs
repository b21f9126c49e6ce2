//! The portal pages in the services mode (nginx behind Traefik) carry the headers the hub sends
//! with the same pages (`shared::http::security_headers()`): its Content-Security-Policy,
//! `Referrer-Policy: no-referrer` and `X-Content-Type-Options: nosniff`. The values come from
//! `shared::http`, the one source; nginx is not installed here, so its configuration is read.

use shared::http::{CONTENT_SECURITY_POLICY, REFERRER_POLICY};

use crate::dynamic;
use crate::rules::{middleware, routers};

/// The Traefik service in front of the portal's nginx.
const PORTAL_PAGE: &str = "portal-page";

/// Issue 16, finding 8: in the services mode the SPA reached the browser without the hub's CSP,
/// `frame-ancestors` and `Referrer-Policy`. Every Traefik route to the portal's pages now sends
/// the hub's values.
#[test]
fn every_route_to_the_portal_pages_sends_the_hubs_csp_and_referrer_policy() {
    let config = dynamic();
    let to_portal: Vec<_> = routers(&config)
        .into_iter()
        .filter(|r| r.service == PORTAL_PAGE)
        .collect();
    assert!(!to_portal.is_empty(), "no router serves the portal pages");
    for router in to_portal {
        let headers: Vec<&serde_json::Value> = router
            .middlewares
            .iter()
            .map(|m| &middleware(&config, m)["headers"])
            .filter(|h| h.is_object())
            .collect();
        let value = |key: &str| headers.iter().find_map(|h| h.get(key)).cloned();
        assert_eq!(
            value("contentSecurityPolicy"),
            Some(CONTENT_SECURITY_POLICY.into()),
            "{}: the hub's Content-Security-Policy",
            router.name
        );
        assert_eq!(
            value("referrerPolicy"),
            Some(REFERRER_POLICY.into()),
            "{}",
            router.name
        );
        assert_eq!(
            value("contentTypeNosniff"),
            Some(true.into()),
            "{}",
            router.name
        );
        for h in &headers {
            for key in ["customResponseHeaders", "customFrameOptionsValue"] {
                assert!(
                    h[key].is_null(),
                    "{}: {key} could override the policy",
                    router.name
                );
            }
        }
    }
}

/// Each statement of an nginx configuration with the blocks it is in (`["server", "location /"]`).
fn nginx_statements(text: &str) -> Vec<(Vec<String>, String)> {
    let text: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let (mut blocks, mut statements, mut current) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            '{' if !quoted => blocks.push(std::mem::take(&mut current).trim().to_owned()),
            '}' if !quoted => {
                blocks.pop();
            }
            ';' if !quoted => {
                let statement = std::mem::take(&mut current).trim().to_owned();
                statements.push((blocks.clone(), statement));
            }
            _ => current.push(c),
        }
    }
    statements
}

/// Issue 16, finding 8: nginx, which serves the portal's files behind Traefik, sends the same
/// headers on every file, error pages included (`always`), and no `location` has an `add_header`
/// of its own (nginx would then drop the server's ones there).
#[test]
fn nginx_sends_the_hubs_headers_on_every_file_it_serves() {
    let path = format!(
        "{}/../../deploy/portal-nginx.conf",
        env!("CARGO_MANIFEST_DIR")
    );
    let statements = nginx_statements(&std::fs::read_to_string(path).unwrap());
    let header = regex::Regex::new(r#"^add_header\s+(\S+)\s+"([^"]*)"\s+always$"#).unwrap();
    let server_headers: Vec<(String, String)> = statements
        .iter()
        .filter(|(blocks, _)| blocks.len() == 1 && blocks[0] == "server")
        .filter_map(|(_, s)| header.captures(s))
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect();
    for (name, expected) in [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("Referrer-Policy", REFERRER_POLICY),
        ("X-Content-Type-Options", "nosniff"),
    ] {
        assert!(
            server_headers.contains(&(name.to_owned(), expected.to_owned())),
            "deploy/portal-nginx.conf: `add_header {name} \"{expected}\" always;` in the server block"
        );
    }
    for (blocks, statement) in &statements {
        let in_location = blocks.iter().any(|b| b.starts_with("location"));
        assert!(
            !(in_location && statement.starts_with("add_header")),
            "deploy/portal-nginx.conf: `{statement}` in {blocks:?} drops the server's headers there"
        );
    }
}
