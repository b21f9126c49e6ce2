//! A delivery whose sender died mid-send (its row left `sending`, the lease run out) is taken over
//! only after asking Mailjet's records whether the relay accepted it: accepted -> recorded as sent
//! and not sent again; not there -> sent; the records cannot be read -> not sent until they can.

use sea_orm::{ConnectionTrait, Database};
use shared::events::Envelope;
use testkit::poll_until;

use crate::helpers::{ALLOWLIST, Backend, PATIENCE, TestApp, email, envelope, spawn_app};
use crate::on_both_backends;

const OPS: &str = "ops@gigafibre.ca";

/// Leaves `event`'s delivery as a killed sender leaves it: `sending`, lease over.
async fn cut_mid_send(app: &TestApp, event: &Envelope) {
    let db = Database::connect(app.database_url()).await.unwrap();
    // `stmt` writes `$n` placeholders as `?n` for SQLite.
    let cut = shared::db::stmt(
        db.get_database_backend(),
        "INSERT INTO delivery (event_id, channel, recipient, status, attempts, lease_until, created_at, updated_at) \
         VALUES ($1, 'email', $2, 'sending', 0, 1, 1, 1) \
         ON CONFLICT (event_id) DO UPDATE SET status = 'sending', lease_until = 1",
        [event.id.to_string().into(), OPS.into()],
    );
    db.execute_raw(cut).await.unwrap();
    db.close().await.unwrap();
}

async fn an_interrupted_send_the_relay_had_accepted_is_not_sent_again(backend: Backend) {
    let app = spawn_app(backend, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    let e = envelope(&email(OPS));
    app.publish(&e).await;
    assert_eq!(app.sink.count(), 1);
    let sent = app.sink.messages().remove(0);
    assert_eq!(sent.header("X-MJ-CustomID"), Some(e.id.to_string()));

    // As if the process had died between the relay's 250 and its own record.
    cut_mid_send(&app, &e).await;
    app.publish(&e).await;
    let row = app.wait_for_status(&e, "sent").await;
    assert_eq!(app.mailjet.lookups(), 1, "the records were asked once");
    assert_eq!(app.sink.count(), 1, "sent a second time");
    assert_eq!(row["provider_id"], format!("<{}@gigafibre.ca>", e.id));
    app.cleanup().await;
}
on_both_backends!(
    an_interrupted_send_the_relay_had_accepted_is_not_sent_again,
    an_interrupted_send_the_relay_had_accepted_is_not_sent_again
);

async fn an_interrupted_send_the_relay_never_got_is_sent(backend: Backend) {
    let app = spawn_app(backend, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    let e = envelope(&email(OPS));
    cut_mid_send(&app, &e).await;
    app.publish(&e).await;
    app.wait_for_status(&e, "sent").await;
    assert_eq!(app.mailjet.lookups(), 1);
    assert_eq!(app.sink.count(), 1);
    app.cleanup().await;
}
on_both_backends!(
    an_interrupted_send_the_relay_never_got_is_sent,
    an_interrupted_send_the_relay_never_got_is_sent
);

/// Mailjet's API down (503): the service cannot tell, so it waits rather than risk a second copy;
/// the delivery stays `sending`, and once the records answer it is sent (once).
async fn an_interrupted_send_is_not_sent_blindly_while_the_records_cannot_be_read(
    backend: Backend,
) {
    let app = spawn_app(
        backend,
        &[("OUTBOUND_ALLOWLIST", ALLOWLIST), ("NOTIFY_LEASE_S", "1")],
    )
    .await;
    app.mailjet.fail_next(2);
    let e = envelope(&email(OPS));
    cut_mid_send(&app, &e).await;
    let publishing = app.publish_in_background(&e);
    let failed = poll_until(PATIENCE, || async {
        (app.mailjet.errors() > 0).then_some(())
    })
    .await;
    assert!(failed.is_some(), "the records were never asked");
    assert_eq!(app.sink.count(), 0, "sent without knowing");
    assert_eq!(app.log_row(&e).await.unwrap()["status"], "sending");

    app.wait_for_status(&e, "sent").await;
    assert_eq!(app.mailjet.errors(), 2);
    assert_eq!(app.mailjet.lookups(), 1);
    assert_eq!(app.sink.count(), 1);
    publishing.await.unwrap();
    app.cleanup().await;
}
on_both_backends!(
    an_interrupted_send_is_not_sent_blindly_while_the_records_cannot_be_read,
    an_interrupted_send_is_not_sent_blindly_while_the_records_cannot_be_read
);

#[tokio::test]
async fn the_records_client_finds_by_custom_id_and_fails_on_a_wrong_secret() {
    use notifications::mailjet::SentLog;
    use secrecy::SecretString;
    use testkit::{MailjetFake, SmtpSink};

    use crate::helpers::{MAILJET_KEY, MAILJET_SECRET};

    let sink = SmtpSink::start().await;
    let fake = MailjetFake::start(sink.clone(), MAILJET_KEY, MAILJET_SECRET).await;
    let right = SentLog::new(
        &fake.base_url(),
        MAILJET_KEY,
        SecretString::from(MAILJET_SECRET),
    )
    .unwrap();
    assert_eq!(right.find("never-sent").await.unwrap(), None);

    let wrong = SentLog::new(&fake.base_url(), MAILJET_KEY, SecretString::from("nope")).unwrap();
    let refused = wrong.find("never-sent").await.unwrap_err();
    assert!(refused.to_string().contains("401"), "{refused}");
    assert!(
        !refused.to_string().contains("nope"),
        "the secret leaked: {refused}"
    );

    let closed = SentLog::new(
        "http://127.0.0.1:9",
        MAILJET_KEY,
        SecretString::from(MAILJET_SECRET),
    )
    .unwrap();
    assert!(closed.find("x").await.is_err());
}
