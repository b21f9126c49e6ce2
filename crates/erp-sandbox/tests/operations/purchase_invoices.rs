//! Purchase Invoice: a draft with items and taxes (totals recomputed), ERPNext's "Supplier
//! Invoice No exists" check, the mandatory items, the supplier link, submit and cancel.

use erp_sandbox::demo_suppliers::{
    CABLAGE_LAURENTIDES, FIBRES_BOREAL, NORTHERN_NETWORK, PURCHASE_INVOICE_CABLAGE,
    PURCHASE_INVOICE_CABLAGE_BILL_NO,
};
use serde_json::{Value, json};
use shared::erpnext::{InvoiceStatus, ListQuery, Op, PurchaseInvoice};

use crate::helpers::{draft, exception, line, spawn_app, tax, validation_message};

#[tokio::test]
async fn a_draft_purchase_invoice_is_stored_with_its_totals_recomputed() {
    let app = spawn_app().await;
    let mut invoice = draft(FIBRES_BOREAL, "FOB-88231");
    invoice.items = vec![
        line(None, "Fibre monomode 12 brins (m)", 3.0, 1250),
        line(Some("CABLE-30M"), "", 2.0, 2000),
    ];
    invoice.taxes = vec![
        tax("On Net Total", "1310 - TPS à recevoir - GF", 5.0, 0),
        tax("Actual", "1320 - TVQ à recevoir - GF", 0.0, 773),
    ];
    // What the client sends as totals does not count: ERPNext recomputes them.
    invoice.net_total = 1;
    invoice.grand_total = 1;

    let created = app.insert_purchase_invoice(&invoice).await.unwrap();
    let name = created.name.clone().unwrap();
    assert!(name.starts_with("ACC-PINV-"), "{name}");
    let stored: PurchaseInvoice = app.erp.get("Purchase Invoice", &name).await.unwrap();

    assert_eq!(stored.docstatus, 0);
    assert_eq!(stored.status, Some(InvoiceStatus::Draft));
    assert_eq!(stored.supplier_name.as_deref(), Some(FIBRES_BOREAL));
    assert_eq!(stored.currency.as_deref(), Some("CAD"));
    assert_eq!(stored.bill_no.as_deref(), Some("FOB-88231"));
    assert_eq!(stored.custom_ocr_source.as_deref(), Some("gemini"));
    let amounts: Vec<(&str, i64)> = stored
        .items
        .iter()
        .map(|i| (i.item_name.as_str(), i.amount))
        .collect();
    assert_eq!(
        amounts,
        vec![
            ("Fibre monomode 12 brins (m)", 3750),
            ("Câble réseau 30 m", 4000)
        ]
    );
    assert_eq!(stored.net_total, 7750);
    // 5 % of 77.50 is 3.875: half up to 3.88; the Actual TVQ is kept as sent.
    let taxes: Vec<i64> = stored.taxes.iter().map(|t| t.tax_amount).collect();
    assert_eq!(taxes, vec![388, 773]);
    assert_eq!(stored.total_taxes_and_charges, 1161);
    assert_eq!(stored.grand_total, 8911);
    assert_eq!(created.grand_total, 8911);
}

#[tokio::test]
async fn the_demo_purchase_invoice_is_submitted_with_quebec_taxes() {
    let app = spawn_app().await;
    let invoice: PurchaseInvoice = app
        .erp
        .get("Purchase Invoice", PURCHASE_INVOICE_CABLAGE)
        .await
        .unwrap();
    assert_eq!(invoice.supplier, CABLAGE_LAURENTIDES);
    assert_eq!(
        invoice.bill_no.as_deref(),
        Some(PURCHASE_INVOICE_CABLAGE_BILL_NO)
    );
    assert_eq!(invoice.docstatus, 1);
    assert_eq!(invoice.net_total, 86800);
    assert_eq!(invoice.total_taxes_and_charges, 4340 + 8658);
    assert_eq!(invoice.grand_total, 99798);
    assert_eq!(invoice.status, Some(InvoiceStatus::Unpaid));
}

#[tokio::test]
async fn a_second_invoice_with_the_same_supplier_and_bill_no_is_refused() {
    let app = spawn_app().await;
    // A client looks first, as it must...
    let found: Vec<Value> = app
        .erp
        .list(
            "Purchase Invoice",
            &ListQuery::new()
                .filter("supplier", Op::Eq, json!(CABLAGE_LAURENTIDES))
                .filter("bill_no", Op::Eq, json!(PURCHASE_INVOICE_CABLAGE_BILL_NO))
                .filter("docstatus", Op::Ne, json!(2)),
        )
        .await
        .unwrap();
    assert_eq!(found, vec![json!({"name": PURCHASE_INVOICE_CABLAGE})]);

    // ...for ERPNext refuses the duplicate.
    let duplicate = draft(CABLAGE_LAURENTIDES, PURCHASE_INVOICE_CABLAGE_BILL_NO);
    let err = app.insert_purchase_invoice(&duplicate).await.unwrap_err();
    assert_eq!(
        validation_message(&err),
        "Supplier Invoice No exists in Purchase Invoice ACC-PINV-2026-00001"
    );
    let (status, body) = app
        .post(
            "Purchase Invoice",
            &serde_json::to_value(&duplicate).unwrap(),
        )
        .await;
    assert_eq!(status, 417);
    assert_eq!(exception(&body).0, "ValidationError");

    // The same number from another supplier is another invoice.
    let other = draft(NORTHERN_NETWORK, PURCHASE_INVOICE_CABLAGE_BILL_NO);
    app.insert_purchase_invoice(&other).await.unwrap();
}

#[tokio::test]
async fn a_cancelled_invoice_no_longer_holds_its_bill_no() {
    let app = spawn_app().await;
    let mut first = draft(FIBRES_BOREAL, "FOB-90001");
    first.docstatus = 1;
    let first = app.insert_purchase_invoice(&first).await.unwrap();
    let first_name = first.name.unwrap();
    assert_eq!(first.status, Some(InvoiceStatus::Unpaid));

    let err = app
        .insert_purchase_invoice(&draft(FIBRES_BOREAL, "FOB-90001"))
        .await
        .unwrap_err();
    assert_eq!(
        validation_message(&err),
        format!("Supplier Invoice No exists in Purchase Invoice {first_name}")
    );

    let cancelled: PurchaseInvoice = app
        .erp
        .update("Purchase Invoice", &first_name, &json!({"docstatus": 2}))
        .await
        .unwrap();
    assert_eq!(cancelled.status, Some(InvoiceStatus::Cancelled));
    app.insert_purchase_invoice(&draft(FIBRES_BOREAL, "FOB-90001"))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_invoice_without_items_is_a_mandatory_error() {
    let app = spawn_app().await;
    let mut invoice = serde_json::to_value(draft(FIBRES_BOREAL, "FOB-1")).unwrap();
    invoice["items"] = json!([]);
    let (status, body) = app.post("Purchase Invoice", &invoice).await;
    assert_eq!(status, 417);
    assert_eq!(
        exception(&body),
        ("MandatoryError".to_owned(), "Items is required".to_owned())
    );
    invoice.as_object_mut().unwrap().remove("items");
    let (status, body) = app.post("Purchase Invoice", &invoice).await;
    assert_eq!(
        (status, exception(&body).0.as_str()),
        (417, "MandatoryError")
    );
}

#[tokio::test]
async fn an_unknown_supplier_is_a_link_error() {
    let app = spawn_app().await;
    let invoice = serde_json::to_value(draft("Fournisseur Inconnu inc.", "X-1")).unwrap();
    let (status, body) = app.post("Purchase Invoice", &invoice).await;
    assert_eq!(status, 417);
    assert_eq!(
        exception(&body),
        (
            "LinkValidationError".to_owned(),
            "Could not find Supplier: Fournisseur Inconnu inc.".to_owned()
        )
    );
}

#[tokio::test]
async fn a_bill_dated_after_the_posting_date_is_refused() {
    let app = spawn_app().await;
    let mut invoice = draft(FIBRES_BOREAL, "FOB-2");
    invoice.bill_date = "2026-12-15".parse().ok();
    let err = app.insert_purchase_invoice(&invoice).await.unwrap_err();
    assert_eq!(
        validation_message(&err),
        "Supplier Invoice Date cannot be greater than Posting Date"
    );
}
