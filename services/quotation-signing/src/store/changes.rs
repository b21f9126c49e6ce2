//! A quote's changes of status, each with its history line and its effects (the acceptance record,
//! outbox events, the envelope, the Sales Order) in one transaction.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};
use shared::events::{Envelope, outbox};

use super::{Store, acceptance, quote, quote_history};
use crate::status::{Happening, Status};

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
