//! The Gemini client against testkit's fake of `generateContent`: answers, retries, refusals and
//! what the request carries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::NaiveDate;
use secrecy::SecretString;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use testkit::FakeGemini;
use vision_ocr::gemini::{Gemini, GeminiError, GeminiSettings};
use vision_ocr::input::{Checked, Media};
use vision_ocr::invoice::{Money, TaxName};

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF a photo of an invoice";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";

fn settings(fake: &FakeGemini) -> GeminiSettings {
    GeminiSettings {
        api_url: fake.url(),
        timeout: Duration::from_secs(5),
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_secs(2),
        ..GeminiSettings::new(SecretString::from(fake.key()))
    }
}

fn client(fake: &FakeGemini) -> Gemini {
    Gemini::new(settings(fake)).unwrap()
}

fn photo(bytes: &'static [u8]) -> Checked {
    Checked {
        media: Media::Jpeg,
        bytes: Bytes::from_static(bytes),
        pages: 1,
        image: None,
    }
}

fn quebec_invoice() -> serde_json::Value {
    json!({
        "supplier": "Câblage Laurentides inc.", "gst_number": "123456789 RT0001",
        "qst_number": "1234567890 TQ0001", "invoice_number": "F-2026-004127",
        "date": "2026-11-03", "due_date": "2026-12-03", "currency": "CAD",
        "lines": [
            {"description": "Câble de branchement 500 m", "quantity": 1, "unit_price": 300.0, "amount": 300.0},
            {"description": "ONT XS-010X-Q", "quantity": 1, "unit_price": 123.45, "amount": 123.45}],
        "subtotal": 423.45,
        "taxes": [{"name": "TPS", "rate": 5, "amount": 21.17}, {"name": "TVQ", "rate": 9.975, "amount": 42.24}],
        "total": 486.86,
    })
}

/// The staff-facing reason of `error` names neither the key nor more than a few characters of text.
fn assert_safe(error: &GeminiError, fake: &FakeGemini) {
    let reason = error.reason();
    assert!(!reason.contains(&fake.key()), "{reason}");
    assert!(reason.chars().count() <= 160, "{reason}");
}

#[tokio::test]
async fn an_invoice_answer_becomes_an_invoice() {
    let fake = FakeGemini::spawn().await;
    fake.answer(quebec_invoice());
    let invoice = client(&fake).invoice(&photo(JPEG)).await.unwrap();
    assert_eq!(
        invoice.supplier.as_deref(),
        Some("Câblage Laurentides inc.")
    );
    assert_eq!(invoice.date, NaiveDate::from_ymd_opt(2026, 11, 3));
    assert_eq!(invoice.lines.len(), 2);
    assert_eq!(invoice.taxes[1].name, TaxName::Tvq);
    assert_eq!(invoice.total, Some(Money(48686)));
    assert!(invoice.warnings(shared::lang::Lang::En).is_empty());
}

#[tokio::test]
async fn a_label_answer_becomes_a_label_and_a_bad_mac_is_named() {
    let fake = FakeGemini::spawn().await;
    fake.answer(
        json!({"serial": "48575443A1B2C3D4", "macs": ["e4-3a-6e-12-34-56", "E4:3A:6E:12:34"],
        "gpon_serial": "HWTC A1B2C3D4", "model": "EG8145V5"}),
    );
    let gemini = client(&fake);
    let label = gemini.label(&photo(JPEG)).await.unwrap();
    assert_eq!(label.macs, ["E4:3A:6E:12:34:56"]);
    assert_eq!(label.gpon_serial.as_deref(), Some("HWTCA1B2C3D4"));
    assert_eq!(label.model.as_deref(), Some("EG8145V5"));
    assert!(label.barcodes.is_empty());
    let reading = gemini.label_reading(&photo(JPEG)).await.unwrap();
    assert_eq!(reading.invalid_macs, ["E4:3A:6E:12:34"]);
}

#[tokio::test]
async fn a_thought_part_is_left_out_of_the_answer() {
    let fake = FakeGemini::spawn().await;
    fake.thoughts(true);
    fake.answer(quebec_invoice());
    let invoice = client(&fake).invoice(&photo(JPEG)).await.unwrap();
    assert_eq!(invoice.invoice_number.as_deref(), Some("F-2026-004127"));
}

#[tokio::test]
async fn a_429_then_a_200_succeeds_after_google_s_retry_delay() {
    let fake = FakeGemini::spawn().await;
    fake.answer(quebec_invoice());
    fake.retry_delay(Duration::from_millis(400));
    fake.fail_next(429, 1);
    let started = Instant::now();
    let invoice = client(&fake).invoice(&photo(JPEG)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(invoice.total, Some(Money(48686)));
    assert_eq!(fake.calls(), 2);
}

#[tokio::test]
async fn three_503s_are_unavailable_after_three_attempts() {
    let fake = FakeGemini::spawn().await;
    fake.fail_next(503, 3);
    let error = client(&fake).invoice(&photo(JPEG)).await.unwrap_err();
    assert_eq!(error, GeminiError::Unavailable { status: 503 });
    assert_eq!(fake.calls(), 3);
    assert_safe(&error, &fake);
}

#[tokio::test]
async fn a_500_then_a_200_succeeds() {
    let fake = FakeGemini::spawn().await;
    fake.fail_next(500, 2);
    fake.answer(json!({"serial": "S1"}));
    let label = client(&fake).label(&photo(JPEG)).await.unwrap();
    assert_eq!(label.serial.as_deref(), Some("S1"));
    assert_eq!(fake.calls(), 3);
}

#[tokio::test]
async fn a_wrong_key_is_refused_and_not_retried() {
    let fake = FakeGemini::spawn().await;
    let wrong = GeminiSettings {
        api_key: SecretString::from("AIzaSy-wrong-key-9876543210".to_owned()),
        ..settings(&fake)
    };
    let error = Gemini::new(wrong)
        .unwrap()
        .invoice(&photo(JPEG))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        GeminiError::Refused {
            status: 400,
            google_status: "INVALID_ARGUMENT".to_owned(),
            message: "API key not valid. Please pass a valid API key.".to_owned(),
        }
    );
    assert_eq!(fake.calls(), 1);
    assert!(!error.reason().contains("AIzaSy-wrong-key-9876543210"));
    assert_safe(&error, &fake);
}

#[tokio::test]
async fn an_unknown_model_is_refused() {
    let fake = FakeGemini::spawn().await;
    let settings = GeminiSettings {
        model: "gemini-0.1-slow".to_owned(),
        ..settings(&fake)
    };
    let error = Gemini::new(settings)
        .unwrap()
        .label(&photo(JPEG))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, GeminiError::Refused { status: 404, google_status, .. } if google_status == "NOT_FOUND")
    );
    assert_eq!(fake.calls(), 1);
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout_and_not_retried() {
    let fake = FakeGemini::spawn().await;
    fake.delay(Duration::from_millis(800));
    let settings = GeminiSettings {
        timeout: Duration::from_millis(200),
        ..settings(&fake)
    };
    let error = Gemini::new(settings)
        .unwrap()
        .invoice(&photo(JPEG))
        .await
        .unwrap_err();
    assert_eq!(error, GeminiError::Timeout);
    assert_eq!(fake.calls(), 1);
    assert_safe(&error, &fake);
}

#[tokio::test]
async fn prose_instead_of_json_is_garbage() {
    let fake = FakeGemini::spawn().await;
    fake.answer_text(
        "Voici les champs de la facture : le total est de 486,86 $ et la TPS de 21,17 $.",
    );
    let error = client(&fake).invoice(&photo(JPEG)).await.unwrap_err();
    assert!(matches!(error, GeminiError::Garbage(_)), "{error:?}");
    assert!(!error.reason().contains("486,86"), "{}", error.reason());
    assert_safe(&error, &fake);
}

#[tokio::test]
async fn a_wrong_type_or_an_invalid_date_is_a_schema_error() {
    let fake = FakeGemini::spawn().await;
    let gemini = client(&fake);
    let long = "a total written in words, four hundred eighty-six dollars";
    for answer in [
        json!({"total": "abc"}),
        json!({"total": long}),
        json!({"date": "2026-02-30"}),
        json!({"taxes": [{"name": "PST", "rate": 7, "amount": 1.0}]}),
        json!({"total": 1e12}),
    ] {
        fake.answer(answer.clone());
        let error = gemini.invoice(&photo(JPEG)).await.unwrap_err();
        assert!(
            matches!(error, GeminiError::Schema(_)),
            "{answer}: {error:?}"
        );
        assert!(!error.reason().contains(long), "{}", error.reason());
        assert_safe(&error, &fake);
    }
}

#[tokio::test]
async fn a_blocked_prompt_is_blocked() {
    let fake = FakeGemini::spawn().await;
    fake.block("PROHIBITED_CONTENT");
    let error = client(&fake).label(&photo(JPEG)).await.unwrap_err();
    assert_eq!(error, GeminiError::Blocked("PROHIBITED_CONTENT".to_owned()));
    assert_eq!(fake.calls(), 1);
    assert_safe(&error, &fake);
}

#[tokio::test]
async fn the_request_carries_the_file_the_prompt_the_schema_and_temperature_zero() {
    let fake = FakeGemini::spawn().await;
    fake.answer_for_image(
        &hex::encode(Sha256::digest(JPEG)),
        json!({"serial": "ONLY-THIS-PHOTO"}),
    );
    let label = client(&fake).label(&photo(JPEG)).await.unwrap();
    assert_eq!(label.serial.as_deref(), Some("ONLY-THIS-PHOTO"));
    let sent = &fake.requests()[0];
    assert_eq!(sent.model, "gemini-2.5-flash");
    assert_eq!(sent.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(sent.bytes, JPEG.len());
    assert_eq!(sent.sha256, Some(hex::encode(Sha256::digest(JPEG))));
    assert!(sent.prompt.as_deref().unwrap().contains("gpon_serial"));
    assert!(sent.has_schema);
    assert_eq!(sent.schema.as_ref().unwrap()["type"], "OBJECT");
    assert_eq!(sent.response_mime_type.as_deref(), Some("application/json"));
    assert_eq!(sent.temperature, Some(0.0));
    assert!(sent.has_key_header);
    assert!(!sent.key_in_url);
}

#[tokio::test]
async fn a_pdf_is_sent_inline_as_application_pdf() {
    let fake = FakeGemini::spawn().await;
    fake.answer(quebec_invoice());
    let pdf = Checked {
        media: Media::Pdf,
        bytes: Bytes::from_static(PDF),
        pages: 1,
        image: None,
    };
    client(&fake).invoice(&pdf).await.unwrap();
    let sent = &fake.requests()[0];
    assert_eq!(sent.mime_type.as_deref(), Some("application/pdf"));
    assert_eq!(sent.sha256, Some(hex::encode(Sha256::digest(PDF))));
    assert!(sent.prompt.as_deref().unwrap().contains("TPS"));
}

#[tokio::test]
async fn an_unreachable_api_is_a_transport_error_after_every_attempt() {
    let fake = FakeGemini::spawn().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = GeminiSettings {
        api_url: format!("http://127.0.0.1:{port}/v1beta"),
        ..settings(&fake)
    };
    let error = Gemini::new(settings)
        .unwrap()
        .invoice(&photo(JPEG))
        .await
        .unwrap_err();
    assert!(matches!(error, GeminiError::Transport(_)), "{error:?}");
    assert_safe(&error, &fake);
}

#[test]
fn a_key_that_cannot_be_a_header_is_refused_at_start() {
    let settings = GeminiSettings::new(SecretString::from("line\nbreak".to_owned()));
    assert!(Gemini::new(settings).is_err());
}
