//! Payment links sent by staff: an email with a logged-in link to the invoices page and an SMS with
//! a short link, in the customer's language. Bad input tried: an unknown customer, another
//! customer's invoice, a paid invoice, an unknown field, no staff identity.

use serde_json::{Value, json};
use shared::events::{EmailSend, SmsSend};

use crate::helpers::{
    Backend, MARIE, MARIE_PAID, MARIE_UNPAID, PORTAL_URL, SOPHIE, Stack, assert_problem,
};

const EMILY: &str = "CUST-2024-00007";

async fn send(stack: &Stack, body: Value) -> reqwest::Response {
    stack
        .post_as_staff("/payments/send-link", "agent.roy", "support", Some(body))
        .await
}

#[tokio::test]
async fn a_payment_link_logs_the_customer_in_by_email_and_by_sms() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let answer = send(&stack, json!({"customer": MARIE, "invoice": MARIE_UNPAID})).await;
    assert_eq!(answer.status(), 200);
    let sent: Value = answer.json().await.unwrap();
    assert_eq!(
        (sent["email"].as_bool(), sent["sms"].as_bool()),
        (Some(true), Some(true))
    );
    let emails: Vec<EmailSend> = stack.sent(1).await;
    let email = emails
        .iter()
        .find(|e| e.template == "payments.payment_link")
        .unwrap();
    assert_eq!(email.subject, "Payez votre facture Gigafibre en ligne");
    assert!(
        email.text.contains(&format!("la facture {MARIE_UNPAID}")),
        "{}",
        email.text
    );
    let prefix = format!("{PORTAL_URL}/#/factures?token=");
    let token = email
        .text
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap();
    assert_eq!(stack.whose(token).await.as_deref(), Some(MARIE));
    let sms: Vec<SmsSend> = stack.sent(1).await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].to, "+15145550147");
    let code = sms[0].body.rsplit("/portal/l/").next().unwrap();
    let followed = stack
        .http
        .get(format!("{}/portal/l/{code}", stack.portal_auth))
        .send()
        .await
        .unwrap();
    let location = followed.headers()["location"].to_str().unwrap();
    let from_sms = location.split("token=").nth(1).unwrap();
    assert_eq!(stack.whose(from_sms).await.as_deref(), Some(MARIE));
}

#[tokio::test]
async fn an_english_customer_gets_an_english_link_to_the_balance() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let answer = send(&stack, json!({"customer": EMILY})).await;
    assert_eq!(answer.status(), 200);
    let emails: Vec<EmailSend> = stack.sent(1).await;
    assert_eq!(emails[0].subject, "Pay your Gigafibre bill online");
    assert!(
        emails[0].text.contains("your balance ($"),
        "{}",
        emails[0].text
    );
    assert!(emails[0].text.contains(&format!("{PORTAL_URL}/#/?token=")));
}

#[tokio::test]
async fn bad_payment_links_are_refused_and_send_nothing() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    for (body, status, code) in [
        (json!({"customer": "CUST-2099-99999"}), 404, Some("PAY_14")),
        (
            json!({"customer": SOPHIE, "invoice": MARIE_UNPAID}),
            404,
            Some("PAY_14"),
        ),
        (
            json!({"customer": MARIE, "invoice": MARIE_PAID}),
            409,
            Some("PAY_10"),
        ),
        (json!({"customer": MARIE, "amount": 5}), 422, None),
    ] {
        let answer = send(&stack, body.clone()).await;
        match code {
            Some(code) => assert_problem(answer, status, code).await,
            None => assert_eq!(answer.status(), status, "{body}"),
        }
    }
    let anonymous = stack
        .post(
            "/payments/send-link",
            None,
            Some(json!({"customer": MARIE})),
        )
        .await;
    assert_problem(anonymous, 403, "PAY_06").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(stack.events().is_empty());
}
