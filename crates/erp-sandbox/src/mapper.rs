//! `make_sales_order`: the Sales Order ERPNext maps from a submitted Quotation.

use serde_json::{Map, Value, json};

use crate::error::FrappeError;
use crate::invoice::{self, text};
use crate::sales_order::rows;
use crate::selling;
use crate::selling_doctypes::{QUOTATION, SALES_ORDER};
use crate::store::Store;

/// `erpnext.selling.doctype.quotation.quotation.make_sales_order`: the unsaved Sales Order
/// mapped from a submitted Quotation. Refused as ERPNext refuses: an expired one (`Validity
/// period of this quotation has ended.`), one not submitted (the mapper's `docstatus=1`
/// condition); an unknown one is 404. Rows already ordered in full are left out.
pub async fn make_sales_order(store: &Store, source_name: &str) -> Result<Value, FrappeError> {
    let quotation = store
        .find_by_name(QUOTATION, source_name)
        .await?
        .ok_or_else(|| FrappeError::not_found(format!("{QUOTATION} {source_name} not found")))?;
    let Some(source) = quotation.as_object() else {
        return Err(FrappeError::internal(&"stored quotation is not an object"));
    };
    let today = invoice::today();
    let valid_till = text(source, "valid_till");
    if !valid_till.is_empty()
        && (valid_till < text(source, "transaction_date") || valid_till < today)
    {
        return Err(FrappeError::validation(
            "Validity period of this quotation has ended.",
        ));
    }
    if source.get("docstatus").and_then(Value::as_i64) != Some(1) {
        return Err(FrappeError::validation(
            "Cannot map because following condition fails: docstatus=1",
        ));
    }
    let mut order = Map::new();
    order.insert(
        "name".to_owned(),
        json!(format!("new-sales-order-{}", selling::random_name())),
    );
    order.insert("doctype".to_owned(), json!(SALES_ORDER));
    order.insert("__islocal".to_owned(), json!(1));
    order.insert("docstatus".to_owned(), json!(0));
    order.insert("naming_series".to_owned(), json!("SAL-ORD-.YYYY.-"));
    order.insert("customer".to_owned(), source["party_name"].clone());
    for field in [
        "customer_name",
        "title",
        "company",
        "currency",
        "language",
        "order_type",
        "contact_person",
        "contact_email",
        "contact_mobile",
        "terms",
    ] {
        if let Some(value) = source.get(field).filter(|v| !v.is_null()) {
            order.insert(field.to_owned(), value.clone());
        }
    }
    order.insert("transaction_date".to_owned(), json!(today));
    order.insert("delivery_date".to_owned(), json!(today));
    order.insert(
        "items".to_owned(),
        Value::Array(mapped_items(source, &today)),
    );
    let taxes: Vec<Value> = source
        .get("taxes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|tax| {
            json!({
                "charge_type": tax["charge_type"],
                "account_head": tax["account_head"],
                "description": tax["description"],
                "rate": tax["rate"],
            })
        })
        .collect();
    order.insert("taxes".to_owned(), Value::Array(taxes));
    let net = invoice::compute_items(&mut order, "Sales Order Item").unwrap_or(0);
    let taxes = invoice::compute_taxes(&mut order, net)?;
    for (field, cents) in [
        ("total", net),
        ("net_total", net),
        ("total_taxes_and_charges", taxes),
        ("grand_total", net + taxes),
        ("rounded_total", net + taxes),
    ] {
        order.insert(field.to_owned(), crate::money::amount(cents));
    }
    order.insert("status".to_owned(), json!("Draft"));
    Ok(Value::Object(order))
}

fn mapped_items(source: &Map<String, Value>, today: &str) -> Vec<Value> {
    let quotation = text(source, "name");
    rows(source)
        .filter_map(|row| {
            let qty = row.get("qty").and_then(Value::as_f64).unwrap_or(0.0);
            let ordered = row
                .get("ordered_qty")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            let balance = qty - ordered;
            if balance <= 0.0 {
                return None;
            }
            let mut item = Map::new();
            for field in [
                "item_code",
                "item_name",
                "description",
                "rate",
                "uom",
                "stock_uom",
                "conversion_factor",
                "custom_billing_frequency",
            ] {
                item.insert(
                    field.to_owned(),
                    row.get(field).cloned().unwrap_or(Value::Null),
                );
            }
            item.insert("qty".to_owned(), json!(balance));
            item.insert("stock_qty".to_owned(), json!(balance));
            item.insert("prevdoc_docname".to_owned(), json!(quotation));
            item.insert("quotation_item".to_owned(), row["name"].clone());
            item.insert("delivery_date".to_owned(), json!(today));
            Some(Value::Object(item))
        })
        .collect()
}
