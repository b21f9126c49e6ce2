//! The repair: succeeded PaymentIntents of ours at Stripe that have no Payment Entry (their events
//! never came, or failed) are booked, daily and by hand (`POST /payments/repair`).

use std::time::Duration;

use super::{Outcome, Processor};
use crate::stripe::{CallError, Form, List, PaymentIntent};

/// What a repair found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Repair {
    /// Succeeded PaymentIntents of ours seen at Stripe.
    pub checked: u32,
    /// Of those, booked by this repair (their events never came, or came and failed).
    pub booked: u32,
    /// Of those, still not booked (see the log).
    pub failed: u32,
}

impl Processor {
    /// Books every succeeded PaymentIntent of ours made at Stripe since `since` (Unix seconds) that
    /// has no Payment Entry yet: the repair of an event that never came.
    pub async fn repair(&self, since: i64) -> Result<Repair, CallError> {
        let Some(stripe) = &self.stripe else {
            return Ok(Repair::default());
        };
        let mut repair = Repair::default();
        let mut after: Option<String> = None;
        loop {
            let mut query = Form::new().set("created[gte]", since).set("limit", 100);
            if let Some(id) = &after {
                query = query.set("starting_after", id);
            }
            let page: List<PaymentIntent> = stripe.get("/v1/payment_intents", &query).await?;
            for intent in &page.data {
                self.repair_one(intent, &mut repair).await;
            }
            match (page.has_more, page.data.last()) {
                (true, Some(last)) => after = Some(last.id.clone()),
                _ => break,
            }
        }
        if repair.booked > 0 || repair.failed > 0 {
            tracing::warn!(
                ?repair,
                "repair: payments Stripe received that were not booked"
            );
        }
        Ok(repair)
    }

    async fn repair_one(&self, intent: &PaymentIntent, repair: &mut Repair) {
        let ours = ["checkout", "ppa_charge"]
            .iter()
            .any(|k| intent.metadata.contains_key(*k));
        if intent.status != "succeeded" || !ours {
            return;
        }
        repair.checked += 1;
        if matches!(self.store.is_booked(&intent.id).await, Ok(true)) {
            return;
        }
        match self.book_intent(&intent.id).await {
            Outcome::Booked => {
                repair.booked += 1;
                self.metrics.repaired.inc();
            }
            Outcome::Done(None) => {}
            Outcome::Done(Some(why)) | Outcome::NeedsAPerson(why) | Outcome::Retry(why) => {
                tracing::error!(payment_intent = %intent.id, why = %why, "repair could not book a payment");
                repair.failed += 1;
            }
        }
    }

    /// Repairs every `every`, looking back `lookback` each time, from a minute after the start.
    pub fn spawn_repair(self, every: Duration, lookback: Duration) {
        tokio::spawn(async move {
            let mut next = Duration::from_secs(60);
            loop {
                tokio::time::sleep(next).await;
                next = every;
                let back = i64::try_from(lookback.as_secs()).unwrap_or(i64::MAX);
                let since = chrono::Utc::now().timestamp().saturating_sub(back);
                if let Err(e) = self.repair(since).await {
                    tracing::error!(error = %e, "repair: Stripe could not be read");
                }
            }
        });
    }
}
