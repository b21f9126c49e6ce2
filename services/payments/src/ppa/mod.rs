//! Pre-authorised auto-pay (PPA): each day, every enrolled customer's due invoices are charged
//! off-session to their saved card, each attempt recorded before Stripe is called and under an
//! idempotency key of its own, so that a second run, a run resumed after a crash, or two replicas at
//! once never charge an invoice twice (docs/payments.md, "Auto-pay").

mod charge;
pub mod cli;
mod due;
mod enrolment;
mod notice;
mod plan;
pub mod schedule;
mod settings;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use shared::erpnext::FrappeClient;
use tokio::sync::Notify;
use utoipa::ToSchema;

pub use enrolment::{Choice, EnrolmentView};
pub use settings::PpaSettings;

pub(crate) use plan::settled_debit;

use crate::store::{Lease, Store};
use crate::stripe::StripeClient;

/// How a run runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The daily run: not again once the day's run finished.
    Scheduled,
    /// By hand (staff, the operator): again if asked, charging only what is left.
    Manual,
    /// Says what would be charged; charges and records nothing.
    DryRun,
}

/// Why a run did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Another process holds the day's lease (or, for the scheduler, the day ran already).
    #[error("the day's run is under way elsewhere, or done")]
    NotTaken,
    /// The lease ran out and another process took it: this run stops.
    #[error("the day's lease was lost")]
    LeaseLost,
    /// `STRIPE_SECRET_KEY` is not set.
    #[error("STRIPE_SECRET_KEY is not set")]
    NoStripe,
    /// The database does not answer.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// ERPNext does not answer: the due invoices cannot be read.
    #[error(transparent)]
    Erp(#[from] shared::erpnext::ErpError),
}

/// One invoice of a run: charged, declined, or (dry run) to be charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChargeLine {
    /// The ERPNext Customer.
    pub customer: String,
    /// The invoice.
    pub invoice: String,
    /// 1 to 3.
    pub attempt: i32,
    /// In cents.
    pub amount_cents: i64,
    /// `would_charge`, `succeeded`, `processing` (a bank debit), `soft_declined`, `hard_declined`, `needs_authentication`,
    /// `error` (left pending: the next run replays it).
    pub outcome: String,
}

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    /// The day, in Quebec.
    pub day: String,
    /// Nothing was charged.
    pub dry_run: bool,
    /// Enrolled customers looked at.
    pub customers: usize,
    /// Invoices charged (or to be).
    pub invoices: usize,
    /// Charges that succeeded.
    pub charged: usize,
    /// Bank debits made, to settle in a few days (`payment_intent.succeeded` books them).
    pub processing: usize,
    /// Declines tried again later.
    pub declined_soft: usize,
    /// Declines never tried again.
    pub declined_hard: usize,
    /// Charges the bank wants the customer for (a pay link was sent).
    pub needing_authentication: usize,
    /// Customers or charges that failed for another reason (the database or Stripe unavailable).
    pub errors: usize,
    /// Charged (or, dry, to be charged), in cents.
    pub amount_cents: i64,
    /// Each invoice.
    pub charges: Vec<ChargeLine>,
}

impl Summary {
    fn add(&mut self, line: ChargeLine) {
        self.invoices += 1;
        match line.outcome.as_str() {
            "succeeded" => self.charged += 1,
            "processing" => self.processing += 1,
            "soft_declined" => self.declined_soft += 1,
            "hard_declined" => self.declined_hard += 1,
            "needs_authentication" => self.needing_authentication += 1,
            "error" => self.errors += 1,
            _ => {}
        }
        if matches!(
            line.outcome.as_str(),
            "succeeded" | "processing" | "would_charge"
        ) {
            self.amount_cents += line.amount_cents;
        }
        self.charges.push(line);
    }
}

/// A run's progress, for the operator's progress bar.
#[derive(Debug)]
pub enum Step<'a> {
    /// This many customers are enrolled.
    Customers(usize),
    /// One customer done, with what became of their invoices.
    Customer(&'a str, &'a [ChargeLine]),
}

/// Runs auto-pay; cheap to clone.
#[derive(Clone)]
pub struct Runner {
    store: Store,
    erp: FrappeClient,
    stripe: Option<StripeClient>,
    pace: Arc<DefaultDirectRateLimiter>,
    lease_ttl: Duration,
    owner: String,
    portal_url: String,
    outbox_written: Arc<Notify>,
}

impl Runner {
    /// A runner over the service's store and clients; `outbox_written` wakes the relay.
    pub fn new(
        settings: &PpaSettings,
        store: Store,
        erp: FrappeClient,
        stripe: Option<StripeClient>,
        portal_url: &str,
        outbox_written: Arc<Notify>,
    ) -> Self {
        Self {
            store,
            erp,
            stripe,
            // No burst: an even pace, never more than the setting in any second.
            pace: Arc::new(RateLimiter::direct(
                Quota::per_second(settings.rate_per_s).allow_burst(NonZeroU32::MIN),
            )),
            lease_ttl: Duration::from_secs(settings.lease_seconds.into()),
            owner: format!("pid{}", std::process::id()),
            portal_url: portal_url.to_owned(),
            outbox_written,
        }
    }

    /// Runs `day`: each enrolled customer's due invoices, one after the other, Stripe's calls paced.
    pub async fn run(
        &self,
        day: NaiveDate,
        mode: Mode,
        report: &mut (dyn FnMut(Step<'_>) + Send),
    ) -> Result<Summary, RunError> {
        let mut lease = match mode {
            Mode::DryRun => None,
            _ => Some(self.take(day, mode).await?),
        };
        let enrolments = self.store.active_ppa_enrolments().await?;
        let due = due::by_customer(&self.erp, day).await?;
        report(Step::Customers(enrolments.len()));
        let mut summary = Summary {
            day: day.to_string(),
            dry_run: lease.is_none(),
            customers: enrolments.len(),
            ..Summary::default()
        };
        for enrolment in &enrolments {
            if let Some(held) = &mut lease {
                held.keep(&self.store).await?;
            }
            let invoices = due.get(&enrolment.customer).map_or(&[][..], Vec::as_slice);
            match self
                .customer(enrolment, invoices, day, lease.as_mut())
                .await
            {
                Ok(lines) => {
                    report(Step::Customer(&enrolment.customer, &lines));
                    lines.into_iter().for_each(|l| summary.add(l));
                }
                Err(e) => {
                    tracing::warn!(customer = %enrolment.customer, error = %e, "auto-pay skipped a customer");
                    summary.errors += 1;
                    report(Step::Customer(&enrolment.customer, &[]));
                }
            }
        }
        if let Some(held) = &lease {
            let json = serde_json::to_string(&summary).unwrap_or_default();
            self.store
                .finish_ppa_run(&held.lease, now_ms(), &json)
                .await?;
        }
        Ok(summary)
    }

    async fn take(&self, day: NaiveDate, mode: Mode) -> Result<Held, RunError> {
        if self.stripe.is_none() {
            return Err(RunError::NoStripe);
        }
        // One owner per run, so that a run stuck in this process cannot renew another's lease.
        let lease = Lease {
            day: day.to_string(),
            owner: format!("{}-{}", self.owner, uuid::Uuid::new_v4().simple()),
            ttl_ms: i64::try_from(self.lease_ttl.as_millis()).unwrap_or(i64::MAX),
        };
        match self
            .store
            .take_ppa_lease(&lease, now_ms(), mode == Mode::Manual)
            .await?
        {
            true => Ok(Held {
                lease,
                renewed: Instant::now(),
                every: self.lease_ttl / 3,
            }),
            false => Err(RunError::NotTaken),
        }
    }
}

/// A lease this process holds, renewed a third of the way through.
struct Held {
    lease: Lease,
    renewed: Instant,
    every: Duration,
}

impl Held {
    async fn keep(&mut self, store: &Store) -> Result<(), RunError> {
        if self.renewed.elapsed() < self.every {
            return Ok(());
        }
        if !store.renew_ppa_lease(&self.lease, now_ms()).await? {
            return Err(RunError::LeaseLost);
        }
        self.renewed = Instant::now();
        Ok(())
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
