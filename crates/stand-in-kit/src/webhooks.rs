//! The stored webhook delivery queue and the worker that drains it: each delivery is POSTed until
//! the receiver's answer counts as delivered or the retry schedule runs out, and every attempt is
//! logged in `webhook_attempts` (a restart loses nothing). The stand-in says how a delivery is
//! POSTed and which answers count ([`Post`]).

use std::future::Future;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use crate::store::stmt;

/// A webhook delivery waiting in the queue.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Row id.
    pub id: i64,
    /// Which event it carries (Stripe's `evt_…`, DocuSeal's event type).
    pub event: String,
    /// The receiver.
    pub url: String,
    /// The request body, sent byte for byte on each attempt.
    pub body: String,
    /// Attempts made so far.
    pub attempts: i64,
}

/// The queue in `webhook_deliveries`.
#[derive(Debug, Clone)]
pub struct Queue {
    db: DatabaseConnection,
    event_column: &'static str,
}

impl Queue {
    /// Creates the queue's tables if needed; `event_column` names the column that says which
    /// event a delivery carries (`event_id`, `event_type`).
    pub async fn create(db: DatabaseConnection, event_column: &'static str) -> Result<Self, DbErr> {
        db.execute_unprepared(&format!(
            "CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, {event_column} TEXT NOT NULL, url TEXT NOT NULL,
    body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending')"
        ))
        .await?;
        db.execute_unprepared(
            "CREATE TABLE IF NOT EXISTS webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id INTEGER NOT NULL, attempt INTEGER NOT NULL,
    at_ms INTEGER NOT NULL, outcome TEXT NOT NULL)",
        )
        .await?;
        Ok(Self { db, event_column })
    }

    /// Queues the delivery of `event` to `url`, due now.
    pub async fn enqueue(&self, event: &str, url: &str, body: &str) -> Result<(), DbErr> {
        let sql = format!(
            "INSERT INTO webhook_deliveries ({}, url, body, next_at_ms) VALUES (?, ?, ?, ?)",
            self.event_column
        );
        let values = vec![event.into(), url.into(), body.into(), now_ms().into()];
        self.db.execute_raw(stmt(&sql, values)).await?;
        Ok(())
    }

    /// Pending deliveries due at `now_ms`, oldest first.
    pub async fn due(&self, now_ms: i64) -> Result<Vec<Delivery>, DbErr> {
        let sql = format!(
            "SELECT id, {} AS event, url, body, attempts FROM webhook_deliveries \
             WHERE state = 'pending' AND next_at_ms <= ? ORDER BY next_at_ms, id LIMIT 50",
            self.event_column
        );
        let rows = self
            .db
            .query_all_raw(stmt(&sql, vec![now_ms.into()]))
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(Delivery {
                    id: row.try_get("", "id")?,
                    event: row.try_get("", "event")?,
                    url: row.try_get("", "url")?,
                    body: row.try_get("", "body")?,
                    attempts: row.try_get("", "attempts")?,
                })
            })
            .collect()
    }

    /// Records an attempt's outcome and the delivery's next state (`pending` with `next_at_ms`,
    /// `delivered` or `failed`).
    pub async fn record_attempt(
        &self,
        delivery: &Delivery,
        outcome: &str,
        state: &str,
        next_at_ms: i64,
    ) -> Result<(), DbErr> {
        let attempt = delivery.attempts + 1;
        self.db
            .execute_raw(stmt(
                "INSERT INTO webhook_attempts (delivery_id, attempt, at_ms, outcome) VALUES (?, ?, ?, ?)",
                vec![delivery.id.into(), attempt.into(), now_ms().into(), outcome.into()],
            ))
            .await?;
        self.db
            .execute_raw(stmt(
                "UPDATE webhook_deliveries SET attempts = ?, state = ?, next_at_ms = ? WHERE id = ?",
                vec![attempt.into(), state.into(), next_at_ms.into(), delivery.id.into()],
            ))
            .await?;
        Ok(())
    }
}

/// How a stand-in sends a delivery: its headers and signature, and which answers count.
pub trait Post: Send + Sync + 'static {
    /// POSTs the delivery's body: the answer's status, or why there was none.
    fn post(&self, delivery: &Delivery) -> impl Future<Output = Result<u16, String>> + Send;

    /// Whether an answer with `status` counts as delivered.
    fn delivered(&self, status: u16) -> bool;

    /// Work done at the start of each round, before the due deliveries are read.
    fn before_round(&self) -> impl Future<Output = ()> + Send {
        async {}
    }
}

/// The delivery loop of one stand-in.
pub struct Worker<P> {
    queue: Queue,
    /// Waits before each retry; after the last, a delivery is given up.
    schedule: Vec<Duration>,
    poll: Duration,
    post: P,
}

impl<P: Post> Worker<P> {
    /// Drains `queue` every `poll`, retrying after each wait of `schedule`.
    pub fn new(queue: Queue, schedule: Vec<Duration>, poll: Duration, post: P) -> Self {
        Self {
            queue,
            schedule,
            poll,
            post,
        }
    }

    /// Delivers what is due, forever.
    pub async fn run(self) {
        loop {
            self.post.before_round().await;
            match self.queue.due(now_ms()).await {
                Ok(due) => {
                    for delivery in due {
                        self.deliver(&delivery).await;
                    }
                }
                Err(e) => tracing::error!(error = %e, "reading the webhook queue"),
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    async fn deliver(&self, delivery: &Delivery) {
        let outcome = self.post.post(delivery).await;
        let attempt = delivery.attempts + 1;
        let text = match &outcome {
            Ok(status) => status.to_string(),
            Err(e) => e.clone(),
        };
        let retry = usize::try_from(delivery.attempts)
            .ok()
            .and_then(|n| self.schedule.get(n));
        let (state, next_at) = match (&outcome, retry) {
            (Ok(status), _) if self.post.delivered(*status) => ("delivered", 0),
            (_, Some(wait)) => {
                let wait = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                ("pending", now_ms().saturating_add(wait))
            }
            (_, None) => ("failed", 0),
        };
        let (event, url) = (&delivery.event, &delivery.url);
        if state == "delivered" {
            tracing::info!(%event, %url, attempt, outcome = %text, "webhook delivered");
        } else {
            tracing::warn!(%event, %url, attempt, outcome = %text, state, "webhook delivery failed");
        }
        if let Err(e) = self
            .queue
            .record_attempt(delivery, &text, state, next_at)
            .await
        {
            tracing::error!(error = %e, "recording a webhook delivery");
        }
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
