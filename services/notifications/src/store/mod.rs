//! The delivery log of the notifications service: one row per delivery command (keyed by the event
//! id, which makes redelivered events harmless), plus the shared outbox for `notify.dead`.

mod dead_letters;
mod migrations;
mod reads;
mod writes;

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Value};
use sea_orm_migration::MigratorTrait;

pub use dead_letters::{DeadLetterRow, Replay};
pub use migrations::Migrator;
pub use reads::{DeliveryRow, Waiting};
use writes::{ClaimRow, Write, Writes, Written};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Being sent by a worker holding the lease.
    Sending,
    /// Failed for now; will be retried.
    Retrying,
    /// Accepted by the provider.
    Sent,
    /// Kept in the sandbox outbox instead of being sent.
    Captured,
    /// Twilio reported it delivered.
    Delivered,
    /// Refused for good, or out of attempts; went to `notify.dead`.
    Dead,
    /// Twilio reported it undelivered or failed after acceptance.
    Undelivered,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sending => "sending",
            Self::Retrying => "retrying",
            Self::Sent => "sent",
            Self::Captured => "captured",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
            Self::Undelivered => "undelivered",
        }
    }
}

/// The database of the notifications service.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    // Claims and outcomes of concurrent deliveries share transactions and statements: SQLite
    // commits one writer at a time, and one commit per message capped the service at ~1,700
    // messages/s.
    writes: shared::db::GroupCommit<Writes>,
}

/// What a worker gets when it claims a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Ours to send; attempts made so far.
    Mine {
        /// Temporary failures so far.
        attempts: u32,
        /// The previous sender's lease ran out mid-send: the provider may already have the message.
        interrupted: bool,
    },
    /// Already done (sent, captured, dead): a redelivery, acknowledge it.
    Done,
    /// Another worker holds it until the lease ends.
    Busy,
}

/// A new delivery row.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    /// Envelope id.
    pub event_id: &'a str,
    /// `email` or `sms`.
    pub channel: &'a str,
    /// Address or number.
    pub recipient: &'a str,
    /// Template name.
    pub template: &'a str,
    /// ERPNext Customer, if any.
    pub customer: Option<&'a str>,
}

pub use shared::db::now_ms;
use shared::db::stmt;

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

impl Store {
    /// Connects and migrates.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let db = shared::db::connect(url).await?;
        Migrator::up(&db, None).await?;
        let writer = shared::db::connect_writer(url).await?;
        let writes = shared::db::GroupCommit::spawn(writer, Writes);
        Ok(Self { db, writes })
    }

    /// The connection (outbox relay, readiness).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Takes a delivery for sending, or says why not.
    pub async fn claim(&self, d: &NewDelivery<'_>, lease: Duration) -> Result<Claim, DbErr> {
        let row = ClaimRow {
            event_id: d.event_id.to_owned(),
            channel: d.channel.to_owned(),
            recipient: d.recipient.to_owned(),
            template: d.template.to_owned(),
            customer: d.customer.map(str::to_owned),
            lease_ms: i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 4),
        };
        match self.writes.execute(Write::Claim(row)).await? {
            Written::Claim(claim) => Ok(claim),
            Written::Done => Err(DbErr::Custom("a claim gave no verdict".into())),
        }
    }

    /// Records the end of an attempt (group-committed with other deliveries' writes).
    pub async fn record(&self, event_id: &str, outcome: &Finish<'_>) -> Result<(), DbErr> {
        let write = match outcome {
            Finish::Sent {
                provider_id,
                subject,
            } => Write::Sent {
                event_id: event_id.to_owned(),
                provider_id: (*provider_id).to_owned(),
                subject: subject.map(str::to_owned),
            },
            _ => Write::Other(finish_statement(
                self.db.get_database_backend(),
                event_id,
                outcome,
            )),
        };
        self.writes.execute(write).await.map(|_| ())
    }

    /// Records the end of an attempt inside the caller's transaction.
    pub async fn finish<C: ConnectionTrait>(
        db: &C,
        event_id: &str,
        outcome: &Finish<'_>,
    ) -> Result<(), DbErr> {
        db.execute_raw(finish_statement(
            db.get_database_backend(),
            event_id,
            outcome,
        ))
        .await?;
        Ok(())
    }

    /// Records a dead command that never got a row (malformed), so the log shows it. Returns
    /// `false` when the row was already there (a redelivery), so that it is not dead-lettered twice.
    pub async fn record_dead<C: ConnectionTrait>(
        db: &C,
        d: &NewDelivery<'_>,
        error: &str,
    ) -> Result<bool, DbErr> {
        let now = now_ms();
        let res = db.execute_raw(stmt(
            db.get_database_backend(),
            "INSERT INTO delivery (event_id, channel, recipient, status, attempts, lease_until, template, customer, error, created_at, updated_at) \
             VALUES ($1, $2, $3, 'dead', 0, 0, $4, $5, $6, $7, $7) ON CONFLICT (event_id) DO NOTHING",
            [
                d.event_id.into(),
                d.channel.into(),
                d.recipient.into(),
                d.template.into(),
                d.customer.map(str::to_owned).into(),
                error.into(),
                now.into(),
            ],
        ))
        .await?;
        Ok(res.rows_affected() > 0)
    }

    /// Applies a Twilio status callback; returns whether the message was known.
    pub async fn update_sms_status(
        &self,
        sid: &str,
        status: Status,
        error: Option<&str>,
    ) -> Result<bool, DbErr> {
        let res = self
            .db
            .execute_raw(stmt(
                self.db.get_database_backend(),
                SMS_STATUS,
                [
                    sid.into(),
                    status.as_str().into(),
                    error.map(str::to_owned).into(),
                    now_ms().into(),
                ],
            ))
            .await?;
        Ok(res.rows_affected() > 0)
    }
}

/// The UPDATE that records an attempt's outcome.
fn finish_statement(
    b: sea_orm::DbBackend,
    event_id: &str,
    outcome: &Finish<'_>,
) -> sea_orm::Statement {
    let now = now_ms();
    let (sql, values): (&str, Vec<Value>) = match outcome {
        Finish::Sent {
            provider_id,
            subject,
        } => (
            "UPDATE delivery SET status = 'sent', provider_id = $2, subject = $3, error = NULL, updated_at = $4 WHERE event_id = $1",
            vec![
                event_id.into(),
                (*provider_id).into(),
                subject.map(str::to_owned).into(),
                now.into(),
            ],
        ),
        Finish::Captured {
            subject,
            text,
            html,
            segments,
        } => (
            "UPDATE delivery SET status = 'captured', subject = $2, body_text = $3, body_html = $4, segments = $5, updated_at = $6 WHERE event_id = $1",
            vec![
                event_id.into(),
                subject.map(str::to_owned).into(),
                (*text).into(),
                html.map(str::to_owned).into(),
                segments.map(i64::from).into(),
                now.into(),
            ],
        ),
        Finish::Retry {
            error,
            count_attempt,
        } => (
            "UPDATE delivery SET status = 'retrying', attempts = attempts + $2, error = $3, lease_until = 0, updated_at = $4 WHERE event_id = $1",
            vec![
                event_id.into(),
                i64::from(*count_attempt).into(),
                (*error).into(),
                now.into(),
            ],
        ),
        Finish::Dead { error } => (
            "UPDATE delivery SET status = 'dead', attempts = attempts + 1, error = $2, updated_at = $3 WHERE event_id = $1",
            vec![event_id.into(), (*error).into(), now.into()],
        ),
        Finish::Uncertain { error } => (
            "UPDATE delivery SET error = $2, updated_at = $3 WHERE event_id = $1 AND status = 'sending'",
            vec![event_id.into(), (*error).into(), now.into()],
        ),
    };
    stmt(b, sql, values)
}

// Served by the partial index `delivery_provider_sms` (the literal `channel = 'sms'` matches its
// predicate, in a generic plan too).
const SMS_STATUS: &str = "UPDATE delivery SET status = $2, error = COALESCE($3, error), updated_at = $4 \
    WHERE provider_id = $1 AND channel = 'sms'";

/// How an attempt ended.
#[derive(Debug)]
pub enum Finish<'a> {
    /// Accepted by the provider.
    Sent {
        /// Message-ID or SID.
        provider_id: &'a str,
        /// Subject, for the log.
        subject: Option<&'a str>,
    },
    /// Kept in the sandbox outbox.
    Captured {
        /// Email subject.
        subject: Option<&'a str>,
        /// Text part or SMS body.
        text: &'a str,
        /// HTML part.
        html: Option<&'a str>,
        /// SMS segments.
        segments: Option<u32>,
    },
    /// Try again later; `count_attempt` is false for provider outages.
    Retry {
        /// Why.
        error: &'a str,
        /// Whether it uses up one of the message's attempts.
        count_attempt: bool,
    },
    /// Given up.
    Dead {
        /// Why.
        error: &'a str,
    },
    /// The provider's verdict was lost: the row stays `sending` (its lease runs out, then the next
    /// worker asks the provider's records before any resend), with why.
    Uncertain {
        /// Why.
        error: &'a str,
    },
}
