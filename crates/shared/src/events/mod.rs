//! Events: CloudEvents envelope, subjects, typed payloads, the event bus (in-process or NATS
//! JetStream) and the transactional outbox with its relay.
//!
//! A service changes state and calls [`outbox::enqueue`] in the same database transaction;
//! an [`OutboxRelay`] publishes committed rows on an [`EventBus`]; consumers read a durable
//! [`Subscription`] and ack each [`Delivery`] once handled. At-least-once on the wire: consumers
//! record processed envelope ids so a redelivery is harmless.

mod bus;
mod envelope;
mod in_process;
mod nats;
pub mod outbox;
mod relay;
pub mod subjects;
mod types;

pub use bus::{
    BoxError, BusError, ConsumerBacklog, Delivery, EventBus, NO_STREAM, Subscription,
    known_domains, stream_for, subject_matches,
};
pub use envelope::{CLOUDEVENTS_SPEC_VERSION, Envelope, Event, EventError, current_traceparent};
pub use in_process::InProcessBus;
pub use nats::{NOTIFY_MAX_AGE, NatsBus, NatsOptions};
pub use outbox::CreateOutboxTable;
pub use relay::{OutboxRelay, RelayError};
pub use types::{
    Attachment, DeadLetter, EmailSend, InvoiceExtracted, LinkRequested, LoginSucceeded,
    PaymentSucceeded, QuoteAccepted, SessionRevoked, SmsSend,
};

/// The bus a service uses: NATS JetStream when `nats_url` is set, else the in-process bus.
/// `prefix` (`NATS_PREFIX`, empty in production) isolates streams and subjects of a test run or an
/// environment sharing one NATS; `ack_wait` is JetStream's redelivery delay for unacked messages.
pub async fn connect_bus(
    nats_url: Option<&str>,
    prefix: &str,
    ack_wait: std::time::Duration,
) -> Result<std::sync::Arc<dyn EventBus>, BusError> {
    let connection = nats_url
        .map(crate::config::NatsConnection::from_url)
        .transpose()
        .map_err(|e| BusError::Connect(Box::new(e)))?;
    connect_bus_to(connection.as_ref(), prefix, ack_wait).await
}

/// Like [`connect_bus`], with NATS credentials and TLS ([`crate::config::BusSettings`]).
pub async fn connect_bus_to(
    nats: Option<&crate::config::NatsConnection>,
    prefix: &str,
    ack_wait: std::time::Duration,
) -> Result<std::sync::Arc<dyn EventBus>, BusError> {
    let Some(nats) = nats else {
        return Ok(std::sync::Arc::new(InProcessBus::new()));
    };
    let mut options = NatsOptions {
        ack_wait,
        ..NatsOptions::default()
    };
    if !prefix.is_empty() {
        options.stream_prefix = format!("{}_", prefix.to_uppercase().replace(['.', '-'], "_"));
        options.subject_prefix = format!("{prefix}.");
    }
    Ok(std::sync::Arc::new(
        NatsBus::connect_to(nats, options).await?,
    ))
}

/// `/readyz` check of a bus.
pub struct BusProbe(pub std::sync::Arc<dyn EventBus>);

#[async_trait::async_trait]
impl crate::http::Probe for BusProbe {
    fn name(&self) -> &'static str {
        "events"
    }

    async fn check(&self) -> Result<(), String> {
        self.0.ready().await.map_err(|e| e.to_string())
    }
}
