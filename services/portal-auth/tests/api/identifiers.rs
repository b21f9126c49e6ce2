//! Every identifier form reaches the customer on file; disabled customers get nothing; a shared
//! email reaches each account with its own label and token.

use crate::helpers::{Backend, claims_of, link_token, spawn_app};
use crate::on_both_backends;

const MARIE_EMAIL: &str = "marie.tremblay@example.ca";
const MARIE_CELL: &str = "+15145550147";

async fn an_identifier_reaches_marie(identifier: &str) {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.request_link_for(identifier).await;
    assert_eq!(response.status(), 200, "{identifier}");
    let emails = app.wait_for_emails(MARIE_EMAIL, 1).await;
    let sms = app.wait_for_sms(MARIE_CELL, 1).await;
    assert_eq!(emails[0].customer.as_deref(), Some("CUST-2024-00001"));
    assert_eq!(sms[0].customer.as_deref(), Some("CUST-2024-00001"));
    assert_eq!(
        claims_of(&link_token(&emails[0].text))["sub"],
        "CUST-2024-00001"
    );
}

#[tokio::test]
async fn an_email_in_mixed_case_with_spaces_around_finds_the_customer() {
    an_identifier_reaches_marie("  MARIE.Tremblay@example.CA  ").await;
}

#[tokio::test]
async fn the_customer_name_finds_the_customer() {
    an_identifier_reaches_marie("CUST-2024-00001").await;
}

#[tokio::test]
async fn the_legacy_numeric_id_finds_the_customer() {
    an_identifier_reaches_marie("10001").await;
}

#[tokio::test]
async fn the_phone_as_written_in_the_erp_finds_the_customer() {
    an_identifier_reaches_marie("514 555-0147").await;
}

#[tokio::test]
async fn a_phone_with_parentheses_finds_the_customer() {
    an_identifier_reaches_marie("(514) 555-0147").await;
}

#[tokio::test]
async fn a_phone_with_country_code_and_dashes_finds_the_customer() {
    an_identifier_reaches_marie("+1-514-555-0147").await;
}

#[tokio::test]
async fn a_phone_as_ten_bare_digits_finds_the_customer() {
    an_identifier_reaches_marie("5145550147").await;
}

#[tokio::test]
async fn a_home_phone_sends_the_sms_to_the_number_typed() {
    let app = spawn_app(Backend::Sqlite).await;
    assert_eq!(app.request_link_for("819-555-0178").await.status(), 200);
    let sms = app.wait_for_sms("+18195550178", 1).await;
    assert_eq!(sms[0].customer.as_deref(), Some("CUST-2024-00011"));
    app.wait_for_emails("nathalie.gauthier@example.ca", 1).await;
}

#[tokio::test]
async fn a_billing_email_finds_the_customer() {
    let app = spawn_app(Backend::Sqlite).await;
    let email = app
        .login_email("facturation.cote@example.ca", "facturation.cote@example.ca")
        .await;
    assert_eq!(email.customer.as_deref(), Some("CUST-2024-00004"));
}

async fn a_disabled_customer_gets_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    for identifier in ["CUST-2024-00012", "francois.morin@example.ca", "5815550189"] {
        assert_eq!(app.request_link_for(identifier).await.status(), 200);
    }
    app.wait_until_idle().await;
    assert!(app.envelopes().is_empty(), "{:?}", app.envelopes());
    app.cleanup().await;
}
on_both_backends!(
    a_disabled_customer_gets_nothing_,
    a_disabled_customer_gets_nothing
);

async fn an_unknown_identifier_sends_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    for identifier in ["nobody@example.ca", "514 555 0199", "CUST-1999-00001"] {
        assert_eq!(app.request_link_for(identifier).await.status(), 200);
    }
    app.wait_until_idle().await;
    assert!(app.envelopes().is_empty());
    app.cleanup().await;
}
on_both_backends!(
    an_unknown_identifier_sends_nothing_,
    an_unknown_identifier_sends_nothing
);

async fn a_shared_email_sends_one_labelled_message_per_account(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        app.request_link_for("famille.gagnon@example.ca")
            .await
            .status(),
        200
    );
    let emails = app.wait_for_emails("famille.gagnon@example.ca", 2).await;
    let mut accounts: Vec<_> = emails.iter().filter_map(|m| m.customer.clone()).collect();
    accounts.sort();
    assert_eq!(accounts, ["CUST-2024-00002", "CUST-2024-00003"]);
    for m in &emails {
        let account = m.customer.as_deref().unwrap();
        assert!(m.text.contains(account), "label missing in {}", m.text);
        assert!(m.html.contains(account), "label missing in the HTML");
        assert_eq!(claims_of(&link_token(&m.text))["sub"], account);
    }
    assert_ne!(link_token(&emails[0].text), link_token(&emails[1].text));
    app.cleanup().await;
}
on_both_backends!(
    a_shared_email_sends_one_labelled_message_per_account_,
    a_shared_email_sends_one_labelled_message_per_account
);
