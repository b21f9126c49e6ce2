//! Payment Entry (Receive from a Customer): validation and, on submit, the effect on the
//! referenced Sales Invoices' `outstanding_amount` and `status`, as ERPNext's controller does.
//! A refund (Pay to a Customer) is booked unallocated: money leaves the bank and the customer's
//! receivable grows, for accounting to match against a credit note.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::error::FrappeError;
use crate::invoice::{self, SALES_INVOICE, child_row, default, text};
use crate::money::{amount, cents, display, field_cents};
use crate::store::Store;

/// Payment Entry.
pub const PAYMENT_ENTRY: &str = "Payment Entry";

/// Validates a Payment Entry and fills its defaults and totals. When `submitting`, also
/// returns the referenced invoices with their new `outstanding_amount` and `status`,
/// for the caller to store with the entry.
pub async fn validate(
    store: &Store,
    doc: &mut Map<String, Value>,
    submitting: bool,
) -> Result<Vec<Value>, FrappeError> {
    let today = invoice::today();
    default(doc, "payment_type", json!("Receive"));
    default(doc, "party_type", json!("Customer"));
    let refund = match (
        text(doc, "payment_type").as_str(),
        text(doc, "party_type").as_str(),
    ) {
        ("Receive", "Customer") => false,
        ("Pay", "Customer") => true,
        _ => {
            return Err(FrappeError::validation(
                "The sandbox books only Payment Type Receive from, or Pay to, Party Type Customer",
            ));
        }
    };
    if refund
        && (rows(doc, "references").next().is_some() || rows(doc, "deductions").next().is_some())
    {
        return Err(FrappeError::validation(
            "The sandbox books a payment to a customer (a refund) unallocated, without deductions",
        ));
    }
    let party = text(doc, "party");
    let customer = store
        .find_by_name("Customer", &party)
        .await?
        .ok_or_else(|| FrappeError::link_validation(format!("Could not find Party: {party}")))?;
    doc.insert("party_name".to_owned(), customer["customer_name"].clone());
    default(doc, "posting_date", json!(today));
    let posting = text(doc, "posting_date");
    default(doc, "reference_date", json!(posting));
    let (from, to) = match refund {
        false => ("1310 - Débiteurs - GF", "1020 - Stripe - GF"),
        true => ("1020 - Stripe - GF", "1310 - Débiteurs - GF"),
    };
    default(doc, "paid_from", json!(from));
    default(doc, "paid_to", json!(to));
    default(doc, "paid_from_account_currency", json!("CAD"));
    default(doc, "paid_to_account_currency", json!("CAD"));
    let paid = money_field(doc, "paid_amount", "Paid Amount")?;
    if paid <= 0 {
        return Err(FrappeError::validation(
            "Paid Amount must be greater than 0",
        ));
    }
    default(doc, "received_amount", amount(paid));
    let received = money_field(doc, "received_amount", "Received Amount")?;
    if received != paid {
        return Err(FrappeError::validation(
            "Received Amount must equal Paid Amount (both accounts are in CAD)",
        ));
    }
    let deductions = validate_deductions(doc)?;
    let (allocated, invoices) = validate_references(store, doc, &party, submitting).await?;
    // ERPNext's rule: allocated + unallocated = paid + deductions, and the difference is zero.
    let unallocated = paid + deductions - allocated;
    if unallocated < 0 {
        return Err(FrappeError::validation(format!(
            "Total Allocated Amount ({}) cannot be greater than Paid Amount plus Deductions ({})",
            display(allocated),
            display(paid + deductions)
        )));
    }
    doc.insert("total_allocated_amount".to_owned(), amount(allocated));
    doc.insert("unallocated_amount".to_owned(), amount(unallocated));
    doc.insert("difference_amount".to_owned(), amount(0));
    let status = if submitting { "Submitted" } else { "Draft" };
    doc.insert("status".to_owned(), json!(status));
    Ok(invoices)
}

/// Cancelling a submitted entry gives each referenced invoice its allocation back.
pub async fn cancel(
    store: &Store,
    doc: &mut Map<String, Value>,
) -> Result<Vec<Value>, FrappeError> {
    let today = invoice::today();
    let mut invoices: HashMap<String, Value> = HashMap::new();
    for reference in rows(doc, "references") {
        let name = text(reference, "reference_name");
        let allocated = field_cents(&Value::Object(reference.clone()), "allocated_amount");
        let mut current = match invoices.remove(&name) {
            Some(doc) => doc,
            None => match store.find_by_name(SALES_INVOICE, &name).await? {
                Some(doc) => doc,
                None => continue,
            },
        };
        add_outstanding(&mut current, allocated, &today);
        invoices.insert(name, current);
    }
    doc.insert("status".to_owned(), json!("Cancelled"));
    Ok(invoices.into_values().collect())
}

fn validate_deductions(doc: &mut Map<String, Value>) -> Result<i64, FrappeError> {
    let mut total = 0;
    let Some(Value::Array(deductions)) = doc.get_mut("deductions") else {
        return Ok(0);
    };
    for (index, deduction) in deductions.iter_mut().enumerate() {
        let row = index + 1;
        let Some(fields) = deduction.as_object_mut() else {
            return Err(FrappeError::validation(format!(
                "Row #{row}: a deduction must be an object"
            )));
        };
        if text(fields, "account").trim().is_empty() {
            return Err(FrappeError::mandatory(format!(
                "Row #{row}: Account is required"
            )));
        }
        let value = money_field(fields, "amount", "Amount")?;
        if value < 0 {
            return Err(FrappeError::validation(format!(
                "Row #{row}: Deduction Amount cannot be negative"
            )));
        }
        default(fields, "cost_center", json!("Principal - GF"));
        fields.insert("amount".to_owned(), amount(value));
        child_row(fields, "Payment Entry Deduction", "deductions", row);
        total += value;
    }
    Ok(total)
}

async fn validate_references(
    store: &Store,
    doc: &mut Map<String, Value>,
    party: &str,
    submitting: bool,
) -> Result<(i64, Vec<Value>), FrappeError> {
    let today = invoice::today();
    let mut total = 0;
    let mut invoices: HashMap<String, Value> = HashMap::new();
    let Some(Value::Array(references)) = doc.get_mut("references") else {
        return Ok((0, Vec::new()));
    };
    for (index, reference) in references.iter_mut().enumerate() {
        let row = index + 1;
        let Some(fields) = reference.as_object_mut() else {
            return Err(FrappeError::validation(format!(
                "Row #{row}: a reference must be an object"
            )));
        };
        let doctype = text(fields, "reference_doctype");
        if doctype != SALES_INVOICE {
            return Err(FrappeError::validation(format!(
                "Row #{row}: Reference Doctype must be one of Sales Invoice"
            )));
        }
        let name = text(fields, "reference_name");
        let mut current = match invoices.remove(&name) {
            Some(doc) => doc,
            None => store
                .find_by_name(SALES_INVOICE, &name)
                .await?
                .ok_or_else(|| {
                    FrappeError::validation(format!("{SALES_INVOICE} {name} does not exist"))
                })?,
        };
        if current["customer"].as_str() != Some(party) {
            return Err(FrappeError::validation(format!(
                "{SALES_INVOICE} {name} is not associated with Customer {party}"
            )));
        }
        if current["docstatus"].as_i64() != Some(1) {
            return Err(FrappeError::validation(format!(
                "{SALES_INVOICE} {name} must be submitted"
            )));
        }
        let allocated = money_field(fields, "allocated_amount", "Allocated Amount")?;
        let outstanding = field_cents(&current, "outstanding_amount");
        if allocated < 0 {
            return Err(FrappeError::validation(format!(
                "Row #{row}: Allocated Amount cannot be negative"
            )));
        }
        if allocated > outstanding {
            return Err(FrappeError::validation(format!(
                "Row #{row}: Allocated Amount cannot be greater than outstanding amount."
            )));
        }
        fields.insert("allocated_amount".to_owned(), amount(allocated));
        fields.insert("total_amount".to_owned(), current["grand_total"].clone());
        fields.insert("outstanding_amount".to_owned(), amount(outstanding));
        fields.insert("due_date".to_owned(), current["due_date"].clone());
        child_row(fields, "Payment Entry Reference", "references", row);
        add_outstanding(&mut current, -allocated, &today);
        invoices.insert(name, current);
        total += allocated;
    }
    let changed = if submitting {
        invoices.into_values().collect()
    } else {
        Vec::new()
    };
    Ok((total, changed))
}

fn add_outstanding(invoice_doc: &mut Value, delta: i64, today: &str) {
    let outstanding = field_cents(invoice_doc, "outstanding_amount") + delta;
    if let Some(fields) = invoice_doc.as_object_mut() {
        fields.insert("outstanding_amount".to_owned(), amount(outstanding));
        invoice::refresh_status(fields, today);
    }
}

fn rows<'a>(
    doc: &'a Map<String, Value>,
    table: &str,
) -> impl Iterator<Item = &'a Map<String, Value>> {
    doc.get(table)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn money_field(doc: &Map<String, Value>, field: &str, label: &str) -> Result<i64, FrappeError> {
    match doc.get(field) {
        None | Some(Value::Null) => Ok(0),
        Some(value) => {
            cents(value).ok_or_else(|| FrappeError::validation(format!("{label} must be a number")))
        }
    }
}
