//! The inbox's worker: the events Stripe sent, in the order they came, off the request path. A payment
//! is booked in ERPNext once (the `payment` row's claim, then the Payment Entry found by its
//! `reference_no` before any is made), and its receipt and `payments.payment.succeeded` leave through
//! the outbox in the transaction that records it. ERPNext or Stripe down: the event waits and is tried
//! again, longer each time; nothing asks Stripe to send it again.

mod bank_debit;
mod refunds;
mod repair;

pub use repair::Repair;

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone as _;
use shared::erpnext::{Customer, ErpError, FrappeClient, SalesInvoice};
use shared::events::{EmailSend, Envelope, PaymentSucceeded};
use tokio::sync::Notify;

use crate::booking::{self, Accounts, BookingError, Payment};
use crate::config::TaxNumbers;
use crate::metrics::{PayMetrics, Processed};
use crate::money::Cents;
use crate::receipt::{self, Line, Receipt};
use crate::store::{Claim, NewPayment, Store, stripe_event};
use crate::stripe::{CallError, Event, Form, Meaning, PaymentIntent, StripeClient};

/// Events taken per round.
const BATCH: u64 = 20;
/// How long a worker holds a payment it is booking.
const LEASE_MS: i64 = 5 * 60 * 1000;
/// The longest wait between two tries of an event.
const MAX_BACKOFF_MS: i64 = 60 * 60 * 1000;

/// What became of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A payment booked now.
    Booked,
    /// Done; the note says why nothing was done when something was expected.
    Done(Option<String>),
    /// Money that cannot be booked by itself (it does not match its checkout, ERPNext refuses it):
    /// logged as an error, counted, left to a person.
    NeedsAPerson(String),
    /// To be tried again later.
    Retry(String),
}

/// Books what Stripe's events say was paid.
#[derive(Clone)]
pub struct Processor {
    /// The service's database.
    pub store: Store,
    /// ERPNext.
    pub erp: FrappeClient,
    /// Stripe (none: payments wait until a key is configured).
    pub stripe: Option<StripeClient>,
    /// Where payments are booked.
    pub accounts: Accounts,
    /// Printed on receipts.
    pub tax_numbers: TaxNumbers,
    /// Wakes the outbox relay.
    pub outbox_written: Arc<Notify>,
    /// What it counts.
    pub metrics: PayMetrics,
}

impl Processor {
    /// Processes the inbox until the process ends: a round whenever `wake` fires or every second.
    pub fn spawn(self, wake: Arc<Notify>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                // A full round that got somewhere goes on at once; a round of retries only (ERPNext or
                // Stripe down) waits, so that a backlog is not hammered against a dependency that
                // does not answer.
                match self.round().await {
                    Ok((taken, done)) if taken as u64 == BATCH && done > 0 => continue,
                    Ok((taken, 0)) if taken > 0 => {
                        // Only retries: new events would fail the same way for now.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "the Stripe inbox cannot be read"),
                }
                let _ = tokio::time::timeout(Duration::from_secs(1), wake.notified()).await;
            }
        })
    }

    /// One round: the refunds left unbooked, then the events due, one after the other; how many
    /// events were taken, and how many of those are done with (not to be retried).
    pub async fn round(&self) -> Result<(usize, usize), sea_orm::DbErr> {
        let mut done = 0;
        for refund in self.store.refunds_to_book().await? {
            self.book_refund(&refund).await;
        }
        let now = now_ms();
        let events = self.store.waiting_events(now, BATCH).await?;
        for row in &events {
            let outcome = self.process(row).await;
            self.metrics.processed(match &outcome {
                Outcome::Booked => Processed::Booked,
                Outcome::Done(_) => Processed::Done,
                Outcome::NeedsAPerson(_) => Processed::NeedsAPerson,
                Outcome::Retry(_) => Processed::Retried,
            });
            done += usize::from(!matches!(outcome, Outcome::Retry(_)));
            match outcome {
                Outcome::Booked => self.store.event_processed(&row.id, now_ms(), None).await?,
                Outcome::Done(note) => {
                    if let Some(note) = &note {
                        tracing::warn!(event = %row.id, kind = %row.kind, note = %note, "Stripe event processed with nothing booked");
                    }
                    self.store.event_processed(&row.id, now_ms(), note).await?;
                }
                Outcome::NeedsAPerson(why) => {
                    self.store
                        .event_processed(&row.id, now_ms(), Some(why))
                        .await?;
                }
                Outcome::Retry(error) => {
                    let wait = backoff_ms(row.attempts);
                    tracing::warn!(event = %row.id, kind = %row.kind, attempts = row.attempts + 1,
                        retry_in_ms = wait, error = %error, "Stripe event to be tried again");
                    self.store
                        .event_failed(&row.id, &error, now_ms() + wait)
                        .await?;
                }
            }
        }
        Ok((events.len(), done))
    }

    #[tracing::instrument(skip_all, fields(event = %row.id, kind = %row.kind))]
    async fn process(&self, row: &stripe_event::Model) -> Outcome {
        let event = match Event::parse(row.payload.as_bytes()) {
            Ok(event) => event,
            Err(e) => return Outcome::Done(Some(e.to_string())),
        };
        match event.meaning() {
            Meaning::Paid { payment_intent } => self.book_intent(&payment_intent).await,
            Meaning::SetUp { setup_intent } => self.enrol_bank(&setup_intent).await,
            Meaning::MandateChanged { mandate } => self.mandate_changed(&mandate).await,
            Meaning::PaymentFailed {
                payment_intent: Some(id),
            } => self.payment_failed(&id).await,
            Meaning::Refunded {
                payment_intent: Some(id),
            } => self.refunded(&id).await,
            _ => Outcome::Done(None),
        }
    }

    /// Books PaymentIntent `id` once, from what Stripe says of it now (not from the event, which may
    /// be old or out of order).
    async fn book_intent(&self, id: &str) -> Outcome {
        let Some(stripe) = &self.stripe else {
            return Outcome::Retry("STRIPE_SECRET_KEY is not set".to_owned());
        };
        let query = Form::new().set("expand[]", "latest_charge.balance_transaction");
        let intent: PaymentIntent = match stripe
            .get(&format!("/v1/payment_intents/{id}"), &query)
            .await
        {
            Ok(intent) => intent,
            Err(CallError::Api(e)) if e.status == 404 => {
                return Outcome::Done(Some(format!("Stripe has no PaymentIntent {id}")));
            }
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        if intent.status != "succeeded" {
            return Outcome::Done(Some(format!("PaymentIntent {id} is {}", intent.status)));
        }
        if intent.metadata.contains_key("ppa_charge") {
            return self.book_ppa(&intent).await;
        }
        let Some(checkout_id) = intent.metadata.get("checkout") else {
            return Outcome::Done(Some(format!(
                "PaymentIntent {id} was not made by this service"
            )));
        };
        let checkout = match self.store.checkout(checkout_id).await {
            Ok(Some(c)) => c,
            Ok(None) => return Outcome::Done(Some(format!("no checkout {checkout_id}"))),
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        let Some(fee) = intent.fee() else {
            return Outcome::Retry(format!("Stripe's fee on {id} is not known yet"));
        };
        let invoices = match allocations(&checkout.invoices, intent.amount_received) {
            Ok(invoices) => invoices,
            Err(why) => {
                tracing::error!(payment_intent = %id, checkout = %checkout.id, why, "a payment does not match its checkout: book it by hand");
                return Outcome::NeedsAPerson(why.to_owned());
            }
        };
        let payment = Payment {
            payment_intent: id.to_owned(),
            customer: checkout.customer.clone(),
            received: Cents::new(intent.amount_received).unwrap_or_default(),
            fee: Cents::new(fee).unwrap_or_default(),
            invoices,
            date: quebec_date(intent.created),
        };
        self.book(&payment, Some(&checkout.id)).await
    }

    /// Books an auto-pay charge: the one invoice its metadata names, paid by what was received.
    async fn book_ppa(&self, intent: &PaymentIntent) -> Outcome {
        let (Some(customer), Some(invoice)) = (
            intent.metadata.get("customer"),
            intent.metadata.get("invoices"),
        ) else {
            return Outcome::Done(Some(format!(
                "auto-pay PaymentIntent {} names no customer or invoice",
                intent.id
            )));
        };
        let Some(fee) = intent.fee() else {
            return Outcome::Retry(format!("Stripe's fee on {} is not known yet", intent.id));
        };
        if let Err(e) = self.debit_settled(intent).await {
            return Outcome::Retry(e.to_string());
        }
        let received = Cents::new(intent.amount_received).unwrap_or_default();
        let payment = Payment {
            payment_intent: intent.id.clone(),
            customer: customer.clone(),
            received,
            fee: Cents::new(fee).unwrap_or_default(),
            invoices: vec![(invoice.clone(), received)],
            date: quebec_date(intent.created),
        };
        self.book(&payment, None).await
    }

    /// Claims, books and records `payment`.
    async fn book(&self, payment: &Payment, checkout: Option<&str>) -> Outcome {
        let new = NewPayment {
            payment_intent: &payment.payment_intent,
            customer: &payment.customer,
            checkout,
            amount_cents: payment.received.get(),
            fee_cents: payment.fee.get(),
        };
        match self.store.claim_payment(&new, now_ms(), LEASE_MS).await {
            Ok(Claim::Mine) => {}
            Ok(Claim::Booked(_)) => return Outcome::Done(None),
            Ok(Claim::Held) => return Outcome::Retry("another worker is booking it".to_owned()),
            Err(e) => return Outcome::Retry(e.to_string()),
        }
        let entry = match booking::book(&self.erp, payment, &self.accounts).await {
            Ok(entry) => entry,
            Err(BookingError::Erp(e)) if retryable(&e) => return Outcome::Retry(e.to_string()),
            Err(e) => {
                tracing::error!(payment_intent = %payment.payment_intent, error = %e, "ERPNext refused a payment: book it by hand");
                return Outcome::NeedsAPerson(e.to_string());
            }
        };
        let events = match self.events(payment, &entry).await {
            Ok(events) => events,
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        if let Err(e) = self
            .store
            .payment_booked(&payment.payment_intent, checkout, &entry, &events, now_ms())
            .await
        {
            return Outcome::Retry(e.to_string());
        }
        self.outbox_written.notify_one();
        tracing::info!(payment_intent = %payment.payment_intent, payment_entry = %entry,
            customer = %payment.customer, amount_cents = payment.received.get(), "payment booked");
        Outcome::Booked
    }

    /// The fact and, when the customer has an email address, the receipt.
    async fn events(&self, payment: &Payment, entry: &str) -> Result<Vec<Envelope>, anyhow::Error> {
        let fact = PaymentSucceeded {
            customer: payment.customer.clone(),
            payment_intent: payment.payment_intent.clone(),
            amount_cents: payment.received.get(),
            currency: "CAD".to_owned(),
            invoices: payment.invoices.iter().map(|(n, _)| n.clone()).collect(),
            payment_entry: entry.to_owned(),
        };
        let mut events = vec![Envelope::new("payments", &fact)?];
        let customer: Customer = self.erp.get("Customer", &payment.customer).await?;
        if let Some(email) = customer.email_billing.clone().or(customer.email_id.clone()) {
            let mut lines = Vec::new();
            for (name, paid) in &payment.invoices {
                let invoice: SalesInvoice = self.erp.get("Sales Invoice", name).await?;
                lines.push(Line::of(&invoice, *paid));
            }
            let lang = if customer.language.as_deref() == Some("en") {
                "en"
            } else {
                "fr"
            };
            let rendered = receipt::render(&Receipt {
                customer_name: &customer.customer_name,
                lang,
                paid: payment.received,
                date: payment.date,
                payment_intent: &payment.payment_intent,
                lines: &lines,
                tax_numbers: &self.tax_numbers,
            });
            let email = EmailSend {
                to: email,
                to_name: Some(customer.customer_name.clone()),
                subject: rendered.subject,
                text: rendered.text,
                html: rendered.html,
                reply_to: None,
                lang: lang.to_owned(),
                template: "payments.receipt".to_owned(),
                customer: Some(customer.name.clone()),
                attachments: Vec::new(),
            };
            events.push(Envelope::new("payments", &email)?);
        }
        Ok(events)
    }
}

/// The invoices of a checkout (`[["ACC-SINV-…", 5749]]`) when they add up to what was received.
fn allocations(invoices: &str, received: i64) -> Result<Vec<(String, Cents)>, &'static str> {
    let pairs: Vec<(String, i64)> =
        serde_json::from_str(invoices).map_err(|_| "the checkout's invoices do not read")?;
    if pairs.iter().map(|(_, c)| c).sum::<i64>() != received {
        return Err("the amount received differs from the checkout's");
    }
    pairs
        .into_iter()
        .map(|(name, cents)| {
            Ok((
                name,
                Cents::new(cents).map_err(|_| "a negative allocation")?,
            ))
        })
        .collect()
}

/// Whether ERPNext may take it on another try.
fn retryable(e: &ErpError) -> bool {
    matches!(
        e,
        ErpError::Unavailable(_) | ErpError::RateLimited | ErpError::Unexpected(_)
    )
}

/// The wait before try `attempts + 2`: 5 s doubling, at most an hour.
fn backoff_ms(attempts: i32) -> i64 {
    let doublings = attempts.clamp(0, 20) as u32;
    (5_000_i64 << doublings).min(MAX_BACKOFF_MS)
}

/// The day in Quebec at Unix time `seconds` (the Payment Entry's posting date).
pub(crate) fn quebec_date(seconds: i64) -> chrono::NaiveDate {
    chrono_tz::America::Toronto
        .timestamp_opt(seconds, 0)
        .single()
        .map_or_else(|| chrono::Utc::now().date_naive(), |t| t.date_naive())
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(0), 5_000);
        assert_eq!(backoff_ms(3), 40_000);
        assert_eq!(backoff_ms(30), MAX_BACKOFF_MS);
    }

    /// Bad input tried: not JSON, a sum short of what was received, a negative allocation.
    #[test]
    fn a_checkout_that_does_not_match_the_payment_is_refused() {
        assert_eq!(
            allocations(r#"[["A",5749],["B",100]]"#, 5_849)
                .unwrap()
                .len(),
            2
        );
        assert!(allocations("nope", 1).is_err());
        assert!(allocations(r#"[["A",5749]]"#, 5_750).is_err());
        assert!(allocations(r#"[["A",-1],["B",2]]"#, 1).is_err());
    }

    #[test]
    fn a_payment_late_at_night_is_dated_in_quebec() {
        // 2026-12-08 03:30 UTC is 22:30 on the 7th in Montréal.
        assert_eq!(
            quebec_date(1_796_700_600),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
        );
    }
}
