//! `Stack::spawn(backend)`: the erp-sandbox, testkit's fake Gemini, a JWKS server with a key ring
//! of technicians' tokens, and vision-ocr between them, each on a free loopback port; the events
//! vision-ocr publishes are collected.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpResponse, HttpServer, web};
use reqwest::Response;
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use shared::claims::{AUD_TECH, KeyRing, TechClaims, new_jti};
use shared::events::{Envelope, InProcessBus};
use testkit::{ErpHandle, FakeGemini, TestDb, spawn_erp};
use vision_ocr::{Application, Settings};

/// Which database vision-ocr runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The issuer of the technicians' tokens.
const ISSUER: &str = "https://hub.test";
/// The uploads' limit in these tests (a smaller one than the default keeps the 413 test quick).
pub const MAX_UPLOAD: usize = 3 * 1024 * 1024;

pub struct Stack {
    pub base: String,
    pub erp: ErpHandle,
    pub gemini: FakeGemini,
    pub http: reqwest::Client,
    _db: TestDb,
    keys: KeyRing,
    events: Arc<Mutex<Vec<Envelope>>>,
}

/// Extra settings of one stack.
#[derive(Default)]
pub struct Options {
    /// Gemini left out: the local provider reads.
    pub no_gemini: bool,
}

impl Stack {
    pub async fn spawn(backend: Backend) -> Stack {
        Self::spawn_with(backend, Options::default()).await
    }

    pub async fn spawn_with(backend: Backend, options: Options) -> Stack {
        if std::env::var("TEST_LOG").is_ok() {
            shared::telemetry::init_for_tests();
        }
        let erp = spawn_erp().await;
        let gemini = FakeGemini::spawn().await;
        let keys = KeyRing::ephemeral().unwrap();
        let auth = serve_jwks(&keys).await;
        let port = testkit::free_port();
        let db = match backend {
            Backend::Sqlite => TestDb::sqlite(),
            Backend::Postgres => TestDb::postgres().await,
        };
        let mut env: HashMap<String, String> = [
            ("BIND", format!("127.0.0.1:{port}")),
            ("DATABASE_URL", db.url().to_owned()),
            ("ERP_URL", erp.url.clone()),
            ("PORTAL_AUTH_URL", auth),
            ("JWT_ISSUER", ISSUER.to_owned()),
            ("VISION_MAX_UPLOAD_BYTES", MAX_UPLOAD.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if !options.no_gemini {
            env.insert("GEMINI_API_KEY".into(), gemini.key());
            env.insert("GEMINI_API_URL".into(), gemini.url());
            env.insert("GEMINI_TIMEOUT_S".into(), "1".into());
        }
        let bus = InProcessBus::new();
        let events = testkit::events::collect(&bus).await;
        let app = Application::build_with_bus(Settings::from_source(&env).unwrap(), Arc::new(bus))
            .await
            .unwrap();
        tokio::spawn(app.run_until_stopped());
        Stack {
            base: format!("http://127.0.0.1:{port}"),
            erp,
            gemini,
            http: reqwest::Client::new(),
            _db: db,
            keys,
            events,
        }
    }

    /// A technician's token (`aud=tech`) for `technician`, signed with the stack's keys.
    pub fn tech_token(&self, technician: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        self.keys
            .sign(&TechClaims {
                iss: ISSUER.into(),
                aud: AUD_TECH.into(),
                sub: technician.into(),
                job: "DJ-2026-00001".into(),
                iat: now,
                nbf: now,
                exp: now + 600,
                jti: new_jti(),
            })
            .unwrap()
    }

    /// `POST {path}` of `file` as the multipart part `file`, as staff of `accounting` unless
    /// `headers` say otherwise.
    pub async fn upload(&self, path: &str, file: Vec<u8>, headers: &[(&str, &str)]) -> Response {
        let form = Form::new().part("file", Part::bytes(file).file_name("photo.jpg"));
        self.post_form(path, form, headers).await
    }

    /// `POST {path}` of any multipart form.
    pub async fn post_form(&self, path: &str, form: Form, headers: &[(&str, &str)]) -> Response {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form);
        request = staff_unless_given(request, headers);
        request.send().await.unwrap()
    }

    /// `GET {path}`, as staff unless `headers` say otherwise.
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        let request = self.http.get(format!("{}{path}", self.base));
        staff_unless_given(request, headers).send().await.unwrap()
    }

    /// The events published so far.
    pub fn events(&self) -> Vec<Envelope> {
        self.events.lock().unwrap().clone()
    }
}

fn staff_unless_given(
    mut request: reqwest::RequestBuilder,
    headers: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let names: Vec<String> = headers.iter().map(|(k, _)| k.to_lowercase()).collect();
    if !names
        .iter()
        .any(|n| n == "authorization" || n.starts_with("x-authentik"))
    {
        request = request
            .header("X-authentik-username", "c.bouchard")
            .header("X-authentik-groups", "accounting");
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request
}

/// Serves `keys`' JWKS at `/.well-known/jwks.json` on a free port; returns its origin.
async fn serve_jwks(keys: &KeyRing) -> String {
    let jwks = serde_json::to_string(&keys.jwks(chrono::Utc::now().timestamp(), 86_400)).unwrap();
    let port = testkit::free_port();
    let server = HttpServer::new(move || {
        let body = jwks.clone();
        App::new().route(
            "/.well-known/jwks.json",
            web::get().to(move || {
                let body = body.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(body)
                }
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", port))
    .unwrap()
    .run();
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}")
}

/// The problem+json body of `response`, after checking its status and code.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status for {code}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/problem+json"),
        "{content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    body
}
