//! Issue 17: after a whole login through the real `hub` binary (embedded default: SQLite, the
//! in-process bus, the erp-sandbox, messages captured in the sandbox outbox), `/metrics` serves the
//! metrics docs/metrics.md documents and no others, and no label carries personal data: no email,
//! phone number, customer id, token, code or link.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::Duration;

use regex::Regex;
use serde_json::Value;
use testkit::metrics::{Scrape, scrape};
use testkit::{Proc, TempDir, free_port, poll_until};

const MARIE: &str = "marie.tremblay@example.ca";
/// Marie's cell phone in the erp-sandbox, as the SMS is addressed.
const MARIE_PHONE: &str = "+15145550147";
/// Families that show only once their first event happened: a failed ERPNext call, a provider send
/// (the embedded default captures every message, so it calls no provider).
const SHOWN_AFTER_THEIR_FIRST_EVENT: [&str; 3] = [
    "erpnext_request_errors_total",
    "notifications_provider_request_duration_seconds",
    "notifications_provider_errors_total",
];

async fn start_hub(dir: &TempDir) -> Proc {
    let (port, erp_port) = (free_port(), free_port());
    let sqlite = |name: &str| format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
    let origin = format!("http://127.0.0.1:{port}");
    let env: Vec<(String, String)> = [
        ("BIND", format!("127.0.0.1:{port}")),
        ("ERP_SANDBOX_BIND", format!("127.0.0.1:{erp_port}")),
        ("DATABASE_URL", sqlite("hub.db")),
        ("ERP_SANDBOX_DATABASE_URL", sqlite("erp.db")),
        // The Stripe stand-in on a free port of its own, so parallel hubs never meet on 8002.
        ("STRIPE_SANDBOX_BIND", "127.0.0.1:0".to_owned()),
        ("STRIPE_SANDBOX_DATABASE_URL", sqlite("stripe.db")),
        ("DOCUSEAL_SANDBOX_BIND", "127.0.0.1:0".to_owned()),
        ("DOCUSEAL_SANDBOX_DATABASE_URL", sqlite("docuseal.db")),
        (
            "JWT_KEYS_DIR",
            dir.path().join("keys").display().to_string(),
        ),
        ("SPA_DIR", dir.path().join("no-spa").display().to_string()),
        ("PORTAL_URL", origin.clone()),
        ("PUBLIC_URL", origin),
        ("RUST_LOG", "warn".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let program = std::path::PathBuf::from(env!("CARGO_BIN_EXE_hub"));
    let mut hub = Proc::spawn("hub", &program, &env, port, dir.path());
    hub.wait_ready("/readyz", Duration::from_secs(60)).await;
    hub
}

/// The captured login message to `to`, read from the sandbox outbox (the hub's loopback is staff).
async fn login_message(http: &reqwest::Client, hub: &Proc, to: &str) -> String {
    poll_until(Duration::from_secs(10), || async {
        let rows: Vec<Value> = http
            .get(hub.url("/notifications/outbox.json"))
            .query(&[("to", to)])
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        rows.iter()
            .find_map(|r| r["text"].as_str().map(str::to_owned))
    })
    .await
    .expect("the login message in the sandbox outbox")
}

fn capture(re: &str, text: &str) -> String {
    Regex::new(re).unwrap().captures(text).expect(re)[1].to_owned()
}

/// The metric names of the tables of docs/metrics.md.
fn documented() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/metrics.md"
    ))
    .unwrap();
    let row = Regex::new(r"(?m)^\| `([a-z_]+)` \|").unwrap();
    row.captures_iter(&doc).map(|c| c[1].to_owned()).collect()
}

/// Every label value that could carry personal data or a secret.
fn suspicious_labels(m: &Scrape, secrets: &[&str]) -> Vec<String> {
    let digits = Regex::new(r"[0-9]{6,}|[0-9]{3}[ -.]?[0-9]{4}").unwrap();
    m.samples
        .iter()
        .flat_map(|s| s.labels.iter().map(move |(k, v)| (s, k, v)))
        .filter(|(_, _, v)| {
            v.contains('@')
                || v.contains("CUST")
                || v.contains("eyJ")
                || digits.is_match(v)
                || secrets.iter().any(|secret| v.contains(secret))
        })
        .map(|(s, k, v)| format!("{}{{{k}=\"{v}\"}}", s.name))
        .collect()
}

#[tokio::test]
async fn after_a_whole_login_metrics_are_documented_and_carry_no_personal_data() {
    let dir = TempDir::new();
    let hub = start_hub(&dir).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |path: &str, body: Value| http.post(hub.url(path)).json(&body).send();

    let r = post(
        "/portal/request-link",
        serde_json::json!({ "identifier": MARIE }),
    )
    .await;
    assert_eq!(r.unwrap().status(), 200);
    let text = login_message(&http, &hub, MARIE).await;
    let sms = login_message(&http, &hub, MARIE_PHONE).await;
    let code = capture(r"(?:^|[^0-9])([0-9]{6})(?:[^0-9]|$)", &text);
    let link = capture(r"/#/\?token=([A-Za-z0-9_\-\.]+)", &text);
    let short = capture(r"/portal/l/([A-Za-z0-9_\-]+)", &sms);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let verify = |code: &str| {
        post(
            "/portal/verify-code",
            serde_json::json!({ "identifier": MARIE, "code": code }),
        )
    };
    assert_eq!(verify(&wrong).await.unwrap().status(), 400);
    let r = verify(&code).await.unwrap();
    assert_eq!(r.status(), 200);
    let token = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        http.get(hub.url(&format!("/portal/l/{short}")))
            .send()
            .await
            .unwrap()
            .status(),
        302
    );
    let me = http
        .get(hub.url("/portal/me?via=link"))
        .bearer_auth(&link)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let out = http
        .post(hub.url("/portal/logout?everywhere=true"))
        .bearer_auth(&token)
        .send();
    assert_eq!(out.await.unwrap().status(), 204);

    let m = scrape(&http, &hub.url("")).await;
    assert_eq!(
        m.value("portal_auth_logins_total", &[]),
        2.0,
        "by code and by link"
    );
    assert!(m.value("notifications_deliveries_total", &[("outcome", "captured")]) >= 2.0);

    let secrets = [
        code.as_str(),
        &link[..24],
        &token[..24],
        short.as_str(),
        "5550147",
        "tremblay",
    ];
    assert_eq!(suspicious_labels(&m, &secrets), Vec::<String>::new());

    let served = m.families();
    let documented = documented();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in docs/metrics.md: {undocumented:?}"
    );
    let missing: Vec<_> = documented
        .iter()
        .filter(|name| {
            !served.contains(*name) && !SHOWN_AFTER_THEIR_FIRST_EVENT.contains(&name.as_str())
        })
        .collect();
    assert!(missing.is_empty(), "documented but not served: {missing:?}");
}
