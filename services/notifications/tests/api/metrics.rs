//! Issue 17: each of the notifications metrics moves when its event happens (docs/metrics.md): a
//! killed SMTP sink makes deliveries fail and the oldest undelivered age grow; a refusal for good
//! and a command that can never go make dead letters.

use shared::events::EmailSend;
use testkit::metrics::{Scrape, scrape};

use crate::helpers::{ALLOWLIST, Backend, PATIENCE, TestApp, email, envelope, spawn_app};

const OPS: &str = "ops@gigafibre.ca";

async fn metrics(app: &TestApp) -> Scrape {
    scrape(&app.client, &app.address).await
}

fn email_outcome(m: &Scrape, outcome: &str) -> f64 {
    m.value(
        "notifications_deliveries_total",
        &[("channel", "email"), ("outcome", outcome)],
    )
}

fn age(m: &Scrape) -> f64 {
    m.value(
        "notifications_oldest_undelivered_age_seconds",
        &[("channel", "email")],
    )
}

#[tokio::test]
async fn a_killed_smtp_sink_makes_deliveries_fail_and_the_age_grow() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    assert_eq!(age(&metrics(&app).await), 0.0);
    app.sink.stop().await;
    let e = envelope(&email(OPS));
    let publishing = app.publish_in_background(&e);
    app.wait_for_status(&e, "retrying").await;

    let first = metrics(&app).await;
    assert!(email_outcome(&first, "retried") >= 1.0);
    let unavailable = [("provider", "smtp"), ("kind", "unavailable")];
    assert!(first.value("notifications_provider_errors_total", &unavailable) >= 1.0);
    let grown = testkit::poll_until(PATIENCE, || async {
        let later = metrics(&app).await;
        (age(&later) > age(&first)).then_some(())
    })
    .await;
    assert!(
        grown.is_some(),
        "the oldest undelivered age grows while the sink is down"
    );
    assert_eq!(
        first.value("service_ready", &[]),
        0.0,
        "SMTP is a required check"
    );

    app.sink.restart().await;
    app.wait_for_status(&e, "sent").await;
    publishing.await.unwrap();
    let after = metrics(&app).await;
    assert_eq!(email_outcome(&after, "sent"), 1.0);
    assert_eq!(age(&after), 0.0);
    let latency = [("provider", "smtp")];
    assert!(
        after.value(
            "notifications_provider_request_duration_seconds_count",
            &latency
        ) >= 2.0
    );
    app.cleanup().await;
}

/// Bad input tried: a command without a recipient (it can never go).
#[tokio::test]
async fn refusals_and_impossible_commands_become_dead_letters_waiting() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    app.sink.fail_next(1, "550 5.1.1 no such user");
    let refused = envelope(&email(OPS));
    app.publish(&refused).await;
    app.wait_for_dead_letter(&refused).await;
    let impossible = envelope(&EmailSend {
        to: String::new(),
        ..email(OPS)
    });
    app.publish(&impossible).await;
    app.wait_for_dead_letter(&impossible).await;

    let m = metrics(&app).await;
    assert_eq!(email_outcome(&m, "failed"), 1.0);
    assert_eq!(email_outcome(&m, "dead"), 1.0);
    let permanent = [("provider", "smtp"), ("kind", "permanent")];
    assert_eq!(
        m.value("notifications_provider_errors_total", &permanent),
        1.0
    );
    assert_eq!(m.value("notifications_dead_letters_waiting", &[]), 2.0);
    app.cleanup().await;
}

#[tokio::test]
async fn a_message_kept_in_the_sandbox_counts_as_captured() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    let e = envelope(&email("client@example.ca"));
    app.publish(&e).await;
    app.wait_for_status(&e, "captured").await;
    app.wait_for_outbox_drained().await;
    let m = metrics(&app).await;
    assert_eq!(email_outcome(&m, "captured"), 1.0);
    assert_eq!(email_outcome(&m, "sent"), 0.0);
    let service = [("service", "notifications")];
    assert_eq!(m.value("outbox_events_pending", &service), 0.0);
    assert!(m.has(
        "events_consumer_ack_pending_messages",
        &[("consumer", "notifications-email")]
    ));
    app.cleanup().await;
}
