//! Supplier and Purchase Invoice as ERPNext validates them: the Supplier's defaults; the
//! Purchase Invoice's supplier (it must exist and be enabled), its rows, taxes and totals (always
//! recomputed, whatever the client sent), the "Supplier Invoice No exists" check and its status.

use serde_json::{Map, Value, json};

use crate::error::FrappeError;
use crate::invoice::{self, child_row, compute_taxes, default, text};
use crate::money::{amount, cents};
use crate::operations_doctypes::{PURCHASE_INVOICE, SUPPLIER};
use crate::selling::{COMPANY, check_select, random_name};
use crate::selling_doctypes::ITEM;
use crate::store::Store;

/// The options of Supplier's Select `supplier_type`.
pub const SUPPLIER_TYPES: &[&str] = &["Company", "Individual", "Partnership"];

/// Validates a Supplier: defaults as ERPNext's form gives them and the Select options.
pub fn validate_supplier(doc: &mut Map<String, Value>) -> Result<(), FrappeError> {
    default(doc, "supplier_group", json!("All Supplier Groups"));
    default(doc, "supplier_type", json!("Company"));
    default(doc, "disabled", json!(0));
    check_select(doc, "supplier_type", "Supplier Type", SUPPLIER_TYPES, "")
}

/// Validates a new or edited draft Purchase Invoice (also when it is being submitted) and sets
/// `supplier_name`, the rows' amounts, the taxes, the totals, `outstanding_amount` and `status`.
pub async fn validate_purchase_invoice(
    store: &Store,
    doc: &mut Map<String, Value>,
) -> Result<(), FrappeError> {
    let supplier_id = text(doc, "supplier");
    let supplier = store
        .find_by_name(SUPPLIER, &supplier_id)
        .await?
        .ok_or_else(|| {
            FrappeError::link_validation(format!("Could not find Supplier: {supplier_id}"))
        })?;
    if crate::filters::as_text(&supplier["disabled"]) == "1" {
        return Err(FrappeError::party_disabled(format!(
            "Supplier {supplier_id} is disabled"
        )));
    }
    doc.insert(
        "supplier_name".to_owned(),
        supplier["supplier_name"].clone(),
    );
    default(doc, "company", json!(COMPANY));
    let currency = supplier
        .get("default_currency")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty())
        .unwrap_or("CAD");
    default(doc, "currency", json!(currency));
    let today = invoice::today();
    default(doc, "posting_date", json!(today));
    let posting = text(doc, "posting_date");
    let bill_date = text(doc, "bill_date");
    if !bill_date.is_empty() && bill_date > posting {
        return Err(FrappeError::validation(
            "Supplier Invoice Date cannot be greater than Posting Date",
        ));
    }
    let reference = if bill_date.is_empty() {
        posting.clone()
    } else {
        bill_date
    };
    default(doc, "due_date", json!(reference));
    if text(doc, "due_date") < reference {
        return Err(FrappeError::validation(
            "Due Date cannot be before Posting / Supplier Invoice Date",
        ));
    }
    check_supplier_invoice_no(store, doc, &posting).await?;
    let net = compute_rows(store, doc).await?;
    let taxes = compute_purchase_taxes(doc, net)?;
    let grand = net + taxes;
    let total_qty: f64 = rows(doc)
        .filter_map(|row| row.get("qty").and_then(Value::as_f64))
        .sum();
    doc.insert("total_qty".to_owned(), json!(total_qty));
    for (field, cents) in [
        ("total", net),
        ("net_total", net),
        ("taxes_and_charges_added", taxes),
        ("taxes_and_charges_deducted", 0),
        ("total_taxes_and_charges", taxes),
        ("grand_total", grand),
        ("rounded_total", grand),
        ("outstanding_amount", grand),
    ] {
        doc.insert(field.to_owned(), amount(cents));
    }
    doc.insert("disable_rounded_total".to_owned(), json!(1));
    invoice::refresh_status(doc, &today);
    Ok(())
}

/// ERPNext's `validate_supplier_invoice`: another Purchase Invoice of the same supplier with
/// the same `bill_no`, not cancelled, posted in the same fiscal year (the calendar year here)
/// is refused. ERPNext runs it when Accounts Settings' `check_supplier_invoice_uniqueness` is
/// on; the sandbox always does.
async fn check_supplier_invoice_no(
    store: &Store,
    doc: &Map<String, Value>,
    posting: &str,
) -> Result<(), FrappeError> {
    let bill_no = text(doc, "bill_no");
    if bill_no.trim().is_empty() {
        return Ok(());
    }
    let name = text(doc, "name");
    let supplier = text(doc, "supplier");
    let year = posting.get(..4).unwrap_or(posting);
    for other in store.find_by_doctype(PURCHASE_INVOICE).await? {
        let Some(other) = other.as_object() else {
            continue;
        };
        let cancelled = other.get("docstatus").and_then(Value::as_i64) == Some(2);
        if !cancelled
            && text(other, "name") != name
            && text(other, "supplier") == supplier
            && text(other, "bill_no").trim() == bill_no.trim()
            && text(other, "posting_date").starts_with(year)
        {
            return Err(FrappeError::validation(format!(
                "Supplier Invoice No exists in Purchase Invoice {}",
                text(other, "name")
            )));
        }
    }
    Ok(())
}

fn rows(doc: &Map<String, Value>) -> impl Iterator<Item = &Map<String, Value>> {
    doc.get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// The `items` rows (`Purchase Invoice Item`): `item_code` is optional (a service or a line
/// read off a supplier's invoice); when given, its Item must exist and fills `item_name` and
/// `description`. Returns the net total in cents.
async fn compute_rows(store: &Store, doc: &mut Map<String, Value>) -> Result<i64, FrappeError> {
    let blank = doc
        .get("items")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    if blank {
        return Err(FrappeError::mandatory("Items is required"));
    }
    let mut catalogue = Vec::new();
    for row in rows(doc) {
        catalogue.push(match text(row, "item_code").trim() {
            "" => None,
            code => Some((code.to_owned(), store.find_by_name(ITEM, code).await?)),
        });
    }
    let parent = text(doc, "name");
    let mut net = 0;
    let Some(Value::Array(items)) = doc.get_mut("items") else {
        return Err(FrappeError::mandatory("Items is required"));
    };
    for (index, (item, found)) in items.iter_mut().zip(catalogue).enumerate() {
        let row = index + 1;
        let Some(fields) = item.as_object_mut() else {
            return Err(FrappeError::validation(format!(
                "Row #{row}: an item must be an object"
            )));
        };
        if let Some((code, found)) = found {
            let Some(found) = found else {
                return Err(FrappeError::link_validation(format!(
                    "Could not find Row #{row}: Item Code: {code}"
                )));
            };
            default(fields, "item_name", found["item_name"].clone());
            default(fields, "description", found["description"].clone());
        }
        if text(fields, "item_name").trim().is_empty() {
            return Err(FrappeError::mandatory(format!(
                "Row #{row}: Item Name is required"
            )));
        }
        let name = fields.get("item_name").cloned().unwrap_or(Value::Null);
        default(fields, "description", name);
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
        default(fields, "uom", json!("Nos"));
        default(fields, "name", json!(random_name()));
        fields.insert("qty".to_owned(), json!(qty));
        fields.insert("rate".to_owned(), amount(rate));
        fields.insert("amount".to_owned(), amount(line));
        fields.insert("net_amount".to_owned(), amount(line));
        fields.insert("parent".to_owned(), json!(parent));
        fields.insert("parenttype".to_owned(), json!(PURCHASE_INVOICE));
        child_row(fields, "Purchase Invoice Item", "items", row);
        net += line;
    }
    Ok(net)
}

/// The `taxes` rows (`Purchase Taxes and Charges`), computed as a Sales Invoice's; only
/// `add_deduct_tax` = `Add` (the default) is served. Returns the tax total in cents.
fn compute_purchase_taxes(doc: &mut Map<String, Value>, net: i64) -> Result<i64, FrappeError> {
    if let Some(Value::Array(taxes)) = doc.get_mut("taxes") {
        for (index, tax) in taxes.iter_mut().enumerate() {
            if let Some(fields) = tax.as_object_mut() {
                default(fields, "category", json!("Total"));
                default(fields, "add_deduct_tax", json!("Add"));
                if text(fields, "add_deduct_tax") != "Add" {
                    return Err(FrappeError::validation(format!(
                        "Row #{}: the sandbox adds taxes only (Add or Deduct Tax: Add)",
                        index + 1
                    )));
                }
            }
        }
    }
    let taxes = compute_taxes(doc, net)?;
    let parent = text(doc, "name");
    if let Some(Value::Array(rows)) = doc.get_mut("taxes") {
        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
            row.insert("doctype".to_owned(), json!("Purchase Taxes and Charges"));
            default(row, "name", json!(random_name()));
            row.insert("parent".to_owned(), json!(parent));
            row.insert("parenttype".to_owned(), json!(PURCHASE_INVOICE));
        }
    }
    Ok(taxes)
}
