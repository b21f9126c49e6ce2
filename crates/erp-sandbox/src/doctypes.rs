//! The doctypes the sandbox serves, with their fields, mandatory fields and naming.

use std::collections::HashSet;

use serde_json::Value;

/// Fields every Frappe document carries.
pub const STANDARD_FIELDS: &[&str] = &[
    "name",
    "owner",
    "creation",
    "modified",
    "modified_by",
    "docstatus",
    "idx",
    "doctype",
];

/// What the sandbox knows of one doctype.
#[derive(Debug)]
pub struct DocTypeMeta {
    /// Doctype name as in the URL (`Customer`).
    pub name: &'static str,
    /// Declared fields besides [`STANDARD_FIELDS`].
    pub fields: &'static [&'static str],
    /// `(field, label)` pairs that must be present and non-blank on create.
    pub mandatory: &'static [(&'static str, &'static str)],
    /// Frappe's `autoname`: a naming series such as `CUST-.YYYY.-` (followed by 5 digits) or
    /// `TECH-.####` (as many digits as `#`),
    /// `field:<fieldname>` (the name is that field's value) or `hash` (10 random characters).
    pub autoname: &'static str,
}

/// The doctypes served; any other is refused with 403 `PermissionError`.
pub const DOCTYPES: &[DocTypeMeta] = &[
    DocTypeMeta {
        name: "Customer",
        fields: &[
            "customer_name",
            "customer_type",
            "customer_group",
            "territory",
            "email_id",
            "email_billing",
            "mobile_no",
            "cell_phone",
            "tel_home",
            "legacy_customer_id",
            "language",
            "disabled",
            "customer_primary_address",
            "primary_address",
            "customer_primary_contact",
            "default_currency",
            "customer_details",
        ],
        mandatory: &[("customer_name", "Customer Name")],
        autoname: "CUST-.YYYY.-",
    },
    DocTypeMeta {
        name: "Contact",
        fields: &[
            "first_name",
            "last_name",
            "full_name",
            "email_id",
            "phone",
            "mobile_no",
            "is_primary_contact",
            "status",
            "email_ids",
            "phone_nos",
            "links",
        ],
        mandatory: &[("first_name", "First Name")],
        autoname: "CONT-.YYYY.-",
    },
    DocTypeMeta {
        name: "Sales Invoice",
        fields: &[
            "naming_series",
            "customer",
            "customer_name",
            "company",
            "posting_date",
            "due_date",
            "currency",
            "items",
            "taxes",
            "total",
            "net_total",
            "total_taxes_and_charges",
            "grand_total",
            "rounded_total",
            "disable_rounded_total",
            "outstanding_amount",
            "status",
            "remarks",
        ],
        mandatory: &[("customer", "Customer")],
        autoname: "ACC-SINV-.YYYY.-",
    },
    DocTypeMeta {
        name: "Payment Entry",
        fields: &[
            "naming_series",
            "payment_type",
            "party_type",
            "party",
            "party_name",
            "company",
            "posting_date",
            "mode_of_payment",
            "paid_from",
            "paid_to",
            "paid_from_account_currency",
            "paid_to_account_currency",
            "paid_amount",
            "received_amount",
            "reference_no",
            "reference_date",
            "references",
            "deductions",
            "total_allocated_amount",
            "unallocated_amount",
            "difference_amount",
            "status",
            "remarks",
        ],
        mandatory: &[("party", "Party"), ("paid_amount", "Paid Amount")],
        autoname: "ACC-PAY-.YYYY.-",
    },
];

/// The meta of `doctype`, if served.
pub fn find(doctype: &str) -> Option<&'static DocTypeMeta> {
    DOCTYPES
        .iter()
        .chain(crate::selling_doctypes::DOCTYPES)
        .chain(crate::operations_doctypes::DOCTYPES)
        .chain(crate::dispatch_doctypes::DOCTYPES)
        .find(|meta| meta.name == doctype)
}

impl DocTypeMeta {
    /// Fields a query may name: standard, declared, and any key a stored document has
    /// (custom fields added through the API).
    pub fn known_fields(&self, docs: &[Value]) -> HashSet<String> {
        let mut known: HashSet<String> = STANDARD_FIELDS
            .iter()
            .chain(self.fields)
            .map(|f| (*f).to_owned())
            .collect();
        for doc in docs {
            if let Some(map) = doc.as_object() {
                known.extend(map.keys().cloned());
            }
        }
        known
    }

    /// The first mandatory field missing or blank in `doc`, as its label.
    pub fn missing_mandatory(&self, doc: &Value) -> Option<&'static str> {
        self.mandatory
            .iter()
            .find(|(field, _)| {
                doc.get(field)
                    .is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))
            })
            .map(|(_, label)| *label)
    }

    /// The series prefix for a given year: `CUST-.YYYY.-` → `CUST-2026-`, `TECH-.####` →
    /// `TECH-`.
    pub fn series_prefix(&self, year: i32) -> String {
        self.autoname
            .replace(".YYYY.", &year.to_string())
            .trim_end_matches('#')
            .trim_end_matches('.')
            .to_owned()
    }

    /// How many digits the series' number has: the `#` it ends with, else 5.
    pub fn series_digits(&self) -> usize {
        match self
            .autoname
            .chars()
            .rev()
            .take_while(|c| *c == '#')
            .count()
        {
            0 => 5,
            digits => digits,
        }
    }

    /// The field whose value names a document (`field:plan_name` → `plan_name`).
    pub fn name_field(&self) -> Option<&'static str> {
        self.autoname.strip_prefix("field:")
    }

    /// Whether a document is named by a random hash (`File`).
    pub fn named_by_hash(&self) -> bool {
        self.autoname == "hash"
    }
}

/// The next name in a series: one more than the highest `prefix` + number among `names`, the
/// number zero-padded to `digits`.
pub fn next_in_series<'a>(
    prefix: &str,
    digits: usize,
    names: impl Iterator<Item = &'a str>,
) -> String {
    let highest = names
        .filter_map(|name| name.strip_prefix(prefix))
        .filter_map(|digits| digits.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{:0digits$}", highest + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_series_continues_after_the_highest_number() {
        let names = [
            "CUST-2026-00007",
            "CUST-2026-00012",
            "CUST-2024-00099",
            "Odd name",
        ];
        assert_eq!(
            next_in_series("CUST-2026-", 5, names.into_iter()),
            "CUST-2026-00013"
        );
        assert_eq!(
            next_in_series("CUST-2027-", 5, names.into_iter()),
            "CUST-2027-00001"
        );
    }

    #[test]
    fn a_hash_series_sets_the_number_of_digits() {
        let meta = find("Technician");
        assert_eq!(
            meta.map(|m| m.series_prefix(2026)).as_deref(),
            Some("TECH-")
        );
        assert_eq!(meta.map(DocTypeMeta::series_digits), Some(4));
        assert_eq!(
            next_in_series("TECH-", 4, ["TECH-0046", "TECH-0009"].into_iter()),
            "TECH-0047"
        );
        let customer = find("Customer");
        assert_eq!(customer.map(DocTypeMeta::series_digits), Some(5));
    }

    #[test]
    fn a_blank_customer_name_is_missing() {
        let meta = find("Customer");
        assert_eq!(
            meta.and_then(|m| m.missing_mandatory(&json!({"customer_name": "  "}))),
            Some("Customer Name")
        );
        assert_eq!(
            meta.and_then(|m| m.missing_mandatory(&json!({"customer_name": "A"}))),
            None
        );
    }
}
