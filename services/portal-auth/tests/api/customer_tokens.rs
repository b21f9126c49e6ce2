//! `POST /internal/customer-tokens`: another service (payments) gets an ordinary customer token with
//! `INTERNAL_API_SECRET`; each one is recorded in the audit with the caller's purpose and counted.
//!
//! Bad input tried: no `Authorization`, a wrong secret, the secret with a character changed, one
//! character short, under `Basic`, the secret of another app, a customer's own token; the route without the setting; an
//! unknown and a disabled customer; purposes `impersonation`, `PAYMENT_LINK`, missing and a number;
//! contexts of 201 characters, blank, missing and with a newline; customers blank and of 141
//! characters; the unknown fields `act` and `ttl`; malformed JSON, an empty body and a form body.

use std::collections::HashMap;

use serde_json::{Value, json};
use testkit::metrics::scrape;

use crate::helpers::{
    Backend, INTERNAL_SECRET, TestApp, claims_of, problem, spawn_app,
    spawn_app_with_internal_secret,
};
use crate::on_both_backends;

const EMILY: &str = "CUST-2024-00007";
const MARIE: &str = "CUST-2024-00001";
const MARIE_EMAIL: &str = "marie.tremblay@example.ca";

fn body(customer: &str, purpose: &str) -> Value {
    json!({ "customer": customer, "purpose": purpose, "context": "cs_test_a1" })
}

fn seconds_left(claims: &Value) -> i64 {
    claims["exp"].as_i64().unwrap() - chrono::Utc::now().timestamp()
}

/// The audit as impersonating staff read it.
async fn audit(app: &TestApp) -> Vec<Value> {
    let page: Value = app
        .impersonations("", "alice", "support")
        .await
        .json()
        .await
        .unwrap();
    page["entries"].as_array().unwrap().clone()
}

async fn a_payment_link_token_opens_the_portal_for_a_day_and_is_audited(backend: Backend) {
    let app = spawn_app_with_internal_secret(backend).await;
    let minted = app.minted_token(EMILY, "payment_link").await;
    let token = minted["token"].as_str().unwrap();
    let claims = claims_of(token);
    assert_eq!(claims["sub"], EMILY);
    assert_eq!(claims["aud"], "portal");
    assert_eq!(claims["name"], "Emily Smith");
    assert_eq!(claims["lang"], "en");
    assert_eq!(claims["ver"], 0);
    assert!(claims.get("act").is_none(), "no staff acts: {claims}");
    assert_eq!(minted["expires_at"], claims["exp"]);
    assert!((86_390..=86_400).contains(&seconds_left(&claims)));
    assert_eq!(
        minted["url"],
        format!("https://portail.example.ca/#/?token={token}")
    );

    let verified = app.auth_verify(token).await;
    assert_eq!(verified.status(), 200);
    assert_eq!(verified.headers()["X-Customer-Id"], EMILY);
    let me: Value = app.me(token).await.json().await.unwrap();
    assert_eq!(me["customer"], EMILY);
    // The SMS carries a short link to the same session.
    let short = minted["short_url"].as_str().unwrap();
    let code = short
        .strip_prefix("https://hub.example.ca/portal/l/")
        .unwrap();
    let followed = app.follow_short_link(code).await;
    assert_eq!(followed.status(), 302);
    let location = followed.headers()["location"].to_str().unwrap();
    let from_sms = location
        .strip_prefix("https://portail.example.ca/#/?token=")
        .unwrap();
    assert_eq!(claims_of(from_sms)["sub"], EMILY);

    let entries = audit(&app).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["purpose"], "payment_link");
    assert_eq!(entries[0]["staff"], "internal");
    assert_eq!(entries[0]["customer"], EMILY);
    assert_eq!(entries[0]["reason"], "cs_test_a1");
    assert_eq!(entries[0]["token_id"], claims["jti"]);
    app.cleanup().await;
}
on_both_backends!(
    a_payment_link_token_opens_the_portal_for_a_day_and_is_audited_,
    a_payment_link_token_opens_the_portal_for_a_day_and_is_audited
);

#[tokio::test]
async fn a_payment_return_token_lives_an_hour_and_each_token_is_new() {
    let app = spawn_app_with_internal_secret(Backend::Sqlite).await;
    let first = claims_of(
        app.minted_token(EMILY, "payment_return").await["token"]
            .as_str()
            .unwrap(),
    );
    let second = claims_of(
        app.minted_token(EMILY, "payment_return").await["token"]
            .as_str()
            .unwrap(),
    );
    assert!((3590..=3600).contains(&seconds_left(&first)));
    assert_ne!(first["jti"], second["jti"]);
    let purposes: Vec<Value> = audit(&app)
        .await
        .iter()
        .map(|e| e["purpose"].clone())
        .collect();
    assert_eq!(purposes, [json!("payment_return"), json!("payment_return")]);
    let minted = app.minted_token(EMILY, "payment_return").await;
    assert!(
        minted.get("short_url").is_none(),
        "a return needs no SMS link"
    );
}

async fn a_token_minted_before_signing_out_everywhere_is_refused_after(backend: Backend) {
    let app = spawn_app_with_internal_secret(backend).await;
    let login = app.login(MARIE_EMAIL).await;
    let minted = app.minted_token(MARIE, "payment_link").await;
    let minted = minted["token"].as_str().unwrap();
    assert_eq!(app.auth_verify(minted).await.status(), 200);
    assert_eq!(app.logout(&login, true).await.status(), 204);
    problem(app.auth_verify(minted).await, 401).await;
    problem(app.me(minted).await, 401).await;

    let fresh = app.minted_token(MARIE, "payment_return").await;
    let fresh = fresh["token"].as_str().unwrap();
    assert_eq!(claims_of(fresh)["ver"], 1);
    assert_eq!(app.auth_verify(fresh).await.status(), 200);
    app.cleanup().await;
}
on_both_backends!(
    a_token_minted_before_signing_out_everywhere_is_refused_after_,
    a_token_minted_before_signing_out_everywhere_is_refused_after
);

#[tokio::test]
async fn a_caller_without_the_secret_is_refused_before_its_body_is_read() {
    let app = spawn_app_with_internal_secret(Backend::Sqlite).await;
    let good = body(EMILY, "payment_link");
    let mut changed = INTERNAL_SECRET.to_owned();
    changed.replace_range(..1, "X");
    let short = &INTERNAL_SECRET[..INTERNAL_SECRET.len() - 1];
    for secret in [
        None,
        Some("wrong"),
        Some(changed.as_str()),
        Some(short),
        Some("other-app-secret-0123456789abcdef0"),
    ] {
        let p = problem(app.mint_customer_token(secret, &good).await, 401).await;
        assert_eq!(p["code"], "AUTH_08");
    }
    let basic = app
        .client
        .post(app.url("/internal/customer-tokens"))
        .basic_auth(INTERNAL_SECRET, None::<&str>)
        .json(&good)
        .send()
        .await
        .unwrap();
    let r = problem(basic, 401).await;
    assert_eq!(r["code"], "AUTH_08");
    let malformed = app
        .client
        .post(app.url("/internal/customer-tokens"))
        .bearer_auth("wrong")
        .header("Content-Type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.headers()["WWW-Authenticate"], "Bearer");
    problem(malformed, 401).await;
    let customer = app.login(MARIE_EMAIL).await;
    let r = app.mint_customer_token(Some(&customer), &good).await;
    assert_eq!(problem(r, 401).await["code"], "AUTH_08", "a customer token");
    assert!(audit(&app).await.is_empty());
}

#[tokio::test]
async fn without_the_setting_the_route_is_absent() {
    let app = spawn_app(Backend::Sqlite).await;
    let off = problem(
        app.mint_customer_token(Some(INTERNAL_SECRET), &body(EMILY, "payment_link"))
            .await,
        404,
    )
    .await;
    let absent = problem(
        app.mint_customer_token(None, &body(EMILY, "payment_link"))
            .await,
        404,
    )
    .await;
    let nowhere = problem(app.post_json("/internal/nothing", &json!({})).await, 404).await;
    assert_eq!(off, nowhere);
    assert_eq!(absent, nowhere);
}

#[tokio::test]
async fn an_unknown_or_disabled_customer_is_not_found() {
    let app = spawn_app_with_internal_secret(Backend::Sqlite).await;
    for customer in ["CUST-1999-00001", "CUST-2024-00012"] {
        let r = app
            .mint_customer_token(Some(INTERNAL_SECRET), &body(customer, "payment_link"))
            .await;
        assert_eq!(problem(r, 404).await["code"], "AUTH_07");
    }
    assert!(audit(&app).await.is_empty());
}

#[tokio::test]
async fn bad_bodies_are_refused_and_mint_nothing() {
    let app = spawn_app_with_internal_secret(Backend::Sqlite).await;
    let with = |field: &str, value: Value| {
        let mut b = body(EMILY, "payment_link");
        b[field] = value;
        b
    };
    let without = |field: &str| {
        let mut b = body(EMILY, "payment_link");
        b.as_object_mut().unwrap().remove(field);
        b
    };
    let unprocessable = [
        with("purpose", json!("impersonation")),
        with("purpose", json!("PAYMENT_LINK")),
        with("purpose", json!(1)),
        without("purpose"),
        with("context", json!("x".repeat(201))),
        with("context", json!("  ")),
        with("context", json!("cs_test\n1")),
        without("context"),
        with("customer", json!("")),
        with("customer", json!("C".repeat(141))),
        with("act", json!({"sub": "alice"})),
        with("ttl", json!(999_999)),
    ];
    for b in unprocessable {
        let r = app.mint_customer_token(Some(INTERNAL_SECRET), &b).await;
        assert_eq!(problem(r, 422).await["code"], "REQ_04", "{b}");
    }
    for (raw, content_type, status) in [
        ("{", "application/json", 400),
        ("", "application/json", 400),
        (
            "customer=CUST-2024-00007",
            "application/x-www-form-urlencoded",
            415,
        ),
    ] {
        let r = app
            .client
            .post(app.url("/internal/customer-tokens"))
            .bearer_auth(INTERNAL_SECRET)
            .header("Content-Type", content_type)
            .body(raw)
            .send()
            .await
            .unwrap();
        problem(r, status).await;
    }
    assert!(audit(&app).await.is_empty());
}

#[tokio::test]
async fn each_minted_token_is_counted_by_purpose() {
    let app = spawn_app_with_internal_secret(Backend::Sqlite).await;
    let name = "portal_auth_tokens_minted_total";
    let before = scrape(&app.client, &app.address).await;
    for purpose in ["payment_return", "payment_link"] {
        assert!(
            before.has(name, &[("purpose", purpose)]),
            "{purpose} shows from the start"
        );
        assert_eq!(before.value(name, &[("purpose", purpose)]), 0.0);
    }
    app.minted_token(EMILY, "payment_return").await;
    let after = scrape(&app.client, &app.address).await;
    assert_eq!(after.value(name, &[("purpose", "payment_return")]), 1.0);
    assert_eq!(after.value(name, &[("purpose", "payment_link")]), 0.0);
}

#[test]
fn a_short_secret_stops_the_service_naming_the_variable_and_a_file_is_read() {
    let env = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let e = portal_auth::Settings::from_source(&env(&[("INTERNAL_API_SECRET", "too-short")]))
        .unwrap_err();
    assert_eq!(e.name, "INTERNAL_API_SECRET");
    assert!(!e.to_string().contains("too-short"), "{e}");

    let dir = testkit::TempDir::new();
    let file = dir.path().join("internal-secret");
    std::fs::write(&file, format!("{INTERNAL_SECRET}\n")).unwrap();
    let path = file.display().to_string();
    let settings =
        portal_auth::Settings::from_source(&env(&[("INTERNAL_API_SECRET_FILE", &path)])).unwrap();
    assert!(settings.internal_api_secret.is_some());
    let none = portal_auth::Settings::from_source(&env(&[])).unwrap();
    assert!(none.internal_api_secret.is_none());
}
