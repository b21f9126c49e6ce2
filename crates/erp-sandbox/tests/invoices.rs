//! Black-box tests of Sales Invoice, Payment Entry and the invoice PDF, over HTTP with
//! the real `FrappeClient` (raw reqwest where the wire body itself is the point).
#![allow(clippy::unwrap_used)]

use erp_sandbox::{DEFAULT_API_KEY, DEFAULT_API_SECRET, Sandbox, SandboxSettings};
use secrecy::SecretString;
use serde_json::{Value, json};
use shared::erpnext::{
    ErpError, FrappeClient, InvoiceStatus, ListQuery, Op, PaymentEntry, PaymentEntryDeduction,
    PaymentEntryReference, SalesInvoice, server_messages,
};

struct TestApp {
    url: String,
    erp: FrappeClient,
    http: reqwest::Client,
}

async fn spawn_app() -> TestApp {
    let sandbox = Sandbox::build(SandboxSettings::for_tests()).await.unwrap();
    let url = sandbox.base_url();
    tokio::spawn(sandbox.run_until_stopped());
    let erp = FrappeClient::new(
        &url,
        DEFAULT_API_KEY,
        &SecretString::from(DEFAULT_API_SECRET),
    )
    .unwrap();
    TestApp {
        url,
        erp,
        http: reqwest::Client::new(),
    }
}

impl TestApp {
    fn token(&self) -> String {
        format!("token {DEFAULT_API_KEY}:{DEFAULT_API_SECRET}")
    }

    async fn invoice(&self, name: &str) -> SalesInvoice {
        self.erp.get("Sales Invoice", name).await.unwrap()
    }

    async fn unpaid_invoices(&self, customer: &str) -> Vec<SalesInvoice> {
        let query = ListQuery::new()
            .fields(SalesInvoice::FIELDS)
            .filter("customer", Op::Eq, json!(customer))
            .filter("docstatus", Op::Eq, json!(1))
            .filter("outstanding_amount", Op::Gt, json!(0))
            .order_by("posting_date asc");
        self.erp.list("Sales Invoice", &query).await.unwrap()
    }

    async fn payment_entry_count(&self) -> usize {
        let rows: Vec<Value> = self
            .erp
            .list("Payment Entry", &ListQuery::new().limit(0))
            .await
            .unwrap();
        rows.len()
    }

    /// A submitted invoice of one 100.00 fibre line, due in 2099 so its status never turns Overdue.
    async fn future_invoice(&self, customer: &str) -> SalesInvoice {
        let doc = json!({
            "customer": customer,
            "due_date": "2099-12-31",
            "items": [{"item_code": "FIBRE-1G", "qty": 1, "rate": 100}],
            "docstatus": 1
        });
        self.erp.create("Sales Invoice", &doc).await.unwrap()
    }

    /// POSTs a Payment Entry and returns the status and the raw Frappe body.
    async fn post_payment(&self, doc: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/resource/Payment Entry", self.url))
            .header("Authorization", self.token())
            .json(doc)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }
}

fn entry(party: &str, paid: i64, references: &[(&str, i64)], fee: i64) -> PaymentEntry {
    PaymentEntry {
        name: None,
        payment_type: "Receive".to_owned(),
        party_type: "Customer".to_owned(),
        party: party.to_owned(),
        paid_amount: paid,
        received_amount: paid,
        reference_no: Some("pi_3TestPaymentIntent".to_owned()),
        reference_date: None,
        posting_date: None,
        mode_of_payment: Some("Carte de crédit".to_owned()),
        references: references
            .iter()
            .map(|(name, allocated)| PaymentEntryReference {
                reference_doctype: "Sales Invoice".to_owned(),
                reference_name: (*name).to_owned(),
                allocated_amount: *allocated,
            })
            .collect(),
        deductions: (fee > 0)
            .then(|| PaymentEntryDeduction {
                account: "6210 - Frais Stripe - GF".to_owned(),
                cost_center: Some("Principal - GF".to_owned()),
                amount: fee,
            })
            .into_iter()
            .collect(),
        docstatus: 1,
    }
}

fn message(body: &Value) -> String {
    server_messages(body["_server_messages"].as_str().unwrap()).join("; ")
}

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

#[tokio::test]
async fn the_invoice_pdf_is_served_and_an_unknown_invoice_is_not_found() {
    let app = spawn_app().await;
    let pdf_url = format!(
        "{}/api/method/frappe.utils.print_format.download_pdf",
        app.url
    );
    let response = app
        .http
        .get(&pdf_url)
        .query(&[
            ("doctype", "Sales Invoice"),
            ("name", "ACC-SINV-2026-00001"),
            ("format", "Standard"),
            ("lang", "fr"),
        ])
        .header("Authorization", app.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"ACC-SINV-2026-00001.pdf\""
    );
    let body = response.bytes().await.unwrap();
    assert!(body.starts_with(b"%PDF-1.4"));
    assert!(body.ends_with(b"%%EOF\n"));
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("Facture ACC-SINV-2026-00001"), "{text}");

    let response = app
        .http
        .get(&pdf_url)
        .query(&[
            ("doctype", "Sales Invoice"),
            ("name", "ACC-SINV-2099-00001"),
        ])
        .header("Authorization", app.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["exc_type"], "DoesNotExistError");

    let response = app
        .http
        .get(&pdf_url)
        .query(&[
            ("doctype", "Sales Invoice"),
            ("name", "ACC-SINV-2026-00001"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
}
