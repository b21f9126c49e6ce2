//! ERPNext `Subscription Plan` and `Subscription`: what quotation-signing creates for each
//! recurring row of an accepted quotation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::accounts::cents;
use super::dto::opt_text;

/// An ERPNext `Subscription Plan` (`name` = `plan_name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionPlan {
    /// The plan's name, also the document name.
    pub plan_name: String,
    /// The Item billed.
    pub item: String,
    /// `Fixed Rate` (or `Based On Price List`, `Monthly Rate`).
    pub price_determination: String,
    /// Price per interval, in cents (Fixed Rate).
    #[serde(default, with = "cents")]
    pub cost: i64,
    /// ISO currency.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub currency: Option<String>,
    /// `Day`, `Week`, `Month` or `Year`.
    pub billing_interval: String,
    /// How many intervals per billing (3 months for quarterly).
    pub billing_interval_count: u32,
}

impl SubscriptionPlan {
    /// The fields to request in a list call so every field of this DTO is filled.
    pub const FIELDS: &'static [&'static str] = &[
        "plan_name",
        "item",
        "price_determination",
        "cost",
        "currency",
        "billing_interval",
        "billing_interval_count",
    ];
}

/// An ERPNext `Subscription` of a customer. Serialised for a `create`, `None` fields are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Document name (`ACC-SUB-2026-00001`); `None` to let the naming series pick it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Customer`.
    pub party_type: String,
    /// The Customer's name.
    pub party: String,
    /// First day billed.
    pub start_date: NaiveDate,
    /// `Active`, `Trialing`, `Cancelled`, ... (set by ERPNext).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub status: Option<String>,
    /// The plans billed (one billing cycle per Subscription).
    pub plans: Vec<SubscriptionPlanDetail>,
    /// Custom: the Quotation it comes from.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub custom_quotation: Option<String>,
    /// Custom: the Quotation Item row it bills (how a retry finds it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub custom_quotation_item: Option<String>,
}

impl Subscription {
    /// The fields to request in a list call for the parent fields of this DTO (not `plans`).
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "party_type",
        "party",
        "start_date",
        "status",
        "custom_quotation",
        "custom_quotation_item",
    ];
}

/// A row of `Subscription Plan Detail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionPlanDetail {
    /// The Subscription Plan's name.
    pub plan: String,
    /// Quantity.
    pub qty: u32,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_subscription_leaves_out_what_is_unset() {
        let subscription = Subscription {
            name: None,
            party_type: "Customer".into(),
            party: "CUST-2024-00001".into(),
            start_date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            status: None,
            plans: vec![SubscriptionPlanDetail {
                plan: "FIBRE-1G".into(),
                qty: 1,
            }],
            custom_quotation: Some("SAL-QTN-2026-00001".into()),
            custom_quotation_item: None,
        };
        let value = serde_json::to_value(&subscription).unwrap();
        assert!(value.get("name").is_none() && value.get("status").is_none());
        assert_eq!(value["start_date"], "2026-12-07");
    }
}
