//! The Stripe client against a stand-in that records what it receives and answers as Stripe does:
//! the bearer key, the idempotency key and the form body go out; Stripe's error bodies come back as
//! `ApiError`s; an unreachable Stripe is a transport error.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use payments::stripe::{CallError, ErrorKind, Form, StripeClient};
use secrecy::SecretString;
use serde_json::{Value, json};

type Seen = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// Answers `POST /v1/checkout/sessions` with a session, `GET /v1/customers/cus_missing` with
/// Stripe's 404, and records (authorization, idempotency key, content type, body) of each request.
async fn stand_in() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let recorded = Arc::clone(&seen);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let seen = Arc::clone(&recorded);
        App::new().default_service(web::to(move |req: HttpRequest, body: String| {
            let seen = Arc::clone(&seen);
            async move {
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                seen.lock().unwrap().push((
                    header("authorization"),
                    header("idempotency-key"),
                    header("content-type"),
                    body,
                ));
                match req.path() {
                    "/v1/checkout/sessions" => HttpResponse::Ok().json(json!({
                        "id": "cs_test_1", "object": "checkout.session", "url": "http://127.0.0.1/c/pay/cs_test_1"
                    })),
                    _ => HttpResponse::NotFound().json(json!({"error": {
                        "type": "invalid_request_error", "code": "resource_missing",
                        "message": "No such customer: 'cus_missing'", "param": "id"
                    }})),
                }
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}"), seen)
}

fn client(base: &str) -> StripeClient {
    StripeClient::new(base, &SecretString::from("sk_test_made_at_test_time")).unwrap()
}

#[tokio::test]
async fn a_post_carries_the_key_the_idempotency_key_and_the_form() {
    let (base, seen) = stand_in().await;
    let form = Form::new()
        .set("mode", "payment")
        .metadata("invoice", "ACC-SINV-2026-00001");
    let session: Value = client(&base)
        .post("/v1/checkout/sessions", &form, "checkout:0194")
        .await
        .unwrap();
    assert_eq!(session["id"], "cs_test_1");
    let (auth, key, content_type, body) = seen.lock().unwrap()[0].clone();
    assert_eq!(auth, "Bearer sk_test_made_at_test_time");
    assert_eq!(key, "checkout:0194");
    assert_eq!(content_type, "application/x-www-form-urlencoded");
    assert_eq!(
        body,
        "mode=payment&metadata%5Binvoice%5D=ACC-SINV-2026-00001"
    );
}

#[tokio::test]
async fn stripes_error_body_becomes_an_api_error() {
    let (base, _) = stand_in().await;
    let err = client(&base)
        .get::<Value>("/v1/customers/cus_missing", &Form::new())
        .await
        .unwrap_err();
    let CallError::Api(api) = err else {
        panic!("{err}")
    };
    assert_eq!((api.status, api.kind), (404, ErrorKind::InvalidRequest));
    assert_eq!(api.code.as_deref(), Some("resource_missing"));
}

#[tokio::test]
async fn an_unreachable_stripe_is_a_transport_error_without_the_key() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = client(&format!("http://127.0.0.1:{closed}"))
        .post::<Value>("/v1/refunds", &Form::new(), "refund:1")
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::Transport(_)), "{err}");
    assert!(!err.to_string().contains("sk_test"));
}
