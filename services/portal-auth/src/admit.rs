//! Group commit for link requests: concurrent requests are admitted (rate-limited and queued) in one
//! database transaction, so each 200 is backed by a durable job without a transaction per request.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::store::Limits;
use crate::store::{Admission, RateDecision, Store, now_ms};

const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<RateDecision, String>>;

/// Hands admissions to the writer tasks and waits for the verdict.
#[derive(Clone)]
pub struct Admitter {
    tx: mpsc::Sender<(Admission, Reply)>,
}

impl Admitter {
    /// Starts the writer task. One writer is the fastest on both backends: every batch counts the
    /// same hot rows (a proxy's address), so parallel writers only queue on their row locks
    /// (measured: 1 writer 17.6k–18.2k requests/s on PostgreSQL, 2 writers 16.2k–16.7k, 6 writers 8.5k–9.4k).
    pub fn spawn(store: Store, limits: Limits) -> Self {
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(write_batches(store, limits, rx));
        Self { tx }
    }

    /// Admits one request; an error means it was not recorded (the caller answers 503).
    pub async fn admit(&self, admission: Admission) -> Result<RateDecision, String> {
        let (reply, verdict) = oneshot::channel();
        self.tx
            .send((admission, reply))
            .await
            .map_err(|_| "admission writer stopped".to_owned())?;
        verdict
            .await
            .map_err(|_| "admission writer dropped the request".to_owned())?
    }
}

async fn write_batches(store: Store, limits: Limits, mut rx: mpsc::Receiver<(Admission, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        if rx.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return;
        }
        let (admissions, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        let outcome = store.admit(&admissions, limits, now_ms()).await;
        match outcome {
            Ok(decisions) => {
                for (reply, d) in replies.into_iter().zip(decisions) {
                    let _ = reply.send(Ok(d));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, batch = admissions.len(), "cannot record link requests");
                for reply in replies {
                    let _ = reply.send(Err(e.to_string()));
                }
                // Give a struggling database a moment rather than hammering it.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
