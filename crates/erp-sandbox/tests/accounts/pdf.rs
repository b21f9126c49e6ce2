//! `frappe.utils.print_format.download_pdf`.

use serde_json::Value;
use shared::erpnext::ErpError;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_invoice_pdf_is_served_and_an_unknown_invoice_is_not_found() {
    let app = spawn_app().await;
    let pdf_url = format!(
        "{}/api/method/frappe.utils.print_format.download_pdf",
        app.url
    );
    let response = app
        .http
        .get(&pdf_url)
        .query(&[
            ("doctype", "Sales Invoice"),
            ("name", "ACC-SINV-2026-00001"),
            ("format", "Standard"),
            ("lang", "fr"),
        ])
        .header("Authorization", app.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"ACC-SINV-2026-00001.pdf\""
    );
    let body = response.bytes().await.unwrap();
    assert!(body.starts_with(b"%PDF-1.4"));
    assert!(body.ends_with(b"%%EOF\n"));
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("Facture ACC-SINV-2026-00001"), "{text}");

    let response = app
        .http
        .get(&pdf_url)
        .query(&[
            ("doctype", "Sales Invoice"),
            ("name", "ACC-SINV-2099-00001"),
        ])
        .header("Authorization", app.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["exc_type"], "DoesNotExistError");

    let response = app
        .http
        .get(&pdf_url)
        .query(&[
            ("doctype", "Sales Invoice"),
            ("name", "ACC-SINV-2026-00001"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn the_client_downloads_the_pdf_and_maps_an_unknown_invoice_to_not_found() {
    let app = spawn_app().await;
    let pdf = app
        .erp
        .download_pdf("Sales Invoice", "ACC-SINV-2026-00064", Some("en"))
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Dépanneur Côté & Fils inc., in WinAnsi octal escapes.
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("Invoice ACC-SINV-2026-00064"), "{text}");
    assert!(
        text.contains("D\\351panneur C\\364t\\351 & Fils inc."),
        "{text}"
    );
    let missing = app
        .erp
        .download_pdf("Sales Invoice", "ACC-SINV-2099-00001", None)
        .await;
    assert!(matches!(missing, Err(ErpError::NotFound)), "{missing:?}");
}
