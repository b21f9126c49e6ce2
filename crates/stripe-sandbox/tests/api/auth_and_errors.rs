use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{session_form, spawn_app};

#[tokio::test]
async fn no_key_is_401_with_stripes_error_body() {
    let app = spawn_app().await;
    let answer = app
        .http
        .post(format!("{}/v1/customers", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("You did not provide an API key.")
    );
}

#[tokio::test]
async fn a_wrong_key_is_401_and_never_echoed_whole() {
    let app = spawn_app().await;
    let wrong = format!("sk_test_{}", "x".repeat(24));
    let answer = app
        .http
        .get(format!("{}/v1/payment_intents", app.base))
        .bearer_auth(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let message = answer.json::<Value>().await.unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(message, "Invalid API Key provided: sk_test_****xxxx");
}

async fn error_of(answer: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(answer.status(), status);
    answer.json::<Value>().await.unwrap()["error"].clone()
}

#[tokio::test]
async fn a_missing_success_url_is_parameter_missing() {
    let app = spawn_app().await;
    let form: Vec<_> = session_form("100")
        .into_iter()
        .filter(|(k, _)| *k != "success_url")
        .collect();
    let error = error_of(
        app.post("/v1/checkout/sessions", &form, None).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["type"], "invalid_request_error");
    assert_eq!(error["code"], "parameter_missing");
    assert_eq!(error["param"], "success_url");
    assert_eq!(error["message"], "Missing required param: success_url.");
}

#[tokio::test]
async fn negative_and_fractional_amounts_are_refused() {
    let app = spawn_app().await;
    for (amount, message) in [
        ("-100", "This value must be greater than or equal to 0."),
        ("12.5", "Invalid integer: 12.5"),
        ("douze", "Invalid integer: douze"),
    ] {
        let error = error_of(
            app.post("/v1/checkout/sessions", &session_form(amount), None)
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(error["code"], "parameter_invalid_integer", "{amount}");
        assert_eq!(error["param"], "line_items[0][price_data][unit_amount]");
        assert_eq!(error["message"], message);
    }
}

#[tokio::test]
async fn unknown_ids_are_resource_missing_404() {
    let app = spawn_app().await;
    let error = error_of(
        app.get("/v1/customers/cus_nope").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(error["code"], "resource_missing");
    assert_eq!(error["message"], "No such customer: 'cus_nope'");
    let error = error_of(
        app.get("/v1/checkout/sessions/cs_test_nope").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(error["message"], "No such checkout.session: 'cs_test_nope'");
    let error = error_of(
        app.get("/v1/payment_intents/pi_nope").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(error["message"], "No such payment_intent: 'pi_nope'");
    let mut form = session_form("100");
    form.push(("customer", "cus_nope".to_owned()));
    let error = error_of(
        app.post("/v1/checkout/sessions", &form, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(error["param"], "customer");
}

#[tokio::test]
async fn unknown_parameters_and_routes_are_refused_as_stripe_does() {
    let app = spawn_app().await;
    let error = error_of(
        app.post(
            "/v1/customers",
            &[("emial", "x@example.ca".to_owned())],
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["code"], "parameter_unknown");
    assert_eq!(error["message"], "Received unknown parameter: emial");
    let error = error_of(app.get("/v1/prices").await, StatusCode::NOT_FOUND).await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("Unrecognized request URL (GET: /v1/prices)")
    );
}

#[tokio::test]
async fn basic_auth_with_the_key_as_user_is_accepted_as_curl_u_sends_it() {
    let app = spawn_app().await;
    let answer = app
        .http
        .get(format!("{}/v1/payment_intents", app.base))
        .basic_auth(&app.key, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_success_url_that_is_not_a_url_is_refused() {
    let app = spawn_app().await;
    let mut form: Vec<_> = session_form("100")
        .into_iter()
        .filter(|(k, _)| *k != "success_url")
        .collect();
    form.push(("success_url", "javascript:alert(1)".to_owned()));
    let error = error_of(
        app.post("/v1/checkout/sessions", &form, None).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["code"], "url_invalid");
    assert_eq!(error["param"], "success_url");
}

#[tokio::test]
async fn a_total_under_fifty_cents_is_amount_too_small() {
    let app = spawn_app().await;
    let error = error_of(
        app.post("/v1/checkout/sessions", &session_form("49"), None)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["code"], "amount_too_small");
}

#[tokio::test]
async fn an_unknown_payment_method_type_names_its_param() {
    let app = spawn_app().await;
    let mut form = session_form("100");
    form.push(("payment_method_types[]", "bitcoin".to_owned()));
    let error = error_of(
        app.post("/v1/checkout/sessions", &form, None).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["type"], "invalid_request_error");
    assert_eq!(error["param"], "payment_method_types");
    assert!(error["message"].as_str().unwrap().contains("bitcoin"));
}
