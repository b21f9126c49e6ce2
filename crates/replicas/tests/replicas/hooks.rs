//! A webhook receiver standing where a third party's stand-in sends its events: it records each
//! body and answers 200, so a test can deliver the very bytes the stand-in sent to the replicas of
//! its choice, as many times as it wants.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::Value;

/// The bodies received, in order of arrival.
pub struct Hooks {
    url: String,
    received: Arc<Mutex<Vec<Value>>>,
    server: actix_web::dev::ServerHandle,
}

impl Hooks {
    /// Listens on a free loopback port.
    pub async fn start() -> Hooks {
        let received: Arc<Mutex<Vec<Value>>> = Arc::default();
        let kept = Arc::clone(&received);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding the receiver");
        let port = listener.local_addr().expect("its address").port();
        let server = HttpServer::new(move || {
            let kept = Arc::clone(&kept);
            App::new().default_service(web::to(move |body: web::Bytes| {
                let kept = Arc::clone(&kept);
                async move {
                    if let Ok(event) = serde_json::from_slice::<Value>(&body) {
                        kept.lock().expect("the receiver's list").push(event);
                    }
                    HttpResponse::Ok().finish()
                }
            }))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .expect("listening for webhooks")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Hooks {
            url: format!("http://127.0.0.1:{port}/webhook"),
            received,
            server: handle,
        }
    }

    /// Where the stand-in sends its events.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The first event whose `event_type` is `kind`, once it has come (or after `timeout`).
    pub async fn first(&self, kind: &str, timeout: Duration) -> Value {
        testkit::poll_until(timeout, || async {
            let received = self.received.lock().expect("the receiver's list");
            received.iter().find(|e| e["event_type"] == kind).cloned()
        })
        .await
        .unwrap_or_else(|| panic!("no {kind} webhook within {timeout:?}"))
    }
}

impl Drop for Hooks {
    fn drop(&mut self) {
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let server = self.server.clone();
            rt.spawn(async move { server.stop(false).await });
        }
    }
}
