//! The submittable doctypes (Sales Invoice, Payment Entry, Quotation, Sales Order, Purchase
//! Invoice): docstatus transitions
//! (0 draft → 1 submitted → 2 cancelled) and what a save changes in other documents.

use serde_json::{Map, Value, json};

use crate::dispatch_doctypes::{DISPATCH_JOB, ISSUE, TECHNICIAN};
use crate::error::FrappeError;
use crate::invoice::{self, SALES_INVOICE};
use crate::money::field_cents;
use crate::operations_doctypes::{EQUIPMENT, PURCHASE_INVOICE, SERVICE_LOCATION, SUPPLIER};
use crate::payment::{self, PAYMENT_ENTRY};
use crate::selling_doctypes::{ITEM, QUOTATION, SALES_ORDER, SUBSCRIPTION, SUBSCRIPTION_PLAN};
use crate::store::Store;
use crate::{buying, dispatch, equipment, sales_order, selling, subscription};

/// Whether documents of `doctype` carry a meaningful docstatus.
pub fn is_submittable(doctype: &str) -> bool {
    matches!(
        doctype,
        SALES_INVOICE | PAYMENT_ENTRY | QUOTATION | SALES_ORDER | PURCHASE_INVOICE
    )
}

/// Validates a save of `doc` (`before` is the stored version, `None` on insert) and
/// returns the other documents it changes, as `(doctype, doc)`.
pub async fn on_save(
    store: &Store,
    doctype: &str,
    before: Option<&Value>,
    doc: &mut Map<String, Value>,
) -> Result<Vec<(&'static str, Value)>, FrappeError> {
    match doctype {
        ITEM => return selling::validate_item(doc).map(|()| Vec::new()),
        SUPPLIER => return buying::validate_supplier(doc).map(|()| Vec::new()),
        SERVICE_LOCATION => {
            return equipment::validate_location(store, doc)
                .await
                .map(|()| Vec::new());
        }
        EQUIPMENT => {
            return equipment::validate_equipment(store, doc)
                .await
                .map(|()| Vec::new());
        }
        TECHNICIAN => return dispatch::validate_technician(doc).map(|()| Vec::new()),
        ISSUE => {
            return dispatch::validate_issue(store, doc)
                .await
                .map(|()| Vec::new());
        }
        DISPATCH_JOB => {
            return dispatch::validate_job(store, doc)
                .await
                .map(|()| Vec::new());
        }
        SUBSCRIPTION_PLAN => {
            return subscription::validate_plan(store, doc)
                .await
                .map(|()| Vec::new());
        }
        SUBSCRIPTION => {
            return subscription::validate(store, doc)
                .await
                .map(|()| Vec::new());
        }
        QUOTATION | SALES_ORDER => return sales_order::on_save(store, doctype, before, doc).await,
        _ if !is_submittable(doctype) => return Ok(Vec::new()),
        _ => {}
    }
    let old = before.map(|b| b["docstatus"].as_i64().unwrap_or(0));
    let new = doc.get("docstatus").and_then(Value::as_i64).unwrap_or(0);
    let name = invoice::text(doc, "name");
    match (old, new) {
        (None | Some(0), 0 | 1) => {
            if doctype == SALES_INVOICE {
                invoice::validate(store, doc).await?;
                Ok(Vec::new())
            } else if doctype == PURCHASE_INVOICE {
                buying::validate_purchase_invoice(store, doc).await?;
                Ok(Vec::new())
            } else {
                let invoices = payment::validate(store, doc, new == 1).await?;
                Ok(invoices.into_iter().map(|i| (SALES_INVOICE, i)).collect())
            }
        }
        (Some(1), 2) => {
            if doctype == PAYMENT_ENTRY {
                let invoices = payment::cancel(store, doc).await?;
                return Ok(invoices.into_iter().map(|i| (SALES_INVOICE, i)).collect());
            }
            let wrapped = Value::Object(doc.clone());
            if field_cents(&wrapped, "outstanding_amount") != field_cents(&wrapped, "grand_total") {
                return Err(FrappeError::link_exists(format!(
                    "Cannot delete or cancel because {doctype} {name} is linked with a submitted Payment Entry"
                )));
            }
            doc.insert("status".to_owned(), json!("Cancelled"));
            Ok(Vec::new())
        }
        (Some(1), 1) => Err(FrappeError::update_after_submit(format!(
            "Not allowed to change {doctype} {name} after submission"
        ))),
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

/// A stored document with its status as of `today`: an Unpaid or Partly Paid invoice
/// whose due date has passed reads as Overdue, what ERPNext's daily scheduler job writes.
pub fn as_of(doctype: &str, doc: &mut Value, today: &str) {
    let Some(fields) = doc.as_object_mut() else {
        return;
    };
    match doctype {
        SALES_INVOICE | PURCHASE_INVOICE => invoice::refresh_status(fields, today),
        QUOTATION => selling::quotation_as_of(fields, today),
        _ => {}
    }
}

/// Frappe refuses to delete a submitted document.
pub fn ensure_deletable(doc: &Value) -> Result<(), FrappeError> {
    if doc["docstatus"].as_i64() == Some(1) {
        return Err(FrappeError::validation(
            "Submitted Record cannot be deleted. You must Cancel it first.",
        ));
    }
    Ok(())
}
