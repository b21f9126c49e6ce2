//! Black-box tests of `POST /accept/docuseal-webhook` over HTTP, on SQLite and PostgreSQL: an event
//! with the secret header is recorded once however often (and however concurrently) it comes; an
//! event for an envelope of no quote of ours is recorded and processed with no effect. Bad input
//! tried: no header, a wrong secret, the right secret in another header, a body that is not JSON, a
//! JSON without `event_type` or `data.id`, a body over the limit: 401 or 400 or 413 problem+json and
//! nothing written. Secrets are made at test time.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use quotation_signing::{Application, Settings};
use reqwest::Response;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use shared::events::InProcessBus;
use testkit::TestDb;

struct App {
    address: String,
    http: reqwest::Client,
    db: TestDb,
    secret: String,
}

async fn spawn(db: TestDb, extra: &[(&str, &str)]) -> App {
    let secret = format!("secret-{}", uuid::Uuid::new_v4().simple());
    let mut env: HashMap<String, String> = [
        ("BIND", "127.0.0.1:0".to_owned()),
        ("DATABASE_URL", db.url().to_owned()),
        (
            "DOCUSEAL_WEBHOOK_SECRETS",
            format!("previous-secret-0123456789,{secret}"),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in extra {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let settings = Settings::from_source(&env).unwrap();
    let app = Application::build_with_bus(settings, Arc::new(InProcessBus::new()))
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    App {
        address,
        http: reqwest::Client::new(),
        db,
        secret,
    }
}

fn event(kind: &str, id: u64) -> Vec<u8> {
    json!({"event_type": kind, "timestamp": "2026-12-07T12:00:00Z",
        "data": {"id": id, "submission_id": 99_999, "email": "ana@example.ca", "status": "completed"}})
    .to_string()
    .into_bytes()
}

impl App {
    async fn post(&self, body: &[u8], header: Option<(&str, &str)>) -> Response {
        let mut request = self
            .http
            .post(format!("{}/accept/docuseal-webhook", self.address))
            .header("Content-Type", "application/json")
            .header("User-Agent", "DocuSeal.com Webhook")
            .body(body.to_vec());
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        request.send().await.unwrap()
    }

    fn secret(&self) -> Option<(&str, &str)> {
        Some(("X-Docuseal-Secret", &self.secret))
    }

    async fn scalar(&self, sql: &str) -> Option<String> {
        let db = Database::connect(self.db.url()).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()?;
        row.try_get_by_index(0).ok()
    }

    async fn events(&self) -> i64 {
        let count = self
            .scalar("SELECT CAST(COUNT(*) AS TEXT) FROM docuseal_event")
            .await;
        count.unwrap().parse().unwrap()
    }
}

async fn problem(response: Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    if !code.is_empty() {
        assert_eq!(body["code"], code, "{body}");
    }
}

async fn an_event_is_recorded_once_however_often_it_comes(db: TestDb) {
    let app = spawn(db, &[]).await;
    let body = event("form.viewed", 1);
    for n in 0..3 {
        let r = app.post(&body, app.secret()).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["first_time"], n == 0);
    }
    let burst = event("form.completed", 1);
    let answers = futures::future::join_all((0..5).map(|_| app.post(&burst, app.secret()))).await;
    let mut first = 0;
    for r in answers {
        assert_eq!(r.status(), 200);
        first += usize::from(r.json::<Value>().await.unwrap()["first_time"] == true);
    }
    assert_eq!(first, 1);
    assert_eq!(app.events().await, 2);
    app.db.cleanup().await;
}

/// DocuSeal may send events of submissions we never made (another integration, a deleted quote):
/// recorded, answered 200 so DocuSeal stops retrying, and processed with no effect.
async fn an_unknown_envelope_is_recorded_without_effect(db: TestDb) {
    let app = spawn(db, &[]).await;
    assert_eq!(
        app.post(&event("form.completed", 7), app.secret())
            .await
            .status(),
        200
    );
    let outcome = testkit::poll_until(Duration::from_secs(10), || async {
        app.scalar("SELECT outcome FROM docuseal_event WHERE processed_at IS NOT NULL")
            .await
    })
    .await;
    assert_eq!(outcome.as_deref(), Some("unknown_envelope"));
    assert_eq!(app.scalar("SELECT quotation FROM quote").await, None);
    app.db.cleanup().await;
}

async fn bad_webhooks_are_refused_and_write_nothing(db: TestDb) {
    let app = spawn(db, &[("DOCUSEAL_WEBHOOK_MAX_BYTES", "4096")]).await;
    let body = event("form.completed", 2);
    problem(app.post(&body, None).await, 401, "QUO_01").await;
    problem(
        app.post(
            &body,
            Some(("X-Docuseal-Secret", "someone-elses-secret-value")),
        )
        .await,
        401,
        "QUO_01",
    )
    .await;
    let truncated = &app.secret[..app.secret.len() - 1];
    problem(
        app.post(&body, Some(("X-Docuseal-Secret", truncated)))
            .await,
        401,
        "QUO_01",
    )
    .await;
    problem(
        app.post(&body, Some(("X-Other-Header", &app.secret))).await,
        401,
        "QUO_01",
    )
    .await;
    for bad in [
        &b"not json"[..],
        br#"{"event_type":"form.completed"}"#,
        br#"{"event_type":"form.completed","data":{"submission_id":1}}"#,
        br#"{"data":{"id":1}}"#,
        b"[1,2,3]",
    ] {
        problem(app.post(bad, app.secret()).await, 400, "QUO_02").await;
    }
    let huge = vec![b' '; 5000];
    problem(app.post(&huge, app.secret()).await, 413, "").await;
    assert_eq!(app.events().await, 0);
    app.db.cleanup().await;
}

/// A secret roll: the previous secret still passes while both are configured.
async fn the_previous_secret_still_passes_during_a_roll(db: TestDb) {
    let app = spawn(db, &[]).await;
    let old = Some(("X-Docuseal-Secret", "previous-secret-0123456789"));
    assert_eq!(app.post(&event("form.viewed", 3), old).await.status(), 200);
    assert_eq!(app.events().await, 1);
    app.db.cleanup().await;
}

/// The header's name is configurable (DocuSeal's UI takes any key).
async fn the_header_name_is_configurable(db: TestDb) {
    let app = spawn(db, &[("DOCUSEAL_WEBHOOK_HEADER", "X-Gigafibre-Webhook")]).await;
    let body = event("form.viewed", 4);
    problem(app.post(&body, app.secret()).await, 401, "QUO_01").await;
    let named = Some(("X-Gigafibre-Webhook", app.secret.as_str()));
    assert_eq!(app.post(&body, named).await.status(), 200);
    app.db.cleanup().await;
}

macro_rules! on_both_databases {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test]
            async fn on_sqlite() {
                super::$scenario(testkit::TestDb::sqlite()).await;
            }
            #[tokio::test]
            async fn on_postgres() {
                super::$scenario(testkit::TestDb::postgres().await).await;
            }
        }
    };
}

on_both_databases!(an_event_is_recorded_once_however_often_it_comes);
on_both_databases!(an_unknown_envelope_is_recorded_without_effect);
on_both_databases!(bad_webhooks_are_refused_and_write_nothing);
on_both_databases!(the_previous_secret_still_passes_during_a_roll);
on_both_databases!(the_header_name_is_configurable);

/// The OpenAPI document declares every answer the routes can give, as problem+json.
#[test]
fn the_openapi_document_declares_every_answer_as_problem_json() {
    use utoipa::OpenApi as _;
    let gaps = testkit::openapi::undeclared_answers(&quotation_signing::startup::ApiDoc::openapi());
    assert!(gaps.is_empty(), "undeclared answers:\n{}", gaps.join("\n"));
}
