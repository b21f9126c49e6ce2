//! Payment Entry: settling invoices, cancelling, and the inputs Frappe refuses.

use serde_json::{Value, json};
use shared::erpnext::{InvoiceStatus, ListQuery, Op, PaymentEntry};

use crate::helpers::{entry, message, spawn_app};

#[tokio::test]
async fn a_payment_entry_settles_one_invoice_fully_and_one_partly() {
    let app = spawn_app().await;
    let november = app.invoice("ACC-SINV-2026-00008").await;
    let later = app.future_invoice("CUST-2024-00003").await;
    assert_eq!(later.status, InvoiceStatus::Unpaid);
    // Fibre 500 and basic TV: 105.00 + TPS 5.25 + TVQ 10.47.
    assert_eq!(november.grand_total, 12072);
    let allocated = november.grand_total + 2000;
    let fee = 438;
    let created: PaymentEntry = app
        .erp
        .create(
            "Payment Entry",
            &serde_json::to_value(entry(
                "CUST-2024-00003",
                allocated - fee,
                &[
                    ("ACC-SINV-2026-00008", november.grand_total),
                    (&later.name, 2000),
                ],
                fee,
            ))
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(created.docstatus, 1);
    assert!(created.name.as_deref().unwrap().starts_with("ACC-PAY-"));

    let november = app.invoice("ACC-SINV-2026-00008").await;
    assert_eq!(
        (november.outstanding_amount, november.status),
        (0, InvoiceStatus::Paid)
    );
    let after = app.invoice(&later.name).await;
    assert_eq!(after.outstanding_amount, later.grand_total - 2000);
    assert_eq!(after.status, InvoiceStatus::PartlyPaid);

    let found: Vec<PaymentEntry> = app
        .erp
        .list(
            "Payment Entry",
            &ListQuery::new().fields(PaymentEntry::FIELDS).filter(
                "reference_no",
                Op::Eq,
                json!("pi_3TestPaymentIntent"),
            ),
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].paid_amount, allocated - fee);

    // The entries that paid an invoice, by a filter on the child table.
    let rows: Value = app
        .http
        .get(format!("{}/api/resource/Payment Entry", app.url))
        .query(&[(
            "filters",
            r#"[["Payment Entry Reference","reference_name","=","ACC-SINV-2026-00008"]]"#,
        )])
        .header("Authorization", app.token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rows["data"], json!([{"name": created.name.unwrap()}]));
}

#[tokio::test]
async fn cancelling_a_payment_entry_gives_the_invoices_their_outstanding_back() {
    let app = spawn_app().await;
    let before = app.invoice("ACC-SINV-2026-00003").await;
    let created: PaymentEntry = app
        .erp
        .create(
            "Payment Entry",
            &serde_json::to_value(entry(
                "CUST-2024-00001",
                before.grand_total,
                &[("ACC-SINV-2026-00003", before.grand_total)],
                0,
            ))
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        app.invoice("ACC-SINV-2026-00003").await.status,
        InvoiceStatus::Paid
    );
    let name = created.name.unwrap();
    let _: Value = app
        .erp
        .update("Payment Entry", &name, &json!({"docstatus": 2}))
        .await
        .unwrap();
    let after = app.invoice("ACC-SINV-2026-00003").await;
    assert_eq!(after.outstanding_amount, before.grand_total);
    assert_eq!(after.status, before.status);
}

#[tokio::test]
async fn bad_payment_entries_are_refused_with_frappes_error_and_change_nothing() {
    let app = spawn_app().await;
    let invoice = app.invoice("ACC-SINV-2026-00009").await;
    let count = app.payment_entry_count().await;
    let over = invoice.outstanding_amount + 1;
    let cases: Vec<(PaymentEntry, &str)> = vec![
        (
            entry("CUST-2024-00003", over, &[("ACC-SINV-2026-00009", over)], 0),
            "Row #1: Allocated Amount cannot be greater than outstanding amount.",
        ),
        (
            entry("CUST-2024-00003", 1000, &[("ACC-SINV-2099-00001", 1000)], 0),
            "Sales Invoice ACC-SINV-2099-00001 does not exist",
        ),
        (
            entry(
                "CUST-2024-00003",
                1000,
                &[("ACC-SINV-2026-00009", -1000)],
                0,
            ),
            "Row #1: Allocated Amount cannot be negative",
        ),
        (
            entry("CUST-2024-00003", -1000, &[], 0),
            "Paid Amount must be greater than 0",
        ),
        (
            entry("CUST-2024-00001", 1000, &[("ACC-SINV-2026-00009", 1000)], 0),
            "Sales Invoice ACC-SINV-2026-00009 is not associated with Customer CUST-2024-00001",
        ),
        (
            entry("CUST-2024-00003", 1000, &[("ACC-SINV-2026-00009", 1500)], 0),
            "Total Allocated Amount (15.00) cannot be greater than Paid Amount plus Deductions (10.00)",
        ),
        (
            // Two rows on one invoice may not together exceed what it owes.
            entry(
                "CUST-2024-00003",
                over,
                &[
                    ("ACC-SINV-2026-00009", 100),
                    ("ACC-SINV-2026-00009", over - 100),
                ],
                0,
            ),
            "Row #2: Allocated Amount cannot be greater than outstanding amount.",
        ),
    ];
    for (doc, expected) in cases {
        let (status, body) = app.post_payment(&serde_json::to_value(doc).unwrap()).await;
        assert_eq!(status, 417, "{expected}: {body}");
        assert_eq!(body["exc_type"], "ValidationError", "{body}");
        assert_eq!(message(&body), expected);
    }
    let (status, body) = app
        .post_payment(&json!({"party": "CUST-1999-00001", "paid_amount": 10}))
        .await;
    assert_eq!(
        (status, body["exc_type"].as_str()),
        (417, Some("LinkValidationError"))
    );
    assert_eq!(app.invoice("ACC-SINV-2026-00009").await, invoice);
    assert_eq!(app.payment_entry_count().await, count);
}

/// A refund is a Payment Entry paying the customer, unallocated (the bank pays out, the customer's
/// receivable grows); one with invoices or deductions is refused, as is paying a supplier.
#[tokio::test]
async fn a_refund_pays_the_customer_unallocated() {
    let app = spawn_app().await;
    let refund = json!({"payment_type": "Pay", "party_type": "Customer", "party": "CUST-2024-00001",
        "paid_amount": 25.0, "received_amount": 25.0, "reference_no": "re_1", "docstatus": 1});
    let (status, body) = app.post_payment(&refund).await;
    assert_eq!(status, 200, "{body}");
    let doc = &body["data"];
    assert_eq!(doc["paid_from"], "1020 - Stripe - GF");
    assert_eq!(doc["paid_to"], "1310 - Débiteurs - GF");
    assert_eq!(doc["unallocated_amount"], 25.0);
    let mut with_invoice = refund.clone();
    with_invoice["references"] = json!([{"reference_doctype": "Sales Invoice",
        "reference_name": "ACC-SINV-2026-00001", "allocated_amount": 25.0}]);
    let mut supplier = refund.clone();
    supplier["party_type"] = json!("Supplier");
    for bad in [with_invoice, supplier] {
        let (status, body) = app.post_payment(&bad).await;
        assert_eq!(status, 417, "{body}");
        assert!(!message(&body).is_empty());
    }
}
