//! Booking a Stripe payment in ERPNext: one submitted Payment Entry per PaymentIntent, found by its
//! `reference_no` before any is made, so that a second event for the same payment, a retry after a
//! crash between ERPNext's save and ours, or two replicas at once (then ERPNext's own ordering) book it
//! once. The Stripe fee is a deduction: the invoices are settled in full, the bank receives the net.

use chrono::NaiveDate;
use serde_json::json;
use shared::erpnext::{
    ErpError, FrappeClient, ListQuery, Op, PaymentEntry, PaymentEntryDeduction,
    PaymentEntryReference,
};

use crate::money::Cents;

/// A payment Stripe received, to book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// `pi_…`: the Payment Entry's `reference_no`.
    pub payment_intent: String,
    /// The ERPNext Customer who paid.
    pub customer: String,
    /// What the customer paid (Stripe's `amount_received`).
    pub received: Cents,
    /// Stripe's fee, kept back from it.
    pub fee: Cents,
    /// The invoices it settles and how much of it goes to each; they add up to `received`.
    pub invoices: Vec<(String, Cents)>,
    /// When Stripe received it.
    pub date: NaiveDate,
}

/// Where a payment is booked (ERPNext's chart of accounts; the erp-sandbox's by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accounts {
    /// `Mode of Payment` of card payments.
    pub mode_of_payment: String,
    /// Expense account of the Stripe fee.
    pub fee_account: String,
    /// Cost center of the fee.
    pub cost_center: String,
}

impl Default for Accounts {
    fn default() -> Self {
        Self {
            mode_of_payment: "Carte de crédit".to_owned(),
            fee_account: "6210 - Frais Stripe - GF".to_owned(),
            cost_center: "Principal - GF".to_owned(),
        }
    }
}

/// Why a payment cannot be booked.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    /// The allocations do not add up to what was received, or the fee exceeds it: a bug upstream,
    /// never guessed around.
    #[error("the payment does not add up: {0}")]
    Inconsistent(&'static str),
    /// ERPNext refused or failed (retried later unless it is a validation error).
    #[error(transparent)]
    Erp(#[from] ErpError),
}

/// Books `payment` once; returns the name of its Payment Entry (the existing one when it was booked
/// before).
pub async fn book(
    erp: &FrappeClient,
    payment: &Payment,
    accounts: &Accounts,
) -> Result<String, BookingError> {
    check(payment)?;
    if let Some(name) = booked(erp, &payment.payment_intent).await? {
        return Ok(name);
    }
    let entry = entry(payment, accounts);
    let doc = serde_json::to_value(&entry)
        .map_err(|_| BookingError::Inconsistent("the Payment Entry does not serialise"))?;
    let saved: PaymentEntry = erp.create("Payment Entry", &doc).await?;
    saved.name.ok_or(BookingError::Inconsistent(
        "ERPNext saved a Payment Entry without a name",
    ))
}

/// A refund Stripe made, to book: money paid back to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// `re_…`: the Payment Entry's `reference_no`.
    pub stripe_refund: String,
    /// The ERPNext Customer paid back.
    pub customer: String,
    /// How much.
    pub amount: Cents,
    /// When.
    pub date: NaiveDate,
}

/// Books `refund` once, unallocated (the bank pays out, the customer's receivable grows until
/// accounting matches it against a credit note); returns its Payment Entry.
pub async fn book_refund(
    erp: &FrappeClient,
    refund: &Refund,
    accounts: &Accounts,
) -> Result<String, BookingError> {
    if let Some(name) = booked(erp, &refund.stripe_refund).await? {
        return Ok(name);
    }
    let entry = PaymentEntry {
        name: None,
        payment_type: "Pay".to_owned(),
        party_type: "Customer".to_owned(),
        party: refund.customer.clone(),
        paid_amount: refund.amount.get(),
        received_amount: refund.amount.get(),
        reference_no: Some(refund.stripe_refund.clone()),
        reference_date: Some(refund.date),
        posting_date: Some(refund.date),
        mode_of_payment: Some(accounts.mode_of_payment.clone()),
        references: Vec::new(),
        deductions: Vec::new(),
        docstatus: 1,
    };
    let doc = serde_json::to_value(&entry)
        .map_err(|_| BookingError::Inconsistent("the Payment Entry does not serialise"))?;
    let saved: PaymentEntry = erp.create("Payment Entry", &doc).await?;
    saved.name.ok_or(BookingError::Inconsistent(
        "ERPNext saved a Payment Entry without a name",
    ))
}

/// The Payment Entry already booked for `reference` (`pi_…` or `re_…`; submitted or draft, a
/// cancelled one does not count).
pub async fn booked(erp: &FrappeClient, reference: &str) -> Result<Option<String>, ErpError> {
    let query = ListQuery::new()
        .fields(&["name"])
        .filter("reference_no", Op::Eq, json!(reference))
        .filter("docstatus", Op::Ne, json!(2))
        .limit(1);
    let found: Vec<serde_json::Value> = erp.list("Payment Entry", &query).await?;
    Ok(found
        .first()
        .and_then(|e| e["name"].as_str())
        .map(str::to_owned))
}

fn check(payment: &Payment) -> Result<(), BookingError> {
    let allocated: i64 = payment.invoices.iter().map(|(_, c)| c.get()).sum();
    if payment.invoices.is_empty() || allocated != payment.received.get() {
        return Err(BookingError::Inconsistent(
            "the invoices' allocations differ from the amount received",
        ));
    }
    if payment.fee > payment.received {
        return Err(BookingError::Inconsistent(
            "the fee exceeds the amount received",
        ));
    }
    Ok(())
}

/// The submitted Payment Entry of `payment`: the invoices settled in full, the fee deducted.
fn entry(payment: &Payment, accounts: &Accounts) -> PaymentEntry {
    let net = payment.received.get() - payment.fee.get();
    let deductions = (payment.fee.get() > 0)
        .then(|| PaymentEntryDeduction {
            account: accounts.fee_account.clone(),
            cost_center: Some(accounts.cost_center.clone()),
            amount: payment.fee.get(),
        })
        .into_iter()
        .collect();
    PaymentEntry {
        name: None,
        payment_type: "Receive".to_owned(),
        party_type: "Customer".to_owned(),
        party: payment.customer.clone(),
        paid_amount: net,
        received_amount: net,
        reference_no: Some(payment.payment_intent.clone()),
        reference_date: Some(payment.date),
        posting_date: Some(payment.date),
        mode_of_payment: Some(accounts.mode_of_payment.clone()),
        references: payment
            .invoices
            .iter()
            .map(|(invoice, amount)| PaymentEntryReference {
                reference_doctype: "Sales Invoice".to_owned(),
                reference_name: invoice.clone(),
                allocated_amount: amount.get(),
            })
            .collect(),
        deductions,
        docstatus: 1,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn payment(received: i64, fee: i64, invoices: &[i64]) -> Payment {
        Payment {
            payment_intent: "pi_1".into(),
            customer: "CUST-2024-00001".into(),
            received: Cents::new(received).unwrap(),
            fee: Cents::new(fee).unwrap(),
            invoices: invoices
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("ACC-SINV-2026-{i:05}"), Cents::new(*c).unwrap()))
                .collect(),
            date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        }
    }

    #[test]
    fn the_fee_is_a_deduction_and_the_invoices_are_settled_in_full() {
        let e = entry(&payment(10_000, 320, &[6_000, 4_000]), &Accounts::default());
        assert_eq!((e.paid_amount, e.received_amount), (9_680, 9_680));
        assert_eq!(e.deductions[0].amount, 320);
        let allocated: i64 = e.references.iter().map(|r| r.allocated_amount).sum();
        assert_eq!(allocated, 10_000);
        assert_eq!(e.reference_no.as_deref(), Some("pi_1"));
        assert_eq!(e.docstatus, 1);
        assert!(
            entry(&payment(500, 0, &[500]), &Accounts::default())
                .deductions
                .is_empty()
        );
    }

    /// Bad input tried: allocations short of or over the amount, no invoice, a fee over the amount.
    #[test]
    fn a_payment_that_does_not_add_up_is_refused() {
        for p in [
            payment(10_000, 320, &[6_000]),
            payment(10_000, 0, &[6_000, 5_000]),
            payment(100, 0, &[]),
            payment(100, 101, &[100]),
        ] {
            assert!(
                matches!(check(&p), Err(BookingError::Inconsistent(_))),
                "{p:?}"
            );
        }
    }
}
