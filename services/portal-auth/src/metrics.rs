//! portal-auth's own metrics (docs/metrics.md, "portal-auth"): the login funnel from the request of
//! a link to the sign-in. No label ever names a customer, an identifier or a code.

use prometheus::{IntCounter, IntCounterVec, IntGauge, Registry};
use shared::metrics::{Gauges, labelled_counter, register};

use crate::domain::mint::MintPurpose;
use crate::store::Store;

/// The handles the handlers and the link worker move.
#[derive(Clone)]
pub struct AuthMetrics {
    link_requests: IntCounterVec,
    lookups: IntCounterVec,
    links_sent: IntCounterVec,
    pub(crate) codes_verified: IntCounter,
    pub(crate) code_failures: IntCounter,
    pub(crate) code_failure_cap_reached: IntCounter,
    logins: IntCounterVec,
    revocations: IntCounterVec,
    pub(crate) impersonations: IntCounter,
    tokens_minted: IntCounterVec,
    jobs_pending: IntGauge,
}

/// How a link request ended at the door.
#[derive(Debug, Clone, Copy)]
pub enum LinkRequestOutcome {
    /// Queued for the link worker.
    Admitted,
    /// Refused: its client address (or IPv6 /64) is over its limit.
    LimitedByAddress,
    /// Refused: its identifier is over its limit.
    LimitedByIdentifier,
}

/// What the worker's ERPNext look-up of a queued request found.
#[derive(Debug, Clone, Copy)]
pub enum Lookup {
    /// At least one enabled customer.
    Matched,
    /// No customer: nothing is sent.
    Unmatched,
    /// ERPNext failed: tried again later.
    Failed,
}

/// How a customer signed in.
#[derive(Debug, Clone, Copy)]
pub enum LoginMethod {
    /// The portal confirmed a token it was opened with (email link or SMS short link).
    Link,
    /// A right code.
    Code,
}

fn counter(r: &Registry, name: &str, help: &str) -> prometheus::Result<IntCounter> {
    register(r, IntCounter::new(name, help)?)
}

impl AuthMetrics {
    /// Registers portal-auth's metrics in `registry`.
    pub fn register(r: &Registry) -> prometheus::Result<Self> {
        Ok(Self {
            link_requests: labelled_counter(
                r,
                "portal_auth_link_requests_total",
                "Link requests, by how the rate limits took them",
                "outcome",
                &["admitted", "limited_by_address", "limited_by_identifier"],
            )?,
            lookups: labelled_counter(
                r,
                "portal_auth_link_lookups_total",
                "ERPNext look-ups of queued link requests, by result",
                "result",
                &["matched", "unmatched", "failed"],
            )?,
            links_sent: labelled_counter(
                r,
                "portal_auth_links_sent_total",
                "Login messages (link and code) handed to notifications",
                "channel",
                &["email", "sms"],
            )?,
            codes_verified: counter(r, "portal_auth_codes_verified_total", "Codes typed right")?,
            code_failures: counter(
                r,
                "portal_auth_code_failures_total",
                "Typed codes refused as wrong, expired, used or unknown",
            )?,
            code_failure_cap_reached: counter(
                r,
                "portal_auth_code_failure_cap_reached_total",
                "Codes refused because the wrong codes reached CODE_FAILURES_PER_MINUTE",
            )?,
            logins: labelled_counter(
                r,
                "portal_auth_logins_total",
                "Customers signed in, by method",
                "method",
                &["link", "code"],
            )?,
            revocations: labelled_counter(
                r,
                "portal_auth_revocations_total",
                "Sign-outs: this token, or every token of the customer",
                "scope",
                &["token", "customer"],
            )?,
            impersonations: counter(
                r,
                "portal_auth_impersonations_total",
                "Staff tokens issued to act as a customer",
            )?,
            tokens_minted: labelled_counter(
                r,
                "portal_auth_tokens_minted_total",
                "Customer tokens minted for another service, by its purpose",
                "purpose",
                &MintPurpose::ALL.map(MintPurpose::as_str),
            )?,
            jobs_pending: register(
                r,
                IntGauge::new(
                    "portal_auth_link_jobs_pending",
                    "Link requests queued for the link worker",
                )?,
            )?,
        })
    }

    /// A link request taken or refused.
    pub fn link_request(&self, outcome: LinkRequestOutcome) {
        let label = match outcome {
            LinkRequestOutcome::Admitted => "admitted",
            LinkRequestOutcome::LimitedByAddress => "limited_by_address",
            LinkRequestOutcome::LimitedByIdentifier => "limited_by_identifier",
        };
        self.link_requests.with_label_values(&[label]).inc();
    }

    /// A queued request looked up.
    pub fn lookup(&self, lookup: Lookup) {
        let label = match lookup {
            Lookup::Matched => "matched",
            Lookup::Unmatched => "unmatched",
            Lookup::Failed => "failed",
        };
        self.lookups.with_label_values(&[label]).inc();
    }

    /// A login message handed to notifications on `channel` (`email` or `sms`).
    pub fn link_sent(&self, channel: &'static str) {
        self.links_sent.with_label_values(&[channel]).inc();
    }

    /// A customer signed in.
    pub fn login(&self, method: LoginMethod) {
        let label = match method {
            LoginMethod::Link => "link",
            LoginMethod::Code => "code",
        };
        self.logins.with_label_values(&[label]).inc();
    }

    /// A sign-out of one token, or of every token of the customer.
    pub fn revocation(&self, everywhere: bool) {
        let label = if everywhere { "customer" } else { "token" };
        self.revocations.with_label_values(&[label]).inc();
    }

    /// A customer token minted for another service.
    pub fn token_minted(&self, purpose: MintPurpose) {
        self.tokens_minted
            .with_label_values(&[purpose.as_str()])
            .inc();
    }

    /// Reads the link jobs waiting at every scrape.
    pub fn pending_jobs_gauge(&self, store: Store) -> PendingJobs {
        PendingJobs {
            store,
            gauge: self.jobs_pending.clone(),
        }
    }
}

/// `portal_auth_link_jobs_pending`: a queue that keeps growing means ERPNext is slow or down, or
/// `LINK_WORKER_ERP_RATE` is below the demand.
pub struct PendingJobs {
    store: Store,
    gauge: IntGauge,
}

#[async_trait::async_trait]
impl Gauges for PendingJobs {
    async fn refresh(&self) {
        match self.store.pending_jobs().await {
            Ok(n) => self.gauge.set(n),
            Err(e) => tracing::warn!(error = %e, "cannot count the link jobs waiting"),
        }
    }
}
