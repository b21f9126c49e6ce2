//! The sandbox's own SQLite storage, through sea-orm: submissions and submitters as JSON, the files
//! they made, and the webhook delivery queue with its log (a restart loses nothing).

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Value as DbValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use stand_in_kit::store::stmt;
use stand_in_kit::webhooks::Queue;

use crate::model::{Submission, Submitter};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, expire_at_ms INTEGER,
    expired_notified INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS submissions_expiry ON submissions (expired_notified, expire_at_ms);
CREATE TABLE IF NOT EXISTS submitters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, submission_id INTEGER NOT NULL, slug TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS submitters_submission ON submitters (submission_id);
CREATE TABLE IF NOT EXISTS files (
    token TEXT PRIMARY KEY, name TEXT NOT NULL, content_type TEXT NOT NULL, content BLOB NOT NULL);
";

/// A stored file.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// Repository over the sandbox's database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// The webhook delivery queue.
    pub queue: Queue,
}

fn to_text<T: Serialize>(value: &T) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Json(e.to_string()))
}

fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, DbErr> {
    serde_json::from_str(text).map_err(|e| DbErr::Json(e.to_string()))
}

impl Store {
    /// Connects and creates the tables if needed.
    pub async fn connect(database_url: &str) -> Result<Self, DbErr> {
        let db = stand_in_kit::store::connect(database_url).await?;
        for sql in SCHEMA.split(';').filter(|s| !s.trim().is_empty()) {
            db.execute_unprepared(sql).await?;
        }
        let queue = Queue::create(db.clone(), "event_type").await?;
        Ok(Self { db, queue })
    }

    /// A new submission row: its id (the body is written by `update_submission`).
    pub async fn next_submission_id(&self) -> Result<i64, DbErr> {
        let done = self
            .db
            .execute_raw(stmt(
                "INSERT INTO submissions (body) VALUES ('{}')",
                Vec::new(),
            ))
            .await?;
        i64::try_from(done.last_insert_id()).map_err(|e| DbErr::Custom(e.to_string()))
    }

    /// A new submitter row of `submission_id` with `slug`: its id.
    pub async fn next_submitter_id(&self, submission_id: i64, slug: &str) -> Result<i64, DbErr> {
        let done = self
            .db
            .execute_raw(stmt(
                "INSERT INTO submitters (submission_id, slug, body) VALUES (?, ?, '{}')",
                vec![submission_id.into(), slug.into()],
            ))
            .await?;
        i64::try_from(done.last_insert_id()).map_err(|e| DbErr::Custom(e.to_string()))
    }

    /// Writes a submission.
    pub async fn update_submission(&self, submission: &Submission) -> Result<(), DbErr> {
        self.db
            .execute_raw(stmt(
                "UPDATE submissions SET body = ?, expire_at_ms = ? WHERE id = ?",
                vec![
                    to_text(submission)?.into(),
                    submission.expire_at.map(|at| at.timestamp_millis()).into(),
                    submission.id.into(),
                ],
            ))
            .await?;
        Ok(())
    }

    /// Writes a submitter.
    pub async fn update_submitter(&self, submitter: &Submitter) -> Result<(), DbErr> {
        self.db
            .execute_raw(stmt(
                "UPDATE submitters SET body = ? WHERE id = ?",
                vec![to_text(submitter)?.into(), submitter.id.into()],
            ))
            .await?;
        Ok(())
    }

    /// A submission by id.
    pub async fn find_submission(&self, id: i64) -> Result<Option<Submission>, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                "SELECT body FROM submissions WHERE id = ? AND body != '{}'",
                vec![id.into()],
            ))
            .await?;
        row.map(|row| from_text(&row.try_get::<String>("", "body")?))
            .transpose()
    }

    /// A submission by its slug (its `submission_url`).
    pub async fn find_submission_by_slug(&self, slug: &str) -> Result<Option<Submission>, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                "SELECT body FROM submissions WHERE json_extract(body, '$.slug') = ?",
                vec![slug.into()],
            ))
            .await?;
        row.map(|row| from_text(&row.try_get::<String>("", "body")?))
            .transpose()
    }

    /// A submitter by id.
    pub async fn find_submitter(&self, id: i64) -> Result<Option<Submitter>, DbErr> {
        self.one_submitter(
            "SELECT body FROM submitters WHERE id = ? AND body != '{}'",
            id.into(),
        )
        .await
    }

    /// A submitter by its page's slug.
    pub async fn find_submitter_by_slug(&self, slug: &str) -> Result<Option<Submitter>, DbErr> {
        self.one_submitter(
            "SELECT body FROM submitters WHERE slug = ? AND body != '{}'",
            slug.into(),
        )
        .await
    }

    async fn one_submitter(&self, sql: &str, key: DbValue) -> Result<Option<Submitter>, DbErr> {
        let row = self.db.query_one_raw(stmt(sql, vec![key])).await?;
        row.map(|row| from_text(&row.try_get::<String>("", "body")?))
            .transpose()
    }

    /// The submitters of a submission, in creation order.
    pub async fn find_submitters_of(&self, submission_id: i64) -> Result<Vec<Submitter>, DbErr> {
        let rows = self
            .db
            .query_all_raw(stmt(
                "SELECT body FROM submitters WHERE submission_id = ? AND body != '{}' ORDER BY id",
                vec![submission_id.into()],
            ))
            .await?;
        rows.into_iter()
            .map(|row| from_text(&row.try_get::<String>("", "body")?))
            .collect()
    }

    /// Ids of the submissions past `expire_at` at `now_ms` whose expiry is not yet announced.
    pub async fn find_newly_expired(&self, now_ms: i64) -> Result<Vec<i64>, DbErr> {
        let rows = self
            .db
            .query_all_raw(stmt(
                "SELECT id FROM submissions WHERE expired_notified = 0 \
                 AND expire_at_ms IS NOT NULL AND expire_at_ms <= ? ORDER BY id LIMIT 50",
                vec![now_ms.into()],
            ))
            .await?;
        rows.into_iter().map(|row| row.try_get("", "id")).collect()
    }

    /// Claims the announcement of a submission's expiry: true for the one caller that marks it
    /// handled, false when another already did.
    pub async fn claim_expiry(&self, id: i64) -> Result<bool, DbErr> {
        let done = self
            .db
            .execute_raw(stmt(
                "UPDATE submissions SET expired_notified = 1 WHERE id = ? AND expired_notified = 0",
                vec![id.into()],
            ))
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Re-arms the expiry of a submission whose `expire_at` moved.
    pub async fn rearm_expiry(&self, id: i64) -> Result<(), DbErr> {
        self.db
            .execute_raw(stmt(
                "UPDATE submissions SET expired_notified = 0 WHERE id = ?",
                vec![id.into()],
            ))
            .await?;
        Ok(())
    }

    /// Stores a file under `token`.
    pub async fn create_file(
        &self,
        token: &str,
        name: &str,
        content_type: &str,
        content: Vec<u8>,
    ) -> Result<(), DbErr> {
        self.db
            .execute_raw(stmt(
                "INSERT INTO files (token, name, content_type, content) VALUES (?, ?, ?, ?)",
                vec![
                    token.into(),
                    name.into(),
                    content_type.into(),
                    content.into(),
                ],
            ))
            .await?;
        Ok(())
    }

    /// A file by its token.
    pub async fn find_file(&self, token: &str) -> Result<Option<StoredFile>, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                "SELECT name, content_type, content FROM files WHERE token = ?",
                vec![token.into()],
            ))
            .await?;
        row.map(|row| {
            Ok(StoredFile {
                name: row.try_get("", "name")?,
                content_type: row.try_get("", "content_type")?,
                content: row.try_get("", "content")?,
            })
        })
        .transpose()
    }
}
