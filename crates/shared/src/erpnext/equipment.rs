//! Gigafibre's custom doctypes for field operations: `Equipment` (the ONT, router, set-top box,
//! switch or SFP at a customer's, or in a warehouse) and `Service Location` (where a customer is
//! served), as vision-ocr (equipment labels) and dispatch read and write them.
//!
//! Serialised for a `create`, the `None` fields are left out; blank texts read as `None`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::dto::opt_text;

/// The Select `equipment_type` of Equipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EquipmentType {
    /// Optical network terminal (carries a GPON serial).
    #[serde(rename = "ONT")]
    Ont,
    /// Wi-Fi router.
    Router,
    /// TV set-top box.
    #[serde(rename = "Set-top box")]
    SetTopBox,
    /// Ethernet switch.
    Switch,
    /// Optical transceiver.
    #[serde(rename = "SFP")]
    Sfp,
}

/// The Select `status` of Equipment; `In Stock` is the doctype's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EquipmentStatus {
    /// In a warehouse, ready to install.
    #[default]
    #[serde(rename = "In Stock")]
    InStock,
    /// At a customer's service location.
    Installed,
    /// Back from a customer.
    Returned,
    /// Out of service.
    Defective,
}

/// A Gigafibre `Equipment` (`EQ-2026-00001`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Equipment {
    /// Document name; `None` to let the naming series pick it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ONT, Router, Set-top box, Switch or SFP.
    pub equipment_type: EquipmentType,
    /// Maker (`Nokia`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub brand: Option<String>,
    /// Model (`G-010G-Q`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub model: Option<String>,
    /// The maker's serial number (unique among Equipment).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub serial_no: Option<String>,
    /// Gigafibre's asset-tag barcode (`GF-000147`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub barcode: Option<String>,
    /// MAC address as staff typed it: `00:1A:2B:3C:4D:5E`, `00-1a-2b-3c-4d-5f`,
    /// `001A2B3C4D60`, `001a.2b3c.4d62` all occur; compare normalised.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub mac_address: Option<String>,
    /// The ONT's GPON serial (`ALCLB2C3D401`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub gpon_serial: Option<String>,
    /// In Stock, Installed, Returned or Defective.
    #[serde(default)]
    pub status: EquipmentStatus,
    /// The Customer it is installed at.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub customer: Option<String>,
    /// The customer's display name (fetched).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub customer_name: Option<String>,
    /// The Service Location it is installed at.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub service_location: Option<String>,
    /// The warehouse holding it (`Entrepôt Montréal - GF`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub warehouse: Option<String>,
}

impl Equipment {
    /// The fields to request in a list call so every field of this DTO is filled.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "equipment_type",
        "brand",
        "model",
        "serial_no",
        "barcode",
        "mac_address",
        "gpon_serial",
        "status",
        "customer",
        "customer_name",
        "service_location",
        "warehouse",
    ];
}

/// A Gigafibre `Service Location` (`LOC-2026-00001`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceLocation {
    /// Document name; `None` to let the naming series pick it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display name (`Marie Tremblay — 1200 rue Sherbrooke Est`).
    pub location_name: String,
    /// The Customer served there.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub customer: Option<String>,
    /// The customer's display name (fetched).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub customer_name: Option<String>,
    /// Street address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub address_line1: Option<String>,
    /// City.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub city: Option<String>,
    /// Postal code (`H2L 1L9`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub postal_code: Option<String>,
    /// Latitude in degrees.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_float"
    )]
    pub latitude: Option<f64>,
    /// Longitude in degrees.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_float"
    )]
    pub longitude: Option<f64>,
    /// `Active` (the default) or another status dispatch sets.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub status: Option<String>,
}

impl ServiceLocation {
    /// The fields to request in a list call so every field of this DTO is filled.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "location_name",
        "customer",
        "customer_name",
        "address_line1",
        "city",
        "postal_code",
        "latitude",
        "longitude",
        "status",
    ];
}

/// A Frappe Float that may be null, blank or text: blank or null is `None`.
pub(super) fn opt_float<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::Number(number) => Ok(number.as_f64()),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(text) => text
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(serde::de::Error::custom),
        other => Err(serde::de::Error::custom(format!(
            "expected a number, got {other}"
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_equipment_round_trips_an_erpnext_body() {
        let body = json!({
            "name": "EQ-2026-00001", "equipment_type": "ONT", "brand": "Nokia",
            "model": "G-010G-Q", "serial_no": "NK2410000147", "barcode": "GF-000147",
            "mac_address": "00:1A:2B:3C:4D:5E", "gpon_serial": "ALCLB2C3D401",
            "status": "Installed", "customer": "CUST-2024-00001",
            "customer_name": "Marie Tremblay", "service_location": "LOC-2026-00001",
            "warehouse": null, "doctype": "Equipment", "docstatus": 0
        });
        let equipment: Equipment = serde_json::from_value(body).unwrap();
        assert_eq!(equipment.equipment_type, EquipmentType::Ont);
        assert_eq!(equipment.status, EquipmentStatus::Installed);
        assert_eq!(equipment.warehouse, None);
        let written = serde_json::to_value(&equipment).unwrap();
        assert_eq!(written["status"], "Installed");
        assert!(written.get("warehouse").is_none());
        assert_eq!(
            serde_json::from_value::<Equipment>(written).unwrap(),
            equipment
        );
        let stock: Equipment =
            serde_json::from_value(json!({"equipment_type": "Set-top box", "mac_address": ""}))
                .unwrap();
        assert_eq!(stock.status, EquipmentStatus::InStock);
        assert_eq!(stock.mac_address, None);
    }

    #[test]
    fn a_service_location_round_trips_an_erpnext_body() {
        let body = json!({
            "name": "LOC-2026-00001",
            "location_name": "Marie Tremblay — 1200 rue Sherbrooke Est",
            "customer": "CUST-2024-00001", "customer_name": "Marie Tremblay",
            "address_line1": "1200 rue Sherbrooke Est", "city": "Montréal",
            "postal_code": "H2L 1L9", "latitude": 45.5246, "longitude": "-73.5663",
            "status": "Active", "doctype": "Service Location"
        });
        let location: ServiceLocation = serde_json::from_value(body).unwrap();
        assert_eq!(location.longitude, Some(-73.5663));
        let written = serde_json::to_value(&location).unwrap();
        assert_eq!(written["latitude"], json!(45.5246));
        assert_eq!(
            serde_json::from_value::<ServiceLocation>(written).unwrap(),
            location
        );
    }
}
