//! Subscription Plan and Subscription as ERPNext validates them: Link fields that must name an
//! existing document, the Select options, one billing cycle per Subscription.

use chrono::{Months, NaiveDate};
use serde_json::{Map, Value, json};

use crate::error::FrappeError;
use crate::invoice::{self, default, text};
use crate::money::{amount, cents};
use crate::selling::{COMPANY, check_select};
use crate::selling_doctypes::{ITEM, QUOTATION, SUBSCRIPTION_PLAN};
use crate::store::Store;

const PRICE_DETERMINATIONS: &[&str] = &["Fixed Rate", "Based On Price List", "Monthly Rate"];
const BILLING_INTERVALS: &[&str] = &["Day", "Week", "Month", "Year"];

/// Validates a Subscription Plan: its Item exists, Selects, `billing_interval_count` ≥ 1.
pub async fn validate_plan(store: &Store, doc: &mut Map<String, Value>) -> Result<(), FrappeError> {
    let item = text(doc, "item");
    if store.find_by_name(ITEM, &item).await?.is_none() {
        return Err(FrappeError::link_validation(format!(
            "Could not find Item: {item}"
        )));
    }
    default(doc, "currency", json!("CAD"));
    default(doc, "billing_interval", json!("Day"));
    default(doc, "billing_interval_count", json!(1));
    check_select(
        doc,
        "price_determination",
        "Price Determination",
        PRICE_DETERMINATIONS,
        "",
    )?;
    check_select(
        doc,
        "billing_interval",
        "Billing Interval",
        BILLING_INTERVALS,
        "",
    )?;
    if interval_count(doc) < 1 {
        return Err(FrappeError::validation(
            "Billing Interval Count cannot be less than 1",
        ));
    }
    let cost = doc.get("cost").and_then(cents).unwrap_or(0);
    doc.insert("cost".to_owned(), amount(cost));
    Ok(())
}

fn interval_count(doc: &Map<String, Value>) -> i64 {
    match doc.get("billing_interval_count") {
        Some(Value::Number(n)) => n.as_f64().map_or(0, |f| f as i64),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

/// Validates a Subscription: the party and each plan exist, all plans share one billing cycle;
/// sets `status` Active and the current invoice period from `start_date`.
pub async fn validate(store: &Store, doc: &mut Map<String, Value>) -> Result<(), FrappeError> {
    if text(doc, "party_type") != "Customer" {
        return Err(FrappeError::validation(
            "The sandbox subscribes Customers only (Party Type: Customer)",
        ));
    }
    let party = text(doc, "party");
    if store.find_by_name("Customer", &party).await?.is_none() {
        return Err(FrappeError::link_validation(format!(
            "Could not find Party: {party}"
        )));
    }
    let quotation = text(doc, "custom_quotation");
    if !quotation.is_empty() && store.find_by_name(QUOTATION, &quotation).await?.is_none() {
        return Err(FrappeError::link_validation(format!(
            "Could not find Quotation: {quotation}"
        )));
    }
    default(doc, "company", json!(COMPANY));
    default(doc, "start_date", json!(invoice::today()));
    default(
        doc,
        "generate_invoice_at",
        json!("End of the current subscription period"),
    );
    default(doc, "days_until_due", json!(0));
    let cycle = validate_plans(store, doc).await?;
    let start = text(doc, "start_date");
    let start_date = NaiveDate::parse_from_str(&start, "%Y-%m-%d")
        .map_err(|_| FrappeError::validation(format!("Start Date {start} is not a date")))?;
    let end = period_end(start_date, &cycle);
    doc.insert("current_invoice_start".to_owned(), json!(start));
    doc.insert(
        "current_invoice_end".to_owned(),
        json!(end.format("%Y-%m-%d").to_string()),
    );
    doc.insert("status".to_owned(), json!("Active"));
    Ok(())
}

async fn validate_plans(
    store: &Store,
    doc: &mut Map<String, Value>,
) -> Result<(String, i64), FrappeError> {
    let name = text(doc, "name");
    let Some(Value::Array(plans)) = doc.get_mut("plans") else {
        return Err(FrappeError::mandatory("Plans is required"));
    };
    if plans.is_empty() {
        return Err(FrappeError::mandatory("Plans is required"));
    }
    let mut cycles = Vec::new();
    for (index, row) in plans.iter_mut().enumerate() {
        let Some(fields) = row.as_object_mut() else {
            return Err(FrappeError::validation(format!(
                "Row #{}: a plan must be an object",
                index + 1
            )));
        };
        let plan_name = text(fields, "plan");
        let plan = store
            .find_by_name(SUBSCRIPTION_PLAN, &plan_name)
            .await?
            .ok_or_else(|| {
                FrappeError::link_validation(format!(
                    "Could not find Row #{}: Plan: {plan_name}",
                    index + 1
                ))
            })?;
        default(fields, "qty", json!(1));
        let qty = fields.get("qty").and_then(Value::as_f64).unwrap_or(0.0);
        if qty < 1.0 {
            return Err(FrappeError::validation(format!(
                "Row #{}: Quantity must be at least 1",
                index + 1
            )));
        }
        default(fields, "name", json!(crate::selling::random_name()));
        invoice::child_row(fields, "Subscription Plan Detail", "plans", index + 1);
        fields.insert("parent".to_owned(), json!(name));
        fields.insert("parenttype".to_owned(), json!("Subscription"));
        let plan_fields = plan.as_object().cloned().unwrap_or_default();
        cycles.push((
            text(&plan_fields, "billing_interval"),
            interval_count(&plan_fields),
        ));
    }
    let first = cycles[0].clone();
    if cycles.iter().any(|cycle| *cycle != first) {
        return Err(FrappeError::validation(
            "You can only have Plans with the same billing cycle in a Subscription",
        ));
    }
    Ok(first)
}

/// The last day of the first billing period starting on `start`.
fn period_end(start: NaiveDate, (interval, count): &(String, i64)) -> NaiveDate {
    let count = u32::try_from((*count).max(1)).unwrap_or(1);
    let next = match interval.as_str() {
        "Day" => start.checked_add_days(chrono::Days::new(u64::from(count))),
        "Week" => start.checked_add_days(chrono::Days::new(7 * u64::from(count))),
        "Year" => start.checked_add_months(Months::new(12 * count)),
        _ => start.checked_add_months(Months::new(count)),
    };
    next.and_then(|d| d.pred_opt()).unwrap_or(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_monthly_period_ends_the_day_before_the_same_date_next_month() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap_or_default();
        let end = period_end(start, &("Month".to_owned(), 1));
        assert_eq!(end.to_string(), "2026-02-27");
        let quarter = period_end(start, &("Month".to_owned(), 3));
        assert_eq!(quarter.to_string(), "2026-04-29");
        let year = period_end(start, &("Year".to_owned(), 1));
        assert_eq!(year.to_string(), "2027-01-30");
    }
}
