//! Storage of portal-auth: SQLite (embedded) or PostgreSQL, through sea-orm with raw, portable SQL.
//! Every table is owned by this service; see `docs/portal-auth.md` for the schema.

mod codes;
mod jobs;
mod migrations;
mod rate_limit;
mod revocations;
mod short_links;

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait, Value,
};
use sea_orm_migration::MigratorTrait;

pub use codes::{CodeCheck, NewCode, insert_code};
pub use jobs::{LinkJob, NewJob, delete_job, retry_job};
pub use migrations::Migrator;
pub use rate_limit::{Admission, Limits, RateDecision, hit};
pub use revocations::{RevocationEntry, token_version};
pub use short_links::insert_short_link;

/// The database of portal-auth.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        if let Some(dir) = sqlite_file(url).and_then(|p| std::path::Path::new(p).parent()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbErr::Custom(format!("cannot create {dir:?}: {e}")))?;
        }
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(if url.starts_with("sqlite") { 4 } else { 16 })
            .connect_timeout(Duration::from_secs(5))
            .sqlx_logging(false);
        // Per-connection settings, applied to every connection of the pool: WAL lets readers run beside
        // the writer; NORMAL sync is durable in WAL mode except against power loss of the last commits
        // (the usual trade-off for an embedded default); busy_timeout makes writers queue, not fail.
        opts.map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .pragma("mmap_size", "268435456")
                .pragma("temp_store", "memory")
        });
        let db = Database::connect(opts).await?;
        Migrator::up(&db, None).await?;
        Ok(Self { db })
    }

    /// The connection, for the outbox relay and readiness.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Whether this is the embedded SQLite database (one writer at a time).
    pub fn is_sqlite(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Sqlite
    }

    /// A cheap query for `/readyz`.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.db.ping().await
    }
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:")).then_some(path)
}

/// A statement written with `$1`-style placeholders, rewritten to `?1` for SQLite.
pub(crate) fn stmt<I: IntoIterator<Item = Value>>(
    backend: DbBackend,
    sql: &str,
    values: I,
) -> Statement {
    let sql = match backend {
        DbBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Begins a transaction that reads then writes. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that read first cannot wait for the lock when it
/// later writes and fails at once with "database is locked" under concurrent writers.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Deletes rows that can no longer matter (expired codes, links, revocations, old rate windows).
pub async fn purge_expired<C: ConnectionTrait>(
    db: &C,
    now: i64,
    window_ms: i64,
) -> Result<(), DbErr> {
    let b = db.get_database_backend();
    db.execute_raw(stmt(
        b,
        "DELETE FROM login_code WHERE expires_at < $1",
        [now.into()],
    ))
    .await?;
    db.execute_raw(stmt(
        b,
        "DELETE FROM short_link WHERE expires_at < $1",
        [now.into()],
    ))
    .await?;
    db.execute_raw(stmt(
        b,
        "DELETE FROM revocation WHERE expires_at < $1",
        [now.into()],
    ))
    .await?;
    db.execute_raw(stmt(
        b,
        "DELETE FROM rate_limit WHERE window_start < $1",
        [(now - window_ms).into()],
    ))
    .await?;
    Ok(())
}
