//! A charge left pending by a crash is replayed under its idempotency key; Stripe forgets keys after
//! 24 hours, so a replay first looks for the attempt's succeeded PaymentIntent at Stripe and, finding
//! it, records it instead of charging again. The Stripe stand-in keeps keys for good: its key table
//! is emptied here to play the 24 hours.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use payments::ppa::{Mode, PpaSettings, Runner};
use payments::store::{Store, ppa_charge, ppa_enrolment};
use payments::stripe::StripeClient;
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait as _, EntityTrait as _};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::Value;
use shared::erpnext::FrappeClient;
use stripe_sandbox::{Sandbox, SandboxSettings};
use testkit::{TempDir, TestDb};

const MARIE: &str = "CUST-2024-00001";

/// A Stripe customer of the stand-in at `url` with a 4242 card saved through a setup session's page.
async fn customer_with_a_card(url: &str, key: &SecretString) -> (String, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    stripe_sandbox::fixtures::customer_with_a_card(&http, url, key, "Marie", "4242 4242 4242 4242")
        .await
}

#[tokio::test]
async fn a_charge_replayed_after_stripe_forgot_its_key_is_found_not_made_again() {
    let dir = TempDir::new();
    let mut sandbox = SandboxSettings::for_tests();
    let stripe_db = format!("sqlite://{}/stripe.db?mode=rwc", dir.path().display());
    sandbox.database_url = stripe_db.clone();
    let key = sandbox.secret_key.clone();
    let sandbox = Sandbox::build(sandbox).await.unwrap();
    let stripe = sandbox.base_url();
    tokio::spawn(sandbox.run_until_stopped());
    let erp_handle = testkit::spawn_erp().await;
    let erp = FrappeClient::new(
        &erp_handle.url,
        &erp_handle.api_key,
        &SecretString::from(erp_handle.api_secret.clone()),
    )
    .unwrap();
    let db = TestDb::sqlite();
    let store = Store::connect(db.url()).await.unwrap();
    let (stripe_customer, card) = customer_with_a_card(&stripe, &key).await;
    store
        .set_stripe_customer(MARIE, &stripe_customer)
        .await
        .unwrap();
    store
        .set_ppa_enrolment(ppa_enrolment::Model {
            customer: MARIE.to_owned(),
            method: "card".to_owned(),
            payment_method: Some(card),
            mandate: None,
            status: "active".to_owned(),
            updated_at: 0,
        })
        .await
        .unwrap();
    let settings = PpaSettings::from_source(&HashMap::<String, String>::new()).unwrap();
    let client = StripeClient::new(&stripe, &key).unwrap();
    let runner = Runner::new(
        &settings,
        store.clone(),
        erp,
        Some(client),
        "https://portail.example.ca",
        Arc::default(),
    );
    let day = "2027-01-05".parse().unwrap();
    let first = runner.run(day, Mode::Manual, &mut |_| {}).await.unwrap();
    assert_eq!(first.charged, 1);
    // A crash after Stripe charged and before the outcome was recorded, then a day without a run.
    ppa_charge::Entity::update_many()
        .col_expr(ppa_charge::Column::Status, Expr::value("pending"))
        .col_expr(
            ppa_charge::Column::PaymentIntent,
            Expr::value(Option::<String>::None),
        )
        .exec(store.connection())
        .await
        .unwrap();
    sea_orm::Database::connect(&stripe_db)
        .await
        .unwrap()
        .execute_unprepared("DELETE FROM idempotency_keys")
        .await
        .unwrap();
    let replay = runner.run(day, Mode::Manual, &mut |_| {}).await.unwrap();
    assert_eq!(replay.charged, 1);
    let list: Value = reqwest::Client::new()
        .get(format!(
            "{stripe}/v1/payment_intents?customer={stripe_customer}"
        ))
        .bearer_auth(key.expose_secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let intents = list["data"].as_array().unwrap();
    assert_eq!(intents.len(), 1, "{list}");
    let row = ppa_charge::Entity::find()
        .one(store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.payment_intent.as_deref()),
        ("succeeded", intents[0]["id"].as_str())
    );
}
