//! The query of a Frappe list call: fields, filters, paging, order.

use serde_json::{Value, json};

/// A Frappe filter operator, serialised as the string Frappe expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `like` (`%` and `_` wildcards; case-insensitive on PostgreSQL)
    Like,
    /// `not like`
    NotLike,
    /// `in` (value: a JSON array)
    In,
    /// `not in` (value: a JSON array)
    NotIn,
    /// `is` (value: `"set"` or `"not set"`)
    Is,
}

impl Op {
    /// Every operator, in declaration order.
    pub const ALL: [Op; 11] = [
        Op::Eq,
        Op::Ne,
        Op::Gt,
        Op::Lt,
        Op::Ge,
        Op::Le,
        Op::Like,
        Op::NotLike,
        Op::In,
        Op::NotIn,
        Op::Is,
    ];

    /// The operator as Frappe writes it (`"="`, `"not like"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::Like => "like",
            Op::NotLike => "not like",
            Op::In => "in",
            Op::NotIn => "not in",
            Op::Is => "is",
        }
    }

    /// Reads an operator as Frappe accepts it (case-insensitive, surrounding spaces ignored).
    pub fn parse(text: &str) -> Option<Op> {
        let wanted = text.trim().to_ascii_lowercase();
        Op::ALL.into_iter().find(|op| op.as_str() == wanted)
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Fields, filters, paging and order of a `GET /api/resource/{doctype}` call.
///
/// ```
/// use serde_json::json;
/// use shared::erpnext::{ListQuery, Op};
/// let query = ListQuery::new()
///     .fields(&["name", "email_id"])
///     .filter("disabled", Op::Eq, json!(0))
///     .or_filter("email_id", Op::Like, json!("%@example.ca"))
///     .limit(50);
/// assert!(query.to_params().iter().any(|(k, _)| *k == "filters"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    fields: Vec<String>,
    filters: Vec<Value>,
    or_filters: Vec<Value>,
    limit: Option<u32>,
    start: Option<u32>,
    order_by: Option<String>,
}

impl ListQuery {
    /// An empty query: Frappe then returns `name` only, 20 rows, default order.
    pub fn new() -> Self {
        Self::default()
    }

    /// The fields to return (`["*"]` for all).
    #[must_use]
    pub fn fields(mut self, fields: &[&str]) -> Self {
        self.fields = fields.iter().map(|f| (*f).to_owned()).collect();
        self
    }

    /// Adds an AND condition `[field, op, value]`.
    #[must_use]
    pub fn filter(mut self, field: &str, op: Op, value: Value) -> Self {
        self.filters.push(json!([field, op.as_str(), value]));
        self
    }

    /// Adds an AND condition on a child table, `[child_doctype, field, op, value]`: a document
    /// matches when any of its rows does (e.g. `("Sales Order Item", "prevdoc_docname", Eq, q)`).
    #[must_use]
    pub fn child_filter(mut self, child_doctype: &str, field: &str, op: Op, value: Value) -> Self {
        self.filters
            .push(json!([child_doctype, field, op.as_str(), value]));
        self
    }

    /// Adds an OR condition `[field, op, value]` (the OR group is ANDed with `filter`s).
    #[must_use]
    pub fn or_filter(mut self, field: &str, op: Op, value: Value) -> Self {
        self.or_filters.push(json!([field, op.as_str(), value]));
        self
    }

    /// At most `limit` rows (`0` means all rows).
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Skips the first `start` rows.
    #[must_use]
    pub fn start(mut self, start: u32) -> Self {
        self.start = Some(start);
        self
    }

    /// Sort order, e.g. `"modified desc"` or `"name asc"`.
    #[must_use]
    pub fn order_by(mut self, order_by: &str) -> Self {
        self.order_by = Some(order_by.to_owned());
        self
    }

    /// The query-string parameters, JSON values already serialised (reqwest URL-encodes them).
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if !self.fields.is_empty() {
            params.push(("fields", Value::from(self.fields.clone()).to_string()));
        }
        if !self.filters.is_empty() {
            params.push(("filters", Value::from(self.filters.clone()).to_string()));
        }
        if !self.or_filters.is_empty() {
            params.push((
                "or_filters",
                Value::from(self.or_filters.clone()).to_string(),
            ));
        }
        if let Some(limit) = self.limit {
            params.push(("limit_page_length", limit.to_string()));
        }
        if let Some(start) = self.start {
            params.push(("limit_start", start.to_string()));
        }
        if let Some(order_by) = &self.order_by {
            params.push(("order_by", order_by.clone()));
        }
        params
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_reads_back_from_its_frappe_string() {
        for op in Op::ALL {
            assert_eq!(Op::parse(op.as_str()), Some(op));
        }
        assert_eq!(Op::parse(" NOT LIKE "), Some(Op::NotLike));
        assert_eq!(Op::parse("between-ish"), None);
    }

    #[test]
    fn the_params_carry_json_arrays() {
        let params = ListQuery::new()
            .fields(&["name", "email_id"])
            .filter("disabled", Op::Eq, json!(0))
            .or_filter("email_id", Op::NotIn, json!(["a@example.ca"]))
            .limit(50)
            .start(100)
            .order_by("name asc")
            .to_params();
        let get = |key: &str| {
            params
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("fields"), Some(r#"["name","email_id"]"#));
        assert_eq!(get("filters"), Some(r#"[["disabled","=",0]]"#));
        assert_eq!(
            get("or_filters"),
            Some(r#"[["email_id","not in",["a@example.ca"]]]"#)
        );
        assert_eq!(get("limit_page_length"), Some("50"));
        assert_eq!(get("limit_start"), Some("100"));
        assert_eq!(get("order_by"), Some("name asc"));
    }

    #[test]
    fn a_child_table_condition_carries_its_doctype() {
        let params = ListQuery::new()
            .child_filter("Sales Order Item", "prevdoc_docname", Op::Eq, json!("Q-1"))
            .filter("docstatus", Op::Ne, json!(2))
            .to_params();
        assert_eq!(
            params[0],
            (
                "filters",
                r#"[["Sales Order Item","prevdoc_docname","=","Q-1"],["docstatus","!=",2]]"#
                    .to_owned()
            )
        );
    }

    #[test]
    fn an_empty_query_sends_no_params() {
        assert!(ListQuery::new().to_params().is_empty());
    }
}
