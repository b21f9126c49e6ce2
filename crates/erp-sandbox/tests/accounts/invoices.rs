//! Sales Invoice: demo data, listing with filters, computed totals, submit and freeze.

use serde_json::{Value, json};
use shared::erpnext::{ErpError, InvoiceStatus, ListQuery, Op, SalesInvoice};

use crate::helpers::{entry, message, spawn_app};

#[tokio::test]
async fn a_demo_invoice_carries_its_lines_and_quebec_taxes_to_the_cent() {
    let app = spawn_app().await;
    // Marie Tremblay, October: Fibre 500 (75.00) and the modem (5.00).
    let invoice = app.invoice("ACC-SINV-2026-00001").await;
    assert_eq!(invoice.customer, "CUST-2024-00001");
    assert_eq!(invoice.currency.as_deref(), Some("CAD"));
    assert_eq!(invoice.items.len(), 2);
    assert_eq!(invoice.net_total, 8000);
    let taxes: Vec<(Option<&str>, i64)> = invoice
        .taxes
        .iter()
        .map(|t| (t.description.as_deref(), t.tax_amount))
        .collect();
    assert_eq!(
        taxes,
        vec![(Some("TPS 5 %"), 400), (Some("TVQ 9,975 %"), 798)]
    );
    assert_eq!(invoice.total_taxes_and_charges, 1198);
    assert_eq!(invoice.grand_total, 9198);
    assert_eq!(invoice.outstanding_amount, 0);
    assert_eq!(invoice.status, InvoiceStatus::Paid);
}

#[tokio::test]
async fn a_customers_unpaid_invoices_are_listed_with_filters() {
    let app = spawn_app().await;
    let marie = app.unpaid_invoices("CUST-2024-00001").await;
    assert_eq!(marie.len(), 1);
    assert_eq!(marie[0].name, "ACC-SINV-2026-00003");
    assert_eq!(marie[0].outstanding_amount, marie[0].grand_total);

    let sophie = app.unpaid_invoices("CUST-2024-00003").await;
    let names: Vec<&str> = sophie.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, vec!["ACC-SINV-2026-00008", "ACC-SINV-2026-00009"]);
    assert_eq!(sophie[0].status, InvoiceStatus::Overdue);

    let luc = app.unpaid_invoices("CUST-2024-00004").await;
    assert_eq!(luc.len(), 1);
    assert_eq!(luc[0].outstanding_amount, luc[0].grand_total - 4000);

    let by_status: Vec<Value> = app
        .erp
        .list(
            "Sales Invoice",
            &ListQuery::new()
                .filter("status", Op::In, json!(["Overdue"]))
                .filter("posting_date", Op::Lt, json!("2026-12-01"))
                .limit(0),
        )
        .await
        .unwrap();
    assert_eq!(by_status, vec![json!({"name": "ACC-SINV-2026-00008"})]);
}

#[tokio::test]
async fn a_draft_invoice_is_computed_submitted_by_put_and_then_frozen() {
    let app = spawn_app().await;
    let draft: SalesInvoice = app
        .erp
        .create(
            "Sales Invoice",
            &json!({
                "customer": "CUST-2024-00022",
                "posting_date": "2026-12-01",
                "due_date": "2099-12-31",
                "items": [{"item_code": "FIBRE-AFFAIRES", "qty": 2, "rate": 149}],
                "taxes": [
                    {"charge_type": "On Net Total", "account_head": "2310 - TPS à payer - GF", "description": "TPS 5 %", "rate": 5},
                    {"charge_type": "On Net Total", "account_head": "2320 - TVQ à payer - GF", "description": "TVQ 9,975 %", "rate": 9.975}
                ],
                "grand_total": 1
            }),
        )
        .await
        .unwrap();
    assert!(draft.name.starts_with("ACC-SINV-"));
    assert_eq!(draft.status, InvoiceStatus::Draft);
    assert_eq!(
        draft.customer_name.as_deref(),
        Some("Dépanneur Côté & Fils inc.")
    );
    // 298.00 + TPS 14.90 + TVQ 29.73 (29.7255).
    assert_eq!(draft.grand_total, 34263);
    let (status, body) = app
        .post_payment(
            &serde_json::to_value(entry("CUST-2024-00022", 1000, &[(&draft.name, 1000)], 0))
                .unwrap(),
        )
        .await;
    assert_eq!(status, 417);
    assert_eq!(
        message(&body),
        format!("Sales Invoice {} must be submitted", draft.name)
    );
    let cancel_draft = app
        .erp
        .update::<Value>("Sales Invoice", &draft.name, &json!({"docstatus": 2}))
        .await;
    assert!(
        matches!(cancel_draft, Err(ErpError::Validation { .. })),
        "{cancel_draft:?}"
    );

    let submitted: SalesInvoice = app
        .erp
        .update("Sales Invoice", &draft.name, &json!({"docstatus": 1}))
        .await
        .unwrap();
    assert_eq!(submitted.status, InvoiceStatus::Unpaid);
    assert_eq!(submitted.outstanding_amount, 34263);

    let edit = app
        .erp
        .update::<Value>(
            "Sales Invoice",
            &draft.name,
            &json!({"due_date": "2099-01-01"}),
        )
        .await;
    assert!(matches!(edit, Err(ErpError::Validation { .. })), "{edit:?}");
    let delete = app.erp.delete("Sales Invoice", &draft.name).await;
    assert!(
        matches!(delete, Err(ErpError::Validation { .. })),
        "{delete:?}"
    );
}
