//! Over a real NATS JetStream (isolated by `NATS_PREFIX`): bytes that are not an envelope at all are
//! dead-lettered and acknowledged, and the next good command is still delivered.

use futures::StreamExt;
use notifications::{Application, Settings};
use serde_json::Value;
use shared::events::{DeadLetter, Envelope, known_domains};
use testkit::{MailjetFake, SmtpSink, TestDb, TwilioFake, nats_url, poll_until};

use crate::helpers::{
    MAILJET_KEY, MAILJET_SECRET, PATIENCE, SUPPORT_AGENT, TWILIO_SID, TWILIO_TOKEN, base_env,
    email, envelope,
};

async fn log(client: &reqwest::Client, address: &str) -> Vec<Value> {
    let mut request = client.get(format!("{address}/notifications/log"));
    for (name, value) in SUPPORT_AGENT {
        request = request.header(name, value);
    }
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn bytes_that_are_not_json_are_dead_lettered_and_the_consumer_goes_on() {
    let db = TestDb::sqlite();
    let sink = SmtpSink::start().await;
    let twilio = TwilioFake::start(TWILIO_SID, TWILIO_TOKEN).await;
    let prefix = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let mailjet = MailjetFake::start(sink.clone(), MAILJET_KEY, MAILJET_SECRET).await;
    let mut env = base_env(db.url(), &sink, &twilio, &mailjet);
    env.insert("NATS_URL".into(), nats_url());
    env.insert("NATS_PREFIX".into(), prefix.clone());
    let app = Application::build(Settings::from_source(&env).unwrap())
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let nats = async_nats::connect(nats_url()).await.unwrap();
    let mut dead = nats
        .subscribe(format!("{prefix}.notify.dead"))
        .await
        .unwrap();
    let jetstream = async_nats::jetstream::new(nats.clone());

    let publish = |subject: &str, bytes: Vec<u8>| {
        let (js, subject) = (jetstream.clone(), format!("{prefix}.{subject}"));
        async move {
            js.publish(subject, bytes.into())
                .await
                .unwrap()
                .await
                .unwrap()
        }
    };
    publish("notify.email.send", b"this is { not json".to_vec()).await;
    let good = envelope(&email("client@example.ca"));
    publish("notify.email.send", good.to_bytes().unwrap()).await;

    let client = reqwest::Client::new();
    let rows = poll_until(PATIENCE, || async {
        let rows = log(&client, &address).await;
        let done = rows
            .iter()
            .any(|r| r["id"] == good.id.to_string() && r["status"] == "captured")
            && rows.iter().any(|r| r["status"] == "dead");
        done.then_some(rows)
    })
    .await
    .expect("the bad message dead and the good one captured");
    let bad = rows.iter().find(|r| r["status"] == "dead").unwrap();
    assert!(bad["id"].as_str().unwrap().starts_with("raw-"), "{bad}");
    assert!(
        bad["error"]
            .as_str()
            .unwrap()
            .contains("unreadable envelope")
    );

    let message = tokio::time::timeout(PATIENCE, dead.next())
        .await
        .unwrap()
        .unwrap();
    let letter: DeadLetter = Envelope::from_bytes(&message.payload)
        .unwrap()
        .decode()
        .unwrap();
    assert!(
        letter.reason.contains("unreadable envelope"),
        "{}",
        letter.reason
    );
    assert_eq!(letter.original, "this is { not json");
    assert_eq!(letter.event_id, None);

    // Issue 17: JetStream's view of the consumer, and both outcomes, on /metrics.
    let m = testkit::metrics::scrape(&client, &address).await;
    let email = [("consumer", "notifications-email")];
    assert!(
        m.has("events_consumer_pending_messages", &email),
        "{:?}",
        m.families()
    );
    assert_eq!(m.value("events_consumer_pending_messages", &email), 0.0);
    assert_eq!(m.value("events_consumer_redelivered_messages", &email), 0.0);
    let outcome = |o: &str| {
        m.value(
            "notifications_deliveries_total",
            &[("channel", "email"), ("outcome", o)],
        )
    };
    assert_eq!((outcome("dead"), outcome("captured")), (1.0, 1.0));

    for (_, stream) in known_domains() {
        let _ = jetstream
            .delete_stream(format!("{}_{stream}", prefix.to_uppercase()))
            .await;
    }
}
