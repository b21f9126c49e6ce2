//! One reading from request to answer: the idempotency key looked up, the upload read now or
//! queued as a job, the result checked, ERPNext asked, the answer and its event recorded together.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use sha2::{Digest, Sha256};
use shared::events::{Envelope, InvoiceExtracted};
use shared::lang::Lang;
use tokio::sync::Notify;

use crate::equipment::Label;
use crate::erp::{Draft, Erp};
use crate::error::ApiError;
use crate::input::{Checked, Guard};
use crate::invoice::Invoice;
use crate::local::LocalError;
use crate::metrics::VisionMetrics;
use crate::read::{Provider, Readers, Reading};
use crate::store::{Begun, NewExtraction, Outcome, Store, extraction, state};
use crate::warning::{Warning, WarningCode};

mod answers;
mod jobs;

pub use answers::{Answer, EquipmentResult, InvoiceResult, Job};
use answers::{job_answer, replay};

/// What is asked of a reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A supplier invoice; `draft`: make a draft Purchase Invoice.
    Invoice { draft: bool },
    /// An equipment label.
    Equipment,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Invoice { .. } => "invoice",
            Self::Equipment => "equipment",
        }
    }

    fn of(row: &extraction::Model) -> Self {
        match row.kind.as_str() {
            "invoice" => Self::Invoice { draft: row.draft },
            _ => Self::Equipment,
        }
    }
}

/// A request for a reading.
#[derive(Debug, Clone)]
pub struct Ask {
    /// What to read.
    pub kind: Kind,
    /// `staff:<username>` or `tech:<technician>`.
    pub principal: String,
    /// The caller's `Idempotency-Key`.
    pub key: Option<String>,
    /// The caller's language.
    pub lang: Lang,
    /// Answer 202 at once and read it in a worker.
    pub as_job: bool,
}

/// The readings.
#[derive(Clone)]
pub struct Vision {
    /// The extractions.
    pub store: Store,
    /// The providers.
    pub readers: Readers,
    /// ERPNext.
    pub erp: Erp,
    /// The upload's guard (a job's upload is checked again when read).
    pub guard: Guard,
    /// Counters.
    pub metrics: VisionMetrics,
    /// Wakes the outbox relay.
    pub outbox_written: Arc<Notify>,
    /// Wakes the job workers.
    pub jobs: Arc<Notify>,
}

impl Vision {
    /// Answers `ask` for an upload that passed the guard.
    pub async fn submit(&self, ask: Ask, doc: Checked) -> Result<Answer, ApiError> {
        let new = NewExtraction {
            kind: ask.kind.name(),
            principal: ask.principal,
            key: ask.key,
            sha256: hex::encode(Sha256::digest(&doc.bytes)),
            media_type: doc.media.mime(),
            draft: matches!(ask.kind, Kind::Invoice { draft: true }),
            lang: ask.lang.as_str(),
            job_input: ask.as_job.then(|| doc.bytes.to_vec()),
        };
        match self.store.begin(new).await? {
            Begun::KeyReused => Err(ApiError::Key(
                "already used for another file or another kind of reading",
                ask.lang,
            )),
            Begun::InProgress => Err(ApiError::InProgress(ask.lang)),
            Begun::Replay(row) if ask.as_job => Ok(job_answer(&row, true)),
            Begun::Replay(row) => Ok(replay(&row)),
            Begun::Started(row) if ask.as_job => {
                self.jobs.notify_one();
                Ok(job_answer(&row, false))
            }
            Begun::Started(row) => self.read_now(&row, &doc).await,
        }
    }

    async fn read_now(&self, row: &extraction::Model, doc: &Checked) -> Result<Answer, ApiError> {
        let lang = lang(row);
        match self.read(row, doc).await {
            Ok(outcome) => {
                let answer = Answer {
                    status: outcome.0.status,
                    body: outcome.0.body.clone(),
                    replayed: false,
                    location: None,
                };
                self.record(&row.id, &outcome.0, &outcome.1).await?;
                Ok(answer)
            }
            Err(e) => {
                self.store.release(&row.id, 0).await?;
                Err(ApiError::NoReader(e.to_string(), lang))
            }
        }
    }

    async fn record(
        &self,
        id: &str,
        outcome: &Outcome,
        events: &[Envelope],
    ) -> Result<(), ApiError> {
        self.store.answer(id, outcome, events).await?;
        if !events.is_empty() {
            self.outbox_written.notify_one();
        }
        Ok(())
    }

    /// Reads `row`'s upload and builds its answer and events.
    async fn read(
        &self,
        row: &extraction::Model,
        doc: &Checked,
    ) -> Result<(Outcome, Vec<Envelope>), LocalError> {
        let started = Instant::now();
        let kind = Kind::of(row);
        let (body, provider, events) = match kind {
            Kind::Invoice { draft } => {
                let reading = self.readers.invoice(doc, lang(row)).await?;
                let result = self.invoice_result(row, reading, doc.pages, draft).await;
                let event = invoice_event(row, &result);
                (
                    to_json(&result),
                    result.provider,
                    event.into_iter().collect(),
                )
            }
            Kind::Equipment => {
                let reading = self.readers.label(doc, lang(row)).await?;
                let result = self.equipment_result(row, reading).await;
                (to_json(&result), result.provider, Vec::new())
            }
        };
        let seconds = started.elapsed().as_secs_f64();
        self.metrics
            .read(kind.name(), &provider.name, provider.fell_back, seconds);
        let outcome = Outcome {
            state: state::DONE,
            status: 200,
            body,
            provider: Some(if provider.name == "gemini" {
                "gemini"
            } else {
                "local"
            }),
        };
        Ok((outcome, events))
    }

    async fn invoice_result(
        &self,
        row: &extraction::Model,
        reading: Reading<Invoice>,
        pages: u32,
        draft: bool,
    ) -> InvoiceResult {
        let Reading {
            value: invoice,
            provider,
            mut warnings,
        } = reading;
        warnings.extend(invoice.warnings(lang(row)));
        let draft = match draft {
            true => self.draft(row, &invoice, &provider, &mut warnings).await,
            false => None,
        };
        InvoiceResult {
            id: row.id.clone(),
            provider,
            invoice,
            warnings,
            pages,
            draft,
        }
    }

    async fn draft(
        &self,
        row: &extraction::Model,
        invoice: &Invoice,
        provider: &Provider,
        warnings: &mut Vec<Warning>,
    ) -> Option<Draft> {
        let note = format!(
            "Lu par vision-ocr ({}), extraction {}",
            provider.name, row.id
        );
        let made = async {
            match self.erp.supplier(invoice).await? {
                Some(supplier) => self
                    .erp
                    .draft(invoice, supplier, &note, &provider.name)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
        .await;
        match made {
            Ok(Some(draft)) => Some(draft),
            Ok(None) => {
                warnings.push(Warning::new(
                    WarningCode::SupplierNotFound,
                    lang(row),
                    "Aucun fournisseur d'ERPNext n'a ce numéro de taxe ni ce nom : aucun brouillon créé.",
                    "No Supplier in ERPNext has this tax number or name: no draft was made.",
                ));
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "no draft Purchase Invoice: ERPNext failed");
                warnings.push(Warning::new(
                    WarningCode::ErpUnavailable,
                    lang(row),
                    "ERPNext n'a pas répondu : aucun brouillon créé.",
                    "ERPNext did not answer: no draft was made.",
                ));
                None
            }
        }
    }

    async fn equipment_result(
        &self,
        row: &extraction::Model,
        reading: Reading<Label>,
    ) -> EquipmentResult {
        let Reading {
            value: label,
            provider,
            mut warnings,
        } = reading;
        let equipment = match self.erp.equipment(&label).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = %e, "no Equipment lookup: ERPNext failed");
                warnings.push(Warning::new(
                    WarningCode::ErpUnavailable,
                    lang(row),
                    "ERPNext n'a pas répondu : l'équipement n'a pas été cherché.",
                    "ERPNext did not answer: the equipment was not looked up.",
                ));
                None
            }
        };
        EquipmentResult {
            id: row.id.clone(),
            provider,
            label,
            equipment,
            warnings,
        }
    }
}

/// The language of `row`'s answer.
fn lang(row: &extraction::Model) -> Lang {
    Lang::from_code(Some(&row.lang))
}
fn invoice_event(row: &extraction::Model, result: &InvoiceResult) -> Option<Envelope> {
    let inv = &result.invoice;
    let event = InvoiceExtracted {
        extraction: row.id.clone(),
        supplier: inv.supplier.clone(),
        invoice_number: inv.invoice_number.clone(),
        date: inv.date.map(|d| d.to_string()),
        total_cents: inv.total.map(|m| m.0),
        currency: inv.currency.clone(),
        provider: result.provider.name.clone(),
        warnings: u32::try_from(result.warnings.len()).unwrap_or(u32::MAX),
        purchase_invoice: result.draft.as_ref().map(|d| d.purchase_invoice.clone()),
        requested_by: row.principal.clone(),
    };
    Envelope::new("vision-ocr", &event)
        .map_err(|e| tracing::error!(error = %e, "cannot encode vision.invoice.extracted"))
        .ok()
}

pub(super) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned())
}
