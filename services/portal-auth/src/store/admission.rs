//! Admission of link requests: a batch counted against its addresses and identifiers and its jobs
//! queued, in one statement on PostgreSQL (group commit, see `admit.rs`).

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use shared::db::pg_array;

use super::rate_limit::{LimitKey, decide};
use super::{Limits, NewJob, RateDecision, Store, jobs, stmt};

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

// One upsert for a whole batch: each distinct key with its number of hits in the batch. PostgreSQL
// takes them as two arrays (bound in binary: nothing to parse), SQLite as one JSON parameter, so that
// the statement text (and its prepared plan) never changes with the batch.
const COUNT_PG: &str = "INSERT INTO rate_limit (key, window_start, hits) \
    SELECT b.key, $2, b.n FROM unnest($1::text[], $4::int8[]) AS b(key, n)";

// SQLite needs `WHERE true` to tell the upsert's ON from a join's.
const COUNT_SQLITE: &str = "INSERT INTO rate_limit (key, window_start, hits) \
    SELECT value ->> 'key', $2, value ->> 'n' FROM jsonb_each(jsonb($1)) WHERE true";

const COUNT_UPSERT: &str = " ON CONFLICT (key) DO UPDATE SET \
      hits = CASE WHEN rate_limit.window_start <= $3 THEN excluded.hits ELSE rate_limit.hits + excluded.hits END, \
      window_start = CASE WHEN rate_limit.window_start <= $3 THEN excluded.window_start ELSE rate_limit.window_start END \
    RETURNING key, CAST(hits AS BIGINT), window_start";

// Takes back hits counted earlier in the same transaction (the rows exist, so this is always the
// update; an upsert finds its rows through the primary key whatever the table's statistics). A key
// left with no hit gets an expired window: the next hit starts a window of its own, as if this batch
// had never counted it.
const UNCOUNT_UPSERT: &str = " ON CONFLICT (key) DO UPDATE SET \
      hits = rate_limit.hits - excluded.hits, \
      window_start = CASE WHEN rate_limit.hits = excluded.hits THEN $3 ELSE rate_limit.window_start END";

// PostgreSQL: every job of the batch ($5..$12, after the count's $1..$4), queued by the counting
// statement itself as a data-modifying CTE; the jobs of refused requests are deleted afterwards
// (rare). The usual batch does not get here: ADMIT_ALL_PG runs the same without a transaction.
const QUEUE_JOBS_PG: &str = "WITH queued AS (INSERT INTO link_job \
      (id, kind, identifier, identifier_key, lang, client_ip, created_at, run_after, traceparent) \
      SELECT j.id, j.kind, j.identifier, j.identifier_key, NULLIF(j.lang, ''), j.client_ip, j.created_at, j.created_at, \
        NULLIF(j.traceparent, '') \
      FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int8[], $12::text[]) \
        AS j(id, kind, identifier, identifier_key, lang, client_ip, created_at, traceparent)) ";

// PostgreSQL, the usual batch in one statement that commits alone: counts and jobs as in the
// transaction below, then every key's new count checked against its limit ($13 for addresses, $14 for
// identifiers); one over it aborts the whole statement with OVER_LIMIT_PG, writing nothing.
static ADMIT_ALL_PG: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{QUEUE_JOBS_PG}, counted (key, hits, window_start) AS ({COUNT_PG}{COUNT_UPSERT}) \
         SELECT bool_and(portal_auth_within_limit(\
           c.hits <= CASE WHEN c.key LIKE 'ip:%' THEN $13 ELSE $14 END)) FROM counted AS c"
    )
});

/// The SQLSTATE `portal_auth_within_limit` raises (migration `m20261128_000002`).
const OVER_LIMIT_PG: &str = "GFRL1";

fn pg_count_values(counts: &[(&str, i64)], now: i64, edge: i64) -> Vec<sea_orm::Value> {
    vec![
        pg_array(counts, |(key, _)| (*key).to_owned()),
        now.into(),
        edge.into(),
        pg_array(counts, |(_, n)| *n),
    ]
}

/// PostgreSQL: admits and queues every request of `batch` in one statement, which needs no
/// transaction, when none of them is over a limit. Otherwise the statement fails and writes nothing;
/// [`must_admit_in_transaction`] tells that failure, and [`admit_in`] then decides request by request.
pub async fn admit_all_pg<C: ConnectionTrait>(
    db: &C,
    batch: &[Admission],
    limits: Limits,
    now: i64,
) -> Result<(), DbErr> {
    let (ip_counts, id_counts) = key_counts(batch);
    let counts = in_lock_order(&ip_counts, &id_counts);
    let jobs: Vec<&NewJob> = batch.iter().map(|a| &a.job).collect();
    let mut values = pg_count_values(&counts, now, now - limits.window_ms);
    values.extend(jobs::pg_columns(&jobs));
    values.push(i64::from(limits.per_ip).into());
    values.push(i64::from(limits.per_identifier).into());
    db.execute_raw(stmt(DbBackend::Postgres, &ADMIT_ALL_PG, values))
        .await?;
    Ok(())
}

/// Whether a failed [`admit_all_pg`] wrote nothing and its batch must go through [`admit_in`]: a
/// request is over a limit, or the server ended the session before running the statement (a
/// connection that died idle: SQLSTATE class 57, operator intervention).
pub fn must_admit_in_transaction(e: &DbErr) -> bool {
    shared::db::sqlstate(e).is_some_and(|code| code == OVER_LIMIT_PG)
        || shared::db::session_ended(e)
}

/// Per key: its hits in the current window (this batch's included) and when that window started.
type Windows = HashMap<String, (i64, i64)>;

/// What [`count`] does with a batch's keys.
enum Counting<'a> {
    /// Add the batch's hits to their windows, restarting windows that are over.
    Add,
    /// The same, and queue these jobs in the same statement (PostgreSQL).
    AddAndQueue(&'a [&'a NewJob]),
    /// Take back hits counted earlier in this transaction.
    TakeBack,
}

/// Counts `counts` (key, hits of this batch), in that order, in one statement; gives each key's
/// window after it (none when taking back).
async fn count<C: ConnectionTrait>(
    db: &C,
    counts: &[(&str, i64)],
    how: Counting<'_>,
    now: i64,
    window_ms: i64,
) -> Result<Windows, DbErr> {
    let backend = db.get_database_backend();
    let edge = now - window_ms;
    let (insert, mut values) = match backend {
        DbBackend::Postgres => (COUNT_PG, pg_count_values(counts, now, edge)),
        _ => {
            let param = counts
                .iter()
                .map(|(key, n)| serde_json::json!({ "key": key, "n": n }))
                .collect::<serde_json::Value>();
            (
                COUNT_SQLITE,
                vec![param.to_string().into(), now.into(), edge.into()],
            )
        }
    };
    let sql = match how {
        Counting::Add => format!("{insert}{COUNT_UPSERT}"),
        Counting::AddAndQueue(jobs) => {
            values.extend(jobs::pg_columns(jobs));
            format!("{QUEUE_JOBS_PG}{insert}{COUNT_UPSERT}")
        }
        Counting::TakeBack => {
            let sql = format!("{insert}{UNCOUNT_UPSERT}");
            db.execute_raw(stmt(backend, &sql, values)).await?;
            return Ok(Windows::new());
        }
    };
    let rows = db.query_all_raw(stmt(backend, &sql, values)).await?;
    rows.iter()
        .map(|row| {
            let key: String = row.try_get_by_index(0)?;
            Ok((key, (row.try_get_by_index(1)?, row.try_get_by_index(2)?)))
        })
        .collect()
}

/// Each entry of `keys` (a key may repeat) gets the verdict it would have had counted alone, in
/// order: the first of a key finds the count from before this batch, then one more each time.
fn verdicts(
    keys: &[&str],
    windows: &Windows,
    counts: &Counts<'_>,
    limit: u32,
    now: i64,
    window_ms: i64,
    by: LimitKey,
) -> Result<Vec<RateDecision>, DbErr> {
    let mut seen: HashMap<&str, i64> = HashMap::with_capacity(counts.len());
    keys.iter()
        .map(|key| {
            let (hits, window_start) = windows
                .get(*key)
                .ok_or_else(|| DbErr::RecordNotFound("rate_limit upsert skipped a key".into()))?;
            let before = hits - counts.get(key).copied().unwrap_or(0);
            let nth = seen.entry(key).or_default();
            *nth += 1;
            Ok(decide(
                before + *nth,
                *window_start,
                limit,
                now,
                window_ms,
                by,
            ))
        })
        .collect()
}

/// Admits a batch of link requests inside the caller's write transaction (group commit): each is
/// counted against its client address, then its identifier, and queued when both allow it. The
/// outcome is the same as admitting them one by one in batch order, but the usual batch costs one
/// statement on PostgreSQL (address and identifier keys counted by one upsert, which also queues
/// every job) and two on SQLite (the count, then the admitted jobs). Address keys start with `ip:`,
/// identifier keys are base64url: they never meet. Refusals cost a statement more: the jobs of
/// refused requests are deleted (PostgreSQL), and requests refused by their address have their
/// identifier hits taken back (an address over its limit must not lock anyone out).
pub async fn admit_in<C: ConnectionTrait>(
    txn: &C,
    batch: &[Admission],
    limits: Limits,
    now: i64,
) -> Result<Vec<RateDecision>, DbErr> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let (ip_counts, mut id_counts) = key_counts(batch);
    let counts = in_lock_order(&ip_counts, &id_counts);
    let on_postgres = txn.get_database_backend() == DbBackend::Postgres;
    let all_jobs: Vec<&NewJob> = batch.iter().map(|a| &a.job).collect();
    let how = if on_postgres {
        Counting::AddAndQueue(&all_jobs)
    } else {
        Counting::Add
    };
    let mut windows = count(txn, &counts, how, now, limits.window_ms).await?;
    let ip_keys: Vec<&str> = batch.iter().map(|a| a.ip_key.as_str()).collect();
    let mut decisions = verdicts(
        &ip_keys,
        &windows,
        &ip_counts,
        limits.per_ip,
        now,
        limits.window_ms,
        LimitKey::Address,
    )?;
    take_back_refused(
        txn,
        batch,
        &decisions,
        &mut id_counts,
        &mut windows,
        now,
        limits.window_ms,
    )
    .await?;

    let passed: Vec<usize> = (0..batch.len())
        .filter(|&i| decisions[i] == RateDecision::Admitted)
        .collect();
    let id_keys: Vec<&str> = passed
        .iter()
        .map(|&i| batch[i].identifier_key.as_str())
        .collect();
    let id_decisions = verdicts(
        &id_keys,
        &windows,
        &id_counts,
        limits.per_identifier,
        now,
        limits.window_ms,
        LimitKey::Identifier,
    )?;
    for (&i, d) in passed.iter().zip(id_decisions) {
        decisions[i] = d;
    }
    queue_admitted(txn, batch, &decisions, on_postgres).await?;
    Ok(decisions)
}

type Counts<'a> = BTreeMap<&'a str, i64>;

/// Hits per address key and per identifier key in a batch.
fn key_counts(batch: &[Admission]) -> (Counts<'_>, Counts<'_>) {
    let (mut ip, mut id) = (Counts::new(), Counts::new());
    for a in batch {
        *ip.entry(&a.ip_key).or_default() += 1;
        *id.entry(&a.identifier_key).or_default() += 1;
    }
    (ip, id)
}

/// The order in which a batch locks its rows, the same everywhere so that concurrent batches cannot
/// deadlock: address keys sorted, then identifier keys sorted (as builds that counted them in two
/// statements did, so a rolling upgrade cannot deadlock either).
fn in_lock_order<'a>(ip: &Counts<'a>, id: &Counts<'a>) -> Vec<(&'a str, i64)> {
    ip.iter().chain(id).map(|(k, n)| (*k, *n)).collect()
}

/// Takes back the identifier hits of the requests their address refused, and forgets them in
/// `id_counts` and `windows`.
async fn take_back_refused<'a, C: ConnectionTrait>(
    txn: &C,
    batch: &'a [Admission],
    decisions: &[RateDecision],
    id_counts: &mut Counts<'a>,
    windows: &mut Windows,
    now: i64,
    window_ms: i64,
) -> Result<(), DbErr> {
    let mut refused = Counts::new();
    for (a, d) in batch.iter().zip(decisions) {
        if *d != RateDecision::Admitted {
            *refused.entry(&a.identifier_key).or_default() += 1;
        }
    }
    if refused.is_empty() {
        return Ok(());
    }
    let take_back: Vec<(&str, i64)> = refused.iter().map(|(k, n)| (*k, *n)).collect();
    count(txn, &take_back, Counting::TakeBack, now, window_ms).await?;
    for (key, n) in &refused {
        if let (Some(c), Some((hits, _))) = (id_counts.get_mut(key), windows.get_mut(*key)) {
            *c -= n;
            *hits -= n;
        }
    }
    Ok(())
}

/// Leaves exactly the admitted requests' jobs queued: on PostgreSQL every job was queued with the
/// count, so the refused ones' are deleted; on SQLite the admitted ones are inserted.
async fn queue_admitted<C: ConnectionTrait>(
    txn: &C,
    batch: &[Admission],
    decisions: &[RateDecision],
    all_queued: bool,
) -> Result<(), DbErr> {
    let (admitted, refused): (Vec<_>, Vec<_>) = batch
        .iter()
        .zip(decisions)
        .partition(|(_, d)| **d == RateDecision::Admitted);
    if !all_queued {
        let admitted: Vec<&NewJob> = admitted.iter().map(|(a, _)| &a.job).collect();
        return jobs::insert_many_sqlite(txn, &admitted).await;
    }
    if !refused.is_empty() {
        let refused: Vec<&str> = refused.iter().map(|(a, _)| a.job.id.as_str()).collect();
        jobs::delete_many_pg(txn, &refused).await?;
    }
    Ok(())
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
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests;
