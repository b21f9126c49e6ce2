//! The portal pages the hub serves carry the headers that keep a magic-link token from leaking:
//! `Referrer-Policy: no-referrer` and a Content-Security-Policy that allows no inline script, no
//! third-party origin and no framing. Runs the real `hub` binary (fresh SQLite, keys and SPA
//! directory in a temp dir, free ports) and reads the raw HTTP answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The hub process and its scratch directory, both gone on drop.
struct Hub {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_hub() -> Hub {
    let dir = std::env::temp_dir().join(format!("hub-spa-headers-{}", std::process::id()));
    let spa = dir.join("spa");
    std::fs::create_dir_all(&spa).unwrap();
    std::fs::write(
        spa.join("index.html"),
        "<!doctype html><title>portal</title><div id=app></div>",
    )
    .unwrap();
    let (port, erp_port) = (free_port(), free_port());
    let sqlite = |name: &str| format!("sqlite://{}?mode=rwc", dir.join(name).display());
    let origin = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_hub"))
        .current_dir(&dir)
        .env_remove("NATS_URL")
        .env_remove("ERP_URL")
        .env_remove("STRIPE_API_URL")
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("ERP_SANDBOX_BIND", format!("127.0.0.1:{erp_port}"))
        .env("DATABASE_URL", sqlite("hub.db"))
        .env("ERP_SANDBOX_DATABASE_URL", sqlite("erp.db"))
        // The Stripe stand-in on a free port of its own, so parallel hubs never meet on 8002.
        .env("STRIPE_SANDBOX_BIND", "127.0.0.1:0")
        .env("STRIPE_SANDBOX_DATABASE_URL", sqlite("stripe.db"))
        .env("DOCUSEAL_SANDBOX_BIND", "127.0.0.1:0")
        .env("DOCUSEAL_SANDBOX_DATABASE_URL", sqlite("docuseal.db"))
        .env("JWT_KEYS_DIR", dir.join("keys"))
        .env("SPA_DIR", &spa)
        .env("PORTAL_URL", &origin)
        .env("PUBLIC_URL", &origin)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the hub binary");
    let hub = Hub { child, port, dir };
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(hub.port, "/healthz").is_none() {
        assert!(
            Instant::now() < deadline,
            "the hub did not answer /healthz within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    hub
}

/// The status line and headers of `GET path`, or None when nothing listens yet.
fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.split("\r\n\r\n").next().map(str::to_owned)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then_some(value.trim())
    })
}

/// The directives of a policy, by name.
fn directives(policy: &str) -> Vec<(String, Vec<String>)> {
    policy
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?.to_owned();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

fn assert_portal_headers(head: &str, path: &str) {
    assert!(head.starts_with("HTTP/1.1 200"), "GET {path}: {head}");
    assert_eq!(
        header(head, "Referrer-Policy"),
        Some("no-referrer"),
        "GET {path}"
    );
    let policy = header(head, "Content-Security-Policy")
        .unwrap_or_else(|| panic!("GET {path} has no Content-Security-Policy"));
    let found = directives(policy);
    let sources = |name: &str| {
        found
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.join(" "))
            .unwrap_or_else(|| panic!("GET {path}: no {name} in {policy}"))
    };
    assert_eq!(sources("default-src"), "'self'");
    assert_eq!(
        sources("script-src"),
        "'self'",
        "no inline or third-party script"
    );
    assert_eq!(sources("style-src"), "'self'");
    assert_eq!(sources("connect-src"), "'self'");
    assert_eq!(sources("frame-ancestors"), "'none'");
    assert_eq!(sources("base-uri"), "'none'");
    assert_eq!(sources("form-action"), "'self'");
    assert!(!policy.contains("unsafe-"), "GET {path}: {policy}");
}

#[test]
fn the_portal_pages_carry_the_csp_and_no_referrer() {
    let hub = start_hub();
    for path in ["/", "/index.html"] {
        let head = get(hub.port, path).unwrap_or_else(|| panic!("GET {path}: no answer"));
        assert_portal_headers(&head, path);
    }
}
