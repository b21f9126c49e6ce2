//! Jobs (`async=true`): the worker that reads them, with retries, and what `GET /vision/jobs/{id}`
//! shows of one.

use std::time::Duration;

use super::answers::{Job, job, refusal_outcome};
use super::{Kind, Vision, lang};
use crate::error::ApiError;
use crate::store::{Outcome, extraction, state};

/// Attempts of a job before it is given up.
const JOB_ATTEMPTS: i32 = 5;

impl Vision {
    /// The job worker: reads waiting jobs one at a time until the process ends.
    pub fn spawn_worker(self) {
        tokio::spawn(async move {
            loop {
                match self.store.claim_job().await {
                    Ok(Some(row)) => self.run_job(row).await,
                    Ok(None) => {
                        let _ = tokio::time::timeout(Duration::from_secs(1), self.jobs.notified())
                            .await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot claim a vision job");
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                }
            }
        });
    }

    async fn run_job(&self, row: extraction::Model) {
        let bytes = bytes::Bytes::from(row.input.clone().unwrap_or_default());
        let images_only = Kind::of(&row) == Kind::Equipment;
        let result = match self.guard.check(bytes, images_only).await {
            Ok(doc) => self.read(&row, &doc).await,
            Err(refused) => Ok((
                refusal_outcome(ApiError::Upload(refused, lang(&row))),
                Vec::new(),
            )),
        };
        let written = match result {
            Ok((outcome, events)) => self.record(&row.id, &outcome, &events).await,
            Err(e) if row.attempts >= JOB_ATTEMPTS => {
                tracing::error!(error = %e, "a vision job is given up after {JOB_ATTEMPTS} attempts");
                self.metrics.refused("VIS_12");
                let outcome = refusal_outcome(ApiError::NoReader(e.to_string(), lang(&row)));
                self.record(
                    &row.id,
                    &Outcome {
                        state: state::FAILED,
                        ..outcome
                    },
                    &[],
                )
                .await
            }
            Err(e) => {
                tracing::warn!(error = %e, attempt = row.attempts, "a vision job will be tried again");
                let pause = 5_000 * 2_i64.pow(u32::try_from(row.attempts).unwrap_or(0).min(6));
                self.store
                    .release(&row.id, shared::db::now_ms() + pause)
                    .await
                    .map_err(ApiError::from)
            }
        };
        if let Err(e) = written {
            tracing::warn!(error = %e, "a vision job's answer could not be recorded");
        }
    }

    /// Job `id`, when `principal` may see it (`None` for staff: every job).
    pub async fn job(&self, id: &str, principal: Option<&str>) -> Result<Option<Job>, ApiError> {
        let row = self.store.get(id).await?;
        Ok(row
            .filter(|r| principal.is_none_or(|p| p == r.principal))
            .map(|r| job(&r)))
    }
}
