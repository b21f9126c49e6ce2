//! Subscription Plan and Subscription: the demo plans, Link validation, one billing cycle.

use chrono::NaiveDate;
use erp_sandbox::demo_quotations::QUOTATION_FIBRE_BUNDLE;
use serde_json::{Value, json};
use shared::erpnext::{
    ErpError, ListQuery, Op, Subscription, SubscriptionPlan, SubscriptionPlanDetail,
};

use crate::helpers::{spawn_app, validation_message};

#[tokio::test]
async fn every_recurring_item_has_a_plan_of_its_cycle() {
    let app = spawn_app().await;
    let query = ListQuery::new()
        .fields(SubscriptionPlan::FIELDS)
        .order_by("plan_name asc");
    let plans: Vec<SubscriptionPlan> = app.erp.list("Subscription Plan", &query).await.unwrap();
    let cycles: Vec<(&str, &str, u32, i64)> = plans
        .iter()
        .map(|p| {
            (
                p.plan_name.as_str(),
                p.billing_interval.as_str(),
                p.billing_interval_count,
                p.cost,
            )
        })
        .collect();
    assert_eq!(
        cycles,
        vec![
            ("FIBRE-1G", "Month", 1, 9500),
            ("FIBRE-500", "Month", 1, 7500),
            ("PHONE", "Month", 1, 2500),
            ("SECURITE-NET", "Month", 3, 2997),
            ("STATIC-IP", "Year", 1, 6000),
            ("TV-BASE", "Month", 1, 3500),
        ]
    );
}

#[tokio::test]
async fn a_plan_must_name_an_existing_item_and_a_known_interval() {
    let app = spawn_app().await;
    let plan = |item: &str, interval: &str| {
        json!({"plan_name": format!("{item} test"), "item": item, "price_determination": "Fixed Rate",
               "cost": 10, "billing_interval": interval, "billing_interval_count": 1})
    };
    let err = app
        .erp
        .create::<Value>("Subscription Plan", &plan("NOPE", "Month"))
        .await
        .unwrap_err();
    assert_eq!(validation_message(&err), "Could not find Item: NOPE");
    let err = app
        .erp
        .create::<Value>("Subscription Plan", &plan("PHONE", "Quarter"))
        .await
        .unwrap_err();
    assert!(validation_message(&err).starts_with("Billing Interval cannot be \"Quarter\""));
    let created: SubscriptionPlan = app
        .erp
        .create("Subscription Plan", &plan("PHONE", "Month"))
        .await
        .unwrap();
    assert_eq!(created.plan_name, "PHONE test");
    let again = app
        .erp
        .create::<Value>("Subscription Plan", &plan("PHONE", "Month"))
        .await;
    assert!(matches!(again, Err(ErpError::Conflict)), "{again:?}");
}

fn subscription(plans: &[&str], quotation_item: &str) -> Subscription {
    Subscription {
        name: None,
        party_type: "Customer".into(),
        party: "CUST-2024-00001".into(),
        start_date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        status: None,
        plans: plans
            .iter()
            .map(|p| SubscriptionPlanDetail {
                plan: (*p).into(),
                qty: 1,
            })
            .collect(),
        custom_quotation: Some(QUOTATION_FIBRE_BUNDLE.into()),
        custom_quotation_item: Some(quotation_item.into()),
    }
}

#[tokio::test]
async fn a_subscription_checks_its_plans_and_is_found_by_its_quotation_item() {
    let app = spawn_app().await;
    let body = |s: &Subscription| serde_json::to_value(s).unwrap();
    let err = app
        .erp
        .create::<Value>("Subscription", &body(&subscription(&["NOPE"], "row1")))
        .await
        .unwrap_err();
    assert_eq!(
        validation_message(&err),
        "Could not find Row #1: Plan: NOPE"
    );
    let err = app
        .erp
        .create::<Value>(
            "Subscription",
            &body(&subscription(&["FIBRE-1G", "STATIC-IP"], "row1")),
        )
        .await
        .unwrap_err();
    assert!(
        validation_message(&err).contains("same billing cycle"),
        "{err:?}"
    );
    let created: Subscription = app
        .erp
        .create("Subscription", &body(&subscription(&["FIBRE-1G"], "row1")))
        .await
        .unwrap();
    assert!(created.name.as_deref().unwrap().starts_with("ACC-SUB-20"));
    assert_eq!(created.status.as_deref(), Some("Active"));
    let query = ListQuery::new().fields(Subscription::FIELDS).filter(
        "custom_quotation_item",
        Op::Eq,
        json!("row1"),
    );
    let found: Vec<Value> = app.erp.list("Subscription", &query).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["name"], json!(created.name));
}
