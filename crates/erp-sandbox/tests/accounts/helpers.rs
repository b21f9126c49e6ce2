//! `spawn_app` and one helper per call the tests make.

pub use crate::app::{TestApp, spawn_app};
use serde_json::{Value, json};
use shared::erpnext::{
    ListQuery, Op, PaymentEntry, PaymentEntryDeduction, PaymentEntryReference, SalesInvoice,
    server_messages,
};

impl TestApp {
    pub async fn invoice(&self, name: &str) -> SalesInvoice {
        self.erp.get("Sales Invoice", name).await.unwrap()
    }

    pub async fn unpaid_invoices(&self, customer: &str) -> Vec<SalesInvoice> {
        let query = ListQuery::new()
            .fields(SalesInvoice::FIELDS)
            .filter("customer", Op::Eq, json!(customer))
            .filter("docstatus", Op::Eq, json!(1))
            .filter("outstanding_amount", Op::Gt, json!(0))
            .order_by("posting_date asc");
        self.erp.list("Sales Invoice", &query).await.unwrap()
    }

    pub async fn payment_entry_count(&self) -> usize {
        let rows: Vec<Value> = self
            .erp
            .list("Payment Entry", &ListQuery::new().limit(0))
            .await
            .unwrap();
        rows.len()
    }

    /// A submitted invoice of one 100.00 fibre line, due in 2099 so its status never turns Overdue.
    pub async fn future_invoice(&self, customer: &str) -> SalesInvoice {
        let doc = json!({
            "customer": customer,
            "due_date": "2099-12-31",
            "items": [{"item_code": "FIBRE-1G", "qty": 1, "rate": 100}],
            "docstatus": 1
        });
        self.erp.create("Sales Invoice", &doc).await.unwrap()
    }

    /// POSTs a Payment Entry and returns the status and the raw Frappe body.
    pub async fn post_payment(&self, doc: &Value) -> (u16, Value) {
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

pub fn entry(party: &str, paid: i64, references: &[(&str, i64)], fee: i64) -> PaymentEntry {
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

pub fn message(body: &Value) -> String {
    server_messages(body["_server_messages"].as_str().unwrap()).join("; ")
}
