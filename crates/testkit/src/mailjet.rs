//! A fake of Mailjet's message records (`GET /v3/REST/message`), answering from what an [`SmtpSink`]
//! accepted: Mailjet's SMTP relay keeps an email's `X-MJ-CustomID` header as the record's `CustomID`,
//! and the sink, like the relay, only answers 250 after it kept the message. Wire format as
//! documented (https://dev.mailjet.com/email/reference/messages/): HTTP Basic `APIKEY:SECRETKEY`,
//! the `CustomID` and `Limit` query parameters, the `{"Count","Data","Total"}` envelope, and the 401
//! body of a bad key.
//!
//! ```no_run
//! # async fn demo() {
//! let sink = testkit::SmtpSink::start().await;
//! let mailjet = testkit::mailjet::MailjetFake::start(sink.clone(), "key", "secret").await;
//! // SMTP_URL=smtp://key:secret@127.0.0.1:<sink port>, MAILJET_API_URL=mailjet.base_url()
//! # let _ = mailjet;
//! # }
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::dev::ServerHandle;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::json;

use crate::SmtpSink;

/// Mailjet's first message ids are this large; ours count up from here.
const FIRST_ID: u64 = 288_230_376_151_711_744;

struct State {
    sink: SmtpSink,
    authorization: String,
    lookups: AtomicUsize,
    errors: AtomicUsize,
    fail_next: AtomicUsize,
}

/// A running fake on `127.0.0.1`; stopped when dropped.
pub struct MailjetFake {
    state: Arc<State>,
    base_url: String,
    handle: ServerHandle,
}

#[derive(Deserialize)]
struct Query {
    #[serde(rename = "CustomID")]
    custom_id: Option<String>,
    #[serde(rename = "Limit")]
    limit: Option<usize>,
}

impl MailjetFake {
    /// Starts the fake on a free port over `sink`'s mailbox; only `api_key:secret` authenticates.
    ///
    /// # Panics
    /// When no port can be bound.
    pub async fn start(sink: SmtpSink, api_key: &str, secret: &str) -> MailjetFake {
        let state = Arc::new(State {
            sink,
            authorization: format!("Basic {}", STANDARD.encode(format!("{api_key}:{secret}"))),
            lookups: AtomicUsize::new(0),
            errors: AtomicUsize::new(0),
            fail_next: AtomicUsize::new(0),
        });
        let data = web::Data::from(Arc::clone(&state));
        let (base_url, handle) = crate::fake_http::serve(move |cfg| {
            cfg.app_data(data.clone())
                .route("/v3/REST/message", web::get().to(list_messages));
        });
        MailjetFake {
            state,
            base_url,
            handle,
        }
    }

    /// `http://127.0.0.1:<port>`, in place of `https://api.mailjet.com`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// How many authenticated lookups were answered.
    pub fn lookups(&self) -> usize {
        self.state.lookups.load(Ordering::Relaxed)
    }

    /// How many requests got an error (401 for a wrong key or secret, or an injected 503).
    pub fn errors(&self) -> usize {
        self.state.errors.load(Ordering::Relaxed)
    }

    /// Answers the next `n` authenticated requests with `503`, as during an outage of the API.
    pub fn fail_next(&self, n: usize) {
        self.state.fail_next.store(n, Ordering::Relaxed);
    }
}

impl Drop for MailjetFake {
    fn drop(&mut self) {
        crate::fake_http::stop(&self.handle);
    }
}

async fn list_messages(
    req: HttpRequest,
    state: web::Data<State>,
    query: web::Query<Query>,
) -> HttpResponse {
    let authorized = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == state.authorization);
    if !authorized {
        state.errors.fetch_add(1, Ordering::Relaxed);
        return HttpResponse::Unauthorized().json(json!({
            "ErrorInfo": "",
            "ErrorMessage": "API key authentication/authorization failure. You may be unauthorized to access the API or your API key may be expired. Visit API keys management section to check your keys.",
            "StatusCode": 401
        }));
    }
    let injected = state
        .fail_next
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    if injected.is_ok() {
        state.errors.fetch_add(1, Ordering::Relaxed);
        return HttpResponse::ServiceUnavailable().json(json!({
            "ErrorInfo": "",
            "ErrorMessage": "Service temporarily unavailable",
            "StatusCode": 503
        }));
    }
    state.lookups.fetch_add(1, Ordering::Relaxed);
    let records: Vec<serde_json::Value> = state
        .sink
        .messages()
        .iter()
        .enumerate()
        .filter_map(|(i, mail)| {
            let custom_id = mail.header("X-MJ-CustomID").unwrap_or_default();
            let wanted = query.custom_id.as_ref().is_none_or(|id| *id == custom_id);
            wanted.then(|| {
                json!({
                    "CustomID": custom_id,
                    "ID": FIRST_ID + i as u64,
                    "MessageSize": mail.data.len(),
                    "Status": "sent",
                    "Subject": mail.subject.clone().unwrap_or_default(),
                })
            })
        })
        .collect();
    let total = records.len();
    let data: Vec<_> = records
        .into_iter()
        .take(query.limit.unwrap_or(10))
        .collect();
    HttpResponse::Ok().json(json!({ "Count": data.len(), "Data": data, "Total": total }))
}
