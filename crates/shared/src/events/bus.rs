//! The event-bus seam: publish envelopes, read durable shared subscriptions.

use std::{fmt, pin::Pin, task, time::Duration};

use async_trait::async_trait;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::sync::oneshot;

use super::{Envelope, EventError};

/// Boxed source error of a bus operation.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why the bus refused or failed an operation.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The broker could not be reached or refused the connection.
    #[error("event bus connection failed")]
    Connect(#[source] BoxError),
    /// A JetStream stream or consumer could not be created or bound.
    #[error("event bus setup failed: {0}")]
    Setup(String, #[source] BoxError),
    /// The envelope was not durably accepted (no PubAck, or a subscriber never acked in time).
    #[error("publishing on {subject} failed")]
    Publish {
        /// Subject of the envelope.
        subject: String,
        /// Underlying cause.
        #[source]
        source: BoxError,
    },
    /// The subject's domain has no stream, so nothing could store it.
    #[error("no stream for subject {0}")]
    UnknownDomain(String),
    /// The durable name is already used with another filter subject.
    #[error("durable {durable} already filters on {existing}")]
    DurableConflict {
        /// The durable name.
        durable: String,
        /// The filter it was first created with.
        existing: String,
    },
    /// The envelope could not be serialised.
    #[error("envelope could not be serialised")]
    Encode(#[from] serde_json::Error),
    /// The bus is not connected (readiness).
    #[error("event bus not ready: {0}")]
    NotReady(String),
}

/// Publishes envelopes and hands out durable subscriptions; in-process or NATS JetStream.
#[async_trait]
pub trait EventBus: Send + Sync + 'static {
    /// Publishes one envelope on `envelope.subject`; returns once durably accepted
    /// (JetStream PubAck / all in-process subscriber groups acked).
    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError>;
    /// Durable, shared subscription (pull consumer `durable` filtered on `filter_subject`):
    /// replicas using the same durable share the deliveries; each must be acked explicitly.
    async fn subscribe(
        &self,
        filter_subject: &str,
        durable: &str,
    ) -> Result<Subscription, BusError>;
    /// Whether the bus can publish now (for `/readyz`).
    async fn ready(&self) -> Result<(), BusError>;
    /// The backlog of each durable this process subscribed to (for `/metrics`); none by default.
    async fn consumer_backlog(&self) -> Result<Vec<ConsumerBacklog>, BusError> {
        Ok(Vec::new())
    }
}

/// How far behind one durable consumer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerBacklog {
    /// The durable name.
    pub durable: String,
    /// Messages stored for it and not yet delivered (always 0 in-process: nothing is stored).
    pub pending: u64,
    /// Messages delivered and not yet acknowledged.
    pub ack_pending: u64,
    /// Of those, messages delivered more than once.
    pub redelivered: u64,
}

/// What a consumer decided about an in-process delivery.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome {
    Ack,
    Nak(Option<Duration>),
}

/// How a delivery reports back to where it came from.
pub(crate) enum Acker {
    InProcess(oneshot::Sender<Outcome>),
    Nats(Box<async_nats::jetstream::Message>),
}

/// One message handed to a consumer; ack it once handled, nak it to have it redelivered.
/// Dropping it unacked means redelivery (at once in-process, after the ack wait on NATS).
pub struct Delivery {
    /// The decoded envelope; bad JSON is still delivered so the consumer can dead-letter it.
    pub envelope: Result<Envelope, EventError>,
    /// The raw message body.
    pub raw: Bytes,
    /// The subject the message was published on.
    pub subject: String,
    /// Whether this message was delivered before (a previous attempt failed or timed out).
    pub redelivered: bool,
    /// Delivery attempt number, starting at 1.
    pub attempt: u64,
    pub(crate) acker: Acker,
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("subject", &self.subject)
            .field("id", &self.envelope.as_ref().map(|e| e.id).ok())
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// Acknowledges the message: it will not be delivered to this durable group again.
    pub async fn ack(self) {
        self.settle(Outcome::Ack).await;
    }

    /// Refuses the message for now: it is redelivered after `delay` (at once if `None`).
    pub async fn nak(self, delay: Option<Duration>) {
        self.settle(Outcome::Nak(delay)).await;
    }

    async fn settle(self, outcome: Outcome) {
        match self.acker {
            // The publisher may have given up waiting; then it republishes later anyway.
            Acker::InProcess(tx) => {
                let _ = tx.send(outcome);
            }
            Acker::Nats(message) => {
                let kind = match outcome {
                    Outcome::Ack => async_nats::jetstream::AckKind::Ack,
                    Outcome::Nak(delay) => async_nats::jetstream::AckKind::Nak(delay),
                };
                // A lost ack only means a redelivery, which consumers tolerate.
                if let Err(err) = message.ack_with(kind).await {
                    tracing::warn!(subject = %self.subject, error = %err, "ack failed; message will be redelivered");
                }
            }
        }
    }
}

/// A stream of [`Delivery`] for one durable subscription.
pub struct Subscription {
    inner: Pin<Box<dyn Stream<Item = Delivery> + Send>>,
}

impl Subscription {
    /// Wraps any stream of deliveries.
    pub(crate) fn new(inner: impl Stream<Item = Delivery> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(inner),
        }
    }

    /// The next delivery; `None` once the bus is gone.
    pub async fn next(&mut self) -> Option<Delivery> {
        self.inner.next().await
    }
}

impl Stream for Subscription {
    type Item = Delivery;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut task::Context<'_>,
    ) -> task::Poll<Option<Delivery>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// Domains that have a JetStream stream, with the stream's name.
const DOMAIN_STREAMS: &[(&str, &str)] = &[
    ("portal", "PORTAL"),
    ("notify", "NOTIFY"),
    ("payments", "PAYMENTS"),
    ("quotation", "QUOTATION"),
    ("vision", "VISION"),
    ("dispatch", "DISPATCH"),
];

/// Name returned by [`stream_for`] for a subject of a domain without a stream.
pub const NO_STREAM: &str = "NONE";

/// `(domain, stream name)` of every domain that has a JetStream stream.
pub fn known_domains() -> &'static [(&'static str, &'static str)] {
    DOMAIN_STREAMS
}

/// The JetStream stream holding `subject`: `"portal.link.requested"` → `"PORTAL"`;
/// [`NO_STREAM`] when the domain has none.
pub fn stream_for(subject: &str) -> &'static str {
    let domain = subject.split('.').next().unwrap_or_default();
    DOMAIN_STREAMS
        .iter()
        .find(|(d, _)| *d == domain)
        .map_or(NO_STREAM, |(_, stream)| stream)
}

/// NATS subject matching: `*` matches exactly one token, a final `>` one or more.
pub fn subject_matches(filter: &str, subject: &str) -> bool {
    let mut filter_tokens = filter.split('.');
    let mut subject_tokens = subject.split('.');
    loop {
        match (filter_tokens.next(), subject_tokens.next()) {
            (Some(">"), Some(_)) => return filter_tokens.next().is_none(),
            (Some("*"), Some(token)) => {
                if token.is_empty() {
                    return false;
                }
            }
            (Some(f), Some(s)) => {
                if f != s {
                    return false;
                }
            }
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_filter_matches_only_its_subject() {
        assert!(subject_matches(
            "portal.link.requested",
            "portal.link.requested"
        ));
        assert!(!subject_matches(
            "portal.link.requested",
            "portal.link.requested.x"
        ));
        assert!(!subject_matches("portal.link.requested", "portal.link"));
        assert!(!subject_matches(
            "portal.link.requested",
            "portal.login.succeeded"
        ));
    }

    #[test]
    fn a_star_matches_exactly_one_token() {
        assert!(subject_matches("notify.*.send", "notify.email.send"));
        assert!(subject_matches("notify.*.send", "notify.sms.send"));
        assert!(!subject_matches("notify.*.send", "notify.send"));
        assert!(!subject_matches("notify.*", "notify.email.send"));
        assert!(!subject_matches("notify.*.send", "notify..send"));
    }

    #[test]
    fn a_trailing_greater_than_matches_one_or_more_tokens() {
        assert!(subject_matches("portal.>", "portal.link.requested"));
        assert!(subject_matches("portal.>", "portal.x"));
        assert!(subject_matches(">", "notify.dead"));
        assert!(!subject_matches("portal.>", "portal"));
        assert!(!subject_matches("portal.>", "notify.email.send"));
        assert!(!subject_matches("portal.>.x", "portal.a.x"));
    }

    #[test]
    fn each_domain_maps_to_its_stream() {
        assert_eq!(stream_for("portal.link.requested"), "PORTAL");
        assert_eq!(stream_for("notify.email.send"), "NOTIFY");
        assert_eq!(stream_for("notify.dead"), "NOTIFY");
        assert_eq!(stream_for("payments.payment.succeeded"), "PAYMENTS");
        assert_eq!(stream_for("dispatch.job.completed"), "DISPATCH");
        assert_eq!(stream_for("nowhere.thing.happened"), NO_STREAM);
    }
}
