//! Demo data, loaded into an empty database.

use anyhow::Context;
use serde_json::{Value, json};

use crate::store::Store;

const CUSTOMERS: &str = include_str!("../fixtures/customers.json");

/// Stores the fixture customers, filling Frappe's standard fields.
pub async fn seed(store: &Store) -> anyhow::Result<()> {
    let customers: Vec<Value> =
        serde_json::from_str(CUSTOMERS).context("parsing fixtures/customers.json")?;
    for (index, mut customer) in customers.into_iter().enumerate() {
        let Some(doc) = customer.as_object_mut() else {
            anyhow::bail!("fixture customer #{index} is not an object");
        };
        // Distinct, increasing timestamps make `modified desc` a stable order.
        let stamp = format!("2024-01-01 09:{:02}:00.000000", index % 60);
        for (field, value) in [
            ("doctype", json!("Customer")),
            ("owner", json!("Administrator")),
            ("modified_by", json!("Administrator")),
            ("creation", json!(stamp)),
            ("modified", json!(stamp)),
            ("docstatus", json!(0)),
            ("idx", json!(0)),
        ] {
            doc.entry(field).or_insert(value);
        }
        doc.entry("disabled").or_insert(json!(0));
        store.create("Customer", &customer).await?;
    }
    Ok(())
}
