//! Refunds in ERPNext: the ones staff asked for (`POST /payments/refund`), and the ones made in
//! Stripe's dashboard, which `charge.refunded` tells about. Each is booked once, as a Payment Entry
//! paying the customer back with the refund's id (`re_…`) as its `reference_no`.

use super::{Outcome, Processor, quebec_date};
use crate::booking;
use crate::money::Cents;
use crate::store::refund;
use crate::stripe::{CallError, Form, List, Refund};

impl Processor {
    /// Books refund `row` (Stripe made it) in ERPNext once; on failure it waits for the next round.
    pub async fn book_refund(&self, row: &crate::store::refund::Model) -> Option<String> {
        let (Some(stripe_refund), None, "succeeded") =
            (&row.stripe_refund, &row.payment_entry, row.status.as_str())
        else {
            return row.payment_entry.clone();
        };
        let refund = booking::Refund {
            stripe_refund: stripe_refund.clone(),
            customer: row.customer.clone(),
            amount: Cents::new(row.amount_cents).unwrap_or_default(),
            date: quebec_date(row.created_at / 1000),
        };
        let booked = match booking::book_refund(&self.erp, &refund, &self.accounts).await {
            Ok(entry) => self
                .store
                .refund_booked(&row.id, &entry)
                .await
                .map(|()| entry),
            Err(e) => {
                tracing::warn!(refund = %row.id, error = %e, "a refund waits to be booked in ERPNext");
                return None;
            }
        };
        booked
            .inspect_err(|e| tracing::warn!(refund = %row.id, error = %e, "a refund's Payment Entry was not recorded"))
            .ok()
    }

    /// `charge.refunded` for `payment_intent`: records and books its refunds made outside this
    /// service (ours carry `metadata[refund]` and are booked by the route that made them).
    pub(super) async fn refunded(&self, payment_intent: &str) -> Outcome {
        let Some(stripe) = &self.stripe else {
            return Outcome::Retry("STRIPE_SECRET_KEY is not set".to_owned());
        };
        let payment = match self.store.booked_payment(payment_intent).await {
            Ok(Some(p)) => p,
            Ok(None) => return self.not_booked_yet(payment_intent).await,
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        let query = Form::new()
            .set("payment_intent", payment_intent)
            .set("limit", 100);
        let refunds: List<Refund> = match stripe.get("/v1/refunds", &query).await {
            Ok(list) => list,
            Err(CallError::Api(e)) if e.status == 404 => return Outcome::Done(None),
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        for r in refunds
            .data
            .iter()
            .filter(|r| r.status == "succeeded" && !r.metadata.contains_key("refund"))
        {
            let row = refund::Model {
                id: uuid::Uuid::now_v7().to_string(),
                payment_intent: payment_intent.to_owned(),
                customer: payment.customer.clone(),
                amount_cents: r.amount,
                reason: r
                    .reason
                    .clone()
                    .unwrap_or_else(|| "requested_by_customer".to_owned()),
                staff: "stripe dashboard".to_owned(),
                stripe_refund: Some(r.id.clone()),
                status: "succeeded".to_owned(),
                payment_entry: None,
                created_at: r.created * 1000,
            };
            if let Err(e) = self.store.outside_refund(row).await {
                return Outcome::Retry(e.to_string());
            }
        }
        // Booked now or, should ERPNext fail, at the next round.
        if let Ok(rows) = self.store.refunds_to_book().await {
            for row in rows.iter().filter(|r| r.payment_intent == payment_intent) {
                self.book_refund(row).await;
            }
        }
        Outcome::Done(None)
    }

    /// A refund of a payment this service has not booked: wait for the booking when the payment is
    /// on its way, else leave it (not ours).
    async fn not_booked_yet(&self, payment_intent: &str) -> Outcome {
        match self.store.is_claimed(payment_intent).await {
            Ok(true) => Outcome::Retry(format!("{payment_intent} is not booked yet")),
            Ok(false) => Outcome::Done(Some(format!(
                "a refund of {payment_intent}, not a payment of ours"
            ))),
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }
}
