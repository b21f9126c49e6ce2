//! The day's due invoices, read from ERPNext in pages of 500 for every customer at once (one call per
//! page, not one per enrolled customer: 7,000 enrolments are 7,000 calls otherwise).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;
use shared::erpnext::{ErpError, FrappeClient, ListQuery, Op, SalesInvoice};

use super::plan;

/// Invoices per page.
const PAGE: u32 = 500;

/// Every submitted invoice with something outstanding due by `day`, by customer, oldest first.
pub async fn by_customer(
    erp: &FrappeClient,
    day: NaiveDate,
) -> Result<HashMap<String, Vec<SalesInvoice>>, ErpError> {
    let mut due: HashMap<String, Vec<SalesInvoice>> = HashMap::new();
    for page in 0.. {
        let query = ListQuery::new()
            .fields(SalesInvoice::FIELDS)
            .filter("docstatus", Op::Eq, json!(1))
            .filter("outstanding_amount", Op::Gt, json!(0))
            .filter("due_date", Op::Le, json!(day.to_string()))
            .order_by("due_date asc, name asc")
            .start(page * PAGE)
            .limit(PAGE);
        let batch: Vec<SalesInvoice> = erp.list("Sales Invoice", &query).await?;
        let last = batch.len() < PAGE as usize;
        for invoice in batch.into_iter().filter(|i| plan::is_due(i, day)) {
            due.entry(invoice.customer.clone())
                .or_default()
                .push(invoice);
        }
        if last {
            break;
        }
    }
    Ok(due)
}
