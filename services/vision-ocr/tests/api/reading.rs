//! Readings through the fake Gemini (the local provider has its own tests): an invoice read,
//! checked and drafted in the erp-sandbox once; a label's Equipment found by a technician; the
//! same Idempotency-Key answered again without a second call; jobs; Gemini failing.

use erp_sandbox::demo_suppliers;
use serde_json::{Value, json};
use shared::erpnext::{FrappeClient, ListQuery, Op};

use crate::helpers::{Backend, Stack, assert_problem};

/// A page Gemini is asked about (its bytes matter only to the guard and the fake).
fn page() -> Vec<u8> {
    let mut img = image::RgbImage::from_pixel(64, 48, image::Rgb([255, 255, 255]));
    img.put_pixel(3, 3, image::Rgb([0, 0, 0]));
    ocr_fixtures::png(&img)
}

/// Gemini's answer for a Câblage Laurentides invoice (a demo supplier of the erp-sandbox).
fn cablage_invoice(number: &str) -> Value {
    json!({
        "supplier": "Câblage Laurentides inc.",
        "gst_number": demo_suppliers::CABLAGE_LAURENTIDES_TAX_ID,
        "qst_number": null, "invoice_number": number,
        "date": "2026-11-03", "due_date": "2026-12-03", "currency": "CAD",
        "lines": [
            {"description": "Câble de branchement 500 m", "quantity": 1, "unit_price": 300.00, "amount": 300.00},
            {"description": "ONT XS-010X-Q", "quantity": 1, "unit_price": 123.45, "amount": 123.45}
        ],
        "subtotal": 423.45,
        "taxes": [{"name": "TPS", "rate": 5, "amount": 21.17}, {"name": "TVQ", "rate": 9.975, "amount": 42.24}],
        "total": 486.86
    })
}

async fn purchase_invoices(stack: &Stack, bill_no: &str) -> Vec<Value> {
    let secret = secrecy::SecretString::from(stack.erp.api_secret.clone());
    let client = FrappeClient::new(&stack.erp.url, &stack.erp.api_key, &secret).unwrap();
    client
        .list(
            "Purchase Invoice",
            &ListQuery::new()
                .fields(&["name", "supplier", "grand_total", "docstatus"])
                .filter("bill_no", Op::Eq, json!(bill_no)),
        )
        .await
        .unwrap()
}

async fn invoice_drafted_once(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    stack.gemini.answer(cablage_invoice("F-2026-004127"));
    let key = [("Idempotency-Key", "scan-7f3a")];
    let response = stack
        .upload("/vision/invoice?draft=true", page(), &key)
        .await;
    assert_eq!(response.status(), 200);
    let first: Value = response.json().await.unwrap();
    assert_eq!(
        first["provider"],
        json!({"name": "gemini", "fell_back": false})
    );
    assert_eq!(first["invoice"]["total"], json!(486.86));
    assert_eq!(first["warnings"], json!([]), "{first}");
    let draft = &first["draft"];
    assert_eq!(draft["supplier"], demo_suppliers::CABLAGE_LAURENTIDES);
    assert_eq!(draft["matched_by"], "tax_id");
    assert_eq!(draft["created"], true);
    let again = stack
        .upload("/vision/invoice?draft=true", page(), &key)
        .await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(stack.gemini.calls(), 1, "the same key is not read twice");
    let other = stack
        .upload("/vision/invoice?draft=true", page(), &[])
        .await;
    let other: Value = other.json().await.unwrap();
    assert_eq!(
        other["draft"]["created"], false,
        "ERPNext's draft is reused: {other}"
    );
    assert_eq!(
        other["draft"]["purchase_invoice"],
        draft["purchase_invoice"]
    );
    let made = purchase_invoices(&stack, "F-2026-004127").await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0]["docstatus"], 0);
    assert_eq!(made[0]["grand_total"], json!(486.86));
    let extracted = testkit::poll_until(std::time::Duration::from_secs(10), || async {
        let events = stack.events();
        let extracted = events
            .iter()
            .filter(|e| e.subject == "vision.invoice.extracted")
            .count();
        (extracted >= 2).then_some(extracted)
    })
    .await;
    assert_eq!(extracted, Some(2), "one event per extraction");
}

#[tokio::test]
async fn an_invoice_is_read_checked_and_drafted_once_on_sqlite() {
    invoice_drafted_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_invoice_is_read_checked_and_drafted_once_on_postgres() {
    invoice_drafted_once(Backend::Postgres).await;
}

#[tokio::test]
async fn arithmetic_that_does_not_add_up_is_a_warning_and_an_unknown_supplier_no_draft() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let mut answer = cablage_invoice("X-1");
    answer["supplier"] = json!("Fournisseur Inconnu");
    answer["gst_number"] = json!("999999999 RT0001");
    answer["total"] = json!(500.00);
    stack.gemini.answer(answer);
    let body: Value = stack
        .upload("/vision/invoice?draft=true", page(), &[])
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["TOTAL_DOESNT_ADD_UP", "SUPPLIER_NOT_FOUND"],
        "{body}"
    );
    let message = body["warnings"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Sous-total et taxes font 486.86 $"),
        "French first: {message}"
    );
    assert_eq!(body["draft"], Value::Null);
}

#[tokio::test]
async fn a_technician_finds_the_equipment_of_a_label_by_its_mac() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    stack.gemini.answer(json!({
        "serial": "UNKNOWN-1", "macs": ["00:1a:2b:3c:4d:60", "zz"], "gpon_serial": null, "model": "G-010G-Q"
    }));
    let token = format!("Bearer {}", stack.tech_token("TECH-014"));
    let response = stack
        .upload("/vision/equipment", page(), &[("Authorization", &token)])
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["label"]["macs"], json!(["00:1A:2B:3C:4D:60"]));
    let found = &body["equipment"];
    assert_eq!(found["matched_by"], "mac", "{body}");
    assert_eq!(found["customer"], "CUST-2024-00007");
    assert!(
        found["service_location"]["address_line1"].is_string(),
        "{body}"
    );
    assert_eq!(body["warnings"][0]["code"], "INVALID_MAC");
}

#[tokio::test]
async fn a_job_is_answered_later_and_only_to_whoever_asked() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    stack.gemini.answer(
        json!({"serial": erp_sandbox::demo_equipment::ONT_MARIE_SERIAL,
        "macs": [], "gpon_serial": null, "model": null}),
    );
    let token = format!("Bearer {}", stack.tech_token("TECH-014"));
    let mine = [
        ("Authorization", token.as_str()),
        ("Idempotency-Key", "offline-1"),
    ];
    let response = stack
        .upload("/vision/equipment?async=true", page(), &mine)
        .await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let job = testkit::poll_until(std::time::Duration::from_secs(20), || async {
        let job: Value = stack.get(&location, &mine[..1]).await.json().await.unwrap();
        (job["state"] == "done").then_some(job)
    })
    .await
    .unwrap();
    assert_eq!(job["answer"]["equipment"]["matched_by"], "serial", "{job}");
    let again = stack
        .upload("/vision/equipment?async=true", page(), &mine)
        .await;
    assert_eq!(again.status(), 202);
    assert_eq!(again.headers()["location"].to_str().unwrap(), location);
    assert_eq!(stack.gemini.calls(), 1);
    let other = format!("Bearer {}", stack.tech_token("TECH-022"));
    let response = stack.get(&location, &[("Authorization", &other)]).await;
    assert_problem(response, 404, "VIS_11").await;
    assert_eq!(
        stack.get(&location, &[]).await.status(),
        200,
        "staff see every job"
    );
}

#[tokio::test]
async fn the_same_key_with_another_file_is_refused() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    stack.gemini.answer(cablage_invoice("F-1"));
    let key = [("Idempotency-Key", "k-1")];
    assert_eq!(
        stack.upload("/vision/invoice", page(), &key).await.status(),
        200
    );
    let other = ocr_fixtures::png(&image::RgbImage::new(9, 9));
    assert_problem(
        stack.upload("/vision/invoice", other, &key).await,
        422,
        "VIS_09",
    )
    .await;
    assert_problem(
        stack.upload("/vision/equipment", page(), &key).await,
        422,
        "VIS_09",
    )
    .await;
    assert_eq!(stack.gemini.calls(), 1);
}

/// A way to make the fake Gemini fail.
type Failure<'a> = Box<dyn Fn() + 'a>;

#[tokio::test]
async fn gemini_failing_in_any_way_falls_back_to_the_local_reading_and_says_so() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let (_, image) = ocr_fixtures::invoice(
        3,
        &ocr_fixtures::InvoiceStyle {
            lang: ocr_fixtures::Lang::Fr,
            font: ocr_fixtures::Font::Sans,
            layout: ocr_fixtures::Layout::Classic,
            degrade: ocr_fixtures::Degrade::CLEAN,
        },
    )
    .unwrap();
    let photo = ocr_fixtures::png(&image);
    let mut schema_mismatch = cablage_invoice("F-9");
    schema_mismatch["total"] = json!("quatre cent");
    let g = &stack.gemini;
    let failures: Vec<(&str, Failure)> = vec![
        (
            "garbage",
            Box::new(move || g.answer_text("Sorry, I cannot read this.")),
        ),
        (
            "schema",
            Box::new(move || g.answer(schema_mismatch.clone())),
        ),
        ("503 x3", Box::new(move || g.fail_next(503, 3))),
        (
            "timeout",
            Box::new(move || g.delay(std::time::Duration::from_secs(2))),
        ),
        ("blocked", Box::new(move || g.block("SAFETY"))),
    ];
    for (name, fail) in failures {
        fail();
        let response = stack.upload("/vision/invoice", photo.clone(), &[]).await;
        assert_eq!(response.status(), 200, "{name}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["provider"],
            json!({"name": "local", "fell_back": true}),
            "{name}"
        );
        assert_eq!(
            body["warnings"][0]["code"], "PROVIDER_FELL_BACK",
            "{name}: {body}"
        );
        assert!(
            body["invoice"]["total"].is_number(),
            "{name}: read locally: {body}"
        );
        stack.gemini.delay(std::time::Duration::ZERO);
        stack.gemini.answer(cablage_invoice("F-1"));
    }
}
