use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{session_form, spawn_app};

#[tokio::test]
async fn a_customer_is_created_and_read_back() {
    let app = spawn_app().await;
    let form = [
        ("email", "marie@example.ca".to_owned()),
        ("metadata[customer]", "CUST-1".to_owned()),
    ];
    let created: Value = app
        .post("/v1/customers", &form, None)
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("cus_"));
    assert_eq!(created["object"], "customer");
    let read = app.get_json(&format!("/v1/customers/{id}")).await;
    assert_eq!(read, created);
    assert_eq!(read["metadata"]["customer"], "CUST-1");
}

#[tokio::test]
async fn a_session_is_open_and_unpaid_with_its_url_on_the_sandbox() {
    let app = spawn_app().await;
    let customer: Value = app
        .post(
            "/v1/customers",
            &[("email", "a@example.ca".to_owned())],
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let mut form = session_form("5749");
    form.push(("customer", customer["id"].as_str().unwrap().to_owned()));
    form.push(("line_items[1][price_data][currency]", "cad".to_owned()));
    form.push(("line_items[1][price_data][unit_amount]", "100".to_owned()));
    form.push((
        "line_items[1][price_data][product_data][name]",
        "Frais".to_owned(),
    ));
    form.push(("line_items[1][quantity]", "2".to_owned()));
    let session: Value = app
        .post("/v1/checkout/sessions", &form, None)
        .await
        .json()
        .await
        .unwrap();
    let id = session["id"].as_str().unwrap();
    assert!(id.starts_with("cs_test_"));
    assert_eq!(session["object"], "checkout.session");
    assert_eq!(session["status"], "open");
    assert_eq!(session["payment_status"], "unpaid");
    assert_eq!(session["amount_total"], 5949);
    assert_eq!(session["currency"], "cad");
    assert_eq!(session["customer"], customer["id"]);
    assert_eq!(session["metadata"]["invoice"], "SINV-0001");
    assert_eq!(session["payment_intent"], Value::Null);
    assert_eq!(session["url"], format!("{}/c/pay/{id}", app.base));
    assert_eq!(app.session(id).await, session);
}

#[tokio::test]
async fn the_page_is_in_french_and_shows_the_amount_and_a_card_field() {
    let app = spawn_app().await;
    let session = app.create_session("5749").await;
    let page = app
        .http
        .get(session["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("lang=\"fr-CA\""));
    assert!(html.contains("57,49 $ CAD"));
    assert!(html.contains("name=\"card_number\""));
    assert!(!html.contains("<script"));
    assert!(!html.contains("https://"));
}

#[tokio::test]
async fn the_success_card_pays_and_redirects_to_the_success_url() {
    let app = spawn_app().await;
    let session = app.create_session("5749").await;
    let id = session["id"].as_str().unwrap();
    let answer = app.pay(&session, "4242 4242 4242 4242").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        answer.headers()["location"],
        format!("http://127.0.0.1:9/paid?session_id={id}").as_str()
    );
    let session = app.session(id).await;
    assert_eq!(session["status"], "complete");
    assert_eq!(session["payment_status"], "paid");
    let pi = session["payment_intent"].as_str().unwrap();
    assert!(pi.starts_with("pi_"));
    let intent = app.get_json(&format!("/v1/payment_intents/{pi}")).await;
    assert_eq!(intent["object"], "payment_intent");
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(intent["amount"], 5749);
    assert_eq!(intent["amount_received"], 5749);
    // A paid session's page says so; paying again does nothing.
    let again = app.pay(&session, "4242424242424242").await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.text().await.unwrap().contains("Paiement reçu"));
}

#[tokio::test]
async fn the_declined_card_is_refused_on_the_page_and_the_session_stays_open() {
    let app = spawn_app().await;
    let session = app.create_session("1000").await;
    let id = session["id"].as_str().unwrap();
    let answer = app.pay(&session, "4000000000000002").await;
    assert_eq!(answer.status(), StatusCode::PAYMENT_REQUIRED);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("Votre carte a été refusée.")
    );
    let session = app.session(id).await;
    assert_eq!(session["status"], "open");
    assert_eq!(session["payment_status"], "unpaid");
    let intent = app.intent_of(&session, "payment_intent").await;
    assert_eq!(intent["status"], "requires_payment_method");
    assert_eq!(intent["last_payment_error"]["code"], "card_declined");
    // Another card then pays the same session and the same PaymentIntent.
    assert_eq!(app.pay(&session, "4242424242424242").await.status(), 303);
    let paid = app.intent_of(&intent, "id").await;
    assert_eq!(paid["status"], "succeeded");
}

#[tokio::test]
async fn three_d_secure_approved_pays() {
    let app = spawn_app().await;
    let session = app.create_session("2500").await;
    let id = session["id"].as_str().unwrap();
    let answer = app.pay(&session, "4000002500003155").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let challenge = format!(
        "{}{}",
        app.base,
        answer.headers()["location"].to_str().unwrap()
    );
    let page = app
        .http
        .get(&challenge)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("3-D Secure"));
    let done = app
        .http
        .post(&challenge)
        .form(&[("outcome", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(done.headers()["location"].to_str().unwrap().ends_with(id));
    let session = app.session(id).await;
    assert_eq!(session["payment_status"], "paid");
}

#[tokio::test]
async fn three_d_secure_failed_leaves_the_session_open() {
    let app = spawn_app().await;
    let session = app.create_session("2500").await;
    let id = session["id"].as_str().unwrap();
    let answer = app.pay(&session, "4000 0025 0000 3155").await;
    let challenge = format!(
        "{}{}",
        app.base,
        answer.headers()["location"].to_str().unwrap()
    );
    let failed = app
        .http
        .post(&challenge)
        .form(&[("outcome", "fail")])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::PAYMENT_REQUIRED);
    let session = app.session(id).await;
    assert_eq!(session["status"], "open");
    let intent = app.intent_of(&session, "payment_intent").await;
    assert_eq!(intent["status"], "requires_payment_method");
    assert_eq!(
        intent["last_payment_error"]["code"],
        "payment_intent_authentication_failure"
    );
}

#[tokio::test]
async fn cancel_goes_to_the_cancel_url() {
    let app = spawn_app().await;
    let session = app.create_session("2500").await;
    let url = format!("{}/cancel", session["url"].as_str().unwrap());
    let answer = app.http.post(url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer.headers()["location"], "http://127.0.0.1:9/cancelled");
}

#[tokio::test]
async fn payment_intents_are_listed_newest_first_with_has_more() {
    let app = spawn_app().await;
    let first = app.paid_intent("100").await;
    let second = app.paid_intent("200").await;
    let created = first["created"].as_i64().unwrap();
    let list = app
        .get_json(&format!(
            "/v1/payment_intents?created[gte]={created}&limit=1"
        ))
        .await;
    assert_eq!(list["object"], "list");
    assert_eq!(list["has_more"], true);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let all = app.get_json("/v1/payment_intents?limit=10").await;
    let ids: Vec<&Value> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pi| &pi["id"])
        .collect();
    assert_eq!(ids, vec![&second["id"], &first["id"]]);
    assert_eq!(all["has_more"], false);
    let later = app
        .get_json(&format!(
            "/v1/payment_intents?created[gte]={}",
            created + 3600
        ))
        .await;
    assert_eq!(later["data"], serde_json::json!([]));
    let next = app
        .get_json(&format!(
            "/v1/payment_intents?limit=1&starting_after={}",
            second["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(next["data"][0]["id"], first["id"]);
    assert_eq!(next["has_more"], false);
    let unknown = app.get("/v1/payment_intents?starting_after=pi_nope").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_expired_session_cannot_be_paid_and_cannot_be_expired_twice() {
    let app = spawn_app().await;
    let session = app.create_session("1000").await;
    let id = session["id"].as_str().unwrap();
    let expired = app
        .post(&format!("/v1/checkout/sessions/{id}/expire"), &[], None)
        .await;
    assert_eq!(expired.status(), StatusCode::OK);
    assert_eq!(expired.json::<Value>().await.unwrap()["status"], "expired");
    let page = app.pay(&session, "4242424242424242").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Session expirée"));
    let again = app
        .post(&format!("/v1/checkout/sessions/{id}/expire"), &[], None)
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let session = app.session(id).await;
    assert_eq!(session["payment_status"], "unpaid");
    assert_eq!(session["payment_intent"], Value::Null);
}

#[tokio::test]
async fn klarna_is_offered_only_when_asked_for_and_pays() {
    let app = spawn_app().await;
    let card_only = app.create_session("1000").await;
    let html = app
        .http
        .get(card_only["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(!html.text().await.unwrap().contains("Klarna"));
    let mut form = session_form("1000");
    form.push(("payment_method_types[]", "klarna".to_owned()));
    let session: Value = app
        .post("/v1/checkout/sessions", &form, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        session["payment_method_types"],
        serde_json::json!(["card", "klarna"])
    );
    let url = session["url"].as_str().unwrap();
    assert!(
        app.http
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Payer avec Klarna")
    );
    let paid = app.http.post(format!("{url}/klarna")).send().await.unwrap();
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    let session = app
        .get_json(&format!(
            "/v1/checkout/sessions/{}",
            session["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(session["payment_status"], "paid");
}

/// `payment_intent_data[metadata]` and `[description]` go onto the session's PaymentIntent (how the
/// payments service finds its checkout from a `payment_intent.succeeded`), and are not shown on the
/// session itself, as at Stripe.
#[tokio::test]
async fn payment_intent_data_reaches_the_payment_intent() {
    let app = spawn_app().await;
    let mut form = session_form("5749");
    form.push(("payment_intent_data[metadata][checkout]", "chk-1".into()));
    form.push((
        "payment_intent_data[description]",
        "Facture SINV-0001".into(),
    ));
    let answer = app.post("/v1/checkout/sessions", &form, None).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let session: Value = answer.json().await.unwrap();
    assert!(session.get("payment_intent_data_input").is_none());
    assert_eq!(
        app.pay(&session, "4242 4242 4242 4242").await.status(),
        StatusCode::SEE_OTHER
    );
    let session = app.session(session["id"].as_str().unwrap()).await;
    let intent = app.intent_of(&session, "payment_intent").await;
    assert_eq!(intent["metadata"]["checkout"], "chk-1");
    assert_eq!(intent["description"], "Facture SINV-0001");
}
