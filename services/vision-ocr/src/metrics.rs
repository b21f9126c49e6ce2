//! vision-ocr's own metrics (docs/metrics.md, "vision-ocr"): readings by provider and fallback,
//! their duration, uploads refused, and the jobs waiting. No label names a person or a file.

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Registry};
use shared::metrics::{Gauges, labelled_counter, register};

use crate::store::Store;

/// The refusal codes counted (docs/vision-ocr.md, "Refusals").
const REFUSALS: &[&str] = &[
    "VIS_01", "VIS_02", "VIS_03", "VIS_04", "VIS_05", "VIS_06", "VIS_07", "VIS_09", "VIS_10",
    "VIS_12",
];

/// The handles the routes and the workers move.
#[derive(Clone)]
pub struct VisionMetrics {
    readings: IntCounterVec,
    seconds: HistogramVec,
    refused: IntCounterVec,
    jobs_waiting: IntGauge,
    jobs_oldest_age: IntGauge,
}

impl VisionMetrics {
    /// Registers the metrics in `r`.
    pub fn register(r: &Registry) -> prometheus::Result<Self> {
        let readings = register(
            r,
            IntCounterVec::new(
                prometheus::Opts::new(
                    "vision_readings_total",
                    "Readings answered, by kind, provider and whether Gemini failed first",
                ),
                &["kind", "provider", "fell_back"],
            )?,
        )?;
        for kind in ["invoice", "equipment"] {
            for (provider, fell_back) in
                [("gemini", "false"), ("local", "false"), ("local", "true")]
            {
                readings.with_label_values(&[kind, provider, fell_back]);
            }
        }
        let seconds = register(
            r,
            HistogramVec::new(
                HistogramOpts::new(
                    "vision_reading_seconds",
                    "Time to read one upload, by kind and provider",
                )
                .buckets(vec![0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]),
                &["kind", "provider"],
            )?,
        )?;
        for kind in ["invoice", "equipment"] {
            for provider in ["gemini", "local"] {
                seconds.with_label_values(&[kind, provider]);
            }
        }
        let gauge = |name: &str, help: &str| register(r, IntGauge::new(name, help)?);
        Ok(Self {
            readings,
            seconds,
            refused: labelled_counter(
                r,
                "vision_uploads_refused_total",
                "Uploads refused before any reading, by problem code",
                "code",
                REFUSALS,
            )?,
            jobs_waiting: gauge(
                "vision_jobs_waiting",
                "Jobs (async=true) queued or being read",
            )?,
            jobs_oldest_age: gauge(
                "vision_jobs_oldest_age_seconds",
                "Age of the oldest job waiting (0 when none)",
            )?,
        })
    }

    /// Counts a reading of `kind` by `provider` that took `seconds`.
    pub fn read(&self, kind: &str, provider: &str, fell_back: bool, seconds: f64) {
        let fell_back = if fell_back { "true" } else { "false" };
        self.readings
            .with_label_values(&[kind, provider, fell_back])
            .inc();
        self.seconds
            .with_label_values(&[kind, provider])
            .observe(seconds);
    }

    /// Counts an upload refused with `code`.
    pub fn refused(&self, code: &str) {
        if REFUSALS.contains(&code) {
            self.refused.with_label_values(&[code]).inc();
        }
    }

    /// The jobs' gauges, read at each scrape.
    pub fn backlog_gauges(&self, store: Store) -> BacklogGauges {
        BacklogGauges {
            store,
            metrics: self.clone(),
        }
    }
}

/// The jobs waiting: growing or ageing means the workers cannot keep up or fail again and again.
pub struct BacklogGauges {
    store: Store,
    metrics: VisionMetrics,
}

#[async_trait::async_trait]
impl Gauges for BacklogGauges {
    async fn refresh(&self) {
        match self.store.backlog().await {
            Ok((waiting, oldest_ms)) => {
                let now = chrono::Utc::now().timestamp_millis();
                let m = &self.metrics;
                m.jobs_waiting
                    .set(i64::try_from(waiting).unwrap_or(i64::MAX));
                m.jobs_oldest_age
                    .set(oldest_ms.map_or(0, |t| (now - t).max(0) / 1000));
            }
            Err(e) => tracing::warn!(error = %e, "cannot read vision-ocr's jobs backlog"),
        }
    }
}
