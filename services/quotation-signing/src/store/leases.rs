//! The leases on a quote: who sends it, who accepts it in ERPNext, and what waits.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Store, quote};
use crate::status::Status;

/// How long a worker holds a quote it sends or accepts before another may take it over.
pub const LEASE_MS: i64 = 60_000;

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

impl Store {
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

    /// Lets go of `quotation` (sending failed, or done).
    pub async fn release(&self, quotation: &str) -> Result<(), DbErr> {
        quote::Entity::update_many()
            .col_expr(quote::Column::ClaimedUntil, Expr::value(0))
            .filter(quote::Column::Quotation.eq(quotation))
            .exec(&self.db)
            .await
            .map(|_| ())
    }

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
