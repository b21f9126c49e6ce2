//! One customer's due invoices, each charged off-session: the attempt recorded `pending` first, the
//! call made under `Idempotency-Key: ppa:<invoice>:<attempt>`, its outcome recorded after (with the
//! pay link when the bank wants the customer).

use chrono::NaiveDate;
use shared::erpnext::{Customer, SalesInvoice};

use super::plan::{self, Decline};
use super::{ChargeLine, Held, Runner};
use crate::money::Cents;
use crate::store::{ChargeDone, ppa_charge, ppa_enrolment};
use crate::stripe::{CallError, ErrorKind, Form, List, PaymentIntent};

/// What Stripe said of an attempt.
struct Answer {
    status: &'static str,
    payment_intent: Option<String>,
    code: Option<String>,
}

impl Runner {
    /// The customer's `due` invoices, charged when `lease` is held (else, dry, only listed).
    pub(super) async fn customer(
        &self,
        enrolment: &ppa_enrolment::Model,
        due: &[SalesInvoice],
        day: NaiveDate,
        mut lease: Option<&mut Held>,
    ) -> anyhow::Result<Vec<ChargeLine>> {
        let names: Vec<String> = due.iter().map(|i| i.name.clone()).collect();
        let history = self.store.ppa_charges_of(&names).await?;
        let mut lines = Vec::new();
        for invoice in due {
            let tried: Vec<&ppa_charge::Model> = history
                .iter()
                .filter(|c| c.invoice == invoice.name)
                .collect();
            let Some(attempt) = plan::next_attempt(&tried, day) else {
                continue;
            };
            // A replayed attempt asks what it asked the first time, or Stripe refuses the key.
            let amount_cents = tried
                .iter()
                .find(|c| c.attempt == attempt)
                .map_or(invoice.outstanding_amount, |c| c.amount_cents);
            let mut line = ChargeLine {
                customer: enrolment.customer.clone(),
                invoice: invoice.name.clone(),
                attempt,
                amount_cents,
                outcome: "would_charge".to_owned(),
            };
            if let Some(held) = lease.as_deref_mut() {
                held.keep(&self.store).await?;
                line.outcome = self.charge(enrolment, &line, day).await.to_owned();
            }
            lines.push(line);
        }
        Ok(lines)
    }

    /// Makes attempt `line`; its outcome (`error` when nothing could be recorded: left pending).
    async fn charge(
        &self,
        enrolment: &ppa_enrolment::Model,
        line: &ChargeLine,
        day: NaiveDate,
    ) -> &'static str {
        match self.try_charge(enrolment, line, day).await {
            Ok(status) => status,
            Err(e) => {
                tracing::warn!(invoice = %line.invoice, attempt = line.attempt, error = %e,
                    "auto-pay charge left pending: the next run replays it");
                "error"
            }
        }
    }

    async fn try_charge(
        &self,
        enrolment: &ppa_enrolment::Model,
        line: &ChargeLine,
        day: NaiveDate,
    ) -> anyhow::Result<&'static str> {
        let stripe_customer = self
            .store
            .stripe_customer(&line.customer)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no Stripe customer"))?;
        // Recorded before the call (or found recorded by a run that crashed): a replay uses the key.
        let first_try = self
            .store
            .new_ppa_charge(ppa_charge::Model {
                invoice: line.invoice.clone(),
                attempt: line.attempt,
                day: day.to_string(),
                customer: line.customer.clone(),
                amount_cents: line.amount_cents,
                payment_intent: None,
                status: "pending".to_owned(),
                decline_code: None,
                next_try_on: None,
            })
            .await?;
        let found = match first_try {
            true => None,
            false => self.succeeded_before(&stripe_customer, line).await?,
        };
        let answer = match found {
            Some(answer) => answer,
            None => self.confirm(enrolment, &stripe_customer, line).await?,
        };
        self.record(line, day, &answer).await?;
        tracing::info!(invoice = %line.invoice, attempt = line.attempt, customer = %line.customer,
            amount_cents = line.amount_cents, outcome = answer.status, "auto-pay charge");
        Ok(answer.status)
    }

    /// The off-session PaymentIntent of `line`, confirmed at once.
    async fn confirm(
        &self,
        enrolment: &ppa_enrolment::Model,
        stripe_customer: &str,
        line: &ChargeLine,
    ) -> anyhow::Result<Answer> {
        let stripe = self.stripe.as_ref().ok_or(super::RunError::NoStripe)?;
        let mut form = Form::new()
            .set("amount", line.amount_cents)
            .set("currency", "cad")
            .set("customer", stripe_customer)
            .set(
                "payment_method",
                enrolment.payment_method.clone().unwrap_or_default(),
            )
            .set("confirm", "true")
            .set("off_session", "true")
            .metadata("ppa_charge", format!("{}:{}", line.invoice, line.attempt))
            .metadata("customer", &line.customer)
            .metadata("invoices", &line.invoice);
        // A bank debit is made under the customer's mandate, and answers `processing`.
        if let (Some(mandate), "acss_debit") = (&enrolment.mandate, enrolment.method.as_str()) {
            form = form
                .set("payment_method_types[]", "acss_debit")
                .set("mandate", mandate);
        }
        self.pace.until_ready().await;
        let key = format!("ppa:{}:{}", line.invoice, line.attempt);
        Ok(answer(
            stripe.post("/v1/payment_intents", &form, &key).await,
        )?)
    }

    /// The attempt's PaymentIntent that succeeded (or, a bank debit, is processing), found among the customer's 100 newest at Stripe:
    /// Stripe forgets an idempotency key after 24 hours, and a replay after that must not charge
    /// again.
    async fn succeeded_before(
        &self,
        stripe_customer: &str,
        line: &ChargeLine,
    ) -> anyhow::Result<Option<Answer>> {
        let stripe = self.stripe.as_ref().ok_or(super::RunError::NoStripe)?;
        let query = Form::new()
            .set("customer", stripe_customer)
            .set("limit", 100);
        self.pace.until_ready().await;
        let list: List<PaymentIntent> = stripe.get("/v1/payment_intents", &query).await?;
        let mark = format!("{}:{}", line.invoice, line.attempt);
        Ok(list
            .data
            .into_iter()
            .find(|i| i.metadata.get("ppa_charge") == Some(&mark))
            .and_then(|i| match i.status.as_str() {
                "succeeded" => Some(Answer {
                    status: "succeeded",
                    payment_intent: Some(i.id),
                    code: None,
                }),
                "processing" => Some(Answer {
                    status: "processing",
                    payment_intent: Some(i.id),
                    code: None,
                }),
                _ => None,
            }))
    }

    /// Records `answer`, with the pay link when the bank wants the customer.
    async fn record(
        &self,
        line: &ChargeLine,
        day: NaiveDate,
        answer: &Answer,
    ) -> anyhow::Result<()> {
        let mut events = Vec::new();
        if answer.status == Decline::Authentication.status() {
            let customer: Customer = self.erp.get("Customer", &line.customer).await?;
            let amount = Cents::new(line.amount_cents)?;
            events = super::notice::pay_link(&customer, &line.invoice, amount, &self.portal_url)?;
        }
        let next_try_on = (answer.status == Decline::Soft.status())
            .then(|| plan::retry_on(line.attempt, day))
            .flatten()
            .map(|d| d.to_string());
        let done = ChargeDone {
            invoice: line.invoice.clone(),
            attempt: line.attempt,
            status: answer.status,
            payment_intent: answer.payment_intent.clone(),
            decline_code: answer.code.clone(),
            next_try_on,
        };
        self.store.ppa_charge_done(&done, &events).await?;
        if !events.is_empty() {
            self.outbox_written.notify_one();
        }
        Ok(())
    }
}

/// Stripe's answer as an outcome; a failure that says nothing of the card (Stripe unreachable or
/// failing) is an error, and the attempt stays pending.
fn answer(result: Result<PaymentIntent, CallError>) -> Result<Answer, CallError> {
    match result {
        Ok(intent) if intent.status == "succeeded" => Ok(Answer {
            status: "succeeded",
            payment_intent: Some(intent.id),
            code: None,
        }),
        // A bank debit settles days later: a pending success, its outcome brought by an event.
        Ok(intent) if intent.status == "processing" => Ok(Answer {
            status: "processing",
            payment_intent: Some(intent.id),
            code: None,
        }),
        Ok(intent) => Ok(Answer {
            status: Decline::Authentication.status(),
            payment_intent: None,
            code: Some(intent.status),
        }),
        Err(CallError::Api(e)) if matches!(e.kind, ErrorKind::Card | ErrorKind::InvalidRequest) => {
            let code = e.decline_code.or(e.code).unwrap_or_default();
            // A request Stripe refuses (a card detached since) would be refused again: never retried.
            let kind = match e.kind {
                ErrorKind::Card => Decline::of(&code),
                _ => Decline::Hard,
            };
            Ok(Answer {
                status: kind.status(),
                payment_intent: None,
                code: Some(code),
            })
        }
        Err(e) => Err(e),
    }
}
