//! Storage of portal-auth: SQLite (embedded) or PostgreSQL, through sea-orm with raw, portable SQL.
//! Every table is owned by this service; see `docs/portal-auth.md` for the schema.

mod admission;
mod audit;
pub mod code_budget;
mod codes;
mod jobs;
mod migrations;
mod rate_limit;
mod revocations;
mod short_links;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

pub use admission::{Admission, admit_all_pg, admit_in, must_admit_in_transaction};
pub use audit::{
    IMPERSONATION, ImpersonationRecord, NewImpersonation, TECH_LINK, find_impersonations,
    record_impersonation,
};
pub use codes::{CodeCheck, NewCode, insert_code};
pub use jobs::{LinkJob, NewJob, delete_job, retry_job};
pub use migrations::Migrator;
pub use rate_limit::{LimitKey, Limits, RateDecision, hit};
pub use revocations::{RevocationEntry, token_version};
pub use short_links::insert_short_link;

/// The database of portal-auth.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// The admission writer's own pool ([`shared::db::connect_writer`]).
    writer: DatabaseConnection,
}

impl Store {
    /// Connects and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let db = shared::db::connect(url).await?;
        Migrator::up(&db, None).await?;
        let writer = shared::db::connect_writer(url).await?;
        Ok(Self { db, writer })
    }

    /// The admission writer's connection.
    pub fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// The connection, for the outbox relay and readiness.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}

#[cfg(test)]
pub(crate) use admission::tests::admission;
pub(crate) use shared::db::stmt;
pub use shared::db::{begin_write, now_ms};

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
        "DELETE FROM code_budget WHERE window_start < $1",
        [(now - code_budget::BUDGET_WINDOW_MS).into()],
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
