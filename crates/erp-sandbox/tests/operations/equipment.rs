//! Equipment and Service Location: the demo data, and equipment found by serial number,
//! barcode and MAC address (typed in any of several formats).

use erp_sandbox::demo_equipment::{
    EQUIPMENT_ROWS, LOCATION_MARIE, LOCATIONS, ONT_EMILY, ONT_EMILY_MAC, ONT_MARIE,
    ONT_MARIE_BARCODE, ONT_MARIE_GPON, ONT_MARIE_MAC, ONT_MARIE_SERIAL, ONT_STOCK_NOKIA,
    ONT_STOCK_NOKIA_SERIAL, ROUTER_MARIE, ROUTER_MARIE_MAC, STOCK_WAREHOUSE,
};
use serde_json::{Value, json};
use shared::erpnext::{Equipment, EquipmentStatus, EquipmentType, ListQuery, Op, ServiceLocation};

use crate::helpers::{TestApp, exception, spawn_app};

impl TestApp {
    async fn equipment_where(&self, field: &str, op: Op, value: Value) -> Vec<Equipment> {
        self.erp
            .list(
                "Equipment",
                &ListQuery::new()
                    .fields(Equipment::FIELDS)
                    .filter(field, op, value)
                    .order_by("name asc")
                    .limit(0),
            )
            .await
            .unwrap()
    }
}

/// The ways staff type one MAC address, as a client looking a label up would try them.
fn mac_variants(mac: &str) -> Vec<String> {
    let hex: String = mac.chars().filter(char::is_ascii_hexdigit).collect();
    let mut variants = Vec::new();
    for hex in [hex.to_uppercase(), hex.to_lowercase()] {
        let pairs: Vec<&str> = (0..12).step_by(2).map(|i| &hex[i..i + 2]).collect();
        let quads: Vec<&str> = (0..12).step_by(4).map(|i| &hex[i..i + 4]).collect();
        variants.extend([
            pairs.join(":"),
            pairs.join("-"),
            quads.join("."),
            hex.clone(),
        ]);
    }
    variants
}

#[tokio::test]
async fn the_demo_locations_and_equipment_are_there() {
    let app = spawn_app().await;
    let locations: Vec<ServiceLocation> = app
        .erp
        .list(
            "Service Location",
            // The customers' locations; the dispatch day's come after them.
            &ListQuery::new()
                .fields(ServiceLocation::FIELDS)
                .filter("customer", Op::Is, json!("set"))
                .order_by("name asc")
                .limit(0),
        )
        .await
        .unwrap();
    assert_eq!(locations.len(), LOCATIONS.len());
    let marie = &locations[0];
    assert_eq!(marie.name.as_deref(), Some(LOCATION_MARIE));
    assert_eq!(marie.customer_name.as_deref(), Some("Marie Tremblay"));
    assert_eq!(marie.city.as_deref(), Some("Montréal"));
    assert_eq!(marie.postal_code.as_deref(), Some("H2L 1L9"));
    assert_eq!(
        (marie.latitude, marie.longitude),
        (Some(45.5246), Some(-73.5663))
    );
    assert!(
        locations
            .iter()
            .all(|l| l.status.as_deref() == Some("Active"))
    );

    let equipment = app.equipment_where("name", Op::Like, json!("EQ-%")).await;
    assert_eq!(equipment.len(), EQUIPMENT_ROWS.len());
    let in_stock: Vec<&str> = equipment
        .iter()
        .filter(|e| e.status == EquipmentStatus::InStock)
        .map(|e| e.warehouse.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(in_stock, vec![STOCK_WAREHOUSE; 3]);
    assert!(
        equipment
            .iter()
            .filter(|e| e.status == EquipmentStatus::Installed)
            .all(|e| e.customer.is_some() && e.service_location.is_some())
    );
}

#[tokio::test]
async fn equipment_is_found_by_serial_number_and_by_barcode() {
    let app = spawn_app().await;
    let by_serial = app
        .equipment_where("serial_no", Op::Eq, json!(ONT_MARIE_SERIAL))
        .await;
    assert_eq!(by_serial.len(), 1);
    let ont = &by_serial[0];
    assert_eq!(ont.name.as_deref(), Some(ONT_MARIE));
    assert_eq!(ont.equipment_type, EquipmentType::Ont);
    assert_eq!(ont.status, EquipmentStatus::Installed);
    assert_eq!(ont.gpon_serial.as_deref(), Some(ONT_MARIE_GPON));
    assert_eq!(ont.customer_name.as_deref(), Some("Marie Tremblay"));
    assert_eq!(ont.service_location.as_deref(), Some(LOCATION_MARIE));

    let by_barcode = app
        .equipment_where("barcode", Op::Eq, json!(ONT_MARIE_BARCODE))
        .await;
    assert_eq!(by_barcode, by_serial);

    let stock = app
        .equipment_where("serial_no", Op::Eq, json!(ONT_STOCK_NOKIA_SERIAL))
        .await;
    assert_eq!(stock[0].name.as_deref(), Some(ONT_STOCK_NOKIA));
    assert_eq!(stock[0].customer, None);
}

#[tokio::test]
async fn equipment_is_found_by_mac_address_with_an_in_filter_of_its_typed_forms() {
    let app = spawn_app().await;
    // A label reads `00:1a:2b:3c:4d:60`; staff typed `001A2B3C4D60`.
    let read_off_a_label = "00:1a:2b:3c:4d:60";
    let found = app
        .equipment_where("mac_address", Op::In, json!(mac_variants(read_off_a_label)))
        .await;
    let names: Vec<Option<&str>> = found.iter().map(|e| e.name.as_deref()).collect();
    assert_eq!(names, vec![Some(ONT_EMILY)]);
    assert_eq!(found[0].mac_address.as_deref(), Some(ONT_EMILY_MAC));

    let marie = app
        .equipment_where(
            "mac_address",
            Op::In,
            json!([ONT_MARIE_MAC, ROUTER_MARIE_MAC, "ff:ff:ff:ff:ff:ff"]),
        )
        .await;
    let names: Vec<Option<&str>> = marie.iter().map(|e| e.name.as_deref()).collect();
    assert_eq!(names, vec![Some(ONT_MARIE), Some(ROUTER_MARIE)]);
}

#[tokio::test]
async fn new_equipment_is_checked_like_its_frappe_definition() {
    let app = spawn_app().await;
    let created: Equipment = app
        .erp
        .create(
            "Equipment",
            &json!({"equipment_type": "ONT", "brand": "Nokia", "serial_no": "NK2410009999",
                    "mac_address": "00:1A:2B:3C:4D:99"}),
        )
        .await
        .unwrap();
    assert!(created.name.unwrap().starts_with("EQ-"));
    assert_eq!(created.status, EquipmentStatus::InStock);

    for (doc, expected) in [
        (
            json!({"equipment_type": "ONT", "serial_no": ONT_MARIE_SERIAL}),
            ("UniqueValidationError", "Serial No must be unique".to_owned()),
        ),
        (
            json!({"equipment_type": "Modem"}),
            (
                "ValidationError",
                "Equipment Type cannot be \"Modem\". It should be one of \"ONT\", \"Router\", \"Set-top box\", \"Switch\", \"SFP\"".to_owned(),
            ),
        ),
        (
            json!({"equipment_type": "ONT", "service_location": "LOC-1999-00001"}),
            (
                "LinkValidationError",
                "Could not find Service Location: LOC-1999-00001".to_owned(),
            ),
        ),
        (
            json!({"equipment_type": "ONT", "customer": "CUST-1999-00001"}),
            (
                "LinkValidationError",
                "Could not find Customer: CUST-1999-00001".to_owned(),
            ),
        ),
        (
            json!({"brand": "Nokia"}),
            ("MandatoryError", "Equipment Type is required".to_owned()),
        ),
    ] {
        let (status, body) = app.post("Equipment", &doc).await;
        assert_eq!(status, 417, "{doc}");
        let (exc_type, message) = exception(&body);
        assert_eq!((exc_type.as_str(), message), expected);
    }
}

#[tokio::test]
async fn a_new_service_location_fetches_its_customers_name() {
    let app = spawn_app().await;
    let location = ServiceLocation {
        name: None,
        location_name: "Minh Nguyen — 400 rue Notre-Dame Ouest".to_owned(),
        customer: Some("CUST-2024-00008".to_owned()),
        customer_name: None,
        address_line1: Some("400 rue Notre-Dame Ouest".to_owned()),
        city: Some("Montréal".to_owned()),
        postal_code: Some("H2Y 1V3".to_owned()),
        latitude: Some(45.5030),
        longitude: Some(-73.5590),
        status: None,
    };
    let created: ServiceLocation = app
        .erp
        .create(
            "Service Location",
            &serde_json::to_value(&location).unwrap(),
        )
        .await
        .unwrap();
    assert!(created.name.as_deref().unwrap().starts_with("LOC-"));
    assert_eq!(created.customer_name.as_deref(), Some("Minh Nguyen"));
    assert_eq!(created.status.as_deref(), Some("Active"));
}
