//! The durable queue of link requests: written before the 200, processed off the request path.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use shared::db::pg_array;

use super::{Store, stmt};

/// A link request to queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Job id (UUIDv7).
    pub id: String,
    /// `email`, `phone` or `customer_id`.
    pub kind: String,
    /// The normalised identifier (needed for the lookup; deleted with the job).
    pub identifier: String,
    /// Hash of the identifier, the key of its codes.
    pub identifier_key: String,
    /// Language asked for by the page, if any.
    pub lang: Option<String>,
    /// Client address, for the audit log.
    pub client_ip: String,
    /// When it was asked (ms).
    pub created_at: i64,
    /// W3C trace context of the request, when traces are exported: the worker continues it.
    pub traceparent: Option<String>,
}

/// A claimed job.
#[derive(Debug, Clone)]
pub struct LinkJob {
    /// The job as queued.
    pub job: NewJob,
    /// Earlier failed attempts.
    pub attempts: i32,
}

// Every job of a batch in one statement, passed as one JSON parameter so that the statement text
// (and its prepared plan) never changes with the batch size. (On PostgreSQL the admission queues its
// jobs inside its counting statement, from `pg_columns`.)
const INSERT_MANY_SQLITE: &str = "INSERT INTO link_job \
    (id, kind, identifier, identifier_key, lang, client_ip, created_at, run_after, traceparent) \
    SELECT value ->> 'id', value ->> 'kind', value ->> 'identifier', value ->> 'identifier_key', \
      value ->> 'lang', value ->> 'client_ip', value ->> 'created_at', value ->> 'created_at', \
      value ->> 'traceparent' \
    FROM jsonb_each(jsonb($1))";

/// The columns of a job insert on PostgreSQL (id, kind, identifier, identifier_key, lang, client_ip,
/// created_at, traceparent), one array each. No language or trace context is `''` (a language is
/// `fr`, `en` or none), so `''` stands for none.
pub(super) fn pg_columns(jobs: &[&NewJob]) -> [sea_orm::Value; 8] {
    [
        pg_array(jobs, |j| j.id.clone()),
        pg_array(jobs, |j| j.kind.clone()),
        pg_array(jobs, |j| j.identifier.clone()),
        pg_array(jobs, |j| j.identifier_key.clone()),
        pg_array(jobs, |j| j.lang.clone().unwrap_or_default()),
        pg_array(jobs, |j| j.client_ip.clone()),
        pg_array(jobs, |j| j.created_at),
        pg_array(jobs, |j| j.traceparent.clone().unwrap_or_default()),
    ]
}

// Through the primary key whatever the table's statistics (see CLAIM_PG on frozen plans).
const DELETE_MANY_PG: &str = "DELETE FROM link_job WHERE id = ANY($1::text[])";

/// Deletes the jobs of `ids` inside the caller's transaction (PostgreSQL).
pub(super) async fn delete_many_pg<C: ConnectionTrait>(db: &C, ids: &[&str]) -> Result<(), DbErr> {
    let ids = pg_array(ids, |id| (*id).to_owned());
    db.execute_raw(stmt(DbBackend::Postgres, DELETE_MANY_PG, [ids]))
        .await?;
    Ok(())
}

/// Queues jobs inside the caller's transaction (SQLite).
pub(super) async fn insert_many_sqlite<C: ConnectionTrait>(
    db: &C,
    jobs: &[&NewJob],
) -> Result<(), DbErr> {
    if jobs.is_empty() {
        return Ok(());
    }
    let param = jobs
        .iter()
        .map(|j| {
            serde_json::json!({
                "id": j.id, "kind": j.kind, "identifier": j.identifier,
                "identifier_key": j.identifier_key, "lang": j.lang,
                "client_ip": j.client_ip, "created_at": j.created_at,
                "traceparent": j.traceparent,
            })
        })
        .collect::<serde_json::Value>();
    db.execute_raw(stmt(
        DbBackend::Sqlite,
        INSERT_MANY_SQLITE,
        [param.to_string().into()],
    ))
    .await?;
    Ok(())
}

// The outer `run_after <= $2` is re-checked by PostgreSQL on the locked row, so two replicas
// racing for the same job cannot both claim it. Oldest due first, by `run_after`: the index serves
// both the filter and the order, so a long queue (a burst of requests) is not sorted on every claim.
// On PostgreSQL the ids go through an array: a prepared statement's plan is frozen after a few runs,
// and `id IN (subquery)` planned on an empty queue stayed a hash join over a scan of the whole
// table (34 ms per claim with 200,000 jobs waiting, against 0.6 ms through the primary key).
const CLAIM_PG: &str = "UPDATE link_job SET run_after = $1 \
    WHERE run_after <= $2 \
      AND id = ANY(ARRAY(SELECT id FROM link_job WHERE run_after <= $2 ORDER BY run_after LIMIT $3)) \
    RETURNING id, kind, identifier, identifier_key, lang, client_ip, created_at, traceparent, attempts";

const CLAIM_SQLITE: &str = "UPDATE link_job SET run_after = $1 \
    WHERE run_after <= $2 AND id IN (SELECT id FROM link_job WHERE run_after <= $2 ORDER BY run_after LIMIT $3) \
    RETURNING id, kind, identifier, identifier_key, lang, client_ip, created_at, traceparent, attempts";

impl Store {
    /// Claims up to `limit` due jobs for `lease_ms` (another worker may take them after that).
    pub async fn claim_jobs(
        &self,
        limit: i64,
        lease_ms: i64,
        now: i64,
    ) -> Result<Vec<LinkJob>, DbErr> {
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => CLAIM_PG,
            _ => CLAIM_SQLITE,
        };
        let rows = self
            .db
            .query_all_raw(stmt(
                backend,
                sql,
                [(now + lease_ms).into(), now.into(), limit.into()],
            ))
            .await?;
        rows.iter()
            .map(|r| {
                Ok(LinkJob {
                    job: NewJob {
                        id: r.try_get("", "id")?,
                        kind: r.try_get("", "kind")?,
                        identifier: r.try_get("", "identifier")?,
                        identifier_key: r.try_get("", "identifier_key")?,
                        lang: r.try_get("", "lang")?,
                        client_ip: r.try_get("", "client_ip")?,
                        created_at: r.try_get("", "created_at")?,
                        traceparent: r.try_get("", "traceparent")?,
                    },
                    attempts: r.try_get("", "attempts")?,
                })
            })
            .collect()
    }

    /// Number of jobs waiting (metrics, tests).
    pub async fn pending_jobs(&self) -> Result<i64, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                "SELECT COUNT(*) FROM link_job",
                [],
            ))
            .await?;
        row.map(|r| r.try_get_by_index::<i64>(0))
            .transpose()
            .map(|n| n.unwrap_or(0))
    }
}

/// Deletes a finished job inside the caller's transaction.
pub async fn delete_job<C: ConnectionTrait>(db: &C, id: &str) -> Result<(), DbErr> {
    db.execute_raw(stmt(
        db.get_database_backend(),
        "DELETE FROM link_job WHERE id = $1",
        [id.into()],
    ))
    .await?;
    Ok(())
}

/// Puts a failed job back for a later attempt, inside the caller's transaction.
pub async fn retry_job<C: ConnectionTrait>(
    db: &C,
    id: &str,
    error: &str,
    run_after: i64,
) -> Result<(), DbErr> {
    db.execute_raw(stmt(
        db.get_database_backend(),
        "UPDATE link_job SET attempts = attempts + 1, last_error = $2, run_after = $3 WHERE id = $1",
        [id.into(), error.into(), run_after.into()],
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Prepares `sql` on an empty queue, fills it with 20,000 jobs, and checks that the frozen plan
    /// reaches them through the primary key, not by reading the whole table.
    async fn uses_the_primary_key_once_frozen(types: &str, sql: &str, warm: &str, args: &str) {
        let db = testkit::TestDb::postgres().await;
        let store = Store::connect(db.url()).await.unwrap();
        let fill = "INSERT INTO link_job (id, kind, identifier, identifier_key, client_ip, created_at, run_after) \
             SELECT 'job-' || g, 'email', 'a@example.org', 'k', '127.0.0.1', g, g \
             FROM generate_series(1, 20000) AS g";
        let plan = testkit::frozen_plan(store.connection(), types, sql, warm, fill, args).await;
        db.cleanup().await;
        let plan = plan.unwrap();
        assert!(plan.contains("link_job_pkey"), "{plan}");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }

    #[tokio::test]
    async fn the_claim_plan_frozen_on_an_empty_queue_still_uses_the_indexes() {
        uses_the_primary_key_once_frozen(
            "bigint, bigint, bigint",
            CLAIM_PG,
            "1, 0, 50",
            "1000000, 100000, 50",
        )
        .await;
    }

    #[tokio::test]
    async fn the_delete_plan_frozen_on_an_empty_queue_still_uses_the_primary_key() {
        uses_the_primary_key_once_frozen("text[]", DELETE_MANY_PG, "'{a}'", "'{job-1,job-2}'")
            .await;
    }
}
