//! A fresh database per test: a SQLite file in a temp directory, or a new PostgreSQL database.

use sea_orm::{ConnectionTrait, Database};

use crate::TempDir;

/// Server used for PostgreSQL tests unless `TEST_POSTGRES_URL` says otherwise.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Terminates every other connection to the PostgreSQL database of `url` (as a failover or a server
/// restart would), from a connection of its own that the listing leaves out.
///
/// # Panics
/// When the database cannot be reached.
#[allow(
    clippy::expect_used,
    reason = "a test cannot go on without its database"
)]
pub async fn terminate_connections(url: &str) {
    let mut options = sea_orm::ConnectOptions::new(url);
    options.max_connections(1);
    let admin = Database::connect(options)
        .await
        .expect("connecting to PostgreSQL");
    admin
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await
        .expect("terminating the connections");
    let _ = admin.close().await;
}

/// One test's database; call [`TestDb::cleanup`] at the end of a PostgreSQL test.
#[derive(Debug)]
pub struct TestDb {
    url: String,
    postgres: Option<Postgres>,
    dir: Option<TempDir>,
}

#[derive(Debug)]
struct Postgres {
    server_url: String,
    database: String,
}

impl TestDb {
    /// A SQLite file `sqlite:///tmp/.../x.db?mode=rwc` in a directory removed on drop.
    pub fn sqlite() -> Self {
        let dir = TempDir::new();
        let url = format!("sqlite://{}/x.db?mode=rwc", dir.path().display());
        Self {
            url,
            postgres: None,
            dir: Some(dir),
        }
    }

    /// A fresh database `test_<uuid>` on the PostgreSQL server of `TEST_POSTGRES_URL`
    /// (default `postgres://postgres@127.0.0.1:5432/postgres`).
    ///
    /// # Panics
    /// When the server does not answer or refuses to create the database.
    #[allow(
        clippy::expect_used,
        reason = "a PostgreSQL test cannot run without PostgreSQL"
    )]
    pub async fn postgres() -> Self {
        let server_url =
            std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let database = format!("test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&server_url)
            .await
            .expect("connecting to PostgreSQL (TEST_POSTGRES_URL)");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {database}"))
            .await
            .expect("creating a test database");
        let _ = admin.close().await;
        Self {
            url: replace_database(&server_url, &database),
            postgres: Some(Postgres {
                server_url,
                database,
            }),
            dir: None,
        }
    }

    /// The URL to give the service as `DATABASE_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether this is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// Drops the PostgreSQL database (closing its connections) or removes the SQLite file.
    pub async fn cleanup(self) {
        if let Some(pg) = &self.postgres
            && let Ok(admin) = Database::connect(&pg.server_url).await
        {
            // FORCE: the service under test may still hold pooled connections.
            let _ = admin
                .execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    pg.database
                ))
                .await;
            let _ = admin.close().await;
        }
        drop(self.dir);
    }
}

/// `postgres://u@h:p/old?x` → `postgres://u@h:p/<database>?x`.
fn replace_database(server_url: &str, database: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|i| start + i))
        .unwrap_or(base.len());
    let mut url = format!("{}/{database}", &base[..authority_end]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

/// The plan PostgreSQL keeps for a statement prepared while its tables were nearly empty.
/// PostgreSQL freezes a prepared statement's plan after five runs, and the services' statements are
/// prepared (sqlx caches them per connection): `sql` (with `$n` parameters of `types`) is prepared
/// and run six times with `warm_args`, then `fill` grows the tables, then the plan for `args` is
/// returned, as `EXPLAIN` prints it. All in one transaction, rolled back.
pub async fn frozen_plan(
    db: &sea_orm::DatabaseConnection,
    types: &str,
    sql: &str,
    warm_args: &str,
    fill: &str,
    args: &str,
) -> Result<String, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("PREPARE frozen({types}) AS {sql}"))
        .await?;
    for _ in 0..6 {
        txn.execute_unprepared(&format!("EXECUTE frozen({warm_args})"))
            .await?;
    }
    txn.execute_unprepared(fill).await?;
    let rows = txn
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("EXPLAIN EXECUTE frozen({args})"),
        ))
        .await?;
    txn.rollback().await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|row| row.try_get_by_index(0))
        .collect::<Result<_, _>>()?;
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_replaces_the_one_of_the_server_url() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "test_1"),
            "postgres://postgres@127.0.0.1:5432/test_1"
        );
        assert_eq!(
            replace_database("postgres://u:p@h:5432?sslmode=disable", "t"),
            "postgres://u:p@h:5432/t?sslmode=disable"
        );
    }
}
