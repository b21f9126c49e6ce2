//! The families every service shares, labelled by service (the hub serves several on one port) or by
//! consumer, and the gauges read at scrape time from a service's database and from the bus.

use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus::{
    Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry,
};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

use super::{Gauges, age_seconds, register};
use crate::erpnext::ErpError;
use crate::events::EventBus;

/// The longest a scrape waits for a database connection; a saturated pool reads as this.
const ACQUIRE_WAIT_LIMIT: Duration = Duration::from_secs(1);

/// Upper bounds of the ERPNext latency buckets: a healthy site answers in tens of milliseconds, the
/// client gives up at 10 s.
const ERP_BUCKETS: &[f64] = &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

pub(super) struct Families {
    ready: IntGauge,
    checks: IntGaugeVec,
    outbox_pending: IntGaugeVec,
    outbox_age: GaugeVec,
    published: IntCounterVec,
    publish_errors: IntCounterVec,
    consumer_pending: IntGaugeVec,
    consumer_ack_pending: IntGaugeVec,
    consumer_redelivered: IntGaugeVec,
    pool_connections: IntGaugeVec,
    pool_max: IntGaugeVec,
    pool_wait: GaugeVec,
    erp_latency: HistogramVec,
    erp_errors: IntCounterVec,
}

fn int_gauges(
    r: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> prometheus::Result<IntGaugeVec> {
    register(r, IntGaugeVec::new(Opts::new(name, help), labels)?)
}

fn counters(
    r: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> prometheus::Result<IntCounterVec> {
    register(r, IntCounterVec::new(Opts::new(name, help), labels)?)
}

impl Families {
    pub(super) fn register(r: &Registry) -> prometheus::Result<Self> {
        Ok(Self {
            ready: register(
                r,
                IntGauge::new("service_ready", "1 when /readyz would answer 200")?,
            )?,
            checks: int_gauges(
                r,
                "readiness_check_ok",
                "1 when the readiness check passes",
                &["check"],
            )?,
            outbox_pending: int_gauges(
                r,
                "outbox_events_pending",
                "Events in the outbox, not yet accepted by the bus",
                &["service"],
            )?,
            outbox_age: register(
                r,
                GaugeVec::new(
                    Opts::new(
                        "outbox_oldest_event_age_seconds",
                        "Age of the oldest event in the outbox (0 when empty)",
                    ),
                    &["service"],
                )?,
            )?,
            published: counters(
                r,
                "outbox_events_published_total",
                "Events the outbox relay published",
                &["service"],
            )?,
            publish_errors: counters(
                r,
                "outbox_publish_errors_total",
                "Relay rounds stopped by the bus refusing an event",
                &["service"],
            )?,
            consumer_pending: int_gauges(
                r,
                "events_consumer_pending_messages",
                "Messages stored for the consumer, not yet delivered",
                &["consumer"],
            )?,
            consumer_ack_pending: int_gauges(
                r,
                "events_consumer_ack_pending_messages",
                "Messages delivered to the consumer, not yet acknowledged",
                &["consumer"],
            )?,
            consumer_redelivered: int_gauges(
                r,
                "events_consumer_redelivered_messages",
                "Unacknowledged messages delivered more than once",
                &["consumer"],
            )?,
            pool_connections: int_gauges(
                r,
                "db_pool_connections",
                "Database pool connections by state",
                &["service", "state"],
            )?,
            pool_max: int_gauges(
                r,
                "db_pool_max_connections",
                "The database pool's size limit",
                &["service"],
            )?,
            pool_wait: register(
                r,
                GaugeVec::new(
                    Opts::new(
                        "db_pool_acquire_wait_seconds",
                        "How long the last scrape waited for a connection of the pool",
                    ),
                    &["service"],
                )?,
            )?,
            erp_latency: register(
                r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "erpnext_request_duration_seconds",
                        "ERPNext REST call time, failures included",
                    )
                    .buckets(ERP_BUCKETS.to_vec()),
                    &["service", "operation"],
                )?,
            )?,
            erp_errors: counters(
                r,
                "erpnext_request_errors_total",
                "ERPNext calls that failed, by kind",
                &["service", "operation", "kind"],
            )?,
        })
    }

    pub(super) fn record_readiness(&self, checks: &[(&'static str, bool, bool)]) {
        for (name, _, ok) in checks {
            self.checks.with_label_values(&[*name]).set(i64::from(*ok));
        }
        let ready = checks.iter().all(|(_, required, ok)| *ok || !required);
        self.ready.set(i64::from(ready));
    }

    pub(super) fn outbox(&self, service: &str) -> OutboxCounters {
        OutboxCounters {
            published: self.published.with_label_values(&[service]),
            errors: self.publish_errors.with_label_values(&[service]),
        }
    }

    pub(super) fn erpnext(&self, service: &str) -> ErpCallMetrics {
        ErpCallMetrics {
            service: service.to_owned(),
            latency: self.erp_latency.clone(),
            errors: self.erp_errors.clone(),
        }
    }

    pub(super) fn bus_gauges(&self, bus: Arc<dyn EventBus>) -> BusGauges {
        BusGauges {
            bus,
            pending: self.consumer_pending.clone(),
            ack_pending: self.consumer_ack_pending.clone(),
            redelivered: self.consumer_redelivered.clone(),
        }
    }
}

/// The counters of one service's outbox relay.
#[derive(Clone)]
pub struct OutboxCounters {
    /// Events published.
    pub published: IntCounter,
    /// Rounds stopped by the bus refusing an event.
    pub errors: IntCounter,
}

/// What one service's ERPNext client records: each call's time, and the failures by kind.
#[derive(Clone)]
pub struct ErpCallMetrics {
    service: String,
    latency: HistogramVec,
    errors: IntCounterVec,
}

impl ErpCallMetrics {
    /// Records one call of `operation` that started at `started`.
    pub fn observe<T>(&self, operation: &str, started: Instant, result: &Result<T, ErpError>) {
        let labels = [self.service.as_str(), operation];
        self.latency
            .with_label_values(&labels)
            .observe(started.elapsed().as_secs_f64());
        if let Err(e) = result {
            self.errors
                .with_label_values(&[self.service.as_str(), operation, e.kind()])
                .inc();
        }
    }
}

/// A service's outbox backlog and connection pool, read at scrape time.
pub(super) struct DatabaseGauges {
    service: &'static str,
    db: DatabaseConnection,
    pending: IntGauge,
    age: Gauge,
    idle: IntGauge,
    busy: IntGauge,
    max: IntGauge,
    wait: Gauge,
}

impl DatabaseGauges {
    pub(super) fn new(f: &Families, service: &'static str, db: DatabaseConnection) -> Self {
        Self {
            service,
            db,
            pending: f.outbox_pending.with_label_values(&[service]),
            age: f.outbox_age.with_label_values(&[service]),
            idle: f.pool_connections.with_label_values(&[service, "idle"]),
            busy: f.pool_connections.with_label_values(&[service, "busy"]),
            max: f.pool_max.with_label_values(&[service]),
            wait: f.pool_wait.with_label_values(&[service]),
        }
    }

    /// `(events, oldest created_at in ms)` of the outbox.
    async fn outbox_backlog(&self) -> Result<(i64, Option<i64>), DbErr> {
        let backend = self.db.get_database_backend();
        let sql = "SELECT CAST(COUNT(*) AS BIGINT), MIN(created_at) FROM outbox";
        let row = self
            .db
            .query_one_raw(Statement::from_string(backend, sql))
            .await?;
        match row {
            Some(row) => Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)),
            None => Ok((0, None)),
        }
    }

    /// How long taking a connection of the pool takes now (what a request would wait for one),
    /// at most [`ACQUIRE_WAIT_LIMIT`].
    async fn acquire_wait(&self) -> Result<Duration, sea_orm::sqlx::Error> {
        let started = Instant::now();
        let acquire = async {
            match self.db.get_database_backend() {
                DatabaseBackend::Postgres => {
                    drop(self.db.get_postgres_connection_pool().acquire().await?)
                }
                DatabaseBackend::Sqlite => {
                    drop(self.db.get_sqlite_connection_pool().acquire().await?)
                }
                _ => {}
            }
            Ok(())
        };
        match tokio::time::timeout(ACQUIRE_WAIT_LIMIT, acquire).await {
            Ok(acquired) => acquired.map(|()| started.elapsed()),
            Err(_) => Ok(ACQUIRE_WAIT_LIMIT),
        }
    }

    /// `(size, idle, max)` of the pool.
    fn pool(&self) -> Option<(u32, usize, u32)> {
        match self.db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                Some((
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                ))
            }
            DatabaseBackend::Sqlite => {
                let pool = self.db.get_sqlite_connection_pool();
                Some((
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                ))
            }
            _ => None,
        }
    }
}

#[async_trait::async_trait]
impl Gauges for DatabaseGauges {
    async fn refresh(&self) {
        if let Some((size, idle, max)) = self.pool() {
            let idle = i64::try_from(idle).unwrap_or(i64::MAX);
            self.idle.set(idle);
            self.busy.set((i64::from(size) - idle).max(0));
            self.max.set(i64::from(max));
        }
        match self.acquire_wait().await {
            Ok(waited) => self.wait.set(waited.as_secs_f64()),
            Err(e) => {
                tracing::warn!(service = self.service, error = %e, "cannot take a database connection for /metrics")
            }
        }
        if self.wait.get() >= ACQUIRE_WAIT_LIMIT.as_secs_f64() {
            // Saturated: the backlog's query would only queue behind the requests; it keeps its value.
            return;
        }
        match self.outbox_backlog().await {
            Ok((events, oldest)) => {
                self.pending.set(events);
                let now = chrono::Utc::now().timestamp_millis();
                self.age.set(oldest.map_or(0.0, |t| age_seconds(t, now)));
            }
            Err(e) => {
                tracing::warn!(service = self.service, error = %e, "cannot read the outbox backlog for /metrics")
            }
        }
    }
}

/// The backlog of the bus's durable consumers, read at scrape time.
pub(super) struct BusGauges {
    bus: Arc<dyn EventBus>,
    pending: IntGaugeVec,
    ack_pending: IntGaugeVec,
    redelivered: IntGaugeVec,
}

#[async_trait::async_trait]
impl Gauges for BusGauges {
    async fn refresh(&self) {
        match self.bus.consumer_backlog().await {
            Ok(backlogs) => {
                for b in backlogs {
                    let label = [b.durable.as_str()];
                    let int = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
                    self.pending.with_label_values(&label).set(int(b.pending));
                    self.ack_pending
                        .with_label_values(&label)
                        .set(int(b.ack_pending));
                    self.redelivered
                        .with_label_values(&label)
                        .set(int(b.redelivered));
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the consumers' backlog for /metrics"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn gauges(db: DatabaseConnection) -> (Arc<super::super::Metrics>, DatabaseGauges) {
        let metrics = super::super::Metrics::new().unwrap();
        let gauges = DatabaseGauges::new(&metrics.families, "test", db);
        (metrics, gauges)
    }

    /// A pool whose every connection is taken reads as a wait of the whole limit; a free one, as none.
    #[tokio::test]
    async fn a_saturated_pool_shows_as_a_wait_for_a_connection() {
        let mut options = sea_orm::ConnectOptions::new("sqlite::memory:");
        options.max_connections(1).min_connections(1);
        let db = sea_orm::Database::connect(options).await.unwrap();
        let (_metrics, gauges) = gauges(db.clone());
        gauges.refresh().await;
        assert!(gauges.wait.get() < 0.5, "{}", gauges.wait.get());
        assert_eq!(gauges.max.get(), 1);

        let held = db.get_sqlite_connection_pool().acquire().await.unwrap();
        gauges.refresh().await;
        assert_eq!(gauges.wait.get(), ACQUIRE_WAIT_LIMIT.as_secs_f64());
        assert_eq!(gauges.busy.get(), 1);
        drop(held);
    }
}
