//! Technician, Issue and Dispatch Job as their Frappe definitions validate them: Link fields
//! must name existing documents, Select fields take their options only, Time and Datetime
//! fields are stored in Frappe's form, child rows carry `parent`/`parentfield`/`parenttype`/`idx`,
//! and a Dispatch Job's coordinates are fetched from its Service Location (`fetch_from`).

use serde_json::{Map, Value, json};
use shared::erpnext::{frappe_datetime_text, parse_frappe_datetime, parse_frappe_time};

use crate::dispatch_doctypes::{ISSUE, TECHNICIAN, TECHNICIAN_BREAK, TECHNICIAN_SKILL};
use crate::error::FrappeError;
use crate::invoice::{child_row, default, text};
use crate::operations_doctypes::SERVICE_LOCATION;
use crate::selling::{check_select, random_name};
use crate::store::Store;

/// The options of Technician Skill's `family` and Dispatch Job's `required_skill`.
pub const SKILL_FAMILIES: &[&str] = &[
    "fibre_install",
    "fibre_repair",
    "gpon",
    "wifi",
    "tv",
    "copper",
];
/// The options of Technician's `status` (default `Active`).
pub const TECHNICIAN_STATUSES: &[&str] = &["Active", "Inactive"];
/// The options of Issue's `status` (default `Open`).
pub const ISSUE_STATUSES: &[&str] = &["Open", "Replied", "On Hold", "Resolved", "Closed"];
/// ERPNext's default Issue Priorities (default `Medium`).
pub const ISSUE_PRIORITIES: &[&str] = &["Low", "Medium", "High", "Urgent"];
/// The options of Dispatch Job's `status` (default `Unassigned`).
pub const JOB_STATUSES: &[&str] = &[
    "Unassigned",
    "Assigned",
    "En Route",
    "Started",
    "Done",
    "Cancelled",
];

/// Validates a Technician: status, an E.164 mobile number, the shift's times and the rows of
/// `skills` and `breaks`.
pub fn validate_technician(doc: &mut Map<String, Value>) -> Result<(), FrappeError> {
    default(doc, "status", json!("Active"));
    check_select(doc, "status", "Status", TECHNICIAN_STATUSES, "")?;
    let mobile = text(doc, "mobile_no");
    if !mobile.trim().is_empty() && !is_e164(mobile.trim()) {
        return Err(FrappeError::validation(format!(
            "{mobile} is not a valid Phone Number"
        )));
    }
    let start = time_field(doc, "shift_start", "Shift Start", "")?;
    let end = time_field(doc, "shift_end", "Shift End", "")?;
    if let (Some(start), Some(end)) = (start, end)
        && end <= start
    {
        return Err(FrappeError::validation(
            "Shift End must be after Shift Start",
        ));
    }
    let parent = text(doc, "name");
    for_each_row(doc, "skills", |row, idx| {
        let prefix = format!("Row #{idx}: ");
        if text(row, "family").trim().is_empty() {
            return Err(FrappeError::mandatory(format!(
                "{prefix}Family is required"
            )));
        }
        check_select(row, "family", "Family", SKILL_FAMILIES, &prefix)?;
        default(row, "level", json!(1));
        int_field(row, "level", "Level", 1..=5, &prefix)?;
        child(row, TECHNICIAN_SKILL, "skills", idx, &parent);
        Ok(())
    })?;
    for_each_row(doc, "breaks", |row, idx| {
        let prefix = format!("Row #{idx}: ");
        let start = time_field(row, "start", "Start", &prefix)?;
        let end = time_field(row, "end", "End", &prefix)?;
        let (Some(start), Some(end)) = (start, end) else {
            return Err(FrappeError::mandatory(format!(
                "{prefix}Start and End are required"
            )));
        };
        if end <= start {
            return Err(FrappeError::validation(format!(
                "{prefix}End must be after Start"
            )));
        }
        default(row, "duration_minutes", json!((end - start).num_minutes()));
        int_field(
            row,
            "duration_minutes",
            "Duration (minutes)",
            1..=600,
            &prefix,
        )?;
        child(row, TECHNICIAN_BREAK, "breaks", idx, &parent);
        Ok(())
    })
}

/// Validates an Issue: status and priority options, its `customer` and
/// `custom_service_location` links, and `opening_date` / `resolution_date` as ERPNext keeps them.
pub async fn validate_issue(
    store: &Store,
    doc: &mut Map<String, Value>,
) -> Result<(), FrappeError> {
    default(doc, "status", json!("Open"));
    check_select(doc, "status", "Status", ISSUE_STATUSES, "")?;
    default(doc, "priority", json!("Medium"));
    check_select(doc, "priority", "Priority", ISSUE_PRIORITIES, "")?;
    check_link(store, doc, "customer", "Customer").await?;
    check_link(store, doc, "custom_service_location", SERVICE_LOCATION).await?;
    let creation = text(doc, "creation");
    default(doc, "opening_date", json!(creation.get(..10).unwrap_or("")));
    if matches!(text(doc, "status").as_str(), "Resolved" | "Closed") {
        default(doc, "resolution_date", json!(crate::routes::frappe_now()));
    } else {
        doc.insert("resolution_date".to_owned(), Value::Null);
    }
    Ok(())
}

/// Validates a Dispatch Job: the `issue`, `service_location`, `customer` (fetched from the Issue
/// when blank) and `technician` links, the coordinates fetched from the location, the skill and
/// level, duration, window, priority, status and lock; a job past Unassigned needs a technician.
pub async fn validate_job(store: &Store, doc: &mut Map<String, Value>) -> Result<(), FrappeError> {
    let issue = check_link(store, doc, "issue", ISSUE).await?;
    if text(doc, "customer").trim().is_empty()
        && let Some(customer) = issue.as_ref().and_then(|i| i.get("customer"))
    {
        doc.insert("customer".to_owned(), customer.clone());
    }
    check_link(store, doc, "customer", "Customer").await?;
    if let Some(location) = check_link(store, doc, "service_location", SERVICE_LOCATION).await? {
        doc.insert("latitude".to_owned(), location["latitude"].clone());
        doc.insert("longitude".to_owned(), location["longitude"].clone());
    }
    check_link(store, doc, "technician", TECHNICIAN).await?;
    check_select(doc, "required_skill", "Required Skill", SKILL_FAMILIES, "")?;
    default(doc, "required_level", json!(1));
    int_field(doc, "required_level", "Required Level", 1..=5, "")?;
    int_field(doc, "duration_minutes", "Duration (minutes)", 1..=1440, "")?;
    default(doc, "priority", json!(1));
    int_field(doc, "priority", "Priority", 0..=3, "")?;
    default(doc, "locked", json!(0));
    int_field(doc, "locked", "Locked", 0..=1, "")?;
    if !text(doc, "route_order").trim().is_empty() {
        int_field(doc, "route_order", "Route Order", 1..=1000, "")?;
    }
    let start = datetime_field(doc, "window_start", "Window Start")?;
    let end = datetime_field(doc, "window_end", "Window End")?;
    if let (Some(start), Some(end)) = (start, end)
        && end <= start
    {
        return Err(FrappeError::validation(
            "Window End must be after Window Start",
        ));
    }
    datetime_field(doc, "planned_start", "Planned Start")?;
    default(doc, "status", json!("Unassigned"));
    check_select(doc, "status", "Status", JOB_STATUSES, "")?;
    let status = text(doc, "status");
    let needs_technician = !matches!(status.as_str(), "Unassigned" | "Cancelled");
    if needs_technician && text(doc, "technician").trim().is_empty() {
        return Err(FrappeError::mandatory(format!(
            "Technician is required when Status is {status}"
        )));
    }
    Ok(())
}

/// Whether `number` is E.164: `+`, a non-zero digit, then 6 to 14 digits.
fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (7..=15).contains(&digits.len())
            && !digits.starts_with('0')
            && digits.chars().all(|c| c.is_ascii_digit())
    })
}

/// A Link field: blank is fine, else the document it names (LinkValidationError if none).
async fn check_link(
    store: &Store,
    doc: &Map<String, Value>,
    field: &str,
    doctype: &str,
) -> Result<Option<Value>, FrappeError> {
    let name = text(doc, field);
    if name.trim().is_empty() {
        return Ok(None);
    }
    store
        .find_by_name(doctype, &name)
        .await?
        .map(Some)
        .ok_or_else(|| FrappeError::link_validation(format!("Could not find {doctype}: {name}")))
}

/// A Time field: blank is `None`, else stored as `HH:MM:SS`.
fn time_field(
    doc: &mut Map<String, Value>,
    field: &str,
    label: &str,
    prefix: &str,
) -> Result<Option<chrono::NaiveTime>, FrappeError> {
    let value = text(doc, field);
    if value.trim().is_empty() {
        return Ok(None);
    }
    let time = parse_frappe_time(&value).ok_or_else(|| {
        FrappeError::validation(format!("{prefix}{label}: {value} is not a valid time"))
    })?;
    doc.insert(field.to_owned(), json!(time.format("%H:%M:%S").to_string()));
    Ok(Some(time))
}

/// A Datetime field: blank is `None`, else stored as `2026-12-08 08:00:00`.
fn datetime_field(
    doc: &mut Map<String, Value>,
    field: &str,
    label: &str,
) -> Result<Option<chrono::NaiveDateTime>, FrappeError> {
    let value = text(doc, field);
    if value.trim().is_empty() {
        return Ok(None);
    }
    let at = parse_frappe_datetime(&value).ok_or_else(|| {
        FrappeError::validation(format!("{label}: {value} is not a valid datetime"))
    })?;
    doc.insert(field.to_owned(), json!(frappe_datetime_text(&at)));
    Ok(Some(at))
}

/// An Int field within `range`, stored as a number (Frappe's `cint` reads `"3"` as 3).
fn int_field(
    doc: &mut Map<String, Value>,
    field: &str,
    label: &str,
    range: std::ops::RangeInclusive<i64>,
    prefix: &str,
) -> Result<(), FrappeError> {
    let value = match doc.get(field) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::Bool(b)) => Some(i64::from(*b)),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    match value {
        Some(n) if range.contains(&n) => {
            doc.insert(field.to_owned(), json!(n));
            Ok(())
        }
        _ => Err(FrappeError::validation(format!(
            "{prefix}{label} must be between {} and {}",
            range.start(),
            range.end()
        ))),
    }
}

/// Runs `check` on each row of the child table `field` (numbered from 1), which must be a
/// list of objects.
fn for_each_row(
    doc: &mut Map<String, Value>,
    field: &str,
    mut check: impl FnMut(&mut Map<String, Value>, usize) -> Result<(), FrappeError>,
) -> Result<(), FrappeError> {
    match doc.get_mut(field) {
        None | Some(Value::Null) => {
            doc.insert(field.to_owned(), json!([]));
            Ok(())
        }
        Some(Value::Array(rows)) => {
            for (index, row) in rows.iter_mut().enumerate() {
                let Some(row) = row.as_object_mut() else {
                    return Err(FrappeError::validation(format!(
                        "Row #{}: a {field} row must be an object",
                        index + 1
                    )));
                };
                check(row, index + 1)?;
            }
            Ok(())
        }
        Some(_) => Err(FrappeError::validation(format!("{field} must be a list"))),
    }
}

/// The standard fields of a child row, as Frappe returns them inside the parent.
fn child(row: &mut Map<String, Value>, doctype: &str, parentfield: &str, idx: usize, parent: &str) {
    child_row(row, doctype, parentfield, idx);
    default(row, "name", json!(random_name()));
    row.insert("parent".to_owned(), json!(parent));
    row.insert("parenttype".to_owned(), json!(TECHNICIAN));
    row.insert("docstatus".to_owned(), json!(0));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_numbers_only() {
        assert!(is_e164("+15145550101"));
        assert!(!is_e164("514-555-0101"));
        assert!(!is_e164("+1514"));
        assert!(!is_e164("+05145550101"));
    }

    #[test]
    fn a_technician_gets_its_rows_numbered_and_its_times_normalised() {
        let mut doc = json!({
            "name": "TECH-0001", "technician_name": "A", "shift_start": "7:00",
            "shift_end": "15:30:00",
            "skills": [{"family": "gpon", "level": "4"}],
            "breaks": [{"start": "11:30:00", "end": "13:30:00"}]
        });
        let fields = doc.as_object_mut().map(validate_technician);
        assert_eq!(fields, Some(Ok(())));
        assert_eq!(doc["shift_start"], "07:00:00");
        assert_eq!(doc["status"], "Active");
        assert_eq!(doc["skills"][0]["level"], 4);
        assert_eq!(doc["skills"][0]["parent"], "TECH-0001");
        assert_eq!(doc["skills"][0]["parenttype"], "Technician");
        assert_eq!(doc["skills"][0]["parentfield"], "skills");
        assert_eq!(doc["skills"][0]["idx"], 1);
        assert_eq!(doc["breaks"][0]["duration_minutes"], 120);
        assert_eq!(doc["breaks"][0]["doctype"], "Technician Break");
    }

    #[test]
    fn a_skill_out_of_its_options_or_levels_is_refused() {
        let mut doc = json!({"skills": [{"family": "plumbing", "level": 2}]});
        let refused = doc.as_object_mut().map(validate_technician);
        assert!(matches!(refused, Some(Err(_))));
        let mut doc = json!({"skills": [{"family": "tv", "level": 6}]});
        let refused = doc.as_object_mut().map(validate_technician);
        assert!(matches!(refused, Some(Err(_))));
    }
}
