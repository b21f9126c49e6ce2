//! Migrations of portal-auth, applied at start.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

/// The migrator of this service: its own tables plus the shared outbox table.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreatePortalAuthTables),
            Box::new(shared::events::outbox::CreateOutboxTable),
            Box::new(AdmissionCheck),
            Box::new(CODE_BUDGET),
            Box::new(super::audit::CreateImpersonationAudit),
            Box::new(LINK_JOB_TRACEPARENT),
            Box::new(super::audit::AddAuditPurpose),
        ]
    }

    fn migration_table_name() -> DynIden {
        "portal_auth_migrations".into_iden()
    }
}

/// `m20261207_000003_code_budget`: the budget of wrong codes per customer (`code_budget.rs`).
const CODE_BUDGET: shared::db::SqlMigration = shared::db::SqlMigration {
    name: "m20261207_000003_code_budget",
    up: "CREATE TABLE code_budget (
        key TEXT PRIMARY KEY,
        window_start BIGINT NOT NULL,
        failures INTEGER NOT NULL,
        lifts INTEGER NOT NULL,
        blocked_until BIGINT NOT NULL
    )",
    down: "DROP TABLE code_budget",
};

/// `m20261215_000004_link_job_traceparent`: the trace context of the request that queued a link job,
/// so the worker's spans continue the request's trace (null when traces are not exported).
const LINK_JOB_TRACEPARENT: shared::db::SqlMigration = shared::db::SqlMigration {
    name: "m20261215_000004_link_job_traceparent",
    up: "ALTER TABLE link_job ADD COLUMN traceparent TEXT",
    down: "ALTER TABLE link_job DROP COLUMN traceparent",
};

/// `m20261127_000001_create_portal_auth_tables`: rate limits, link jobs, codes, short links, revocations.
struct CreatePortalAuthTables;

impl MigrationName for CreatePortalAuthTables {
    fn name(&self) -> &str {
        "m20261127_000001_create_portal_auth_tables"
    }
}

const TABLES: &str = r#"
CREATE TABLE rate_limit (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL
);
CREATE TABLE link_job (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    identifier TEXT NOT NULL,
    identifier_key TEXT NOT NULL,
    lang TEXT,
    client_ip TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    run_after BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX link_job_run_after ON link_job (run_after);
CREATE TABLE login_code (
    id TEXT PRIMARY KEY,
    identifier_key TEXT NOT NULL,
    customer TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    claims TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at BIGINT
);
CREATE INDEX login_code_identifier ON login_code (identifier_key);
CREATE TABLE short_link (
    code_hash TEXT PRIMARY KEY,
    claims TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE token_version (
    customer TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
"#;

#[async_trait::async_trait]
impl MigrationTrait for CreatePortalAuthTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(TABLES).await?;
        let seq = match manager.get_database_backend() {
            DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE revocation (seq {seq}, jti TEXT, customer TEXT, min_version BIGINT, expires_at BIGINT NOT NULL)"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP TABLE revocation; DROP TABLE token_version; DROP TABLE short_link; \
                 DROP TABLE login_code; DROP TABLE link_job; DROP TABLE rate_limit;",
            )
            .await?;
        Ok(())
    }
}

/// `m20261128_000002_admission_check`: on PostgreSQL, the function with which the one-statement
/// admission of a batch aborts itself when a request is over a limit (`rate_limit.rs`). Nothing on
/// SQLite.
struct AdmissionCheck;

impl MigrationName for AdmissionCheck {
    fn name(&self) -> &str {
        "m20261128_000002_admission_check"
    }
}

const ADMISSION_CHECK_PG: &str = "CREATE FUNCTION portal_auth_within_limit(ok boolean) RETURNS boolean \
    LANGUAGE plpgsql AS $$ BEGIN \
      IF NOT ok THEN \
        RAISE EXCEPTION 'a request of this batch is over its limit' USING ERRCODE = 'GFRL1'; \
      END IF; \
      RETURN true; \
    END $$";

#[async_trait::async_trait]
impl MigrationTrait for AdmissionCheck {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(ADMISSION_CHECK_PG)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION portal_auth_within_limit(boolean)")
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    async fn reads(db: &sea_orm::DatabaseConnection, column: &str, table: &str) -> bool {
        db.execute_unprepared(&format!("SELECT {column} FROM {table}"))
            .await
            .is_ok()
    }

    async fn reads_traceparent(db: &sea_orm::DatabaseConnection) -> bool {
        reads(db, "traceparent", "link_job").await
    }

    async fn reads_purpose(db: &sea_orm::DatabaseConnection) -> bool {
        reads(db, "purpose", "impersonation_audit").await
    }

    /// The last two steps go down one at a time (their columns go) and up again, on both backends;
    /// an impersonation recorded before the purpose column gets `impersonation`.
    async fn the_last_steps_go_down_and_up_again(url: &str) {
        let db = shared::db::connect(url).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        assert!(reads_traceparent(&db).await && reads_purpose(&db).await);
        Migrator::down(&db, Some(1)).await.unwrap();
        assert!(reads_traceparent(&db).await && !reads_purpose(&db).await);
        db.execute_unprepared(
            "INSERT INTO impersonation_audit (staff, staff_groups, customer, created_at, client_ip, token_id) \
             VALUES ('alice', 'support', 'CUST-1', 1, '127.0.0.1', 'jti-1')",
        )
        .await
        .unwrap();
        Migrator::down(&db, Some(1)).await.unwrap();
        assert!(!reads_traceparent(&db).await);
        Migrator::up(&db, None).await.unwrap();
        assert!(reads_traceparent(&db).await && reads_purpose(&db).await);
        let rows = crate::store::find_impersonations(&db, None, None, 10)
            .await
            .unwrap();
        assert_eq!(rows[0].purpose, crate::store::IMPERSONATION);
    }

    #[tokio::test]
    async fn the_last_steps_go_down_and_up_again_on_sqlite_and_postgresql() {
        let file = std::env::temp_dir().join(format!("pa-migrate-{}.db", uuid::Uuid::new_v4()));
        the_last_steps_go_down_and_up_again(&format!("sqlite://{}?mode=rwc", file.display())).await;
        let _ = std::fs::remove_file(file);
        let db = testkit::TestDb::postgres().await;
        the_last_steps_go_down_and_up_again(db.url()).await;
        db.cleanup().await;
    }
}
