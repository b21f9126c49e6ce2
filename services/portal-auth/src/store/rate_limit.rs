//! Fixed-window rate limits kept in the database, so that they hold across restarts and replicas.
//! One atomic upsert per key: the window restarts when the previous one is over.

use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

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
    RETURNING hits, window_start";

/// Counts one hit on `key` and says whether it stays within `limit`.
async fn hit<C: ConnectionTrait>(
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
    if hits <= i64::from(limit) {
        return Ok(RateDecision::Admitted);
    }
    let remaining_ms = (window_start + window_ms - now).max(1000);
    Ok(RateDecision::Limited {
        retry_after_s: u64::try_from((remaining_ms + 999) / 1000).unwrap_or(1),
    })
}

impl Store {
    /// Admits a batch of link requests in one transaction (group commit): each is counted against its
    /// client address, then its identifier, and queued when both allow it.
    pub async fn admit(
        &self,
        batch: &[Admission],
        limits: Limits,
        now: i64,
    ) -> Result<Vec<RateDecision>, DbErr> {
        let txn = self.db.begin().await?;
        let mut decisions = Vec::with_capacity(batch.len());
        for a in batch {
            let mut decision = hit(&txn, &a.ip_key, limits.per_ip, now, limits.window_ms).await?;
            if decision == RateDecision::Admitted {
                decision = hit(
                    &txn,
                    &a.identifier_key,
                    limits.per_identifier,
                    now,
                    limits.window_ms,
                )
                .await?;
            }
            if decision == RateDecision::Admitted {
                jobs::insert(&txn, &a.job).await?;
            }
            decisions.push(decision);
        }
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
