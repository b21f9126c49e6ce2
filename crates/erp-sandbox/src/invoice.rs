//! Sales Invoice: totals, Quebec taxes and status, computed by the server as ERPNext does.

use serde_json::{Map, Value, json};

use crate::error::FrappeError;
use crate::money::{amount, cents, field_cents, percent_of};
use crate::store::Store;

/// Sales Invoice.
pub const SALES_INVOICE: &str = "Sales Invoice";

/// The status ERPNext shows for an invoice (`set_status` of its controller): submitted
/// invoices are Paid, Overdue, Partly Paid or Unpaid, in that order of precedence.
pub fn status(
    docstatus: i64,
    grand: i64,
    outstanding: i64,
    due_date: &str,
    today: &str,
) -> &'static str {
    match docstatus {
        0 => "Draft",
        2 => "Cancelled",
        _ if outstanding <= 0 => "Paid",
        _ if !due_date.is_empty() && due_date < today => "Overdue",
        _ if outstanding < grand => "Partly Paid",
        _ => "Unpaid",
    }
}

/// Today's date, `YYYY-MM-DD`, as Frappe's `nowdate()`.
pub fn today() -> String {
    chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// Sets `status` from the document's own docstatus, totals and due date.
pub fn refresh_status(doc: &mut Map<String, Value>, today: &str) {
    let docstatus = doc.get("docstatus").and_then(Value::as_i64).unwrap_or(0);
    let wrapped = Value::Object(doc.clone());
    let due = doc
        .get("due_date")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let status = status(
        docstatus,
        field_cents(&wrapped, "grand_total"),
        field_cents(&wrapped, "outstanding_amount"),
        due,
        today,
    );
    doc.insert("status".to_owned(), json!(status));
}

/// Validates a new or edited draft invoice and computes its rows, taxes, totals,
/// `outstanding_amount` and `status`.
pub async fn validate(store: &Store, doc: &mut Map<String, Value>) -> Result<(), FrappeError> {
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
    let today = today();
    default(doc, "currency", json!("CAD"));
    default(doc, "posting_date", json!(today));
    let posting = text(doc, "posting_date");
    default(doc, "due_date", json!(posting));
    if text(doc, "due_date") < posting {
        return Err(FrappeError::validation(
            "Due Date cannot be before Posting / Supplier Invoice Date",
        ));
    }
    let net = compute_items(doc, "Sales Invoice Item")?;
    let taxes = compute_taxes(doc, net)?;
    let grand = net + taxes;
    for (field, cents) in [
        ("total", net),
        ("net_total", net),
        ("total_taxes_and_charges", taxes),
        ("grand_total", grand),
        ("rounded_total", grand),
        ("outstanding_amount", grand),
    ] {
        doc.insert(field.to_owned(), amount(cents));
    }
    doc.insert("disable_rounded_total".to_owned(), json!(1));
    refresh_status(doc, &today);
    Ok(())
}

/// Computes each row's `amount` (`qty × rate`, to the cent) of the `items` table, rows of
/// `child_doctype`, and returns their sum in cents.
pub fn compute_items(
    doc: &mut Map<String, Value>,
    child_doctype: &str,
) -> Result<i64, FrappeError> {
    let Some(Value::Array(items)) = doc.get_mut("items") else {
        return Err(FrappeError::mandatory("Items is required"));
    };
    if items.is_empty() {
        return Err(FrappeError::mandatory("Items is required"));
    }
    let mut net = 0;
    for (index, item) in items.iter_mut().enumerate() {
        let row = index + 1;
        let Some(fields) = item.as_object_mut() else {
            return Err(FrappeError::validation(format!(
                "Row #{row}: an item must be an object"
            )));
        };
        if text(fields, "item_code").trim().is_empty() {
            return Err(FrappeError::mandatory(format!(
                "Row #{row}: Item Code is required"
            )));
        }
        let qty = fields.get("qty").and_then(Value::as_f64).unwrap_or(1.0);
        let rate = fields.get("rate").and_then(cents).unwrap_or(0);
        if qty <= 0.0 || rate < 0 {
            return Err(FrappeError::validation(format!(
                "Row #{row}: Quantity must be positive and Rate cannot be negative"
            )));
        }
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            reason = "cents"
        )]
        let line = (qty * rate as f64).round() as i64;
        let code = text(fields, "item_code");
        default(fields, "item_name", json!(code));
        default(fields, "uom", json!("Unit"));
        fields.insert("qty".to_owned(), json!(qty));
        fields.insert("rate".to_owned(), amount(rate));
        fields.insert("amount".to_owned(), amount(line));
        fields.insert("net_amount".to_owned(), amount(line));
        child_row(fields, child_doctype, "items", row);
        net += line;
    }
    Ok(net)
}

/// Computes the `taxes` rows on `net` cents and returns the tax total in cents.
pub fn compute_taxes(doc: &mut Map<String, Value>, net: i64) -> Result<i64, FrappeError> {
    let Some(Value::Array(taxes)) = doc.get_mut("taxes") else {
        return Ok(0);
    };
    let mut running = net;
    for (index, tax) in taxes.iter_mut().enumerate() {
        let row = index + 1;
        let Some(fields) = tax.as_object_mut() else {
            return Err(FrappeError::validation(format!(
                "Row #{row}: a tax must be an object"
            )));
        };
        if text(fields, "account_head").trim().is_empty() {
            return Err(FrappeError::mandatory(format!(
                "Row #{row}: Account Head is required"
            )));
        }
        let rate = fields.get("rate").and_then(Value::as_f64).unwrap_or(0.0);
        let tax_amount = match text(fields, "charge_type").as_str() {
            "On Net Total" => percent_of(net, rate),
            "Actual" => field_cents(&Value::Object(fields.clone()), "tax_amount"),
            other => {
                return Err(FrappeError::validation(format!(
                    "Row #{row}: Charge Type {other:?} is not supported by the sandbox (On Net Total, Actual)"
                )));
            }
        };
        running += tax_amount;
        let head = text(fields, "account_head");
        default(fields, "description", json!(head));
        fields.insert("rate".to_owned(), json!(rate));
        fields.insert("tax_amount".to_owned(), amount(tax_amount));
        fields.insert("total".to_owned(), amount(running));
        child_row(fields, "Sales Taxes and Charges", "taxes", row);
    }
    Ok(running - net)
}

/// Fills the standard fields of a child-table row.
pub fn child_row(fields: &mut Map<String, Value>, doctype: &str, parentfield: &str, idx: usize) {
    fields.insert("doctype".to_owned(), json!(doctype));
    fields.insert("parentfield".to_owned(), json!(parentfield));
    fields.insert("idx".to_owned(), json!(idx));
}

/// The text of a field, `""` when absent.
pub fn text(doc: &Map<String, Value>, field: &str) -> String {
    match doc.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Sets `field` when absent, null or blank.
pub fn default(doc: &mut Map<String, Value>, field: &str, value: Value) {
    let blank = doc
        .get(field)
        .is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()));
    if blank {
        doc.insert(field.to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_outranks_partly_paid_and_paid_outranks_both() {
        assert_eq!(status(1, 100, 0, "2020-01-01", "2026-01-01"), "Paid");
        assert_eq!(status(1, 100, 40, "2020-01-01", "2026-01-01"), "Overdue");
        assert_eq!(
            status(1, 100, 40, "2026-02-01", "2026-01-01"),
            "Partly Paid"
        );
        assert_eq!(status(1, 100, 100, "2026-01-01", "2026-01-01"), "Unpaid");
        assert_eq!(status(0, 100, 100, "2020-01-01", "2026-01-01"), "Draft");
        assert_eq!(status(2, 100, 100, "2020-01-01", "2026-01-01"), "Cancelled");
    }
}
