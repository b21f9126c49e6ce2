//! What the outbox pages and the delivery log read: rows newest first, one captured message, its
//! HTML, and the counts and times the command line and the tests ask for.

use sea_orm::{ConnectionTrait, DbErr, Value};
use serde::Serialize;

use super::{Status, Store, rfc3339, stmt};

/// One delivery as the log and the outbox show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryRow {
    /// Envelope id.
    pub id: String,
    /// `email` or `sms`.
    pub channel: String,
    /// Address or number.
    pub to: String,
    /// See [`Status`].
    pub status: String,
    /// Failed attempts.
    pub attempts: i64,
    /// SMTP Message-ID or Twilio SID.
    pub provider_id: Option<String>,
    /// Last error.
    pub error: Option<String>,
    /// Template name.
    pub template: Option<String>,
    /// Subject (emails; captured or sent).
    pub subject: Option<String>,
    /// Text part or SMS body (captured messages only).
    pub text: Option<String>,
    /// SMS segments.
    pub segments: Option<i64>,
    /// When the command arrived (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

impl Store {
    /// Deliveries, newest first, optionally for one recipient; `captured_only` for the sandbox outbox.
    pub async fn list(
        &self,
        to: Option<&str>,
        captured_only: bool,
        limit: u64,
    ) -> Result<Vec<DeliveryRow>, DbErr> {
        let mut sql = format!("{SELECT_ROWS} WHERE 1 = 1");
        let mut values: Vec<Value> = Vec::new();
        if let Some(to) = to {
            values.push(to.trim().to_lowercase().into());
            sql.push_str(&format!(" AND recipient = ${}", values.len()));
        }
        if captured_only {
            sql.push_str(" AND status = 'captured'");
        }
        values.push(i64::try_from(limit).unwrap_or(500).into());
        sql.push_str(&format!(
            " ORDER BY created_at DESC, event_id DESC LIMIT ${}",
            values.len()
        ));
        let rows = self
            .db
            .query_all_raw(stmt(self.db.get_database_backend(), &sql, values))
            .await?;
        rows.iter().map(delivery_row).collect()
    }

    /// One captured message.
    pub async fn captured_message(&self, event_id: &str) -> Result<Option<DeliveryRow>, DbErr> {
        let sql = format!("{SELECT_ROWS} WHERE event_id = $1 AND status = 'captured'");
        let row = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                &sql,
                [event_id.into()],
            ))
            .await?;
        row.as_ref().map(delivery_row).transpose()
    }

    /// The captured HTML of one email.
    pub async fn captured_html(&self, event_id: &str) -> Result<Option<String>, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                "SELECT body_html FROM delivery WHERE event_id = $1 AND status = 'captured'",
                [event_id.into()],
            ))
            .await?;
        Ok(row
            .map(|r| r.try_get::<Option<String>>("", "body_html"))
            .transpose()?
            .flatten())
    }

    /// When a delivery's row was first written (its first claim): no attempt to send it is older.
    pub async fn created_at(
        &self,
        event_id: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                "SELECT CAST(created_at AS BIGINT) FROM delivery WHERE event_id = $1",
                [event_id.into()],
            ))
            .await?;
        Ok(row
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .and_then(chrono::DateTime::from_timestamp_millis))
    }

    /// Count of rows by status (tests, metrics).
    pub async fn count(&self, status: Status) -> Result<i64, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                "SELECT CAST(COUNT(*) AS BIGINT) FROM delivery WHERE status = $1",
                [status.as_str().into()],
            ))
            .await?;
        Ok(row
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0))
    }
}

const SELECT_ROWS: &str = "SELECT event_id, channel, recipient, status, CAST(attempts AS BIGINT) AS attempts, provider_id, \
    error, template, subject, body_text, CAST(segments AS BIGINT) AS segments, created_at, updated_at FROM delivery";

fn delivery_row(r: &sea_orm::QueryResult) -> Result<DeliveryRow, DbErr> {
    Ok(DeliveryRow {
        id: r.try_get("", "event_id")?,
        channel: r.try_get("", "channel")?,
        to: r.try_get("", "recipient")?,
        status: r.try_get("", "status")?,
        attempts: r.try_get("", "attempts")?,
        provider_id: r.try_get("", "provider_id")?,
        error: r.try_get("", "error")?,
        template: r.try_get("", "template")?,
        subject: r.try_get("", "subject")?,
        text: r.try_get("", "body_text")?,
        segments: r.try_get("", "segments")?,
        created_at: rfc3339(r.try_get("", "created_at")?),
        updated_at: rfc3339(r.try_get("", "updated_at")?),
    })
}

/// What waits in the delivery log, for `/metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waiting {
    /// `(channel, created_at ms)` of the oldest command taken and not yet delivered, per channel.
    pub oldest: Vec<(String, i64)>,
    /// Dead deliveries not replayed.
    pub dead_letters: i64,
}

impl Waiting {
    /// When the oldest undelivered command of `channel` arrived (ms), if there is one.
    pub fn oldest_undelivered(&self, channel: &str) -> Option<i64> {
        self.oldest
            .iter()
            .find(|(c, _)| c == channel)
            .map(|(_, at)| *at)
    }
}

// One pass over the rows still in play; delivered rows (`sent`, `captured`) are not read. No index on
// `status`: the scrape runs twice a minute, the sends thousands of times.
const WAITING: &str = "SELECT channel, \
      MIN(CASE WHEN status IN ('sending', 'retrying') THEN created_at END), \
      CAST(SUM(CASE WHEN status = 'dead' AND replayed_as IS NULL THEN 1 ELSE 0 END) AS BIGINT) \
    FROM delivery WHERE status IN ('sending', 'retrying', 'dead') GROUP BY channel";

impl Store {
    /// The oldest undelivered command per channel and the dead letters not replayed.
    pub async fn waiting(&self) -> Result<Waiting, DbErr> {
        let rows = self
            .db
            .query_all_raw(stmt(self.db.get_database_backend(), WAITING, []))
            .await?;
        let mut waiting = Waiting::default();
        for row in rows {
            let channel: String = row.try_get_by_index(0)?;
            if let Some(at) = row.try_get_by_index::<Option<i64>>(1)? {
                waiting.oldest.push((channel, at));
            }
            waiting.dead_letters += row.try_get_by_index::<i64>(2)?;
        }
        Ok(waiting)
    }
}
