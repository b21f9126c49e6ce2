//! `spawn_app` and the `TestApp` of the black-box tests: the service on a random port with its own
//! database, a real SMTP sink, a Twilio fake, and the dead letters it publishes on the bus.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notifications::{Application, Settings};
use reqwest::Response;
use serde_json::Value;
use shared::events::{DeadLetter, EmailSend, Envelope, EventBus, InProcessBus, SmsSend, subjects};
use testkit::{MailjetFake, SmtpSink, TestDb, TwilioFake, poll_until, twilio_signature};

/// The public origin every test configures: Twilio signs `<PUBLIC_URL>/webhook/twilio`.
pub const PUBLIC_URL: &str = "https://hub.example.ca";
/// The webhook URL Twilio would call.
pub const WEBHOOK_URL: &str = "https://hub.example.ca/webhook/twilio";
/// Twilio account of the fake.
pub const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
/// Twilio auth token of the fake (signs webhooks).
pub const TWILIO_TOKEN: &str = "test-twilio-auth-token";
/// Mailjet API key and secret: the relay's SMTP login too.
pub const MAILJET_KEY: &str = "mj-test-key";
pub const MAILJET_SECRET: &str = "mj-test-secret";
/// The sender number.
pub const TWILIO_FROM: &str = "+15145550100";
/// How long a test waits for an asynchronous outcome.
pub const PATIENCE: Duration = Duration::from_secs(10);
/// The allowlist of the allowlist tests.
pub const ALLOWLIST: &str = "ops@gigafibre.ca,@example.org,+15145550100";

/// The staff member the test client is: a support agent, in a group allowed to impersonate.
pub const SUPPORT_AGENT: [(&str, &str); 2] = [
    ("X-authentik-username", "sophie"),
    ("X-authentik-groups", "employees|support"),
];

/// Which database the service runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database.
    Postgres,
}

/// A running notifications service and the doubles around it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// No redirects followed; speaks as the trusted proxy vouching for a support agent
    /// ([`SUPPORT_AGENT`]), as Traefik does for staff in the services mode.
    pub client: reqwest::Client,
    /// The bus the service consumes from.
    pub bus: Arc<InProcessBus>,
    /// The SMTP server it delivers to.
    pub sink: SmtpSink,
    /// The Twilio API it sends SMS through.
    pub twilio: TwilioFake,
    /// Mailjet's records of what the sink accepted.
    pub mailjet: MailjetFake,
    /// `notify.dead` facts the service published.
    pub dead: Arc<Mutex<Vec<DeadLetter>>>,
    db: Option<TestDb>,
}

/// The environment every test starts from: the sink as Mailjet's relay, logged in with the API key
/// and secret of the Mailjet fake (`mailjet`).
pub fn base_env(
    db: &str,
    sink: &SmtpSink,
    twilio: &TwilioFake,
    mailjet: &MailjetFake,
) -> HashMap<String, String> {
    [
        ("BIND", "127.0.0.1:0"),
        ("DATABASE_URL", db),
        ("SMTP_URL", &relay_url(sink)),
        ("MAILJET_API_URL", &mailjet.base_url()),
        ("MAIL_FROM", "Gigafibre <noreply@gigafibre.ca>"),
        ("TWILIO_ACCOUNT_SID", TWILIO_SID),
        ("TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
        ("TWILIO_FROM", TWILIO_FROM),
        ("TWILIO_API_URL", &twilio.base_url()),
        ("PUBLIC_URL", PUBLIC_URL),
        ("NOTIFY_RETRY_BASE_MS", "50"),
        ("NOTIFY_RETRY_CAP_MS", "200"),
        ("NOTIFY_MAX_ATTEMPTS", "3"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Starts the service on `backend`, in sandbox mode unless `extra` says otherwise.
pub async fn spawn_app(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    spawn_app_with_sink(backend, SmtpSink::start().await, extra).await
}

/// [`spawn_app`] delivering to `sink` (a TLS one, say).
pub async fn spawn_app_with_sink(
    backend: Backend,
    sink: SmtpSink,
    extra: &[(&str, &str)],
) -> TestApp {
    shared::telemetry::init_for_tests();
    let db = match backend {
        Backend::Sqlite => TestDb::sqlite(),
        Backend::Postgres => TestDb::postgres().await,
    };
    let twilio = TwilioFake::start(TWILIO_SID, TWILIO_TOKEN).await;
    let mailjet = MailjetFake::start(sink.clone(), MAILJET_KEY, MAILJET_SECRET).await;
    let mut env = base_env(db.url(), &sink, &twilio, &mailjet);
    for (k, v) in extra {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let settings = Settings::from_source(&env).unwrap();
    let bus = Arc::new(InProcessBus::new());
    // Subscribed before the service starts: the in-process bus drops what no group listens to.
    let dead = collect_dead_letters(&bus).await;
    let app = Application::build_with_bus(settings, Arc::clone(&bus) as Arc<dyn EventBus>)
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let mut staff = reqwest::header::HeaderMap::new();
    for (name, value) in SUPPORT_AGENT {
        staff.insert(name, value.parse().unwrap());
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(staff)
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        bus,
        sink,
        twilio,
        mailjet,
        dead,
        db: Some(db),
    }
}

/// `SMTP_URL` of the sink (its scheme and TLS mode), logged in with the Mailjet API key and secret.
pub fn relay_url(sink: &SmtpSink) -> String {
    sink.url()
        .replacen("://", &format!("://{MAILJET_KEY}:{MAILJET_SECRET}@"), 1)
}

async fn collect_dead_letters(bus: &InProcessBus) -> Arc<Mutex<Vec<DeadLetter>>> {
    let dead = Arc::new(Mutex::new(Vec::new()));
    let mut sub = bus
        .subscribe(subjects::NOTIFY_DEAD, "black-box-dead-letters")
        .await
        .unwrap();
    let kept = Arc::clone(&dead);
    tokio::spawn(async move {
        while let Some(delivery) = sub.next().await {
            if let Ok(letter) = delivery
                .envelope
                .as_ref()
                .map_err(|e| e.to_string())
                .and_then(|e| e.decode::<DeadLetter>().map_err(|e| e.to_string()))
            {
                kept.lock().unwrap().push(letter);
            }
            delivery.ack().await;
        }
    });
    dead
}

/// An email command to `to`.
pub fn email(to: &str) -> EmailSend {
    EmailSend {
        to: to.into(),
        to_name: Some("Marie Tremblay".into()),
        subject: "Votre lien de connexion".into(),
        text: "Bonjour, voici votre lien : https://portail.example.ca/l/abc".into(),
        html: "<p>Bonjour, voici votre <a href=\"https://portail.example.ca/l/abc\">lien</a></p>"
            .into(),
        reply_to: None,
        lang: "fr".into(),
        template: "portal.magic_link".into(),
        customer: Some("CUST-00042".into()),
        attachments: Vec::new(),
    }
}

/// An SMS command to `to`.
pub fn sms(to: &str) -> SmsSend {
    SmsSend {
        to: to.into(),
        body: "Gigafibre : votre code est 123456".into(),
        template: "portal.login_code".into(),
        customer: Some("CUST-00042".into()),
    }
}

/// Wraps a command in a fresh envelope.
pub fn envelope<E: shared::events::Event>(event: &E) -> Envelope {
    Envelope::new("/test", event).unwrap()
}

impl TestApp {
    /// The service's `DATABASE_URL` (the command-line tests run the binary on it).
    #[allow(dead_code, reason = "used by tests/cli.rs, which includes this file")]
    pub fn database_url(&self) -> &str {
        self.db.as_ref().map_or("", TestDb::url)
    }

    /// Drops the PostgreSQL database (call at the end of every test).
    pub async fn cleanup(mut self) {
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }

    /// Publishes and waits until the service acknowledged (captured, sent or dead-lettered).
    pub async fn publish(&self, envelope: &Envelope) {
        self.bus.publish(envelope).await.unwrap();
    }

    /// Publishes without waiting: for outcomes that take retries.
    pub fn publish_in_background(&self, envelope: &Envelope) -> tokio::task::JoinHandle<()> {
        let (bus, envelope) = (Arc::clone(&self.bus), envelope.clone());
        tokio::spawn(async move { bus.publish(&envelope).await.unwrap() })
    }

    /// `url` relative to the service.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// `GET path` with only `headers` (no staff identity unless they give one).
    pub async fn get_as(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut request = reqwest::Client::new().get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// `GET /notifications/outbox.json?to=`.
    pub async fn outbox_json(&self, to: &str) -> Vec<Value> {
        let r = self
            .client
            .get(self.url("/notifications/outbox.json"))
            .query(&[("to", to)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// `GET /notifications/log?to=` (empty `to`: every row).
    pub async fn log(&self, to: &str) -> Vec<Value> {
        let r = self
            .client
            .get(self.url("/notifications/log"))
            .query(&[("to", to)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// The log row of one event, once it exists.
    pub async fn log_row(&self, event: &Envelope) -> Option<Value> {
        let id = event.id.to_string();
        self.log("").await.into_iter().find(|r| r["id"] == id)
    }

    /// Waits until the log row of `event` has `status`, and returns it.
    pub async fn wait_for_status(&self, event: &Envelope, status: &str) -> Value {
        let found = poll_until(PATIENCE, || async {
            self.log_row(event).await.filter(|r| r["status"] == status)
        })
        .await;
        match found {
            Some(row) => row,
            None => panic!(
                "no {status:?} row for {}; last seen {:?}",
                event.id,
                self.log_row(event).await
            ),
        }
    }

    /// Waits until the log row of `event` has an `error` containing `part`, and returns it.
    pub async fn wait_for_error(&self, event: &Envelope, part: &str) -> Value {
        let found = poll_until(PATIENCE, || async {
            let row = self.log_row(event).await?;
            row["error"].as_str()?.contains(part).then_some(row)
        })
        .await;
        match found {
            Some(row) => row,
            None => panic!(
                "no error with {part:?} for {}; last seen {:?}",
                event.id,
                self.log_row(event).await
            ),
        }
    }

    /// Waits for the `notify.dead` fact of `event`.
    pub async fn wait_for_dead_letter(&self, event: &Envelope) -> DeadLetter {
        let id = event.id.to_string();
        let found = poll_until(PATIENCE, || async {
            self.dead
                .lock()
                .unwrap()
                .iter()
                .find(|d| d.event_id.as_deref() == Some(id.as_str()))
                .cloned()
        })
        .await;
        found.unwrap_or_else(|| panic!("no dead letter for {id}"))
    }

    /// Waits until the relay has handed every `notify.dead` of the service's outbox to the bus.
    pub async fn wait_for_outbox_drained(&self) {
        let url = self.db.as_ref().unwrap().url().to_owned();
        let db = sea_orm::Database::connect(&url).await.unwrap();
        let drained = poll_until(PATIENCE, || async {
            let pending = shared::events::outbox::pending_count(&db).await.unwrap();
            (pending == 0).then_some(())
        })
        .await;
        let _ = db.close().await;
        assert!(drained.is_some(), "the outbox relay did not drain");
    }

    /// `POST /webhook/twilio` with a form body, an optional signature and an optional Host.
    pub async fn twilio_webhook(
        &self,
        params: &[(&str, &str)],
        signature: Option<&str>,
        host: Option<&str>,
    ) -> Response {
        let mut request = self.client.post(self.url("/webhook/twilio")).form(params);
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        if let Some(host) = host {
            request = request.header("Host", host);
        }
        request.send().await.unwrap()
    }
}

/// The status callback Twilio sends for `sid`.
pub fn status_params<'a>(sid: &'a str, status: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("MessageSid", sid),
        ("SmsSid", sid),
        ("MessageStatus", status),
        ("SmsStatus", status),
        ("AccountSid", TWILIO_SID),
        ("From", TWILIO_FROM),
        ("To", "+15145550100"),
        ("ApiVersion", "2010-04-01"),
    ]
}

/// Twilio's signature of `params` posted to the configured webhook URL.
pub fn signed(params: &[(&str, &str)]) -> String {
    twilio_signature(TWILIO_TOKEN, WEBHOOK_URL, params)
}

/// Runs `scenario(backend)` as one test on SQLite and one on PostgreSQL.
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
