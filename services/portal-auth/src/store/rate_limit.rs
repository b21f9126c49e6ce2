//! Fixed-window rate limits kept in the database, so that they hold across restarts and replicas.
//! One atomic upsert per key: the window restarts when the previous one is over. The admission of
//! link requests (`admission.rs`) counts whole batches with the same windows.

use sea_orm::{ConnectionTrait, DbErr};

use super::{Store, stmt};

/// The outcome of one admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    /// Counted and queued.
    Admitted,
    /// Over a limit; nothing queued.
    Limited {
        /// Seconds until the window that refused it ends.
        retry_after_s: u64,
        /// Which limit refused it.
        by: LimitKey,
    },
}

/// The kind of key whose limit refused a request (the label of the link requests' metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKey {
    /// The client address (an IPv6 client's /64).
    Address,
    /// The identifier typed.
    Identifier,
    /// Any other counted key (code tries, daily message caps).
    Other,
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
    Ok(decide(
        hits,
        window_start,
        limit,
        now,
        window_ms,
        LimitKey::Other,
    ))
}

/// The verdict on the request that brought a key's count to `hits`.
pub(super) fn decide(
    hits: i64,
    window_start: i64,
    limit: u32,
    now: i64,
    window_ms: i64,
    by: LimitKey,
) -> RateDecision {
    if hits <= i64::from(limit) {
        return RateDecision::Admitted;
    }
    let remaining_ms = (window_start + window_ms - now).max(1000);
    RateDecision::Limited {
        retry_after_s: u64::try_from((remaining_ms + 999) / 1000).unwrap_or(1),
        by,
    }
}

impl Store {
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
