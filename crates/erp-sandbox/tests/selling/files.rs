//! File: an upload stored and served at its `file_url`, found again by what it is attached to.

use serde_json::{Value, json};
use shared::erpnext::{ErpError, File, ListQuery, Op};

use crate::helpers::spawn_app;

const PDF: &[u8] = b"%PDF-1.4\n% signed quotation\n%%EOF\n";

#[tokio::test]
async fn an_upload_is_stored_private_and_downloaded_with_the_api_credentials() {
    let app = spawn_app().await;
    let file = app
        .erp
        .upload_file(
            "SAL-QTN-2026-00001-signe.pdf",
            "Sales Order",
            "SAL-ORD-2026-00001",
            true,
            PDF,
        )
        .await
        .unwrap();
    assert_eq!(
        file.file_url.as_deref(),
        Some("/private/files/SAL-QTN-2026-00001-signe.pdf")
    );
    assert_eq!(file.file_size, Some(PDF.len() as u64));
    assert!(file.is_private);
    let bytes = app
        .erp
        .download_file(file.file_url.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(bytes, PDF);
    let raw: Value = app.erp.get("File", &file.name).await.unwrap();
    assert!(
        raw.get("content").is_none() && raw.get("decode").is_none(),
        "{raw}"
    );
}

#[tokio::test]
async fn a_file_is_found_again_by_attached_to_name_and_file_name() {
    let app = spawn_app().await;
    let uploaded = app
        .erp
        .upload_file("signed.pdf", "Sales Order", "SAL-ORD-2026-00009", true, PDF)
        .await
        .unwrap();
    let query = ListQuery::new()
        .fields(File::FIELDS)
        .filter("attached_to_doctype", Op::Eq, json!("Sales Order"))
        .filter("attached_to_name", Op::Eq, json!("SAL-ORD-2026-00009"))
        .filter("file_name", Op::Eq, json!("signed.pdf"));
    let found: Vec<File> = app.erp.list("File", &query).await.unwrap();
    assert_eq!(found, vec![uploaded]);
}

#[tokio::test]
async fn another_content_under_the_same_name_gets_its_own_url() {
    let app = spawn_app().await;
    let first = app
        .erp
        .upload_file("a.pdf", "Sales Order", "X", true, PDF)
        .await
        .unwrap();
    let second = app
        .erp
        .upload_file("a.pdf", "Sales Order", "Y", true, b"%PDF-other")
        .await
        .unwrap();
    assert_ne!(first.file_url, second.file_url);
    let bytes = app
        .erp
        .download_file(second.file_url.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(bytes, b"%PDF-other");
}

#[tokio::test]
async fn a_private_file_needs_credentials() {
    let app = spawn_app().await;
    let file = app
        .erp
        .upload_file("p.pdf", "Sales Order", "X", true, PDF)
        .await
        .unwrap();
    let url = format!("{}{}", app.url, file.file_url.unwrap());
    let guest = app.http.get(&url).send().await.unwrap();
    assert_eq!(guest.status().as_u16(), 403);
    let wrong = app
        .http
        .get(&url)
        .header("Authorization", "token sandbox-key:wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let missing = app
        .erp
        .download_file("/private/files/nothing.pdf")
        .await
        .unwrap_err();
    assert!(matches!(missing, ErpError::NotFound), "{missing:?}");
}
