//! The customer's invoices as the portal shows them, read from ERPNext's Sales Invoices: statuses in
//! plain words, amounts in cents, the TPS and TVQ lines; the balance is what the unpaid ones owe.

use chrono::NaiveDate;
use futures::{StreamExt as _, TryStreamExt as _};
use serde::Serialize;
use serde_json::json;
use shared::erpnext::{ErpError, FrappeClient, InvoiceStatus, ListQuery, Op, SalesInvoice};
use utoipa::ToSchema;

/// Most invoices on one page.
pub const MAX_PER_PAGE: u32 = 50;
/// Invoices read from ERPNext at once when a page needs their tax lines.
const PARALLEL_READS: usize = 5;

/// Where an invoice stands, for the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nothing left to pay.
    Paid,
    /// Nothing paid, not yet due.
    Unpaid,
    /// Something left to pay, past its due date.
    Overdue,
    /// Partly paid, not yet due.
    PartlyPaid,
    /// Cancelled: nothing to pay.
    Cancelled,
}

impl Status {
    fn of(invoice: &SalesInvoice) -> Self {
        match invoice.status {
            InvoiceStatus::Cancelled => Self::Cancelled,
            InvoiceStatus::Overdue => Self::Overdue,
            InvoiceStatus::PartlyPaid => Self::PartlyPaid,
            InvoiceStatus::Unpaid => Self::Unpaid,
            _ if invoice.docstatus == 2 => Self::Cancelled,
            _ if invoice.outstanding_amount > 0 => Self::Unpaid,
            _ => Self::Paid,
        }
    }
}

/// One tax line of an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TaxLine {
    /// The tax's name, its rate left out (`TPS`, `TVQ`: the portal writes the rate its own way).
    pub label: String,
    /// Percent (`9.975`).
    pub rate: f64,
    /// The tax, in cents.
    pub amount_cents: i64,
}

/// One invoice, as the portal lists it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Invoice {
    /// `ACC-SINV-2026-00012`.
    pub name: String,
    /// Invoice date.
    pub posting_date: NaiveDate,
    /// Due date.
    pub due_date: Option<NaiveDate>,
    /// Where it stands.
    pub status: Status,
    /// Total with taxes, in cents.
    pub grand_total_cents: i64,
    /// Left to pay, in cents.
    pub outstanding_cents: i64,
    /// `CAD`.
    pub currency: String,
    /// TPS and TVQ.
    pub taxes: Vec<TaxLine>,
}

impl From<SalesInvoice> for Invoice {
    fn from(invoice: SalesInvoice) -> Self {
        Self {
            status: Status::of(&invoice),
            taxes: invoice
                .taxes
                .iter()
                .map(|t| TaxLine {
                    label: tax_name(t.description.as_deref().unwrap_or(&t.account_head)),
                    rate: t.rate,
                    amount_cents: t.tax_amount,
                })
                .collect(),
            currency: invoice.currency.unwrap_or_else(|| "CAD".to_owned()),
            name: invoice.name,
            posting_date: invoice.posting_date,
            due_date: invoice.due_date,
            grand_total_cents: invoice.grand_total,
            outstanding_cents: invoice.outstanding_amount,
        }
    }
}

/// A tax's name without its rate or account number: `TPS 5 %` → `TPS`, `2320 - TVQ à payer - GF`
/// → `TVQ à payer` (what is left once digits, `%` and the company suffix go).
fn tax_name(printed: &str) -> String {
    let text = printed
        .split(" - ")
        .find(|part| !part.trim().chars().all(|c| c.is_ascii_digit()));
    let text = text.unwrap_or(printed);
    let name: String = text
        .split_whitespace()
        .take_while(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ");
    match name.is_empty() {
        true => printed.trim().to_owned(),
        false => name,
    }
}

/// A page of invoices, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Page {
    /// The invoices.
    pub invoices: Vec<Invoice>,
    /// 1-based.
    pub page: u32,
    /// Invoices per page.
    pub per_page: u32,
    /// Whether there is a next page.
    pub has_more: bool,
}

/// What the customer owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Balance {
    /// The sum of what the unpaid invoices owe, in cents.
    pub balance_cents: i64,
    /// `CAD`.
    pub currency: String,
    /// The unpaid invoices, oldest first.
    pub invoices: Vec<String>,
    /// Whether one of them is past its due date.
    pub overdue: bool,
}

/// Page `page` (1-based) of `customer`'s submitted and cancelled invoices, newest first.
pub async fn page(
    erp: &FrappeClient,
    customer: &str,
    page: u32,
    per_page: u32,
) -> Result<Page, ErpError> {
    let query = ListQuery::new()
        .fields(&["name"])
        .filter("customer", Op::Eq, json!(customer))
        .filter("docstatus", Op::Ne, json!(0))
        .order_by("posting_date desc, name desc")
        .start((page - 1) * per_page)
        .limit(per_page + 1);
    let mut names: Vec<serde_json::Value> = erp.list("Sales Invoice", &query).await?;
    let has_more = names.len() > per_page as usize;
    names.truncate(per_page as usize);
    let invoices = futures::stream::iter(names)
        .map(|n| async move {
            let name = n["name"].as_str().unwrap_or_default().to_owned();
            erp.get::<SalesInvoice>("Sales Invoice", &name).await
        })
        .buffered(PARALLEL_READS)
        .map_ok(Invoice::from)
        .try_collect()
        .await?;
    Ok(Page {
        invoices,
        page,
        per_page,
        has_more,
    })
}

/// `customer`'s submitted invoices with something left to pay, oldest first.
pub async fn unpaid(erp: &FrappeClient, customer: &str) -> Result<Vec<SalesInvoice>, ErpError> {
    let query = ListQuery::new()
        .fields(SalesInvoice::FIELDS)
        .filter("customer", Op::Eq, json!(customer))
        .filter("docstatus", Op::Eq, json!(1))
        .filter("outstanding_amount", Op::Gt, json!(0))
        .order_by("posting_date asc, name asc")
        .limit(500);
    erp.list("Sales Invoice", &query).await
}

/// What `unpaid` invoices owe together.
pub fn balance(unpaid: &[SalesInvoice]) -> Balance {
    Balance {
        balance_cents: unpaid.iter().map(|i| i.outstanding_amount).sum(),
        currency: "CAD".to_owned(),
        invoices: unpaid.iter().map(|i| i.name.clone()).collect(),
        overdue: unpaid.iter().any(|i| i.status == InvoiceStatus::Overdue),
    }
}

/// `name` when it is `customer`'s submitted or cancelled invoice; `None` otherwise, another
/// customer's included (the caller answers 404 either way: no enumeration).
pub async fn owned(
    erp: &FrappeClient,
    customer: &str,
    name: &str,
) -> Result<Option<SalesInvoice>, ErpError> {
    match erp.get::<SalesInvoice>("Sales Invoice", name).await {
        Ok(invoice) if invoice.customer == customer && invoice.docstatus != 0 => Ok(Some(invoice)),
        Ok(_) | Err(ErpError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tax_is_named_without_its_rate() {
        assert_eq!(tax_name("TPS 5 %"), "TPS");
        assert_eq!(tax_name("TVQ 9,975 %"), "TVQ");
        assert_eq!(tax_name("2320 - TVQ à payer - GF"), "TVQ à payer");
        assert_eq!(tax_name("HST"), "HST");
    }
}
