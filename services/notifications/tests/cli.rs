//! The `notifications` binary as the operator's tool, run as a process: `--help`, `check-config`
//! against real PostgreSQL, NATS and an SMTP server, `migrate`, `outbox list`, and
//! `dead-letters list|replay` on the database of a running service (replaying twice sends once).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use helpers::{
    ALLOWLIST, Backend, MAILJET_KEY, MAILJET_SECRET, PATIENCE, TWILIO_FROM, TWILIO_SID,
    TWILIO_TOKEN, TestApp, email, envelope, spawn_app,
};
use shared::events::Envelope;
use testkit::{
    CliRun, MailjetFake, SinkTls, SmtpSink, TempDir, TestDb, TwilioFake, nats_url, run_cli,
};

/// Runs `notifications args…` with only `env` (and PATH) in its environment.
async fn notifications(args: &[&str], env: &[(&str, &str)]) -> CliRun {
    run_cli(env!("CARGO_BIN_EXE_notifications"), args, env).await
}

#[tokio::test]
async fn help_explains_every_subcommand() {
    let help = notifications(&["--help"], &[]).await;
    assert!(help.success);
    for word in [
        "serve",
        "migrate",
        "check-config",
        "outbox",
        "dead-letters",
        "SHUTDOWN_GRACE_S",
    ] {
        assert!(
            help.stdout.contains(word),
            "{word} missing from:\n{}",
            help.stdout
        );
    }
    let dead = notifications(&["dead-letters", "--help"], &[]).await;
    for word in ["list", "replay", "never sends twice"] {
        assert!(
            dead.stdout.contains(word),
            "{word} missing from:\n{}",
            dead.stdout
        );
    }
}

#[tokio::test]
async fn check_config_names_an_invalid_variable_and_exits_non_zero() {
    let run = notifications(&["check-config"], &[("OUTBOUND_MODE", "yes")]).await;
    assert!(!run.success);
    let line = run.line("settings");
    assert!(
        line.starts_with("FAIL") && line.contains("OUTBOUND_MODE"),
        "{line}"
    );

    let live = notifications(&["check-config"], &[("OUTBOUND_MODE", "live")]).await;
    assert!(!live.success);
    assert!(
        live.line("settings").contains("SMTP_URL"),
        "{}",
        live.stdout
    );
    for (name, bad) in [
        ("MAILJET_API_URL", "api.mailjet.com"),
        ("MAILJET_API_URL", "ftp://api.mailjet.com"),
        ("MAILJET_API_URL", "not a url"),
        ("SMTP_TIMEOUT_S", "0"),
        ("SMTP_TIMEOUT_S", "soon"),
    ] {
        let run = notifications(&["check-config"], &[(name, bad)]).await;
        assert!(!run.success, "{name}={bad}");
        let line = run.line("settings");
        assert!(line.contains(name), "{name}={bad}: {line}");
    }
    for bad in ["0", "soon"] {
        let twilio = [
            ("TWILIO_ACCOUNT_SID", "AC0123"),
            ("TWILIO_AUTH_TOKEN", "a-token"),
            ("TWILIO_FROM", "+15145550100"),
            ("TWILIO_TIMEOUT_S", bad),
        ];
        let run = notifications(&["check-config"], &twilio).await;
        assert!(!run.success, "TWILIO_TIMEOUT_S={bad}");
        let line = run.line("settings");
        assert!(line.contains("TWILIO_TIMEOUT_S"), "{bad}: {line}");
        assert!(!run.stdout.contains("a-token"), "{}", run.stdout);
    }
}

#[tokio::test]
async fn check_config_passes_against_postgres_nats_and_smtp() {
    let db = TestDb::postgres().await;
    let sink = SmtpSink::start().await;
    let (nats, smtp) = (nats_url(), sink.url());
    let run = notifications(
        &["check-config"],
        &[
            ("DATABASE_URL", db.url()),
            ("NATS_URL", &nats),
            ("SMTP_URL", &smtp),
        ],
    )
    .await;
    assert!(run.success, "{}{}", run.stdout, run.stderr);
    for check in [
        "settings",
        "listen address",
        "database",
        "NATS",
        "SMTP",
        "Twilio",
    ] {
        assert!(run.line(check).starts_with("OK"), "{}", run.stdout);
    }
    db.cleanup().await;
}

/// A relay over STARTTLS with a certificate of its own CA: the SMTP check passes with `SMTP_CA_FILE`,
/// fails without it (the certificate is not trusted), and a file that holds no certificate is named.
#[tokio::test]
async fn check_config_reaches_a_tls_relay_through_smtp_ca_file() {
    let sink = SmtpSink::start_tls(SinkTls::StartTls).await;
    let dir = TempDir::new();
    let (ca, junk) = (dir.path().join("ca.pem"), dir.path().join("junk.pem"));
    std::fs::write(&ca, sink.ca_pem().unwrap()).unwrap();
    std::fs::write(&junk, "not a certificate").unwrap();
    let smtp = format!(
        "smtp://{MAILJET_KEY}:{MAILJET_SECRET}@127.0.0.1:{}?tls=required",
        sink.port()
    );
    let trusted = smtp_check(&smtp, Some(&ca)).await;
    assert!(trusted.starts_with("OK"), "{trusted}");
    let untrusted = smtp_check(&smtp, None).await;
    assert!(
        untrusted.starts_with("FAIL") && untrusted.contains("certificate"),
        "{untrusted}"
    );
    let junk = smtp_check(&smtp, Some(&junk)).await;
    assert!(
        junk.starts_with("FAIL") && junk.contains("SMTP_CA_FILE"),
        "{junk}"
    );
    for line in [trusted, untrusted, junk] {
        assert!(!line.contains(MAILJET_SECRET), "{line}");
    }
}

/// The SMTP line of `check-config` for the relay `smtp`, trusting `ca_file` if any.
async fn smtp_check(smtp: &str, ca_file: Option<&std::path::Path>) -> String {
    let ca_file = ca_file.map(|path| path.to_str().unwrap());
    let mut env = vec![("SMTP_URL", smtp)];
    env.extend(ca_file.map(|path| ("SMTP_CA_FILE", path)));
    notifications(&["check-config"], &env)
        .await
        .line("SMTP")
        .to_owned()
}

/// With `MAILJET_API_URL`, the SMTP check also asks Mailjet's records with the relay's login; a
/// wrong secret fails it and names what to check (never the secret).
#[tokio::test]
async fn check_config_asks_mailjets_records_with_the_relay_login() {
    let sink = SmtpSink::start().await;
    let mailjet = MailjetFake::start(sink.clone(), MAILJET_KEY, MAILJET_SECRET).await;
    let api = mailjet.base_url();
    for (secret, ok) in [(MAILJET_SECRET, true), ("wrong-secret", false)] {
        let smtp = format!("smtp://{MAILJET_KEY}:{secret}@127.0.0.1:{}", sink.port());
        let run = notifications(
            &["check-config"],
            &[("SMTP_URL", &smtp), ("MAILJET_API_URL", &api)],
        )
        .await;
        let line = run.line("SMTP");
        assert_eq!(line.starts_with("OK"), ok, "{}", run.stdout);
        assert!(line.contains("Mailjet"), "{line}");
        assert!(!run.stdout.contains(secret), "{}", run.stdout);
    }
    let no_login = notifications(
        &["check-config"],
        &[("SMTP_URL", &sink.url()), ("MAILJET_API_URL", &api)],
    )
    .await;
    assert!(
        no_login.line("SMTP").contains("MAILJET_API_URL"),
        "{}",
        no_login.stdout
    );
    assert!(!no_login.success);
}

/// The Twilio check reads the message list (the look-up of an SMS cut by a crash) and sends nothing.
/// Bad inputs: a wrong auth token, another account, nothing listening at `TWILIO_API_URL`.
#[tokio::test]
async fn check_config_reads_twilios_message_list_with_the_account_credentials() {
    let twilio = TwilioFake::start(TWILIO_SID, TWILIO_TOKEN).await;
    let api = twilio.base_url();
    let cases = [
        (TWILIO_SID, TWILIO_TOKEN, api.as_str(), true),
        (TWILIO_SID, "wrong-token", api.as_str(), false),
        ("AC99", TWILIO_TOKEN, api.as_str(), false),
        (TWILIO_SID, TWILIO_TOKEN, "http://127.0.0.1:9", false),
    ];
    for (sid, token, url, ok) in cases {
        let env = [
            ("TWILIO_ACCOUNT_SID", sid),
            ("TWILIO_AUTH_TOKEN", token),
            ("TWILIO_FROM", TWILIO_FROM),
            ("TWILIO_API_URL", url),
        ];
        let run = notifications(&["check-config"], &env).await;
        let line = run.line("Twilio");
        assert_eq!(
            line.starts_with("OK"),
            ok,
            "{sid} {token} {url}: {}",
            run.stdout
        );
        assert!(ok || line.contains("TWILIO_AUTH_TOKEN"), "{line}");
        assert!(!run.stdout.contains(token), "{}", run.stdout);
    }
    assert!(twilio.messages().is_empty(), "the check sent an SMS");
    assert_eq!(twilio.list_requests(), 3);
}

#[tokio::test]
async fn check_config_says_when_the_database_cannot_be_reached() {
    let run = notifications(
        &["check-config"],
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere")],
    )
    .await;
    assert!(!run.success);
    let line = run.line("database");
    assert!(
        line.contains("cannot reach") && line.contains("DATABASE_URL"),
        "{line}"
    );
}

#[tokio::test]
async fn migrate_twice_applies_once_then_nothing() {
    let db = TestDb::postgres().await;
    let first = notifications(&["migrate"], &[("DATABASE_URL", db.url())]).await;
    assert!(first.success, "{}", first.stderr);
    assert!(
        first.stdout.contains("applied 5 migrations"),
        "{}",
        first.stdout
    );
    let second = notifications(&["migrate"], &[("DATABASE_URL", db.url())]).await;
    assert!(second.success, "{}", second.stderr);
    assert!(second.stdout.contains("up to date"), "{}", second.stdout);
    db.cleanup().await;
}

/// An email refused for good by the SMTP server (550): a dead letter of the running service.
async fn dead_letter(app: &TestApp) -> Envelope {
    app.sink.fail_next(1, "550 5.1.1 no such user");
    let e = envelope(&email("ops@gigafibre.ca"));
    app.publish(&e).await;
    app.wait_for_status(&e, "dead").await;
    app.wait_for_dead_letter(&e).await;
    e
}

async fn replaying_a_dead_letter_twice_sends_it_once(backend: Backend) {
    let app = spawn_app(backend, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    let dead = dead_letter(&app).await;
    let id = dead.id.to_string();
    let env = [("DATABASE_URL", app.database_url())];

    let listed = notifications(&["dead-letters", "list"], &env).await;
    assert!(listed.success, "{}", listed.stderr);
    let row = listed.stdout.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(
        row.contains("can be replayed") && row.contains("5.1.1"),
        "{row}"
    );

    let first = notifications(&["dead-letters", "replay", "--all"], &env).await;
    assert!(first.success, "{}{}", first.stdout, first.stderr);
    assert!(first.stdout.contains("1 queued again"), "{}", first.stdout);
    assert!(
        first.stderr.contains(&id),
        "a plain progress line per dead letter: {}",
        first.stderr
    );
    assert!(
        app.sink.wait_for(1, PATIENCE).await,
        "the replayed email never arrived"
    );

    let second = notifications(&["dead-letters", "replay", "--all"], &env).await;
    assert!(second.success);
    assert!(
        second.stdout.contains("no dead letter to replay"),
        "{}",
        second.stdout
    );
    let by_id = notifications(&["dead-letters", "replay", &id], &env).await;
    assert!(by_id.success, "already replayed is not an error");
    assert!(
        by_id.stdout.contains("1 already replayed"),
        "{}",
        by_id.stdout
    );

    app.wait_for_outbox_drained().await;
    assert_eq!(app.sink.count(), 1, "replayed twice, sent once");
    let outbox = notifications(&["outbox", "list"], &env).await;
    assert!(
        outbox.stdout.contains("events waiting for the relay: none"),
        "{}",
        outbox.stdout
    );
    let statuses: Vec<&str> = outbox
        .stdout
        .lines()
        .filter(|l| l.contains("ops@gigafibre.ca"))
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(statuses, ["sent", "dead"], "{}", outbox.stdout);
    app.cleanup().await;
}
on_both_backends!(
    replaying_a_dead_letter_twice_sends_it_once,
    replaying_a_dead_letter_twice_sends_it_once
);
