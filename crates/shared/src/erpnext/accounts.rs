//! ERPNext accounting documents as the payments service reads and writes them:
//! `Sales Invoice` and `Payment Entry` with their child tables.
//!
//! Amounts are integer cents (`86.23` in ERPNext is `8623` here), the unit the payments
//! service and Stripe count in; they are read from and written as ERPNext's 2-decimal
//! Currency numbers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dto::opt_text;

/// The `status` of a Sales Invoice. ERPNext has more (Return, Credit Note Issued,
/// ...Discounted, Internal Transfer): they read as [`InvoiceStatus::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoiceStatus {
    /// Not submitted (`docstatus` 0).
    Draft,
    /// Submitted, nothing paid, not yet due.
    Unpaid,
    /// Submitted, something outstanding, past its due date.
    Overdue,
    /// Submitted, partly paid, not yet due.
    #[serde(rename = "Partly Paid")]
    PartlyPaid,
    /// Nothing outstanding.
    Paid,
    /// Cancelled (`docstatus` 2).
    Cancelled,
    /// A status the hub does not act on.
    #[serde(other)]
    Other,
}

/// An ERPNext `Sales Invoice`. A list call fills the fields named in
/// [`SalesInvoice::FIELDS`]; `items` and `taxes` come with a `get` only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesInvoice {
    /// Document name (`ACC-SINV-2026-00001`).
    pub name: String,
    /// The Customer's name (`CUST-2024-00001`).
    pub customer: String,
    /// The customer's display name.
    #[serde(default, deserialize_with = "opt_text")]
    pub customer_name: Option<String>,
    /// Invoice date.
    pub posting_date: NaiveDate,
    /// Payment due date.
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// ISO currency (`CAD`).
    #[serde(default, deserialize_with = "opt_text")]
    pub currency: Option<String>,
    /// Total before taxes, in cents.
    #[serde(default, with = "cents")]
    pub net_total: i64,
    /// Sum of the tax rows, in cents.
    #[serde(default, with = "cents")]
    pub total_taxes_and_charges: i64,
    /// Total with taxes, in cents.
    #[serde(default, with = "cents")]
    pub grand_total: i64,
    /// What is left to pay, in cents.
    #[serde(default, with = "cents")]
    pub outstanding_amount: i64,
    /// Paid, Unpaid, Overdue, ...
    pub status: InvoiceStatus,
    /// 0 draft, 1 submitted, 2 cancelled.
    #[serde(default)]
    pub docstatus: u8,
    /// Invoice lines (child table `Sales Invoice Item`).
    #[serde(default)]
    pub items: Vec<SalesInvoiceItem>,
    /// Tax rows (child table `Sales Taxes and Charges`): TPS and TVQ.
    #[serde(default)]
    pub taxes: Vec<SalesTaxesAndCharges>,
}

impl SalesInvoice {
    /// The fields to request in a list call so every parent field of this DTO is filled.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "customer",
        "customer_name",
        "posting_date",
        "due_date",
        "currency",
        "net_total",
        "total_taxes_and_charges",
        "grand_total",
        "outstanding_amount",
        "status",
        "docstatus",
    ];
}

/// A row of `Sales Invoice Item`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesInvoiceItem {
    /// Item code (`FIBRE-1G`).
    pub item_code: String,
    /// Item name as printed (`Internet Fibre 1 Gbit/s`).
    #[serde(default, deserialize_with = "opt_text")]
    pub item_name: Option<String>,
    /// Quantity (ERPNext Float).
    pub qty: f64,
    /// Unit price, in cents.
    #[serde(with = "cents")]
    pub rate: i64,
    /// `qty × rate`, in cents.
    #[serde(default, with = "cents")]
    pub amount: i64,
}

// qty is a float; the lines compare exactly in tests, which is what Eq is for here.
impl Eq for SalesInvoiceItem {}

/// A row of `Sales Taxes and Charges`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesTaxesAndCharges {
    /// `On Net Total`, `Actual`, ...
    pub charge_type: String,
    /// The tax account (`2310 - TPS à payer - GF`).
    pub account_head: String,
    /// Printed label (`TPS 5 %`, `TVQ 9,975 %`).
    #[serde(default, deserialize_with = "opt_text")]
    pub description: Option<String>,
    /// Rate in percent (`9.975`).
    #[serde(default)]
    pub rate: f64,
    /// The tax, in cents.
    #[serde(default, with = "cents")]
    pub tax_amount: i64,
}

impl Eq for SalesTaxesAndCharges {}

/// An ERPNext `Payment Entry` receiving money from a customer. Serialised for a
/// `create`, the `None` fields are left out so ERPNext fills its defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEntry {
    /// Document name (`ACC-PAY-2026-00001`); `None` to let the naming series pick it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Receive`.
    pub payment_type: String,
    /// `Customer`.
    pub party_type: String,
    /// The Customer's name (`CUST-2024-00001`).
    pub party: String,
    /// Leaving the customer's receivable account, in cents (net of `deductions`).
    #[serde(with = "cents")]
    pub paid_amount: i64,
    /// Arriving in the bank or Stripe account, in cents (= `paid_amount` in one currency).
    #[serde(with = "cents")]
    pub received_amount: i64,
    /// The payment's reference: the Stripe PaymentIntent id (`pi_…`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub reference_no: Option<String>,
    /// Date of the reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_date: Option<NaiveDate>,
    /// Date of the entry; ERPNext takes today when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posting_date: Option<NaiveDate>,
    /// `Mode of Payment` (`Carte de crédit`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub mode_of_payment: Option<String>,
    /// The invoices this payment settles.
    #[serde(default)]
    pub references: Vec<PaymentEntryReference>,
    /// Amounts kept back, such as the Stripe fee.
    #[serde(default)]
    pub deductions: Vec<PaymentEntryDeduction>,
    /// 0 draft, 1 submitted (create with 1 to submit at once), 2 cancelled.
    #[serde(default)]
    pub docstatus: u8,
}

impl PaymentEntry {
    /// The fields to request in a list call for the parent fields of this DTO.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "payment_type",
        "party_type",
        "party",
        "paid_amount",
        "received_amount",
        "reference_no",
        "reference_date",
        "posting_date",
        "mode_of_payment",
        "docstatus",
    ];
}

/// A row of `Payment Entry Reference`: how much of the payment goes to one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEntryReference {
    /// `Sales Invoice`.
    pub reference_doctype: String,
    /// The invoice's name.
    pub reference_name: String,
    /// Amount applied to it, in cents.
    #[serde(with = "cents")]
    pub allocated_amount: i64,
}

/// A row of `Payment Entry Deduction`: an amount kept back, such as the Stripe fee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEntryDeduction {
    /// Expense account (`6210 - Frais Stripe - GF`).
    pub account: String,
    /// Cost center (`Principal - GF`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub cost_center: Option<String>,
    /// The amount, in cents.
    #[serde(with = "cents")]
    pub amount: i64,
}

/// An ERPNext Currency field (`86.23`, `"86.23"`, null) as integer cents, and back.
pub(super) mod cents {
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::Value;

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        let number = match Value::deserialize(deserializer)? {
            Value::Null => return Ok(0),
            Value::Number(n) => n.as_f64(),
            Value::String(s) if s.trim().is_empty() => return Ok(0),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match number {
            // Rounding at 1/100 is ERPNext's Currency precision.
            #[allow(clippy::cast_possible_truncation, reason = "finite and rounded")]
            Some(n) if n.is_finite() && n.abs() < 1e15 => Ok((n * 100.0).round() as i64),
            _ => Err(serde::de::Error::custom("expected an amount")),
        }
    }

    pub fn serialize<S: Serializer>(cents: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        #[allow(
            clippy::cast_precision_loss,
            reason = "amounts are far below 2^53 cents"
        )]
        let amount = *cents as f64 / 100.0;
        serializer.serialize_f64(amount)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_invoice_row_reads_amounts_as_cents_and_unknown_statuses_as_other() {
        let invoice: SalesInvoice = serde_json::from_value(json!({
            "name": "ACC-SINV-2026-00001", "customer": "CUST-2024-00001",
            "posting_date": "2026-10-01", "due_date": "2026-10-31",
            "grand_total": 86.23, "outstanding_amount": "0.1", "net_total": 75,
            "status": "Partly Paid", "docstatus": 1
        }))
        .unwrap();
        assert_eq!(invoice.grand_total, 8623);
        assert_eq!(invoice.outstanding_amount, 10);
        assert_eq!(invoice.net_total, 7500);
        assert_eq!(invoice.status, InvoiceStatus::PartlyPaid);
        let other: InvoiceStatus = serde_json::from_value(json!("Credit Note Issued")).unwrap();
        assert_eq!(other, InvoiceStatus::Other);
    }

    #[test]
    fn a_payment_entry_writes_amounts_as_currency_and_leaves_out_what_is_unset() {
        let entry = PaymentEntry {
            name: None,
            payment_type: "Receive".to_owned(),
            party_type: "Customer".to_owned(),
            party: "CUST-2024-00001".to_owned(),
            paid_amount: 8343,
            received_amount: 8343,
            reference_no: Some("pi_123".to_owned()),
            reference_date: None,
            posting_date: None,
            mode_of_payment: None,
            references: vec![PaymentEntryReference {
                reference_doctype: "Sales Invoice".to_owned(),
                reference_name: "ACC-SINV-2026-00001".to_owned(),
                allocated_amount: 8623,
            }],
            deductions: vec![],
            docstatus: 1,
        };
        let value = serde_json::to_value(&entry).unwrap();
        assert_eq!(value["paid_amount"], json!(83.43));
        assert_eq!(value["references"][0]["allocated_amount"], json!(86.23));
        assert!(value.get("name").is_none() && value.get("posting_date").is_none());
        assert_eq!(
            serde_json::from_value::<PaymentEntry>(value).unwrap(),
            entry
        );
    }
}
