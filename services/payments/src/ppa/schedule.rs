//! The daily run at `PPA_TIME` in Quebec (America/Toronto), right across the changes of hour: on
//! the March day an hour is skipped, a time inside it runs an hour later; on the November day an
//! hour comes twice, a time inside it runs at its first occurrence.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone as _, Utc};
use chrono_tz::America::Toronto;

use super::{Mode, RunError, Runner};

/// The first run time strictly after `now`.
pub fn next_run(now: DateTime<Utc>, at: NaiveTime) -> DateTime<Utc> {
    let today = now.with_timezone(&Toronto).date_naive();
    today
        .iter_days()
        .take(3)
        .filter_map(|day| run_time(day, at))
        .find(|t| *t > now)
        .unwrap_or(now + Duration::days(1))
}

/// The instant of `at` on `day` in Quebec.
fn run_time(day: NaiveDate, at: NaiveTime) -> Option<DateTime<Utc>> {
    let local = day.and_time(at);
    let instant = match Toronto.from_local_datetime(&local) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(first, _) => first,
        LocalResult::None => Toronto
            .from_local_datetime(&(local + Duration::hours(1)))
            .earliest()?,
    };
    Some(instant.with_timezone(&Utc))
}

/// The day in Quebec at `now`, when today's run time has passed (a replica started late runs the
/// day it missed; the lease and the finished mark keep it to one run).
fn missed_today(now: DateTime<Utc>, at: NaiveTime) -> Option<NaiveDate> {
    let today = now.with_timezone(&Toronto).date_naive();
    run_time(today, at).filter(|t| *t <= now).map(|_| today)
}

/// Runs auto-pay each day at `at` until the process ends.
pub fn spawn(runner: Runner, at: NaiveTime) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Some(day) = missed_today(Utc::now(), at) {
            runner.run_logged(day).await;
        }
        loop {
            let next = next_run(Utc::now(), at);
            let wait = (next - Utc::now()).to_std().unwrap_or_default();
            tokio::time::sleep(wait).await;
            runner
                .run_logged(next.with_timezone(&Toronto).date_naive())
                .await;
        }
    })
}

impl Runner {
    async fn run_logged(&self, day: NaiveDate) {
        match self.run(day, Mode::Scheduled, &mut |_| {}).await {
            Ok(summary) => tracing::info!(%day, customers = summary.customers,
                charged = summary.charged, amount_cents = summary.amount_cents, "auto-pay run done"),
            Err(RunError::NotTaken) => {
                tracing::info!(%day, "auto-pay run left to the replica holding the day, or done");
            }
            Err(e) => tracing::warn!(%day, error = %e, "auto-pay run not done"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn six_in_the_morning_follows_the_march_change() {
        // 06:00 EST is 11:00 UTC on Saturday 7 March 2026; the clocks go forward on Sunday the 8th.
        assert_eq!(
            next_run(utc("2026-03-07T10:59:00Z"), time(6, 0)),
            utc("2026-03-07T11:00:00Z")
        );
        assert_eq!(
            next_run(utc("2026-03-07T11:00:00Z"), time(6, 0)),
            utc("2026-03-08T10:00:00Z")
        );
    }

    #[test]
    fn six_in_the_morning_follows_the_november_change() {
        // 06:00 EDT is 10:00 UTC on Saturday 31 October 2026; the clocks go back on Sunday 1 November.
        assert_eq!(
            next_run(utc("2026-10-31T10:00:01Z"), time(6, 0)),
            utc("2026-11-01T11:00:00Z")
        );
        assert_eq!(
            next_run(utc("2026-11-01T11:00:00Z"), time(6, 0)),
            utc("2026-11-02T11:00:00Z")
        );
    }

    #[test]
    fn a_time_skipped_in_march_runs_an_hour_later_and_a_doubled_one_once_in_november() {
        assert_eq!(
            next_run(utc("2026-03-08T05:00:00Z"), time(2, 30)),
            utc("2026-03-08T07:30:00Z")
        );
        let first = next_run(utc("2026-11-01T04:00:00Z"), time(1, 30));
        assert_eq!(first, utc("2026-11-01T05:30:00Z"));
        assert_eq!(next_run(first, time(1, 30)), utc("2026-11-02T06:30:00Z"));
    }

    #[test]
    fn a_replica_started_after_the_hour_runs_the_day_it_missed() {
        let at = time(6, 0);
        assert_eq!(missed_today(utc("2026-12-07T10:59:00Z"), at), None);
        assert_eq!(
            missed_today(utc("2026-12-07T11:00:00Z"), at),
            Some("2026-12-07".parse().unwrap())
        );
        // 23:30 in Montréal on the 7th is the 8th in UTC.
        assert_eq!(
            missed_today(utc("2026-12-08T04:30:00Z"), at),
            Some("2026-12-07".parse().unwrap())
        );
    }
}
