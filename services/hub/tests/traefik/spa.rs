//! The portal pages in the services mode (nginx behind Traefik) carry the headers the hub sends
//! with the same pages (`shared::http::security_headers()`): its Content-Security-Policy,
//! `Referrer-Policy: no-referrer` and `X-Content-Type-Options: nosniff`. The values come from
//! `shared::http`, the one source. Traefik's configuration is read (no Traefik binary here); nginx
//! (Debian's, from `scripts/ensure-services.sh`) runs `deploy/portal-nginx.conf` for real.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// nginx serving `deploy/portal-nginx.conf` (its port and root moved to a temp folder) with a
/// stand-in of the built SPA; stopped and removed on drop.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Debian's nginx, installed by `scripts/ensure-services.sh`.
const NGINX: &str = "/usr/sbin/nginx";

fn start_nginx() -> Nginx {
    assert!(
        Path::new(NGINX).is_file(),
        "nginx is missing ({NGINX}): run scripts/ensure-services.sh"
    );
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("portal-nginx-{}", std::process::id()));
    let html = dir.join("html");
    std::fs::create_dir_all(html.join("assets")).unwrap();
    std::fs::write(html.join("index.html"), "<!doctype html><div id=app></div>").unwrap();
    std::fs::write(html.join("assets/index-0123abcd.js"), "export {};").unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = std::fs::read_to_string(format!(
        "{}/../../deploy/portal-nginx.conf",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let site = conf
        .replace("listen 8080;", &format!("listen 127.0.0.1:{port};"))
        .replace(
            "root /usr/share/nginx/html;",
            &format!("root {};", html.display()),
        );
    assert!(site.contains(&format!("127.0.0.1:{port}")) && site.contains(&*html.to_string_lossy()));
    std::fs::write(dir.join("site.conf"), site).unwrap();
    let d = dir.display();
    std::fs::write(
        dir.join("nginx.conf"),
        format!(
            // One process (no workers), so that stopping the child stops nginx.
            "pid {d}/nginx.pid; daemon off; master_process off; events {{}}\n\
             http {{ include /etc/nginx/mime.types; access_log off; client_body_temp_path {d}; \
             proxy_temp_path {d}; fastcgi_temp_path {d}; uwsgi_temp_path {d}; scgi_temp_path {d}; \
             include {d}/site.conf; }}\n"
        ),
    )
    .unwrap();
    let child = Command::new(NGINX)
        .arg("-p")
        .arg(&dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let nginx = Nginx { child, port, dir };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
        assert!(Instant::now() < deadline, "nginx did not start:\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
    nginx
}

/// The status line and headers of `GET path`.
fn head(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.split("\r\n\r\n").next().unwrap().to_owned()
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then_some(value.trim())
    })
}

/// Issue 16, finding 8: nginx, which serves the portal's files behind Traefik, sends the hub's
/// headers on every answer: the page, the built files, and an error page.
#[test]
fn nginx_serves_every_portal_file_with_the_hubs_headers() {
    let nginx = start_nginx();
    for (path, status) in [
        ("/", "200"),
        ("/index.html", "200"),
        ("/assets/index-0123abcd.js", "200"),
        ("/missing.js", "404"),
    ] {
        let head = head(nginx.port, path);
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status}")),
            "GET {path}: {head}"
        );
        assert_eq!(
            header(&head, "Content-Security-Policy"),
            Some(CONTENT_SECURITY_POLICY),
            "GET {path}"
        );
        assert_eq!(
            header(&head, "Referrer-Policy"),
            Some(REFERRER_POLICY),
            "GET {path}"
        );
        assert_eq!(
            header(&head, "X-Content-Type-Options"),
            Some("nosniff"),
            "GET {path}"
        );
    }
    let page = head(nginx.port, "/index.html");
    assert_eq!(header(&page, "Cache-Control"), Some("no-cache"));
    let built = head(nginx.port, "/assets/index-0123abcd.js");
    assert_eq!(
        header(&built, "Cache-Control"),
        Some("public, max-age=31536000, immutable")
    );
}
