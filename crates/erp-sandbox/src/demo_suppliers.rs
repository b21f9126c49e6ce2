//! The demo suppliers, as vision-ocr matches a supplier's invoice against them: three Quebec
//! suppliers with a GST/HST number (`tax_id`, `123456789 RT0001` form) and a QST number
//! (`custom_qst_number`, `1234567890 TQ0001` form), one Ontario supplier with a GST/HST number
//! only; and one submitted Purchase Invoice, so a client's "Supplier Invoice No exists" check has
//! something to find.

use serde_json::{Map, Value, json};

use crate::operations_doctypes::{PURCHASE_INVOICE, SUPPLIER};
use crate::store::Store;

/// Câblage Laurentides inc. (Quebec): the name of the Supplier document.
pub const CABLAGE_LAURENTIDES: &str = "Câblage Laurentides inc.";
/// Its GST/HST number (`tax_id`).
pub const CABLAGE_LAURENTIDES_TAX_ID: &str = "123456789 RT0001";
/// Its QST number (`custom_qst_number`).
pub const CABLAGE_LAURENTIDES_QST: &str = "1234567890 TQ0001";

/// Fibres Optiques Boréal ltée (Quebec).
pub const FIBRES_BOREAL: &str = "Fibres Optiques Boréal ltée";
/// Its GST/HST number.
pub const FIBRES_BOREAL_TAX_ID: &str = "234567891 RT0001";
/// Its QST number.
pub const FIBRES_BOREAL_QST: &str = "2345678901 TQ0001";

/// Northern Network Supply Ltd. (Ontario): a GST/HST number, no QST number.
pub const NORTHERN_NETWORK: &str = "Northern Network Supply Ltd.";
/// Its GST/HST number.
pub const NORTHERN_NETWORK_TAX_ID: &str = "345678912 RT0001";

/// Distribution Télécom Outaouais (Quebec).
pub const TELECOM_OUTAOUAIS: &str = "Distribution Télécom Outaouais";
/// Its GST/HST number.
pub const TELECOM_OUTAOUAIS_TAX_ID: &str = "456789123 RT0001";
/// Its QST number.
pub const TELECOM_OUTAOUAIS_QST: &str = "4567891234 TQ0001";

/// The submitted demo Purchase Invoice from [`CABLAGE_LAURENTIDES`]: its name.
pub const PURCHASE_INVOICE_CABLAGE: &str = "ACC-PINV-2026-00001";
/// Its supplier's invoice number (`bill_no`): a second invoice of that supplier with this
/// number is refused (`Supplier Invoice No exists in Purchase Invoice ACC-PINV-2026-00001`).
pub const PURCHASE_INVOICE_CABLAGE_BILL_NO: &str = "CL-2026-0412";

/// `(supplier_name, supplier_group, tax_id, custom_qst_number)`.
const SUPPLIERS: &[(&str, &str, &str, &str)] = &[
    (
        CABLAGE_LAURENTIDES,
        "Hardware",
        CABLAGE_LAURENTIDES_TAX_ID,
        CABLAGE_LAURENTIDES_QST,
    ),
    (
        FIBRES_BOREAL,
        "Hardware",
        FIBRES_BOREAL_TAX_ID,
        FIBRES_BOREAL_QST,
    ),
    (NORTHERN_NETWORK, "Distributor", NORTHERN_NETWORK_TAX_ID, ""),
    (
        TELECOM_OUTAOUAIS,
        "Distributor",
        TELECOM_OUTAOUAIS_TAX_ID,
        TELECOM_OUTAOUAIS_QST,
    ),
];

/// Stores the suppliers and the demo Purchase Invoice.
pub async fn seed(store: &Store) -> anyhow::Result<()> {
    let stamp = "2024-06-01 09:30:00.000000";
    for (name, group, tax_id, qst) in SUPPLIERS {
        let mut doc = Map::new();
        doc.insert("name".to_owned(), json!(name));
        doc.insert("supplier_name".to_owned(), json!(name));
        doc.insert("supplier_group".to_owned(), json!(group));
        doc.insert("supplier_type".to_owned(), json!("Company"));
        doc.insert("country".to_owned(), json!("Canada"));
        doc.insert("default_currency".to_owned(), json!("CAD"));
        doc.insert("tax_id".to_owned(), json!(tax_id));
        let qst = if qst.is_empty() { None } else { Some(*qst) };
        doc.insert("custom_qst_number".to_owned(), json!(qst));
        doc.insert("disabled".to_owned(), json!(0));
        crate::buying::validate_supplier(&mut doc)?;
        standard(&mut doc, SUPPLIER, stamp, 0);
        store.create(SUPPLIER, &Value::Object(doc)).await?;
    }
    let mut invoice = Map::new();
    invoice.insert("name".to_owned(), json!(PURCHASE_INVOICE_CABLAGE));
    invoice.insert("naming_series".to_owned(), json!("ACC-PINV-.YYYY.-"));
    invoice.insert("supplier".to_owned(), json!(CABLAGE_LAURENTIDES));
    invoice.insert(
        "bill_no".to_owned(),
        json!(PURCHASE_INVOICE_CABLAGE_BILL_NO),
    );
    invoice.insert("bill_date".to_owned(), json!("2026-11-12"));
    invoice.insert("posting_date".to_owned(), json!("2026-11-14"));
    invoice.insert("due_date".to_owned(), json!("2099-12-31"));
    invoice.insert(
        "items".to_owned(),
        json!([
            {"item_name": "Câble de dérivation fibre 30 m", "qty": 40, "rate": 18.5,
             "expense_account": "5120 - Matériel réseau - GF"},
            {"item_name": "Connecteurs SC/APC (sac de 100)", "qty": 2, "rate": 64.0,
             "expense_account": "5120 - Matériel réseau - GF"}
        ]),
    );
    invoice.insert(
        "taxes".to_owned(),
        json!([
            {"charge_type": "On Net Total", "account_head": "1310 - TPS à recevoir - GF", "description": "TPS 5 %", "rate": 5.0},
            {"charge_type": "On Net Total", "account_head": "1320 - TVQ à recevoir - GF", "description": "TVQ 9,975 %", "rate": 9.975}
        ]),
    );
    invoice.insert("remarks".to_owned(), json!("Facture CL-2026-0412"));
    invoice.insert("custom_ocr_source".to_owned(), json!("manual"));
    standard(
        &mut invoice,
        PURCHASE_INVOICE,
        "2026-11-14 11:00:00.000000",
        1,
    );
    crate::buying::validate_purchase_invoice(store, &mut invoice).await?;
    store
        .create(PURCHASE_INVOICE, &Value::Object(invoice))
        .await?;
    Ok(())
}

/// Frappe's standard fields of a seeded document.
pub(crate) fn standard(doc: &mut Map<String, Value>, doctype: &str, stamp: &str, docstatus: i64) {
    for (field, value) in [
        ("doctype", json!(doctype)),
        ("owner", json!("Administrator")),
        ("modified_by", json!("Administrator")),
        ("creation", json!(stamp)),
        ("modified", json!(stamp)),
        ("docstatus", json!(docstatus)),
        ("idx", json!(0)),
    ] {
        doc.insert(field.to_owned(), value);
    }
}
