//! Quotation and Sales Order transitions as ERPNext runs them: a Sales Order's validation, and
//! what submitting or cancelling one does to its Quotation (`ordered_qty` on the Quotation
//! Items, status Partially Ordered / Ordered). The mapping itself is in `mapper.rs`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::error::FrappeError;
use crate::invoice::{default, text};
use crate::selling::{self, check_update_after_submit, fill_items_and_totals};
use crate::selling_doctypes::{QUOTATION, SALES_ORDER};
use crate::store::Store;

/// The options of a Quotation's `status`.
const QUOTATION_STATUSES: &[&str] = &[
    "Draft",
    "Open",
    "Replied",
    "Partially Ordered",
    "Ordered",
    "Lost",
    "Cancelled",
    "Expired",
];

/// Validates a save of a Quotation or Sales Order (`before` is the stored version, `None` on
/// insert) and returns the other documents it changes.
pub async fn on_save(
    store: &Store,
    doctype: &str,
    before: Option<&Value>,
    doc: &mut Map<String, Value>,
) -> Result<Vec<(&'static str, Value)>, FrappeError> {
    let old = before.map(|b| b["docstatus"].as_i64().unwrap_or(0));
    let new = doc.get("docstatus").and_then(Value::as_i64).unwrap_or(0);
    let name = text(doc, "name");
    match (old, new) {
        (None | Some(0), 0 | 1) if doctype == QUOTATION => {
            selling::validate_quotation(store, doc).await?;
            Ok(Vec::new())
        }
        (None | Some(0), 0 | 1) => validate_sales_order(store, doc, new == 1).await,
        (Some(1), 1) => {
            if let Some(before) = before {
                check_update_after_submit(doctype, before, doc)?;
            }
            if doctype == QUOTATION {
                // `status` is allow_on_submit in ERPNext: `declare_enquiry_lost` writes Lost there.
                selling::check_select(doc, "status", "Status", QUOTATION_STATUSES, "")?;
            }
            selling::check_select(
                doc,
                "custom_quote_type",
                "Quote Type",
                selling::QUOTE_TYPES,
                "",
            )?;
            Ok(Vec::new())
        }
        (Some(1), 2) if doctype == QUOTATION => {
            let orders = submitted_orders_of(store, &name).await?;
            if let Some(order) = orders.first() {
                return Err(FrappeError::link_exists(format!(
                    "Cannot delete or cancel because {QUOTATION} {name} is linked with {SALES_ORDER} {}",
                    order["name"].as_str().unwrap_or_default()
                )));
            }
            doc.insert("status".to_owned(), json!("Cancelled"));
            Ok(Vec::new())
        }
        (Some(1), 2) => {
            doc.insert("status".to_owned(), json!("Cancelled"));
            let quotations = update_ordered_qty(store, doc, -1.0).await?;
            Ok(quotations.into_iter().map(|q| (QUOTATION, q)).collect())
        }
        (Some(2), _) => Err(FrappeError::validation(format!(
            "Cannot edit cancelled document {doctype} {name}"
        ))),
        (None | Some(0), _) => Err(FrappeError::docstatus_transition(
            "Cannot change docstatus from 0 (Draft) to 2 (Cancelled)",
        )),
        (Some(from), to) => Err(FrappeError::docstatus_transition(format!(
            "Cannot change docstatus from {from} to {to}"
        ))),
    }
}

/// The submitted Sales Orders with a row against `quotation`.
pub async fn submitted_orders_of(
    store: &Store,
    quotation: &str,
) -> Result<Vec<Value>, FrappeError> {
    let orders = store.find_by_doctype(SALES_ORDER).await?;
    Ok(orders
        .into_iter()
        .filter(|order| order["docstatus"].as_i64() == Some(1))
        .filter(|order| {
            order["items"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|row| row.get("prevdoc_docname").and_then(Value::as_str) == Some(quotation))
        })
        .collect())
}

async fn validate_sales_order(
    store: &Store,
    doc: &mut Map<String, Value>,
    submitting: bool,
) -> Result<Vec<(&'static str, Value)>, FrappeError> {
    let customer_id = text(doc, "customer");
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
    default(doc, "title", customer["customer_name"].clone());
    default(doc, "language", customer["language"].clone());
    selling::set_selling_defaults(doc);
    let delivery = text(doc, "delivery_date");
    if delivery.is_empty() {
        return Err(FrappeError::validation("Please enter Delivery Date"));
    }
    if text(doc, "transaction_date") > delivery {
        return Err(FrappeError::validation(
            "Expected Delivery Date should be after Sales Order Date",
        ));
    }
    if let Some(Value::Array(rows)) = doc.get_mut("items") {
        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
            default(row, "delivery_date", json!(delivery));
        }
    }
    fill_items_and_totals(store, doc, "Sales Order Item").await?;
    validate_quotation_links(store, doc).await?;
    for field in ["per_delivered", "per_billed"] {
        doc.insert(field.to_owned(), json!(0.0));
    }
    let status = if submitting {
        "To Deliver and Bill"
    } else {
        "Draft"
    };
    doc.insert("status".to_owned(), json!(status));
    if !submitting {
        return Ok(Vec::new());
    }
    let quotations = update_ordered_qty(store, doc, 1.0).await?;
    Ok(quotations.into_iter().map(|q| (QUOTATION, q)).collect())
}

/// Link validation of `prevdoc_docname` (exists, not cancelled) and of `quotation_item` (a row
/// of that Quotation with the same item).
async fn validate_quotation_links(
    store: &Store,
    doc: &Map<String, Value>,
) -> Result<(), FrappeError> {
    for (index, row) in rows(doc).enumerate() {
        let quotation_name = text(row, "prevdoc_docname");
        if quotation_name.is_empty() {
            continue;
        }
        let at = format!("Row #{}: Quotation: {quotation_name}", index + 1);
        let quotation = store
            .find_by_name(QUOTATION, &quotation_name)
            .await?
            .ok_or_else(|| FrappeError::link_validation(format!("Could not find {at}")))?;
        if quotation["docstatus"].as_i64() == Some(2) {
            return Err(FrappeError::cancelled_link(format!(
                "Cannot link cancelled document: {at}"
            )));
        }
        let detail = text(row, "quotation_item");
        if detail.is_empty() {
            continue;
        }
        let quoted = quotation["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|q| q.get("name").and_then(Value::as_str) == Some(detail.as_str()));
        match quoted {
            None => {
                return Err(FrappeError::validation(format!(
                    "Invalid reference Quotation Item {detail}"
                )));
            }
            Some(q) if q.get("item_code") != row.get("item_code") => {
                return Err(FrappeError::validation(format!(
                    "Row #{}: Item Code must be same as in Quotation {quotation_name}",
                    index + 1
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

pub fn rows(doc: &Map<String, Value>) -> impl Iterator<Item = &Map<String, Value>> {
    doc.get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// Adds (`sign` 1, on submit) or removes (`sign` -1, on cancel) the order's quantities to the
/// `ordered_qty` of the Quotation Items it names, refuses over-ordering as ERPNext's status
/// updater does, and returns the Quotations with their new status.
async fn update_ordered_qty(
    store: &Store,
    doc: &Map<String, Value>,
    sign: f64,
) -> Result<Vec<Value>, FrappeError> {
    let mut quotations: BTreeMap<String, Value> = BTreeMap::new();
    for row in rows(doc) {
        let (quotation_name, detail) = (text(row, "prevdoc_docname"), text(row, "quotation_item"));
        if quotation_name.is_empty() || detail.is_empty() {
            continue;
        }
        if !quotations.contains_key(&quotation_name) {
            let Some(quotation) = store.find_by_name(QUOTATION, &quotation_name).await? else {
                continue;
            };
            quotations.insert(quotation_name.clone(), quotation);
        }
        let Some(quotation) = quotations.get_mut(&quotation_name) else {
            continue;
        };
        let qty = row.get("qty").and_then(Value::as_f64).unwrap_or(0.0);
        let Some(quoted) = quotation["items"]
            .as_array_mut()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
            .find(|q| q.get("name").and_then(Value::as_str) == Some(detail.as_str()))
        else {
            continue;
        };
        let ordered = quoted
            .get("ordered_qty")
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
            + sign * qty;
        let quoted_qty = quoted.get("qty").and_then(Value::as_f64).unwrap_or(0.0);
        if sign > 0.0 && ordered - quoted_qty > 0.01 {
            return Err(FrappeError::over_allowance(format!(
                "This document is over limit by <strong>Stock Qty</strong> <strong>{}</strong> for item <strong>{}</strong>. Are you making another <strong>{SALES_ORDER}</strong> against the same <strong>Quotation Item</strong>?<br><br>To allow over receipt / delivery, update \"Over Receipt/Delivery Allowance\" in Stock Settings or the Item.",
                ordered - quoted_qty,
                text(quoted, "item_code"),
            )));
        }
        quoted.insert("ordered_qty".to_owned(), json!(ordered.max(0.0)));
    }
    Ok(quotations
        .into_values()
        .map(|mut quotation| {
            if let Some(fields) = quotation.as_object_mut() {
                set_ordered_status(fields);
            }
            quotation
        })
        .collect())
}

/// ERPNext's status map for a submitted Quotation, read from its last entry up: Ordered when
/// every row is ordered in full, Partially Ordered when some is, else Lost if it was, else Open.
fn set_ordered_status(quotation: &mut Map<String, Value>) {
    if quotation.get("docstatus").and_then(Value::as_i64) != Some(1) {
        return;
    }
    let lost = text(quotation, "status") == "Lost";
    let quoted: Vec<(f64, f64)> = rows(quotation)
        .map(|row| {
            let get = |f: &str| row.get(f).and_then(Value::as_f64).unwrap_or(0.0);
            (get("ordered_qty"), get("qty"))
        })
        .collect();
    let status = if !quoted.is_empty() && quoted.iter().all(|(ordered, qty)| ordered >= qty) {
        "Ordered"
    } else if quoted.iter().any(|(ordered, _)| *ordered > 0.0) {
        "Partially Ordered"
    } else if lost {
        "Lost"
    } else {
        "Open"
    };
    quotation.insert("status".to_owned(), json!(status));
}
