//! Black-box tests of `POST /webhook/stripe` over HTTP, on SQLite and PostgreSQL: a signed event is
//! recorded once however often it comes; forged, stale, unsigned, oversized or non-event bodies are
//! refused with problem+json and nothing written. Secrets are made at test time.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use payments::stripe::sign;
use payments::{Application, Settings};
use reqwest::Response;
use sea_orm::{ConnectionTrait, Database, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};
use shared::events::InProcessBus;
use testkit::TestDb;

struct App {
    address: String,
    http: reqwest::Client,
    db: TestDb,
    secret: SecretString,
}

async fn spawn(db: TestDb, extra: &[(&str, &str)]) -> App {
    let secret = format!("whsec_{}", uuid::Uuid::new_v4().simple());
    let mut env: HashMap<String, String> = [
        ("BIND", "127.0.0.1:0".to_owned()),
        ("DATABASE_URL", db.url().to_owned()),
        (
            "STRIPE_WEBHOOK_SECRETS",
            format!("whsec_previous_one,{secret}"),
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
        secret: SecretString::from(secret),
    }
}

fn event(id: &str) -> Vec<u8> {
    json!({"id": id, "object": "event", "type": "payment_intent.succeeded", "created": 1_700_000_000,
        "livemode": false, "data": {"object": {"id": "pi_1", "object": "payment_intent"}}})
    .to_string()
    .into_bytes()
}

impl App {
    async fn post(&self, body: &[u8], signature: Option<String>) -> Response {
        let mut request = self
            .http
            .post(format!("{}/webhook/stripe", self.address))
            .header("Content-Type", "application/json")
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("Stripe-Signature", signature);
        }
        request.send().await.unwrap()
    }

    fn signed(&self, body: &[u8]) -> Option<String> {
        Some(sign(&self.secret, chrono::Utc::now().timestamp(), body))
    }

    async fn events(&self) -> i64 {
        let db = Database::connect(self.db.url()).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT CAST(COUNT(*) AS BIGINT) FROM stripe_event",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
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

async fn a_signed_event_is_recorded_once_however_often_it_comes(db: TestDb) {
    let app = spawn(db, &[]).await;
    let body = event("evt_once");
    for n in 0..5 {
        let r = app.post(&body, app.signed(&body)).await;
        assert_eq!(r.status(), 200);
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["first_time"], n == 0, "delivery {n}");
    }
    assert_eq!(app.events().await, 1);
    app.db.cleanup().await;
}

/// The same event many times at once (they are written together): recorded once, one `first_time`.
async fn the_same_event_at_once_is_recorded_once(db: TestDb) {
    let app = spawn(db, &[]).await;
    let body = event("evt_burst");
    let answers =
        futures::future::join_all((0..20).map(|_| app.post(&body, app.signed(&body)))).await;
    let mut first = 0;
    for r in answers {
        assert_eq!(r.status(), 200);
        first += usize::from(r.json::<Value>().await.unwrap()["first_time"] == true);
    }
    assert_eq!(first, 1);
    assert_eq!(app.events().await, 1);
    app.db.cleanup().await;
}

/// Bad input tried: no signature, another secret's, a changed body, a stale timestamp, a signed
/// body that is not JSON, a signed JSON that is no event, a body over the limit.
async fn bad_webhooks_are_refused_and_write_nothing(db: TestDb) {
    let app = spawn(db, &[("STRIPE_WEBHOOK_MAX_BYTES", "4096")]).await;
    let body = event("evt_bad");
    problem(app.post(&body, None).await, 400, "PAY_01").await;
    let foreign = sign(
        &SecretString::from("whsec_someone_else"),
        chrono::Utc::now().timestamp(),
        &body,
    );
    problem(app.post(&body, Some(foreign)).await, 400, "PAY_01").await;
    problem(
        app.post(&event("evt_other"), app.signed(&body)).await,
        400,
        "PAY_01",
    )
    .await;
    let stale = sign(&app.secret, chrono::Utc::now().timestamp() - 301, &body);
    problem(app.post(&body, Some(stale)).await, 400, "PAY_01").await;
    let not_json = b"not json at all".to_vec();
    problem(
        app.post(&not_json, app.signed(&not_json)).await,
        400,
        "PAY_02",
    )
    .await;
    let no_event = br#"{"id":"cs_test_1","object":"checkout.session"}"#.to_vec();
    problem(
        app.post(&no_event, app.signed(&no_event)).await,
        400,
        "PAY_02",
    )
    .await;
    let huge = vec![b' '; 5000];
    problem(app.post(&huge, app.signed(&huge)).await, 413, "").await;
    assert_eq!(app.events().await, 0);
    app.db.cleanup().await;
}

/// A secret roll: events signed with the previous secret still pass while both are configured.
async fn the_previous_secret_still_passes_during_a_roll(db: TestDb) {
    let app = spawn(db, &[]).await;
    let body = event("evt_roll");
    let old = sign(
        &SecretString::from("whsec_previous_one"),
        chrono::Utc::now().timestamp(),
        &body,
    );
    assert_eq!(app.post(&body, Some(old)).await.status(), 200);
    assert_eq!(app.events().await, 1);
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

on_both_databases!(a_signed_event_is_recorded_once_however_often_it_comes);
on_both_databases!(bad_webhooks_are_refused_and_write_nothing);
on_both_databases!(the_previous_secret_still_passes_during_a_roll);
on_both_databases!(the_same_event_at_once_is_recorded_once);

#[test]
fn a_webhook_secret_without_whsec_is_refused_at_start() {
    let env: HashMap<String, String> = [(
        "STRIPE_WEBHOOK_SECRETS".to_owned(),
        "whsec_ok,sk_test_oops".to_owned(),
    )]
    .into();
    let err = Settings::from_source(&env).unwrap_err();
    assert_eq!(err.name, "STRIPE_WEBHOOK_SECRETS");
}

/// The OpenAPI document declares every answer the route can give, as problem+json.
#[test]
fn the_openapi_document_declares_every_answer_as_problem_json() {
    use utoipa::OpenApi as _;
    let gaps = testkit::openapi::undeclared_answers(&payments::startup::ApiDoc::openapi());
    assert!(gaps.is_empty(), "undeclared answers:\n{}", gaps.join("\n"));
}
