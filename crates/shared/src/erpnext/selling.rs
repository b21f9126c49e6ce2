//! ERPNext selling documents as quotation-signing reads and writes them: `Item`, `Quotation`
//! and `Sales Order` (subscriptions and files in their own modules).
//!
//! Amounts are integer cents, as in [`super::accounts`]; blank texts read as `None`.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::accounts::{SalesTaxesAndCharges, cents};
use super::dto::opt_text;

/// Gigafibre's custom Select `custom_billing_frequency` on Item (and fetched onto quotation rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BillingFrequency {
    /// Billed once (installation, equipment).
    #[serde(rename = "One-time")]
    OneTime,
    /// Every month.
    Monthly,
    /// Every three months.
    Quarterly,
    /// Every year.
    Yearly,
}

impl BillingFrequency {
    /// Whether a Subscription bills it (every frequency but one-time).
    pub fn is_recurring(self) -> bool {
        self != Self::OneTime
    }

    /// The Subscription Plan's `(billing_interval, billing_interval_count)`; `None` for one-time.
    pub fn plan_interval(self) -> Option<(&'static str, u32)> {
        match self {
            Self::OneTime => None,
            Self::Monthly => Some(("Month", 1)),
            Self::Quarterly => Some(("Month", 3)),
            Self::Yearly => Some(("Year", 1)),
        }
    }
}

/// An ERPNext `Item` (`name` = `item_code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The item code, also the document name (`FIBRE-500`).
    pub item_code: String,
    /// Display name (`Internet Fibre 500 Mbit/s`).
    #[serde(default, deserialize_with = "opt_text")]
    pub item_name: Option<String>,
    /// Item group (`Services`).
    #[serde(default, deserialize_with = "opt_text")]
    pub item_group: Option<String>,
    /// Stock unit (`Unit`, `Nos`).
    #[serde(default, deserialize_with = "opt_text")]
    pub stock_uom: Option<String>,
    /// Description as printed.
    #[serde(default, deserialize_with = "opt_text")]
    pub description: Option<String>,
    /// How often it is billed; `None` when blank (unknown).
    #[serde(default, deserialize_with = "opt_frequency")]
    pub custom_billing_frequency: Option<BillingFrequency>,
}

impl Item {
    /// The fields to request in a list call so every field of this DTO is filled.
    pub const FIELDS: &'static [&'static str] = &[
        "item_code",
        "item_name",
        "item_group",
        "stock_uom",
        "description",
        "custom_billing_frequency",
    ];
}

/// The `status` of a Quotation. Others read as [`QuotationStatus::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuotationStatus {
    /// Not submitted.
    Draft,
    /// Submitted, not ordered, still valid.
    Open,
    /// Some rows ordered.
    #[serde(rename = "Partially Ordered")]
    PartiallyOrdered,
    /// Every row ordered through submitted Sales Orders.
    Ordered,
    /// Declared lost.
    Lost,
    /// Cancelled (`docstatus` 2).
    Cancelled,
    /// Submitted, `valid_till` passed, not ordered.
    Expired,
    /// A status the hub does not act on.
    #[serde(other)]
    Other,
}

/// An ERPNext `Quotation`. A list call fills the fields of [`Quotation::FIELDS`]; `items` and
/// `taxes` come with a `get` only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quotation {
    /// Document name (`SAL-QTN-2026-00001`).
    pub name: String,
    /// Title as listed.
    #[serde(default, deserialize_with = "opt_text")]
    pub title: Option<String>,
    /// `Customer` (or `Lead`).
    #[serde(default, deserialize_with = "opt_text")]
    pub quotation_to: Option<String>,
    /// The Customer's name (`CUST-2024-00001`) when `quotation_to` is `Customer`.
    pub party_name: String,
    /// The customer's display name.
    #[serde(default, deserialize_with = "opt_text")]
    pub customer_name: Option<String>,
    /// Quotation date.
    pub transaction_date: NaiveDate,
    /// Last day it may be accepted.
    #[serde(default, deserialize_with = "opt_date")]
    pub valid_till: Option<NaiveDate>,
    /// ISO currency (`CAD`).
    #[serde(default, deserialize_with = "opt_text")]
    pub currency: Option<String>,
    /// Print language (`fr`, `en`).
    #[serde(default, deserialize_with = "opt_text")]
    pub language: Option<String>,
    /// The contact's e-mail.
    #[serde(default, deserialize_with = "opt_text")]
    pub contact_email: Option<String>,
    /// The contact's mobile number (free-form text).
    #[serde(default, deserialize_with = "opt_text")]
    pub contact_mobile: Option<String>,
    /// Draft, Open, Ordered, ...
    pub status: QuotationStatus,
    /// 0 draft, 1 submitted, 2 cancelled.
    #[serde(default)]
    pub docstatus: u8,
    /// Sum of the rows, in cents.
    #[serde(default, with = "cents")]
    pub total: i64,
    /// Total before taxes, in cents.
    #[serde(default, with = "cents")]
    pub net_total: i64,
    /// Sum of the tax rows, in cents.
    #[serde(default, with = "cents")]
    pub total_taxes_and_charges: i64,
    /// Total with taxes, in cents.
    #[serde(default, with = "cents")]
    pub grand_total: i64,
    /// Rows (child table `Quotation Item`).
    #[serde(default)]
    pub items: Vec<QuotationItem>,
    /// Tax rows: TPS and TVQ.
    #[serde(default)]
    pub taxes: Vec<SalesTaxesAndCharges>,
    /// Custom (allow on submit): the DocuSeal signing URL.
    #[serde(default, deserialize_with = "opt_text")]
    pub custom_docuseal_signing_url: Option<String>,
    /// Custom (allow on submit): the DocuSeal submission id.
    #[serde(default, deserialize_with = "opt_text")]
    pub custom_docuseal_envelope_id: Option<String>,
    /// Custom (allow on submit): `signature` or `click`.
    #[serde(default, deserialize_with = "opt_text")]
    pub custom_quote_type: Option<String>,
}

impl Quotation {
    /// The fields to request in a list call for the parent fields of this DTO.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "title",
        "quotation_to",
        "party_name",
        "customer_name",
        "transaction_date",
        "valid_till",
        "currency",
        "language",
        "contact_email",
        "contact_mobile",
        "status",
        "docstatus",
        "total",
        "net_total",
        "total_taxes_and_charges",
        "grand_total",
        "custom_docuseal_signing_url",
        "custom_docuseal_envelope_id",
        "custom_quote_type",
    ];
}

/// A row of `Quotation Item`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotationItem {
    /// The row's name (a Sales Order row's `quotation_item`, a Subscription's `custom_quotation_item`).
    pub name: String,
    /// Item code.
    pub item_code: String,
    /// Item name as printed.
    #[serde(default, deserialize_with = "opt_text")]
    pub item_name: Option<String>,
    /// Description as printed.
    #[serde(default, deserialize_with = "opt_text")]
    pub description: Option<String>,
    /// Quantity.
    pub qty: f64,
    /// Unit price, in cents.
    #[serde(with = "cents")]
    pub rate: i64,
    /// `qty × rate`, in cents.
    #[serde(default, with = "cents")]
    pub amount: i64,
    /// Unit of measure.
    #[serde(default, deserialize_with = "opt_text")]
    pub uom: Option<String>,
    /// Fetched from the Item on save; `None` when the Item has none.
    #[serde(default, deserialize_with = "opt_frequency")]
    pub custom_billing_frequency: Option<BillingFrequency>,
    /// Quantity already ordered through submitted Sales Orders.
    #[serde(default)]
    pub ordered_qty: f64,
}

/// An ERPNext `Sales Order`: what `make_sales_order` returns (unsaved) and what is created.
/// Serialised for a `create`, the `None` fields are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesOrder {
    /// Document name (`SAL-ORD-2026-00001`); a mapped, unsaved one has a `new-sales-order-…`
    /// placeholder that ERPNext replaces on insert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Customer's name.
    pub customer: String,
    /// The customer's display name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub customer_name: Option<String>,
    /// Order date; ERPNext takes today when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_date"
    )]
    pub transaction_date: Option<NaiveDate>,
    /// Delivery date (mandatory to save).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_date"
    )]
    pub delivery_date: Option<NaiveDate>,
    /// ISO currency.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub currency: Option<String>,
    /// The order's status (`Draft`, `To Deliver and Bill`, `Cancelled`, ...).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub status: Option<String>,
    /// 0 draft, 1 submitted (create with 1 to submit at once), 2 cancelled.
    #[serde(default)]
    pub docstatus: u8,
    /// Total with taxes, in cents (computed by ERPNext).
    #[serde(default, with = "cents")]
    pub grand_total: i64,
    /// Rows (child table `Sales Order Item`).
    #[serde(default)]
    pub items: Vec<SalesOrderItem>,
    /// Tax rows.
    #[serde(default)]
    pub taxes: Vec<SalesTaxesAndCharges>,
}

/// A row of `Sales Order Item`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesOrderItem {
    /// Item code.
    pub item_code: String,
    /// Item name as printed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub item_name: Option<String>,
    /// Quantity.
    pub qty: f64,
    /// Unit price, in cents.
    #[serde(with = "cents")]
    pub rate: i64,
    /// `qty × rate`, in cents (computed by ERPNext).
    #[serde(default, with = "cents")]
    pub amount: i64,
    /// Row delivery date; ERPNext copies the order's when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_date"
    )]
    pub delivery_date: Option<NaiveDate>,
    /// The Quotation it comes from.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub prevdoc_docname: Option<String>,
    /// The Quotation Item row it comes from.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub quotation_item: Option<String>,
    /// Billing frequency, fetched from the Item.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_frequency"
    )]
    pub custom_billing_frequency: Option<BillingFrequency>,
}

/// A Select that may be blank: blank or null is `None`.
fn opt_frequency<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<BillingFrequency>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        other => serde_json::from_value(other)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// A Date that may be blank: blank or null is `None`.
pub(super) fn opt_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(serde::de::Error::custom),
        other => Err(serde::de::Error::custom(format!(
            "expected a date, got {other}"
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_quotation_reads_blank_dates_and_frequencies_as_none() {
        let quotation: Quotation = serde_json::from_value(json!({
            "name": "SAL-QTN-2026-00001", "party_name": "CUST-2024-00001",
            "transaction_date": "2026-12-01", "valid_till": "", "status": "Partially Ordered",
            "grand_total": 561.08, "docstatus": 1,
            "items": [{"name": "a1", "item_code": "CABLE-30M", "qty": 1, "rate": 20,
                       "custom_billing_frequency": ""},
                      {"name": "a2", "item_code": "INSTALL", "qty": 1.0, "rate": "99",
                       "custom_billing_frequency": "One-time"}]
        }))
        .unwrap();
        assert_eq!(quotation.valid_till, None);
        assert_eq!(quotation.status, QuotationStatus::PartiallyOrdered);
        assert_eq!(quotation.grand_total, 56108);
        assert_eq!(quotation.items[0].custom_billing_frequency, None);
        assert_eq!(
            quotation.items[1].custom_billing_frequency,
            Some(BillingFrequency::OneTime)
        );
        assert_eq!(quotation.items[1].rate, 9900);
    }

    #[test]
    fn quarterly_is_a_plan_of_three_months() {
        assert_eq!(
            BillingFrequency::Quarterly.plan_interval(),
            Some(("Month", 3))
        );
        assert!(!BillingFrequency::OneTime.is_recurring());
    }
}
