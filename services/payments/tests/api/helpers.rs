//! `Stack::spawn(backend)`: the erp-sandbox, the Stripe stand-in delivering its webhooks to payments,
//! portal-auth, and payments between them, each on a free loopback port; the events payments
//! publishes are collected.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use payments::{Application, Settings};
use reqwest::Response;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use shared::events::{Envelope, InProcessBus};
use stripe_sandbox::{Sandbox, SandboxSettings, WebhookEndpoint};
use testkit::{ErpHandle, TempDir, TestDb, spawn_erp};

/// Which database payments runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Customers of the erp-sandbox the tests use (its README): Marie Tremblay, one unpaid December
/// invoice; Sophie Gagnon, an overdue November invoice and an unpaid December one; a company.
pub const MARIE: &str = "CUST-2024-00001";
pub const SOPHIE: &str = "CUST-2024-00003";
pub const COMPANY: &str = "CUST-2024-00022";
/// Marie's December invoice (unpaid), and her October one (paid).
pub const MARIE_UNPAID: &str = "ACC-SINV-2026-00003";
pub const MARIE_PAID: &str = "ACC-SINV-2026-00001";

/// The portal's origin in links.
pub const PORTAL_URL: &str = "https://portail.example.ca";

pub struct Stack {
    pub payments: String,
    pub portal_auth: String,
    pub stripe: String,
    pub stripe_key: SecretString,
    pub webhook_secret: SecretString,
    pub erp: ErpHandle,
    pub http: reqwest::Client,
    pub db: Option<TestDb>,
    events: Arc<Mutex<Vec<Envelope>>>,
    _keys: TempDir,
    _portal_db: TestDb,
}

impl Stack {
    pub async fn spawn(backend: Backend) -> Stack {
        Self::spawn_with(backend, true).await
    }

    /// A stack whose Stripe stand-in never delivers a webhook (as if every event were lost).
    pub async fn spawn_without_webhooks(backend: Backend) -> Stack {
        Self::spawn_with(backend, false).await
    }

    async fn spawn_with(backend: Backend, webhooks: bool) -> Stack {
        if std::env::var("TEST_LOG").is_ok() {
            shared::telemetry::init_for_tests();
        }
        let erp = spawn_erp().await;
        let keys = TempDir::new();
        let portal_db = TestDb::sqlite();
        let internal = format!("internal-{}", uuid::Uuid::new_v4().simple());
        let portal_auth = spawn_portal_auth(&erp, &keys, &portal_db, &internal).await;
        let port = testkit::free_port();
        let payments = format!("http://127.0.0.1:{port}");
        let secret = format!("whsec_{}", uuid::Uuid::new_v4().simple());
        let mut sandbox = SandboxSettings::for_tests();
        if webhooks {
            sandbox.webhook_endpoints = vec![WebhookEndpoint {
                url: format!("{payments}/webhook/stripe"),
                secret: SecretString::from(secret.clone()),
            }];
        }
        let stripe_key = sandbox.secret_key.clone();
        let sandbox = Sandbox::build(sandbox).await.unwrap();
        let stripe = sandbox.base_url();
        tokio::spawn(sandbox.run_until_stopped());
        let db = match backend {
            Backend::Sqlite => TestDb::sqlite(),
            Backend::Postgres => TestDb::postgres().await,
        };
        let env: HashMap<String, String> = [
            ("BIND", format!("127.0.0.1:{port}")),
            ("DATABASE_URL", db.url().to_owned()),
            ("ERP_URL", erp.url.clone()),
            ("PORTAL_AUTH_URL", portal_auth.clone()),
            ("PUBLIC_URL", payments.clone()),
            ("STRIPE_API_URL", stripe.clone()),
            ("STRIPE_SECRET_KEY", stripe_key.expose_secret().to_owned()),
            ("STRIPE_WEBHOOK_SECRETS", secret.clone()),
            ("INTERNAL_API_SECRET", internal),
            ("PORTAL_URL", PORTAL_URL.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let bus = InProcessBus::new();
        let events = testkit::events::collect(&bus).await;
        let app = Application::build_with_bus(Settings::from_source(&env).unwrap(), Arc::new(bus))
            .await
            .unwrap();
        tokio::spawn(app.run_until_stopped());
        Stack {
            payments,
            portal_auth,
            stripe,
            stripe_key,
            webhook_secret: SecretString::from(secret),
            erp,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            db: Some(db),
            events,
            _keys: keys,
            _portal_db: portal_db,
        }
    }

    /// A customer token for `customer`, minted by portal-auth (a support agent opening the account).
    pub async fn token(&self, customer: &str) -> String {
        let answer: Value = self
            .http
            .post(format!("{}/portal/impersonate", self.portal_auth))
            .header("X-authentik-username", "agent.roy")
            .header("X-authentik-groups", "support")
            .json(&json!({"customer": customer, "reason": "payments test"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["token"].as_str().unwrap().to_owned()
    }

    /// `GET {payments}{path}` with `token` (none: no Authorization header).
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.http.get(format!("{}{path}", self.payments));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// `POST {payments}{path}` with `token` and a JSON `body`.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let mut request = self.http.post(format!("{}{path}", self.payments));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    /// The Checkout URL of paying `invoice` by `method` as `token`'s customer.
    pub async fn checkout_url(&self, token: &str, invoice: &str, method: &str) -> String {
        let answer = self
            .post(
                &format!("/payments/pay-invoice/{invoice}"),
                Some(token),
                Some(json!({"method": method})),
            )
            .await;
        assert_eq!(answer.status(), 200);
        let body: Value = answer.json().await.unwrap();
        body["url"].as_str().unwrap().to_owned()
    }

    /// Types `card` on the stand-in's hosted page at `url`: its answer (303 to the return address
    /// when paid).
    pub async fn pay_on_page(&self, url: &str, card: &str) -> Response {
        self.http
            .post(url)
            .form(&[("card_number", card)])
            .send()
            .await
            .unwrap()
    }

    /// Pays `invoice` by card as `token`'s customer and waits until it is booked: its PaymentIntent.
    pub async fn paid_invoice(&self, token: &str, invoice: &str) -> String {
        let url = self.checkout_url(token, invoice, "card").await;
        assert_eq!(
            self.pay_on_page(&url, "4242424242424242").await.status(),
            303
        );
        self.wait_paid(invoice).await;
        let fact = testkit::poll_until(Duration::from_secs(10), || async {
            self.events()
                .iter()
                .filter_map(|e| e.decode::<shared::events::PaymentSucceeded>().ok())
                .find(|f| f.invoices.iter().any(|i| i == invoice))
        })
        .await
        .unwrap();
        fact.payment_intent
    }

    /// The events of type `E` payments published, once there are at least `n` (or after 10 s).
    pub async fn sent<E: shared::events::Event>(&self, n: usize) -> Vec<E> {
        let decoded = || -> Vec<E> {
            self.events()
                .iter()
                .filter_map(|e| e.decode().ok())
                .collect()
        };
        for _ in 0..100 {
            if decoded().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        decoded()
    }

    /// The events payments published so far.
    pub fn events(&self) -> Vec<Envelope> {
        self.events.lock().unwrap().clone()
    }

    /// Waits until `customer`'s invoice `name` has nothing outstanding in ERPNext.
    pub async fn wait_paid(&self, name: &str) -> Value {
        let erp = self.erp.client();
        testkit::poll_until(Duration::from_secs(15), || async {
            let invoice: Value = erp.get("Sales Invoice", name).await.ok()?;
            (invoice["outstanding_amount"].as_f64() == Some(0.0)).then_some(invoice)
        })
        .await
        .unwrap_or_else(|| panic!("{name} was not paid in time"))
    }

    /// The submitted Payment Entries whose `reference_no` is `payment_intent`.
    pub async fn entries_for(&self, payment_intent: &str) -> Vec<Value> {
        let query = shared::erpnext::ListQuery::new()
            .fields(&["name", "paid_amount", "docstatus"])
            .filter(
                "reference_no",
                shared::erpnext::Op::Eq,
                json!(payment_intent),
            );
        self.erp
            .client()
            .list("Payment Entry", &query)
            .await
            .unwrap()
    }

    /// A GET on the Stripe stand-in's API.
    pub async fn stripe_get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.stripe))
            .bearer_auth(self.stripe_key.expose_secret())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// `POST {payments}{path}` as staff member `user` of `groups` (through the trusted proxy).
    pub async fn post_as_staff(
        &self,
        path: &str,
        user: &str,
        groups: &str,
        body: Option<Value>,
    ) -> Response {
        let mut request = self
            .http
            .post(format!("{}{path}", self.payments))
            .header("X-authentik-username", user)
            .header("X-authentik-groups", groups);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    /// Posts `event` to payments' webhook, signed as Stripe does.
    pub async fn deliver(&self, event: &Value) -> Response {
        let body = event.to_string();
        let signature = payments::stripe::sign(
            &self.webhook_secret,
            chrono::Utc::now().timestamp(),
            body.as_bytes(),
        );
        self.http
            .post(format!("{}/webhook/stripe", self.payments))
            .header("Stripe-Signature", signature)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Whose a token is, by portal-auth.
    pub async fn whose(&self, token: &str) -> Option<String> {
        let answer = self
            .http
            .get(format!("{}/auth/verify", self.portal_auth))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        answer
            .headers()
            .get("X-Customer-Id")
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Drops the PostgreSQL database at the end of a test.
    pub async fn cleanup(mut self) {
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }
}

async fn spawn_portal_auth(erp: &ErpHandle, keys: &TempDir, db: &TestDb, internal: &str) -> String {
    let env: HashMap<String, String> = [
        ("BIND", "127.0.0.1:0".to_owned()),
        ("DATABASE_URL", db.url().to_owned()),
        ("ERP_URL", erp.url.clone()),
        ("JWT_KEYS_DIR", keys.path().display().to_string()),
        ("INTERNAL_API_SECRET", internal.to_owned()),
        ("PORTAL_URL", PORTAL_URL.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings = portal_auth::Settings::from_source(&env).unwrap();
    let app = shared::http::Application::build_with_bus(settings, Arc::new(InProcessBus::new()))
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    address
}

/// Asserts a problem+json answer of `status` with `code`.
pub async fn assert_problem(answer: Response, status: u16, code: &str) {
    assert_eq!(answer.status(), status);
    let ct = answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
}
