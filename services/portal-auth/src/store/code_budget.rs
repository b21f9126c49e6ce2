//! The budget of wrong codes per customer, across all its identifiers and codes, and the global count
//! of wrong codes per minute. State lives in the database, so replicas behave as one.
//!
//! Every code compared and missed counts one failure against its customer, within a window of 24 h
//! that starts at the first failure. The first [`FREE_FAILURES`] cost nothing; each further one
//! blocks the customer's codes for twice as long as the one before (`CODE_BACKOFF_S` doubling); at
//! [`LOCKOUT_FAILURES`] they are blocked until the window ends. A blocked customer's codes are not
//! compared at all (the answer is the same 400). A link sent by email lifts a lockout, back to the
//! first backoff step, at most [`LIFTS_PER_WINDOW`] times a window: the link itself always works.

use sea_orm::{ConnectionTrait, DbErr};

use super::{RateDecision, hit, stmt};

/// Failures without any delay.
pub const FREE_FAILURES: i32 = 5;
/// Failures after which the customer's codes are refused until the window ends or a link lifts it.
pub const LOCKOUT_FAILURES: i32 = 10;
/// Lockouts a link by email may lift per window.
pub const LIFTS_PER_WINDOW: i32 = 3;
/// The budget's window.
pub const BUDGET_WINDOW_MS: i64 = 24 * 3600 * 1000;
/// The key of the global count of failures in `rate_limit`.
const ALL_FAILURES_KEY: &str = "code-fail:all";
/// The window of the global count.
pub const ALL_FAILURES_WINDOW_MS: i64 = 60_000;

/// A customer's budget as read (and locked) before its codes are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Failures in the window.
    pub failures: i32,
    /// When the window started (ms).
    pub window_start: i64,
    /// Codes are not compared before this (ms).
    pub blocked_until: i64,
}

/// When the customer's codes may be compared again after its `failures`-th failure.
pub fn blocked_until(failures: i32, window_start: i64, now: i64, backoff_base_ms: i64) -> i64 {
    if failures < FREE_FAILURES {
        0
    } else if failures >= LOCKOUT_FAILURES {
        window_start + BUDGET_WINDOW_MS
    } else {
        let steps = u32::try_from(failures - FREE_FAILURES).unwrap_or(0);
        now.saturating_add(backoff_base_ms.saturating_mul(1 << steps))
    }
}

// Gets or creates the budget row and locks it for the transaction (an upsert locks on PostgreSQL; a
// write transaction is alone on SQLite); a window that is over starts again.
const OPEN: &str = "INSERT INTO code_budget (key, window_start, failures, lifts, blocked_until) \
    VALUES ($1, $2, 0, 0, 0) ON CONFLICT (key) DO UPDATE SET \
      failures = CASE WHEN code_budget.window_start <= $3 THEN 0 ELSE code_budget.failures END, \
      lifts = CASE WHEN code_budget.window_start <= $3 THEN 0 ELSE code_budget.lifts END, \
      blocked_until = CASE WHEN code_budget.window_start <= $3 THEN 0 ELSE code_budget.blocked_until END, \
      window_start = CASE WHEN code_budget.window_start <= $3 THEN $2 ELSE code_budget.window_start END \
    RETURNING failures, window_start, blocked_until";

/// Reads and locks the budget of `key` (a customer) inside the caller's write transaction.
pub async fn open<C: ConnectionTrait>(db: &C, key: &str, now: i64) -> Result<Budget, DbErr> {
    let row = db
        .query_one_raw(stmt(
            db.get_database_backend(),
            OPEN,
            [key.into(), now.into(), (now - BUDGET_WINDOW_MS).into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("code_budget upsert returned nothing".into()))?;
    Ok(Budget {
        failures: row.try_get_by_index(0)?,
        window_start: row.try_get_by_index(1)?,
        blocked_until: row.try_get_by_index(2)?,
    })
}

/// Records `missed` more failures on an opened budget; none writes it back unchanged.
pub async fn record_failures<C: ConnectionTrait>(
    db: &C,
    key: &str,
    budget: Budget,
    missed: i32,
    now: i64,
    backoff_base_ms: i64,
) -> Result<(), DbErr> {
    let failures = budget.failures.saturating_add(missed);
    let until = match missed {
        0 => budget.blocked_until,
        _ => blocked_until(failures, budget.window_start, now, backoff_base_ms),
    };
    db.execute_raw(stmt(
        db.get_database_backend(),
        "UPDATE code_budget SET failures = $2, blocked_until = $3 WHERE key = $1",
        [key.into(), failures.into(), until.into()],
    ))
    .await?;
    Ok(())
}

/// A right code: the customer's failures are forgotten (the window and its lifts stay).
pub async fn record_success<C: ConnectionTrait>(db: &C, key: &str) -> Result<(), DbErr> {
    db.execute_raw(stmt(
        db.get_database_backend(),
        "UPDATE code_budget SET failures = 0, blocked_until = 0 WHERE key = $1",
        [key.into()],
    ))
    .await?;
    Ok(())
}

/// A link sent by email to `customer`: a lockout is lifted back to the first backoff step, at most
/// [`LIFTS_PER_WINDOW`] times a window.
pub async fn lift_lockout<C: ConnectionTrait>(
    db: &C,
    customer: &str,
    now: i64,
) -> Result<(), DbErr> {
    db.execute_raw(stmt(
        db.get_database_backend(),
        "UPDATE code_budget SET failures = $2, blocked_until = 0, lifts = lifts + 1 \
         WHERE key = $1 AND failures >= $3 AND lifts < $4 AND window_start > $5",
        [
            customer.into(),
            FREE_FAILURES.into(),
            LOCKOUT_FAILURES.into(),
            LIFTS_PER_WINDOW.into(),
            (now - BUDGET_WINDOW_MS).into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Seconds until the global count of failures drops under `cap`, when it is at or over it.
pub async fn all_failures_capped<C: ConnectionTrait>(
    db: &C,
    cap: u32,
    now: i64,
) -> Result<Option<u64>, DbErr> {
    let row = db
        .query_one_raw(stmt(
            db.get_database_backend(),
            "SELECT CAST(hits AS BIGINT), window_start FROM rate_limit WHERE key = $1",
            [ALL_FAILURES_KEY.into()],
        ))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let hits: i64 = row.try_get_by_index(0)?;
    let window_start: i64 = row.try_get_by_index(1)?;
    let ends = window_start + ALL_FAILURES_WINDOW_MS;
    Ok((ends > now && hits >= i64::from(cap))
        .then(|| u64::try_from((ends - now + 999) / 1000).unwrap_or(1)))
}

/// Counts one failure in the global count; true when the count has reached `cap` (from then on,
/// [`all_failures_capped`] refuses every code until the minute ends).
pub async fn count_failure<C: ConnectionTrait>(db: &C, cap: u32, now: i64) -> Result<bool, DbErr> {
    let below = cap.saturating_sub(1);
    let d = hit(db, ALL_FAILURES_KEY, below, now, ALL_FAILURES_WINDOW_MS).await?;
    Ok(matches!(d, RateDecision::Limited { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failures_are_free_then_the_delay_doubles_then_the_window_is_locked() {
        let (start, now, base) = (1_000, 5_000, 30_000);
        for f in 0..FREE_FAILURES {
            assert_eq!(blocked_until(f, start, now, base), 0);
        }
        assert_eq!(blocked_until(5, start, now, base), now + 30_000);
        assert_eq!(blocked_until(6, start, now, base), now + 60_000);
        assert_eq!(blocked_until(9, start, now, base), now + 480_000);
        assert_eq!(
            blocked_until(10, start, now, base),
            start + BUDGET_WINDOW_MS
        );
        assert_eq!(
            blocked_until(40, start, now, base),
            start + BUDGET_WINDOW_MS
        );
    }
}
