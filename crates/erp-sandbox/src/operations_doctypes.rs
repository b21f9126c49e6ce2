//! The buying and field-operations doctypes: Supplier and Purchase Invoice (ERPNext standard,
//! with Gigafibre's custom fields) and Gigafibre's own Service Location and Equipment.

use crate::doctypes::DocTypeMeta;

/// Supplier.
pub const SUPPLIER: &str = "Supplier";
/// Purchase Invoice.
pub const PURCHASE_INVOICE: &str = "Purchase Invoice";
/// Service Location (custom doctype): where a customer is served.
pub const SERVICE_LOCATION: &str = "Service Location";
/// Equipment (custom doctype): an ONT, router, set-top box, switch or SFP.
pub const EQUIPMENT: &str = "Equipment";

/// The metas of the doctypes above.
pub const DOCTYPES: &[DocTypeMeta] = &[
    DocTypeMeta {
        name: SUPPLIER,
        fields: &[
            "supplier_name",
            "supplier_group",
            "supplier_type",
            "country",
            "default_currency",
            "tax_id",
            "custom_qst_number",
            "disabled",
        ],
        mandatory: &[("supplier_name", "Supplier Name")],
        // Buying Settings' default `supp_master_name` = "Supplier Name".
        autoname: "field:supplier_name",
    },
    DocTypeMeta {
        name: PURCHASE_INVOICE,
        fields: &[
            "naming_series",
            "supplier",
            "supplier_name",
            "company",
            "bill_no",
            "bill_date",
            "posting_date",
            "due_date",
            "currency",
            "items",
            "taxes",
            "total_qty",
            "total",
            "net_total",
            "taxes_and_charges_added",
            "taxes_and_charges_deducted",
            "total_taxes_and_charges",
            "grand_total",
            "rounded_total",
            "disable_rounded_total",
            "outstanding_amount",
            "status",
            "remarks",
            "custom_ocr_source",
        ],
        mandatory: &[("supplier", "Supplier")],
        autoname: "ACC-PINV-.YYYY.-",
    },
    DocTypeMeta {
        name: SERVICE_LOCATION,
        fields: &[
            "location_name",
            "customer",
            "customer_name",
            "address_line1",
            "city",
            "postal_code",
            "latitude",
            "longitude",
            "status",
        ],
        mandatory: &[("location_name", "Location Name")],
        autoname: "LOC-.YYYY.-",
    },
    DocTypeMeta {
        name: EQUIPMENT,
        fields: &[
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
        ],
        mandatory: &[("equipment_type", "Equipment Type")],
        autoname: "EQ-.YYYY.-",
    },
];
