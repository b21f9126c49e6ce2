//! Booking in the erp-sandbox (Frappe's REST API): a payment settles its invoice with the Stripe fee as
//! a deduction, and booking it again (a second event, a retry after a crash) finds the Payment Entry
//! by its `reference_no` instead of making another.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use payments::booking::{Accounts, Payment, book, booked};
use payments::money::Cents;
use secrecy::SecretString;
use serde_json::json;
use shared::erpnext::{FrappeClient, InvoiceStatus, ListQuery, Op, SalesInvoice};

async fn erp() -> (testkit::ErpHandle, FrappeClient) {
    let handle = testkit::spawn_erp().await;
    let client = FrappeClient::new(
        &handle.url,
        &handle.api_key,
        &SecretString::from(handle.api_secret.clone()),
    )
    .unwrap();
    (handle, client)
}

/// An unpaid demo invoice of `customer`.
async fn unpaid(erp: &FrappeClient, customer: &str) -> SalesInvoice {
    let query = ListQuery::new()
        .fields(SalesInvoice::FIELDS)
        .filter("customer", Op::Eq, json!(customer))
        .filter("status", Op::Eq, json!("Unpaid"))
        .limit(1);
    let found: Vec<SalesInvoice> = erp.list("Sales Invoice", &query).await.unwrap();
    erp.get("Sales Invoice", &found[0].name).await.unwrap()
}

fn payment_of(invoice: &SalesInvoice, payment_intent: &str) -> Payment {
    let amount = Cents::new(invoice.outstanding_amount).unwrap();
    Payment {
        payment_intent: payment_intent.to_owned(),
        customer: invoice.customer.clone(),
        received: amount,
        fee: Cents::new(amount.get() * 29 / 1000 + 30).unwrap(),
        invoices: vec![(invoice.name.clone(), amount)],
        date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
    }
}

#[tokio::test]
async fn a_payment_settles_its_invoice_once_however_often_it_is_booked() {
    let (_handle, erp) = erp().await;
    let invoice = unpaid(&erp, "CUST-2024-00001").await;
    assert!(invoice.outstanding_amount > 0);
    let payment = payment_of(&invoice, "pi_booking_once");
    assert_eq!(booked(&erp, "pi_booking_once").await.unwrap(), None);

    let first = book(&erp, &payment, &Accounts::default()).await.unwrap();
    let again = book(&erp, &payment, &Accounts::default()).await.unwrap();
    assert_eq!(first, again, "the second booking finds the first");

    let settled: SalesInvoice = erp.get("Sales Invoice", &invoice.name).await.unwrap();
    assert_eq!(settled.outstanding_amount, 0);
    assert_eq!(settled.status, InvoiceStatus::Paid);
    let entries: Vec<serde_json::Value> = erp
        .list(
            "Payment Entry",
            &ListQuery::new().fields(&["name"]).filter(
                "reference_no",
                Op::Eq,
                json!("pi_booking_once"),
            ),
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
}

/// Bad input tried: more than the invoice's outstanding (ERPNext refuses it; nothing is booked).
#[tokio::test]
async fn a_payment_over_the_outstanding_is_refused_by_erpnext_and_books_nothing() {
    let (_handle, erp) = erp().await;
    let invoice = unpaid(&erp, "CUST-2024-00002").await;
    let mut payment = payment_of(&invoice, "pi_too_much");
    let more = Cents::new(invoice.outstanding_amount + 100).unwrap();
    payment.received = more;
    payment.invoices = vec![(invoice.name.clone(), more)];
    let err = book(&erp, &payment, &Accounts::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ERPNext"), "{err}");
    assert_eq!(booked(&erp, "pi_too_much").await.unwrap(), None);
    let untouched: SalesInvoice = erp.get("Sales Invoice", &invoice.name).await.unwrap();
    assert_eq!(untouched.outstanding_amount, invoice.outstanding_amount);
}
