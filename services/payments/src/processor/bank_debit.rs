//! Bank debit (pre-authorised, `acss_debit`) in the inbox: a setup that succeeded enrols the
//! customer (read from Stripe's SetupIntent and Mandate, never from the event's body), a mandate
//! no longer active stops their auto-pay, and a debit that settles days later records its
//! attempt as succeeded or declined (soft or hard by its code).

use crate::ppa::settled_debit;
use crate::store::{ChargeDone, ppa_enrolment};
use crate::stripe::{CallError, Form, Mandate, PaymentIntent, PaymentMethod, SetupIntent};

use super::{Outcome, Processor, now_ms, quebec_date};

impl Processor {
    /// Enrols the customer of SetupIntent `id` when it saved a bank account under an active
    /// mandate; a card saved, or a setup not finished, changes nothing.
    pub(super) async fn enrol_bank(&self, id: &str) -> Outcome {
        let query = Form::new().set("expand[]", "payment_method");
        let intent: SetupIntent = match self.read(&format!("/v1/setup_intents/{id}"), &query).await
        {
            Ok(intent) => intent,
            Err(outcome) => return outcome,
        };
        let method: Option<PaymentMethod> = intent
            .payment_method
            .clone()
            .and_then(|m| serde_json::from_value(m).ok());
        let (Some(method), Some(mandate), "succeeded") =
            (method, &intent.mandate, intent.status.as_str())
        else {
            return Outcome::Done(None);
        };
        if method.kind != "acss_debit" {
            return Outcome::Done(None);
        }
        let mandate: Mandate = match self
            .read(&format!("/v1/mandates/{mandate}"), &Form::new())
            .await
        {
            Ok(mandate) => mandate,
            Err(outcome) => return outcome,
        };
        if mandate.status != "active" || mandate.payment_method != method.id {
            return Outcome::Done(Some(format!("mandate {} is not active", mandate.id)));
        }
        let stripe_customer = intent.customer.unwrap_or_default();
        match self.store.customer_of_stripe(&stripe_customer).await {
            Ok(Some(customer)) => self.record_bank(&customer, method.id, mandate.id).await,
            Ok(None) => Outcome::Done(Some(format!("SetupIntent {id} is no customer's of ours"))),
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }

    /// Records `customer`'s enrolment by bank debit, once per mandate (the session's two events
    /// both say so; a customer who left since stays out).
    async fn record_bank(&self, customer: &str, method: String, mandate: String) -> Outcome {
        match self.store.ppa_enrolment(customer).await {
            Ok(Some(row)) if row.mandate.as_deref() == Some(&mandate) => {
                return Outcome::Done(None);
            }
            Ok(_) => {}
            Err(e) => return Outcome::Retry(e.to_string()),
        }
        let row = ppa_enrolment::Model {
            customer: customer.to_owned(),
            method: "acss_debit".to_owned(),
            payment_method: Some(method),
            mandate: Some(mandate),
            status: "active".to_owned(),
            updated_at: now_ms(),
        };
        if let Err(e) = self.store.set_ppa_enrolment(row).await {
            return Outcome::Retry(e.to_string());
        }
        tracing::info!(
            customer,
            method = "acss_debit",
            status = "active",
            "auto-pay enrolment"
        );
        Outcome::Done(None)
    }

    /// A mandate that is no longer active makes its enrolment `inactive`: no more debits.
    pub(super) async fn mandate_changed(&self, id: &str) -> Outcome {
        let mandate: Mandate = match self.read(&format!("/v1/mandates/{id}"), &Form::new()).await {
            Ok(mandate) => mandate,
            Err(outcome) => return outcome,
        };
        if mandate.status == "active" {
            return Outcome::Done(None);
        }
        let row = match self.store.ppa_enrolment_by_mandate(&mandate.id).await {
            Ok(Some(row)) if row.status == "active" => row,
            Ok(_) => return Outcome::Done(None),
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        let row = ppa_enrolment::Model {
            status: "inactive".to_owned(),
            updated_at: now_ms(),
            ..row
        };
        tracing::warn!(customer = %row.customer, "auto-pay mandate no longer active");
        match self.store.set_ppa_enrolment(row).await {
            Ok(()) => Outcome::Done(None),
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }

    /// A failed PaymentIntent, read from Stripe: when it is an auto-pay bank debit that was
    /// processing, its attempt is recorded declined.
    pub(super) async fn payment_failed(&self, id: &str) -> Outcome {
        let intent: PaymentIntent = match self
            .read(&format!("/v1/payment_intents/{id}"), &Form::new())
            .await
        {
            Ok(intent) => intent,
            Err(outcome) => return outcome,
        };
        if intent.status != "requires_payment_method" && intent.status != "canceled" {
            return Outcome::Done(None);
        }
        match self.debit_settled(&intent).await {
            Ok(()) => Outcome::Done(None),
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }

    /// Records how auto-pay bank debit `intent` settled, if it is one still processing.
    pub(super) async fn debit_settled(&self, intent: &PaymentIntent) -> Result<(), sea_orm::DbErr> {
        let Some((invoice, attempt)) = intent
            .metadata
            .get("ppa_charge")
            .and_then(|mark| mark.rsplit_once(':'))
            .and_then(|(invoice, attempt)| Some((invoice.to_owned(), attempt.parse().ok()?)))
        else {
            return Ok(());
        };
        let code =
            (intent.status != "succeeded").then(|| intent.failure_code().unwrap_or_default());
        let today = quebec_date(chrono::Utc::now().timestamp());
        let (status, next_try_on) = settled_debit(code.as_deref(), attempt, today);
        let done = ChargeDone {
            invoice,
            attempt,
            status,
            payment_intent: Some(intent.id.clone()),
            decline_code: code,
            next_try_on,
        };
        if self.store.ppa_debit_settled(&done).await? {
            tracing::info!(invoice = %done.invoice, attempt, outcome = status, "auto-pay bank debit settled");
        }
        Ok(())
    }

    /// GETs a Stripe object; a 404 or no key is done with, anything else tried again.
    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &Form,
    ) -> Result<T, Outcome> {
        let Some(stripe) = &self.stripe else {
            return Err(Outcome::Retry("STRIPE_SECRET_KEY is not set".to_owned()));
        };
        match stripe.get(path, query).await {
            Ok(object) => Ok(object),
            Err(CallError::Api(e)) if e.status == 404 => {
                Err(Outcome::Done(Some(format!("Stripe has no {path}"))))
            }
            Err(e) => Err(Outcome::Retry(e.to_string())),
        }
    }
}
