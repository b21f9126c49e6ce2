//! The delivery log's hot writes, group-committed ([`shared::db::GroupCommit`]): the claims of a
//! batch go to the database as one statement, the `sent` outcomes as another, whatever the batch
//! size; rarer outcomes (captured, retry, dead) run one statement each in the same transaction.
//! One statement per message, each a round trip on PostgreSQL, capped the service near 2,300
//! emails/s with the machine a third idle.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement};
use serde_json::json;
use shared::db::{WriteBatch, stmt};

use super::{Claim, now_ms};

/// One write of the delivery log.
#[derive(Debug)]
pub(super) enum Write {
    /// Take a delivery for sending (see [`super::Store::claim`]).
    Claim(ClaimRow),
    /// Accepted by the provider.
    Sent {
        event_id: String,
        provider_id: String,
        subject: Option<String>,
    },
    /// Any other statement.
    Other(Statement),
}

/// The row a claim inserts when the delivery is new.
#[derive(Debug)]
pub(super) struct ClaimRow {
    pub event_id: String,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub customer: Option<String>,
    pub lease_ms: i64,
}

/// What a write gives back.
#[derive(Debug)]
pub(super) enum Written {
    Claim(Claim),
    Done,
}

/// Runs the batches.
pub(super) struct Writes;

// A row is ours when it is new, waiting for a retry, or its sender's lease ran out (a crashed worker:
// then `interrupted`, since that sender may have been cut after the provider accepted the message).
// The batch is one JSON parameter, so the statement text (and its prepared plan) never changes.
const CLAIM_UPSERT: &str = " ON CONFLICT (event_id) DO UPDATE SET status = 'sending', \
      lease_until = excluded.lease_until, updated_at = $2, \
      interrupted = CASE WHEN delivery.status = 'sending' THEN 1 ELSE 0 END \
    WHERE delivery.status = 'retrying' OR (delivery.status = 'sending' AND delivery.lease_until < $2) \
    RETURNING event_id, CAST(attempts AS BIGINT), CAST(interrupted AS BIGINT)";

const CLAIM_PG: &str = "INSERT INTO delivery \
    (event_id, channel, recipient, status, attempts, lease_until, template, customer, created_at, updated_at) \
    SELECT c.event_id, c.channel, c.recipient, 'sending', 0, c.lease_until, c.template, c.customer, $2, $2 \
    FROM json_to_recordset($1::json) AS c(event_id text, channel text, recipient text, template text, \
      customer text, lease_until bigint)";

// SQLite needs `WHERE true` to tell the upsert's ON from a join's.
const CLAIM_SQLITE: &str = "INSERT INTO delivery \
    (event_id, channel, recipient, status, attempts, lease_until, template, customer, created_at, updated_at) \
    SELECT value ->> 'event_id', value ->> 'channel', value ->> 'recipient', 'sending', 0, \
      value ->> 'lease_until', value ->> 'template', value ->> 'customer', $2, $2 \
    FROM jsonb_each(jsonb($1)) WHERE true";

// Index lookups whatever the table's statistics: a prepared statement's plan is frozen after a few
// runs, and a join planned while the table was nearly empty (a hash over a scan of the whole table)
// made every later batch read all of it. An upsert finds its rows through the primary key, always.
const STATUS_PG: &str = "SELECT d.event_id, d.status FROM json_array_elements_text($1::json) AS i(id) \
    CROSS JOIN LATERAL (SELECT event_id, status FROM delivery WHERE event_id = i.id LIMIT 1) AS d";

const STATUS_SQLITE: &str = "SELECT event_id, status FROM delivery \
    WHERE event_id IN (SELECT value FROM jsonb_each(jsonb($1)))";

// The claim wrote the row before the message was sent, so the upsert always updates it; the
// insert's values only satisfy the table's constraints.
const SENT_UPSERT: &str = " ON CONFLICT (event_id) DO UPDATE SET status = 'sent', \
      provider_id = excluded.provider_id, subject = excluded.subject, error = NULL, \
      updated_at = excluded.updated_at";

const SENT_PG: &str = "INSERT INTO delivery \
    (event_id, channel, recipient, status, provider_id, subject, created_at, updated_at) \
    SELECT s.event_id, '', '', 'sent', s.provider_id, s.subject, $2, $2 \
    FROM json_to_recordset($1::json) AS s(event_id text, provider_id text, subject text)";

const SENT_SQLITE: &str = "INSERT INTO delivery \
    (event_id, channel, recipient, status, provider_id, subject, created_at, updated_at) \
    SELECT value ->> 'event_id', '', '', 'sent', value ->> 'provider_id', value ->> 'subject', $2, $2 \
    FROM jsonb_each(jsonb($1)) WHERE true";

impl WriteBatch for Writes {
    type Op = Write;
    type Out = Written;

    async fn run(&self, txn: &DatabaseTransaction, ops: Vec<Write>) -> Result<Vec<Written>, DbErr> {
        let now = now_ms();
        let claims: Vec<&ClaimRow> = ops
            .iter()
            .filter_map(|op| match op {
                Write::Claim(row) => Some(row),
                _ => None,
            })
            .collect();
        let mut claimed = claim_many(txn, &claims, now).await?.into_iter();
        let sent: Vec<serde_json::Value> = ops
            .iter()
            .filter_map(|op| match op {
                Write::Sent {
                    event_id,
                    provider_id,
                    subject,
                } => Some(
                    json!({"event_id": event_id, "provider_id": provider_id, "subject": subject}),
                ),
                _ => None,
            })
            .collect();
        if !sent.is_empty() {
            let sql = format!("{}{SENT_UPSERT}", pick(txn, SENT_PG, SENT_SQLITE));
            let param = serde_json::Value::Array(sent).to_string();
            txn.execute_raw(stmt(
                txn.get_database_backend(),
                &sql,
                [param.into(), now.into()],
            ))
            .await?;
        }
        let mut out = Vec::with_capacity(ops.len());
        for op in ops {
            out.push(match op {
                Write::Claim(_) => Written::Claim(claimed.next().unwrap_or(Claim::Done)),
                Write::Sent { .. } => Written::Done,
                Write::Other(statement) => {
                    txn.execute_raw(statement).await?;
                    Written::Done
                }
            });
        }
        Ok(out)
    }
}

fn pick(txn: &DatabaseTransaction, pg: &'static str, sqlite: &'static str) -> &'static str {
    match txn.get_database_backend() {
        DbBackend::Postgres => pg,
        _ => sqlite,
    }
}

/// Claims every row of `rows` in one statement; one [`Claim`] per row, in order. A delivery that
/// appears twice in the batch (a redelivery racing the first copy) is claimed once: the later copy
/// finds it busy, or done, as it would one batch later.
async fn claim_many(
    txn: &DatabaseTransaction,
    rows: &[&ClaimRow],
    now: i64,
) -> Result<Vec<Claim>, DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    let unique: Vec<serde_json::Value> = rows
        .iter()
        .enumerate()
        .filter(|(i, r)| *first.entry(r.event_id.as_str()).or_insert(*i) == *i)
        .map(|(_, r)| {
            json!({
                "event_id": r.event_id, "channel": r.channel, "recipient": r.recipient,
                "template": r.template, "customer": r.customer, "lease_until": now + r.lease_ms,
            })
        })
        .collect();
    let backend = txn.get_database_backend();
    let sql = format!("{}{CLAIM_UPSERT}", pick(txn, CLAIM_PG, CLAIM_SQLITE));
    let param = serde_json::Value::Array(unique).to_string();
    let mut outcome: HashMap<String, Claim> = HashMap::with_capacity(rows.len());
    for row in txn
        .query_all_raw(stmt(backend, &sql, [param.into(), now.into()]))
        .await?
    {
        let id: String = row.try_get_by_index(0)?;
        let attempts: i64 = row.try_get_by_index(1)?;
        let interrupted: i64 = row.try_get_by_index(2)?;
        let mine = Claim::Mine {
            attempts: u32::try_from(attempts).unwrap_or(0),
            interrupted: interrupted != 0,
        };
        outcome.insert(id, mine);
    }
    // Not taken: done already (a redelivery) or held by a live worker.
    let others: Vec<&str> = first
        .keys()
        .filter(|id| !outcome.contains_key(**id))
        .copied()
        .collect();
    if !others.is_empty() {
        let param = serde_json::to_string(&others).map_err(|e| DbErr::Custom(e.to_string()))?;
        let sql = pick(txn, STATUS_PG, STATUS_SQLITE);
        for row in txn
            .query_all_raw(stmt(backend, sql, [param.into()]))
            .await?
        {
            let id: String = row.try_get_by_index(0)?;
            let status: String = row.try_get_by_index(1)?;
            let claim = if status == "sending" {
                Claim::Busy
            } else {
                Claim::Done
            };
            outcome.insert(id, claim);
        }
    }
    Ok(rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let claim = outcome
                .get(r.event_id.as_str())
                .cloned()
                .unwrap_or(Claim::Done);
            match claim {
                Claim::Mine { .. } if first[r.event_id.as_str()] != i => Claim::Busy,
                claim => claim,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{Claim, Finish, NewDelivery, Store};

    fn delivery(event_id: &str) -> NewDelivery<'_> {
        NewDelivery {
            event_id,
            channel: "email",
            recipient: "a@example.org",
            template: "t",
            customer: None,
        }
    }

    /// Claims that land in one batch get the verdicts they would get one by one: new -> mine, a
    /// second copy of the same command -> busy, sent -> done, held by a live lease -> busy, left
    /// `sending` past its lease -> mine and interrupted, waiting for a retry -> mine with its attempts.
    async fn one_batch_of_claims(url: &str) -> Result<(), sea_orm::DbErr> {
        let store = Store::connect(url).await?;
        let long = Duration::from_secs(60);
        for id in ["sent", "held", "retrying"] {
            assert!(matches!(
                store.claim(&delivery(id), long).await?,
                Claim::Mine { .. }
            ));
        }
        store.claim(&delivery("expired"), Duration::ZERO).await?;
        let sent = Finish::Sent {
            provider_id: "<sent@x>",
            subject: Some("s"),
        };
        store.record("sent", &sent).await?;
        let retry = Finish::Retry {
            error: "421",
            count_attempt: true,
        };
        store.record("retrying", &retry).await?;
        tokio::time::sleep(Duration::from_millis(5)).await;

        let ids = ["new", "new", "sent", "held", "expired", "retrying"];
        let claims = futures::future::try_join_all(ids.map(|id| claim(&store, id, long))).await?;
        let mine = |attempts, interrupted| Claim::Mine {
            attempts,
            interrupted,
        };
        assert_eq!(
            claims,
            [
                mine(0, false),
                Claim::Busy,
                Claim::Done,
                Claim::Busy,
                mine(0, true),
                mine(1, false)
            ]
        );
        let rows = store.list(None, false, 10).await?;
        let sent = rows.iter().find(|r| r.id == "sent").expect("the sent row");
        assert_eq!(
            (sent.status.as_str(), sent.provider_id.as_deref()),
            ("sent", Some("<sent@x>"))
        );
        assert_eq!(
            sent.to, "a@example.org",
            "recording kept the row's recipient"
        );
        Ok(())
    }

    async fn claim(store: &Store, id: &str, lease: Duration) -> Result<Claim, sea_orm::DbErr> {
        store.claim(&delivery(id), lease).await
    }

    #[tokio::test]
    async fn a_batch_of_claims_on_sqlite() {
        let db = testkit::TestDb::sqlite();
        let outcome = one_batch_of_claims(db.url()).await;
        db.cleanup().await;
        outcome.expect("the store answers");
    }

    /// Frozen while the log was empty, the look-up of claims not taken still goes through the
    /// primary key, not a scan of the whole log.
    #[tokio::test]
    async fn the_status_plan_frozen_on_an_empty_log_still_uses_the_primary_key() {
        let db = testkit::TestDb::postgres().await;
        let store = Store::connect(db.url()).await.expect("the store");
        let plan = testkit::frozen_plan(
            store.connection(),
            "json",
            super::STATUS_PG,
            "'[\"a\"]'",
            "INSERT INTO delivery (event_id, channel, recipient, status, created_at, updated_at) \
             SELECT 'ev-' || g, 'email', 'a@example.org', 'sent', g, g FROM generate_series(1, 20000) AS g",
            "'[\"ev-1\", \"ev-2\"]'",
        )
        .await;
        db.cleanup().await;
        let plan = plan.expect("the plan");
        assert!(plan.contains("delivery_pkey"), "{plan}");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }

    #[tokio::test]
    async fn a_batch_of_claims_on_postgres() {
        let db = testkit::TestDb::postgres().await;
        let outcome = one_batch_of_claims(db.url()).await;
        db.cleanup().await;
        outcome.expect("the store answers");
    }
}
