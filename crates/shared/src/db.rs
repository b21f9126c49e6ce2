//! Database plumbing shared by the services: connecting to SQLite (embedded) or PostgreSQL with
//! the right per-connection settings, portable raw statements, write transactions, timestamps.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait, Value,
};

/// Connects to `url` (`sqlite://…` or `postgres://…`), creating the SQLite file's directory.
/// SQLite settings apply to every pooled connection: WAL lets readers run beside the writer; NORMAL
/// sync is durable in WAL mode against a process crash (not against power loss of the last commits,
/// the usual trade-off of an embedded default); busy_timeout makes writers queue instead of failing.
/// Checkpoints run beside the writers: a background task checkpoints (PASSIVE) every 50 ms while
/// the database is being written, so a commit never copies the WAL back itself. SQLite's automatic
/// checkpoint, in the committing writer, stalled it on two fsyncs every few batches of link requests
/// (default, every 1,000 WAL pages) or for ~80 ms at a time (every 16,384); it stays at 16,384 pages
/// as a safety net. Small checkpoints matter too: the first commit after a complete checkpoint syncs
/// the WAL header, and that fsync waits behind the checkpoint's own flush of the database file (one
/// journal on the file system), so the tail latency of writers grows with the checkpoint's size
/// (request-link p99 on SQLite: ~55-65 ms checkpointing every 1 s, 22-26 ms every 250 ms, 9.5-11 ms
/// every 50 ms, at the same throughput).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect_pool(url, if url.starts_with("sqlite") { 4 } else { 16 }).await?;
    if sqlite_file(url).is_some() {
        tokio::spawn(checkpoint_wal(db.clone()));
    }
    Ok(db)
}

const CHECKPOINT_BUSY: Duration = Duration::from_millis(50);
// At most this much WAL piles up before the first checkpoint of a burst (see above).
const CHECKPOINT_IDLE: Duration = Duration::from_millis(200);

/// Copies the WAL back into the database file without blocking writers or readers: every 50 ms while
/// the WAL changes, backing off to every 200 ms while it does not; ends with the runtime, or when the
/// database is gone.
async fn checkpoint_wal(db: DatabaseConnection) {
    let mut pause = CHECKPOINT_BUSY;
    let mut last = None;
    loop {
        tokio::time::sleep(pause).await;
        let wal = match db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA wal_checkpoint(PASSIVE)",
            ))
            .await
        {
            // (busy, frames in the WAL, frames copied back)
            Ok(Some(row)) => (
                row.try_get_by_index::<i64>(1).ok(),
                row.try_get_by_index::<i64>(2).ok(),
            ),
            Ok(None) => (None, None),
            Err(e) => {
                tracing::warn!(error = %e, "WAL checkpoint failed; SQLite's automatic one takes over");
                return;
            }
        };
        pause = if last == Some(wal) {
            (pause * 2).min(CHECKPOINT_IDLE)
        } else {
            CHECKPOINT_BUSY
        };
        last = Some(wal);
    }
}

/// [`connect`] with a pool of at most `max` connections.
async fn connect_pool(url: &str, max: u32) -> Result<DatabaseConnection, DbErr> {
    Database::connect(options(url, max)?).await
}

/// The pool of a [`GroupCommit`] writer, which has a database to itself.
///
/// SQLite: one connection of its own. A connection drops its whole page cache when another one wrote
/// since its last transaction, so batches handed round a pool re-read every page they touch
/// (measured on link requests: 16.0-18.4k/s against 13.6-14.7k).
///
/// PostgreSQL: two connections, opened at once (a first batch would wait ~100 ms for a TLS handshake
/// and a login on a busy machine), not pinged when taken. sqlx pings every connection as it comes
/// back to the pool (and closes a broken one); a ping on taking it as well put two extra round trips
/// in every batch, each a wait for the database process to be scheduled on a busy machine. With two
/// connections, one is free while the other is pinged. One that died idle fails at `BEGIN`, which
/// the writer tries again (see [`GroupCommit`]).
pub async fn connect_writer(url: &str) -> Result<DatabaseConnection, DbErr> {
    if url.starts_with("sqlite") {
        return connect_pool(url, 1).await;
    }
    let mut opts = options(url, 2)?;
    opts.min_connections(2).test_before_acquire(false);
    Database::connect(opts).await
}

fn options(url: &str, max: u32) -> Result<ConnectOptions, DbErr> {
    if let Some(dir) = sqlite_file(url).and_then(|p| std::path::Path::new(p).parent()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {dir:?}: {e}")))?;
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max)
        .connect_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    opts.map_sqlx_sqlite_opts(|o| {
        use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
        o.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .pragma("wal_autocheckpoint", "16384")
            .pragma("mmap_size", "268435456")
            .pragma("temp_store", "memory")
    });
    Ok(opts)
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:")).then_some(path)
}

/// A statement written with `$1`-style placeholders, rewritten to `?1` for SQLite.
pub fn stmt<I: IntoIterator<Item = Value>>(backend: DbBackend, sql: &str, values: I) -> Statement {
    let sql = match backend {
        DbBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// One PostgreSQL array parameter holding `field` of every row (bound in binary, so a batch of rows
/// costs the database nothing to parse; `unnest($1::text[], $2::int8[])` reads it as a table).
pub fn pg_array<T, V>(rows: &[T], field: impl Fn(&T) -> V) -> Value
where
    Vec<V>: Into<Value>,
{
    rows.iter().map(field).collect::<Vec<V>>().into()
}

/// The SQLSTATE of a database's error, if it is one.
pub fn sqlstate(e: &DbErr) -> Option<String> {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = e else {
        return None;
    };
    match &**e {
        sea_orm::sqlx::Error::Database(e) => e.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// Whether the server ended the session before running the statement that failed (SQLSTATE class 57,
/// operator intervention: a connection that died idle, terminated or restarted). Nothing was done;
/// the same writes can go again on another connection.
pub fn session_ended(e: &DbErr) -> bool {
    sqlstate(e).is_some_and(|code| code.starts_with("57"))
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

/// A migration step that is plain SQL, the same on SQLite and PostgreSQL: `up` applies it, `down`
/// undoes it. Its `name` is recorded in the service's migration table, so it never changes once shipped.
#[derive(Debug, Clone, Copy)]
pub struct SqlMigration {
    /// `m<date>_<seq>_<what>`.
    pub name: &'static str,
    /// Statements applying the step.
    pub up: &'static str,
    /// Statements undoing it.
    pub down: &'static str,
}

impl sea_orm_migration::MigrationName for SqlMigration {
    fn name(&self) -> &str {
        self.name
    }
}

#[async_trait::async_trait]
impl sea_orm_migration::MigrationTrait for SqlMigration {
    async fn up(&self, manager: &sea_orm_migration::SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(self.up).await?;
        Ok(())
    }

    async fn down(&self, manager: &sea_orm_migration::SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(self.down)
            .await?;
        Ok(())
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Group commit: writes sent from many tasks at once run together, in one write transaction and one
/// commit, each caller getting its own result. What a batch does is the owner's [`WriteBatch`]:
/// typically one multi-row statement per kind of write, so that a batch costs a few round trips to
/// the database whatever its size. A failed statement or commit fails the whole batch (every caller
/// sees an error and retries), so nothing is half-done. A batch that cannot begin is tried again at
/// once (nothing was done yet), up to three times: a connection that died idle fails there.
pub struct GroupCommit<B: WriteBatch> {
    tx: tokio::sync::mpsc::Sender<(B::Op, Reply<B::Out>)>,
}

impl<B: WriteBatch> Clone for GroupCommit<B> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
        }
    }
}

impl<B: WriteBatch> std::fmt::Debug for GroupCommit<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

/// How a batch of writes runs.
pub trait WriteBatch: Send + Sync + 'static {
    /// One caller's write.
    type Op: Send + 'static;
    /// One caller's result.
    type Out: Send + 'static;
    /// Tries `ops` without a transaction (one statement, which the database commits alone: on
    /// PostgreSQL a `BEGIN` and a `COMMIT` are two round trips more per batch). `Ok(None)` when that
    /// statement wrote nothing and the batch must run in a transaction ([`WriteBatch::run`]) instead.
    /// The default always says so.
    fn run_alone<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        ops: &'a [Self::Op],
    ) -> impl std::future::Future<Output = Result<Option<Vec<Self::Out>>, DbErr>> + Send + 'a {
        let _ = (db, ops);
        std::future::ready(Ok(None))
    }
    /// Runs `ops` inside `txn`; one result per op, in order.
    fn run<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        ops: Vec<Self::Op>,
    ) -> impl std::future::Future<Output = Result<Vec<Self::Out>, DbErr>> + Send + 'a;
}

type Reply<T> = tokio::sync::oneshot::Sender<Result<T, DbErr>>;

const MAX_GROUP: usize = 256;

impl<B: WriteBatch> GroupCommit<B> {
    /// Starts the writer task on `db`.
    pub fn spawn(db: DatabaseConnection, batch: B) -> Self {
        let (tx, rx) = tokio::sync::mpsc::channel(4096);
        tokio::spawn(write_batches(db, batch, rx));
        Self { tx }
    }

    /// Runs `op` in the next batch.
    pub async fn execute(&self, op: B::Op) -> Result<B::Out, DbErr> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.tx
            .send((op, reply))
            .await
            .map_err(|_| DbErr::Custom("the group-commit writer stopped".into()))?;
        answer
            .await
            .map_err(|_| DbErr::Custom("the group-commit writer dropped a write".into()))?
    }
}

async fn write_batches<B: WriteBatch>(
    db: DatabaseConnection,
    batch: B,
    mut rx: tokio::sync::mpsc::Receiver<(B::Op, Reply<B::Out>)>,
) {
    let mut pending = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut pending, MAX_GROUP).await > 0 {
        let (ops, replies): (Vec<_>, Vec<_>) = pending.drain(..).unzip();
        let outcome = match batch.run_alone(&db, &ops).await {
            Ok(Some(outs)) => checked(outs, ops.len()),
            Ok(None) => in_transaction(&db, &batch, ops).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(outs) => replies.into_iter().zip(outs).for_each(|(r, out)| {
                let _ = r.send(Ok(out));
            }),
            Err(e) => {
                tracing::error!(error = %e, batch = replies.len(), "a batch of writes failed; none was recorded");
                let message = e.to_string();
                replies.into_iter().for_each(|r| {
                    let _ = r.send(Err(DbErr::Custom(message.clone())));
                });
                // Give a struggling database a moment rather than hammering it.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

async fn in_transaction<B: WriteBatch>(
    db: &DatabaseConnection,
    batch: &B,
    ops: Vec<B::Op>,
) -> Result<Vec<B::Out>, DbErr> {
    let expected = ops.len();
    let txn = begin_batch(db).await?;
    let outs = checked(batch.run(&txn, ops).await?, expected)?;
    txn.commit().await?;
    Ok(outs)
}

fn checked<T>(outs: Vec<T>, expected: usize) -> Result<Vec<T>, DbErr> {
    if outs.len() == expected {
        Ok(outs)
    } else {
        Err(DbErr::Custom(
            "a write batch gave the wrong number of results".into(),
        ))
    }
}

// A writer's pool holds two connections ([`connect_writer`]), both of which may have died idle:
// the third attempt gets a fresh one.
const BEGIN_ATTEMPTS: usize = 3;

async fn begin_batch(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let mut attempt = 1;
    loop {
        match begin_write(db).await {
            Err(e) if attempt < BEGIN_ATTEMPTS => {
                tracing::warn!(error = %e, attempt, "cannot begin a batch of writes; trying again");
                attempt += 1;
            }
            begun => return begun,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_question_marks_on_sqlite_only() {
        let s = stmt(DbBackend::Sqlite, "SELECT $1, $2", [1.into(), 2.into()]);
        assert_eq!(s.sql, "SELECT ?1, ?2");
        let p = stmt(DbBackend::Postgres, "SELECT $1", [1.into()]);
        assert_eq!(p.sql, "SELECT $1");
    }

    #[test]
    fn only_sqlite_files_have_a_directory_to_create() {
        assert_eq!(
            sqlite_file("sqlite://var/hub.db?mode=rwc"),
            Some("var/hub.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x@y/z"), None);
    }
}
