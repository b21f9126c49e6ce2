//! The click path: a quote that needs no signature, sent with a logged-in portal link, accepted by
//! the customer with one click: the consent recorded with their address and browser, the Sales
//! Order and Subscriptions made at once, once, whatever the clicks.

use serde_json::{Value, json};
use shared::events::{EmailSend, QuoteAccepted, SmsSend};

use crate::helpers::{
    BUNDLE, Backend, EMILY, MARIE, PORTAL_URL, RECURRING_ONLY, Stack, assert_problem,
};
use crate::on_both_databases;

async fn a_click_quote_is_accepted_with_one_click(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let answer = stack.generate(RECURRING_ONLY, "click").await;
    assert_eq!(answer.status(), 200);
    let generated: Value = answer.json().await.unwrap();
    assert_eq!(generated["url"], format!("{PORTAL_URL}/#/soumissions"));
    assert_eq!(generated["envelope_id"], Value::Null);
    let email = &stack.sent::<EmailSend>(1).await[0];
    assert_eq!(email.subject, "Your Gigafibre quote to accept");
    assert!(
        email
            .text
            .contains(&format!("{PORTAL_URL}/#/soumissions?token=")),
        "{}",
        email.text
    );
    let sms = &stack.sent::<SmsSend>(1).await[0];
    assert!(
        sms.body.contains("/portal/l/"),
        "an SMS carries a short link: {}",
        sms.body
    );

    let emily = stack.token(EMILY).await;
    let listed: Value = stack
        .get("/accept/quotes", Some(&emily))
        .await
        .json()
        .await
        .unwrap();
    let quote = &listed["quotes"][0];
    assert_eq!(
        (quote["status"].as_str(), quote["quote_type"].as_str()),
        (Some("sent"), Some("click"))
    );
    assert_eq!(quote["signing_url"], Value::Null);
    assert_eq!(quote["quote"]["recurring"].as_array().unwrap().len(), 2);
    assert_eq!(quote["quote"]["grand_total_cents"], 11498);

    let clicks = futures::future::join_all((0..3).map(|_| {
        stack
            .http
            .post(format!("{}/accept/confirm", stack.base))
            .bearer_auth(&emily)
            .header("User-Agent", "Firefox/140 (test)")
            .header("Accept-Language", "en-CA,en;q=0.9")
            .json(&json!({"quotation": RECURRING_ONLY}))
            .send()
    }))
    .await;
    let mut accepted = 0;
    for click in clicks {
        let click = click.unwrap();
        match click.status().as_u16() {
            200 => {
                let body: Value = click.json().await.unwrap();
                assert_eq!(body["status"], "accepted");
                accepted += 1;
            }
            _ => {
                let body = assert_problem(click, 409, "QUO_12").await;
                assert!(
                    body["detail"]
                        .as_str()
                        .unwrap()
                        .starts_with("This quote is already")
                );
            }
        }
    }
    assert_eq!(accepted, 1);
    let status: Value = stack
        .get(&format!("/accept/{RECURRING_ONLY}/status"), Some(&emily))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "accepted");
    assert_eq!(status["acceptance"]["method"], "click");
    assert_eq!(status["acceptance"]["user_agent"], "Firefox/140 (test)");
    assert_eq!(status["acceptance"]["ip"], "127.0.0.1");
    assert!(
        status["history"][0]["detail"].is_null(),
        "customers do not see staff's notes"
    );
    assert_eq!(stack.orders_of(RECURRING_ONLY).await.len(), 1);
    assert_eq!(
        stack
            .erp_list("Subscription", "custom_quotation", RECURRING_ONLY)
            .await
            .len(),
        2
    );
    let facts = stack.sent::<QuoteAccepted>(1).await;
    assert_eq!((facts.len(), facts[0].method.as_str()), (1, "click"));
    stack.cleanup().await;
}

/// A signature quote cannot be clicked through, and a quote never sent cannot be accepted.
async fn only_a_sent_click_quote_can_be_clicked(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let marie = stack.token(MARIE).await;
    let never_sent = stack
        .post(
            "/accept/confirm",
            Some(&marie),
            json!({"quotation": BUNDLE}),
        )
        .await;
    let body = assert_problem(never_sent, 409, "QUO_15").await;
    assert_eq!(
        body["detail"],
        "Cette soumission n'a pas encore été envoyée."
    );
    stack.sent_to_sign(BUNDLE).await;
    let to_sign = stack
        .post(
            "/accept/confirm",
            Some(&marie),
            json!({"quotation": BUNDLE}),
        )
        .await;
    assert_problem(to_sign, 409, "QUO_15").await;
    let unknown_field = stack
        .post(
            "/accept/confirm",
            Some(&marie),
            json!({"quotation": BUNDLE, "signed": true}),
        )
        .await;
    assert_eq!(unknown_field.status(), 422);
    assert!(stack.orders_of(BUNDLE).await.is_empty());
    stack.cleanup().await;
}

on_both_databases!(a_click_quote_is_accepted_with_one_click);
on_both_databases!(only_a_sent_click_quote_can_be_clicked);
