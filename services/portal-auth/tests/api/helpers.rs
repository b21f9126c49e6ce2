//! `spawn_app` and the `TestApp` of the black-box tests: one helper per endpoint, and what the
//! service sent, read from the event bus it publishes on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_auth::{Application, Settings};
use regex::Regex;
use reqwest::{Response, header};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::Value;
use shared::claims::KeyRing;
use shared::events::{EmailSend, Envelope, EventBus, InProcessBus, SmsSend};
use testkit::{ErpHandle, TempDir, TestDb, poll_until, spawn_erp};

/// The portal origin every test configures.
pub const PORTAL_URL: &str = "https://portail.example.ca";
/// The public origin every test configures.
pub const PUBLIC_URL: &str = "https://hub.example.ca";
/// The `INTERNAL_API_SECRET` of [`spawn_app_with_internal_secret`].
pub const INTERNAL_SECRET: &str = "test-internal-secret-0123456789abcdef";
/// How long a test waits for the asynchronous worker.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// Which database the service runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database.
    Postgres,
}

/// How events leave the service under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bus {
    /// An in-process bus the test reads from.
    InProcess,
    /// The real NATS server (`NATS_URL`).
    Nats,
}

/// A running portal-auth with its own ERP, database and keys.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// No redirects followed, no cookies.
    pub client: reqwest::Client,
    /// The sandbox ERP it looks customers up in.
    pub erp: Arc<ErpHandle>,
    /// Envelopes published on the in-process bus (empty with NATS).
    pub sent: Arc<Mutex<Vec<Envelope>>>,
    /// The settings it was built from (to start a sibling or a restart).
    pub env: HashMap<String, String>,
    /// Shared with siblings; the last owner drops it.
    db: Arc<Mutex<Option<TestDb>>>,
    keys: Arc<TempDir>,
}

/// Starts portal-auth on `backend` with the in-process bus.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Bus::InProcess, &[]).await
}

/// Starts portal-auth with extra environment variables (`LINK_LIMIT_PER_IP`, `TRUSTED_PROXIES`…).
pub async fn spawn_app_with(backend: Backend, bus: Bus, extra: &[(&str, &str)]) -> TestApp {
    init_logs();
    let erp = Arc::new(spawn_erp().await);
    let db = match backend {
        Backend::Sqlite => TestDb::sqlite(),
        Backend::Postgres => TestDb::postgres().await,
    };
    let keys = Arc::new(TempDir::new());
    let mut env: HashMap<String, String> = [
        ("BIND", "127.0.0.1:0"),
        ("DATABASE_URL", db.url()),
        ("ERP_URL", erp.url.as_str()),
        ("PORTAL_URL", PORTAL_URL),
        ("PUBLIC_URL", PUBLIC_URL),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    env.insert("JWT_KEYS_DIR".into(), keys.path().display().to_string());
    if bus == Bus::Nats {
        env.insert("NATS_URL".into(), testkit::nats_url());
    }
    for (k, v) in extra {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    start(env, erp, Arc::new(Mutex::new(Some(db))), keys).await
}

/// Starts portal-auth on `backend` with `INTERNAL_API_SECRET` = [`INTERNAL_SECRET`].
pub async fn spawn_app_with_internal_secret(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        Bus::InProcess,
        &[("INTERNAL_API_SECRET", INTERNAL_SECRET)],
    )
    .await
}

async fn start(
    env: HashMap<String, String>,
    erp: Arc<ErpHandle>,
    db: Arc<Mutex<Option<TestDb>>>,
    keys: Arc<TempDir>,
) -> TestApp {
    let settings = Settings::from_source(&env).unwrap();
    let sent = Arc::new(Mutex::new(Vec::new()));
    let app = if settings.server.bus.url.is_some() {
        Application::build(settings).await.unwrap()
    } else {
        let bus = InProcessBus::new();
        collect(&bus, Arc::clone(&sent)).await;
        Application::build_with_bus(settings, Arc::new(bus))
            .await
            .unwrap()
    };
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        erp,
        sent,
        env,
        db,
        keys,
    }
}

/// Reads every envelope the service publishes, acking each (the relay waits for the ack).
async fn collect(bus: &InProcessBus, sent: Arc<Mutex<Vec<Envelope>>>) {
    let mut sub = bus.subscribe(">", "black-box-test").await.unwrap();
    tokio::spawn(async move {
        while let Some(delivery) = sub.next().await {
            if let Ok(envelope) = &delivery.envelope {
                sent.lock().unwrap().push(envelope.clone());
            }
            delivery.ack().await;
        }
    });
}

fn init_logs() {
    if std::env::var("TEST_LOG").is_ok() {
        shared::telemetry::init_for_tests();
    }
}

impl TestApp {
    /// A second instance on the same database, keys and ERP (a replica, or the same service after
    /// a restart: it starts with no memory of its own).
    pub async fn sibling(&self) -> TestApp {
        start(
            self.env.clone(),
            Arc::clone(&self.erp),
            Arc::clone(&self.db),
            Arc::clone(&self.keys),
        )
        .await
    }

    /// Drops the PostgreSQL database (call at the end of a PostgreSQL test).
    pub async fn cleanup(self) {
        let db = self.db.lock().unwrap().take();
        if let Some(db) = db {
            db.cleanup().await;
        }
    }

    /// A direct connection to the service's database (to check internal state in a few tests).
    pub async fn database(&self) -> DatabaseConnection {
        Database::connect(&self.env["DATABASE_URL"]).await.unwrap()
    }

    /// The service's signing keys (to forge tokens with the right key but wrong claims).
    pub fn key_ring(&self) -> KeyRing {
        KeyRing::load(self.keys.path()).unwrap()
    }

    /// Adds a signing key in the service's key directory, as `portal-auth keys rotate` does.
    pub fn rotate_key(&self) -> KeyRing {
        KeyRing::rotate(self.keys.path()).unwrap()
    }

    /// `url` relative to the service.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `POST /portal/request-link` with a JSON body.
    pub async fn request_link(&self, body: &Value) -> Response {
        self.post_json("/portal/request-link", body).await
    }

    /// `POST /portal/request-link` for one identifier.
    pub async fn request_link_for(&self, identifier: &str) -> Response {
        self.request_link(&serde_json::json!({ "identifier": identifier }))
            .await
    }

    /// `POST /portal/verify-code`.
    pub async fn verify_code(&self, identifier: &str, code: &str) -> Response {
        self.post_json(
            "/portal/verify-code",
            &serde_json::json!({ "identifier": identifier, "code": code }),
        )
        .await
    }

    /// `POST` of raw bytes with an optional content type.
    pub async fn post_raw(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
        content_type: Option<&str>,
    ) -> Response {
        let mut req = self.client.post(self.url(path)).body(body);
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        req.send().await.unwrap()
    }

    /// `POST` of a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// `GET /portal/l/{code}`.
    pub async fn follow_short_link(&self, code: &str) -> Response {
        self.get(&format!("/portal/l/{code}")).await
    }

    /// `GET /portal/me` with a bearer token.
    pub async fn me(&self, token: &str) -> Response {
        self.get_with_token("/portal/me", token).await
    }

    /// `GET /auth/verify` with a bearer token.
    pub async fn auth_verify(&self, token: &str) -> Response {
        self.get_with_token("/auth/verify", token).await
    }

    /// `POST /portal/logout` (optionally `?everywhere=true`).
    pub async fn logout(&self, token: &str, everywhere: bool) -> Response {
        let path = if everywhere {
            "/portal/logout?everywhere=true"
        } else {
            "/portal/logout"
        };
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// `POST /portal/impersonate` with staff headers.
    pub async fn impersonate(&self, customer: &str, username: &str, groups: &str) -> Response {
        self.client
            .post(self.url("/portal/impersonate"))
            .header("X-authentik-username", username)
            .header("X-authentik-groups", groups)
            .json(&serde_json::json!({ "customer": customer, "reason": "ticket 42" }))
            .send()
            .await
            .unwrap()
    }

    /// `POST /internal/customer-tokens` with `secret` as the bearer token (none: no header).
    pub async fn mint_customer_token(&self, secret: Option<&str>, body: &Value) -> Response {
        let mut req = self.client.post(self.url("/internal/customer-tokens"));
        if let Some(secret) = secret {
            req = req.bearer_auth(secret);
        }
        req.json(body).send().await.unwrap()
    }

    /// `POST /internal/customer-tokens` with the right secret for `customer` and `purpose`; the
    /// answer's body.
    pub async fn minted_token(&self, customer: &str, purpose: &str) -> Value {
        let body = serde_json::json!({ "customer": customer, "purpose": purpose, "context": "cs_test_a1" });
        let r = self.mint_customer_token(Some(INTERNAL_SECRET), &body).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        r.json().await.unwrap()
    }

    /// `GET /portal/impersonations?query` with staff headers.
    pub async fn impersonations(&self, query: &str, username: &str, groups: &str) -> Response {
        self.client
            .get(self.url(&format!("/portal/impersonations?{query}")))
            .header("X-authentik-username", username)
            .header("X-authentik-groups", groups)
            .send()
            .await
            .unwrap()
    }

    /// `GET /.well-known/jwks.json` as JSON.
    pub async fn jwks(&self) -> Value {
        self.get("/.well-known/jwks.json")
            .await
            .json()
            .await
            .unwrap()
    }

    /// A plain `GET`.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A `GET` with a bearer token.
    pub async fn get_with_token(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Every envelope published so far.
    pub fn envelopes(&self) -> Vec<Envelope> {
        self.sent.lock().unwrap().clone()
    }

    /// Emails sent so far to `to` (compared case-insensitively).
    pub fn emails_to(&self, to: &str) -> Vec<EmailSend> {
        self.envelopes()
            .iter()
            .filter_map(|e| e.decode::<EmailSend>().ok())
            .filter(|m| m.to.eq_ignore_ascii_case(to))
            .collect()
    }

    /// SMS sent so far to the E.164 number `to`.
    pub fn sms_to(&self, to: &str) -> Vec<SmsSend> {
        self.envelopes()
            .iter()
            .filter_map(|e| e.decode::<SmsSend>().ok())
            .filter(|m| m.to == to)
            .collect()
    }

    /// Waits until at least `n` emails went to `to`.
    pub async fn wait_for_emails(&self, to: &str, n: usize) -> Vec<EmailSend> {
        poll_until(PATIENCE, || async {
            let found = self.emails_to(to);
            (found.len() >= n).then_some(found)
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "expected {n} email(s) to {to}, got {:?}",
                self.emails_to(to)
            )
        })
    }

    /// Waits until at least `n` SMS went to `to`.
    pub async fn wait_for_sms(&self, to: &str, n: usize) -> Vec<SmsSend> {
        poll_until(PATIENCE, || async {
            let found = self.sms_to(to);
            (found.len() >= n).then_some(found)
        })
        .await
        .unwrap_or_else(|| panic!("expected {n} SMS to {to}, got {:?}", self.sms_to(to)))
    }

    /// Waits until every queued link request was handled and its events published (no job, no
    /// outbox row left), so that "nothing was sent" can be asserted.
    pub async fn wait_until_idle(&self) {
        let db = self.database().await;
        let idle = poll_until(PATIENCE, || async {
            let jobs = count(&db, "link_job").await;
            let outbox = count(&db, "outbox").await;
            (jobs == 0 && outbox == 0).then_some(())
        })
        .await;
        assert!(idle.is_some(), "the worker never became idle");
    }

    /// Requests a link for `identifier` and returns the email sent to `email`.
    pub async fn login_email(&self, identifier: &str, email: &str) -> EmailSend {
        let before = self.emails_to(email).len();
        assert_eq!(self.request_link_for(identifier).await.status(), 200);
        self.wait_for_emails(email, before + 1).await.remove(before)
    }

    /// A valid token for the customer whose email is `email` (through the email link).
    pub async fn login(&self, email: &str) -> String {
        link_token(&self.login_email(email, email).await.text)
    }
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// The token of the first `<PORTAL_URL>/#/?token=` link in `text`.
pub fn link_token(text: &str) -> String {
    let re = Regex::new(r"https://portail\.example\.ca/#/\?token=([A-Za-z0-9_\-\.]+)").unwrap();
    re.captures(text)
        .unwrap_or_else(|| panic!("no portal link in {text}"))[1]
        .to_owned()
}

/// The code of the first `<PUBLIC_URL>/portal/l/<code>` short link in `text`.
pub fn short_code(text: &str) -> String {
    let re = Regex::new(r"https://hub\.example\.ca/portal/l/([A-Za-z0-9_\-]+)").unwrap();
    re.captures(text)
        .unwrap_or_else(|| panic!("no short link in {text}"))[1]
        .to_owned()
}

/// The 6-digit code in `text` (the only standalone run of exactly six digits).
pub fn typed_code(text: &str) -> String {
    let re = Regex::new(r"(?:^|[^0-9])([0-9]{6})(?:[^0-9]|$)").unwrap();
    re.captures(text)
        .unwrap_or_else(|| panic!("no 6-digit code in {text}"))[1]
        .to_owned()
}

/// The claims of a JWT, read without verifying it.
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The header of a JWT.
pub fn header_of(token: &str) -> Value {
    let header = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

/// A response body as JSON, after checking it is problem+json with `status`.
pub async fn problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    let ct = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        ct.starts_with("application/problem+json"),
        "content type {ct}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["code"].is_string(), "{body}");
    body
}

/// Runs an async scenario on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $scenario:ident) => {
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                super::$scenario($crate::helpers::Backend::Sqlite).await;
            }
            #[tokio::test]
            async fn on_postgres() {
                super::$scenario($crate::helpers::Backend::Postgres).await;
            }
        }
    };
}
