//! Bank debit (`acss_debit`): a setup session's PAD agreement page, the PaymentMethod and Mandate
//! it makes, and debits that stay `processing` until the sandbox settles them.
//! Bad input tried: `payment_method_options[acss_debit][currency]=eur`, `transaction_type=family`,
//! `payment_schedule=weekly`, `interval` without `interval_description`, an unknown option
//! (`[mandate_options][nope]`), options on a card session; on the page: the agreement not accepted,
//! a transit number that is not Stripe's test one; a debit under another PaymentMethod's mandate and
//! under a mandate made inactive by detaching the account.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, WebhookSink, spawn_app, spawn_app_with_sink};

fn bank_form(customer: &str) -> Vec<(&'static str, String)> {
    let option = |k: &str| -> &'static str {
        Box::leak(format!("payment_method_options[acss_debit]{k}").into_boxed_str())
    };
    vec![
        ("mode", "setup".into()),
        ("customer", customer.into()),
        ("payment_method_types[]", "acss_debit".into()),
        (option("[currency]"), "cad".into()),
        (
            option("[mandate_options][payment_schedule]"),
            "interval".into(),
        ),
        (
            option("[mandate_options][interval_description]"),
            "Mensuellement, à l'échéance de chaque facture Gigafibre".into(),
        ),
        (
            option("[mandate_options][transaction_type]"),
            "personal".into(),
        ),
        (
            "success_url",
            "http://127.0.0.1:9/saved?session_id={CHECKOUT_SESSION_ID}".into(),
        ),
        ("locale", "fr-CA".into()),
    ]
}

async fn bank_session(app: &TestApp) -> (String, Value) {
    let customer = app.create_customer().await;
    let cus = customer["id"].as_str().unwrap().to_owned();
    let response = app
        .post("/v1/checkout/sessions", &bank_form(&cus), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    (cus, response.json().await.unwrap())
}

async fn submit(app: &TestApp, session: &Value, transit: &str, account: &str, accept: bool) -> u16 {
    let mut form = vec![
        ("institution_number", "000"),
        ("transit_number", transit),
        ("account_number", account),
    ];
    if accept {
        form.push(("accept", "yes"));
    }
    let url = session["url"].as_str().unwrap();
    app.http
        .post(url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Saves `account` for a new customer: (customer, payment method, mandate).
async fn saved(app: &TestApp, account: &str) -> (String, String, String) {
    let (cus, session) = bank_session(app).await;
    assert_eq!(submit(app, &session, "11000", account, true).await, 303);
    let session = app.session(session["id"].as_str().unwrap()).await;
    let intent = app
        .get_json(&format!(
            "/v1/setup_intents/{}",
            session["setup_intent"].as_str().unwrap()
        ))
        .await;
    let pm = intent["payment_method"].as_str().unwrap().to_owned();
    (cus, pm, intent["mandate"].as_str().unwrap().to_owned())
}

fn debit(customer: &str, pm: &str, mandate: &str) -> Vec<(&'static str, String)> {
    vec![
        ("amount", "5749".into()),
        ("currency", "cad".into()),
        ("customer", customer.into()),
        ("payment_method", pm.into()),
        ("mandate", mandate.into()),
        ("confirm", "true".into()),
        ("off_session", "true".into()),
        ("payment_method_types[]", "acss_debit".into()),
    ]
}

async fn settled(app: &TestApp, id: &str) -> Value {
    for _ in 0..100 {
        let intent = app.get_json(&format!("/v1/payment_intents/{id}")).await;
        if intent["status"] != "processing" {
            return intent;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{id} never settled");
}

#[tokio::test]
async fn the_page_shows_the_french_agreement_first_and_saves_the_account_under_a_mandate() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let (cus, session) = bank_session(&app).await;
    assert_eq!(
        session["payment_method_options"]["acss_debit"]["mandate_options"]["transaction_type"],
        "personal"
    );
    let page = app
        .http
        .get(session["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let fr = page.find("agreement-fr").unwrap();
    let en = page.find("agreement-en").unwrap();
    assert!(fr < en, "French first");
    for text in [
        "Gigafibre",
        "10 jours",
        "10 days",
        "Mensuellement",
        "paiements.ca",
        "J’accepte",
    ] {
        assert!(page.contains(text), "{text}");
    }
    assert_eq!(
        submit(&app, &session, "11000", "000123456789", false).await,
        422
    );
    assert_eq!(
        submit(&app, &session, "12345", "000123456789", true).await,
        422
    );
    assert_eq!(
        submit(&app, &session, "11000", "000123456789", true).await,
        303
    );

    let session = app.session(session["id"].as_str().unwrap()).await;
    assert_eq!(session["status"], "complete");
    let intent = app
        .get_json(&format!(
            "/v1/setup_intents/{}?expand[]=mandate",
            session["setup_intent"].as_str().unwrap()
        ))
        .await;
    assert_eq!(intent["status"], "succeeded");
    let mandate = &intent["mandate"];
    assert_eq!(mandate["type"], "multi_use");
    assert_eq!(mandate["status"], "active");
    let terms = &mandate["payment_method_details"]["acss_debit"];
    assert_eq!(terms["payment_schedule"], "interval");
    assert_eq!(terms["transaction_type"], "personal");
    let pm = app
        .get_json(&format!(
            "/v1/payment_methods/{}",
            intent["payment_method"].as_str().unwrap()
        ))
        .await;
    assert_eq!(pm["type"], "acss_debit");
    assert_eq!(pm["customer"], cus.as_str());
    assert_eq!(pm["acss_debit"]["last4"], "6789");
    assert_eq!(pm["acss_debit"]["transit_number"], "11000");
    assert!(pm.get("test_account").is_none());
    let got = app
        .get_json(&format!("/v1/mandates/{}", mandate["id"].as_str().unwrap()))
        .await;
    assert_eq!(got["id"], mandate["id"]);
    let kinds: Vec<String> = sink
        .wait_for(4)
        .await
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    for kind in [
        "setup_intent.succeeded",
        "checkout.session.completed",
        "mandate.updated",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn bad_bank_options_are_refused_as_stripe_refuses_them() {
    let app = spawn_app().await;
    let customer = app.create_customer().await;
    let cus = customer["id"].as_str().unwrap();
    let with = |key: &str, value: &str| {
        let mut form = bank_form(cus);
        form.retain(|(k, _)| !k.ends_with(key));
        if !value.is_empty() {
            let key: &'static str =
                Box::leak(format!("payment_method_options[acss_debit]{key}").into_boxed_str());
            form.push((key, value.to_owned()));
        }
        form
    };
    for (form, param) in [
        (with("[currency]", "eur"), "[currency]"),
        (
            with("[mandate_options][transaction_type]", "family"),
            "[transaction_type]",
        ),
        (
            with("[mandate_options][payment_schedule]", "weekly"),
            "[payment_schedule]",
        ),
        (
            with("[mandate_options][interval_description]", ""),
            "[interval_description]",
        ),
        (with("[mandate_options][nope]", "1"), "[nope]"),
    ] {
        let response = app.post("/v1/checkout/sessions", &form, None).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{param}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"]["param"].as_str().unwrap().ends_with(param),
            "{param}: {body}"
        );
    }
    let mut card = crate::helpers::setup_form(cus);
    card.push((
        "payment_method_options[acss_debit][currency]",
        "cad".to_owned(),
    ));
    let response = app.post("/v1/checkout/sessions", &card, None).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_debit_is_processing_then_succeeds_with_the_pad_fee() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let (cus, pm, mandate) = saved(&app, "000123456789").await;
    let response = app
        .post(
            "/v1/payment_intents",
            &debit(&cus, &pm, &mandate),
            Some("k1"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let intent: Value = response.json().await.unwrap();
    assert_eq!(intent["status"], "processing");
    assert!(intent.get("settle_at_ms").is_none());
    let id = intent["id"].as_str().unwrap();
    let done = settled(&app, id).await;
    assert_eq!(done["status"], "succeeded");
    let charge = app
        .get_json(&format!(
            "/v1/charges/{}?expand[]=balance_transaction",
            done["latest_charge"].as_str().unwrap()
        ))
        .await;
    assert_eq!(charge["payment_method_details"]["type"], "acss_debit");
    assert_eq!(
        charge["payment_method_details"]["acss_debit"]["mandate"],
        mandate.as_str()
    );
    assert_eq!(charge["balance_transaction"]["fee"], 97);
}

#[tokio::test]
async fn the_failing_test_account_is_returned_for_insufficient_funds() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let (cus, pm, mandate) = saved(&app, "000222222227").await;
    let response = app
        .post("/v1/payment_intents", &debit(&cus, &pm, &mandate), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let intent: Value = response.json().await.unwrap();
    let done = settled(&app, intent["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "requires_payment_method");
    assert_eq!(done["last_payment_error"]["code"], "insufficient_funds");
    let charge = app
        .get_json(&format!(
            "/v1/charges/{}",
            done["latest_charge"].as_str().unwrap()
        ))
        .await;
    assert_eq!(charge["status"], "failed");
    assert_eq!(charge["failure_code"], "insufficient_funds");
}

#[tokio::test]
async fn a_detached_account_s_mandate_is_inactive_and_debits_under_it_are_refused() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let (cus, pm, mandate) = saved(&app, "000123456789").await;
    let (_, _, other_mandate) = saved(&app, "000123456789").await;
    let response = app
        .post(
            "/v1/payment_intents",
            &debit(&cus, &pm, &other_mandate),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let detached = app
        .post(&format!("/v1/payment_methods/{pm}/detach"), &[], None)
        .await;
    assert_eq!(detached.status(), StatusCode::OK);
    let got = app.get_json(&format!("/v1/mandates/{mandate}")).await;
    assert_eq!(got["status"], "inactive");
    let response = app
        .post("/v1/payment_intents", &debit(&cus, &pm, &mandate), None)
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
