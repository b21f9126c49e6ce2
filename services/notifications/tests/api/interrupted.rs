//! A delivery whose sender died mid-send (its row left `sending`, the lease run out) is taken over
//! only after asking the provider's records whether it has the message (Mailjet's for an email,
//! Twilio's message list for an SMS): there -> recorded as sent and not sent again; not there ->
//! sent; the records cannot be read -> not sent until they can.

use sea_orm::{ConnectionTrait, Database};
use shared::events::Envelope;
use testkit::poll_until;

use crate::helpers::{ALLOWLIST, Backend, PATIENCE, TestApp, email, envelope, sms, spawn_app};
use crate::on_both_backends;

const OPS: &str = "ops@gigafibre.ca";
/// An allowlisted number.
const PHONE: &str = "+15145550100";

/// Leaves `event`'s delivery as a killed sender leaves it: `sending`, lease over.
async fn cut_mid_send(app: &TestApp, event: &Envelope) {
    cut_mid_send_to(app, event, "email", OPS).await;
}

async fn cut_mid_send_to(app: &TestApp, event: &Envelope, channel: &str, recipient: &str) {
    let db = Database::connect(app.database_url()).await.unwrap();
    // `stmt` writes `$n` placeholders as `?n` for SQLite.
    let cut = shared::db::stmt(
        db.get_database_backend(),
        "INSERT INTO delivery (event_id, channel, recipient, status, attempts, lease_until, created_at, updated_at) \
         VALUES ($1, $2, $3, 'sending', 0, 1, 1, 1) \
         ON CONFLICT (event_id) DO UPDATE SET status = 'sending', lease_until = 1",
        [
            event.id.to_string().into(),
            channel.into(),
            recipient.into(),
        ],
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
    let waiting = app.wait_for_error(&e, "503").await;
    assert_eq!(waiting["status"], "sending", "{waiting}");

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

async fn an_interrupted_sms_twilio_had_accepted_is_not_sent_again(backend: Backend) {
    let app = spawn_app(backend, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    let e = envelope(&sms(PHONE));
    app.publish(&e).await;
    let sent = app.twilio.messages();
    assert_eq!(sent.len(), 1);

    // As if the process had died between Twilio's 201 and its own record.
    cut_mid_send_to(&app, &e, "sms", PHONE).await;
    app.publish(&e).await;
    let row = app.wait_for_status(&e, "sent").await;
    assert_eq!(
        app.twilio.list_requests(),
        1,
        "Twilio's list was asked once"
    );
    assert_eq!(app.twilio.messages().len(), 1, "sent a second time");
    assert_eq!(row["provider_id"], sent[0].sid, "{row}");
    app.cleanup().await;
}
on_both_backends!(
    an_interrupted_sms_twilio_had_accepted_is_not_sent_again,
    an_interrupted_sms_twilio_had_accepted_is_not_sent_again
);

/// Twilio has another text for the number: it is not taken for this one, which is sent.
async fn an_interrupted_sms_twilio_never_got_is_sent(backend: Backend) {
    let app = spawn_app(backend, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    let mut other_text = sms(PHONE);
    other_text.body = "Gigafibre : votre technicien arrive".into();
    app.publish(&envelope(&other_text)).await;
    let e = envelope(&sms(PHONE));
    cut_mid_send_to(&app, &e, "sms", PHONE).await;
    app.publish(&e).await;
    let row = app.wait_for_status(&e, "sent").await;
    assert_eq!(app.twilio.list_requests(), 1);
    let sent = app.twilio.messages();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(row["provider_id"], sent[1].sid, "{row}");
    app.cleanup().await;
}
on_both_backends!(
    an_interrupted_sms_twilio_never_got_is_sent,
    an_interrupted_sms_twilio_never_got_is_sent
);

/// Twilio's API failing (503, then the list again): nothing is sent until the list can be read.
async fn an_interrupted_sms_is_not_sent_blindly_while_twilio_cannot_be_asked(backend: Backend) {
    let app = spawn_app(
        backend,
        &[("OUTBOUND_ALLOWLIST", ALLOWLIST), ("NOTIFY_LEASE_S", "1")],
    )
    .await;
    app.twilio.fail_next(2, 503, 20503, "Service Unavailable");
    let e = envelope(&sms(PHONE));
    cut_mid_send_to(&app, &e, "sms", PHONE).await;
    let publishing = app.publish_in_background(&e);
    let asked = poll_until(PATIENCE, || async {
        (app.twilio.list_requests() > 0).then_some(())
    })
    .await;
    assert!(asked.is_some(), "Twilio's list was never asked");
    assert!(app.twilio.messages().is_empty(), "sent without knowing");
    // The staff log says why it waits.
    let waiting = app.wait_for_error(&e, "503").await;
    assert_eq!(waiting["status"], "sending", "{waiting}");

    app.wait_for_status(&e, "sent").await;
    assert_eq!(
        app.twilio.list_requests(),
        3,
        "two refusals, then the answer"
    );
    assert_eq!(app.twilio.messages().len(), 1);
    publishing.await.unwrap();
    app.cleanup().await;
}
on_both_backends!(
    an_interrupted_sms_is_not_sent_blindly_while_twilio_cannot_be_asked,
    an_interrupted_sms_is_not_sent_blindly_while_twilio_cannot_be_asked
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

/// The list look-up reads on past the first page (50 messages) when the copy is older, and stops
/// once the pages are exhausted.
#[tokio::test]
async fn the_list_look_up_follows_twilios_pages() {
    use notifications::config::TwilioSettings;
    use notifications::domain::OutgoingSms;
    use notifications::twilio::Twilio;
    use secrecy::SecretString;
    use testkit::TwilioFake;

    use crate::helpers::{TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN};

    let fake = TwilioFake::start(TWILIO_SID, TWILIO_TOKEN).await;
    let settings = TwilioSettings {
        api_url: fake.base_url(),
        account_sid: TWILIO_SID.to_owned(),
        auth_token: SecretString::from(TWILIO_TOKEN),
        from: Some(TWILIO_FROM.to_owned()),
        messaging_service_sid: None,
        timeout: std::time::Duration::from_secs(5),
    };
    let twilio = Twilio::new(settings, String::new()).unwrap();
    let text = |i: usize| {
        let mut command = sms("+15145550147");
        command.body = format!("Gigafibre : votre code est {i:06}");
        OutgoingSms::parse(&command).unwrap()
    };
    for i in 0..60 {
        twilio.send(&text(i)).await.unwrap();
    }
    let began = chrono::Utc::now() - chrono::TimeDelta::minutes(1);
    let oldest = fake.messages()[0].sid.clone();
    assert_eq!(twilio.find(&text(0), began).await.unwrap(), Some(oldest));
    assert_eq!(fake.list_requests(), 2, "the copy is on the second page");
    assert_eq!(twilio.find(&text(99), began).await.unwrap(), None);
    assert_eq!(fake.list_requests(), 4);
}
