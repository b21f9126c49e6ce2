//! A webhook receiver on loopback for the stand-ins' tests: it answers 500 a given number of
//! times, then 200, and keeps every request it got.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

/// A received request: its headers and raw body.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

impl Received {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

#[derive(Default)]
struct State {
    failures_left: AtomicUsize,
    received: Mutex<Vec<Received>>,
}

/// A fake webhook receiver on `127.0.0.1`.
#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:<port><path>`.
    pub url: String,
    state: Arc<State>,
}

impl Receiver {
    /// A receiver on `port` (0: any free one) that answers 500 to its first `failures` requests.
    ///
    /// # Panics
    /// When the port cannot be bound.
    #[allow(clippy::expect_used, reason = "a test cannot run without its receiver")]
    pub fn start(port: u16, path: &str, failures: usize) -> Self {
        let state = Arc::new(State::default());
        state.failures_left.store(failures, Ordering::SeqCst);
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .bind(("127.0.0.1", port))
        .expect("binding a webhook receiver");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}{path}"),
            state,
        }
    }

    /// Every request received so far, including those answered 500.
    pub fn received(&self) -> Vec<Received> {
        let received = self.state.received.lock();
        received.unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// What `found` makes of the requests received, once it makes something (at most 5 s).
    pub async fn wait_until<T>(&self, found: impl Fn(Vec<Received>) -> Option<T>) -> Option<T> {
        crate::poll_until(Duration::from_secs(5), || async { found(self.received()) }).await
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let headers = req
        .headers()
        .iter()
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect();
    let received = Received {
        headers,
        body: body.to_vec(),
    };
    let mut all = state
        .received
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    all.push(received);
    drop(all);
    let failing = state
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        HttpResponse::InternalServerError().finish()
    } else {
        HttpResponse::Ok().finish()
    }
}
