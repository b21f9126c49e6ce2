//! One trace from a link request to the SMTP send in the embedded default: the real `hub` binary
//! (fresh SQLite, the in-process bus and erp-sandbox) exports its spans to an OTLP/HTTP receiver, and
//! the request's caller, the HTTP server span, the handler, the link job, the outbox relay's publish,
//! the notifications consumer and the SMTP send are each the parent of the next, in the caller's
//! trace. No span carries the customer's address, number, account, name, code or link; the log
//! lines written inside the trace carry its id.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use testkit::otlp::{carrying, chain};
use testkit::{OtlpReceiver, Proc, ReceivedSpan, SmtpSink, TempDir, free_port, mime};

/// A demo customer of the erp-sandbox.
const EMAIL: &str = "marie.tremblay@example.ca";
const CUSTOMER: &str = "CUST-2024-00001";
const CUSTOMER_NAME: &str = "Marie Tremblay";
const PHONE: &str = "5145550147";

/// The spans of one link request, each the parent of the next.
const CHAIN: [&str; 6] = [
    "POST /portal/request-link",
    "request_link",
    "link job",
    "publish notify.email.send",
    "process notify.email.send",
    "smtp send",
];

fn hub_env(
    dir: &TempDir,
    port: u16,
    otlp: &OtlpReceiver,
    sink: &SmtpSink,
) -> Vec<(String, String)> {
    let sqlite = |name: &str| format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
    let origin = format!("http://127.0.0.1:{port}");
    [
        ("BIND", format!("127.0.0.1:{port}")),
        ("ERP_SANDBOX_BIND", format!("127.0.0.1:{}", free_port())),
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
        ("SMTP_URL", sink.url()),
        ("OUTBOUND_MODE", "sandbox".to_owned()),
        // The one recipient allowed out of the sandbox: the send must really happen.
        ("OUTBOUND_ALLOWLIST", EMAIL.to_owned()),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint()),
        // Export every 100 ms rather than every 5 s.
        ("OTEL_BSP_SCHEDULE_DELAY", "100".to_owned()),
        ("RUST_LOG", "info".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// A trace id and span id of the test's own, as a caller with its own tracing would send them.
fn callers_span() -> (String, String) {
    let trace_id = uuid::Uuid::new_v4().simple().to_string();
    let span_id = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    (trace_id, span_id)
}

#[tokio::test]
async fn a_link_request_is_one_trace_from_the_http_request_to_the_smtp_send() {
    let dir = TempDir::new();
    let otlp = OtlpReceiver::start().await;
    let sink = SmtpSink::start().await;
    let port = free_port();
    // In the scratch directory: the hub writes var/ where it runs.
    let mut hub = Proc::spawn_in(
        dir.path(),
        "hub",
        std::path::Path::new(env!("CARGO_BIN_EXE_hub")),
        &hub_env(&dir, port, &otlp, &sink),
        port,
    );
    hub.wait_ready("/readyz", Duration::from_secs(60)).await;

    let (trace_id, callers_span_id) = callers_span();
    let answer = reqwest::Client::new()
        .post(hub.url("/portal/request-link"))
        .header("traceparent", format!("00-{trace_id}-{callers_span_id}-01"))
        .json(&serde_json::json!({ "identifier": EMAIL }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(
        sink.wait_for(1, Duration::from_secs(30)).await,
        "no email reached the SMTP sink within 30 s"
    );
    let mail = sink.messages().remove(0);
    assert!(mail.to.iter().any(|to| to.eq_ignore_ascii_case(EMAIL)));

    let names = &CHAIN;
    let spans = otlp
        .wait_for(Duration::from_secs(20), |spans| {
            chain(spans, &trace_id, &callers_span_id, names).is_ok()
        })
        .await;
    let found = match spans {
        Some(spans) => chain(&spans, &trace_id, &callers_span_id, names).unwrap(),
        None => panic!(
            "{}",
            chain(&otlp.spans(), &trace_id, &callers_span_id, names).unwrap_err()
        ),
    };
    let kinds: Vec<&str> = found.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "server", "internal", "internal", "producer", "consumer", "client"
        ]
    );
    assert!(found.iter().all(|s| s.service == "hub"));
    assert_eq!(found[0].attribute("http.response.status_code"), Some("200"));

    let text = mime::plain_text(&mail).expect("a text part");
    assert_no_personal_data(&otlp.spans(), &text);

    // A log line written inside the trace can be matched to it.
    let log = std::fs::read_to_string(hub.log_path()).unwrap();
    let queued = log
        .lines()
        .find(|line| line.contains("login link queued"))
        .expect("the worker's log line");
    assert!(
        queued.contains(&format!("\"trace_id\":\"{trace_id}\"")),
        "{queued}"
    );
    drop(hub);
}

/// No span, attribute or event of any trace carries the customer's data or what logs them in.
fn assert_no_personal_data(spans: &[ReceivedSpan], mail_text: &str) {
    let first = |pattern: &str| {
        regex::Regex::new(pattern)
            .unwrap()
            .captures(mail_text)
            .map(|c| c[1].to_owned())
            .unwrap_or_else(|| panic!("no {pattern} in the email: {mail_text}"))
    };
    let code = first(r"(?:^|[^0-9])([0-9]{6})(?:[^0-9]|$)");
    let token = first(r"token=([A-Za-z0-9_\-\.]+)");
    let secrets = [EMAIL, CUSTOMER, CUSTOMER_NAME, PHONE, &code, &token];
    let found = carrying(spans, &secrets);
    assert!(found.is_none(), "{}", found.unwrap_or_default());
}
