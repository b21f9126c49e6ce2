//! Watching a real NATS server: what a service published, on the wire and stored in JetStream.
//!
//! Streams (`PORTAL`, `NOTIFY`) are shared by every test, so a watcher remembers where each stream
//! stood when it was created and tests pick their messages by a per-test identifier (customer id,
//! recipient, event id), never by position.

use std::collections::HashMap;
use std::time::Duration;

use async_nats::jetstream;
use futures::StreamExt;

/// A message as JetStream stored it.
pub type StoredMessage = jetstream::message::StreamMessage;

/// Default server of the NATS tests; `NATS_URL` overrides it.
const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";

/// `NATS_URL`, or the local server.
pub fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| DEFAULT_NATS_URL.to_owned())
}

/// A core subscription started before the action under test, plus the stream positions at that time.
pub struct NatsWatcher {
    jetstream: jetstream::Context,
    subscriber: async_nats::Subscriber,
    seen: Vec<async_nats::Message>,
    start: HashMap<String, u64>,
}

impl NatsWatcher {
    /// Subscribes to `subject` (JetStream publishes reach core subscribers too) and records the last
    /// sequence of each stream in `streams`.
    ///
    /// # Panics
    /// When NATS does not answer, or a stream does not exist yet.
    #[allow(clippy::expect_used, reason = "a NATS test cannot run without NATS")]
    pub async fn start(subject: &str, streams: &[&str]) -> Self {
        let client = async_nats::connect(nats_url())
            .await
            .expect("connecting to NATS (NATS_URL)");
        let jetstream = jetstream::new(client.clone());
        let mut start = HashMap::new();
        for name in streams {
            let mut stream = jetstream
                .get_stream(*name)
                .await
                .expect("the stream exists (the service creates it at start)");
            let last = stream
                .info()
                .await
                .expect("reading stream info")
                .state
                .last_sequence;
            start.insert((*name).to_owned(), last);
        }
        let subscriber = client
            .subscribe(subject.to_owned())
            .await
            .expect("subscribing");
        // The server knows about the subscription once the flush returns.
        client.flush().await.expect("flushing the subscription");
        Self {
            jetstream,
            subscriber,
            seen: Vec::new(),
            start,
        }
    }

    /// The first message (seen before or arriving within `timeout`) that `wanted` accepts.
    pub async fn wait_for(
        &mut self,
        timeout: Duration,
        wanted: impl Fn(&async_nats::Message) -> bool,
    ) -> Option<async_nats::Message> {
        if let Some(m) = self.seen.iter().find(|m| wanted(m)) {
            return Some(m.clone());
        }
        let deadline = tokio::time::Instant::now() + timeout;
        while let Ok(Some(m)) = tokio::time::timeout_at(deadline, self.subscriber.next()).await {
            let hit = wanted(&m);
            self.seen.push(m.clone());
            if hit {
                return Some(m);
            }
        }
        None
    }

    /// The message stored in `stream` since this watcher started whose `Nats-Msg-Id` is `msg_id`.
    pub async fn stored(&self, stream: &str, msg_id: &str) -> Option<StoredMessage> {
        let first = self.start.get(stream).copied().unwrap_or(0) + 1;
        let mut handle = self.jetstream.get_stream(stream).await.ok()?;
        let last = handle.info().await.ok()?.state.last_sequence;
        for seq in first..=last {
            let Ok(m) = handle.get_raw_message(seq).await else {
                continue;
            };
            let id = m.headers.get("Nats-Msg-Id").map(|v| v.as_str().to_owned());
            if id.as_deref() == Some(msg_id) {
                return Some(m);
            }
        }
        None
    }

    /// How long the NATS tests wait for a message.
    pub const PATIENCE: Duration = Duration::from_secs(5);
}
