//! The NATS JetStream bus of the services mode.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_nats::{
    HeaderMap,
    jetstream::{
        self,
        consumer::{AckPolicy, DeliverPolicy, pull},
        stream,
    },
};
use async_trait::async_trait;
use futures::StreamExt;

use crate::config::NatsConnection;

use super::{
    BusError, ConsumerBacklog, Envelope, EventBus, Subscription,
    bus::{Acker, Delivery, NO_STREAM, known_domains, stream_for},
};

/// JetStream's dedupe window on `Nats-Msg-Id`.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// The longest a `notify` stream keeps a message: the commands carry live login links and codes, so
/// none is kept longer than a link lets its holder in ([`crate::claims::CUSTOMER_TOKEN_TTL_S`]). A
/// delivery still waiting then (SMTP down for a day) would only carry a dead link.
pub const NOTIFY_MAX_AGE: Duration =
    Duration::from_secs(crate::claims::CUSTOMER_TOKEN_TTL_S.unsigned_abs());

/// Naming and timing of the streams and consumers a [`NatsBus`] uses.
#[derive(Debug, Clone)]
pub struct NatsOptions {
    /// Prepended to every stream name (`""` in production; isolates test runs or environments).
    pub stream_prefix: String,
    /// Prepended to every subject on the wire (`""` in production, else ending with `.`).
    pub subject_prefix: String,
    /// How long a delivery may stay unacked before JetStream redelivers it.
    pub ack_wait: Duration,
    /// How long a stream keeps messages (limits retention); the `notify` stream keeps them no longer
    /// than [`NOTIFY_MAX_AGE`] whatever this says.
    pub max_age: Duration,
}

impl Default for NatsOptions {
    fn default() -> Self {
        Self {
            stream_prefix: String::new(),
            subject_prefix: String::new(),
            ack_wait: Duration::from_secs(30),
            max_age: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// Event bus over NATS JetStream: one stream per domain, durable pull consumers.
#[derive(Clone)]
pub struct NatsBus {
    client: async_nats::Client,
    jetstream: jetstream::Context,
    options: NatsOptions,
    /// `(stream, durable)` of every subscription made, for [`EventBus::consumer_backlog`].
    durables: Arc<Mutex<Vec<(String, String)>>>,
}

impl NatsBus {
    /// Connects to `url` and ensures the per-domain streams exist (2 min dedupe window).
    pub async fn connect(url: &str) -> Result<Self, BusError> {
        Self::connect_with(url, NatsOptions::default()).await
    }

    /// Like [`NatsBus::connect`], with prefixed names and custom timings.
    pub async fn connect_with(url: &str, options: NatsOptions) -> Result<Self, BusError> {
        let connection =
            NatsConnection::from_url(url).map_err(|err| BusError::Connect(Box::new(err)))?;
        Self::connect_to(&connection, options).await
    }

    /// Connects to the server of `connection` with its credentials and TLS, and ensures the
    /// per-domain streams exist with their retention.
    pub async fn connect_to(
        connection: &NatsConnection,
        options: NatsOptions,
    ) -> Result<Self, BusError> {
        // The address carries no credentials: they travel in the options, never in a logged URL.
        let client = connection
            .connect_options("gigafibre-hub")
            .map_err(|err| BusError::Connect(Box::new(err)))?
            .connect(connection.address())
            .await
            .map_err(|err| BusError::Connect(Box::new(err)))?;
        let bus = Self {
            jetstream: jetstream::new(client.clone()),
            client,
            options,
            durables: Arc::default(),
        };
        bus.ensure_streams().await?;
        Ok(bus)
    }

    /// The prefixed name of the stream holding `subject`.
    pub fn stream_name(&self, subject: &str) -> Result<String, BusError> {
        match stream_for(subject) {
            NO_STREAM => Err(BusError::UnknownDomain(subject.to_owned())),
            stream => Ok(format!("{}{stream}", self.options.stream_prefix)),
        }
    }

    /// The underlying JetStream context (for administration and tests).
    pub fn jetstream(&self) -> &jetstream::Context {
        &self.jetstream
    }

    /// Creates the missing streams, and brings the retention of existing ones to what this version
    /// sets (a `NOTIFY` stream created with 7 days keeps links 24 h from the next start on).
    async fn ensure_streams(&self) -> Result<(), BusError> {
        for (domain, stream) in known_domains() {
            let name = format!("{}{stream}", self.options.stream_prefix);
            let max_age = self.max_age(domain);
            let config = stream::Config {
                name: name.clone(),
                subjects: vec![format!("{}{domain}.>", self.options.subject_prefix)],
                duplicate_window: DUPLICATE_WINDOW,
                max_age,
                storage: stream::StorageType::File,
                ..Default::default()
            };
            let existing = match self.jetstream.get_or_create_stream(config).await {
                Ok(stream) => stream,
                // Replicas starting together race to create the stream, and the loser is told its
                // subjects overlap an existing stream (10065): the winner's, which is ours.
                Err(e) => match self.jetstream.get_stream(&name).await {
                    Ok(stream) => stream,
                    Err(_) => return Err(setup(format!("stream {name}"))(e)),
                },
            };
            let mut current = existing.cached_info().config.clone();
            if current.max_age != max_age {
                tracing::info!(stream = %name, from_s = current.max_age.as_secs(), to_s = max_age.as_secs(),
                    "changing the stream's retention");
                current.max_age = max_age;
                self.jetstream
                    .update_stream(current)
                    .await
                    .map_err(setup(format!("stream {name}")))?;
            }
        }
        Ok(())
    }

    /// The retention of `domain`'s stream.
    fn max_age(&self, domain: &str) -> Duration {
        if domain == "notify" {
            self.options.max_age.min(NOTIFY_MAX_AGE)
        } else {
            self.options.max_age
        }
    }

    /// Remembers a subscription, for [`EventBus::consumer_backlog`].
    fn remember(&self, stream: String, durable: &str) {
        let mut durables = self.durables.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = (stream, durable.to_owned());
        if !durables.contains(&entry) {
            durables.push(entry);
        }
    }

    fn to_delivery(&self, message: jetstream::Message) -> Delivery {
        let raw = message.payload.clone();
        let subject = message.subject.as_str();
        let subject = subject
            .strip_prefix(&self.options.subject_prefix)
            .unwrap_or(subject)
            .to_owned();
        let attempt = message
            .info()
            .map(|info| u64::try_from(info.delivered).unwrap_or(1))
            .unwrap_or(1);
        Delivery {
            envelope: Envelope::from_bytes(&raw),
            raw,
            subject,
            redelivered: attempt > 1,
            attempt,
            acker: Acker::Nats(Box::new(message)),
        }
    }
}

/// Maps a JetStream setup failure to [`BusError::Setup`] naming what was being set up.
fn setup<E: std::error::Error + Send + Sync + 'static>(what: String) -> impl FnOnce(E) -> BusError {
    move |err| BusError::Setup(what, Box::new(err))
}

#[async_trait]
impl EventBus for NatsBus {
    #[tracing::instrument(skip_all, fields(subject = %envelope.subject, event_id = %envelope.id))]
    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError> {
        self.stream_name(&envelope.subject)?;
        let publish_error = |err: Box<dyn std::error::Error + Send + Sync>| BusError::Publish {
            subject: envelope.subject.clone(),
            source: err,
        };
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", envelope.id.to_string());
        if let Some(traceparent) = &envelope.traceparent {
            headers.insert("traceparent", traceparent.as_str());
        }
        let subject = format!("{}{}", self.options.subject_prefix, envelope.subject);
        let ack = self
            .jetstream
            .publish_with_headers(subject, headers, envelope.to_bytes()?.into())
            .await
            .map_err(|err| publish_error(Box::new(err)))?;
        let ack = ack.await.map_err(|err| publish_error(Box::new(err)))?;
        if ack.duplicate {
            tracing::debug!("event already stored; JetStream deduplicated it");
        }
        Ok(())
    }

    async fn subscribe(
        &self,
        filter_subject: &str,
        durable: &str,
    ) -> Result<Subscription, BusError> {
        let stream_name = self.stream_name(filter_subject)?;
        let stream = self
            .jetstream
            .get_stream(&stream_name)
            .await
            .map_err(setup(format!("stream {stream_name}")))?;
        let filter = format!("{}{filter_subject}", self.options.subject_prefix);
        let config = pull::Config {
            durable_name: Some(durable.to_owned()),
            filter_subject: filter.clone(),
            ack_policy: AckPolicy::Explicit,
            ack_wait: self.options.ack_wait,
            max_deliver: -1,
            deliver_policy: DeliverPolicy::All,
            ..Default::default()
        };
        let consumer = stream
            .get_or_create_consumer(durable, config)
            .await
            .map_err(setup(format!("consumer {durable}")))?;
        let existing = &consumer.cached_info().config.filter_subject;
        if *existing != filter {
            return Err(BusError::DurableConflict {
                durable: durable.to_owned(),
                existing: existing.clone(),
            });
        }
        self.remember(stream_name, durable);
        let messages = consumer
            .messages()
            .await
            .map_err(setup(format!("messages of {durable}")))?;
        let bus = self.clone();
        Ok(Subscription::new(messages.filter_map(move |message| {
            let delivery = match message {
                Ok(message) => Some(bus.to_delivery(message)),
                // Heartbeat gaps and the like: the pull stream carries on by itself.
                Err(err) => {
                    tracing::warn!(error = %err, "JetStream pull hiccup");
                    None
                }
            };
            futures::future::ready(delivery)
        })))
    }

    async fn ready(&self) -> Result<(), BusError> {
        match self.client.connection_state() {
            async_nats::connection::State::Connected => Ok(()),
            state => Err(BusError::NotReady(format!("NATS connection {state:?}"))),
        }
    }

    async fn consumer_backlog(&self) -> Result<Vec<ConsumerBacklog>, BusError> {
        let durables = self
            .durables
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut backlog = Vec::with_capacity(durables.len());
        for (stream, durable) in durables {
            let info = self
                .jetstream
                .get_stream_no_info(&stream)
                .await
                .map_err(setup(format!("stream {stream}")))?
                .consumer_info(&durable)
                .await
                .map_err(setup(format!("consumer {durable}")))?;
            backlog.push(ConsumerBacklog {
                durable,
                pending: info.num_pending,
                ack_pending: info.num_ack_pending as u64,
                redelivered: info.num_redelivered as u64,
            });
        }
        Ok(backlog)
    }
}
