//! ERPNext documents as the hub reads them.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// An ERPNext `Customer`, with the Gigafibre custom fields.
///
/// Lenient on input the way Frappe data needs: unknown fields are ignored, empty
/// strings read as `None`, `disabled` accepts `0`/`1` or a bool and
/// `legacy_customer_id` a number or a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Document name, the customer id (`CUST-2024-00001`).
    pub name: String,
    /// Display name (`Marie Tremblay`, `Dépanneur Côté inc.`).
    pub customer_name: String,
    /// `Individual` or `Company`.
    #[serde(default, deserialize_with = "opt_text")]
    pub customer_type: Option<String>,
    /// Customer group (`Individual`, `Commercial`, ...).
    #[serde(default, deserialize_with = "opt_text")]
    pub customer_group: Option<String>,
    /// Territory (`Quebec`, `Montreal`, ...).
    #[serde(default, deserialize_with = "opt_text")]
    pub territory: Option<String>,
    /// Primary e-mail, fetched from the primary contact (any case, as typed).
    #[serde(default, deserialize_with = "opt_text")]
    pub email_id: Option<String>,
    /// Custom field: e-mail that receives invoices, when different from `email_id`.
    #[serde(default, deserialize_with = "opt_text")]
    pub email_billing: Option<String>,
    /// Mobile number, fetched from the primary contact (free-form text).
    #[serde(default, deserialize_with = "opt_text")]
    pub mobile_no: Option<String>,
    /// Custom field: cell phone as typed by staff (free-form text, any format).
    #[serde(default, deserialize_with = "opt_text")]
    pub cell_phone: Option<String>,
    /// Custom field: home phone as typed by staff (free-form text, any format).
    #[serde(default, deserialize_with = "opt_text")]
    pub tel_home: Option<String>,
    /// Custom field: id in the legacy billing system (Frappe may send it as a number).
    #[serde(default, deserialize_with = "opt_text")]
    pub legacy_customer_id: Option<String>,
    /// Preferred language, `fr` or `en`.
    #[serde(default, deserialize_with = "opt_text")]
    pub language: Option<String>,
    /// A disabled customer may not log in or be billed.
    #[serde(default, deserialize_with = "flag")]
    pub disabled: bool,
    /// Name of the primary `Address` document.
    #[serde(default, deserialize_with = "opt_text")]
    pub customer_primary_address: Option<String>,
    /// Primary address rendered as text (read-only in ERPNext).
    #[serde(default, deserialize_with = "opt_text")]
    pub primary_address: Option<String>,
    /// Name of the primary `Contact` document.
    #[serde(default, deserialize_with = "opt_text")]
    pub customer_primary_contact: Option<String>,
}

impl Customer {
    /// The fields to request in a list call so every field of this DTO is filled.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
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
    ];
}

/// Text that may arrive as null, missing, `""`, a string or a number; blank reads as `None`.
pub(super) fn opt_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(text) => Ok(Some(text)),
        Value::Number(number) => Ok(Some(number.to_string())),
        Value::Null => Ok(None),
        other => Err(serde::de::Error::custom(format!(
            "expected text or a number, got {other}"
        ))),
    }
}

/// A Frappe `Check`: `0`/`1`, a bool, `"0"`/`"1"` or null (false).
pub(super) fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Bool(value) => Ok(value),
        Value::Number(number) => Ok(number.as_f64().is_some_and(|n| n != 0.0)),
        Value::String(text) => Ok(!matches!(text.trim(), "" | "0" | "false")),
        Value::Null => Ok(false),
        other => Err(serde::de::Error::custom(format!(
            "expected 0/1 or a bool, got {other}"
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_frappe_row_with_ints_numbers_and_blanks_reads_cleanly() {
        let customer: Customer = serde_json::from_value(json!({
            "name": "CUST-2024-00001",
            "customer_name": "Marie Tremblay",
            "email_id": "Marie.Tremblay@Example.CA",
            "email_billing": "",
            "cell_phone": "514 555-0147",
            "tel_home": null,
            "legacy_customer_id": 10001,
            "disabled": 0,
            "docstatus": 0,
            "owner": "Administrator"
        }))
        .unwrap();
        assert_eq!(
            customer.email_id.as_deref(),
            Some("Marie.Tremblay@Example.CA")
        );
        assert_eq!(customer.email_billing, None);
        assert_eq!(customer.tel_home, None);
        assert_eq!(customer.legacy_customer_id.as_deref(), Some("10001"));
        assert!(!customer.disabled);
        assert_eq!(customer.language, None);
    }

    #[test]
    fn disabled_accepts_one_true_and_text() {
        for value in [json!(1), json!(true), json!("1")] {
            let customer: Customer = serde_json::from_value(
                json!({"name": "C", "customer_name": "C", "disabled": value}),
            )
            .unwrap();
            assert!(customer.disabled);
        }
    }

    #[test]
    fn a_string_legacy_id_is_kept_as_is() {
        let customer: Customer = serde_json::from_value(
            json!({"name": "C", "customer_name": "C", "legacy_customer_id": "A-77"}),
        )
        .unwrap();
        assert_eq!(customer.legacy_customer_id.as_deref(), Some("A-77"));
    }

    #[test]
    fn fields_name_every_member_of_the_dto() {
        let full = serde_json::to_value(Customer {
            name: "C".into(),
            customer_name: "C".into(),
            customer_type: None,
            customer_group: None,
            territory: None,
            email_id: None,
            email_billing: None,
            mobile_no: None,
            cell_phone: None,
            tel_home: None,
            legacy_customer_id: None,
            language: None,
            disabled: false,
            customer_primary_address: None,
            primary_address: None,
            customer_primary_contact: None,
        })
        .unwrap();
        let keys: Vec<&str> = full
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = Customer::FIELDS.to_vec();
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
    }
}
