//! `Stack::spawn(backend)`: the erp-sandbox, the DocuSeal stand-in delivering its webhooks to
//! quotation-signing, portal-auth, and quotation-signing between them, each on a free loopback
//! port; the events quotation-signing publishes are collected.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use docuseal_sandbox::{Sandbox, SandboxSettings};
use quotation_signing::{Application, Settings};
use reqwest::Response;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use shared::events::{Envelope, InProcessBus};
use testkit::{ErpHandle, TempDir, TestDb, spawn_erp};

/// Which database quotation-signing runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub use erp_sandbox::demo_quotations::{
    QUOTATION_CANCELLED as CANCELLED, QUOTATION_DRAFT as DRAFT, QUOTATION_EXPIRED as EXPIRED,
    QUOTATION_FIBRE_BUNDLE as BUNDLE, QUOTATION_NO_FREQUENCY as NO_FREQUENCY,
    QUOTATION_RECURRING_ONLY as RECURRING_ONLY,
};
/// Marie Tremblay (French), whose quotation is [`BUNDLE`].
pub const MARIE: &str = "CUST-2024-00001";
/// Emily Smith (English), whose quotation is [`RECURRING_ONLY`].
pub const EMILY: &str = "CUST-2024-00007";

/// The portal's origin in links.
pub const PORTAL_URL: &str = "https://portail.example.ca";

pub struct Stack {
    pub base: String,
    pub portal_auth: String,
    pub docuseal: String,
    pub docuseal_key: SecretString,
    pub webhook_secret: String,
    pub erp: ErpHandle,
    pub http: reqwest::Client,
    pub db: Option<TestDb>,
    events: Arc<Mutex<Vec<Envelope>>>,
    _keys: TempDir,
    _portal_db: TestDb,
}

impl Stack {
    pub async fn spawn(backend: Backend) -> Stack {
        if std::env::var("TEST_LOG").is_ok() {
            shared::telemetry::init_for_tests();
        }
        let erp = spawn_erp().await;
        let keys = TempDir::new();
        let portal_db = TestDb::sqlite();
        let internal = format!("internal-{}", uuid::Uuid::new_v4().simple());
        let portal_auth = spawn_portal_auth(&erp, &keys, &portal_db, &internal).await;
        let port = testkit::free_port();
        let base = format!("http://127.0.0.1:{port}");
        let secret = format!("secret-{}", uuid::Uuid::new_v4().simple());
        let mut sandbox = SandboxSettings::for_tests();
        sandbox.webhook_url = Some(format!("{base}/accept/docuseal-webhook"));
        sandbox.webhook_headers = vec![(
            "X-Docuseal-Secret".to_owned(),
            SecretString::from(secret.clone()),
        )];
        let docuseal_key = sandbox.api_key.clone();
        let sandbox = Sandbox::build(sandbox).await.unwrap();
        let docuseal = sandbox.base_url();
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
            ("DOCUSEAL_API_URL", format!("{docuseal}/api")),
            ("DOCUSEAL_API_KEY", docuseal_key.expose_secret().to_owned()),
            ("DOCUSEAL_WEBHOOK_SECRETS", secret.clone()),
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
            base,
            portal_auth,
            docuseal,
            docuseal_key,
            webhook_secret: secret,
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
            .json(&json!({"customer": customer, "reason": "quotes test"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["token"].as_str().unwrap().to_owned()
    }

    /// `GET {base}{path}` with `token` (none: no Authorization header).
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// `GET {base}{path}` as staff.
    pub async fn get_as_staff(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("X-authentik-username", "vendeur.lee")
            .header("X-authentik-groups", "sales")
            .send()
            .await
            .unwrap()
    }

    /// `POST {base}{path}` with `token` and a JSON `body`.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// `POST /accept/generate` as a sales staff member.
    pub async fn generate(&self, quotation: &str, quote_type: &str) -> Response {
        self.http
            .post(format!("{}/accept/generate", self.base))
            .header("X-authentik-username", "vendeur.lee")
            .header("X-authentik-groups", "sales")
            .json(&json!({"quotation": quotation, "quote_type": quote_type}))
            .send()
            .await
            .unwrap()
    }

    /// Sends `quotation` to sign: the signing URL.
    pub async fn sent_to_sign(&self, quotation: &str) -> String {
        let answer = self.generate(quotation, "signature").await;
        assert_eq!(answer.status(), 200);
        let body: Value = answer.json().await.unwrap();
        body["url"].as_str().unwrap().to_owned()
    }

    /// `GET /accept/{quotation}/status` as staff, once its status is `want` (or after 15 s).
    pub async fn wait_status(&self, quotation: &str, want: &str) -> Value {
        let path = format!("/accept/{quotation}/status");
        testkit::poll_until(Duration::from_secs(15), || async {
            let body: Value = self.get_as_staff(&path).await.json().await.ok()?;
            (body["status"] == want).then_some(body)
        })
        .await
        .unwrap_or_else(|| panic!("{quotation} never became {want}"))
    }

    /// The events of type `E` published, once there are at least `n` (or after 10 s).
    pub async fn sent<E: shared::events::Event>(&self, n: usize) -> Vec<E> {
        let decoded = || -> Vec<E> {
            self.events
                .lock()
                .unwrap()
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

    /// Documents of `doctype` matching `field = value` in the erp-sandbox.
    pub async fn erp_list(&self, doctype: &str, field: &str, value: &str) -> Vec<Value> {
        let query = shared::erpnext::ListQuery::new().fields(&["*"]).filter(
            field,
            shared::erpnext::Op::Eq,
            json!(value),
        );
        self.erp.client().list(doctype, &query).await.unwrap()
    }

    /// The submitted Sales Orders made from `quotation`.
    pub async fn orders_of(&self, quotation: &str) -> Vec<Value> {
        let query = shared::erpnext::ListQuery::new()
            .fields(&["name", "docstatus", "customer"])
            .child_filter(
                "Sales Order Item",
                "prevdoc_docname",
                shared::erpnext::Op::Eq,
                json!(quotation),
            )
            .filter("docstatus", shared::erpnext::Op::Eq, json!(1));
        self.erp.client().list("Sales Order", &query).await.unwrap()
    }

    /// Posts `body` to the webhook with the right secret.
    pub async fn deliver(&self, body: &Value) -> Response {
        self.http
            .post(format!("{}/accept/docuseal-webhook", self.base))
            .header("X-Docuseal-Secret", &self.webhook_secret)
            .json(body)
            .send()
            .await
            .unwrap()
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

/// Asserts a problem+json answer of `status` with `code`; its body.
pub async fn assert_problem(answer: Response, status: u16, code: &str) -> Value {
    assert_eq!(answer.status(), status);
    let ct = answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    body
}
