//! Billing Portal sessions and their page.
//! Bad input tried: no `customer`, an unknown customer, `return_url=ftp://…`, `locale=french`,
//! an unknown parameter; on the page: an unknown session, an expired one, another customer's card
//! and a made-up id in the forms (nothing changes).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use stripe_sandbox::SandboxSettings;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

async fn portal(app: &TestApp, customer: &str, locale: &str) -> Value {
    let form = [
        ("customer", customer.to_owned()),
        ("return_url", "http://127.0.0.1:9/account".to_owned()),
        ("locale", locale.to_owned()),
    ];
    let answer = app.post("/v1/billing_portal/sessions", &form, None).await;
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.unwrap()
}

async fn page_of(app: &TestApp, session: &Value) -> (StatusCode, String) {
    let answer = app
        .http
        .get(session["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    (answer.status(), answer.text().await.unwrap())
}

async fn submit(app: &TestApp, session: &Value, action: &str, pm: &str) -> reqwest::Response {
    app.http
        .post(format!("{}/{action}", session["url"].as_str().unwrap()))
        .form(&[("payment_method", pm)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_portal_session_is_stripes_shape() {
    let app = spawn_app().await;
    let customer = app.create_customer().await;
    let cus = customer["id"].as_str().unwrap();
    let session = portal(&app, cus, "fr-CA").await;
    let id = session["id"].as_str().unwrap();
    assert!(id.starts_with("bps_"));
    assert_eq!(session["object"], "billing_portal.session");
    assert_eq!(session["customer"], cus);
    assert_eq!(session["return_url"], "http://127.0.0.1:9/account");
    assert_eq!(session["locale"], "fr-CA");
    assert_eq!(session["livemode"], false);
    assert!(session["created"].is_i64());
    assert_eq!(session["url"], format!("{}/p/session/{id}", app.base));
    let form = [("customer", cus.to_owned())];
    let first: Value = app
        .post("/v1/billing_portal/sessions", &form, Some("portal-1"))
        .await
        .json()
        .await
        .unwrap();
    let replay = app
        .post("/v1/billing_portal/sessions", &form, Some("portal-1"))
        .await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap()["id"], first["id"]);
    for (form, status, param) in [
        (
            vec![("return_url", "http://x.ca/".to_owned())],
            StatusCode::BAD_REQUEST,
            "customer",
        ),
        (
            vec![("customer", "cus_nope".to_owned())],
            StatusCode::NOT_FOUND,
            "customer",
        ),
        (
            vec![
                ("customer", cus.to_owned()),
                ("return_url", "ftp://x.ca/".to_owned()),
            ],
            StatusCode::BAD_REQUEST,
            "return_url",
        ),
        (
            vec![
                ("customer", cus.to_owned()),
                ("locale", "french".to_owned()),
            ],
            StatusCode::BAD_REQUEST,
            "locale",
        ),
        (
            vec![("customer", cus.to_owned()), ("flavour", "x".to_owned())],
            StatusCode::BAD_REQUEST,
            "flavour",
        ),
    ] {
        let answer = app.post("/v1/billing_portal/sessions", &form, None).await;
        assert_eq!(answer.status(), status, "{param}");
        let error = answer.json::<Value>().await.unwrap()["error"].clone();
        assert_eq!(error["param"], param);
    }
}

#[tokio::test]
async fn the_page_lists_the_cards_and_makes_one_default_or_removes_it() {
    let app = spawn_app().await;
    let customer = app.create_customer().await;
    let cus = customer["id"].as_str().unwrap();
    let first = app.save_card(cus, "4242424242424242").await;
    let second = app.save_card(cus, "4000000000009995").await;
    let session = portal(&app, cus, "fr-CA").await;
    let (status, html) = page_of(&app, &session).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("lang=\"fr-CA\""));
    assert!(html.contains("•••• 4242"));
    assert!(html.contains("•••• 9995"));
    assert!(html.contains("Rendre par défaut"));
    assert!(html.contains("Retirer"));
    assert!(html.contains("href=\"http://127.0.0.1:9/account\""));
    assert!(!html.contains("<script"));
    assert!(!html.contains("4242424242424242"));

    let made = submit(&app, &session, "default", &second).await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let customer = app.get_json(&format!("/v1/customers/{cus}")).await;
    assert_eq!(
        customer["invoice_settings"]["default_payment_method"],
        second.as_str()
    );
    let (_, html) = page_of(&app, &session).await;
    assert!(html.contains("Par défaut"));

    // another customer's card and a made-up id change nothing
    let stranger = app.create_customer().await;
    let theirs = app
        .save_card(stranger["id"].as_str().unwrap(), "4242424242424242")
        .await;
    submit(&app, &session, "remove", &theirs).await;
    submit(&app, &session, "default", &theirs).await;
    submit(&app, &session, "remove", "pm_nope").await;
    let theirs_now = app.get_json(&format!("/v1/payment_methods/{theirs}")).await;
    assert_eq!(theirs_now["customer"], stranger["id"]);
    let customer = app.get_json(&format!("/v1/customers/{cus}")).await;
    assert_eq!(
        customer["invoice_settings"]["default_payment_method"],
        second.as_str()
    );

    let removed = submit(&app, &session, "remove", &second).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let list = app
        .get_json(&format!("/v1/customers/{cus}/payment_methods"))
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], first.as_str());
    let customer = app.get_json(&format!("/v1/customers/{cus}")).await;
    assert_eq!(
        customer["invoice_settings"]["default_payment_method"],
        Value::Null
    );

    let english = portal(&app, cus, "en").await;
    let (_, html) = page_of(&app, &english).await;
    assert!(html.contains("Make default"));
    let missing = app
        .http
        .get(format!("{}/p/session/bps_nope", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::GONE);
}

#[tokio::test]
async fn an_unvisited_session_expires() {
    let mut settings = SandboxSettings::for_tests();
    settings.portal_unvisited_lifetime = Duration::ZERO;
    let app = spawn_app_with(settings).await;
    let customer = app.create_customer().await;
    let cus = customer["id"].as_str().unwrap();
    let pm = app.save_card(cus, "4242424242424242").await;
    let session = portal(&app, cus, "fr-CA").await;
    let (status, html) = page_of(&app, &session).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("Session expirée"));
    assert_eq!(
        submit(&app, &session, "remove", &pm).await.status(),
        StatusCode::GONE
    );
    let method = app.get_json(&format!("/v1/payment_methods/{pm}")).await;
    assert_eq!(method["customer"], cus);
}
