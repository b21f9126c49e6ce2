//! `spawn_app` and one helper per call the tests make.

pub use crate::app::{TestApp, spawn_app};
use serde_json::{Value, json};
use shared::erpnext::{ErpError, Quotation, SalesOrder};

pub const MAKE_SALES_ORDER: &str = "erpnext.selling.doctype.quotation.quotation.make_sales_order";

impl TestApp {
    pub async fn quotation(&self, name: &str) -> Quotation {
        self.erp.get("Quotation", name).await.unwrap()
    }

    /// A submitted quotation for `customer` of `items` (codes, qty 1), valid until 2099.
    pub async fn submitted_quotation(&self, customer: &str, items: &[&str]) -> Quotation {
        let rows: Vec<Value> = items
            .iter()
            .map(|code| json!({"item_code": code, "qty": 1}))
            .collect();
        let doc = json!({
            "party_name": customer,
            "valid_till": "2099-12-31",
            "items": rows,
            "taxes": erp_sandbox_taxes(),
            "docstatus": 1
        });
        self.erp.create("Quotation", &doc).await.unwrap()
    }

    pub async fn make_sales_order(&self, quotation: &str) -> Result<SalesOrder, ErpError> {
        self.erp
            .call_method(MAKE_SALES_ORDER, &json!({"source_name": quotation}))
            .await
    }

    /// Maps `quotation` to a Sales Order and creates it submitted, as quotation-signing does.
    pub async fn order(&self, quotation: &str) -> Result<Value, ErpError> {
        let mut order: Value = self
            .erp
            .call_method(MAKE_SALES_ORDER, &json!({"source_name": quotation}))
            .await?;
        order["delivery_date"] = json!("2099-01-31");
        order["docstatus"] = json!(1);
        self.erp.create("Sales Order", &order).await
    }
}

pub fn erp_sandbox_taxes() -> Value {
    json!([
        {"charge_type": "On Net Total", "account_head": "2310 - TPS à payer - GF", "description": "TPS 5 %", "rate": 5.0},
        {"charge_type": "On Net Total", "account_head": "2320 - TVQ à payer - GF", "description": "TVQ 9,975 %", "rate": 9.975},
    ])
}

pub fn validation_message(err: &ErpError) -> &str {
    match err {
        ErpError::Validation { message } => message,
        other => panic!("expected a validation error, got {other:?}"),
    }
}
