//! The sandbox's own SQLite storage, through sea-orm: Stripe objects as JSON, the idempotency
//! keys' first answers, and the webhook delivery queue with its log (a restart loses nothing).

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde_json::Value;
use stand_in_kit::store::stmt;
use stand_in_kit::webhooks::Queue;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, created INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS objects_kind_created ON objects (kind, created);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY, request TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
    created INTEGER NOT NULL);
";

/// Repository over the sandbox's database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// The webhook delivery queue.
    pub queue: Queue,
}

impl Store {
    /// Connects and creates the tables if needed.
    pub async fn connect(database_url: &str) -> Result<Self, DbErr> {
        let db = stand_in_kit::store::connect(database_url).await?;
        for sql in SCHEMA.split(';').filter(|s| !s.trim().is_empty()) {
            db.execute_unprepared(sql).await?;
        }
        let queue = Queue::create(db.clone(), "event_id").await?;
        Ok(Self { db, queue })
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
}

fn parse(text: String) -> Result<Value, DbErr> {
    serde_json::from_str(&text).map_err(|e| DbErr::Json(e.to_string()))
}
