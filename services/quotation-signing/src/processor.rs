//! The inbox's worker: DocuSeal's events in the order they came, off the request path. Each moves
//! a quote's status (forward only) and is kept in its history; a signature also records the
//! acceptance and wakes the acceptor, which makes the Sales Order. The work here touches only our
//! database, so an event waits only while the database does not answer.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use shared::db::now_ms;

use crate::docuseal::Event;
use crate::metrics::QuoteMetrics;
use crate::status::Happening;
use crate::store::{Applied, Effects, Store, acceptance, docuseal_event};

/// Events taken per round.
const BATCH: u64 = 200;
/// How long a woken worker waits for the rest of a burst.
const GATHER: Duration = Duration::from_millis(100);
/// The pause after a full round.
const BURST_PAUSE: Duration = Duration::from_secs(1);

/// Applies DocuSeal's events to the quotes.
#[derive(Clone)]
pub struct Processor {
    /// The service's database.
    pub store: Store,
    /// What it counts.
    pub metrics: QuoteMetrics,
    /// Wakes the acceptor when a quote is signed.
    pub signed: Arc<Notify>,
}

impl Processor {
    /// Processes the inbox until the process ends: a round when `wake` fires (after a short
    /// pause that lets the rest of a burst gather: one commit marks a batch processed) or every
    /// second. After a full round a burst is under way: the next round waits a second, so that
    /// answering DocuSeal comes first and the inbox catches up after (`make bench`'s intake on
    /// PostgreSQL lost half its rate to the processing's writes without it; 200 events a second is
    /// far above what quotes bring).
    pub fn spawn(self, wake: Arc<Notify>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.round().await {
                    Ok(taken) if taken as u64 == BATCH => {
                        tokio::time::sleep(BURST_PAUSE).await;
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "the DocuSeal inbox cannot be read"),
                }
                if tokio::time::timeout(Duration::from_secs(1), wake.notified())
                    .await
                    .is_ok()
                {
                    tokio::time::sleep(GATHER).await;
                }
            }
        })
    }

    /// One round over the events due; how many were taken. The quotes they concern are read in
    /// one query and the events marked processed in one statement per outcome, so a burst of
    /// webhooks costs a few round trips per batch, not per event.
    pub async fn round(&self) -> Result<usize, sea_orm::DbErr> {
        let events = self.store.waiting_events(now_ms(), BATCH).await?;
        let envelopes: Vec<String> = events
            .iter()
            .filter_map(|e| e.envelope_id.clone())
            .collect();
        let quotes = self.store.quotations_of_envelopes(&envelopes).await?;
        let mut done: Vec<(String, &'static str)> = Vec::new();
        for row in &events {
            let quotation = row.envelope_id.as_ref().and_then(|e| quotes.get(e));
            match self.process(row, quotation.map(String::as_str)).await {
                Ok(outcome) => {
                    self.metrics.processed(outcome);
                    done.push((row.id.clone(), outcome));
                }
                Err(e) => {
                    self.metrics.processed("retried");
                    let wait = 1000 * 2_i64.pow(row.attempts.clamp(0, 10) as u32);
                    tracing::warn!(event = %row.id, error = %e, retry_in_ms = wait, "DocuSeal event to be tried again");
                    self.store
                        .event_failed(&row.id, &e.to_string(), now_ms() + wait)
                        .await?;
                }
            }
        }
        self.store.events_processed(&done, now_ms()).await?;
        Ok(events.len())
    }

    /// What `row` does to `quotation` (the quote its envelope belongs to, if any): `applied`,
    /// `unchanged`, `unknown_envelope` or `ignored`.
    #[tracing::instrument(skip_all, fields(event = %row.id))]
    async fn process(
        &self,
        row: &docuseal_event::Model,
        quotation: Option<&str>,
    ) -> Result<&'static str, sea_orm::DbErr> {
        let Ok(event) = Event::parse(row.payload.as_bytes()) else {
            return Ok("ignored");
        };
        let Some(what) = happening(&event.event_type) else {
            return Ok("ignored");
        };
        let Some(quotation) = quotation else {
            tracing::debug!(envelope = ?event.envelope_id, kind = %event.event_type,
                "DocuSeal event for an envelope of no quote of ours: recorded, nothing done");
            return Ok("unknown_envelope");
        };
        let signer = event.signer();
        let detail = match &signer.decline_reason {
            Some(reason) if what == Happening::Declined => {
                format!("{}: {reason}", event.event_type)
            }
            _ => event.event_type.clone(),
        };
        let effects = match what {
            Happening::Signed => Effects {
                acceptance: Some(acceptance::Model {
                    quotation: quotation.to_owned(),
                    method: "signature".to_owned(),
                    signer_name: signer.name.clone().unwrap_or_default(),
                    signer_email: signer.email.clone(),
                    signed_at: signer
                        .at
                        .as_deref()
                        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                        .map_or_else(now_ms, |t| t.timestamp_millis()),
                    ip: signer.ip.clone(),
                    user_agent: signer.user_agent.clone(),
                    audit_log_url: signer.audit_log_url.clone(),
                    document_url: signer.document_url.clone(),
                    envelope_id: event.envelope_id.clone(),
                }),
                ..Effects::default()
            },
            _ => Effects::default(),
        };
        let applied = self
            .store
            .apply(quotation, what, &detail, effects, now_ms())
            .await?;
        tracing::info!(quotation, kind = %event.event_type, ?applied, "DocuSeal event applied");
        Ok(match applied {
            Applied::Moved(_) => {
                if what == Happening::Signed {
                    self.signed.notify_one();
                }
                "applied"
            }
            Applied::Unchanged(_) => "unchanged",
            Applied::Unknown => "unknown_envelope",
        })
    }
}

/// What DocuSeal's `event_type` means for a quote; `None` for the others (`submission.created`,
/// `submission.completed`: the submitter's `form.completed` already said it).
fn happening(event_type: &str) -> Option<Happening> {
    Some(match event_type {
        "form.viewed" | "form.started" => Happening::Viewed,
        "form.completed" => Happening::Signed,
        "form.declined" => Happening::Declined,
        "submission.expired" => Happening::Expired,
        _ => return None,
    })
}
