//! Refunds by staff: full or partial, never more than what is left of the payment, asked of Stripe
//! once (a double click within ten minutes gets the same refund, a retried call the same answer), and
//! paid back in ERPNext as a Payment Entry to the customer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::money::Cents;
use crate::pay::Ctx;
use crate::store::refund;
use crate::stripe::{CallError, Form};

/// A double click (or a retry after a timeout) within this window gets the same refund.
const SAME_REFUND_WINDOW_MS: i64 = 10 * 60 * 1000;

/// Why Stripe was told the money goes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The customer asked.
    #[default]
    RequestedByCustomer,
    /// Paid twice.
    Duplicate,
    /// Not the card holder.
    Fraudulent,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Self::RequestedByCustomer => "requested_by_customer",
            Self::Duplicate => "duplicate",
            Self::Fraudulent => "fraudulent",
        }
    }
}

/// `POST /payments/refund`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// The payment (`pi_…`).
    pub payment_intent: String,
    /// How much, in cents; all that is left when absent.
    pub amount_cents: Option<i64>,
    /// `CAD` when given (the only currency).
    pub currency: Option<String>,
    /// Why (default `requested_by_customer`).
    #[serde(default)]
    pub reason: Reason,
}

/// A refund, as answered to staff.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefundAnswer {
    /// Our id.
    pub id: String,
    /// The payment.
    pub payment_intent: String,
    /// `re_…`.
    pub stripe_refund: Option<String>,
    /// How much, in cents.
    pub amount_cents: i64,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// The Payment Entry paying the customer back, once booked.
    pub payment_entry: Option<String>,
}

impl From<refund::Model> for RefundAnswer {
    fn from(r: refund::Model) -> Self {
        Self {
            id: r.id,
            payment_intent: r.payment_intent,
            stripe_refund: r.stripe_refund,
            amount_cents: r.amount_cents,
            status: r.status,
            payment_entry: r.payment_entry,
        }
    }
}

/// Why a refund is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RefundRefusal {
    /// Negative, zero, or in another currency.
    #[error("a refund is a positive amount of Canadian dollars, in cents")]
    BadAmount,
    /// More than what is left of the payment.
    #[error("more than what is left of the payment")]
    TooMuch,
}

/// The amount to refund of a payment of `paid` of which `refunded` went back already.
fn amount(request: &RefundRequest, paid: i64, refunded: i64) -> Result<i64, RefundRefusal> {
    if request
        .currency
        .as_deref()
        .is_some_and(|c| !c.eq_ignore_ascii_case("CAD"))
    {
        return Err(RefundRefusal::BadAmount);
    }
    let left = paid - refunded;
    let wanted = match request.amount_cents {
        Some(c) if Cents::new(c).is_err() || c == 0 => return Err(RefundRefusal::BadAmount),
        Some(c) => c,
        None => left,
    };
    match wanted > 0 && wanted <= left {
        true => Ok(wanted),
        false => Err(RefundRefusal::TooMuch),
    }
}

impl Ctx {
    /// Refunds `request` for staff member `staff`: the refund asked of Stripe (or the same one again).
    pub async fn refund(
        &self,
        staff: &str,
        request: &RefundRequest,
    ) -> Result<refund::Model, ApiError> {
        let stripe = self.stripe()?;
        let payment = self
            .store
            .booked_payment(&request.payment_intent)
            .await?
            .ok_or(ApiError::NotFound)?;
        let earlier = self.store.refunds_of(&payment.payment_intent).await?;
        let now = chrono::Utc::now().timestamp_millis();
        let wanted = request.amount_cents.unwrap_or(0);
        let same = earlier.iter().find(|r| {
            r.staff == staff
                && now - r.created_at < SAME_REFUND_WINDOW_MS
                && (r.amount_cents == wanted || request.amount_cents.is_none())
        });
        let row = match same {
            Some(r) if r.status == "succeeded" => return Ok(r.clone()),
            Some(r) => r.clone(),
            None => {
                let refunded = earlier.iter().map(|r| r.amount_cents).sum();
                let amount = amount(request, payment.amount_cents, refunded)?;
                let row = refund::Model {
                    id: uuid::Uuid::now_v7().to_string(),
                    payment_intent: payment.payment_intent.clone(),
                    customer: payment.customer.clone(),
                    amount_cents: amount,
                    reason: request.reason.as_str().to_owned(),
                    staff: staff.to_owned(),
                    stripe_refund: None,
                    status: "pending".to_owned(),
                    payment_entry: None,
                    created_at: now,
                };
                self.store.new_refund(row.clone()).await?;
                row
            }
        };
        let form = Form::new()
            .set("payment_intent", &row.payment_intent)
            .set("amount", row.amount_cents)
            .set("reason", &row.reason)
            .metadata("refund", &row.id)
            .metadata("staff", staff);
        let made: Result<crate::stripe::Refund, _> = stripe
            .post("/v1/refunds", &form, &format!("refund:{}", row.id))
            .await;
        let (status, id) = match made {
            Ok(r) if r.status == "failed" || r.status == "canceled" => ("failed", Some(r.id)),
            Ok(r) => ("succeeded", Some(r.id)),
            Err(CallError::Api(e)) if e.status == 400 => {
                self.store.refund_answered(&row.id, "failed", None).await?;
                self.metrics.refund(false);
                tracing::warn!(refund = %row.id, code = ?e.code, "Stripe refused a refund");
                return Err(RefundRefusal::TooMuch.into());
            }
            Err(e) => return Err(e.into()),
        };
        self.store
            .refund_answered(&row.id, status, id.as_deref())
            .await?;
        self.metrics.refund(status == "succeeded");
        tracing::info!(target: "audit", staff, refund = %row.id, payment_intent = %row.payment_intent,
            amount_cents = row.amount_cents, status, "refund");
        Ok(refund::Model {
            status: status.to_owned(),
            stripe_refund: id,
            ..row
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request(amount: Option<i64>, currency: Option<&str>) -> RefundRequest {
        RefundRequest {
            payment_intent: "pi_1".into(),
            amount_cents: amount,
            currency: currency.map(str::to_owned),
            reason: Reason::default(),
        }
    }

    #[test]
    fn a_refund_takes_what_is_left_or_less() {
        assert_eq!(amount(&request(None, None), 10_000, 2_500), Ok(7_500));
        assert_eq!(
            amount(&request(Some(7_500), Some("cad")), 10_000, 2_500),
            Ok(7_500)
        );
    }

    /// Bad input tried: more than is left, negative, zero, another currency, nothing left.
    #[test]
    fn a_refund_of_more_than_was_paid_is_refused() {
        assert_eq!(
            amount(&request(Some(7_501), None), 10_000, 2_500),
            Err(RefundRefusal::TooMuch)
        );
        assert_eq!(
            amount(&request(Some(-5), None), 10_000, 0),
            Err(RefundRefusal::BadAmount)
        );
        assert_eq!(
            amount(&request(Some(0), None), 10_000, 0),
            Err(RefundRefusal::BadAmount)
        );
        assert_eq!(
            amount(&request(Some(5), Some("USD")), 10_000, 0),
            Err(RefundRefusal::BadAmount)
        );
        assert_eq!(
            amount(&request(None, None), 10_000, 10_000),
            Err(RefundRefusal::TooMuch)
        );
    }
}
