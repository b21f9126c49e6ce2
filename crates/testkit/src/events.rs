//! The events a service under test publishes on its in-process bus, collected as they come.

use std::sync::{Arc, Mutex};

use shared::events::{Envelope, EventBus as _, InProcessBus};

/// Subscribes to every subject of `bus` and keeps each envelope, acknowledged, in the returned list.
pub async fn collect(bus: &InProcessBus) -> Arc<Mutex<Vec<Envelope>>> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let Ok(mut sub) = bus.subscribe(">", "test-collector").await else {
        return events;
    };
    let sink = Arc::clone(&events);
    tokio::spawn(async move {
        while let Some(delivery) = sub.next().await {
            if let (Ok(envelope), Ok(mut all)) = (&delivery.envelope, sink.lock()) {
                all.push(envelope.clone());
            }
            delivery.ack().await;
        }
    });
    events
}
