//! What is refused before any reading, and never reaches a provider. Bad inputs tried: no
//! multipart body, no `file` part, an empty file, a ZIP and an HTML page, a PDF as a label, a JPEG
//! and a PDF cut short, a 50-megapixel PNG, a PNG decompression bomb (100 000 × 100 000 declared),
//! an encrypted PDF, a PDF of 200 pages, a file over the size limit, malformed and reused
//! `Idempotency-Key`s; callers without a staff group, with a forged or wrong-audience technician
//! token, a technician on invoices.

use ocr_fixtures::bad;
use reqwest::multipart::{Form, Part};

use crate::helpers::{Backend, MAX_UPLOAD, Stack, assert_problem};

async fn refusals_on(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        ("empty", "/vision/invoice", bad::empty(), 400, "VIS_01"),
        ("zip", "/vision/invoice", bad::not_an_image(), 415, "VIS_02"),
        (
            "html",
            "/vision/invoice",
            b"<!doctype html><p>hi".to_vec(),
            415,
            "VIS_02",
        ),
        (
            "pdf label",
            "/vision/equipment",
            bad::pdf_pages(1),
            415,
            "VIS_02",
        ),
        (
            "truncated jpeg",
            "/vision/invoice",
            bad::truncated_jpeg(),
            422,
            "VIS_05",
        ),
        (
            "truncated pdf",
            "/vision/invoice",
            bad::truncated_pdf(),
            422,
            "VIS_05",
        ),
        ("50 MP", "/vision/invoice", bad::huge_png(50), 422, "VIS_04"),
        ("bomb", "/vision/equipment", bad::png_bomb(), 422, "VIS_04"),
        (
            "encrypted",
            "/vision/invoice",
            bad::encrypted_pdf(),
            422,
            "VIS_06",
        ),
        (
            "200 pages",
            "/vision/invoice",
            bad::pdf_pages(200),
            422,
            "VIS_07",
        ),
        (
            "too large",
            "/vision/invoice",
            vec![0xFF; MAX_UPLOAD + 1],
            413,
            "VIS_03",
        ),
    ];
    for (name, path, file, status, code) in cases {
        let response = stack.upload(path, file, &[]).await;
        let body = assert_problem(response, status, code).await;
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{name}: {body}"
        );
    }
    assert_eq!(stack.gemini.calls(), 0, "nothing refused reached Gemini");
}

#[tokio::test]
async fn bad_uploads_are_refused_before_any_reading_on_sqlite() {
    refusals_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn bad_uploads_are_refused_before_any_reading_on_postgres() {
    refusals_on(Backend::Postgres).await;
}

#[tokio::test]
async fn a_request_without_its_file_is_a_clear_400_in_the_callers_language() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let form = Form::new().text("note", "pas de fichier");
    let body = assert_problem(
        stack.post_form("/vision/invoice", form, &[]).await,
        400,
        "VIS_01",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("Joignez"),
        "{body}"
    );
    let response = stack
        .http
        .post(format!("{}/vision/invoice", stack.base))
        .header("X-authentik-username", "c.bouchard")
        .header("X-authentik-groups", "accounting")
        .header("Accept-Language", "en-CA")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    let body = assert_problem(response, 400, "VIS_01").await;
    assert!(
        body["detail"].as_str().unwrap().contains("Attach"),
        "{body}"
    );
}

#[tokio::test]
async fn malformed_idempotency_keys_are_refused() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let too_long = "k".repeat(256);
    for key in ["", "with space", too_long.as_str()] {
        let response = stack
            .upload(
                "/vision/invoice",
                bad::pdf_pages(1),
                &[("Idempotency-Key", key)],
            )
            .await;
        assert_problem(response, 422, "VIS_09").await;
    }
    assert_eq!(stack.gemini.calls(), 0);
}

#[tokio::test]
async fn who_may_read_what() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let file = || ocr_fixtures::png(&image::RgbImage::new(8, 8));
    let outsider = [
        ("X-authentik-username", "v.roy"),
        ("X-authentik-groups", "sales"),
    ];
    assert_problem(
        stack.upload("/vision/invoice", file(), &outsider).await,
        403,
        "VIS_14",
    )
    .await;
    let tech = format!("Bearer {}", stack.tech_token("TECH-014"));
    let as_tech = [("Authorization", tech.as_str())];
    assert_problem(
        stack.upload("/vision/invoice", file(), &as_tech).await,
        403,
        "VIS_14",
    )
    .await;
    let forged = format!("Bearer {}x", stack.tech_token("TECH-014"));
    let forged = [("Authorization", forged.as_str())];
    assert_problem(
        stack.upload("/vision/equipment", file(), &forged).await,
        401,
        "VIS_13",
    )
    .await;
    let basic = [("Authorization", "Basic dXNlcjpwYXNz")];
    assert_problem(
        stack.upload("/vision/equipment", file(), &basic).await,
        401,
        "VIS_13",
    )
    .await;
    assert_problem(
        stack.get("/vision/jobs/nope", &as_tech).await,
        404,
        "VIS_11",
    )
    .await;
    assert_eq!(stack.gemini.calls(), 0);
}

#[tokio::test]
async fn a_multipart_part_is_never_buffered_past_the_limit() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let form = Form::new()
        .part("other", Part::bytes(vec![b'a'; MAX_UPLOAD]))
        .part("file", Part::bytes(bad::pdf_pages(1)));
    assert_problem(
        stack.post_form("/vision/invoice", form, &[]).await,
        413,
        "VIS_03",
    )
    .await;
}
