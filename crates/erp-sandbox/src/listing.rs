//! Frappe list semantics over a doctype's documents: filters, order, paging, fields.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::error::FrappeError;
use crate::filters::{Condition, as_text, compare, parse_conditions};

const DEFAULT_PAGE_LENGTH: usize = 20;

/// A parsed list request.
#[derive(Debug)]
pub struct ListRequest {
    fields: Option<Vec<String>>,
    filters: Vec<Condition>,
    or_filters: Vec<Condition>,
    order_by: Vec<(String, bool)>,
    start: usize,
    limit: usize,
}

impl ListRequest {
    /// Reads the query-string parameters of `GET /api/resource/{doctype}`.
    pub fn parse(
        params: &HashMap<String, String>,
        doctype: &str,
        known: &HashSet<String>,
    ) -> Result<Self, FrappeError> {
        let conditions = |param: &str| match params.get(param) {
            Some(raw) if !raw.trim().is_empty() => parse_conditions(param, raw, doctype, known),
            _ => Ok(Vec::new()),
        };
        Ok(Self {
            fields: parse_fields(params.get("fields"), known)?,
            filters: conditions("filters")?,
            or_filters: conditions("or_filters")?,
            order_by: parse_order_by(params.get("order_by"), known)?,
            start: parse_count(params, &["limit_start", "start"], 0)?,
            limit: parse_count(
                params,
                &["limit_page_length", "limit", "page_length"],
                DEFAULT_PAGE_LENGTH,
            )?,
        })
    }

    /// Filters, sorts, pages and projects `docs`.
    pub fn apply(&self, mut docs: Vec<Value>) -> Vec<Value> {
        docs.retain(|doc| {
            self.filters.iter().all(|c| c.matches(doc))
                && (self.or_filters.is_empty() || self.or_filters.iter().any(|c| c.matches(doc)))
        });
        docs.sort_by(|a, b| self.order(a, b));
        let page = docs.into_iter().skip(self.start);
        let page: Vec<Value> = if self.limit == 0 {
            page.collect()
        } else {
            page.take(self.limit).collect()
        };
        page.into_iter().map(|doc| self.project(doc)).collect()
    }

    fn order(&self, a: &Value, b: &Value) -> Ordering {
        let field_order = |(field, desc): &(String, bool)| {
            let ordering = compare(&field_text(a, field), &field_text(b, field));
            if *desc { ordering.reverse() } else { ordering }
        };
        self.order_by
            .iter()
            .map(field_order)
            .find(|o| o.is_ne())
            // Ties broken by name so that paging is deterministic.
            .unwrap_or_else(|| field_text(a, "name").cmp(&field_text(b, "name")))
    }

    fn project(&self, doc: Value) -> Value {
        let Some(fields) = &self.fields else {
            return doc;
        };
        let mut row = Map::new();
        for field in fields {
            row.insert(
                field.clone(),
                doc.get(field).cloned().unwrap_or(Value::Null),
            );
        }
        Value::Object(row)
    }
}

fn field_text(doc: &Value, field: &str) -> String {
    as_text(doc.get(field).unwrap_or(&Value::Null))
}

/// `None` means all fields (`["*"]`); the default is `["name"]`.
fn parse_fields(
    raw: Option<&String>,
    known: &HashSet<String>,
) -> Result<Option<Vec<String>>, FrappeError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(Some(vec!["name".to_owned()]));
    };
    let fields: Vec<String> = serde_json::from_str(raw)
        .map_err(|e| FrappeError::validation(format!("Invalid JSON in fields: {e}")))?;
    if fields.iter().any(|f| f.trim() == "*") {
        return Ok(None);
    }
    let fields: Vec<String> = fields.iter().map(|f| clean_field(f)).collect();
    if let Some(unknown) = fields.iter().find(|f| !known.contains(*f)) {
        return Err(FrappeError::validation(format!(
            "Field not permitted in query: {unknown}"
        )));
    }
    Ok(Some(fields))
}

/// `"modified desc, name"` → `[("modified", true), ("name", false)]`; default `modified desc`.
fn parse_order_by(
    raw: Option<&String>,
    known: &HashSet<String>,
) -> Result<Vec<(String, bool)>, FrappeError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(vec![("modified".to_owned(), true)]);
    };
    raw.split(',')
        .map(|part| {
            let mut words = part.split_whitespace();
            let field = clean_field(words.next().unwrap_or_default());
            let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(FrappeError::validation(format!(
                        "Invalid sort order: {other}"
                    )));
                }
            };
            if !known.contains(&field) || words.next().is_some() {
                return Err(FrappeError::validation(format!(
                    "Invalid field in order_by: {field}"
                )));
            }
            Ok((field, desc))
        })
        .collect()
}

/// Strips SQL decoration Frappe clients send: `` `tabCustomer`.`name` `` → `name`.
fn clean_field(raw: &str) -> String {
    let last = raw.rsplit('.').next().unwrap_or(raw);
    last.trim().trim_matches('`').to_owned()
}

fn parse_count(
    params: &HashMap<String, String>,
    keys: &[&str],
    default: usize,
) -> Result<usize, FrappeError> {
    let Some((key, raw)) = keys.iter().find_map(|k| params.get(*k).map(|v| (*k, v))) else {
        return Ok(default);
    };
    raw.trim()
        .parse::<usize>()
        .map_err(|_| FrappeError::validation(format!("{key} must be a non-negative integer")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn known() -> HashSet<String> {
        ["name", "modified", "email_id"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_defaults_are_name_only_twenty_rows_newest_first() {
        let docs: Vec<Value> = (0..30)
            .map(|i| json!({"name": format!("C{i:02}"), "modified": format!("2024-01-{:02}", i + 1), "email_id": "x"}))
            .collect();
        let rows = ListRequest::parse(&params(&[]), "Customer", &known())
            .unwrap()
            .apply(docs);
        assert_eq!(rows.len(), 20);
        assert_eq!(rows[0], json!({"name": "C29"}));
    }

    #[test]
    fn limit_zero_returns_everything_after_the_start() {
        let docs: Vec<Value> = (0..30)
            .map(|i| json!({"name": format!("C{i:02}")}))
            .collect();
        let p = params(&[
            ("limit_page_length", "0"),
            ("limit_start", "25"),
            ("order_by", "name asc"),
        ]);
        let rows = ListRequest::parse(&p, "Customer", &known())
            .unwrap()
            .apply(docs);
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0]["name"], "C25");
    }

    #[test]
    fn a_bad_order_or_count_is_refused() {
        for p in [
            params(&[("order_by", "nope desc")]),
            params(&[("limit", "-1")]),
        ] {
            assert!(ListRequest::parse(&p, "Customer", &known()).is_err());
        }
    }

    #[test]
    fn a_decorated_field_is_cleaned() {
        assert_eq!(clean_field("`tabCustomer`.`name`"), "name");
    }
}
