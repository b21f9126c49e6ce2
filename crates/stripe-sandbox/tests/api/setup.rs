//! Setup-mode Checkout Sessions: a card saved for later, off-session charges.
//! Bad input tried: `line_items` in setup mode, no `customer`, neither `currency` nor
//! `payment_method_types`, `payment_method_types[]=klarna`, an unknown customer, a number that
//! is not a test card on the page, a second card on a completed session, an unknown SetupIntent.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{WebhookSink, setup_form, spawn_app, spawn_app_with_sink};

#[tokio::test]
async fn a_setup_session_saves_a_card_for_the_customer() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let customer = app.create_customer().await;
    let cus = customer["id"].as_str().unwrap();
    let session = app.create_setup_session(cus).await;
    assert_eq!(session["mode"], "setup");
    assert_eq!(session["status"], "open");
    assert_eq!(session["payment_status"], "no_payment_required");
    assert_eq!(session["amount_total"], Value::Null);
    assert_eq!(session["payment_intent"], Value::Null);
    let seti = session["setup_intent"].as_str().unwrap();
    assert!(seti.starts_with("seti_"));
    let intent = app.get_json(&format!("/v1/setup_intents/{seti}")).await;
    assert_eq!(intent["object"], "setup_intent");
    assert_eq!(intent["status"], "requires_payment_method");
    assert_eq!(intent["usage"], "off_session");

    let page = app
        .http
        .get(session["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Enregistrer une carte"));
    assert!(!page.contains("<script"));

    let saved = app.pay(&session, "4242 4242 4242 4242").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let id = session["id"].as_str().unwrap();
    assert_eq!(
        saved.headers()["location"],
        format!("http://127.0.0.1:9/saved?session_id={id}").as_str()
    );
    let session = app.session(id).await;
    assert_eq!(session["status"], "complete");
    assert_eq!(session["payment_status"], "no_payment_required");
    let intent = app
        .get_json(&format!("/v1/setup_intents/{seti}?expand[]=payment_method"))
        .await;
    assert_eq!(intent["status"], "succeeded");
    let method = &intent["payment_method"];
    assert!(method["id"].as_str().unwrap().starts_with("pm_"));
    assert_eq!(method["type"], "card");
    assert_eq!(method["customer"], cus);
    assert_eq!(method["card"]["brand"], "visa");
    assert_eq!(method["card"]["last4"], "4242");
    assert_eq!(method["card"]["country"], "CA");
    assert_eq!(method["card"]["funding"], "credit");
    assert!(method["card"]["exp_month"].is_i64());
    assert!(method["card"]["exp_year"].is_i64());
    assert!(!method.to_string().contains("4242424242424242"));

    let events: Vec<String> = sink
        .wait_for(3)
        .await
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    assert!(events.contains(&"setup_intent.succeeded".to_owned()));
    assert!(events.contains(&"checkout.session.completed".to_owned()));
    for received in sink.received() {
        assert!(!String::from_utf8_lossy(&received.body).contains("4242424242424242"));
    }
    // a completed session takes no second card
    let again = app.pay(&session, "4242 4242 4242 4242").await;
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_page_is_in_english_for_other_locales_and_refuses_unknown_numbers() {
    let app = spawn_app().await;
    let customer = app.create_customer().await;
    let mut form = setup_form(customer["id"].as_str().unwrap());
    form.retain(|(k, _)| *k != "locale");
    form.push(("locale", "en".into()));
    let session: Value = app
        .post("/v1/checkout/sessions", &form, None)
        .await
        .json()
        .await
        .unwrap();
    let refused = app.pay(&session, "1234 5678").await;
    assert_eq!(refused.status(), StatusCode::PAYMENT_REQUIRED);
    let html = refused.text().await.unwrap();
    assert!(html.contains("Save a card"));
    assert!(html.contains("invalid"));
    let session = app.session(session["id"].as_str().unwrap()).await;
    assert_eq!(session["status"], "open");
    // the 3155 card (3-D Secure on one-off payments) saves without a challenge here
    assert_eq!(
        app.pay(&session, "4000 0025 0000 3155").await.status(),
        StatusCode::SEE_OTHER
    );
}

type Form = Vec<(&'static str, String)>;

#[tokio::test]
async fn a_setup_session_is_refused_as_stripe_refuses_it() {
    let app = spawn_app().await;
    let customer = app.create_customer().await;
    let cus = customer["id"].as_str().unwrap();
    let cases: Vec<(Form, StatusCode, &str)> = vec![
        (
            {
                let mut f = setup_form(cus);
                f.push(("line_items[0][price_data][currency]", "cad".into()));
                f.push(("line_items[0][price_data][unit_amount]", "100".into()));
                f.push(("line_items[0][quantity]", "1".into()));
                f
            },
            StatusCode::BAD_REQUEST,
            "line_items",
        ),
        (
            setup_form(cus)
                .into_iter()
                .filter(|(k, _)| *k != "customer")
                .collect(),
            StatusCode::BAD_REQUEST,
            "customer",
        ),
        (
            setup_form(cus)
                .into_iter()
                .filter(|(k, _)| *k != "currency")
                .collect(),
            StatusCode::BAD_REQUEST,
            "currency",
        ),
        (
            {
                let mut f = setup_form(cus);
                f.push(("payment_method_types[]", "klarna".into()));
                f
            },
            StatusCode::BAD_REQUEST,
            "payment_method_types",
        ),
        (
            {
                let mut f = setup_form("cus_nope");
                f.retain(|(k, _)| *k != "locale");
                f
            },
            StatusCode::NOT_FOUND,
            "customer",
        ),
    ];
    for (form, status, param) in cases {
        let answer = app.post("/v1/checkout/sessions", &form, None).await;
        assert_eq!(answer.status(), status, "{param}");
        let error = answer.json::<Value>().await.unwrap()["error"].clone();
        assert_eq!(error["param"], param);
    }
    // payment_method_types[]=card stands for the currency
    let mut form: Vec<_> = setup_form(cus)
        .into_iter()
        .filter(|(k, _)| *k != "currency")
        .collect();
    form.push(("payment_method_types[]", "card".into()));
    assert_eq!(
        app.post("/v1/checkout/sessions", &form, None)
            .await
            .status(),
        StatusCode::OK
    );
    let missing = app.get("/v1/setup_intents/seti_nope").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_setup_session_has_no_3ds_or_klarna_step_and_replays_under_its_key() {
    let app = spawn_app().await;
    let customer = app.create_customer().await;
    let form = setup_form(customer["id"].as_str().unwrap());
    let first: Value = app
        .post("/v1/checkout/sessions", &form, Some("setup-1"))
        .await
        .json()
        .await
        .unwrap();
    let again = app
        .post("/v1/checkout/sessions", &form, Some("setup-1"))
        .await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let url = first["url"].as_str().unwrap();
    for (path, body) in [("3ds", "outcome=approve"), ("klarna", "")] {
        let answer = app
            .http
            .post(format!("{url}/{path}"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_ne!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }
    let session = app.session(first["id"].as_str().unwrap()).await;
    assert_eq!(session["status"], "open");
    assert_eq!(session["payment_intent"], Value::Null);
    let intents = app.get_json("/v1/payment_intents").await;
    assert_eq!(intents["data"].as_array().unwrap().len(), 0);
}
