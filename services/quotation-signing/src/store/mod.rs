//! The quotation-signing database: quotes, their history and acceptance, DocuSeal's inbox (sea-orm
//! entities and migrations), and the shared outbox.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use sea_orm_migration::MigratorTrait as _;
use shared::db::GroupCommit;
use shared::events::{Envelope, outbox};
use shared::inbox::InboxWrites;

pub mod acceptance;
pub mod docuseal_event;
mod inbox;
pub use inbox::Received;
mod migrations;
pub mod quote;
pub mod quote_history;

pub use migrations::Migrator;

use crate::status::{Happening, Status};

/// How long a worker holds a quote it sends or accepts before another may take it over.
pub const LEASE_MS: i64 = 60_000;

/// The service's database.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    inbox: GroupCommit<InboxWrites<docuseal_event::Entity>>,
}

/// A quote about to be sent for the first time (or again).
#[derive(Debug, Clone)]
pub struct NewQuote<'a> {
    /// The ERPNext Quotation.
    pub quotation: &'a str,
    /// Its Customer.
    pub customer: &'a str,
    /// `signature` or `click`.
    pub quote_type: &'a str,
    /// `fr` or `en`.
    pub lang: &'a str,
    /// `valid_till`.
    pub valid_till: &'a str,
}

/// What a change of a quote brings with it, written in the same transaction.
#[derive(Debug, Default, Clone)]
pub struct Effects {
    /// The audit record of a signature or a click.
    pub acceptance: Option<acceptance::Model>,
    /// Events for the outbox (facts, emails, SMS).
    pub events: Vec<Envelope>,
    /// Columns set with the change: the envelope and signing URL of a sending, the Sales Order of
    /// an acceptance.
    pub envelope: Option<(Option<String>, Option<String>)>,
    /// The Sales Order of an acceptance.
    pub sales_order: Option<String>,
}

/// What [`Store::apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The status moved to this one.
    Moved(Status),
    /// Nothing changed but the history (a late or repeated event), from this status.
    Unchanged(Status),
    /// No such quote.
    Unknown,
}

impl Store {
    /// Connects and migrates; starts the inbox's writer.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let db = shared::db::connect(url).await?;
        Migrator::up(&db, None).await?;
        let writer = shared::db::connect_writer(url).await?;
        Ok(Self {
            db,
            inbox: GroupCommit::spawn(writer, InboxWrites::default()),
        })
    }

    /// The connection (readiness, metrics, the outbox relay).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The quote of `quotation`, if it was ever sent.
    pub async fn quote(&self, quotation: &str) -> Result<Option<quote::Model>, DbErr> {
        quote::Entity::find_by_id(quotation.to_owned())
            .one(&self.db)
            .await
    }

    /// The quote DocuSeal's submission `envelope` belongs to.
    pub async fn quote_by_envelope(&self, envelope: &str) -> Result<Option<quote::Model>, DbErr> {
        quote::Entity::find()
            .filter(quote::Column::EnvelopeId.eq(envelope))
            .one(&self.db)
            .await
    }

    /// Every quote sent to `customer`, newest first.
    pub async fn quotes_of(&self, customer: &str) -> Result<Vec<quote::Model>, DbErr> {
        quote::Entity::find()
            .filter(quote::Column::Customer.eq(customer))
            .order_by_desc(quote::Column::CreatedAt)
            .all(&self.db)
            .await
    }

    /// The history of `quotation`, oldest first.
    pub async fn history(&self, quotation: &str) -> Result<Vec<quote_history::Model>, DbErr> {
        quote_history::Entity::find()
            .filter(quote_history::Column::Quotation.eq(quotation))
            .order_by_asc(quote_history::Column::Id)
            .all(&self.db)
            .await
    }

    /// The audit record of `quotation`'s acceptance.
    pub async fn acceptance(&self, quotation: &str) -> Result<Option<acceptance::Model>, DbErr> {
        acceptance::Entity::find_by_id(quotation.to_owned())
            .one(&self.db)
            .await
    }

    /// Takes `new.quotation` to send it until `now_ms + LEASE_MS`: a new row (`draft`), or an
    /// existing one nobody holds. `None`: another request is sending it right now.
    pub async fn claim_sending(
        &self,
        new: &NewQuote<'_>,
        now_ms: i64,
    ) -> Result<Option<quote::Model>, DbErr> {
        use quote::Column as Q;
        let row = quote::ActiveModel {
            quotation: Set(new.quotation.to_owned()),
            customer: Set(new.customer.to_owned()),
            quote_type: Set(new.quote_type.to_owned()),
            envelope_id: Set(None),
            signing_url: Set(None),
            lang: Set(new.lang.to_owned()),
            status: Set(Status::Draft.as_str().to_owned()),
            valid_till: Set(new.valid_till.to_owned()),
            sales_order: Set(None),
            claimed_until: Set(now_ms + LEASE_MS),
            attempts: Set(0),
            next_try_at: Set(0),
            last_error: Set(None),
            created_at: Set(now_ms),
            updated_at: Set(now_ms),
        };
        let inserted = quote::Entity::insert(row)
            .on_conflict(OnConflict::column(Q::Quotation).do_nothing().to_owned())
            .exec_without_returning(&self.db)
            .await?;
        if inserted == 0 {
            let taken = quote::Entity::update_many()
                .col_expr(Q::ClaimedUntil, Expr::value(now_ms + LEASE_MS))
                .col_expr(Q::QuoteType, Expr::value(new.quote_type.to_owned()))
                .col_expr(Q::Lang, Expr::value(new.lang.to_owned()))
                .col_expr(Q::ValidTill, Expr::value(new.valid_till.to_owned()))
                .filter(Q::Quotation.eq(new.quotation))
                .filter(Q::ClaimedUntil.lt(now_ms))
                .exec(&self.db)
                .await?;
            if taken.rows_affected == 0 {
                return Ok(None);
            }
        }
        self.quote(new.quotation).await
    }

    /// Records the DocuSeal submission made for `quotation` before anything else can fail, so a
    /// second sending reuses it instead of making another.
    pub async fn envelope_made(
        &self,
        quotation: &str,
        envelope: &str,
        url: &str,
    ) -> Result<(), DbErr> {
        use quote::Column as Q;
        quote::Entity::update_many()
            .col_expr(Q::EnvelopeId, Expr::value(envelope.to_owned()))
            .col_expr(Q::SigningUrl, Expr::value(url.to_owned()))
            .col_expr(Q::Status, Expr::value(Status::Draft.as_str()))
            .filter(Q::Quotation.eq(quotation))
            .exec(&self.db)
            .await
            .map(|_| ())
    }

    /// Records `quotation` sent (or sent again) with its `effects`: the status moves to `sent`
    /// from draft or declined; the link's messages go to the outbox either way (staff asked to
    /// send it again), with the history, in one transaction. Returns the status after.
    pub async fn send(
        &self,
        quotation: &str,
        detail: &str,
        effects: Effects,
        now_ms: i64,
    ) -> Result<Status, DbErr> {
        let events = effects.events;
        let effects = Effects {
            envelope: effects.envelope,
            ..Effects::default()
        };
        let txn = shared::db::begin_write(&self.db).await?;
        let applied = apply_in(&txn, quotation, Happening::Sent, detail, effects, now_ms).await?;
        outbox::enqueue_many(&txn, &events).await?;
        txn.commit().await?;
        Ok(match applied {
            Applied::Moved(s) | Applied::Unchanged(s) => s,
            Applied::Unknown => Status::Draft,
        })
    }

    /// Lets go of `quotation` (sending failed, or done).
    pub async fn release(&self, quotation: &str) -> Result<(), DbErr> {
        quote::Entity::update_many()
            .col_expr(quote::Column::ClaimedUntil, Expr::value(0))
            .filter(quote::Column::Quotation.eq(quotation))
            .exec(&self.db)
            .await
            .map(|_| ())
    }

    /// Applies `what` to `quotation` at `now_ms`: its status moves when [`Status::after`] says so,
    /// the history always records it (`detail`), and the `effects` of a move (the acceptance
    /// record, outbox events, the envelope, the Sales Order) are written in the same transaction.
    /// A concurrent change makes the move fail and be read again, so two workers never both move
    /// a quote.
    pub async fn apply(
        &self,
        quotation: &str,
        what: Happening,
        detail: &str,
        effects: Effects,
        now_ms: i64,
    ) -> Result<Applied, DbErr> {
        for _ in 0..5 {
            let txn = shared::db::begin_write(&self.db).await?;
            match apply_in(&txn, quotation, what, detail, effects.clone(), now_ms).await {
                Ok(applied) => {
                    txn.commit().await?;
                    return Ok(applied);
                }
                Err(DbErr::RecordNotUpdated) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(DbErr::Custom(format!(
            "quote {quotation} kept changing under us"
        )))
    }
}

/// [`Store::apply`] inside `txn`: [`DbErr::RecordNotUpdated`] when the quote moved meanwhile.
async fn apply_in(
    txn: &DatabaseTransaction,
    quotation: &str,
    what: Happening,
    detail: &str,
    effects: Effects,
    now_ms: i64,
) -> Result<Applied, DbErr> {
    let Some(row) = quote::Entity::find_by_id(quotation.to_owned())
        .one(txn)
        .await?
    else {
        return Ok(Applied::Unknown);
    };
    let current = Status::parse(&row.status);
    let applied = match current.after(what) {
        Some(next) => {
            if !move_status(txn, &row, next, &effects, now_ms).await? {
                return Err(DbErr::RecordNotUpdated);
            }
            if let Some(record) = &effects.acceptance {
                insert_acceptance(txn, record).await?;
            }
            outbox::enqueue_many(txn, &effects.events).await?;
            Applied::Moved(next)
        }
        None => Applied::Unchanged(current),
    };
    let (Applied::Moved(status) | Applied::Unchanged(status)) = applied else {
        return Ok(applied);
    };
    add_history(txn, quotation, status, detail, now_ms).await?;
    Ok(applied)
}

/// Moves `row` to `next` if nobody moved it meanwhile; false if somebody did.
async fn move_status<C: ConnectionTrait>(
    db: &C,
    row: &quote::Model,
    next: Status,
    effects: &Effects,
    now_ms: i64,
) -> Result<bool, DbErr> {
    use quote::Column as Q;
    let mut update = quote::Entity::update_many()
        .col_expr(Q::Status, Expr::value(next.as_str()))
        .col_expr(Q::UpdatedAt, Expr::value(now_ms));
    if let Some((envelope, url)) = &effects.envelope {
        update = update
            .col_expr(Q::EnvelopeId, Expr::value(envelope.clone()))
            .col_expr(Q::SigningUrl, Expr::value(url.clone()));
    }
    if let Some(order) = &effects.sales_order {
        update = update.col_expr(Q::SalesOrder, Expr::value(order.clone()));
    }
    if next == Status::Signed {
        update = update
            .col_expr(Q::NextTryAt, Expr::value(0))
            .col_expr(Q::Attempts, Expr::value(0));
    }
    let done = update
        .filter(Q::Quotation.eq(&row.quotation))
        .filter(Q::Status.eq(&row.status))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

async fn insert_acceptance<C: ConnectionTrait>(
    db: &C,
    record: &acceptance::Model,
) -> Result<(), DbErr> {
    let row: acceptance::ActiveModel = record.clone().into();
    acceptance::Entity::insert(row)
        .on_conflict(
            OnConflict::column(acceptance::Column::Quotation)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

async fn add_history<C: ConnectionTrait>(
    db: &C,
    quotation: &str,
    status: Status,
    detail: &str,
    now_ms: i64,
) -> Result<(), DbErr> {
    quote_history::Entity::insert(quote_history::ActiveModel {
        id: NotSet,
        quotation: Set(quotation.to_owned()),
        status: Set(status.as_str().to_owned()),
        at: Set(now_ms),
        detail: Set(detail.chars().take(500).collect()),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

impl Store {
    /// Up to `limit` signed quotes whose acceptance in ERPNext is due and not held, oldest first.
    pub async fn to_accept(&self, now_ms: i64, limit: u64) -> Result<Vec<quote::Model>, DbErr> {
        use quote::Column as Q;
        quote::Entity::find()
            .filter(Q::Status.eq(Status::Signed.as_str()))
            .filter(Q::NextTryAt.lte(now_ms))
            .filter(Q::ClaimedUntil.lt(now_ms))
            .order_by_asc(Q::UpdatedAt)
            .limit(limit)
            .all(&self.db)
            .await
    }

    /// Takes the signed `quotation` to accept it in ERPNext until `now_ms + LEASE_MS`; false when
    /// another worker holds it or it is no longer signed.
    pub async fn claim_acceptance(&self, quotation: &str, now_ms: i64) -> Result<bool, DbErr> {
        use quote::Column as Q;
        let taken = quote::Entity::update_many()
            .col_expr(Q::ClaimedUntil, Expr::value(now_ms + LEASE_MS))
            .filter(Q::Quotation.eq(quotation))
            .filter(Q::Status.eq(Status::Signed.as_str()))
            .filter(Q::ClaimedUntil.lt(now_ms))
            .exec(&self.db)
            .await?;
        Ok(taken.rows_affected == 1)
    }

    /// Accepting `quotation` failed; it is tried again from `next_try_at`.
    pub async fn acceptance_failed(
        &self,
        quotation: &str,
        error: &str,
        next_try_at: i64,
    ) -> Result<(), DbErr> {
        use quote::Column as Q;
        quote::Entity::update_many()
            .col_expr(Q::Attempts, Expr::col(Q::Attempts).add(1))
            .col_expr(
                Q::LastError,
                Expr::value(error.chars().take(500).collect::<String>()),
            )
            .col_expr(Q::NextTryAt, Expr::value(next_try_at))
            .col_expr(Q::ClaimedUntil, Expr::value(0))
            .filter(Q::Quotation.eq(quotation))
            .exec(&self.db)
            .await
            .map(|_| ())
    }

    /// How many quotes are signed and not yet accepted in ERPNext, and how many of those failed
    /// at least once (the metrics' gauges).
    pub async fn signed_backlog(&self) -> Result<(u64, u64), DbErr> {
        use quote::Column as Q;
        use sea_orm::PaginatorTrait as _;
        let signed = quote::Entity::find().filter(Q::Status.eq(Status::Signed.as_str()));
        let waiting = signed.clone().count(&self.db).await?;
        let failing = signed.filter(Q::Attempts.gt(0)).count(&self.db).await?;
        Ok((waiting, failing))
    }
}
