//! The demo Service Locations and Equipment: one location for each fixture customer with an
//! address (`LOC-2026-00001` … `00011`, in customer order, at the town's coordinates), and twelve
//! pieces of equipment: ONTs with their GPON serials, a router, a set-top box and a switch
//! installed at customers' locations, two ONTs and an SFP in stock, a defective ONT. MAC addresses
//! are stored as staff typed them, in varied formats (`00:1A:2B:3C:4D:5E`, `00-1a-2b-3c-4d-5f`,
//! `001A2B3C4D60`, `001a.2b3c.4d62`), as a client matching a label must expect.

use serde_json::{Map, Value, json};

use crate::demo_suppliers::standard;
use crate::operations_doctypes::{EQUIPMENT, SERVICE_LOCATION};
use crate::store::Store;

/// Marie Tremblay's location (`CUST-2024-00001`, 1200 rue Sherbrooke Est, Montréal).
pub const LOCATION_MARIE: &str = "LOC-2026-00001";
/// Jean Gagnon's location (`CUST-2024-00002`, 45 rue des Érables, Laval).
pub const LOCATION_JEAN_GAGNON: &str = "LOC-2026-00002";
/// Sophie Gagnon's location (`CUST-2024-00003`, the same address as Jean's).
pub const LOCATION_SOPHIE_GAGNON: &str = "LOC-2026-00003";
/// Luc Côté's location (`CUST-2024-00004`, Gatineau).
pub const LOCATION_LUC: &str = "LOC-2026-00004";
/// Patrick O'Brien's location (`CUST-2024-00006`, Pointe-Claire).
pub const LOCATION_PATRICK: &str = "LOC-2026-00006";
/// Emily Smith's location (`CUST-2024-00007`, 2020 Sherbrooke St W, Montreal).
pub const LOCATION_EMILY: &str = "LOC-2026-00007";
/// Dépanneur Côté & Fils inc.'s location (`CUST-2024-00022`, Granby).
pub const LOCATION_DEPANNEUR: &str = "LOC-2026-00011";

/// The warehouse of the equipment in stock.
pub const STOCK_WAREHOUSE: &str = "Entrepôt Montréal - GF";
/// The warehouse of returned and defective equipment.
pub const RETURNS_WAREHOUSE: &str = "Retours - GF";

/// Marie Tremblay's ONT (Nokia G-010G-Q, installed).
pub const ONT_MARIE: &str = "EQ-2026-00001";
/// Its `serial_no`.
pub const ONT_MARIE_SERIAL: &str = "NK2410000147";
/// Its `barcode` (Gigafibre's asset tag).
pub const ONT_MARIE_BARCODE: &str = "GF-000147";
/// Its `mac_address`, colon-separated upper case.
pub const ONT_MARIE_MAC: &str = "00:1A:2B:3C:4D:5E";
/// Its `gpon_serial`.
pub const ONT_MARIE_GPON: &str = "ALCLB2C3D401";
/// Marie Tremblay's Wi-Fi 7 router (installed).
pub const ROUTER_MARIE: &str = "EQ-2026-00002";
/// Its `mac_address`, dash-separated lower case.
pub const ROUTER_MARIE_MAC: &str = "00-1a-2b-3c-4d-5f";
/// Emily Smith's ONT (installed).
pub const ONT_EMILY: &str = "EQ-2026-00003";
/// Its `mac_address`, bare upper-case hex.
pub const ONT_EMILY_MAC: &str = "001A2B3C4D60";
/// Its `gpon_serial`.
pub const ONT_EMILY_GPON: &str = "ALCLB2C3D402";
/// The Gagnons' ONT (Huawei, installed at Jean's location).
pub const ONT_GAGNON: &str = "EQ-2026-00004";
/// Luc Côté's ONT (ZTE, installed).
pub const ONT_LUC: &str = "EQ-2026-00005";
/// Its `mac_address`, Cisco's dotted form.
pub const ONT_LUC_MAC: &str = "001a.2b3c.4d62";
/// Patrick O'Brien's set-top box (installed; no GPON serial).
pub const STB_PATRICK: &str = "EQ-2026-00006";
/// The Dépanneur's ONT (Nokia XGS-PON, installed).
pub const ONT_DEPANNEUR: &str = "EQ-2026-00007";
/// The Dépanneur's PoE switch (installed).
pub const SWITCH_DEPANNEUR: &str = "EQ-2026-00008";
/// An ONT in stock (Nokia).
pub const ONT_STOCK_NOKIA: &str = "EQ-2026-00009";
/// Its `serial_no`.
pub const ONT_STOCK_NOKIA_SERIAL: &str = "NK2410000155";
/// Its `gpon_serial`.
pub const ONT_STOCK_NOKIA_GPON: &str = "ALCLB2C3D408";
/// An ONT in stock (Huawei).
pub const ONT_STOCK_HUAWEI: &str = "EQ-2026-00010";
/// An SFP in stock (no MAC, no GPON serial).
pub const SFP_STOCK: &str = "EQ-2026-00011";
/// A defective ONT back in the returns warehouse.
pub const ONT_DEFECTIVE: &str = "EQ-2026-00012";

/// One demo Service Location.
#[derive(Debug, Clone, Copy)]
pub struct DemoLocation {
    /// Document name.
    pub name: &'static str,
    /// The Customer.
    pub customer: &'static str,
    /// `location_name`.
    pub location_name: &'static str,
    /// `address_line1`.
    pub address_line1: &'static str,
    /// `city`.
    pub city: &'static str,
    /// `postal_code`.
    pub postal_code: &'static str,
    /// `latitude`, `longitude`.
    pub coordinates: (f64, f64),
}

/// The demo Service Locations, in name order.
#[rustfmt::skip]
pub const LOCATIONS: &[DemoLocation] = &[
    location(LOCATION_MARIE, "CUST-2024-00001", "Marie Tremblay", "1200 rue Sherbrooke Est", "Montréal", "H2L 1L9", (45.5246, -73.5663)),
    location(LOCATION_JEAN_GAGNON, "CUST-2024-00002", "Jean Gagnon", "45 rue des Érables", "Laval", "H7N 2K4", (45.5561, -73.7052)),
    location(LOCATION_SOPHIE_GAGNON, "CUST-2024-00003", "Sophie Gagnon", "45 rue des Érables", "Laval", "H7N 2K4", (45.5561, -73.7052)),
    location(LOCATION_LUC, "CUST-2024-00004", "Luc Côté", "88 boul. Saint-Joseph", "Gatineau", "J8Y 3W8", (45.4427, -75.7337)),
    location("LOC-2026-00005", "CUST-2024-00005", "Isabelle Bouchard", "300 rue Saint-Jean", "Québec", "G1R 1P2", (46.8107, -71.2166)),
    location(LOCATION_PATRICK, "CUST-2024-00006", "Patrick O'Brien", "17 Maple Ave", "Pointe-Claire", "H9R 3J4", (45.4487, -73.8167)),
    location(LOCATION_EMILY, "CUST-2024-00007", "Emily Smith", "2020 Sherbrooke St W", "Montreal", "H3H 1G8", (45.4962, -73.5797)),
    location("LOC-2026-00008", "CUST-2024-00009", "Chantal Lévesque", "9 rue du Moulin", "Rimouski", "G5L 1A1", (48.4489, -68.5237)),
    location("LOC-2026-00009", "CUST-2024-00011", "Nathalie Gauthier", "12 chemin du Lac", "Sherbrooke", "J1H 4B2", (45.4010, -71.8929)),
    location("LOC-2026-00010", "CUST-2024-00015", "Amélie Fortin", "55 av. Cartier", "Québec", "G1R 2S7", (46.8052, -71.2237)),
    location(LOCATION_DEPANNEUR, "CUST-2024-00022", "Dépanneur Côté & Fils inc.", "200 rue Principale", "Granby", "J2G 2V3", (45.4004, -72.7324)),
];

const fn location(
    name: &'static str,
    customer: &'static str,
    location_name: &'static str,
    address_line1: &'static str,
    city: &'static str,
    postal_code: &'static str,
    coordinates: (f64, f64),
) -> DemoLocation {
    DemoLocation {
        name,
        customer,
        location_name,
        address_line1,
        city,
        postal_code,
        coordinates,
    }
}

/// One demo Equipment; blank texts are stored as absent.
#[derive(Debug, Clone, Copy)]
pub struct DemoEquipment {
    /// Document name.
    pub name: &'static str,
    /// `equipment_type`.
    pub equipment_type: &'static str,
    /// `brand`.
    pub brand: &'static str,
    /// `model`.
    pub model: &'static str,
    /// `serial_no`.
    pub serial_no: &'static str,
    /// `barcode`.
    pub barcode: &'static str,
    /// `mac_address`, as typed.
    pub mac_address: &'static str,
    /// `gpon_serial`.
    pub gpon_serial: &'static str,
    /// `status`.
    pub status: &'static str,
    /// `customer`.
    pub customer: &'static str,
    /// `service_location`.
    pub service_location: &'static str,
    /// `warehouse`.
    pub warehouse: &'static str,
}

/// The demo Equipment, in name order.
#[rustfmt::skip]
pub const EQUIPMENT_ROWS: &[DemoEquipment] = &[
    installed(ONT_MARIE, "ONT", ("Nokia", "G-010G-Q"), (ONT_MARIE_SERIAL, ONT_MARIE_BARCODE), (ONT_MARIE_MAC, ONT_MARIE_GPON), ("CUST-2024-00001", LOCATION_MARIE)),
    installed(ROUTER_MARIE, "Router", ("TP-Link", "Archer BE800"), ("22436G1000148", "GF-000148"), (ROUTER_MARIE_MAC, ""), ("CUST-2024-00001", LOCATION_MARIE)),
    installed(ONT_EMILY, "ONT", ("Nokia", "G-010G-Q"), ("NK2410000149", "GF-000149"), (ONT_EMILY_MAC, ONT_EMILY_GPON), ("CUST-2024-00007", LOCATION_EMILY)),
    installed(ONT_GAGNON, "ONT", ("Huawei", "HG8010H"), ("4857544310A1", "GF-000150"), ("00:1a:2b:3c:4d:61", "HWTC1A2B3C04"), ("CUST-2024-00002", LOCATION_JEAN_GAGNON)),
    installed(ONT_LUC, "ONT", ("ZTE", "F601"), ("ZTE6010000151", "GF-000151"), (ONT_LUC_MAC, "ZTEG12345605"), ("CUST-2024-00004", LOCATION_LUC)),
    installed(STB_PATRICK, "Set-top box", ("Arris", "VIP5662W"), ("ARV5662W0152", "GF-000152"), ("00:1A:2B:3C:4D:63", ""), ("CUST-2024-00006", LOCATION_PATRICK)),
    installed(ONT_DEPANNEUR, "ONT", ("Nokia", "XS-010X-Q"), ("NK2410000153", "GF-000153"), ("00:1A:2B:3C:4D:64", "ALCLB2C3D407"), ("CUST-2024-00022", LOCATION_DEPANNEUR)),
    installed(SWITCH_DEPANNEUR, "Switch", ("Ubiquiti", "USW-Lite-8-PoE"), ("UBNT78450154", "GF-000154"), ("00:1A:2B:3C:4D:67", ""), ("CUST-2024-00022", LOCATION_DEPANNEUR)),
    stored(ONT_STOCK_NOKIA, "ONT", ("Nokia", "G-010G-Q"), (ONT_STOCK_NOKIA_SERIAL, "GF-000155"), ("00:1A:2B:3C:4D:65", ONT_STOCK_NOKIA_GPON), ("In Stock", STOCK_WAREHOUSE)),
    stored(ONT_STOCK_HUAWEI, "ONT", ("Huawei", "HG8010H"), ("4857544310B2", "GF-000156"), ("00-1A-2B-3C-4D-66", "HWTC1A2B3C09"), ("In Stock", STOCK_WAREHOUSE)),
    stored(SFP_STOCK, "SFP", ("FS", "GPON-OLT-C++"), ("FS2411SFP0157", "GF-000157"), ("", ""), ("In Stock", STOCK_WAREHOUSE)),
    stored(ONT_DEFECTIVE, "ONT", ("ZTE", "F601"), ("ZTE6010000158", "GF-000158"), ("00:1A:2B:3C:4D:68", "ZTEG12345612"), ("Defective", RETURNS_WAREHOUSE)),
];

const fn installed(
    name: &'static str,
    equipment_type: &'static str,
    (brand, model): (&'static str, &'static str),
    (serial_no, barcode): (&'static str, &'static str),
    (mac_address, gpon_serial): (&'static str, &'static str),
    (customer, service_location): (&'static str, &'static str),
) -> DemoEquipment {
    DemoEquipment {
        name,
        equipment_type,
        brand,
        model,
        serial_no,
        barcode,
        mac_address,
        gpon_serial,
        status: "Installed",
        customer,
        service_location,
        warehouse: "",
    }
}

const fn stored(
    name: &'static str,
    equipment_type: &'static str,
    (brand, model): (&'static str, &'static str),
    (serial_no, barcode): (&'static str, &'static str),
    (mac_address, gpon_serial): (&'static str, &'static str),
    (status, warehouse): (&'static str, &'static str),
) -> DemoEquipment {
    DemoEquipment {
        name,
        equipment_type,
        brand,
        model,
        serial_no,
        barcode,
        mac_address,
        gpon_serial,
        status,
        customer: "",
        service_location: "",
        warehouse,
    }
}

/// Stores the locations of the customers present, then the equipment (an installed piece only
/// when its location was stored).
pub async fn seed(store: &Store) -> anyhow::Result<()> {
    let stamp = "2024-06-01 10:00:00.000000";
    for demo in LOCATIONS {
        if store
            .find_by_name("Customer", demo.customer)
            .await?
            .is_none()
        {
            continue;
        }
        let mut doc = Map::new();
        doc.insert("name".to_owned(), json!(demo.name));
        doc.insert(
            "location_name".to_owned(),
            json!(format!("{} — {}", demo.location_name, demo.address_line1)),
        );
        doc.insert("customer".to_owned(), json!(demo.customer));
        doc.insert("address_line1".to_owned(), json!(demo.address_line1));
        doc.insert("city".to_owned(), json!(demo.city));
        doc.insert("postal_code".to_owned(), json!(demo.postal_code));
        doc.insert("latitude".to_owned(), json!(demo.coordinates.0));
        doc.insert("longitude".to_owned(), json!(demo.coordinates.1));
        doc.insert("status".to_owned(), json!("Active"));
        standard(&mut doc, SERVICE_LOCATION, stamp, 0);
        crate::equipment::validate_location(store, &mut doc).await?;
        store.create(SERVICE_LOCATION, &Value::Object(doc)).await?;
    }
    for demo in EQUIPMENT_ROWS {
        let located = demo.service_location.is_empty()
            || store
                .find_by_name(SERVICE_LOCATION, demo.service_location)
                .await?
                .is_some();
        if !located {
            continue;
        }
        let mut doc = Map::new();
        doc.insert("name".to_owned(), json!(demo.name));
        for (field, value) in [
            ("equipment_type", demo.equipment_type),
            ("brand", demo.brand),
            ("model", demo.model),
            ("serial_no", demo.serial_no),
            ("barcode", demo.barcode),
            ("mac_address", demo.mac_address),
            ("gpon_serial", demo.gpon_serial),
            ("status", demo.status),
            ("customer", demo.customer),
            ("service_location", demo.service_location),
            ("warehouse", demo.warehouse),
        ] {
            let value = if value.is_empty() {
                Value::Null
            } else {
                json!(value)
            };
            doc.insert(field.to_owned(), value);
        }
        standard(&mut doc, EQUIPMENT, stamp, 0);
        crate::equipment::validate_equipment(store, &mut doc).await?;
        store.create(EQUIPMENT, &Value::Object(doc)).await?;
    }
    Ok(())
}
