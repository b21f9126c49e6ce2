//! The in-process bus honours the same contract as JetStream: durable groups, explicit acks,
//! redelivery.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use shared::events::{
    BusError, Envelope, EventBus, InProcessBus, LinkRequested, SessionRevoked, Subscription,
};

fn revoked(customer: &str) -> Envelope {
    Envelope::new(
        "test",
        &SessionRevoked {
            customer: customer.into(),
            everywhere: false,
        },
    )
    .unwrap()
}

/// Acks every delivery and reports the ids it saw.
fn ack_all(mut sub: Subscription) -> tokio::sync::mpsc::UnboundedReceiver<uuid::Uuid> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(delivery) = sub.next().await {
            // Report before acking, so the publisher's return implies the report is there.
            let _ = tx.send(delivery.envelope.as_ref().unwrap().id);
            delivery.ack().await;
        }
    });
    rx
}

#[tokio::test]
async fn publishing_with_no_subscriber_succeeds() {
    let bus = InProcessBus::new();
    bus.publish(&revoked("C1")).await.unwrap();
}

#[tokio::test]
async fn each_durable_group_gets_the_event_once() {
    let bus = InProcessBus::new();
    let mut audit = ack_all(bus.subscribe("portal.>", "audit").await.unwrap());
    let mut replica_a = ack_all(bus.subscribe("portal.session.*", "sessions").await.unwrap());
    let mut replica_b = ack_all(bus.subscribe("portal.session.*", "sessions").await.unwrap());
    let mut unrelated = ack_all(bus.subscribe("notify.>", "notifications").await.unwrap());

    let envelope = revoked("C1");
    bus.publish(&envelope).await.unwrap();

    assert_eq!(audit.recv().await, Some(envelope.id));
    let a = replica_a.try_recv().ok();
    let b = replica_b.try_recv().ok();
    assert_eq!(
        a.into_iter().chain(b).collect::<Vec<_>>(),
        vec![envelope.id]
    );
    assert!(unrelated.try_recv().is_err());
}

#[tokio::test]
async fn replicas_of_a_durable_group_take_turns() {
    let bus = InProcessBus::new();
    let mut replica_a = ack_all(bus.subscribe("portal.>", "sessions").await.unwrap());
    let mut replica_b = ack_all(bus.subscribe("portal.>", "sessions").await.unwrap());
    for n in 0..4 {
        bus.publish(&revoked(&format!("C{n}"))).await.unwrap();
    }
    let mut seen_a = 0;
    while replica_a.try_recv().is_ok() {
        seen_a += 1;
    }
    let mut seen_b = 0;
    while replica_b.try_recv().is_ok() {
        seen_b += 1;
    }
    assert_eq!((seen_a, seen_b), (2, 2));
}

#[tokio::test]
async fn a_nacked_event_is_redelivered_before_publish_returns() {
    let bus = InProcessBus::new();
    let mut sub = bus.subscribe("portal.>", "sessions").await.unwrap();
    let consumer = tokio::spawn(async move {
        let first = sub.next().await.unwrap();
        assert!(!first.redelivered);
        first.nak(Some(Duration::from_millis(20))).await;
        let second = sub.next().await.unwrap();
        assert!(second.redelivered);
        assert_eq!(second.attempt, 2);
        second.ack().await;
    });
    bus.publish(&revoked("C1")).await.unwrap();
    consumer.await.unwrap();
}

#[tokio::test]
async fn a_dropped_delivery_is_redelivered() {
    let bus = InProcessBus::new();
    let mut sub = bus.subscribe("portal.>", "sessions").await.unwrap();
    let consumer = tokio::spawn(async move {
        drop(sub.next().await.unwrap());
        let again = sub.next().await.unwrap();
        assert!(again.redelivered);
        again.ack().await;
    });
    bus.publish(&revoked("C1")).await.unwrap();
    consumer.await.unwrap();
}

#[tokio::test]
async fn a_dropped_replica_leaves_its_share_to_the_others() {
    let bus = InProcessBus::new();
    drop(bus.subscribe("portal.>", "sessions").await.unwrap());
    let mut survivor = ack_all(bus.subscribe("portal.>", "sessions").await.unwrap());
    let envelope = revoked("C1");
    bus.publish(&envelope).await.unwrap();
    assert_eq!(survivor.recv().await, Some(envelope.id));
}

#[tokio::test]
async fn an_event_nobody_acks_in_time_fails_the_publish() {
    let bus = InProcessBus::with_ack_timeout(Duration::from_millis(100));
    let mut sub = bus.subscribe("portal.>", "sessions").await.unwrap();
    let holder = tokio::spawn(async move {
        let delivery = sub.next().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        drop(delivery);
    });
    let err = bus.publish(&revoked("C1")).await.unwrap_err();
    assert!(matches!(err, BusError::Publish { .. }), "{err}");
    holder.await.unwrap();
}

#[tokio::test]
async fn a_durable_name_cannot_change_its_filter() {
    let bus = InProcessBus::new();
    let _sub = bus.subscribe("portal.>", "sessions").await.unwrap();
    let err = bus.subscribe("notify.>", "sessions").await.err().unwrap();
    assert!(matches!(err, BusError::DurableConflict { .. }), "{err}");
}

#[tokio::test]
async fn a_delivery_decodes_to_its_payload() {
    let bus = InProcessBus::new();
    let mut sub = bus
        .subscribe("portal.link.requested", "links")
        .await
        .unwrap();
    let event = LinkRequested {
        customer: "C1".into(),
        channels: vec!["email".into()],
        lang: "fr".into(),
    };
    let envelope = Envelope::new("portal-auth", &event).unwrap();
    let publisher = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.publish(&envelope).await })
    };
    let delivery = sub.next().await.unwrap();
    assert_eq!(delivery.subject, "portal.link.requested");
    assert_eq!(
        delivery
            .envelope
            .as_ref()
            .unwrap()
            .decode::<LinkRequested>()
            .unwrap(),
        event
    );
    delivery.ack().await;
    publisher.await.unwrap().unwrap();
}
