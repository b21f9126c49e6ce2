//! Every refusal, as problem+json with its code, nothing sent or changed. Bad input tried: an
//! expired, a cancelled, a draft and an unknown quotation, one whose items lack a billing
//! frequency (named), an already accepted one, a body with an unknown field or not JSON, a caller
//! who is not staff; a customer token on another customer's quote (status, print, QR, confirm:
//! the same 404 as a missing one); a forged webhook for a real envelope.

use serde_json::{Value, json};
use shared::events::EmailSend;

use crate::helpers::{
    BUNDLE, Backend, CANCELLED, DRAFT, EMILY, EXPIRED, MARIE, NO_FREQUENCY, RECURRING_ONLY, Stack,
    assert_problem,
};
use crate::on_both_databases;

async fn quotations_that_cannot_be_sent_are_refused(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    assert_problem(stack.generate(EXPIRED, "signature").await, 409, "QUO_10").await;
    assert_problem(stack.generate(CANCELLED, "signature").await, 409, "QUO_11").await;
    assert_problem(stack.generate(DRAFT, "click").await, 422, "QUO_17").await;
    assert_problem(
        stack.generate("SAL-QTN-2026-99999", "signature").await,
        404,
        "QUO_14",
    )
    .await;
    let body = assert_problem(
        stack.generate(NO_FREQUENCY, "signature").await,
        422,
        "QUO_13",
    )
    .await;
    assert_eq!(body["items"], json!(["CABLE-30M"]));
    assert!(body["detail"].as_str().unwrap().contains("CABLE-30M"));
    let anonymous = stack
        .post("/accept/generate", None, json!({"quotation": BUNDLE}))
        .await;
    assert_problem(anonymous, 403, "QUO_06").await;
    for body in [
        json!({"quotation": BUNDLE, "quote_type": "fax"}),
        json!({"quotation": BUNDLE, "extra": 1}),
        json!({"quote_type": "click"}),
    ] {
        let odd = stack
            .http
            .post(format!("{}/accept/generate", stack.base))
            .header("X-authentik-username", "vendeur.lee")
            .header("X-authentik-groups", "sales")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(odd.status(), 422, "{body}");
    }
    let outsider = stack
        .http
        .post(format!("{}/accept/generate", stack.base))
        .header("X-authentik-username", "tech.bo")
        .header("X-authentik-groups", "technicians")
        .json(&json!({"quotation": BUNDLE}))
        .send()
        .await
        .unwrap();
    assert_problem(outsider, 403, "QUO_06").await;
    assert!(stack.sent::<EmailSend>(0).await.is_empty());
    stack.cleanup().await;
}

async fn an_accepted_quote_cannot_be_sent_or_accepted_again(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let url = stack.sent_to_sign(BUNDLE).await;
    docuseal_sandbox::fixtures::sign(&url, "Marie Tremblay")
        .await
        .unwrap();
    stack.wait_status(BUNDLE, "accepted").await;
    assert_problem(stack.generate(BUNDLE, "signature").await, 409, "QUO_12").await;
    let marie = stack.token(MARIE).await;
    let again = stack
        .post(
            "/accept/confirm",
            Some(&marie),
            json!({"quotation": BUNDLE}),
        )
        .await;
    let body = assert_problem(again, 409, "QUO_12").await;
    assert_eq!(body["detail"], "Cette soumission est déjà acceptée.");
    stack.cleanup().await;
}

async fn a_customer_sees_only_their_own_quotes(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    stack.sent_to_sign(BUNDLE).await;
    let emily = stack.token(EMILY).await;
    for path in ["status", "print", "qr.svg", "qr.png"] {
        let answer = stack
            .get(&format!("/accept/{BUNDLE}/{path}"), Some(&emily))
            .await;
        assert_problem(answer, 404, "QUO_14").await;
        let missing = stack
            .get(&format!("/accept/SAL-QTN-2026-99999/{path}"), Some(&emily))
            .await;
        assert_problem(missing, 404, "QUO_14").await;
    }
    let confirm = stack
        .post(
            "/accept/confirm",
            Some(&emily),
            json!({"quotation": BUNDLE}),
        )
        .await;
    assert_problem(confirm, 404, "QUO_14").await;
    let listed: Value = stack
        .get("/accept/quotes", Some(&emily))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["quotes"], json!([]));
    assert_problem(
        stack.get("/accept/quotes", Some("not-a-token")).await,
        401,
        "QUO_03",
    )
    .await;
    assert_problem(stack.get("/accept/quotes", None).await, 401, "QUO_03").await;
    let marie = stack.token(MARIE).await;
    let listed: Value = stack
        .get("/accept/quotes", Some(&marie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["quotes"][0]["quote"]["quotation"], BUNDLE);
    assert_eq!(listed["quotes"][0]["status"], "sent");
    assert!(listed["quotes"][0]["signing_url"].as_str().is_some());
    stack.cleanup().await;
}

/// A webhook with the wrong secret for a real envelope is refused and changes nothing.
async fn a_forged_signature_changes_nothing(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let generated: Value = stack
        .generate(RECURRING_ONLY, "signature")
        .await
        .json()
        .await
        .unwrap();
    let envelope: u64 = generated["envelope_id"].as_str().unwrap().parse().unwrap();
    let forged = json!({"event_type": "form.completed", "timestamp": "2026-12-07T15:00:00Z",
        "data": {"id": 1, "submission_id": envelope, "status": "completed"}});
    for secret in [None, Some("secret-of-an-attacker-0123456789")] {
        let mut request = stack
            .http
            .post(format!("{}/accept/docuseal-webhook", stack.base))
            .json(&forged);
        if let Some(secret) = secret {
            request = request.header("X-Docuseal-Secret", secret);
        }
        assert_problem(request.send().await.unwrap(), 401, "QUO_01").await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    stack.wait_status(RECURRING_ONLY, "sent").await;
    assert!(stack.orders_of(RECURRING_ONLY).await.is_empty());
    stack.cleanup().await;
}

/// Staff reach the print page and the QR codes; before sending there is no QR.
async fn the_printed_quote_carries_its_qr_code(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let page = stack.get_as_staff(&format!("/accept/{BUNDLE}/print")).await;
    assert_eq!(page.status(), 200);
    assert!(!page.text().await.unwrap().contains("<svg"));
    assert_problem(
        stack
            .get_as_staff(&format!("/accept/{BUNDLE}/qr.svg"))
            .await,
        409,
        "QUO_15",
    )
    .await;
    stack.sent_to_sign(BUNDLE).await;
    let page = stack.get_as_staff(&format!("/accept/{BUNDLE}/print")).await;
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("<svg") && html.contains("Soumission") && html.contains("TVQ"));
    let png = stack
        .get_as_staff(&format!("/accept/{BUNDLE}/qr.png"))
        .await;
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let marie = stack.token(MARIE).await;
    let svg = stack
        .get(&format!("/accept/{BUNDLE}/qr.svg"), Some(&marie))
        .await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    stack.cleanup().await;
}

on_both_databases!(quotations_that_cannot_be_sent_are_refused);
on_both_databases!(an_accepted_quote_cannot_be_sent_or_accepted_again);
on_both_databases!(a_customer_sees_only_their_own_quotes);
on_both_databases!(a_forged_signature_changes_nothing);
on_both_databases!(the_printed_quote_carries_its_qr_code);
