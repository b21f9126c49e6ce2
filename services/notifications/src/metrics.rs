//! The notifications service's own metrics (docs/metrics.md, "notifications"): how deliveries end,
//! how the providers answer, and what waits. Labels are channels, outcomes and providers only.

use std::time::Instant;

use prometheus::{GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry};
use shared::metrics::{Gauges, age_seconds, register};

use crate::domain::SendError;
use crate::store::Store;

/// Upper bounds of the provider latency buckets: a relay answers in milliseconds, Twilio in
/// hundreds of them; both give up after tens of seconds.
const PROVIDER_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
const CHANNELS: [&str; 2] = ["email", "sms"];
const OUTCOMES: [&str; 5] = ["sent", "captured", "retried", "failed", "dead"];

/// How one attempt at a command ended.
#[derive(Debug, Clone, Copy)]
pub enum Outcome {
    /// Accepted by the provider.
    Sent,
    /// Kept in the sandbox outbox.
    Captured,
    /// Failed; it will be tried again.
    Retried,
    /// Refused for good by the provider; dead-lettered.
    Failed,
    /// Given up otherwise (out of attempts, or a command that can never go); dead-lettered.
    Dead,
}

/// The handles the consumer moves.
#[derive(Clone)]
pub struct NotifyMetrics {
    deliveries: IntCounterVec,
    provider_latency: HistogramVec,
    provider_errors: IntCounterVec,
    oldest_undelivered: GaugeVec,
    dead_letters: IntGauge,
}

impl NotifyMetrics {
    /// Registers the service's metrics in `r`.
    pub fn register(r: &Registry) -> prometheus::Result<Self> {
        let deliveries = register(
            r,
            IntCounterVec::new(
                Opts::new(
                    "notifications_deliveries_total",
                    "Attempts at a command, by channel and how they ended",
                ),
                &["channel", "outcome"],
            )?,
        )?;
        let provider_latency = register(
            r,
            HistogramVec::new(
                HistogramOpts::new(
                    "notifications_provider_request_duration_seconds",
                    "Time of one send to the provider",
                )
                .buckets(PROVIDER_BUCKETS.to_vec()),
                &["provider"],
            )?,
        )?;
        let provider_errors = register(
            r,
            IntCounterVec::new(
                Opts::new(
                    "notifications_provider_errors_total",
                    "Provider sends that failed, by kind",
                ),
                &["provider", "kind"],
            )?,
        )?;
        let oldest_undelivered = register(
            r,
            GaugeVec::new(
                Opts::new(
                    "notifications_oldest_undelivered_age_seconds",
                    "Age of the oldest command taken and not yet delivered",
                ),
                &["channel"],
            )?,
        )?;
        let dead_letters = register(
            r,
            IntGauge::new(
                "notifications_dead_letters_waiting",
                "Dead letters not yet replayed",
            )?,
        )?;
        // Every series shows from the start, at 0, so that rate() and the tests see the first event.
        for channel in CHANNELS {
            for outcome in OUTCOMES {
                deliveries.with_label_values(&[channel, outcome]);
            }
            oldest_undelivered.with_label_values(&[channel]);
        }
        Ok(Self {
            deliveries,
            provider_latency,
            provider_errors,
            oldest_undelivered,
            dead_letters,
        })
    }

    /// One attempt at a command of `channel` ended with `outcome`.
    pub fn delivery(&self, channel: &str, outcome: Outcome) {
        let outcome = match outcome {
            Outcome::Sent => "sent",
            Outcome::Captured => "captured",
            Outcome::Retried => "retried",
            Outcome::Failed => "failed",
            Outcome::Dead => "dead",
        };
        self.deliveries.with_label_values(&[channel, outcome]).inc();
    }

    /// One send to `provider` (`smtp`, `twilio`) that started at `started`.
    pub fn provider_call<T>(
        &self,
        provider: &str,
        started: Instant,
        result: &Result<T, SendError>,
    ) {
        self.provider_latency
            .with_label_values(&[provider])
            .observe(started.elapsed().as_secs_f64());
        if let Err(e) = result {
            let kind = match e {
                SendError::Temporary(_) => "temporary",
                SendError::Permanent(_) => "permanent",
                SendError::Unavailable(_) => "unavailable",
                SendError::Uncertain(_) => "uncertain",
            };
            self.provider_errors
                .with_label_values(&[provider, kind])
                .inc();
        }
    }

    /// The gauges read from the delivery log at every scrape.
    pub fn waiting(&self, store: Store) -> Waiting {
        Waiting {
            store,
            metrics: self.clone(),
        }
    }
}

/// `notifications_oldest_undelivered_age_seconds` and `notifications_dead_letters_waiting`.
pub struct Waiting {
    store: Store,
    metrics: NotifyMetrics,
}

#[async_trait::async_trait]
impl Gauges for Waiting {
    async fn refresh(&self) {
        match self.store.waiting().await {
            Ok(waiting) => {
                let now = crate::store::now_ms();
                for channel in CHANNELS {
                    let oldest = waiting.oldest_undelivered(channel);
                    let age = oldest.map_or(0.0, |t| age_seconds(t, now));
                    self.metrics
                        .oldest_undelivered
                        .with_label_values(&[channel])
                        .set(age);
                }
                self.metrics.dead_letters.set(waiting.dead_letters);
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the deliveries waiting for /metrics"),
        }
    }
}
