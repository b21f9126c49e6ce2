//! Supplier: the demo suppliers, found by their tax numbers, named by their name.

use erp_sandbox::demo_suppliers::{
    CABLAGE_LAURENTIDES, CABLAGE_LAURENTIDES_QST, CABLAGE_LAURENTIDES_TAX_ID, FIBRES_BOREAL,
    NORTHERN_NETWORK, NORTHERN_NETWORK_TAX_ID, TELECOM_OUTAOUAIS,
};
use serde_json::json;
use shared::erpnext::{ErpError, ListQuery, Op, Supplier};

use crate::helpers::{exception, spawn_app};

#[tokio::test]
async fn the_demo_suppliers_are_there_with_their_tax_numbers() {
    let app = spawn_app().await;
    let suppliers: Vec<Supplier> = app
        .erp
        .list(
            "Supplier",
            &ListQuery::new()
                .fields(Supplier::FIELDS)
                .order_by("name asc")
                .limit(0),
        )
        .await
        .unwrap();
    let names: Vec<&str> = suppliers.iter().map(|s| s.supplier_name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            CABLAGE_LAURENTIDES,
            TELECOM_OUTAOUAIS,
            FIBRES_BOREAL,
            NORTHERN_NETWORK
        ]
    );
    assert!(suppliers.iter().all(|s| s.tax_id.is_some() && !s.disabled));
    let without_qst: Vec<&str> = suppliers
        .iter()
        .filter(|s| s.custom_qst_number.is_none())
        .map(|s| s.supplier_name.as_str())
        .collect();
    assert_eq!(without_qst, vec![NORTHERN_NETWORK]);
}

#[tokio::test]
async fn a_supplier_is_found_by_its_gst_number() {
    let app = spawn_app().await;
    let found: Vec<Supplier> = app
        .erp
        .list(
            "Supplier",
            &ListQuery::new().fields(Supplier::FIELDS).filter(
                "tax_id",
                Op::Eq,
                json!(CABLAGE_LAURENTIDES_TAX_ID),
            ),
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name.as_deref(), Some(CABLAGE_LAURENTIDES));
    assert_eq!(
        found[0].custom_qst_number.as_deref(),
        Some(CABLAGE_LAURENTIDES_QST)
    );

    let ontario: Vec<Supplier> = app
        .erp
        .list(
            "Supplier",
            &ListQuery::new().fields(Supplier::FIELDS).filter(
                "tax_id",
                Op::Like,
                json!("345678912%"),
            ),
        )
        .await
        .unwrap();
    assert_eq!(ontario[0].tax_id.as_deref(), Some(NORTHERN_NETWORK_TAX_ID));
}

#[tokio::test]
async fn a_new_supplier_is_named_by_its_name_and_only_once() {
    let app = spawn_app().await;
    let supplier = Supplier {
        name: None,
        supplier_name: "Quincaillerie Saint-Laurent".to_owned(),
        supplier_group: None,
        supplier_type: None,
        country: Some("Canada".to_owned()),
        default_currency: None,
        tax_id: Some("567891234 RT0001".to_owned()),
        custom_qst_number: Some("5678912345 TQ0001".to_owned()),
        disabled: false,
    };
    let created: Supplier = app
        .erp
        .create("Supplier", &serde_json::to_value(&supplier).unwrap())
        .await
        .unwrap();
    assert_eq!(created.name.as_deref(), Some("Quincaillerie Saint-Laurent"));
    assert_eq!(created.supplier_type.as_deref(), Some("Company"));
    let again = app
        .erp
        .create::<Supplier>("Supplier", &serde_json::to_value(&supplier).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(again, ErpError::Conflict), "{again:?}");

    let (status, body) = app
        .post(
            "Supplier",
            &json!({"supplier_name": "X", "supplier_type": "Cooperative"}),
        )
        .await;
    assert_eq!(
        (status, exception(&body).0.as_str()),
        (417, "ValidationError")
    );
}

#[tokio::test]
async fn a_disabled_supplier_cannot_be_invoiced() {
    let app = spawn_app().await;
    let _: Supplier = app
        .erp
        .update("Supplier", TELECOM_OUTAOUAIS, &json!({"disabled": 1}))
        .await
        .unwrap();
    let invoice = serde_json::to_value(crate::helpers::draft(TELECOM_OUTAOUAIS, "DTO-1")).unwrap();
    let (status, body) = app.post("Purchase Invoice", &invoice).await;
    assert_eq!(status, 417);
    assert_eq!(
        exception(&body),
        (
            "PartyDisabled".to_owned(),
            format!("Supplier {TELECOM_OUTAOUAIS} is disabled")
        )
    );
}
