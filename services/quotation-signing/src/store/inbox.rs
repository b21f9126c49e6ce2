//! DocuSeal's inbox: events recorded once, then processed in the order they came.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Store, docuseal_event};

/// A verified webhook to record.
#[derive(Debug, Clone)]
pub struct Received<'a> {
    /// `form.completed`, …
    pub event_type: &'a str,
    /// `data.id`.
    pub object_id: &'a str,
    /// The submission it concerns.
    pub envelope_id: Option<&'a str>,
    /// The body as received.
    pub payload: &'a str,
}

impl Store {
    /// Records `event` once: `false` when it was recorded before (DocuSeal redelivers on any
    /// answer it did not like, and may deliver twice). Concurrent webhooks are written together
    /// (group commit: one statement for all that arrived meanwhile).
    pub async fn record_event(&self, event: &Received<'_>, now_ms: i64) -> Result<bool, DbErr> {
        let row = docuseal_event::ActiveModel {
            id: Set(format!("{}:{}", event.event_type, event.object_id)),
            event_type: Set(event.event_type.to_owned()),
            envelope_id: Set(event.envelope_id.map(str::to_owned)),
            payload: Set(event.payload.to_owned()),
            received_at: Set(now_ms),
            processed_at: Set(None),
            next_try_at: Set(0),
            attempts: Set(0),
            outcome: Set(None),
        };
        self.inbox.execute(row).await
    }

    /// Up to `limit` events waiting whose time has come, oldest first.
    pub async fn waiting_events(
        &self,
        now_ms: i64,
        limit: u64,
    ) -> Result<Vec<docuseal_event::Model>, DbErr> {
        use docuseal_event::Column as E;
        docuseal_event::Entity::find()
            .filter(E::ProcessedAt.is_null())
            .filter(E::NextTryAt.lte(now_ms))
            .order_by_asc(E::ReceivedAt)
            .order_by_asc(E::Id)
            .limit(limit)
            .all(self.connection())
            .await
    }

    /// Event `id` is done with: `outcome` says what it did.
    pub async fn event_processed(&self, id: &str, outcome: &str, now_ms: i64) -> Result<(), DbErr> {
        use docuseal_event::Column as E;
        docuseal_event::Entity::update_many()
            .col_expr(E::ProcessedAt, Expr::value(now_ms))
            .col_expr(E::Outcome, Expr::value(outcome.to_owned()))
            .filter(E::Id.eq(id))
            .filter(E::ProcessedAt.is_null())
            .exec(self.connection())
            .await
            .map(|_| ())
    }

    /// Event `id` failed; it is tried again from `next_try_at`.
    pub async fn event_failed(&self, id: &str, error: &str, next_try_at: i64) -> Result<(), DbErr> {
        use docuseal_event::Column as E;
        docuseal_event::Entity::update_many()
            .col_expr(E::Attempts, Expr::col(E::Attempts).add(1))
            .col_expr(
                E::Outcome,
                Expr::value(error.chars().take(500).collect::<String>()),
            )
            .col_expr(E::NextTryAt, Expr::value(next_try_at))
            .filter(E::Id.eq(id))
            .exec(self.connection())
            .await
            .map(|_| ())
    }

    /// How many events wait, and when the oldest came (Unix ms).
    pub async fn inbox_backlog(&self) -> Result<(u64, Option<i64>), DbErr> {
        use docuseal_event::Column as E;
        use sea_orm::PaginatorTrait as _;
        let waiting = docuseal_event::Entity::find().filter(E::ProcessedAt.is_null());
        let count = waiting.clone().count(self.connection()).await?;
        let oldest = waiting
            .order_by_asc(E::ReceivedAt)
            .one(self.connection())
            .await?
            .map(|e| e.received_at);
        Ok((count, oldest))
    }
}
