//! Group commit for link requests: concurrent requests are admitted (rate-limited and queued) in one
//! database transaction, so each 200 is backed by a durable job without a transaction per request.

use sea_orm::{DatabaseTransaction, DbErr};
use shared::db::{GroupCommit, WriteBatch};

use crate::store::{Admission, Limits, RateDecision, Store, admit_in, now_ms};

/// Hands admissions to the writer task and waits for the verdict.
#[derive(Clone)]
pub struct Admitter {
    writes: GroupCommit<Admissions>,
}

struct Admissions {
    limits: Limits,
}

impl WriteBatch for Admissions {
    type Op = Admission;
    type Out = RateDecision;

    async fn run(
        &self,
        txn: &DatabaseTransaction,
        batch: Vec<Admission>,
    ) -> Result<Vec<RateDecision>, DbErr> {
        admit_in(txn, &batch, self.limits, now_ms()).await
    }
}

impl Admitter {
    /// Starts the writer task. One writer is the fastest on both backends: every batch counts the
    /// same hot rows (a proxy's address), so parallel writers only queue on their row locks
    /// (measured: 1 writer 17.6k–18.2k requests/s on PostgreSQL, 2 writers 16.2k–16.7k, 6 writers 8.5k–9.4k).
    pub fn spawn(store: &Store, limits: Limits) -> Self {
        Self {
            writes: GroupCommit::spawn(store.writer().clone(), Admissions { limits }),
        }
    }

    /// Admits one request; an error means it was not recorded (the caller answers 503).
    pub async fn admit(&self, admission: Admission) -> Result<RateDecision, String> {
        self.writes
            .execute(admission)
            .await
            .map_err(|e| e.to_string())
    }
}
