//! Auto-pay by bank debit (`acss_debit`), black-box: enrolment through the Stripe stand-in's PAD
//! page (French agreement first), a run debiting a due invoice (`processing`, then settled by the
//! stand-in and booked once when `payment_intent.succeeded` arrives), the failing test account
//! ending in a decline tried again later, a mandate made inactive stopping the debits.
//! Bad input tried: `{"method": "acss_debit", "payment_method": "pm_…"}`, `{"method":
//! "acss_debit", "mandate": "mandate_…"}` (an unknown field: another customer's mandate cannot be
//! named), `{"method": "acss_debit", "enabled": false}`; a forged `setup_intent.succeeded` naming
//! a SetupIntent Stripe does not have, with this customer's Stripe id in its body; a forged
//! `mandate.updated` saying `inactive` of a mandate Stripe says is active. Customers of an odd
//! type or language (no type, `Partnership`, a language neither `fr` nor `en`) get a personal
//! mandate in French: `checkout::tests::a_bank_mandate_is_business_for_a_company_and_personal_otherwise`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Backend, COMPANY, MARIE, MARIE_UNPAID, SOPHIE, Stack};
use crate::ppa::{DAY, intents, put_ppa, run, stripe_customer};

const ACCOUNT_OK: &str = "000123456789";
const ACCOUNT_NSF: &str = "000222222227";

/// A customer enrolled by bank debit: their token, Stripe customer, and the enrolment's view.
struct Enrolled {
    token: String,
    stripe_customer: String,
    view: Value,
}

/// Asks for the mandate's page, accepts the agreement with `account` on it, and waits for the
/// enrolment the processor records.
async fn enrol_by_bank(stack: &Stack, customer: &str, account: &str) -> Enrolled {
    let token = stack.token(customer).await;
    let stripe_customer = stripe_customer(stack, &token).await;
    let page = mandate_page(stack, &token).await;
    let html = stack
        .http
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (fr, en) = (
        html.find("agreement-fr").unwrap(),
        html.find("agreement-en").unwrap(),
    );
    assert!(fr < en, "the French agreement first");
    assert!(html.contains("Mensuellement, à l’échéance de chaque facture Gigafibre"));
    let accepted = stack
        .http
        .post(&page)
        .form(&[
            ("institution_number", "000"),
            ("transit_number", "11000"),
            ("account_number", account),
            ("accept", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 303);
    let view = wait_enrolment(stack, &token, |v| v["enrolled"] == true).await;
    Enrolled {
        token,
        stripe_customer,
        view,
    }
}

/// `PUT /payments/ppa {"method": "acss_debit"}`: the URL of the mandate's page.
async fn mandate_page(stack: &Stack, token: &str) -> String {
    let answer = put_ppa(stack, token, json!({"method": "acss_debit"})).await;
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    body["url"].as_str().unwrap().to_owned()
}

async fn wait_enrolment(stack: &Stack, token: &str, done: impl Fn(&Value) -> bool) -> Value {
    testkit::poll_until(Duration::from_secs(15), || async {
        let view: Value = stack
            .get("/payments/ppa", Some(token))
            .await
            .json()
            .await
            .ok()?;
        done(&view).then_some(view)
    })
    .await
    .expect("the enrolment did not change in time")
}

async fn a_bank_debit_is_processing_then_booked_once(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let marie = enrol_by_bank(&stack, MARIE, ACCOUNT_OK).await;
    let view = &marie.view;
    assert_eq!(
        (
            view["method"].as_str(),
            view["status"].as_str(),
            view["last4"].as_str()
        ),
        (Some("acss_debit"), Some("active"), Some("6789"))
    );
    let mandate = view["mandate"].as_str().unwrap();
    let terms = stack.stripe_get(&format!("/v1/mandates/{mandate}")).await;
    let terms = &terms["payment_method_details"]["acss_debit"];
    assert_eq!(
        (
            terms["transaction_type"].as_str(),
            terms["payment_schedule"].as_str()
        ),
        (Some("personal"), Some("interval"))
    );
    let summary = run(&stack, &format!("date={DAY}")).await;
    assert_eq!(
        (summary["processing"].as_u64(), summary["charged"].as_u64()),
        (Some(1), Some(0)),
        "{summary}"
    );
    assert_eq!(summary["charges"][0]["outcome"], "processing");
    stack.wait_paid(MARIE_UNPAID).await;
    let debits = intents(&stack, &marie.stripe_customer).await;
    assert_eq!(debits.len(), 1);
    assert_eq!(debits[0]["status"], "succeeded");
    assert_eq!(debits[0]["payment_method_types"], json!(["acss_debit"]));
    let id = debits[0]["id"].as_str().unwrap();
    assert_eq!(stack.entries_for(id).await.len(), 1);
    let again = run(&stack, &format!("date={DAY}")).await;
    assert_eq!(again["invoices"].as_u64(), Some(0));
    assert_eq!(intents(&stack, &marie.stripe_customer).await.len(), 1);
    stack.cleanup().await;
}

#[tokio::test]
async fn a_bank_debit_is_processing_then_booked_once_on_sqlite() {
    a_bank_debit_is_processing_then_booked_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_bank_debit_is_processing_then_booked_once_on_postgres() {
    a_bank_debit_is_processing_then_booked_once(Backend::Postgres).await;
}

#[tokio::test]
async fn a_debit_returned_for_insufficient_funds_is_a_soft_decline_tried_again() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let sophie = enrol_by_bank(&stack, SOPHIE, ACCOUNT_NSF).await;
    let summary = run(&stack, &format!("date={DAY}")).await;
    assert_eq!(summary["processing"].as_u64(), Some(2), "{summary}");
    // Once the returns are recorded, each invoice's second attempt is due (soft declines).
    let retry = testkit::poll_until(Duration::from_secs(15), || async {
        let dry = run(&stack, &format!("dry_run=true&date={DAY}")).await;
        let attempts: Vec<u64> = dry["charges"]
            .as_array()?
            .iter()
            .filter_map(|c| c["attempt"].as_u64())
            .collect();
        (attempts == [2, 2]).then_some(dry)
    })
    .await;
    assert!(retry.is_some(), "the soft declines are tried again");
    for debit in intents(&stack, &sophie.stripe_customer).await {
        assert_eq!(debit["last_payment_error"]["code"], "insufficient_funds");
    }
    stack.cleanup().await;
}

#[tokio::test]
async fn an_inactive_mandate_stops_the_debits_and_a_company_gets_a_business_mandate() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = enrol_by_bank(&stack, MARIE, ACCOUNT_OK).await;
    // The customer revokes it at the bank: Stripe's mandate becomes inactive (the stand-in does
    // so when the account is detached) and sends mandate.updated.
    let account = marie.view["payment_method"].as_str().unwrap();
    let detached = stack
        .http
        .post(format!(
            "{}/v1/payment_methods/{account}/detach",
            stack.stripe
        ))
        .bearer_auth(secrecy::ExposeSecret::expose_secret(&stack.stripe_key))
        .send()
        .await
        .unwrap();
    assert_eq!(detached.status(), 200);
    let view = wait_enrolment(&stack, &marie.token, |v| v["status"] == "inactive").await;
    assert_eq!(view["enrolled"], false);
    let summary = run(&stack, &format!("date={DAY}")).await;
    assert_eq!(summary["customers"].as_u64(), Some(0), "{summary}");
    assert!(intents(&stack, &marie.stripe_customer).await.is_empty());

    let company = stack.token(COMPANY).await;
    let page = mandate_page(&stack, &company).await;
    let session = page.rsplit('/').next().unwrap();
    let session = stack
        .stripe_get(&format!("/v1/checkout/sessions/{session}"))
        .await;
    let options = &session["payment_method_options"]["acss_debit"]["mandate_options"];
    assert_eq!(options["transaction_type"], "business");
    stack.cleanup().await;
}

#[tokio::test]
async fn bad_bank_enrolments_and_forged_events_change_nothing() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = enrol_by_bank(&stack, MARIE, ACCOUNT_OK).await;
    let sophie = stack.token(SOPHIE).await;
    for body in [
        json!({"method": "acss_debit", "payment_method": "pm_123"}),
        json!({"method": "acss_debit", "mandate": marie.view["mandate"]}),
        json!({"method": "acss_debit", "enabled": false}),
    ] {
        assert_eq!(
            put_ppa(&stack, &sophie, body.clone()).await.status(),
            422,
            "{body}"
        );
    }
    let sophie_stripe = stripe_customer(&stack, &sophie).await;
    let forged = |kind: &str, object: Value| {
        json!({"id": format!("evt_forged_{}", uuid::Uuid::new_v4().simple()), "object": "event",
               "type": kind, "created": chrono::Utc::now().timestamp(), "livemode": false,
               "data": {"object": object}})
    };
    let setup = forged(
        "setup_intent.succeeded",
        json!({"id": "seti_forged", "object": "setup_intent", "status": "succeeded",
               "customer": sophie_stripe, "payment_method": marie.view["payment_method"],
               "mandate": marie.view["mandate"]}),
    );
    let revoked = forged(
        "mandate.updated",
        json!({"id": marie.view["mandate"], "object": "mandate", "status": "inactive"}),
    );
    for event in [&setup, &revoked] {
        assert_eq!(stack.deliver(event).await.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let view: Value = stack
        .get("/payments/ppa", Some(&sophie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["enrolled"], false);
    let view: Value = stack
        .get("/payments/ppa", Some(&marie.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "active");
    stack.cleanup().await;
}
