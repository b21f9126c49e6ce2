//! Demo data, loaded into an empty database.

use anyhow::Context;
use serde_json::{Value, json};

use crate::operations_doctypes::SUPPLIER;
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

/// Stores the demo invoices and payments when there is no Sales Invoice yet, for the
/// fixture customers still present (a database seeded before invoices existed gets them).
/// Returns whether it seeded.
pub async fn seed_invoices(store: &Store) -> anyhow::Result<bool> {
    if !store.find_names("Sales Invoice").await?.is_empty() {
        return Ok(false);
    }
    let fixtures: Vec<Value> =
        serde_json::from_str(CUSTOMERS).context("parsing fixtures/customers.json")?;
    let mut customers = Vec::new();
    for fixture in fixtures {
        let name = fixture["name"].as_str().unwrap_or_default().to_owned();
        if store.find_by_name("Customer", &name).await?.is_some() {
            let kind = fixture["customer_type"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            customers.push((name, kind));
        }
    }
    crate::demo_invoices::seed(store, &customers).await?;
    Ok(!customers.is_empty())
}

/// Stores the demo catalogue (Items, Subscription Plans) and the demo Quotations when there is
/// no Item yet (a database seeded before they existed gets them). Returns whether it seeded.
pub async fn seed_quotations(store: &Store) -> anyhow::Result<bool> {
    if !store.find_names("Item").await?.is_empty() {
        return Ok(false);
    }
    crate::demo_quotations::seed(store).await?;
    Ok(true)
}

/// Stores the demo suppliers (with their Purchase Invoice), Service Locations and Equipment
/// when there is no Supplier yet (a database seeded before they existed gets them). Returns
/// whether it seeded.
pub async fn seed_operations(store: &Store) -> anyhow::Result<bool> {
    if !store.find_names(SUPPLIER).await?.is_empty() {
        return Ok(false);
    }
    crate::demo_suppliers::seed(store).await?;
    crate::demo_equipment::seed(store).await?;
    Ok(true)
}

/// Stores the demo dispatch day (technicians, and the jobs of
/// [`crate::demo_dispatch::DEMO_DATE`] with their Issues and Service Locations) when there is no
/// Technician yet (a database seeded before they existed gets them). Returns whether it seeded.
pub async fn seed_dispatch(store: &Store) -> anyhow::Result<bool> {
    if !store
        .find_names(crate::dispatch_doctypes::TECHNICIAN)
        .await?
        .is_empty()
    {
        return Ok(false);
    }
    crate::demo_dispatch::seed(store).await?;
    Ok(true)
}
