//! The relay over TLS, as Mailjet is reached in production (STARTTLS on 587, or TLS from the first
//! byte on 465): the sink speaks real TLS with a certificate of a CA made for the test, which the
//! service trusts through `SMTP_CA_FILE`. Bad cases tried: a relay that does not offer STARTTLS
//! when `tls=required`, and a relay whose certificate no trusted CA signed (both modes): nothing is
//! sent, neither the message nor the login, and the email waits `retrying` (an outage, not the
//! message's fault: it never goes dead for it).

use testkit::{SinkTls, SmtpSink, TempDir};

use crate::helpers::{
    ALLOWLIST, Backend, MAILJET_KEY, MAILJET_SECRET, PATIENCE, TestApp, email, envelope,
    spawn_app_with_sink,
};

const OPS: &str = "ops@gigafibre.ca";

/// The service delivering to `sink`, trusting its CA when `trust` (the file lives in `dir`).
async fn app_on(sink: SmtpSink, trust: bool, dir: &TempDir) -> TestApp {
    let ca_file = dir.path().join("relay-ca.pem");
    std::fs::write(&ca_file, sink.ca_pem().unwrap_or_default()).unwrap();
    let ca_file = ca_file.to_str().unwrap().to_owned();
    let mut extra = vec![("OUTBOUND_ALLOWLIST", ALLOWLIST)];
    if trust {
        extra.push(("SMTP_CA_FILE", &ca_file));
    }
    spawn_app_with_sink(Backend::Sqlite, sink, &extra).await
}

async fn an_email_goes_over_tls_with_the_relays_login(mode: SinkTls) {
    let dir = TempDir::new();
    let app = app_on(SmtpSink::start_tls(mode).await, true, &dir).await;
    let e = envelope(&email(OPS));
    app.publish(&e).await;
    app.wait_for_status(&e, "sent").await;
    let mail = &app.sink.messages()[0];
    assert!(mail.encrypted, "{mode:?}: the message came in clear");
    assert_eq!(mail.login.as_deref(), Some(MAILJET_KEY), "{mode:?}");
    assert_eq!(mail.to, vec![OPS.to_owned()]);
    app.cleanup().await;
}

#[tokio::test]
async fn an_email_goes_over_starttls_with_the_relays_login() {
    an_email_goes_over_tls_with_the_relays_login(SinkTls::StartTls).await;
}

#[tokio::test]
async fn an_email_goes_over_implicit_tls_with_the_relays_login() {
    an_email_goes_over_tls_with_the_relays_login(SinkTls::Implicit).await;
}

/// The email waits `retrying` with `expected` in its error; the sink got nothing.
async fn nothing_leaves(app: TestApp, expected: &str) {
    let e = envelope(&email(OPS));
    let publishing = app.publish_in_background(&e);
    let row = app.wait_for_status(&e, "retrying").await;
    let error = row["error"].as_str().unwrap_or_default().to_lowercase();
    assert!(error.contains(expected), "{row}");
    assert!(
        !error.contains(MAILJET_SECRET),
        "the password in the log: {row}"
    );
    assert_eq!(row["attempts"], 0, "an outage uses up no attempt: {row}");
    assert!(!app.sink.wait_for(1, PATIENCE / 10).await);
    assert_eq!(app.sink.count(), 0);
    publishing.abort();
    app.cleanup().await;
}

#[tokio::test]
async fn a_relay_without_starttls_gets_nothing_when_tls_is_required() {
    let sink = SmtpSink::start().await;
    let port = sink.port();
    let app = spawn_app_with_sink(
        Backend::Sqlite,
        sink,
        &[
            ("OUTBOUND_ALLOWLIST", ALLOWLIST),
            (
                "SMTP_URL",
                &format!("smtp://{MAILJET_KEY}:{MAILJET_SECRET}@127.0.0.1:{port}?tls=required"),
            ),
        ],
    )
    .await;
    nothing_leaves(app, "tls").await;
}

#[tokio::test]
async fn a_relay_certificate_no_trusted_ca_signed_gets_nothing() {
    for mode in [SinkTls::StartTls, SinkTls::Implicit] {
        let dir = TempDir::new();
        let app = app_on(SmtpSink::start_tls(mode).await, false, &dir).await;
        nothing_leaves(app, "certificate").await;
    }
}

/// `tls=opportunistic` takes STARTTLS when the relay offers it, and sends in clear when it does not.
#[tokio::test]
async fn opportunistic_tls_is_taken_when_offered() {
    for (sink, encrypted) in [
        (SmtpSink::start_tls(SinkTls::StartTls).await, true),
        (SmtpSink::start().await, false),
    ] {
        let dir = TempDir::new();
        let ca_file = dir.path().join("relay-ca.pem");
        let url = format!(
            "smtp://{MAILJET_KEY}:{MAILJET_SECRET}@127.0.0.1:{}?tls=opportunistic",
            sink.port()
        );
        let mut extra = vec![
            ("OUTBOUND_ALLOWLIST", ALLOWLIST),
            ("SMTP_URL", url.as_str()),
        ];
        if let Some(pem) = sink.ca_pem() {
            std::fs::write(&ca_file, pem).unwrap();
            extra.push(("SMTP_CA_FILE", ca_file.to_str().unwrap()));
        }
        let app = spawn_app_with_sink(Backend::Sqlite, sink, &extra).await;
        let e = envelope(&email(OPS));
        app.publish(&e).await;
        app.wait_for_status(&e, "sent").await;
        assert_eq!(app.sink.messages()[0].encrypted, encrypted);
        app.cleanup().await;
    }
}
