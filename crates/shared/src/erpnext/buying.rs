//! ERPNext buying documents as vision-ocr reads and writes them: `Supplier` (with Gigafibre's
//! custom QST number) and `Purchase Invoice` with its child tables `Purchase Invoice Item` and
//! `Purchase Taxes and Charges`.
//!
//! Amounts are integer cents, as in [`super::accounts`]; blank texts read as `None`. Serialised
//! for a `create`, the `None` fields are left out so ERPNext fills its defaults; ERPNext
//! recomputes every amount and total but the rows' `qty`, `rate` and an `Actual` tax's
//! `tax_amount`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::accounts::{InvoiceStatus, cents};
use super::dto::{flag, opt_text};
use super::selling::opt_date;

/// An ERPNext `Supplier` (`name` = `supplier_name` under ERPNext's default naming).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    /// Document name; `None` on create (ERPNext names it after `supplier_name`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub name: Option<String>,
    /// Legal name as printed on its invoices (`Câblage Laurentides inc.`).
    pub supplier_name: String,
    /// Supplier group (`Hardware`, `Distributor`, `All Supplier Groups`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub supplier_group: Option<String>,
    /// `Company`, `Individual` or `Partnership`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub supplier_type: Option<String>,
    /// Country (`Canada`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub country: Option<String>,
    /// Currency of its invoices (`CAD`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub default_currency: Option<String>,
    /// Tax id: the GST/HST number, as typed (`123456789 RT0001`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub tax_id: Option<String>,
    /// Custom: the Quebec QST (TVQ) number, as typed (`1234567890 TQ0001`); `None` outside Quebec.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub custom_qst_number: Option<String>,
    /// A disabled supplier cannot be invoiced.
    #[serde(default, deserialize_with = "flag")]
    pub disabled: bool,
}

impl Supplier {
    /// The fields to request in a list call so every field of this DTO is filled.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "supplier_name",
        "supplier_group",
        "supplier_type",
        "country",
        "default_currency",
        "tax_id",
        "custom_qst_number",
        "disabled",
    ];
}

/// An ERPNext `Purchase Invoice` (submittable: create with `docstatus` 0 for a draft). A list
/// call fills the fields of [`PurchaseInvoice::FIELDS`]; `items` and `taxes` come with a `get`
/// only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseInvoice {
    /// Document name (`ACC-PINV-2026-00001`); `None` to let the naming series pick it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Supplier's name (the document name).
    pub supplier: String,
    /// The supplier's display name (fetched by ERPNext).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub supplier_name: Option<String>,
    /// The supplier's invoice number (ERPNext's "Supplier Invoice No").
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub bill_no: Option<String>,
    /// The supplier's invoice date ("Supplier Invoice Date"); not after `posting_date`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_date"
    )]
    pub bill_date: Option<NaiveDate>,
    /// Date booked; ERPNext takes today when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_date"
    )]
    pub posting_date: Option<NaiveDate>,
    /// Payment due date; not before the bill date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_date"
    )]
    pub due_date: Option<NaiveDate>,
    /// ISO currency (`CAD`); ERPNext takes the supplier's when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub currency: Option<String>,
    /// Lines (child table `Purchase Invoice Item`); at least one.
    #[serde(default)]
    pub items: Vec<PurchaseInvoiceItem>,
    /// Tax rows (child table `Purchase Taxes and Charges`): TPS/GST/HST and TVQ.
    #[serde(default)]
    pub taxes: Vec<PurchaseTaxesAndCharges>,
    /// Total before taxes, in cents (computed by ERPNext).
    #[serde(default, with = "cents")]
    pub net_total: i64,
    /// Sum of the tax rows, in cents (computed by ERPNext).
    #[serde(default, with = "cents")]
    pub total_taxes_and_charges: i64,
    /// Total with taxes, in cents (computed by ERPNext).
    #[serde(default, with = "cents")]
    pub grand_total: i64,
    /// Free text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub remarks: Option<String>,
    /// Custom: which OCR provider read the supplier's invoice (`gemini`, `local`, `manual`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub custom_ocr_source: Option<String>,
    /// Draft, Unpaid, Overdue, Paid, Cancelled, ... (set by ERPNext).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InvoiceStatus>,
    /// 0 draft, 1 submitted, 2 cancelled.
    #[serde(default)]
    pub docstatus: u8,
}

impl PurchaseInvoice {
    /// The fields to request in a list call for the parent fields of this DTO.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "supplier",
        "supplier_name",
        "bill_no",
        "bill_date",
        "posting_date",
        "due_date",
        "currency",
        "net_total",
        "total_taxes_and_charges",
        "grand_total",
        "remarks",
        "custom_ocr_source",
        "status",
        "docstatus",
    ];
}

/// A row of `Purchase Invoice Item`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseInvoiceItem {
    /// Item code, when the line is a catalogued Item; a line read off a supplier's invoice
    /// usually has none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub item_code: Option<String>,
    /// The line's name (mandatory in ERPNext; fetched from the Item when there is one).
    pub item_name: String,
    /// Description as printed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub description: Option<String>,
    /// Quantity.
    pub qty: f64,
    /// Unit price, in cents.
    #[serde(with = "cents")]
    pub rate: i64,
    /// `qty × rate`, in cents (computed by ERPNext).
    #[serde(default, with = "cents")]
    pub amount: i64,
    /// The expense account booked (`5120 - Matériel réseau - GF`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub expense_account: Option<String>,
}

/// A row of `Purchase Taxes and Charges`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseTaxesAndCharges {
    /// `On Net Total` (with `rate`) or `Actual` (with `tax_amount`, as read off an invoice).
    pub charge_type: String,
    /// The tax account (`1310 - TPS à recevoir - GF`).
    pub account_head: String,
    /// Printed label (`TPS 5 %`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub description: Option<String>,
    /// Rate in percent (`9.975`); 0 for `Actual`.
    #[serde(default)]
    pub rate: f64,
    /// The tax, in cents (given for `Actual`, computed for `On Net Total`).
    #[serde(default, with = "cents")]
    pub tax_amount: i64,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_supplier_round_trips_an_erpnext_body() {
        let body = json!({
            "name": "Câblage Laurentides inc.", "supplier_name": "Câblage Laurentides inc.",
            "supplier_group": "Hardware", "supplier_type": "Company", "country": "Canada",
            "default_currency": "CAD", "tax_id": "123456789 RT0001",
            "custom_qst_number": "1234567890 TQ0001", "disabled": 0,
            "doctype": "Supplier", "docstatus": 0, "owner": "Administrator"
        });
        let supplier: Supplier = serde_json::from_value(body).unwrap();
        assert_eq!(supplier.tax_id.as_deref(), Some("123456789 RT0001"));
        assert!(!supplier.disabled);
        let again: Supplier =
            serde_json::from_value(serde_json::to_value(&supplier).unwrap()).unwrap();
        assert_eq!(again, supplier);
        let ontario: Supplier = serde_json::from_value(json!({
            "name": "N", "supplier_name": "N", "custom_qst_number": "", "disabled": 1
        }))
        .unwrap();
        assert_eq!(ontario.custom_qst_number, None);
        assert!(ontario.disabled);
    }

    #[test]
    fn a_purchase_invoice_round_trips_an_erpnext_body() {
        let body = json!({
            "name": "ACC-PINV-2026-00001", "supplier": "Câblage Laurentides inc.",
            "supplier_name": "Câblage Laurentides inc.", "bill_no": "CL-2026-0412",
            "bill_date": "2026-11-12", "posting_date": "2026-11-14", "due_date": "",
            "currency": "CAD", "net_total": 868.0, "total_taxes_and_charges": 129.98,
            "grand_total": 997.98, "remarks": null, "custom_ocr_source": "gemini",
            "status": "Draft", "docstatus": 0, "doctype": "Purchase Invoice",
            "items": [
                {"name": "a1b2c3d4e5", "item_code": null, "item_name": "Câble 30 m",
                 "description": "Câble 30 m", "qty": 40.0, "rate": 18.5, "amount": 740.0,
                 "expense_account": "5120 - Matériel réseau - GF", "idx": 1,
                 "doctype": "Purchase Invoice Item"},
                {"item_code": "INSTALL", "item_name": "Installation", "qty": 1, "rate": "128"}
            ],
            "taxes": [
                {"charge_type": "On Net Total", "account_head": "1310 - TPS à recevoir - GF",
                 "description": "TPS 5 %", "rate": 5.0, "tax_amount": 43.4},
                {"charge_type": "Actual", "account_head": "1320 - TVQ à recevoir - GF",
                 "rate": 0, "tax_amount": "86.58"}
            ]
        });
        let invoice: PurchaseInvoice = serde_json::from_value(body).unwrap();
        assert_eq!(invoice.grand_total, 99798);
        assert_eq!(invoice.due_date, None);
        assert_eq!(invoice.status, Some(InvoiceStatus::Draft));
        assert_eq!(invoice.items[0].item_code, None);
        assert_eq!(invoice.items[0].amount, 74000);
        assert_eq!(invoice.items[1].rate, 12800);
        assert_eq!(invoice.taxes[1].tax_amount, 8658);
        let written = serde_json::to_value(&invoice).unwrap();
        assert_eq!(written["bill_date"], "2026-11-12");
        assert_eq!(written["items"][0]["rate"], json!(18.5));
        assert!(written.get("due_date").is_none() && written.get("remarks").is_none());
        assert!(written["items"][0].get("item_code").is_none());
        let again: PurchaseInvoice = serde_json::from_value(written).unwrap();
        assert_eq!(again, invoice);
    }
}
