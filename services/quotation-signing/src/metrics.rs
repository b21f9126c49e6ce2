//! quotation-signing's own metrics (docs/metrics.md, "quotation-signing"): DocuSeal's webhooks from
//! intake to processing, quotes sent and accepted, and what waits. No label names a customer or a
//! quotation.

use prometheus::{IntCounterVec, IntGauge, Registry};
use shared::metrics::{Gauges, labelled_counter, register};

use crate::store::Store;

/// The handles the routes and the workers move.
#[derive(Clone)]
pub struct QuoteMetrics {
    webhook_events: IntCounterVec,
    events_processed: IntCounterVec,
    sent: IntCounterVec,
    accepted: IntCounterVec,
    inbox_waiting: IntGauge,
    inbox_oldest_age: IntGauge,
    signed_waiting: IntGauge,
    acceptance_failing: IntGauge,
}

/// What became of a webhook.
#[derive(Debug, Clone, Copy)]
pub enum Intake {
    /// Recorded for the first time.
    Recorded,
    /// Recorded before (DocuSeal redelivers).
    Duplicate,
    /// Wrong or missing secret, or not an event.
    Refused,
}

impl QuoteMetrics {
    /// Registers the metrics in `r`.
    pub fn register(r: &Registry) -> prometheus::Result<Self> {
        let gauge = |name: &str, help: &str| register(r, IntGauge::new(name, help)?);
        Ok(Self {
            webhook_events: labelled_counter(
                r,
                "quotes_webhook_events_total",
                "DocuSeal webhooks, by what became of them",
                "outcome",
                &["recorded", "duplicate", "refused"],
            )?,
            events_processed: labelled_counter(
                r,
                "quotes_events_processed_total",
                "DocuSeal events processed, by result",
                "result",
                &[
                    "applied",
                    "unchanged",
                    "unknown_envelope",
                    "ignored",
                    "retried",
                ],
            )?,
            sent: labelled_counter(
                r,
                "quotes_sent_total",
                "Quotes sent to customers, by how they accept",
                "type",
                &["signature", "click"],
            )?,
            accepted: labelled_counter(
                r,
                "quotes_accepted_total",
                "Quotes accepted in ERPNext (Sales Order made), by how the customer accepted",
                "method",
                &["signature", "click"],
            )?,
            inbox_waiting: gauge(
                "quotes_inbox_events_waiting",
                "DocuSeal events recorded and not yet processed",
            )?,
            inbox_oldest_age: gauge(
                "quotes_inbox_oldest_event_age_seconds",
                "Age of the oldest DocuSeal event waiting to be processed (0 when none)",
            )?,
            signed_waiting: gauge(
                "quotes_signed_waiting",
                "Quotes signed or clicked whose Sales Order is not made yet",
            )?,
            acceptance_failing: gauge(
                "quotes_acceptance_failing",
                "Signed quotes whose acceptance in ERPNext failed at least once",
            )?,
        })
    }

    /// Counts a webhook.
    pub fn webhook(&self, intake: Intake) {
        let outcome = match intake {
            Intake::Recorded => "recorded",
            Intake::Duplicate => "duplicate",
            Intake::Refused => "refused",
        };
        self.webhook_events.with_label_values(&[outcome]).inc();
    }

    /// Counts a processed event by `result` (`applied`, `unchanged`, `unknown_envelope`,
    /// `ignored`, `retried`).
    pub fn processed(&self, result: &str) {
        self.events_processed.with_label_values(&[result]).inc();
    }

    /// Counts a quote sent as `quote_type`.
    pub fn sent(&self, quote_type: &str) {
        self.sent.with_label_values(&[quote_type]).inc();
    }

    /// Counts a quote accepted by `method`.
    pub fn accepted(&self, method: &str) {
        self.accepted.with_label_values(&[method]).inc();
    }

    /// The gauges, read at each scrape.
    pub fn backlog_gauges(&self, store: Store) -> BacklogGauges {
        BacklogGauges {
            store,
            metrics: self.clone(),
        }
    }
}

/// The inbox's and the acceptor's backlogs: growing or ageing means ERPNext is down, or an event
/// or a quote fails again and again.
pub struct BacklogGauges {
    store: Store,
    metrics: QuoteMetrics,
}

#[async_trait::async_trait]
impl Gauges for BacklogGauges {
    async fn refresh(&self) {
        let m = &self.metrics;
        match self.store.inbox_backlog().await {
            Ok((waiting, oldest_ms)) => {
                let now = chrono::Utc::now().timestamp_millis();
                m.inbox_waiting
                    .set(i64::try_from(waiting).unwrap_or(i64::MAX));
                m.inbox_oldest_age
                    .set(oldest_ms.map_or(0, |t| (now - t).max(0) / 1000));
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the DocuSeal inbox's backlog"),
        }
        match self.store.signed_backlog().await {
            Ok((waiting, failing)) => {
                m.signed_waiting
                    .set(i64::try_from(waiting).unwrap_or(i64::MAX));
                m.acceptance_failing
                    .set(i64::try_from(failing).unwrap_or(i64::MAX));
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the signed quotes' backlog"),
        }
    }
}
