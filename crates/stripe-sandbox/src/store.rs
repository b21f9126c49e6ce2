//! The sandbox's own SQLite storage, through sea-orm: Stripe objects as JSON, the idempotency
//! keys' first answers, and the webhook delivery queue with its log (a restart loses nothing).

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
    Value as DbValue,
};
use serde_json::Value;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, created INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS objects_kind_created ON objects (kind, created);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY, request TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
    created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, url TEXT NOT NULL,
    body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending');
CREATE TABLE IF NOT EXISTS webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id INTEGER NOT NULL, attempt INTEGER NOT NULL,
    at_ms INTEGER NOT NULL, outcome TEXT NOT NULL);
";

/// A webhook delivery waiting in the queue.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Row id.
    pub id: i64,
    /// The event's `evt_…`.
    pub event_id: String,
    /// The endpoint.
    pub url: String,
    /// The event's JSON, sent byte for byte on each attempt.
    pub body: String,
    /// Attempts made so far.
    pub attempts: i64,
}

/// Repository over the sandbox's database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
}

fn stmt(sql: &str, values: Vec<DbValue>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
}

impl Store {
    /// Connects and creates the tables if needed.
    pub async fn connect(database_url: &str) -> Result<Self, DbErr> {
        ensure_sqlite_dir(database_url)?;
        let mut options = ConnectOptions::new(database_url);
        // One connection that never expires: an in-memory SQLite DB lives and dies with it.
        options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None::<std::time::Duration>)
            .max_lifetime(None::<std::time::Duration>)
            .sqlx_logging(false);
        let db = Database::connect(options).await?;
        for sql in SCHEMA.split(';').filter(|s| !s.trim().is_empty()) {
            db.execute_unprepared(sql).await?;
        }
        Ok(Self { db })
    }

    /// Stores a new object (`id`, `object`, `created` read from it).
    pub async fn create(&self, object: &Value) -> Result<(), DbErr> {
        self.db
            .execute_raw(stmt(
                "INSERT INTO objects (id, kind, created, body) VALUES (?, ?, ?, ?)",
                vec![
                    object["id"].as_str().unwrap_or_default().into(),
                    object["object"].as_str().unwrap_or_default().into(),
                    object["created"].as_i64().unwrap_or_default().into(),
                    object.to_string().into(),
                ],
            ))
            .await?;
        Ok(())
    }

    /// Replaces a stored object.
    pub async fn update(&self, object: &Value) -> Result<(), DbErr> {
        self.db
            .execute_raw(stmt(
                "UPDATE objects SET body = ? WHERE id = ?",
                vec![
                    object.to_string().into(),
                    object["id"].as_str().unwrap_or_default().into(),
                ],
            ))
            .await?;
        Ok(())
    }

    /// One object of `kind` by id.
    pub async fn find_by_id(&self, kind: &str, id: &str) -> Result<Option<Value>, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                "SELECT body FROM objects WHERE id = ? AND kind = ?",
                vec![id.into(), kind.into()],
            ))
            .await?;
        row.map(|row| parse(row.try_get::<String>("", "body")?))
            .transpose()
    }

    /// Objects of `kind` created within `[gte, lte]`, newest first, at most `limit`.
    pub async fn find_by_kind(
        &self,
        kind: &str,
        gte: i64,
        lte: i64,
        limit: u64,
    ) -> Result<Vec<Value>, DbErr> {
        let rows = self
            .db
            .query_all_raw(stmt(
                "SELECT body FROM objects WHERE kind = ? AND created >= ? AND created <= ? \
                 ORDER BY created DESC, rowid DESC LIMIT ?",
                vec![kind.into(), gte.into(), lte.into(), (limit as i64).into()],
            ))
            .await?;
        rows.into_iter()
            .map(|row| parse(row.try_get::<String>("", "body")?))
            .collect()
    }

    /// The first answer given under an idempotency key: `(request, status, body)`.
    pub async fn find_idempotent(&self, key: &str) -> Result<Option<(String, u16, String)>, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                "SELECT request, status, body FROM idempotency_keys WHERE key = ?",
                vec![key.into()],
            ))
            .await?;
        row.map(|row| {
            Ok((
                row.try_get::<String>("", "request")?,
                u16::try_from(row.try_get::<i64>("", "status")?).unwrap_or(500),
                row.try_get::<String>("", "body")?,
            ))
        })
        .transpose()
    }

    /// Records the first answer under an idempotency key.
    pub async fn save_idempotent(
        &self,
        key: &str,
        request: &str,
        status: u16,
        body: &str,
        now: i64,
    ) -> Result<(), DbErr> {
        self.db
            .execute_raw(stmt(
                "INSERT OR IGNORE INTO idempotency_keys (key, request, status, body, created) \
                 VALUES (?, ?, ?, ?, ?)",
                vec![
                    key.into(),
                    request.into(),
                    i64::from(status).into(),
                    body.into(),
                    now.into(),
                ],
            ))
            .await?;
        Ok(())
    }

    /// Queues an event's delivery to `url`, due now.
    pub async fn enqueue(
        &self,
        event_id: &str,
        url: &str,
        body: &str,
        now_ms: i64,
    ) -> Result<(), DbErr> {
        self.db
            .execute_raw(stmt(
                "INSERT INTO webhook_deliveries (event_id, url, body, next_at_ms) VALUES (?, ?, ?, ?)",
                vec![event_id.into(), url.into(), body.into(), now_ms.into()],
            ))
            .await?;
        Ok(())
    }

    /// Pending deliveries due at `now_ms`, oldest first.
    pub async fn due_deliveries(&self, now_ms: i64) -> Result<Vec<Delivery>, DbErr> {
        let rows = self
            .db
            .query_all_raw(stmt(
                "SELECT id, event_id, url, body, attempts FROM webhook_deliveries \
                 WHERE state = 'pending' AND next_at_ms <= ? ORDER BY next_at_ms, id LIMIT 50",
                vec![now_ms.into()],
            ))
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(Delivery {
                    id: row.try_get("", "id")?,
                    event_id: row.try_get("", "event_id")?,
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
        now_ms: i64,
        next_at_ms: i64,
    ) -> Result<(), DbErr> {
        let attempt = delivery.attempts + 1;
        self.db
            .execute_raw(stmt(
                "INSERT INTO webhook_attempts (delivery_id, attempt, at_ms, outcome) VALUES (?, ?, ?, ?)",
                vec![delivery.id.into(), attempt.into(), now_ms.into(), outcome.into()],
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

fn parse(text: String) -> Result<Value, DbErr> {
    serde_json::from_str(&text).map_err(|e| DbErr::Json(e.to_string()))
}

/// Creates the directory of a `sqlite://dir/file.db` URL, as `make run` starts from a fresh checkout.
fn ensure_sqlite_dir(database_url: &str) -> Result<(), DbErr> {
    let Some(path) = database_url.strip_prefix("sqlite://") else {
        return Ok(());
    };
    let path = path.split('?').next().unwrap_or_default();
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display()))),
        _ => Ok(()),
    }
}
