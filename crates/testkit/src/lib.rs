//! Dev-only helpers for the black-box tests of every service: the sandbox ERP on a free port,
//! fresh SQLite and PostgreSQL databases, temporary directories, watchers of real NATS subjects,
//! an OTLP/HTTP trace receiver, and the workspace binaries run as real processes.
//!
//! Helpers panic with a clear message when the environment is broken (no PostgreSQL, no NATS):
//! a test cannot do anything useful then, and a panic names the cause in the test output.

mod db;
mod dir;
mod erp;
pub mod events;
mod fake_http;
pub mod gemini;
pub mod mailjet;
pub mod metrics;
pub mod mime;
mod nats;
mod nats_server;
pub mod openapi;
pub mod otlp;
mod process;
pub mod smtp;
pub mod tls;
pub mod twilio;
pub mod webhooks;

pub use db::{TestDb, frozen_plan, terminate_connections};
pub use dir::TempDir;
pub use erp::{ErpHandle, spawn_erp};
pub use gemini::{FakeGemini, GeminiRequest};
pub use mailjet::MailjetFake;
pub use nats::{NatsWatcher, StoredMessage, nats_url};
pub use nats_server::{NatsServer, NatsServerAuth};
pub use otlp::{OtlpReceiver, ReceivedSpan};
pub use process::{CliRun, Proc, binary, free_port, run_cli};
pub use smtp::{ReceivedMail, SinkTls, SmtpSink};
pub use twilio::{SentSms, TwilioFake, twilio_signature};

use std::time::Duration;

/// Polls `probe` every 20 ms until it returns `Some`, for at most `timeout`.
/// Asynchronous work is awaited this way, never by sleeping a fixed time.
pub async fn poll_until<T, F, Fut>(timeout: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(found) = probe().await {
            return Some(found);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
