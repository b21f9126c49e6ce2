//! Item and Quotation as ERPNext validates them: item details fetched on save (the
//! `custom_billing_frequency` Gigafibre adds to Item), totals and taxes, the Quotation's status,
//! and what a submitted document may still change (`allow_on_submit`).

use serde_json::{Map, Value, json};

use crate::error::FrappeError;
use crate::invoice::{self, compute_items, compute_taxes, default, text};
use crate::money::amount;
use crate::selling_doctypes::{ITEM, QUOTATION, SALES_ORDER};
use crate::store::Store;

/// The options of the custom Select `custom_billing_frequency` (blank allowed).
pub const BILLING_FREQUENCIES: &[&str] = &["One-time", "Monthly", "Quarterly", "Yearly"];
/// The options of the custom Select `custom_quote_type` (blank allowed).
pub const QUOTE_TYPES: &[&str] = &["signature", "click"];
/// The company of every demo document.
pub const COMPANY: &str = "Gigafibre";

/// Fields of a submitted Quotation that may still change (`allow_on_submit`).
const QUOTATION_ALLOW_ON_SUBMIT: &[&str] = &[
    "custom_docuseal_signing_url",
    "custom_docuseal_envelope_id",
    "custom_quote_type",
    "letter_head",
    "select_print_heading",
];
/// Fields of a submitted Sales Order that may still change (`allow_on_submit`).
const SALES_ORDER_ALLOW_ON_SUBMIT: &[&str] = &[
    "delivery_date",
    "po_no",
    "po_date",
    "letter_head",
    "select_print_heading",
];
/// Keys the server maintains: never compared against `allow_on_submit`.
const SERVER_KEYS: &[&str] = &[
    "name",
    "doctype",
    "owner",
    "creation",
    "modified",
    "modified_by",
    "docstatus",
    "idx",
    "status",
    "parent",
    "parenttype",
    "parentfield",
];

/// Validates an Item: defaults as ERPNext's form gives them and the Select options.
pub fn validate_item(doc: &mut Map<String, Value>) -> Result<(), FrappeError> {
    let code = text(doc, "item_code");
    default(doc, "item_name", json!(code));
    let name = text(doc, "item_name");
    default(doc, "description", json!(name));
    default(doc, "item_group", json!("All Item Groups"));
    default(doc, "stock_uom", json!("Nos"));
    default(doc, "is_stock_item", json!(0));
    default(doc, "is_sales_item", json!(1));
    default(doc, "disabled", json!(0));
    check_select(
        doc,
        "custom_billing_frequency",
        "Billing Frequency",
        BILLING_FREQUENCIES,
        "",
    )
}

/// Frappe's Select check: a value outside the options (blank aside) is a ValidationError.
pub fn check_select(
    doc: &Map<String, Value>,
    field: &str,
    label: &str,
    options: &[&str],
    prefix: &str,
) -> Result<(), FrappeError> {
    let value = text(doc, field);
    if value.is_empty() || options.contains(&value.as_str()) {
        return Ok(());
    }
    let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
    Err(FrappeError::validation(format!(
        "{prefix}{label} cannot be \"{value}\". It should be one of {}",
        quoted.join(", ")
    )))
}

/// A Frappe child-row or file name: 10 random lowercase hex characters.
pub fn random_name() -> String {
    let mut bytes = [0u8; 5];
    // The OS generator only fails on a broken system; a fixed name then still works once.
    if getrandom::fill(&mut bytes).is_err() {
        bytes = [0x5a; 5];
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Fills each row of `items` from its Item (name, description, UOM, the standard rate when no
/// rate is given, and `custom_billing_frequency`, a `fetch_from` field: always refreshed), gives
/// each row a name, then computes the amounts, taxes and totals. Returns the net total in cents.
pub async fn fill_items_and_totals(
    store: &Store,
    doc: &mut Map<String, Value>,
    child_doctype: &str,
) -> Result<i64, FrappeError> {
    let parent = text(doc, "name");
    let parenttype = text(doc, "doctype");
    let mut catalogue = Vec::new();
    for row in doc
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let code = row.get("item_code").and_then(Value::as_str).unwrap_or("");
        catalogue.push(match code.trim() {
            "" => None,
            code => store.find_by_name(ITEM, code).await?,
        });
    }
    if let Some(Value::Array(rows)) = doc.get_mut("items") {
        for (index, (row, item)) in rows.iter_mut().zip(catalogue).enumerate() {
            let Some(fields) = row.as_object_mut() else {
                continue;
            };
            let code = text(fields, "item_code");
            if code.trim().is_empty() {
                continue; // compute_items names the missing code
            }
            let Some(item) = item else {
                return Err(FrappeError::link_validation(format!(
                    "Could not find Row #{}: Item Code: {code}",
                    index + 1
                )));
            };
            fill_row(fields, &item, &parent, &parenttype);
        }
    }
    let net = compute_items(doc, child_doctype)?;
    let taxes = compute_taxes(doc, net)?;
    let total_qty: f64 = doc
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|row| row.get("qty").and_then(Value::as_f64))
        .sum();
    if let Some(Value::Array(rows)) = doc.get_mut("items") {
        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
            let qty = row.get("qty").cloned().unwrap_or(json!(1.0));
            row.insert("stock_qty".to_owned(), qty);
            row.insert("conversion_factor".to_owned(), json!(1.0));
        }
    }
    doc.insert("total_qty".to_owned(), json!(total_qty));
    for (field, cents) in [
        ("total", net),
        ("net_total", net),
        ("total_taxes_and_charges", taxes),
        ("grand_total", net + taxes),
        ("rounded_total", net + taxes),
    ] {
        doc.insert(field.to_owned(), amount(cents));
    }
    let parent_doc = doc.clone();
    if let Some(Value::Array(rows)) = doc.get_mut("taxes") {
        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
            default(row, "name", json!(random_name()));
            row.insert("parent".to_owned(), json!(text(&parent_doc, "name")));
            row.insert("parenttype".to_owned(), json!(parenttype));
        }
    }
    Ok(net)
}

fn fill_row(fields: &mut Map<String, Value>, item: &Value, parent: &str, parenttype: &str) {
    let from_item = |field: &str| item.get(field).cloned().unwrap_or(Value::Null);
    default(fields, "name", json!(random_name()));
    default(fields, "item_name", from_item("item_name"));
    default(fields, "description", from_item("description"));
    default(fields, "stock_uom", from_item("stock_uom"));
    let uom = fields.get("stock_uom").cloned().unwrap_or(json!("Nos"));
    default(fields, "uom", uom);
    if fields.get("rate").is_none_or(Value::is_null) {
        fields.insert(
            "rate".to_owned(),
            item.get("standard_rate").cloned().unwrap_or(json!(0)),
        );
    }
    let frequency = item
        .get("custom_billing_frequency")
        .cloned()
        .filter(|v| !v.is_null())
        .unwrap_or(json!(""));
    fields.insert("custom_billing_frequency".to_owned(), frequency);
    fields.insert("parent".to_owned(), json!(parent));
    fields.insert("parenttype".to_owned(), json!(parenttype));
}

/// Validates a new or edited draft Quotation (also when it is being submitted) and sets its
/// party details, item details, totals and status.
pub async fn validate_quotation(
    store: &Store,
    doc: &mut Map<String, Value>,
) -> Result<(), FrappeError> {
    default(doc, "quotation_to", json!("Customer"));
    if text(doc, "quotation_to") != "Customer" {
        return Err(FrappeError::validation(
            "The sandbox quotes Customers only (Quotation To: Customer)",
        ));
    }
    let party = text(doc, "party_name");
    let customer = store
        .find_by_name("Customer", &party)
        .await?
        .ok_or_else(|| FrappeError::link_validation(format!("Could not find Party: {party}")))?;
    doc.insert(
        "customer_name".to_owned(),
        customer["customer_name"].clone(),
    );
    default(doc, "title", customer["customer_name"].clone());
    default(doc, "language", customer["language"].clone());
    set_selling_defaults(doc);
    let valid_till = text(doc, "valid_till");
    if !valid_till.is_empty() && valid_till < text(doc, "transaction_date") {
        return Err(FrappeError::validation(
            "Valid till date cannot be before transaction date",
        ));
    }
    check_select(doc, "custom_quote_type", "Quote Type", QUOTE_TYPES, "")?;
    fill_items_and_totals(store, doc, "Quotation Item").await?;
    if let Some(Value::Array(rows)) = doc.get_mut("items") {
        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
            default(row, "ordered_qty", json!(0.0));
        }
    }
    let submitted = doc.get("docstatus").and_then(Value::as_i64) == Some(1);
    let status = if submitted { "Open" } else { "Draft" };
    doc.insert("status".to_owned(), json!(status));
    Ok(())
}

/// Company, currency, order type and date, defaulted as a new selling document gets them.
pub fn set_selling_defaults(doc: &mut Map<String, Value>) {
    default(doc, "company", json!(COMPANY));
    default(doc, "currency", json!("CAD"));
    default(doc, "order_type", json!("Sales"));
    default(doc, "transaction_date", json!(invoice::today()));
}

/// A stored Quotation as of `today`: a submitted, Open one whose `valid_till` has passed reads
/// as Expired, what ERPNext's daily `set_expired_status` job writes.
pub fn quotation_as_of(doc: &mut Map<String, Value>, today: &str) {
    let valid_till = text(doc, "valid_till");
    let open =
        doc.get("docstatus").and_then(Value::as_i64) == Some(1) && text(doc, "status") == "Open";
    if open && !valid_till.is_empty() && valid_till.as_str() < today {
        doc.insert("status".to_owned(), json!("Expired"));
    }
}

/// Refuses a change to a submitted document's field that is not `allow_on_submit`, as Frappe's
/// `_validate_update_after_submit` does (417 `UpdateAfterSubmitError`, by the field's label).
pub fn check_update_after_submit(
    doctype: &str,
    before: &Value,
    doc: &Map<String, Value>,
) -> Result<(), FrappeError> {
    let allowed = match doctype {
        QUOTATION => QUOTATION_ALLOW_ON_SUBMIT,
        SALES_ORDER => SALES_ORDER_ALLOW_ON_SUBMIT,
        _ => &[],
    };
    for (field, value) in doc {
        if SERVER_KEYS.contains(&field.as_str()) || allowed.contains(&field.as_str()) {
            continue;
        }
        if !same(before.get(field).unwrap_or(&Value::Null), value, allowed) {
            return Err(FrappeError::update_after_submit(format!(
                "Not allowed to change {} after submission",
                label(field)
            )));
        }
    }
    Ok(())
}

/// Frappe's label for a field it was not told one of: `valid_till` → `Valid Till`.
pub fn label(field: &str) -> String {
    field
        .trim_start_matches("custom_")
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn falsy(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(flag) => !flag,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    }
}

/// Equal as Frappe compares a stored value with a sent one: blanks alike, numbers by value,
/// child rows field by field (server keys and `allow_on_submit` fields aside).
fn same(stored: &Value, sent: &Value, allowed: &[&str]) -> bool {
    if falsy(stored) && falsy(sent) {
        return true;
    }
    match (stored, sent) {
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y, allowed))
        }
        (Value::Object(a), Value::Object(b)) => b.iter().all(|(key, value)| {
            SERVER_KEYS.contains(&key.as_str())
                || allowed.contains(&key.as_str())
                || same(a.get(key).unwrap_or(&Value::Null), value, allowed)
        }),
        _ => crate::filters::as_text(stored) == crate::filters::as_text(sent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_frappe_prints_them() {
        assert_eq!(label("valid_till"), "Valid Till");
        assert_eq!(label("custom_quote_type"), "Quote Type");
    }

    #[test]
    fn numbers_and_blanks_compare_by_value() {
        assert!(same(&json!(75.0), &json!(75), &[]));
        assert!(same(&json!(null), &json!(""), &[]));
        assert!(!same(&json!("a"), &json!("b"), &[]));
        assert!(same(
            &json!([{"rate": 75.0, "name": "x"}]),
            &json!([{"rate": 75, "name": "y"}]),
            &[]
        ));
    }
}
