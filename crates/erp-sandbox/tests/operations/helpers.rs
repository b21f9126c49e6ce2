//! `spawn_app` and one helper per call the tests make.

pub use crate::app::{TestApp, spawn_app};
use serde_json::Value;
use shared::erpnext::{
    ErpError, PurchaseInvoice, PurchaseInvoiceItem, PurchaseTaxesAndCharges, server_messages,
};

impl TestApp {
    /// POSTs a document and returns the status and the raw Frappe body.
    pub async fn post(&self, doctype: &str, doc: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/resource/{doctype}", self.url))
            .header("Authorization", self.token())
            .json(doc)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    pub async fn insert_purchase_invoice(
        &self,
        invoice: &PurchaseInvoice,
    ) -> Result<PurchaseInvoice, ErpError> {
        self.erp
            .create("Purchase Invoice", &serde_json::to_value(invoice).unwrap())
            .await
    }
}

/// A draft Purchase Invoice of `supplier` numbered `bill_no`, posted 2026-12-01, due in 2099
/// (never Overdue): one line of 100.00 and TPS 5 %.
pub fn draft(supplier: &str, bill_no: &str) -> PurchaseInvoice {
    PurchaseInvoice {
        name: None,
        supplier: supplier.to_owned(),
        supplier_name: None,
        bill_no: Some(bill_no.to_owned()),
        bill_date: "2026-11-28".parse().ok(),
        posting_date: "2026-12-01".parse().ok(),
        due_date: "2099-12-31".parse().ok(),
        currency: None,
        items: vec![line(None, "Épissures fibre (boîte de 50)", 1.0, 10000)],
        taxes: vec![tax("On Net Total", "1310 - TPS à recevoir - GF", 5.0, 0)],
        net_total: 0,
        total_taxes_and_charges: 0,
        grand_total: 0,
        remarks: None,
        custom_ocr_source: Some("gemini".to_owned()),
        status: None,
        docstatus: 0,
    }
}

pub fn line(code: Option<&str>, name: &str, qty: f64, rate: i64) -> PurchaseInvoiceItem {
    PurchaseInvoiceItem {
        item_code: code.map(str::to_owned),
        item_name: name.to_owned(),
        description: None,
        qty,
        rate,
        amount: 0,
        expense_account: Some("5120 - Matériel réseau - GF".to_owned()),
    }
}

pub fn tax(charge_type: &str, account: &str, rate: f64, amount: i64) -> PurchaseTaxesAndCharges {
    PurchaseTaxesAndCharges {
        charge_type: charge_type.to_owned(),
        account_head: account.to_owned(),
        description: None,
        rate,
        tax_amount: amount,
    }
}

/// The exception class and the messages of a Frappe error body.
pub fn exception(body: &Value) -> (String, String) {
    (
        body["exc_type"].as_str().unwrap().to_owned(),
        server_messages(body["_server_messages"].as_str().unwrap()).join("; "),
    )
}

pub fn validation_message(err: &ErpError) -> &str {
    match err {
        ErpError::Validation { message } => message,
        other => panic!("expected a validation error, got {other:?}"),
    }
}
