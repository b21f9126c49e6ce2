//! Fixed-window rate limits kept in the database, so that they hold across restarts and replicas.
//! One atomic upsert per key: the window restarts when the previous one is over.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use shared::db::pg_array;

use super::{NewJob, Store, jobs, stmt};

/// One link request waiting to be admitted: its limit keys and the job to queue when admitted.
#[derive(Debug, Clone)]
pub struct Admission {
    /// Rate-limit key of the identifier (a hash, never the identifier itself).
    pub identifier_key: String,
    /// Rate-limit key of the client address.
    pub ip_key: String,
    /// The job to queue.
    pub job: NewJob,
}

/// The outcome of one admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    /// Counted and queued.
    Admitted,
    /// Over a limit; nothing queued.
    Limited {
        /// Seconds until the window that refused it ends.
        retry_after_s: u64,
    },
}

/// Limits in force.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Requests per identifier per window.
    pub per_identifier: u32,
    /// Requests per client address per window.
    pub per_ip: u32,
    /// Window length in milliseconds.
    pub window_ms: i64,
}

const HIT: &str = "INSERT INTO rate_limit (key, window_start, hits) VALUES ($1, $2, 1) \
    ON CONFLICT (key) DO UPDATE SET \
      hits = CASE WHEN rate_limit.window_start <= $3 THEN 1 ELSE rate_limit.hits + 1 END, \
      window_start = CASE WHEN rate_limit.window_start <= $3 THEN $2 ELSE rate_limit.window_start END \
    RETURNING CAST(hits AS BIGINT), window_start";

/// Counts one hit on `key` and says whether it stays within `limit`.
pub async fn hit<C: ConnectionTrait>(
    db: &C,
    key: &str,
    limit: u32,
    now: i64,
    window_ms: i64,
) -> Result<RateDecision, DbErr> {
    let row = db
        .query_one_raw(stmt(
            db.get_database_backend(),
            HIT,
            [key.into(), now.into(), (now - window_ms).into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("rate_limit upsert returned nothing".into()))?;
    let hits: i64 = row.try_get_by_index(0)?;
    let window_start: i64 = row.try_get_by_index(1)?;
    Ok(decide(hits, window_start, limit, now, window_ms))
}

/// The verdict on the request that brought a key's count to `hits`.
fn decide(hits: i64, window_start: i64, limit: u32, now: i64, window_ms: i64) -> RateDecision {
    if hits <= i64::from(limit) {
        return RateDecision::Admitted;
    }
    let remaining_ms = (window_start + window_ms - now).max(1000);
    RateDecision::Limited {
        retry_after_s: u64::try_from((remaining_ms + 999) / 1000).unwrap_or(1),
    }
}

// One upsert for a whole batch: each distinct key with its number of hits in the batch. PostgreSQL
// takes them as two arrays (bound in binary: nothing to parse), SQLite as one JSON parameter, so that
// the statement text (and its prepared plan) never changes with the batch.
const HIT_MANY_PG: &str = "INSERT INTO rate_limit (key, window_start, hits) \
    SELECT b.key, $2, b.n FROM unnest($1::text[], $4::int8[]) AS b(key, n) \
    ON CONFLICT (key) DO UPDATE SET \
      hits = CASE WHEN rate_limit.window_start <= $3 THEN excluded.hits ELSE rate_limit.hits + excluded.hits END, \
      window_start = CASE WHEN rate_limit.window_start <= $3 THEN excluded.window_start ELSE rate_limit.window_start END \
    RETURNING key, CAST(hits AS BIGINT), window_start";

// SQLite needs `WHERE true` to tell the upsert's ON from a join's.
const HIT_MANY_SQLITE: &str = "INSERT INTO rate_limit (key, window_start, hits) \
    SELECT value ->> 'key', $2, value ->> 'n' FROM jsonb_each(jsonb($1)) WHERE true \
    ON CONFLICT (key) DO UPDATE SET \
      hits = CASE WHEN rate_limit.window_start <= $3 THEN excluded.hits ELSE rate_limit.hits + excluded.hits END, \
      window_start = CASE WHEN rate_limit.window_start <= $3 THEN excluded.window_start ELSE rate_limit.window_start END \
    RETURNING key, CAST(hits AS BIGINT), window_start";

/// Counts one hit per entry of `keys` (a key may repeat) and gives each entry its verdict, exactly as
/// if they had been counted one after the other in order.
async fn hit_many<C: ConnectionTrait>(
    db: &C,
    keys: &[&str],
    limit: u32,
    now: i64,
    window_ms: i64,
) -> Result<Vec<RateDecision>, DbErr> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    // Sorted keys: every replica locks rows in the same order, so concurrent batches cannot deadlock.
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_default() += 1;
    }
    let backend = db.get_database_backend();
    let edge = now - window_ms;
    let statement = match backend {
        DbBackend::Postgres => {
            let counts: Vec<(&str, i64)> = counts.iter().map(|(k, n)| (*k, *n)).collect();
            let values = [
                pg_array(&counts, |(key, _)| (*key).to_owned()),
                now.into(),
                edge.into(),
                pg_array(&counts, |(_, n)| *n),
            ];
            stmt(backend, HIT_MANY_PG, values)
        }
        _ => {
            let param = counts
                .iter()
                .map(|(key, n)| serde_json::json!({ "key": key, "n": n }))
                .collect::<serde_json::Value>();
            stmt(
                backend,
                HIT_MANY_SQLITE,
                [param.to_string().into(), now.into(), edge.into()],
            )
        }
    };
    let rows = db.query_all_raw(statement).await?;
    // Per key: the count before this batch's first hit, then one more for each entry in order.
    let mut before: HashMap<String, (i64, i64)> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let key: String = row.try_get_by_index(0)?;
        let hits: i64 = row.try_get_by_index(1)?;
        let window_start: i64 = row.try_get_by_index(2)?;
        let n = counts.get(key.as_str()).copied().unwrap_or(0);
        before.insert(key, (hits - n, window_start));
    }
    keys.iter()
        .map(|key| {
            let (count, window_start) = before
                .get_mut(*key)
                .ok_or_else(|| DbErr::RecordNotFound("rate_limit upsert skipped a key".into()))?;
            *count += 1;
            Ok(decide(*count, *window_start, limit, now, window_ms))
        })
        .collect()
}

/// Admits a batch of link requests inside the caller's write transaction (group commit): each is
/// counted against its client address, then its identifier, and queued when both allow it. The
/// outcome is the same as admitting them one by one in batch order, but costs three statements per
/// batch, not per request.
pub async fn admit_in<C: ConnectionTrait>(
    txn: &C,
    batch: &[Admission],
    limits: Limits,
    now: i64,
) -> Result<Vec<RateDecision>, DbErr> {
    let ip_keys: Vec<&str> = batch.iter().map(|a| a.ip_key.as_str()).collect();
    let mut decisions = hit_many(txn, &ip_keys, limits.per_ip, now, limits.window_ms).await?;
    let passed: Vec<usize> = (0..batch.len())
        .filter(|&i| decisions[i] == RateDecision::Admitted)
        .collect();
    let id_keys: Vec<&str> = passed
        .iter()
        .map(|&i| batch[i].identifier_key.as_str())
        .collect();
    let id_decisions =
        hit_many(txn, &id_keys, limits.per_identifier, now, limits.window_ms).await?;
    for (&i, d) in passed.iter().zip(id_decisions) {
        decisions[i] = d;
    }
    let admitted: Vec<&NewJob> = batch
        .iter()
        .zip(&decisions)
        .filter(|(_, d)| **d == RateDecision::Admitted)
        .map(|(a, _)| &a.job)
        .collect();
    jobs::insert_many(txn, &admitted).await?;
    Ok(decisions)
}

impl Store {
    /// [`admit_in`] in a transaction of its own (tests).
    #[cfg(test)]
    pub async fn admit(
        &self,
        batch: &[Admission],
        limits: Limits,
        now: i64,
    ) -> Result<Vec<RateDecision>, DbErr> {
        use sea_orm::TransactionTrait;
        let txn = self.writer.begin().await?;
        let decisions = admit_in(&txn, batch, limits, now).await?;
        txn.commit().await?;
        Ok(decisions)
    }

    /// Counts one hit on a plain key (code verification attempts per address).
    pub async fn hit(
        &self,
        key: &str,
        limit: u32,
        now: i64,
        window_ms: i64,
    ) -> Result<RateDecision, DbErr> {
        hit(&self.db, key, limit, now, window_ms).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const WINDOW_MS: i64 = 60_000;

    fn limits(per_identifier: u32, per_ip: u32) -> Limits {
        Limits {
            per_identifier,
            per_ip,
            window_ms: WINDOW_MS,
        }
    }

    fn admission(ip: &str, identifier: &str) -> Admission {
        Admission {
            identifier_key: format!("id:{identifier}"),
            ip_key: format!("ip:{ip}"),
            job: NewJob {
                id: uuid::Uuid::now_v7().to_string(),
                kind: "email".into(),
                identifier: identifier.into(),
                identifier_key: format!("id:{identifier}"),
                lang: None,
                client_ip: ip.into(),
                created_at: 1,
            },
        }
    }

    async fn sqlite_store() -> Store {
        let file = std::env::temp_dir().join(format!("pa-admit-{}.db", uuid::Uuid::new_v4()));
        Store::connect(&format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .unwrap()
    }

    fn limited(d: RateDecision) -> bool {
        matches!(d, RateDecision::Limited { .. })
    }

    async fn repeated_keys_are_counted_in_batch_order(store: Store) {
        let batch = [
            admission("1.1.1.1", "a"),
            admission("1.1.1.1", "a"),
            admission("1.1.1.1", "b"),
            admission("1.1.1.1", "a"),
            admission("2.2.2.2", "c"),
        ];
        let d = store.admit(&batch, limits(2, 3), 1_000_000).await.unwrap();
        // a, a admitted; b admitted (third on the address); fourth over the address limit;
        // the other address is untouched.
        assert_eq!(d[..3], [RateDecision::Admitted; 3]);
        assert!(limited(d[3]));
        assert_eq!(d[4], RateDecision::Admitted);
        assert_eq!(store.pending_jobs().await.unwrap(), 4);

        // A later batch continues the same windows: `a` is at its limit, `c` is not.
        let d = store
            .admit(
                &[admission("3.3.3.3", "a"), admission("3.3.3.3", "c")],
                limits(2, 3),
                1_000_001,
            )
            .await
            .unwrap();
        assert!(limited(d[0]));
        assert_eq!(d[1], RateDecision::Admitted);
        assert_eq!(store.pending_jobs().await.unwrap(), 5);

        // Once the window is over, counting starts again.
        let d = store
            .admit(
                &[admission("3.3.3.3", "a")],
                limits(2, 3),
                1_000_000 + WINDOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(d, [RateDecision::Admitted]);
    }

    #[tokio::test]
    async fn a_batch_counts_repeated_keys_in_order_and_queues_only_the_admitted_on_sqlite() {
        repeated_keys_are_counted_in_batch_order(sqlite_store().await).await;
    }

    #[tokio::test]
    async fn a_batch_counts_repeated_keys_in_order_and_queues_only_the_admitted_on_postgresql() {
        let db = testkit::TestDb::postgres().await;
        repeated_keys_are_counted_in_batch_order(Store::connect(db.url()).await.unwrap()).await;
        db.cleanup().await;
    }

    #[tokio::test]
    async fn a_refused_request_reports_when_its_window_ends() {
        let store = sqlite_store().await;
        let batch = [admission("1.1.1.1", "a"), admission("1.1.1.1", "a")];
        let d = store.admit(&batch, limits(1, 10), 1_000_000).await.unwrap();
        assert_eq!(
            d[1],
            RateDecision::Limited {
                retry_after_s: (WINDOW_MS / 1000) as u64
            }
        );
    }
}
