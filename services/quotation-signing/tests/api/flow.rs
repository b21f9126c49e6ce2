//! The signature path end to end: staff send a quotation, the customer signs on the DocuSeal
//! stand-in's page, its webhook (with the secret header) accepts the quote once: a submitted Sales
//! Order, one Subscription per recurring item, the signed PDF attached, the audit record,
//! `quotation.quote.accepted` and the confirmation email. Then: the same webhook again, late
//! events, five deliveries at once, a decline and an expiry.

use serde_json::{Value, json};
use shared::events::{EmailSend, QuoteAccepted, SmsSend};

use crate::helpers::{BUNDLE, Backend, MARIE, RECURRING_ONLY, Stack};
use crate::on_both_databases;

async fn a_signed_quote_becomes_an_order_with_its_subscriptions(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let url = stack.sent_to_sign(BUNDLE).await;
    assert!(url.starts_with(&format!("{}/s/", stack.docuseal)), "{url}");
    let quotation: Value = stack.erp.client().get("Quotation", BUNDLE).await.unwrap();
    assert_eq!(quotation["custom_docuseal_signing_url"], url);
    assert_eq!(quotation["custom_quote_type"], "signature");
    let emails = stack.sent::<EmailSend>(1).await;
    assert_eq!(emails[0].subject, "Votre soumission Gigafibre à signer");
    assert!(emails[0].text.contains(&url));
    assert_eq!(stack.sent::<SmsSend>(1).await.len(), 1);

    let signed = docuseal_sandbox::fixtures::sign(&url, "Marie Tremblay")
        .await
        .unwrap();
    assert!(signed.status().is_success() || signed.status().is_redirection());
    let status = stack.wait_status(BUNDLE, "accepted").await;
    let orders = stack.orders_of(BUNDLE).await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    let order = orders[0]["name"].as_str().unwrap();
    assert_eq!(status["sales_order"], order);
    assert_eq!(orders[0]["customer"], MARIE);
    let subscriptions = stack
        .erp_list("Subscription", "custom_quotation", BUNDLE)
        .await;
    assert_eq!(
        subscriptions.len(),
        3,
        "FIBRE-1G, TV-BASE and STATIC-IP recur"
    );
    let files = stack.erp_list("File", "attached_to_name", order).await;
    assert_eq!(files.len(), 1);
    let pdf = stack
        .erp
        .client()
        .download_file(files[0]["file_url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    let steps: Vec<&str> = status["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps.first(), Some(&"sent"));
    assert_eq!(steps.last(), Some(&"accepted"));
    assert!(
        steps.contains(&"viewed") && steps.contains(&"signed"),
        "{steps:?}"
    );
    let audit = &status["acceptance"];
    assert_eq!(audit["method"], "signature");
    assert_eq!(audit["signer_name"], "Marie Tremblay");
    assert_eq!(audit["user_agent"], docuseal_sandbox::fixtures::USER_AGENT);
    assert!(audit["ip"].as_str().is_some_and(|ip| !ip.is_empty()));
    assert!(audit["audit_log_url"].as_str().is_some());

    let facts = stack.sent::<QuoteAccepted>(1).await;
    assert_eq!(facts.len(), 1);
    assert_eq!(
        (facts[0].sales_order.as_str(), facts[0].subscriptions.len()),
        (order, 3)
    );
    assert_eq!(facts[0].method, "signature");
    let emails = stack.sent::<EmailSend>(2).await;
    assert_eq!(emails[1].subject, "Votre commande Gigafibre est confirmée");
    assert!(emails[1].text.contains(order));
    stack.cleanup().await;
}

/// A form.completed for the envelope of `generated`, as DocuSeal would send it.
fn completed(envelope: &str, submitter: u64) -> Value {
    json!({"event_type": "form.completed", "timestamp": "2026-12-07T15:00:00.000Z",
        "data": {"id": submitter, "submission_id": envelope.parse::<u64>().unwrap(),
                 "email": "emily@example.ca", "name": "Emily Smith", "ip": "203.0.113.7",
                 "ua": "Mozilla/5.0 (test)", "status": "completed",
                 "completed_at": "2026-12-07T14:59:58.000Z", "documents": []}})
}

/// The same form.completed five times at once, then again, then a late form.viewed and a
/// form.declined for the same submitter: one acceptance, one Sales Order, one event.
async fn the_same_signature_many_times_and_late_events_accept_once(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let generated: Value = stack
        .generate(RECURRING_ONLY, "signature")
        .await
        .json()
        .await
        .unwrap();
    let envelope = generated["envelope_id"].as_str().unwrap().to_owned();
    let event = completed(&envelope, 4242);
    let answers = futures::future::join_all((0..5).map(|_| stack.deliver(&event))).await;
    assert!(answers.iter().all(|a| a.status() == 200));
    stack.wait_status(RECURRING_ONLY, "accepted").await;
    assert_eq!(stack.deliver(&event).await.status(), 200);
    let mut late = event.clone();
    late["event_type"] = json!("form.viewed");
    assert_eq!(stack.deliver(&late).await.status(), 200);
    late["event_type"] = json!("form.declined");
    assert_eq!(stack.deliver(&late).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let status = stack.wait_status(RECURRING_ONLY, "accepted").await;
    assert_eq!(stack.orders_of(RECURRING_ONLY).await.len(), 1);
    assert_eq!(
        stack
            .erp_list("Subscription", "custom_quotation", RECURRING_ONLY)
            .await
            .len(),
        2
    );
    assert_eq!(stack.sent::<QuoteAccepted>(2).await.len(), 1);
    let history = status["history"].as_array().unwrap();
    assert!(
        history.iter().any(|h| h["detail"] == "form.declined"),
        "{history:?}"
    );
    assert_eq!(status["acceptance"]["ip"], "203.0.113.7");
    stack.cleanup().await;
}

/// A declined quote says so; staff may send it again, with a new submission.
async fn a_declined_quote_can_be_sent_again(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let url = stack.sent_to_sign(RECURRING_ONLY).await;
    docuseal_sandbox::fixtures::decline(&url, "Trop cher")
        .await
        .unwrap();
    let status = stack.wait_status(RECURRING_ONLY, "declined").await;
    let last = status["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["detail"], "form.declined: Trop cher");
    let again = stack.sent_to_sign(RECURRING_ONLY).await;
    assert_ne!(again, url);
    stack.wait_status(RECURRING_ONLY, "sent").await;
    stack.cleanup().await;
}

/// DocuSeal expires the submission: the quote is expired and can no longer be signed.
async fn an_expired_submission_expires_the_quote(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let generated: Value = stack
        .generate(RECURRING_ONLY, "signature")
        .await
        .json()
        .await
        .unwrap();
    let id: i64 = generated["envelope_id"].as_str().unwrap().parse().unwrap();
    docuseal_sandbox::fixtures::expire(&stack.docuseal, &stack.docuseal_key, id)
        .await
        .unwrap();
    stack.wait_status(RECURRING_ONLY, "expired").await;
    let url = generated["url"].as_str().unwrap();
    assert!(
        docuseal_sandbox::fixtures::sign(url, "Emily")
            .await
            .is_err()
    );
    let again = stack.generate(RECURRING_ONLY, "signature").await;
    crate::helpers::assert_problem(again, 409, "QUO_10").await;
    stack.cleanup().await;
}

on_both_databases!(a_signed_quote_becomes_an_order_with_its_subscriptions);
on_both_databases!(the_same_signature_many_times_and_late_events_accept_once);
on_both_databases!(a_declined_quote_can_be_sent_again);
on_both_databases!(an_expired_submission_expires_the_quote);
