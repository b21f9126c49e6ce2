//! Gigafibre's custom doctypes Service Location and Equipment as their Frappe definitions
//! validate them: Link fields must name existing documents, `customer_name` is fetched from the
//! Customer (`fetch_from`), Select fields take their options only, `serial_no` is unique.

use serde_json::{Map, Value, json};

use crate::error::FrappeError;
use crate::invoice::{default, text};
use crate::operations_doctypes::{EQUIPMENT, SERVICE_LOCATION};
use crate::selling::check_select;
use crate::store::Store;

/// The options of Equipment's Select `equipment_type`.
pub const EQUIPMENT_TYPES: &[&str] = &["ONT", "Router", "Set-top box", "Switch", "SFP"];
/// The options of Equipment's Select `status` (default `In Stock`).
pub const EQUIPMENT_STATUSES: &[&str] = &["In Stock", "Installed", "Returned", "Defective"];

/// Validates a Service Location: its `customer` (optional, must exist) and `status` (default
/// `Active`).
pub async fn validate_location(
    store: &Store,
    doc: &mut Map<String, Value>,
) -> Result<(), FrappeError> {
    fetch_customer(store, doc).await?;
    default(doc, "status", json!("Active"));
    Ok(())
}

/// Validates an Equipment: type and status options, its `customer` and `service_location`
/// links, and a `serial_no` no other Equipment has.
pub async fn validate_equipment(
    store: &Store,
    doc: &mut Map<String, Value>,
) -> Result<(), FrappeError> {
    check_select(doc, "equipment_type", "Equipment Type", EQUIPMENT_TYPES, "")?;
    default(doc, "status", json!("In Stock"));
    check_select(doc, "status", "Status", EQUIPMENT_STATUSES, "")?;
    fetch_customer(store, doc).await?;
    let location = text(doc, "service_location");
    if !location.trim().is_empty()
        && store
            .find_by_name(SERVICE_LOCATION, &location)
            .await?
            .is_none()
    {
        return Err(FrappeError::link_validation(format!(
            "Could not find Service Location: {location}"
        )));
    }
    let serial = text(doc, "serial_no");
    if !serial.trim().is_empty() {
        let name = text(doc, "name");
        let taken = store.find_by_doctype(EQUIPMENT).await?.iter().any(|other| {
            other.as_object().is_some_and(|other| {
                text(other, "name") != name && text(other, "serial_no") == serial
            })
        });
        if taken {
            // Frappe's `show_unique_validation_message` for a field declared `unique`.
            return Err(FrappeError::unique_validation("Serial No must be unique"));
        }
    }
    Ok(())
}

/// `customer` must name a Customer when set; `customer_name` follows it (`fetch_from`).
async fn fetch_customer(store: &Store, doc: &mut Map<String, Value>) -> Result<(), FrappeError> {
    let customer_id = text(doc, "customer");
    if customer_id.trim().is_empty() {
        doc.insert("customer_name".to_owned(), Value::Null);
        return Ok(());
    }
    let customer = store
        .find_by_name("Customer", &customer_id)
        .await?
        .ok_or_else(|| {
            FrappeError::link_validation(format!("Could not find Customer: {customer_id}"))
        })?;
    doc.insert(
        "customer_name".to_owned(),
        customer["customer_name"].clone(),
    );
    Ok(())
}
