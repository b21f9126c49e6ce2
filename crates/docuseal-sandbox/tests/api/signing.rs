use docuseal_sandbox::fixtures;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Receiver, quote_request, spawn_app, spawn_app_with_receiver};

fn page_url(submitter: &Value) -> String {
    submitter["embed_src"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn opening_the_page_twice_records_opened_at_and_sends_form_viewed_once() {
    let receiver = Receiver::start(0);
    let app = spawn_app_with_receiver(&receiver).await;
    let submitter = app.create_quote().await;
    let html = fixtures::open(&page_url(&submitter)).await.unwrap();
    assert!(html.contains("Soumission Gigafibre"));
    assert!(html.contains("SAL-QTN-2026-00042"));
    assert!(html.contains("1 149,75 $"));
    assert!(html.contains("Signer / Sign"));
    assert!(html.contains("Refuser / Decline"));
    fixtures::open(&page_url(&submitter)).await.unwrap();

    let viewed = receiver.wait_for("form.viewed", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(receiver.of_type("form.viewed").len(), 1);
    let data = &viewed[0].json()["data"];
    assert_eq!(data["id"], submitter["id"]);
    assert_eq!(data["status"], "opened");
    assert!(data["opened_at"].is_string());
    let read = app
        .get_json(&format!("/api/submitters/{}", submitter["id"]))
        .await;
    assert_eq!(read["status"], "opened");
    assert_eq!(read["submission_events"][0]["event_type"], "view_form");
}

#[tokio::test]
async fn signing_completes_the_submitter_and_the_submission_with_pdfs() {
    let receiver = Receiver::start(0);
    let app = spawn_app_with_receiver(&receiver).await;
    let submitter = app.create_quote().await;
    let signed = fixtures::sign(&page_url(&submitter), "Marie Tremblay")
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::OK);
    assert!(signed.text().await.unwrap().contains("Merci"));

    receiver.wait_for("form.started", 1).await;
    let completed = receiver.wait_for("form.completed", 1).await;
    let data = &completed[0].json()["data"];
    assert_eq!(data["id"], submitter["id"]);
    assert_eq!(data["submission_id"], submitter["submission_id"]);
    assert_eq!(data["status"], "completed");
    assert_eq!(data["name"], "Marie Tremblay");
    assert_eq!(data["email"], "marie@example.ca");
    assert_eq!(data["ip"], "127.0.0.1");
    assert_eq!(data["ua"], fixtures::USER_AGENT);
    assert_eq!(data["external_id"], "SAL-QTN-2026-00042");
    assert_eq!(data["metadata"]["quotation"], "SAL-QTN-2026-00042");
    assert!(data["completed_at"].is_string());
    assert_eq!(data["decline_reason"], Value::Null);
    assert_eq!(data["template"]["id"], 1);
    assert_eq!(data["submission"]["id"], submitter["submission_id"]);
    assert_eq!(data["submission"]["status"], "completed");
    let values = data["values"].as_array().unwrap();
    assert_eq!(
        values[0],
        json!({"field": "Soumission", "value": "SAL-QTN-2026-00042"})
    );
    assert_eq!(values[3]["field"], "Signature");
    assert!(values[3]["value"].as_str().unwrap().contains("/file/"));
    assert_eq!(data["documents"][0]["name"], "Soumission Gigafibre");

    let document = app
        .http
        .get(data["documents"][0]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(document.status(), StatusCode::OK);
    assert_eq!(document.headers()["content-type"], "application/pdf");
    let pdf = document.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("Marie Tremblay"));
    assert!(text.contains("SAL-QTN-2026-00042"));
    // Parentheses are escaped in a PDF string.
    assert!(text.contains("Date \\(UTC\\): 20"));

    let whole = receiver.wait_for("submission.completed", 1).await;
    let submission = &whole[0].json()["data"];
    assert_eq!(submission["id"], submitter["submission_id"]);
    assert_eq!(submission["status"], "completed");
    assert_eq!(submission["documents"], data["documents"]);

    let read = app.submission(&submitter["submission_id"]).await;
    assert_eq!(read["status"], "completed");
    let audit = app
        .http
        .get(read["audit_log_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(audit.bytes().await.unwrap().starts_with(b"%PDF"));
    assert_eq!(data["audit_log_url"], read["audit_log_url"]);
    let preview = app
        .http
        .get(data["submission_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    assert!(preview.text().await.unwrap().contains("completed"));
}

#[tokio::test]
async fn signing_redirects_to_the_completed_redirect_url() {
    let app = spawn_app().await;
    let mut body = quote_request();
    body["completed_redirect_url"] = json!("http://127.0.0.1:9/portail/#/soumissions");
    let submitter = app.create_quote_with(body).await;
    let signed = fixtures::sign(&page_url(&submitter), "Marie Tremblay")
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        signed.headers()["location"],
        "http://127.0.0.1:9/portail/#/soumissions"
    );
}

#[tokio::test]
async fn a_completed_page_refuses_a_second_signing() {
    let app = spawn_app().await;
    let submitter = app.create_quote().await;
    let url = page_url(&submitter);
    let token = fixtures::page_token(&fixtures::open(&url).await.unwrap()).unwrap();
    fixtures::sign(&url, "Marie Tremblay").await.unwrap();

    let page = app.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::CONFLICT);
    assert!(page.text().await.unwrap().contains("déjà signé"));
    let again = app
        .http
        .post(format!("{url}/complete"))
        .form(&[
            ("authenticity_token", token.as_str()),
            ("name", "Quelqu'un d'autre"),
            ("signature", "Quelqu'un d'autre"),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let read = app
        .get_json(&format!("/api/submitters/{}", submitter["id"]))
        .await;
    assert_eq!(read["name"], "Marie Tremblay");
}

#[tokio::test]
async fn declining_sends_form_declined_with_the_reason() {
    let receiver = Receiver::start(0);
    let app = spawn_app_with_receiver(&receiver).await;
    let submitter = app.create_quote().await;
    let declined = fixtures::decline(&page_url(&submitter), "Le prix est trop élevé")
        .await
        .unwrap();
    assert_eq!(declined.status(), StatusCode::SEE_OTHER);

    let events = receiver.wait_for("form.declined", 1).await;
    let data = &events[0].json()["data"];
    assert_eq!(data["status"], "declined");
    assert_eq!(data["decline_reason"], "Le prix est trop élevé");
    assert!(data["declined_at"].is_string());
    assert_eq!(data["submission"]["status"], "declined");
    let read = app.submission(&submitter["submission_id"]).await;
    assert_eq!(read["status"], "declined");
    let page = app.http.get(page_url(&submitter)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::CONFLICT);
    assert!(
        fixtures::sign(&page_url(&submitter), "Marie")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_post_without_the_page_token_or_consent_is_refused() {
    let app = spawn_app().await;
    let submitter = app.create_quote().await;
    let url = page_url(&submitter);
    let forged = app
        .http
        .post(format!("{url}/complete"))
        .form(&[
            ("authenticity_token", "forged"),
            ("name", "M"),
            ("signature", "M"),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let token = fixtures::page_token(&fixtures::open(&url).await.unwrap()).unwrap();
    let no_consent = app
        .http
        .post(format!("{url}/complete"))
        .form(&[
            ("authenticity_token", token.as_str()),
            ("name", "Marie"),
            ("signature", "Marie"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(no_consent.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_consent.text().await.unwrap().contains("consentement"));
    let read = app.submission(&submitter["submission_id"]).await;
    assert_eq!(read["status"], "pending");
}

#[tokio::test]
async fn an_unknown_page_is_not_found() {
    let app = spawn_app().await;
    let page = app
        .http
        .get(format!("{}/s/nope", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_signature_drawn_on_the_canvas_is_stored_as_a_png() {
    let app = spawn_app().await;
    let submitter = app.create_quote().await;
    let url = page_url(&submitter);
    let token = fixtures::page_token(&fixtures::open(&url).await.unwrap()).unwrap();
    let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let signed = app
        .http
        .post(format!("{url}/complete"))
        .form(&[
            ("authenticity_token", token.as_str()),
            ("name", "Marie Tremblay"),
            ("signature", ""),
            ("signature_image", png),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::OK);
    let read = app
        .get_json(&format!("/api/submitters/{}", submitter["id"]))
        .await;
    let image_url = read["values"][3]["value"].as_str().unwrap();
    assert!(image_url.ends_with("/signature.png"), "{image_url}");
    let image = app.http.get(image_url).send().await.unwrap();
    assert_eq!(image.headers()["content-type"], "image/png");
    assert!(image.bytes().await.unwrap().starts_with(b"\x89PNG"));
}
