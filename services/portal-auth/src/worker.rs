//! The link worker: takes queued link requests off the request path, looks the customers up in the
//! ERP, mints one token per customer and, in one transaction, stores its code and short link, writes
//! the email and SMS commands and the `portal.link.requested` fact to the outbox, and drops the job.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};
use shared::erpnext::{Customer, FrappeClient};
use shared::events::{EmailSend, Envelope, LinkRequested, SmsSend, outbox};
use tokio::sync::Notify;
use tracing::Instrument as _;

use crate::domain::identifier::Identifier;
use crate::domain::templates::{Lang, LoginMessage, render_email, render_sms};
use crate::lookup::{find_customers, recipients};
use crate::metrics::{AuthMetrics, Lookup};
use crate::store::{self, LinkJob, NewCode, Store, now_ms};
use crate::tokens::{CUSTOMER_TOKEN_TTL_S, Tokens};

/// The CloudEvents `source` of what portal-auth publishes.
pub(crate) const SOURCE: &str = "/portal-auth";
const CODE_TTL_MS: i64 = 15 * 60 * 1000;
const LEASE_MS: i64 = 60_000;
const MAX_ROUND: u32 = 64;
const LOOKUP_CONCURRENCY: usize = 8;
/// Login SMS allowed per phone number per [`SMS_CAP_WINDOW_MS`].
pub const SMS_CAP_PER_NUMBER: u32 = 10;
/// One day: the window of the SMS and email caps.
pub const SMS_CAP_WINDOW_MS: i64 = 24 * 3600 * 1000;
// A login link that arrives an hour late helps nobody; the job is then given up (and logged).
const GIVE_UP_AFTER_MS: i64 = 3600 * 1000;

/// What became of one job's lookup.
enum Outcome {
    /// The customers found (possibly none): send to each, drop the job.
    Send(Vec<CustomerMessages>),
    /// The ERP failed: try again later.
    Retry(String),
    /// Nothing to do any more: drop the job.
    Drop,
}

/// What the worker needs.
pub struct LinkWorker {
    pub(crate) store: Store,
    pub(crate) erp: FrappeClient,
    pub(crate) tokens: Arc<Tokens>,
    pub(crate) portal_url: String,
    pub(crate) public_url: String,
    pub(crate) sms_country_codes: Vec<String>,
    /// The key of the codes' hashes.
    pub(crate) code_key: crate::code_key::CodeKey,
    /// Login emails allowed per address per day (`EMAIL_CAP_PER_ADDRESS`).
    pub(crate) email_cap_per_address: u32,
    /// ERP lookups per second at most: ERPNext is the system of record, not a login cache, and a flood
    /// of link requests must not take it down. Jobs wait in the queue meanwhile.
    pub(crate) erp_lookups_per_s: u32,
    /// Woken by the request handler when it queued a job.
    pub(crate) jobs_queued: Arc<Notify>,
    /// Wakes the outbox relay after a commit.
    pub(crate) outbox_written: Arc<Notify>,
    pub(crate) metrics: AuthMetrics,
}

impl LinkWorker {
    /// Runs until `stop` turns true (or its sender is gone), pacing rounds to `erp_lookups_per_s`.
    /// A round under way when the stop comes is finished first (graceful shutdown): its customers
    /// get their links now rather than after the lease, from another replica.
    pub fn spawn(
        self,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let rate = f64::from(self.erp_lookups_per_s.max(1));
            loop {
                let outcome = self.run_once().await;
                let rest = async {
                    match outcome {
                        Ok(0) => {
                            let idle = Duration::from_millis(500);
                            let _ = tokio::time::timeout(idle, self.jobs_queued.notified()).await;
                        }
                        Ok(n) => tokio::time::sleep(Duration::from_secs_f64(n as f64 / rate)).await,
                        Err(e) => {
                            tracing::error!(error = %e, "link worker cannot use its queue; retrying");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                };
                tokio::select! {
                    _ = stop.wait_for(|stopping| *stopping) => break,
                    () = rest => {}
                }
            }
            tracing::info!("link worker stopped");
        })
    }

    /// Processes one round of due jobs: lookups in parallel (a few at a time), then every result in
    /// ONE write transaction; returns how many jobs it took.
    pub async fn run_once(&self) -> Result<usize, DbErr> {
        let round = i64::from(self.erp_lookups_per_s.clamp(1, MAX_ROUND));
        let jobs = self.store.claim_jobs(round, LEASE_MS, now_ms()).await?;
        if jobs.is_empty() {
            return Ok(0);
        }
        let spans: Vec<tracing::Span> = jobs.iter().map(job_span).collect();
        let lookups: Vec<_> = jobs
            .iter()
            .zip(&spans)
            .map(|(j, span)| self.look_up(j).instrument(span.clone()))
            .collect();
        let outcomes: Vec<Outcome> = futures::stream::iter(lookups)
            .buffered(LOOKUP_CONCURRENCY)
            .collect()
            .await;
        let txn = store::begin_write(self.store.connection()).await?;
        let mut sent = Vec::new();
        for ((job, outcome), span) in jobs.iter().zip(outcomes).zip(spans) {
            match outcome {
                Outcome::Retry(error) => {
                    let backoff = 1000 * 2_i64.pow(job.attempts.clamp(0, 6) as u32);
                    store::retry_job(&txn, &job.job.id, &error, now_ms() + backoff).await?;
                }
                Outcome::Drop => store::delete_job(&txn, &job.job.id).await?,
                // In the job's span: the envelopes written carry its trace context.
                Outcome::Send(messages) => {
                    sent.extend(self.send(&txn, job, messages).instrument(span).await?)
                }
            }
        }
        txn.commit().await?;
        self.outbox_written.notify_one();
        for channel in sent {
            self.metrics.link_sent(channel);
        }
        Ok(jobs.len())
    }

    #[tracing::instrument(skip_all, fields(job = %job.job.id, kind = %job.job.kind))]
    async fn look_up(&self, job: &LinkJob) -> Outcome {
        let Ok(identifier) = Identifier::parse(&job.job.identifier) else {
            tracing::warn!("queued identifier no longer parses; dropping the job");
            return Outcome::Drop;
        };
        let found = find_customers(&self.erp, &identifier).await;
        self.metrics.lookup(match &found {
            Ok(customers) if customers.is_empty() => Lookup::Unmatched,
            Ok(_) => Lookup::Matched,
            Err(_) => Lookup::Failed,
        });
        match found {
            Ok(customers) => Outcome::Send(
                customers
                    .iter()
                    .map(|c| self.messages_for(job, &identifier, c, customers.len() > 1))
                    .collect(),
            ),
            Err(e) if now_ms() - job.job.created_at > GIVE_UP_AFTER_MS => {
                tracing::error!(error = %e, attempts = job.attempts, "ERP unreachable for an hour; giving up this link request");
                Outcome::Drop
            }
            Err(e) => {
                tracing::warn!(error = %e, attempts = job.attempts, "ERP lookup failed; will retry");
                Outcome::Retry(e.to_string())
            }
        }
    }

    fn messages_for(
        &self,
        job: &LinkJob,
        identifier: &Identifier,
        c: &Customer,
        several: bool,
    ) -> CustomerMessages {
        let lang = Lang::from_code(c.language.as_deref().or(job.job.lang.as_deref()));
        let (email, phone) = recipients(c, identifier);
        let phone = phone.filter(|p| self.sms_allowed(p.as_str()));
        CustomerMessages {
            customer: c.clone(),
            lang,
            email,
            phone: phone.map(|p| p.as_str().to_owned()),
            show_account: several,
            code: six_digit_code(),
            short: shared::claims::random_token(12),
        }
    }

    /// SMS-pumping defence: at most `SMS_CAP_PER_NUMBER` login SMS per number per day, whatever
    /// identifier asked for them.
    async fn within_sms_cap<C: ConnectionTrait>(&self, db: &C, phone: &str) -> Result<bool, DbErr> {
        let key = format!("sms-day:{}", short_hash(phone));
        let decision =
            store::hit(db, &key, SMS_CAP_PER_NUMBER, now_ms(), SMS_CAP_WINDOW_MS).await?;
        Ok(decision == store::RateDecision::Admitted)
    }

    /// Inbox-flooding defence: at most `EMAIL_CAP_PER_ADDRESS` login emails per address per day,
    /// whatever identifier asked for them; counted in the database, so replicas share it.
    async fn within_email_cap<C: ConnectionTrait>(
        &self,
        db: &C,
        email: &str,
    ) -> Result<bool, DbErr> {
        let key = format!("email-day:{}", short_hash(&email.to_lowercase()));
        let decision = store::hit(
            db,
            &key,
            self.email_cap_per_address,
            now_ms(),
            SMS_CAP_WINDOW_MS,
        )
        .await?;
        Ok(decision == store::RateDecision::Admitted)
    }

    fn sms_allowed(&self, e164: &str) -> bool {
        self.sms_country_codes.iter().any(|cc| {
            e164.strip_prefix('+')
                .and_then(|n| n.strip_prefix(cc.as_str()))
                .is_some()
        })
    }

    /// Writes one job's codes, short links and messages, and drops the job, inside `txn`; returns
    /// the channel of each message written.
    async fn send(
        &self,
        txn: &DatabaseTransaction,
        job: &LinkJob,
        mut messages: Vec<CustomerMessages>,
    ) -> Result<Vec<&'static str>, DbErr> {
        for m in &mut messages {
            if let Some(phone) = &m.phone
                && !self.within_sms_cap(txn, phone).await?
            {
                tracing::warn!(phone_hash = %short_hash(phone), "daily SMS cap reached for this number; email only");
                m.phone = None;
            }
            if let Some(email) = &m.email
                && !self.within_email_cap(txn, email).await?
            {
                tracing::warn!(email_hash = %short_hash(email), "daily email cap reached for this address; no email");
                m.email = None;
            }
        }
        for m in &messages {
            let version = store::token_version(txn, &m.customer.name).await?;
            let claims = self.tokens.claims(
                &m.customer.name,
                &m.customer.customer_name,
                m.lang.as_str(),
                version,
                CUSTOMER_TOKEN_TTL_S,
                None,
            );
            let token = self
                .tokens
                .sign(&claims)
                .map_err(|e| DbErr::Custom(format!("signing failed: {e}")))?;
            let claims_json =
                serde_json::to_string(&claims).map_err(|e| DbErr::Custom(e.to_string()))?;
            store::insert_code(
                txn,
                &self.code_key,
                &NewCode {
                    id: uuid::Uuid::now_v7().to_string(),
                    identifier_key: job.job.identifier_key.clone(),
                    customer: m.customer.name.clone(),
                    code: m.code.clone(),
                    claims: claims_json.clone(),
                    expires_at: now_ms() + CODE_TTL_MS,
                },
            )
            .await?;
            store::insert_short_link(txn, &m.short, &claims_json, claims.exp * 1000).await?;
            if m.email.is_some() {
                store::code_budget::lift_lockout(txn, &m.customer.name, now_ms()).await?;
            }
            for envelope in self.envelopes(m, &token)? {
                outbox::enqueue(txn, &envelope).await?;
            }
            tracing::info!(customer_hash = %short_hash(&m.customer.name), email = m.email.is_some(), sms = m.phone.is_some(), "login link queued");
        }
        store::delete_job(txn, &job.job.id).await?;
        let email = messages
            .iter()
            .filter(|m| m.email.is_some())
            .map(|_| "email");
        let sms = messages.iter().filter(|m| m.phone.is_some()).map(|_| "sms");
        Ok(email.chain(sms).collect())
    }

    fn envelopes(&self, m: &CustomerMessages, token: &str) -> Result<Vec<Envelope>, DbErr> {
        let link_url = format!("{}/#/?token={token}", self.portal_url);
        let short_url = format!("{}/portal/l/{}", self.public_url, m.short);
        let message = LoginMessage {
            customer_name: &m.customer.customer_name,
            account: &m.customer.name,
            show_account: m.show_account,
            link_url: &link_url,
            short_url: &short_url,
            code: &m.code,
            lang: m.lang,
        };
        let mut channels = Vec::new();
        let mut out = Vec::new();
        let json_err = |e: serde_json::Error| DbErr::Custom(e.to_string());
        if let Some(to) = &m.email {
            let r = render_email(&message);
            out.push(
                Envelope::new(
                    SOURCE,
                    &EmailSend {
                        to: to.clone(),
                        to_name: Some(m.customer.customer_name.clone()),
                        subject: r.subject,
                        text: r.text,
                        html: r.html,
                        reply_to: None,
                        lang: m.lang.as_str().to_owned(),
                        template: "portal.magic_link".to_owned(),
                        customer: Some(m.customer.name.clone()),
                        attachments: Vec::new(),
                    },
                )
                .map_err(json_err)?,
            );
            channels.push("email".to_owned());
        }
        if let Some(to) = &m.phone {
            out.push(
                Envelope::new(
                    SOURCE,
                    &SmsSend {
                        to: to.clone(),
                        body: render_sms(&message),
                        template: "portal.magic_link".to_owned(),
                        customer: Some(m.customer.name.clone()),
                    },
                )
                .map_err(json_err)?,
            );
            channels.push("sms".to_owned());
        }
        out.push(
            Envelope::new(
                SOURCE,
                &LinkRequested {
                    customer: m.customer.name.clone(),
                    channels,
                    lang: m.lang.as_str().to_owned(),
                },
            )
            .map_err(json_err)?,
        );
        Ok(out)
    }
}

/// The span of one job's lookup and writes, continuing the trace of the request that queued it.
fn job_span(job: &LinkJob) -> tracing::Span {
    let span = tracing::info_span!(
        parent: None,
        "link job",
        job = %job.job.id,
        kind = %job.job.kind,
        attempt = job.attempts + 1,
        trace_id = tracing::field::Empty,
    );
    shared::telemetry::continue_trace(&span, job.job.traceparent.as_deref());
    span
}

struct CustomerMessages {
    customer: Customer,
    lang: Lang,
    email: Option<String>,
    phone: Option<String>,
    show_account: bool,
    code: String,
    short: String,
}

/// A uniformly random 6-digit code.
fn six_digit_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// A short, non-reversible tag for logs (never the raw identifier).
pub fn short_hash(s: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(s.as_bytes())[..6])
}
