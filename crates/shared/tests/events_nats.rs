//! The JetStream bus against the real NATS server at 127.0.0.1:4222. Every test uses its own
//! stream and subject prefix and deletes its streams, so runs never collide.
#![allow(clippy::unwrap_used)]

use std::{collections::HashSet, time::Duration};

use shared::events::{
    BusError, Delivery, Envelope, EventBus, NatsBus, NatsOptions, SessionRevoked, Subscription,
    known_domains,
};

const NATS_URL: &str = "nats://127.0.0.1:4222";

struct TestBus {
    bus: NatsBus,
    options: NatsOptions,
}

impl TestBus {
    async fn start(ack_wait: Duration) -> Self {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let options = NatsOptions {
            stream_prefix: format!("T{tag}_"),
            subject_prefix: format!("t{tag}."),
            ack_wait,
            max_age: Duration::from_secs(600),
        };
        let bus = NatsBus::connect_with(NATS_URL, options.clone())
            .await
            .unwrap();
        Self { bus, options }
    }

    async fn stored_messages(&self, stream: &str) -> u64 {
        let mut stream = self
            .bus
            .jetstream()
            .get_stream(self.bus.stream_name(stream).unwrap())
            .await
            .unwrap();
        stream.info().await.unwrap().state.messages
    }

    async fn cleanup(self) {
        for (_, stream) in known_domains() {
            let _ = self
                .bus
                .jetstream()
                .delete_stream(format!("{}{stream}", self.options.stream_prefix))
                .await;
        }
    }
}

fn revoked(customer: &str) -> Envelope {
    Envelope::new(
        "test",
        &SessionRevoked {
            customer: customer.into(),
            everywhere: true,
        },
    )
    .unwrap()
}

async fn next(sub: &mut Subscription) -> Delivery {
    tokio::time::timeout(Duration::from_secs(10), sub.next())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_published_event_reaches_the_durable_consumer() {
    let t = TestBus::start(Duration::from_secs(30)).await;
    t.bus.ready().await.unwrap();
    let mut sub = t
        .bus
        .subscribe("portal.session.*", "sessions")
        .await
        .unwrap();
    let envelope = revoked("C1");
    t.bus.publish(&envelope).await.unwrap();

    let delivery = next(&mut sub).await;
    assert_eq!(delivery.subject, "portal.session.revoked");
    assert!(!delivery.redelivered);
    assert_eq!(delivery.envelope.as_ref().unwrap(), &envelope);
    delivery.ack().await;
    t.cleanup().await;
}

#[tokio::test]
async fn the_same_envelope_published_twice_is_stored_once() {
    let t = TestBus::start(Duration::from_secs(30)).await;
    let envelope = revoked("C1");
    t.bus.publish(&envelope).await.unwrap();
    t.bus.publish(&envelope).await.unwrap();
    t.bus.publish(&revoked("C2")).await.unwrap();
    assert_eq!(t.stored_messages("portal").await, 2);
    t.cleanup().await;
}

#[tokio::test]
async fn the_event_id_and_trace_travel_as_headers() {
    let t = TestBus::start(Duration::from_secs(30)).await;
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned();
    let envelope = revoked("C1").with_traceparent(Some(traceparent.clone()));
    t.bus.publish(&envelope).await.unwrap();

    let stream = t
        .bus
        .jetstream()
        .get_stream(t.bus.stream_name("portal").unwrap())
        .await
        .unwrap();
    let stored = stream.get_raw_message(1).await.unwrap();
    assert_eq!(
        stored.headers.get("Nats-Msg-Id").unwrap().as_str(),
        envelope.id.to_string()
    );
    assert_eq!(
        stored.headers.get("traceparent").unwrap().as_str(),
        traceparent
    );
    t.cleanup().await;
}

#[tokio::test]
async fn two_subscriptions_with_one_durable_share_the_events() {
    let t = TestBus::start(Duration::from_secs(30)).await;
    let mut replica_a = t.bus.subscribe("portal.>", "shared").await.unwrap();
    let mut replica_b = t.bus.subscribe("portal.>", "shared").await.unwrap();
    let mut published = HashSet::new();
    for n in 0..20 {
        let envelope = revoked(&format!("C{n}"));
        published.insert(envelope.id);
        t.bus.publish(&envelope).await.unwrap();
    }

    let mut received = Vec::new();
    while received.len() < published.len() {
        let delivery = tokio::select! {
            Some(d) = replica_a.next() => d,
            Some(d) = replica_b.next() => d,
            () = tokio::time::sleep(Duration::from_secs(10)) => panic!("only {} of 20 delivered", received.len()),
        };
        received.push(delivery.envelope.as_ref().unwrap().id);
        delivery.ack().await;
    }
    // Each event went to exactly one of the replicas, and nothing more arrives.
    assert_eq!(received.iter().copied().collect::<HashSet<_>>(), published);
    assert_eq!(received.len(), 20);
    let extra = tokio::time::timeout(Duration::from_millis(300), async {
        tokio::select! { d = replica_a.next() => d, d = replica_b.next() => d }
    })
    .await;
    assert!(extra.is_err(), "an acked event was delivered twice");
    t.cleanup().await;
}

#[tokio::test]
async fn an_unacked_event_is_redelivered_after_the_ack_wait() {
    let t = TestBus::start(Duration::from_secs(1)).await;
    let mut sub = t.bus.subscribe("portal.>", "forgetful").await.unwrap();
    let envelope = revoked("C1");
    t.bus.publish(&envelope).await.unwrap();

    drop(next(&mut sub).await);
    let again = next(&mut sub).await;
    assert_eq!(again.envelope.as_ref().unwrap().id, envelope.id);
    assert!(again.redelivered);
    assert_eq!(again.attempt, 2);
    again.ack().await;
    t.cleanup().await;
}

#[tokio::test]
async fn a_nacked_event_is_redelivered() {
    let t = TestBus::start(Duration::from_secs(30)).await;
    let mut sub = t.bus.subscribe("portal.>", "picky").await.unwrap();
    t.bus.publish(&revoked("C1")).await.unwrap();

    next(&mut sub)
        .await
        .nak(Some(Duration::from_millis(100)))
        .await;
    let again = next(&mut sub).await;
    assert!(again.redelivered);
    again.ack().await;
    t.cleanup().await;
}

#[tokio::test]
async fn a_message_that_is_not_an_envelope_is_still_delivered() {
    let t = TestBus::start(Duration::from_secs(30)).await;
    let mut sub = t.bus.subscribe("notify.>", "notifications").await.unwrap();
    let subject = format!("{}notify.email.send", t.options.subject_prefix);
    t.bus
        .jetstream()
        .publish(subject, "not json".into())
        .await
        .unwrap()
        .await
        .unwrap();

    let delivery = next(&mut sub).await;
    assert!(delivery.envelope.is_err());
    assert_eq!(&delivery.raw[..], b"not json");
    delivery.ack().await;
    t.cleanup().await;
}

#[tokio::test]
async fn a_subject_without_a_stream_is_refused() {
    let t = TestBus::start(Duration::from_secs(30)).await;
    let mut envelope = revoked("C1");
    envelope.subject = "nowhere.thing.happened".into();
    let err = t.bus.publish(&envelope).await.unwrap_err();
    assert!(matches!(err, BusError::UnknownDomain(_)), "{err}");
    t.cleanup().await;
}

#[tokio::test]
async fn a_durable_name_cannot_change_its_filter() {
    let t = TestBus::start(Duration::from_secs(30)).await;
    let _sub = t
        .bus
        .subscribe("portal.session.*", "sessions")
        .await
        .unwrap();
    let err = t
        .bus
        .subscribe("portal.link.*", "sessions")
        .await
        .err()
        .unwrap();
    assert!(matches!(err, BusError::DurableConflict { .. }), "{err}");
    t.cleanup().await;
}

#[tokio::test]
async fn replicas_starting_together_all_find_their_streams() {
    // Six buses of one run connect at once: they race to create the same streams, and the losers
    // must take the winners' (NATS tells them the subjects overlap) rather than fail to start.
    let t = TestBus::start(Duration::from_secs(30)).await;
    for (_, stream) in known_domains() {
        let name = format!("{}{stream}", t.options.stream_prefix);
        t.bus.jetstream().delete_stream(name).await.unwrap();
    }
    let starts = (0..6).map(|_| NatsBus::connect_with(NATS_URL, t.options.clone()));
    for bus in futures::future::join_all(starts).await {
        bus.unwrap();
    }
    t.cleanup().await;
}
