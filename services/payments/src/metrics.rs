//! payments' own metrics (docs/metrics.md, "payments"): Stripe's events from the webhook to the
//! booking, checkouts, refunds, links and the repair. No label ever names a customer or an invoice.

use prometheus::{IntCounter, IntCounterVec, IntGauge, Registry};
use shared::metrics::{Gauges, labelled_counter, register};

use crate::store::Store;

/// The handles the routes and the processor move.
#[derive(Clone)]
pub struct PayMetrics {
    webhook_events: IntCounterVec,
    events_processed: IntCounterVec,
    checkouts: IntCounterVec,
    refunds: IntCounterVec,
    pub(crate) links_sent: IntCounter,
    pub(crate) repaired: IntCounter,
    inbox_waiting: IntGauge,
    inbox_oldest_age: IntGauge,
}

/// What became of a webhook.
#[derive(Debug, Clone, Copy)]
pub enum Intake {
    /// Recorded for the first time.
    Recorded,
    /// Recorded before (Stripe delivers at least once).
    Duplicate,
    /// Bad signature, stale, or not an event.
    Refused,
}

/// What became of a processed event.
#[derive(Debug, Clone, Copy)]
pub enum Processed {
    /// A payment booked in ERPNext.
    Booked,
    /// Nothing to book (another type, or booked before).
    Done,
    /// To be tried again (ERPNext or Stripe down).
    Retried,
    /// Money that could not be booked by itself: a person must look (the log says why).
    NeedsAPerson,
}

impl PayMetrics {
    /// Registers payments' metrics in `r`.
    pub fn register(r: &Registry) -> prometheus::Result<Self> {
        Ok(Self {
            webhook_events: labelled_counter(
                r,
                "payments_webhook_events_total",
                "Stripe webhooks, by what became of them",
                "outcome",
                &["recorded", "duplicate", "refused"],
            )?,
            events_processed: labelled_counter(
                r,
                "payments_events_processed_total",
                "Stripe events processed, by result",
                "result",
                &["booked", "done", "retried", "needs_a_person"],
            )?,
            checkouts: labelled_counter(
                r,
                "payments_checkouts_total",
                "Checkout Sessions made, by what they pay",
                "kind",
                &["invoice", "balance", "setup"],
            )?,
            refunds: labelled_counter(
                r,
                "payments_refunds_total",
                "Refunds asked of Stripe, by outcome",
                "outcome",
                &["succeeded", "refused"],
            )?,
            links_sent: register(
                r,
                IntCounter::new("payments_links_sent_total", "Payment links sent by staff")?,
            )?,
            repaired: register(
                r,
                IntCounter::new(
                    "payments_repaired_total",
                    "Payments the repair booked because their events never came or failed",
                )?,
            )?,
            inbox_waiting: register(
                r,
                IntGauge::new(
                    "payments_inbox_events_waiting",
                    "Stripe events recorded and not yet processed",
                )?,
            )?,
            inbox_oldest_age: register(
                r,
                IntGauge::new(
                    "payments_inbox_oldest_event_age_seconds",
                    "Age of the oldest Stripe event waiting to be processed (0 when none)",
                )?,
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

    /// Counts a processed event.
    pub fn processed(&self, result: Processed) {
        let result = match result {
            Processed::Booked => "booked",
            Processed::Done => "done",
            Processed::Retried => "retried",
            Processed::NeedsAPerson => "needs_a_person",
        };
        self.events_processed.with_label_values(&[result]).inc();
    }

    /// Counts a Checkout Session of `kind` (`invoice`, `balance`, `setup`).
    pub fn checkout(&self, kind: &str) {
        self.checkouts.with_label_values(&[kind]).inc();
    }

    /// Counts a refund that `succeeded` or was refused.
    pub fn refund(&self, succeeded: bool) {
        let outcome = if succeeded { "succeeded" } else { "refused" };
        self.refunds.with_label_values(&[outcome]).inc();
    }

    /// The inbox's gauges, read at each scrape.
    pub fn inbox_gauges(&self, store: Store) -> InboxGauges {
        InboxGauges {
            store,
            waiting: self.inbox_waiting.clone(),
            oldest_age: self.inbox_oldest_age.clone(),
        }
    }
}

/// `payments_inbox_events_waiting` and `payments_inbox_oldest_event_age_seconds`: an inbox that
/// grows or ages means ERPNext or Stripe is down, or an event fails again and again.
pub struct InboxGauges {
    store: Store,
    waiting: IntGauge,
    oldest_age: IntGauge,
}

#[async_trait::async_trait]
impl Gauges for InboxGauges {
    async fn refresh(&self) {
        match self.store.inbox_backlog().await {
            Ok((waiting, oldest_ms)) => {
                let now = chrono::Utc::now().timestamp_millis();
                self.waiting.set(waiting);
                self.oldest_age
                    .set(oldest_ms.map_or(0, |t| (now - t).max(0) / 1000));
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the Stripe inbox's backlog"),
        }
    }
}
