//! One reading from request to answer: the idempotency key looked up, the upload read now or
//! queued as a job, the result checked, ERPNext asked, the answer and its event recorded together.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use shared::events::{Envelope, InvoiceExtracted};
use shared::lang::Lang;
use tokio::sync::Notify;
use utoipa::ToSchema;

use crate::equipment::Label;
use crate::erp::{Draft, EquipmentMatch, Erp};
use crate::error::ApiError;
use crate::input::{Checked, Guard};
use crate::invoice::Invoice;
use crate::local::LocalError;
use crate::metrics::VisionMetrics;
use crate::read::{Provider, Readers, Reading};
use crate::store::{Begun, NewExtraction, Outcome, Store, extraction, state};
use crate::warning::{Warning, WarningCode};

/// Attempts of a job before it is given up.
const JOB_ATTEMPTS: i32 = 5;

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

/// What an invoice read gives.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = VisionInvoiceResult)]
pub struct InvoiceResult {
    /// The extraction (`GET /vision/jobs/{id}` shows it again).
    pub id: String,
    /// Who read it.
    pub provider: Provider,
    /// What was read.
    pub invoice: Invoice,
    /// What a person should check.
    pub warnings: Vec<Warning>,
    /// Pages read.
    pub pages: u32,
    /// The draft Purchase Invoice, when asked for and made (or found).
    pub draft: Option<Draft>,
}

/// What a label read gives.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = VisionEquipmentResult)]
pub struct EquipmentResult {
    /// The extraction.
    pub id: String,
    /// Who read its text (its codes are always decoded locally).
    pub provider: Provider,
    /// What was read.
    pub label: Label,
    /// The Equipment it belongs to, if ERPNext knows it.
    pub equipment: Option<EquipmentMatch>,
    /// What a person should check.
    pub warnings: Vec<Warning>,
}

/// A job, as `GET /vision/jobs/{id}` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = VisionJob)]
pub struct Job {
    /// The extraction.
    pub id: String,
    /// `invoice` or `equipment`.
    pub kind: String,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// When it was asked for (RFC 3339).
    pub created_at: String,
    /// The answer's status, once there is one.
    pub status: Option<u16>,
    /// The result (an `InvoiceResult` or an `EquipmentResult`) or the problem, once there is one.
    #[schema(value_type = Option<Object>)]
    pub answer: Option<Value>,
}

/// An HTTP answer, stored to be replayed.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Its status.
    pub status: u16,
    /// Its JSON body.
    pub body: String,
    /// Given before to the same key.
    pub replayed: bool,
    /// A job's URL (202).
    pub location: Option<String>,
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

    /// The job worker: reads waiting jobs one at a time until the process ends.
    pub fn spawn_worker(self) {
        tokio::spawn(async move {
            loop {
                match self.store.claim_job().await {
                    Ok(Some(row)) => self.run_job(row).await,
                    Ok(None) => {
                        let _ = tokio::time::timeout(Duration::from_secs(1), self.jobs.notified())
                            .await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot claim a vision job");
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                }
            }
        });
    }

    async fn run_job(&self, row: extraction::Model) {
        let bytes = bytes::Bytes::from(row.input.clone().unwrap_or_default());
        let images_only = Kind::of(&row) == Kind::Equipment;
        let result = match self.guard.check(bytes, images_only).await {
            Ok(doc) => self.read(&row, &doc).await,
            Err(refused) => Ok((
                refusal_outcome(ApiError::Upload(refused, lang(&row))),
                Vec::new(),
            )),
        };
        let written = match result {
            Ok((outcome, events)) => self.record(&row.id, &outcome, &events).await,
            Err(e) if row.attempts >= JOB_ATTEMPTS => {
                tracing::error!(error = %e, "a vision job is given up after {JOB_ATTEMPTS} attempts");
                self.metrics.refused("VIS_12");
                let outcome = refusal_outcome(ApiError::NoReader(e.to_string(), lang(&row)));
                self.record(
                    &row.id,
                    &Outcome {
                        state: state::FAILED,
                        ..outcome
                    },
                    &[],
                )
                .await
            }
            Err(e) => {
                tracing::warn!(error = %e, attempt = row.attempts, "a vision job will be tried again");
                let pause = 5_000 * 2_i64.pow(u32::try_from(row.attempts).unwrap_or(0).min(6));
                self.store
                    .release(&row.id, shared::db::now_ms() + pause)
                    .await
                    .map_err(ApiError::from)
            }
        };
        if let Err(e) = written {
            tracing::warn!(error = %e, "a vision job's answer could not be recorded");
        }
    }

    /// Job `id`, when `principal` may see it (`None` for staff: every job).
    pub async fn job(&self, id: &str, principal: Option<&str>) -> Result<Option<Job>, ApiError> {
        let row = self.store.get(id).await?;
        Ok(row
            .filter(|r| principal.is_none_or(|p| p == r.principal))
            .map(|r| job(&r)))
    }
}

/// The language of `row`'s answer.
fn lang(row: &extraction::Model) -> Lang {
    Lang::from_code(Some(&row.lang))
}

fn refusal_outcome(error: ApiError) -> Outcome {
    let problem = error.problem();
    Outcome {
        state: state::DONE,
        status: problem.status,
        body: to_json(&problem),
        provider: None,
    }
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

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned())
}

fn replay(row: &extraction::Model) -> Answer {
    Answer {
        status: row
            .status
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(200),
        body: row.body.clone().unwrap_or_default(),
        replayed: true,
        location: None,
    }
}

fn job_answer(row: &extraction::Model, replayed: bool) -> Answer {
    Answer {
        status: 202,
        body: to_json(&job(row)),
        replayed,
        location: Some(format!("/vision/jobs/{}", row.id)),
    }
}

fn job(row: &extraction::Model) -> Job {
    Job {
        id: row.id.clone(),
        kind: row.kind.clone(),
        state: row.state.clone(),
        created_at: chrono::DateTime::from_timestamp_millis(row.created_at)
            .unwrap_or_default()
            .to_rfc3339(),
        status: row.status.and_then(|s| u16::try_from(s).ok()),
        answer: row
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok()),
    }
}
