//! The outbox relay: publishes committed outbox rows on the bus, in order, never dropping one.

use crate::cli::error_chain;
use std::{sync::Arc, time::Duration};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType},
};
use tokio::{sync::Notify, task::JoinHandle};
use tracing::Instrument as _;

use super::{
    BusError, Envelope, EventBus,
    outbox::entity::{Column, Entity, Model},
};

/// Rows claimed per round.
const DEFAULT_BATCH_SIZE: u64 = 200;
/// Wake-up period when nobody notifies (rows written by another replica, missed notifications).
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// First and longest pause after a failed round.
const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// `last_error` is for operators; keep it short.
const MAX_ERROR_LEN: usize = 1000;

/// Why a relay round stopped early; the rows stay in the outbox and are retried.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The database failed.
    #[error("outbox database error")]
    Db(#[from] DbErr),
    /// The bus refused an event; it stays at the head of the outbox.
    #[error("bus refused outbox row {seq}")]
    Bus {
        /// The row that failed.
        seq: i64,
        /// Why.
        #[source]
        source: BusError,
    },
}

/// Publishes outbox rows on the bus and deletes each once the bus accepted it.
pub struct OutboxRelay {
    db: DatabaseConnection,
    bus: Arc<dyn EventBus>,
    notify: Arc<Notify>,
    batch_size: u64,
    counters: Option<crate::metrics::OutboxCounters>,
}

struct Round {
    published: usize,
    full: bool,
}

impl OutboxRelay {
    /// A relay over `db`'s `outbox` table publishing on `bus`.
    pub fn new(db: DatabaseConnection, bus: Arc<dyn EventBus>) -> Self {
        Self {
            db,
            bus,
            notify: Arc::new(Notify::new()),
            batch_size: DEFAULT_BATCH_SIZE,
            counters: None,
        }
    }

    /// Counts what it publishes and the rounds the bus stops (`outbox_*_total` on /metrics).
    pub fn with_counters(mut self, counters: crate::metrics::OutboxCounters) -> Self {
        self.counters = Some(counters);
        self
    }

    /// Sets how many rows one round claims (default 200).
    pub fn with_batch_size(mut self, batch_size: u64) -> Self {
        self.batch_size = Ord::max(batch_size, 1);
        self
    }

    /// Call `notify_one()` on it after committing outbox rows, so the relay wakes at once.
    pub fn notifier(&self) -> Arc<Notify> {
        Arc::clone(&self.notify)
    }

    /// Runs the relay until the task is aborted: drains on notification or every 500 ms, and
    /// backs off (up to 5 s) after a failure, retrying forever.
    pub fn spawn(self) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut backoff = INITIAL_BACKOFF;
            loop {
                match self.drain_once().await {
                    Ok(_) => {
                        backoff = INITIAL_BACKOFF;
                        let _ = tokio::time::timeout(POLL_INTERVAL, self.notify.notified()).await;
                    }
                    Err(err) => {
                        tracing::warn!(error = %error_chain(&err), retry_in_ms = backoff.as_millis() as u64, "outbox relay round failed");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                    }
                }
            }
        })
    }

    /// Publishes everything pending, in `seq` order; returns how many events were published.
    pub async fn drain_once(&self) -> Result<usize, RelayError> {
        let mut total = 0;
        loop {
            let round = match self.db.get_database_backend() {
                DatabaseBackend::Postgres => self.claimed_round().await?,
                _ => self.round(&self.db, false).await?,
            };
            total += round.published;
            if !round.full {
                return Ok(total);
            }
        }
    }

    /// PostgreSQL: rows are locked with `FOR UPDATE SKIP LOCKED` until the round commits, so
    /// replicas sharing the table never publish the same row at the same time.
    async fn claimed_round(&self) -> Result<Round, RelayError> {
        let txn = self.db.begin().await?;
        let result = self.round(&txn, true).await;
        // Commit even after a bus failure: it records attempts and deletes what was published.
        txn.commit().await?;
        result
    }

    async fn round<C: ConnectionTrait>(&self, conn: &C, lock: bool) -> Result<Round, RelayError> {
        let mut query = Entity::find()
            .order_by_asc(Column::Seq)
            .limit(self.batch_size);
        if lock {
            query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let rows = query.all(conn).await?;
        let claimed = rows.len();
        let mut published = Vec::with_capacity(claimed);
        let mut failure = None;
        for row in rows {
            match self.publish_row(&row).await {
                Ok(()) => published.push(row.seq),
                Err(PublishFailure::Corrupt(message)) => {
                    record_failure(conn, row.seq, &message).await?
                }
                Err(PublishFailure::Bus(err)) => {
                    record_failure(conn, row.seq, &error_chain(&err)).await?;
                    // Stop here: publishing later rows now would break the order.
                    failure = Some(RelayError::Bus {
                        seq: row.seq,
                        source: err,
                    });
                    break;
                }
            }
        }
        let count = published.len();
        if let Some(counters) = &self.counters {
            counters.published.inc_by(count as u64);
            if failure.is_some() {
                counters.errors.inc();
            }
        }
        if !published.is_empty() {
            Entity::delete_many()
                .filter(Column::Seq.is_in(published))
                .exec(conn)
                .await?;
        }
        match failure {
            Some(err) => Err(err),
            None => Ok(Round {
                published: count,
                full: count as u64 == self.batch_size,
            }),
        }
    }

    async fn publish_row(&self, row: &Model) -> Result<(), PublishFailure> {
        let mut envelope = Envelope::from_bytes(row.payload.as_bytes()).map_err(|err| {
            // A row nobody can read would block the outbox forever: leave it for an operator.
            tracing::error!(seq = row.seq, subject = %row.subject, error = %err, "unreadable outbox row skipped");
            PublishFailure::Corrupt(format!("unreadable envelope: {err}"))
        })?;
        let span = publish_span(&envelope);
        // Consumers continue from this publish, itself a child of whatever wrote the event.
        if let Some(own) = crate::telemetry::traceparent(&span) {
            envelope.traceparent = Some(own);
        }
        self.bus
            .publish(&envelope)
            .instrument(span)
            .await
            .map_err(PublishFailure::Bus)
    }
}

/// The producer span of one event's publish, a child of the span that wrote the event.
fn publish_span(envelope: &Envelope) -> tracing::Span {
    let span = tracing::info_span!(
        parent: None,
        "outbox publish",
        otel.name = %format_args!("publish {}", envelope.subject),
        otel.kind = "producer",
        messaging.destination.name = %envelope.subject,
        messaging.message.id = %envelope.id,
        trace_id = tracing::field::Empty,
    );
    crate::telemetry::continue_trace(&span, envelope.traceparent.as_deref());
    span
}

enum PublishFailure {
    Corrupt(String),
    Bus(BusError),
}

async fn record_failure<C: ConnectionTrait>(
    conn: &C,
    seq: i64,
    message: &str,
) -> Result<(), DbErr> {
    let message: String = message.chars().take(MAX_ERROR_LEN).collect();
    Entity::update_many()
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::LastError, Expr::value(message))
        .filter(Column::Seq.eq(seq))
        .exec(conn)
        .await?;
    Ok(())
}
