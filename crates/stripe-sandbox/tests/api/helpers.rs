//! `spawn_app()`: a sandbox with a fresh in-memory database and a random key; a webhook sink
//! that answers 500 a given number of times, then 200, and keeps what it received.

use reqwest::{Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use stripe_sandbox::{Sandbox, SandboxSettings, WebhookEndpoint};
pub use testkit::webhooks::Received;
use testkit::webhooks::Receiver;

/// A fake webhook endpoint on loopback, with the secret it expects.
#[derive(Clone)]
pub struct WebhookSink {
    pub url: String,
    pub secret: SecretString,
    receiver: Receiver,
}

impl WebhookSink {
    pub fn start(failures: usize) -> Self {
        let receiver = Receiver::start(0, "/webhook/stripe", failures);
        let secret = format!("whsec_{:032x}", rand::random::<u128>());
        Self {
            url: receiver.url.clone(),
            secret: SecretString::from(secret),
            receiver,
        }
    }

    /// Every request received so far, including those answered 500.
    pub fn received(&self) -> Vec<Received> {
        self.receiver.received()
    }

    /// Waits until `n` requests have arrived (at most 5 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let found = self
            .receiver
            .wait_until(|got| (got.len() >= n).then_some(got));
        found.await.unwrap_or_else(|| {
            panic!(
                "expected {n} webhook requests, got {:?}",
                self.received().len()
            )
        })
    }
}

pub struct TestApp {
    pub base: String,
    pub key: String,
    pub http: reqwest::Client,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(SandboxSettings::for_tests()).await
}

pub async fn spawn_app_with_sink(sink: &WebhookSink) -> TestApp {
    let mut settings = SandboxSettings::for_tests();
    settings.webhook_endpoints.push(WebhookEndpoint {
        url: sink.url.clone(),
        secret: sink.secret.clone(),
    });
    spawn_app_with(settings).await
}

pub async fn spawn_app_with(settings: SandboxSettings) -> TestApp {
    let key = settings.secret_key.expose_secret().to_owned();
    let sandbox = Sandbox::build(settings).await.unwrap();
    let base = sandbox.base_url();
    tokio::spawn(sandbox.run_until_stopped());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp { base, key, http }
}

/// The form of a typical one-invoice session, in French, for `cents`.
pub fn session_form(cents: &str) -> Vec<(&'static str, String)> {
    vec![
        ("mode", "payment".into()),
        ("line_items[0][price_data][currency]", "cad".into()),
        ("line_items[0][price_data][unit_amount]", cents.into()),
        (
            "line_items[0][price_data][product_data][name]",
            "Facture SINV-0001".into(),
        ),
        ("line_items[0][quantity]", "1".into()),
        ("client_reference_id", "CUST-2024-00001".into()),
        ("metadata[invoice]", "SINV-0001".into()),
        (
            "success_url",
            "http://127.0.0.1:9/paid?session_id={CHECKOUT_SESSION_ID}".into(),
        ),
        ("cancel_url", "http://127.0.0.1:9/cancelled".into()),
        ("payment_method_types[]", "card".into()),
        ("locale", "fr-CA".into()),
    ]
}

impl TestApp {
    pub async fn post(&self, path: &str, form: &[(&str, String)], key: Option<&str>) -> Response {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .form(form);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    pub async fn create_session(&self, cents: &str) -> Value {
        let response = self
            .post("/v1/checkout/sessions", &session_form(cents), None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// `GET /v1/checkout/sessions/{id}`.
    pub async fn session(&self, id: &str) -> Value {
        self.get_json(&format!("/v1/checkout/sessions/{id}")).await
    }

    /// `GET /v1/payment_intents/{id}`, the id taken from `holder[field]`.
    pub async fn intent_of(&self, holder: &Value, field: &str) -> Value {
        let id = holder[field].as_str().unwrap();
        self.get_json(&format!("/v1/payment_intents/{id}")).await
    }

    /// Submits the hosted page's card form.
    pub async fn pay(&self, session: &Value, card: &str) -> Response {
        let url = session["url"].as_str().unwrap();
        self.http
            .post(url)
            .form(&[("card_number", card)])
            .send()
            .await
            .unwrap()
    }

    /// Pays a new session with 4242…: its PaymentIntent.
    pub async fn paid_intent(&self, cents: &str) -> Value {
        let session = self.create_session(cents).await;
        assert_eq!(
            self.pay(&session, "4242 4242 4242 4242").await.status(),
            303
        );
        let session = self.session(session["id"].as_str().unwrap()).await;
        self.intent_of(&session, "payment_intent").await
    }
}

impl TestApp {
    /// `POST /v1/customers` with an email: the customer.
    pub async fn create_customer(&self) -> Value {
        let response = self
            .post(
                "/v1/customers",
                &[
                    ("email", "marie@example.ca".to_owned()),
                    ("name", "Marie Tremblay".to_owned()),
                ],
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// A `mode=setup` session for `customer`, in French.
    pub async fn create_setup_session(&self, customer: &str) -> Value {
        let response = self
            .post("/v1/checkout/sessions", &setup_form(customer), None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Saves `card` for `customer` through a setup session's page: the PaymentMethod's id.
    pub async fn save_card(&self, customer: &str, card: &str) -> String {
        let session = self.create_setup_session(customer).await;
        assert_eq!(self.pay(&session, card).await.status(), 303);
        let session = self.session(session["id"].as_str().unwrap()).await;
        let intent = self
            .get_json(&format!(
                "/v1/setup_intents/{}",
                session["setup_intent"].as_str().unwrap()
            ))
            .await;
        intent["payment_method"].as_str().unwrap().to_owned()
    }
}

/// The form of a setup session for `customer`, in French.
pub fn setup_form(customer: &str) -> Vec<(&'static str, String)> {
    vec![
        ("mode", "setup".into()),
        ("customer", customer.into()),
        ("currency", "cad".into()),
        (
            "success_url",
            "http://127.0.0.1:9/saved?session_id={CHECKOUT_SESSION_ID}".into(),
        ),
        ("cancel_url", "http://127.0.0.1:9/cancelled".into()),
        ("locale", "fr-CA".into()),
    ]
}
