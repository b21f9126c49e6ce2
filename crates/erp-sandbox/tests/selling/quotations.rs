//! Item and Quotation: the demo catalogue and quotations, fetched billing frequencies, totals,
//! and what a submitted Quotation may still change.

use erp_sandbox::demo_quotations::{
    QUOTATION_CANCELLED, QUOTATION_DRAFT, QUOTATION_EXPIRED, QUOTATION_FIBRE_BUNDLE,
    QUOTATION_NO_FREQUENCY, QUOTATION_RECURRING_ONLY,
};
use serde_json::{Value, json};
use shared::erpnext::{
    BillingFrequency, ErpError, Item, ListQuery, Op, Quotation, QuotationStatus,
};

use crate::helpers::{erp_sandbox_taxes, spawn_app, validation_message};

#[tokio::test]
async fn the_demo_quotations_are_there_with_their_statuses() {
    let app = spawn_app().await;
    let expected = [
        (
            QUOTATION_FIBRE_BUNDLE,
            "CUST-2024-00001",
            QuotationStatus::Open,
            1,
        ),
        (
            QUOTATION_RECURRING_ONLY,
            "CUST-2024-00007",
            QuotationStatus::Open,
            1,
        ),
        (
            QUOTATION_EXPIRED,
            "CUST-2024-00002",
            QuotationStatus::Expired,
            1,
        ),
        (
            QUOTATION_CANCELLED,
            "CUST-2024-00006",
            QuotationStatus::Cancelled,
            2,
        ),
        (
            QUOTATION_NO_FREQUENCY,
            "CUST-2024-00004",
            QuotationStatus::Open,
            1,
        ),
        (
            QUOTATION_DRAFT,
            "CUST-2024-00018",
            QuotationStatus::Draft,
            0,
        ),
    ];
    for (name, customer, status, docstatus) in expected {
        let quotation = app.quotation(name).await;
        assert_eq!(quotation.party_name, customer, "{name}");
        assert_eq!(quotation.status, status, "{name}");
        assert_eq!(quotation.docstatus, docstatus, "{name}");
        assert!(quotation.contact_email.is_some(), "{name}");
    }
    let bundle = app.quotation(QUOTATION_FIBRE_BUNDLE).await;
    assert_eq!(bundle.language.as_deref(), Some("fr"));
    assert_eq!(
        (
            bundle.net_total,
            bundle.total_taxes_and_charges,
            bundle.grand_total
        ),
        (48800, 2440 + 4868, 56108)
    );
    let one_time = bundle
        .items
        .iter()
        .filter(|i| i.custom_billing_frequency == Some(BillingFrequency::OneTime))
        .count();
    assert_eq!(one_time, 2);
    let cable = app.quotation(QUOTATION_NO_FREQUENCY).await;
    let codes: Vec<(&str, Option<BillingFrequency>)> = cable
        .items
        .iter()
        .map(|i| (i.item_code.as_str(), i.custom_billing_frequency))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("FIBRE-500", Some(BillingFrequency::Monthly)),
            ("CABLE-30M", None)
        ]
    );
    assert_eq!(
        app.quotation(QUOTATION_RECURRING_ONLY).await.grand_total,
        11498
    );
}

#[tokio::test]
async fn the_catalogue_lists_items_with_their_billing_frequency() {
    let app = spawn_app().await;
    let query = ListQuery::new().fields(Item::FIELDS).filter(
        "custom_billing_frequency",
        Op::Is,
        json!("not set"),
    );
    let unknown: Vec<Item> = app.erp.list("Item", &query).await.unwrap();
    let codes: Vec<&str> = unknown.iter().map(|i| i.item_code.as_str()).collect();
    assert_eq!(codes, vec!["CABLE-30M"]);
    let static_ip: Item = app.erp.get("Item", "STATIC-IP").await.unwrap();
    assert_eq!(
        static_ip.custom_billing_frequency,
        Some(BillingFrequency::Yearly)
    );
}

#[tokio::test]
async fn saving_a_quotation_fetches_each_items_billing_frequency_and_details() {
    let app = spawn_app().await;
    let doc = json!({
        "party_name": "CUST-2024-00010",
        "items": [
            {"item_code": "FIBRE-500", "qty": 2, "custom_billing_frequency": "Yearly"},
            {"item_code": "INSTALL", "qty": 1, "rate": 49.5},
            {"item_code": "CABLE-30M", "qty": 1}
        ]
    });
    let quotation: Quotation = app.erp.create("Quotation", &doc).await.unwrap();
    assert!(
        quotation.name.starts_with("SAL-QTN-20"),
        "{}",
        quotation.name
    );
    assert_eq!(quotation.status, QuotationStatus::Draft);
    let rows: Vec<(Option<BillingFrequency>, i64, Option<&str>)> = quotation
        .items
        .iter()
        .map(|i| (i.custom_billing_frequency, i.rate, i.item_name.as_deref()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                Some(BillingFrequency::Monthly),
                7500,
                Some("Internet Fibre 500 Mbit/s")
            ),
            (Some(BillingFrequency::OneTime), 4950, Some("Installation")),
            (None, 2000, Some("Câble réseau 30 m")),
        ]
    );
    assert!(quotation.items.iter().all(|i| !i.name.is_empty()));
}

#[tokio::test]
async fn totals_and_quebec_taxes_are_computed_to_the_cent() {
    let app = spawn_app().await;
    let doc = json!({
        "party_name": "CUST-2024-00005",
        "items": [{"item_code": "FIBRE-500", "qty": 2}, {"item_code": "INSTALL", "qty": 1}],
        "taxes": erp_sandbox_taxes(),
    });
    let quotation: Quotation = app.erp.create("Quotation", &doc).await.unwrap();
    assert_eq!(quotation.items[0].amount, 15000);
    assert_eq!(quotation.net_total, 24900);
    let taxes: Vec<i64> = quotation.taxes.iter().map(|t| t.tax_amount).collect();
    assert_eq!(taxes, vec![1245, 2484]); // 24.90 × 9.975 % = 24.83775
    assert_eq!(quotation.grand_total, 28629);
    assert_eq!(quotation.currency.as_deref(), Some("CAD"));
}

#[tokio::test]
async fn an_unknown_item_or_party_is_a_link_validation_error() {
    let app = spawn_app().await;
    let doc = json!({"party_name": "CUST-2024-00001", "items": [{"item_code": "NOPE"}]});
    let err = app
        .erp
        .create::<Value>("Quotation", &doc)
        .await
        .unwrap_err();
    assert_eq!(
        validation_message(&err),
        "Could not find Row #1: Item Code: NOPE"
    );
    let doc = json!({"party_name": "CUST-1999-00001", "items": [{"item_code": "PHONE"}]});
    let err = app
        .erp
        .create::<Value>("Quotation", &doc)
        .await
        .unwrap_err();
    assert_eq!(
        validation_message(&err),
        "Could not find Party: CUST-1999-00001"
    );
}

#[tokio::test]
async fn a_submitted_quotation_takes_its_allow_on_submit_fields() {
    let app = spawn_app().await;
    let patch = json!({
        "custom_docuseal_signing_url": "http://127.0.0.1:8003/s/abc",
        "custom_docuseal_envelope_id": "42",
        "custom_quote_type": "signature",
    });
    let updated: Quotation = app
        .erp
        .update("Quotation", QUOTATION_FIBRE_BUNDLE, &patch)
        .await
        .unwrap();
    assert_eq!(updated.custom_docuseal_envelope_id.as_deref(), Some("42"));
    let reread = app.quotation(QUOTATION_FIBRE_BUNDLE).await;
    assert_eq!(reread.custom_quote_type.as_deref(), Some("signature"));
    assert_eq!(reread.status, QuotationStatus::Open);
    // The whole document sent back as read, one allowed field changed, is accepted too.
    let mut whole: Value = app
        .erp
        .get("Quotation", QUOTATION_FIBRE_BUNDLE)
        .await
        .unwrap();
    whole["custom_quote_type"] = json!("click");
    let _: Value = app
        .erp
        .update("Quotation", QUOTATION_FIBRE_BUNDLE, &whole)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_submitted_quotation_refuses_any_other_change_as_frappe_does() {
    let app = spawn_app().await;
    let response = app
        .http
        .put(format!(
            "{}/api/resource/Quotation/{QUOTATION_FIBRE_BUNDLE}",
            app.url
        ))
        .header("Authorization", app.token())
        .json(&json!({"valid_till": "2099-01-01", "custom_quote_type": "click"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 417);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["exc_type"], "UpdateAfterSubmitError");
    let messages = shared::erpnext::server_messages(body["_server_messages"].as_str().unwrap());
    assert_eq!(
        messages,
        vec!["Not allowed to change Valid Till after submission"]
    );
    let rows = json!({"items": [{"item_code": "PHONE", "qty": 1}]});
    let err = app
        .erp
        .update::<Value>("Quotation", QUOTATION_FIBRE_BUNDLE, &rows)
        .await
        .unwrap_err();
    assert!(validation_message(&err).contains("Items"), "{err:?}");
    let bad = json!({"custom_quote_type": "fax"});
    let err = app
        .erp
        .update::<Value>("Quotation", QUOTATION_FIBRE_BUNDLE, &bad)
        .await
        .unwrap_err();
    assert!(
        validation_message(&err).contains("cannot be \"fax\""),
        "{err:?}"
    );
    assert_eq!(
        app.quotation(QUOTATION_FIBRE_BUNDLE)
            .await
            .custom_quote_type,
        None
    );
}

#[tokio::test]
async fn expired_quotations_are_found_by_status() {
    let app = spawn_app().await;
    let query = ListQuery::new().filter("status", Op::Eq, json!("Expired"));
    let rows: Vec<Value> = app.erp.list("Quotation", &query).await.unwrap();
    assert_eq!(rows, vec![json!({"name": QUOTATION_EXPIRED})]);
    let err = app
        .erp
        .get::<Value>("Quotation", "SAL-QTN-1999-00001")
        .await
        .unwrap_err();
    assert!(matches!(err, ErpError::NotFound), "{err:?}");
}
