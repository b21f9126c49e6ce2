//! `spawn_app()`: a sandbox with a fresh in-memory database and a random key; a webhook receiver
//! that answers 500 a given number of times, then 200, and keeps what it received.

use docuseal_sandbox::{Sandbox, SandboxSettings};
use reqwest::{Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
pub use testkit::webhooks::Received;

/// The secret header the receiver expects, as set in DocuSeal's UI.
pub const SECRET_HEADER: &str = "X-Docuseal-Secret";

/// The event type of a received webhook.
pub fn event_type(received: &Received) -> String {
    received.json()["event_type"].as_str().unwrap().to_owned()
}

/// A fake webhook receiver on loopback, with the secret header's value it expects.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub secret: String,
    receiver: testkit::webhooks::Receiver,
}

impl Receiver {
    pub fn start(failures: usize) -> Self {
        Self::start_on(0, failures)
    }

    /// A receiver on `port` (0: any free one).
    pub fn start_on(port: u16, failures: usize) -> Self {
        let receiver =
            testkit::webhooks::Receiver::start(port, "/accept/docuseal-webhook", failures);
        Self {
            url: receiver.url.clone(),
            secret: format!("{:032x}", rand::random::<u128>()),
            receiver,
        }
    }

    /// Every request received so far, including those answered 500.
    pub fn received(&self) -> Vec<Received> {
        self.receiver.received()
    }

    /// The received requests of `event_type`.
    pub fn of_type(&self, wanted: &str) -> Vec<Received> {
        let mut received = self.received();
        received.retain(|r| event_type(r) == wanted);
        received
    }

    /// Waits until `n` requests of `event_type` have arrived (at most 5 s).
    pub async fn wait_for(&self, wanted: &str, n: usize) -> Vec<Received> {
        let found = self.receiver.wait_until(|_| {
            let got = self.of_type(wanted);
            (got.len() >= n).then_some(got)
        });
        found.await.unwrap_or_else(|| {
            let types: Vec<_> = self.received().iter().map(event_type).collect();
            panic!("expected {n} {wanted} webhooks, got {types:?}")
        })
    }
}

pub struct TestApp {
    pub base: String,
    pub key: SecretString,
    pub http: reqwest::Client,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(SandboxSettings::for_tests()).await
}

pub async fn spawn_app_with_receiver(receiver: &Receiver) -> TestApp {
    let mut settings = SandboxSettings::for_tests();
    settings.webhook_url = Some(receiver.url.clone());
    settings.webhook_headers = vec![(
        SECRET_HEADER.to_owned(),
        SecretString::from(receiver.secret.clone()),
    )];
    spawn_app_with(settings).await
}

pub async fn spawn_app_with(settings: SandboxSettings) -> TestApp {
    let key = settings.api_key.clone();
    let sandbox = Sandbox::build(settings).await.unwrap();
    let base = sandbox.base_url();
    tokio::spawn(sandbox.run_until_stopped());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp { base, key, http }
}

/// The request the quotation-signing service sends for a French quote.
pub fn quote_request() -> Value {
    json!({
        "template_id": 1,
        "send_email": false,
        "expire_at": "2099-12-31T23:59:00-05:00",
        "submitters": [{
            "role": "Client",
            "name": "Marie Tremblay",
            "email": "marie@example.ca",
            "phone": "+15145550123",
            "external_id": "SAL-QTN-2026-00042",
            "metadata": {"quotation": "SAL-QTN-2026-00042"},
            "values": {"Soumission": "SAL-QTN-2026-00042", "Client": "Marie Tremblay", "Total": "1 149,75 $"},
        }],
    })
}

impl TestApp {
    /// `POST /api/submissions` with `body` (raw), the key unless `key` says otherwise.
    pub async fn post_raw(&self, body: &str, key: Option<&str>) -> Response {
        let mut request = self
            .http
            .post(format!("{}/api/submissions", self.base))
            .header("Content-Type", "application/json")
            .body(body.to_owned());
        if let Some(key) = key {
            request = request.header("X-Auth-Token", key);
        }
        request.send().await.unwrap()
    }

    pub async fn create(&self, body: &Value) -> Response {
        self.post_raw(&body.to_string(), Some(self.key.expose_secret()))
            .await
    }

    /// Creates the French quote's submission: its one submitter.
    pub async fn create_quote(&self) -> Value {
        self.create_quote_with(quote_request()).await
    }

    pub async fn create_quote_with(&self, body: Value) -> Value {
        let response = self.create(&body).await;
        assert_eq!(response.status(), StatusCode::OK);
        let submitters: Value = response.json().await.unwrap();
        submitters[0].clone()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("X-Auth-Token", self.key.expose_secret())
            .send()
            .await
            .unwrap()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    pub async fn submission(&self, id: &Value) -> Value {
        self.get_json(&format!("/api/submissions/{id}")).await
    }
}

/// The error text of a DocuSeal error answer.
pub async fn error_of(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}
