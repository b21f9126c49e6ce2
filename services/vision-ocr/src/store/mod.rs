//! The vision-ocr database: extractions (sea-orm entity and migrations) and the shared outbox.
//! An extraction is claimed by whoever reads it (a request, or a worker for a job) until its lease
//! ends, so a killed process leaves it to the next attempt, and answered once.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Expr, OnConflict};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait as _;
use shared::db::now_ms;
use shared::events::{Envelope, outbox};

pub mod extraction;
mod migrations;

pub use migrations::Migrator;

/// How long a reading holds its extraction before another attempt may take it over: longer than
/// any reading (Gemini's three attempts, or Tesseract on ten pages).
pub const LEASE_MS: i64 = 5 * 60_000;

/// The states of an extraction.
pub mod state {
    /// A job waiting for a worker.
    pub const QUEUED: &str = "queued";
    /// Being read.
    pub const RUNNING: &str = "running";
    /// Answered.
    pub const DONE: &str = "done";
    /// A job given up (its answer is a problem), or a reading that failed for a passing reason
    /// (no answer: the next attempt starts again).
    pub const FAILED: &str = "failed";
}

/// A reading asked for.
#[derive(Debug, Clone)]
pub struct NewExtraction {
    /// `invoice` or `equipment`.
    pub kind: &'static str,
    /// `staff:<username>` or `tech:<technician>`.
    pub principal: String,
    /// The caller's `Idempotency-Key`.
    pub key: Option<String>,
    /// SHA-256 of the upload, hex.
    pub sha256: String,
    /// The upload's media type.
    pub media_type: &'static str,
    /// Make a draft Purchase Invoice.
    pub draft: bool,
    /// `fr` or `en`.
    pub lang: &'static str,
    /// The upload, for a job (read later by a worker); none when read in the request.
    pub job_input: Option<Vec<u8>>,
}

/// What [`Store::begin`] found.
#[derive(Debug)]
pub enum Begun {
    /// A new reading (or one taken over after a failure): the caller reads it.
    Started(extraction::Model),
    /// Asked before with this key: its answer, or its job.
    Replay(extraction::Model),
    /// Asked before with this key and being read right now.
    InProgress,
    /// The key was used before for another file or another kind of reading.
    KeyReused,
}

/// The service's database.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects and migrates.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let db = shared::db::connect(url).await?;
        Migrator::up(&db, None).await?;
        Ok(Self { db })
    }

    /// The connection (readiness, metrics, the outbox relay).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Records `new`, or finds what its idempotency key was given before.
    pub async fn begin(&self, new: NewExtraction) -> Result<Begun, DbErr> {
        use extraction::Column as E;
        let now = now_ms();
        let row = new_row(&new, now);
        let Some(key) = new.key.clone() else {
            let model = extraction::Entity::insert(row)
                .exec_with_returning(&self.db)
                .await?;
            return Ok(Begun::Started(model));
        };
        let inserted = extraction::Entity::insert(row.clone())
            .on_conflict(
                OnConflict::columns([E::Principal, E::IdempotencyKey])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        let existing = extraction::Entity::find()
            .filter(E::Principal.eq(&new.principal))
            .filter(E::IdempotencyKey.eq(key))
            .one(&self.db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("the extraction just recorded".into()))?;
        if inserted == 1 {
            return Ok(Begun::Started(existing));
        }
        if existing.input_sha256 != new.sha256 || existing.kind != new.kind {
            return Ok(Begun::KeyReused);
        }
        self.again(existing, new.job_input.is_some(), now).await
    }

    /// The same key again: its answer, its job, or a fresh attempt when the last one failed for a
    /// passing reason or was abandoned by a killed process.
    async fn again(
        &self,
        existing: extraction::Model,
        as_job: bool,
        now: i64,
    ) -> Result<Begun, DbErr> {
        let answered = existing.status.is_some();
        let is_job = existing.input.is_some() || existing.state == state::QUEUED;
        if answered || (as_job && is_job) {
            return Ok(Begun::Replay(existing));
        }
        let abandoned = existing.state == state::FAILED
            || (existing.state == state::RUNNING && existing.claimed_until < now);
        if !abandoned || is_job {
            return Ok(Begun::InProgress);
        }
        match self.take(&existing, now).await? {
            Some(model) => Ok(Begun::Started(model)),
            None => Ok(Begun::InProgress),
        }
    }

    /// Takes `existing` over for a new attempt, unless someone else just did.
    async fn take(
        &self,
        existing: &extraction::Model,
        now: i64,
    ) -> Result<Option<extraction::Model>, DbErr> {
        use extraction::Column as E;
        let taken = extraction::Entity::update_many()
            .col_expr(E::State, Expr::value(state::RUNNING))
            .col_expr(E::ClaimedUntil, Expr::value(now + LEASE_MS))
            .col_expr(E::Attempts, Expr::value(existing.attempts + 1))
            .col_expr(E::UpdatedAt, Expr::value(now))
            .filter(E::Id.eq(&existing.id))
            .filter(E::State.eq(&existing.state))
            .filter(E::ClaimedUntil.eq(existing.claimed_until))
            .exec(&self.db)
            .await?;
        match taken.rows_affected {
            1 => self.get(&existing.id).await,
            _ => Ok(None),
        }
    }

    /// The extraction `id`.
    pub async fn get(&self, id: &str) -> Result<Option<extraction::Model>, DbErr> {
        extraction::Entity::find_by_id(id.to_owned())
            .one(&self.db)
            .await
    }

    /// Records the answer of `id` and its events in one transaction; the upload is forgotten.
    pub async fn answer(
        &self,
        id: &str,
        outcome: &Outcome,
        events: &[Envelope],
    ) -> Result<(), DbErr> {
        use extraction::Column as E;
        let txn = self.db.begin().await?;
        extraction::Entity::update_many()
            .col_expr(E::State, Expr::value(outcome.state))
            .col_expr(E::Status, Expr::value(i32::from(outcome.status)))
            .col_expr(E::Body, Expr::value(outcome.body.clone()))
            .col_expr(
                E::Provider,
                Expr::value(outcome.provider.map(str::to_owned)),
            )
            .col_expr(E::Input, Expr::value(Option::<Vec<u8>>::None))
            .col_expr(E::ClaimedUntil, Expr::value(0))
            .col_expr(E::UpdatedAt, Expr::value(now_ms()))
            .filter(E::Id.eq(id))
            .exec(&txn)
            .await?;
        outbox::enqueue_many(&txn, events).await?;
        txn.commit().await
    }

    /// A reading of `id` failed for a passing reason: the next attempt starts again (a request's
    /// retry, or a job's worker after `retry_at`).
    pub async fn release(&self, id: &str, retry_at: i64) -> Result<(), DbErr> {
        use extraction::Column as E;
        extraction::Entity::update_many()
            .col_expr(
                E::State,
                Expr::cust(format!(
                    "CASE WHEN input IS NULL THEN '{}' ELSE '{}' END",
                    state::FAILED,
                    state::QUEUED
                )),
            )
            .col_expr(E::ClaimedUntil, Expr::value(0))
            .col_expr(E::NextTryAt, Expr::value(retry_at))
            .col_expr(E::UpdatedAt, Expr::value(now_ms()))
            .filter(E::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Takes the oldest job that is due (waiting, or abandoned by a killed worker).
    pub async fn claim_job(&self) -> Result<Option<extraction::Model>, DbErr> {
        use extraction::Column as E;
        let now = now_ms();
        let due = extraction::Entity::find()
            .filter(E::Input.is_not_null())
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(E::State.eq(state::QUEUED))
                            .add(E::NextTryAt.lte(now)),
                    )
                    .add(
                        Condition::all()
                            .add(E::State.eq(state::RUNNING))
                            .add(E::ClaimedUntil.lt(now)),
                    ),
            )
            .order_by_asc(E::CreatedAt)
            .one(&self.db)
            .await?;
        match due {
            Some(job) => self.take(&job, now).await,
            None => Ok(None),
        }
    }

    /// How many jobs wait, and since when the oldest (Unix ms).
    pub async fn backlog(&self) -> Result<(u64, Option<i64>), DbErr> {
        use extraction::Column as E;
        let waiting = || {
            extraction::Entity::find()
                .filter(E::Input.is_not_null())
                .filter(E::State.is_in([state::QUEUED, state::RUNNING]))
        };
        let count = waiting().count(&self.db).await?;
        let oldest = waiting()
            .order_by_asc(E::CreatedAt)
            .one(&self.db)
            .await?
            .map(|m| m.created_at);
        Ok((count, oldest))
    }
}

/// The answer of an extraction.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `done`, or `failed` for a job given up.
    pub state: &'static str,
    /// Its HTTP status.
    pub status: u16,
    /// Its body (JSON).
    pub body: String,
    /// Who read it.
    pub provider: Option<&'static str>,
}

fn new_row(new: &NewExtraction, now: i64) -> extraction::ActiveModel {
    let queued = new.job_input.is_some();
    extraction::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        kind: Set(new.kind.to_owned()),
        principal: Set(new.principal.clone()),
        idempotency_key: Set(new.key.clone()),
        input_sha256: Set(new.sha256.clone()),
        media_type: Set(new.media_type.to_owned()),
        draft: Set(new.draft),
        lang: Set(new.lang.to_owned()),
        state: Set(if queued {
            state::QUEUED
        } else {
            state::RUNNING
        }
        .to_owned()),
        input: Set(new.job_input.clone()),
        status: Set(None),
        body: Set(None),
        provider: Set(None),
        attempts: Set(i32::from(!queued)),
        claimed_until: Set(if queued { 0 } else { now + LEASE_MS }),
        next_try_at: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
