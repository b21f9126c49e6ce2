//! Dead letters kept for the operator: a delivery that died keeps the command it died on, so that
//! `notifications dead-letters replay` can send it again, through the outbox, exactly once per
//! dead letter however many times the operator replays.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};
use shared::events::{Envelope, outbox};

use super::{Store, rfc3339, stmt};

/// A dead delivery, as `dead-letters list` shows it.
#[derive(Debug, Clone)]
pub struct DeadLetterRow {
    /// Envelope id of the command that died.
    pub id: String,
    /// `email` or `sms`.
    pub channel: String,
    /// Address or number (empty when the command was unreadable).
    pub to: String,
    /// Attempts made.
    pub attempts: i64,
    /// Why it died.
    pub error: Option<String>,
    /// When it died (RFC 3339).
    pub died_at: String,
    /// Whether its command was kept, so it can be replayed.
    pub replayable: bool,
    /// The id of the copy a replay sent, once replayed.
    pub replayed_as: Option<String>,
}

/// What became of the replay of one dead letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// A copy of the command, under `new_id`, is in the outbox; the relay publishes it.
    Queued {
        /// Envelope id of the copy.
        new_id: String,
    },
    /// Replayed before, as `new_id`: nothing sent again.
    AlreadyReplayed {
        /// Envelope id of the earlier copy.
        new_id: String,
    },
    /// The command was not kept (unreadable, or dead before commands were kept).
    NoCommand,
    /// No dead delivery has this id.
    NotDead,
}

const LIST: &str = "SELECT event_id, channel, recipient, CAST(attempts AS BIGINT) AS attempts, error, updated_at, \
    command IS NOT NULL AS replayable, replayed_as FROM delivery WHERE status = 'dead'";

// The guard of "once": only a dead, kept, not yet replayed row is marked, and the copy is written
// in the same transaction; a second replay (even a concurrent one) finds it marked.
const MARK: &str = "UPDATE delivery SET replayed_as = $2 \
    WHERE event_id = $1 AND status = 'dead' AND replayed_as IS NULL AND command IS NOT NULL";

impl Store {
    /// Keeps the command of a delivery that just died, in the caller's transaction.
    pub async fn keep_dead_command<C: ConnectionTrait>(
        db: &C,
        event_id: &str,
        command: &Envelope,
    ) -> Result<(), DbErr> {
        let json = serde_json::to_string(command).map_err(|e| DbErr::Custom(e.to_string()))?;
        db.execute_raw(stmt(
            db.get_database_backend(),
            "UPDATE delivery SET command = $2 WHERE event_id = $1",
            [event_id.into(), json.into()],
        ))
        .await?;
        Ok(())
    }

    /// Dead letters, the latest to die first; `include_replayed` adds those replayed already.
    pub async fn dead_letters(
        &self,
        include_replayed: bool,
        limit: u64,
    ) -> Result<Vec<DeadLetterRow>, DbErr> {
        let filter = if include_replayed {
            ""
        } else {
            " AND replayed_as IS NULL"
        };
        let sql = format!("{LIST}{filter} ORDER BY updated_at DESC, event_id DESC LIMIT $1");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .db
            .query_all_raw(stmt(self.db.get_database_backend(), &sql, [limit.into()]))
            .await?;
        rows.iter().map(dead_letter_row).collect()
    }

    /// Ids of the dead letters a replay would send, oldest death first.
    pub async fn replayable_dead_letters(&self) -> Result<Vec<String>, DbErr> {
        let rows = self
            .db
            .query_all_raw(stmt(
                self.db.get_database_backend(),
                "SELECT event_id FROM delivery WHERE status = 'dead' AND replayed_as IS NULL \
                 AND command IS NOT NULL ORDER BY updated_at, event_id",
                [],
            ))
            .await?;
        rows.iter().map(|r| r.try_get_by_index(0)).collect()
    }

    /// Replays one dead letter: in one transaction, marks it replayed and writes a copy of its
    /// command, under a new id, to the outbox, where the service's relay picks it up. The copy gets
    /// a new id because the old one is done for the consumer (and for JetStream's dedupe window).
    pub async fn replay_dead_letter(&self, event_id: &str) -> Result<Replay, DbErr> {
        let new_id = uuid::Uuid::now_v7();
        let txn = shared::db::begin_write(&self.db).await?;
        let b = txn.get_database_backend();
        let marked = txn
            .execute_raw(stmt(b, MARK, [event_id.into(), new_id.to_string().into()]))
            .await?;
        if marked.rows_affected() == 0 {
            drop(txn);
            return self.why_not_replayed(event_id).await;
        }
        let command: String = txn
            .query_one_raw(stmt(
                b,
                "SELECT command FROM delivery WHERE event_id = $1",
                [event_id.into()],
            ))
            .await?
            .map(|r| r.try_get_by_index(0))
            .transpose()?
            .ok_or_else(|| DbErr::RecordNotFound(event_id.to_owned()))?;
        let mut copy = Envelope::from_bytes(command.as_bytes())
            .map_err(|e| DbErr::Custom(format!("the kept command is unreadable: {e}")))?;
        copy.id = new_id;
        copy.time = chrono::Utc::now();
        outbox::enqueue(&txn, &copy).await?;
        txn.commit().await?;
        Ok(Replay::Queued {
            new_id: new_id.to_string(),
        })
    }

    async fn why_not_replayed(&self, event_id: &str) -> Result<Replay, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                "SELECT status, replayed_as, command IS NOT NULL AS kept FROM delivery WHERE event_id = $1",
                [event_id.into()],
            ))
            .await?;
        let Some(row) = row else {
            return Ok(Replay::NotDead);
        };
        let status: String = row.try_get("", "status")?;
        let replayed_as: Option<String> = row.try_get("", "replayed_as")?;
        Ok(match (status.as_str(), replayed_as) {
            ("dead", Some(new_id)) => Replay::AlreadyReplayed { new_id },
            ("dead", None) => Replay::NoCommand,
            _ => Replay::NotDead,
        })
    }

    /// Events waiting in this service's outbox for the relay (`notify.dead`, replayed commands),
    /// newest first.
    pub async fn pending_events(&self, limit: u64) -> Result<Vec<outbox::entity::Model>, DbErr> {
        outbox::entity::Entity::find()
            .order_by_desc(outbox::entity::Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await
    }
}

fn dead_letter_row(r: &sea_orm::QueryResult) -> Result<DeadLetterRow, DbErr> {
    Ok(DeadLetterRow {
        id: r.try_get("", "event_id")?,
        channel: r.try_get("", "channel")?,
        to: r.try_get("", "recipient")?,
        attempts: r.try_get("", "attempts")?,
        error: r.try_get("", "error")?,
        died_at: rfc3339(r.try_get("", "updated_at")?),
        replayable: r.try_get("", "replayable")?,
        replayed_as: r.try_get("", "replayed_as")?,
    })
}
