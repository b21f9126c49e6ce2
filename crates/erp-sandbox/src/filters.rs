//! Frappe filter conditions: parsing the `filters`/`or_filters` JSON and matching documents.

use std::collections::HashSet;

use serde_json::Value;
use shared::erpnext::Op;

use crate::error::FrappeError;

/// A comparison: one of the client's [`Op`]s, or `between` which only the server reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `=`, `like`, `in`, ...
    Std(Op),
    /// `between` (value: `[low, high]`, inclusive).
    Between,
}

/// One `[field, op, value]` condition, optionally on a child-table row.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Child doctype for `[doctype, field, op, value]` conditions on a table field.
    pub child_doctype: Option<String>,
    /// Field compared.
    pub field: String,
    /// Comparison.
    pub operator: Operator,
    /// Right-hand side as sent.
    pub value: Value,
}

/// Parses a `filters`/`or_filters` parameter: a JSON list of lists or a JSON dict.
///
/// Fields are checked against `known` (child-table fields are not), as Frappe refuses
/// a query on a field the doctype does not have.
pub fn parse_conditions(
    param: &str,
    raw: &str,
    doctype: &str,
    known: &HashSet<String>,
) -> Result<Vec<Condition>, FrappeError> {
    let value: Value = serde_json::from_str(raw)
        .map_err(|e| FrappeError::validation(format!("Invalid JSON in {param}: {e}")))?;
    let conditions = match value {
        Value::Array(items) => items
            .into_iter()
            .map(|item| condition_from_list(param, item, doctype))
            .collect::<Result<Vec<_>, _>>()?,
        Value::Object(map) => map
            .into_iter()
            .map(|(field, value)| condition_from_dict_entry(field, value))
            .collect::<Result<Vec<_>, _>>()?,
        Value::Null => Vec::new(),
        _ => {
            return Err(FrappeError::validation(format!(
                "{param} must be a list or a dict"
            )));
        }
    };
    for condition in &conditions {
        if condition.child_doctype.is_none() && !known.contains(&condition.field) {
            return Err(FrappeError::validation(format!(
                "Field not permitted in query: {}",
                condition.field
            )));
        }
    }
    Ok(conditions)
}

fn condition_from_list(param: &str, item: Value, doctype: &str) -> Result<Condition, FrappeError> {
    let malformed = || FrappeError::validation(format!("Invalid filter in {param}: {item}"));
    let Value::Array(parts) = &item else {
        return Err(malformed());
    };
    let text = |v: &Value| v.as_str().map(str::to_owned).ok_or_else(malformed);
    let (child, field, op, value) = match parts.as_slice() {
        [field, value] => (None, text(field)?, "=".to_owned(), value.clone()),
        [field, op, value] => (None, text(field)?, text(op)?, value.clone()),
        [dt, field, op, value] => {
            let dt = text(dt)?;
            let child = (dt != doctype).then_some(dt);
            (child, text(field)?, text(op)?, value.clone())
        }
        _ => return Err(malformed()),
    };
    Ok(Condition {
        child_doctype: child,
        field,
        operator: parse_operator(&op)?,
        value,
    })
}

fn condition_from_dict_entry(field: String, value: Value) -> Result<Condition, FrappeError> {
    let (operator, value) = match &value {
        Value::Array(parts) if parts.len() == 2 && parts[0].is_string() => (
            parse_operator(parts[0].as_str().unwrap_or_default())?,
            parts[1].clone(),
        ),
        _ => (Operator::Std(Op::Eq), value),
    };
    Ok(Condition {
        child_doctype: None,
        field,
        operator,
        value,
    })
}

fn parse_operator(text: &str) -> Result<Operator, FrappeError> {
    if text.trim().eq_ignore_ascii_case("between") {
        return Ok(Operator::Between);
    }
    Op::parse(text).map(Operator::Std).ok_or_else(|| {
        FrappeError::validation(format!(
            "Operator must be one of = != > < >= <= like not like in not in is between, not {text}"
        ))
    })
}

impl Condition {
    /// Whether `doc` satisfies this condition (for a child-table condition: any row does).
    pub fn matches(&self, doc: &Value) -> bool {
        match &self.child_doctype {
            None => self.matches_value(doc.get(&self.field).unwrap_or(&Value::Null)),
            Some(child) => child_rows(doc, child)
                .any(|row| self.matches_value(row.get(&self.field).unwrap_or(&Value::Null))),
        }
    }

    fn matches_value(&self, actual: &Value) -> bool {
        let left = as_text(actual);
        match self.operator {
            Operator::Std(Op::Eq) => left == as_text(&self.value),
            Operator::Std(Op::Ne) => left != as_text(&self.value),
            Operator::Std(Op::Gt) => compare(&left, &as_text(&self.value)).is_gt(),
            Operator::Std(Op::Lt) => compare(&left, &as_text(&self.value)).is_lt(),
            Operator::Std(Op::Ge) => compare(&left, &as_text(&self.value)).is_ge(),
            Operator::Std(Op::Le) => compare(&left, &as_text(&self.value)).is_le(),
            Operator::Std(Op::Like) => like_match(&as_text(&self.value), &left),
            Operator::Std(Op::NotLike) => !like_match(&as_text(&self.value), &left),
            Operator::Std(Op::In) => value_list(&self.value).contains(&left),
            Operator::Std(Op::NotIn) => !value_list(&self.value).contains(&left),
            Operator::Std(Op::Is) => {
                let wants_set = as_text(&self.value).trim().eq_ignore_ascii_case("set");
                wants_set != left.is_empty()
            }
            Operator::Between => match value_list(&self.value).as_slice() {
                [low, high] => compare(&left, low).is_ge() && compare(&left, high).is_le(),
                _ => false,
            },
        }
    }
}

fn child_rows<'a>(doc: &'a Value, child: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    doc.as_object()
        .into_iter()
        .flat_map(|map| map.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter(move |row| {
            row.get("doctype")
                .and_then(Value::as_str)
                .is_none_or(|dt| dt == child)
        })
}

/// A value as SQL would compare it as text: null is `''`, a bool `1`/`0`, `10234.0` is `10234`.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Bool(flag) => if *flag { "1" } else { "0" }.to_owned(),
        Value::Number(number) => match number.as_f64() {
            Some(f) if number.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => number.to_string(),
        },
        other => other.to_string(),
    }
}

/// Numbers compare as numbers, anything else as text.
pub fn compare(left: &str, right: &str) -> std::cmp::Ordering {
    match (left.trim().parse::<f64>(), right.trim().parse::<f64>()) {
        (Ok(l), Ok(r)) => l.total_cmp(&r),
        _ => left.cmp(right),
    }
}

/// The right-hand side of `in`/`not in`/`between`: a JSON list or a comma-separated string.
fn value_list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(as_text).collect(),
        Value::String(text) => text.split(',').map(|s| s.trim().to_owned()).collect(),
        other => vec![as_text(other)],
    }
}

/// SQL `ILIKE`: `%` matches any run of characters, `_` exactly one; case-insensitive.
pub fn like_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let (mut p, mut t) = (0, 0);
    // Where to resume after the last `%`: (pattern index after it, text index it covers up to).
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('%') => {
                backtrack = Some((p + 1, t));
                p += 1;
            }
            Some(c) if *c == '_' || *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((after, covered)) => {
                    backtrack = Some((after, covered + 1));
                    p = after;
                    t = covered + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '%')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn like_is_case_insensitive_with_both_wildcards() {
        assert!(like_match("%tremblay%", "Marie.Tremblay@Example.CA"));
        assert!(like_match(
            "MARIE.%@example.ca",
            "marie.tremblay@example.ca"
        ));
        assert!(like_match("c_t%", "Côté"));
        assert!(like_match("%", ""));
        assert!(!like_match("_", ""));
        assert!(!like_match("%gagnon", "gagnon.x"));
        assert!(like_match("%a%b%c", "xxaxxbxxbxc"));
        assert!(!like_match("abc", "abcd"));
    }

    #[test]
    fn a_number_equals_its_text() {
        let cond = |value| Condition {
            child_doctype: None,
            field: "legacy_customer_id".into(),
            operator: Operator::Std(Op::Eq),
            value,
        };
        let doc = json!({"legacy_customer_id": 10234});
        assert!(cond(json!("10234")).matches(&doc));
        assert!(cond(json!(10234.0)).matches(&doc));
        assert!(!cond(json!("10235")).matches(&doc));
    }

    #[test]
    fn an_unknown_operator_or_field_is_a_validation_error() {
        let known: HashSet<String> = ["name".to_owned()].into();
        let err = parse_conditions("filters", r#"[["name","~","x"]]"#, "Customer", &known);
        assert_eq!(err.unwrap_err().exc_type(), "ValidationError");
        let err = parse_conditions("filters", r#"[["nope","=","x"]]"#, "Customer", &known);
        assert!(err.unwrap_err().message().contains("Field not permitted"));
        assert!(parse_conditions("filters", "[[", "Customer", &known).is_err());
    }

    #[test]
    fn a_dict_filter_reads_as_equality_or_an_operator_pair() {
        let known: HashSet<String> = ["name".to_owned(), "disabled".to_owned()].into();
        let conds = parse_conditions(
            "filters",
            r#"{"disabled": 0, "name": ["like", "CUST-%"]}"#,
            "Customer",
            &known,
        )
        .unwrap();
        assert!(
            conds
                .iter()
                .all(|c| c.matches(&json!({"name": "CUST-1", "disabled": 0})))
        );
    }

    #[test]
    fn a_child_table_condition_matches_any_row() {
        let conds = parse_conditions(
            "filters",
            r#"[["Dynamic Link","link_name","=","CUST-2024-00001"]]"#,
            "Contact",
            &HashSet::new(),
        )
        .unwrap();
        let doc = json!({"links": [{"link_doctype": "Customer", "link_name": "CUST-2024-00001"}]});
        assert!(conds[0].matches(&doc));
        assert!(!conds[0].matches(&json!({"links": []})));
    }

    proptest! {
        #[test]
        fn a_text_matches_itself_and_percent(text in "[a-zA-Z0-9 .@éÉ-]{0,20}") {
            prop_assert!(like_match(&text, &text));
            prop_assert!(like_match(&text.to_uppercase(), &text));
            prop_assert!(like_match("%", &text));
            let wrapped = format!("%{text}%");
            let padded = format!("xx{text}yy");
            prop_assert!(like_match(&wrapped, &padded));
        }
    }
}
