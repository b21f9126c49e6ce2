//! A real SMTP server on `127.0.0.1` that accepts and keeps every message: the sink the
//! notifications service delivers to in tests and in the benchmark.
//!
//! It speaks plain SMTP ([`SmtpSink::start`]) or TLS ([`SmtpSink::start_tls`]: STARTTLS required
//! before AUTH and MAIL, or TLS from the first byte, with a certificate signed by a CA made for the
//! sink), accepts any AUTH PLAIN / AUTH LOGIN credentials unless [`SmtpSink::require_login`] names
//! some (each message records the login and whether it came encrypted), handles pipelined commands and many transactions per connection. Failures are injected with [`SmtpSink::fail_next`] and
//! [`SmtpSink::reject_recipient`]; an outage is simulated with [`SmtpSink::stop`] and
//! [`SmtpSink::restart`].
//!
//! ```no_run
//! # async fn demo() {
//! use std::time::Duration;
//! let sink = testkit::smtp::SmtpSink::start().await;
//! // point the service at sink.url(), send…
//! assert!(sink.wait_for(1, Duration::from_secs(5)).await);
//! let mail = &sink.messages()[0];
//! # let _ = mail;
//! # }
//! ```

mod headers;
mod session;
mod tls;

pub use tls::SinkTls;

use std::collections::{BTreeSet, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// The largest message the sink accepts, as advertised by `SIZE` in the EHLO reply (25 MiB).
pub const MAX_MESSAGE_SIZE: usize = 26_214_400;

/// One message accepted by the sink (one SMTP transaction that ended with 250).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The reverse path of `MAIL FROM:<…>`, without the angle brackets (empty for `<>`).
    pub from: String,
    /// Every accepted `RCPT TO:<…>` address, in order, without the angle brackets.
    pub to: Vec<String>,
    /// The raw message as sent after DATA, dot-unstuffed, without the final `.` line.
    pub data: String,
    /// The `Message-ID` header value (with its angle brackets), if any.
    pub message_id: Option<String>,
    /// The `Subject` header, unfolded, RFC 2047 encoded words decoded when they are UTF-8
    /// or ASCII (otherwise left raw).
    pub subject: Option<String>,
    /// Whether the message came over TLS.
    pub encrypted: bool,
    /// The user name the client authenticated as on that connection, if it did.
    pub login: Option<String>,
}

impl ReceivedMail {
    /// The first value of header `name` (case-insensitive), unfolded and raw.
    pub fn header(&self, name: &str) -> Option<String> {
        headers::find(&self.data, name)
    }

    /// The part of [`ReceivedMail::data`] after the header block (empty when there is none).
    pub fn body(&self) -> &str {
        headers::body(&self.data)
    }
}

/// A message as stored on the hot path; headers are only parsed when someone asks.
#[derive(Debug)]
struct StoredMail {
    from: String,
    to: Vec<String>,
    data: String,
    encrypted: bool,
    login: Option<String>,
}

impl StoredMail {
    fn to_received(&self) -> ReceivedMail {
        ReceivedMail {
            from: self.from.clone(),
            to: self.to.clone(),
            data: self.data.clone(),
            message_id: headers::find(&self.data, "Message-ID"),
            subject: headers::find(&self.data, "Subject").map(|raw| headers::decode_words(&raw)),
            encrypted: self.encrypted,
            login: self.login.clone(),
        }
    }
}

/// Failure injection shared by every connection.
#[derive(Debug, Default)]
struct Faults {
    /// Replies for the next transactions at the end of DATA, with how many are left.
    next_data_failure: Option<(usize, String)>,
    /// Lower-cased address → reply to its `RCPT TO`.
    rejected_recipients: HashMap<String, String>,
    /// Wait between keeping a message and answering 250.
    accept_delay: Duration,
    /// The only user name and password AUTH accepts, when set.
    required_login: Option<(String, String)>,
}

/// State shared by the handle, the listener task and every connection.
#[derive(Debug)]
struct Inner {
    port: AtomicU16,
    mails: Mutex<Vec<StoredMail>>,
    received: watch::Sender<usize>,
    faults: Mutex<Faults>,
    queue_ids: AtomicU64,
    listener_task: Mutex<Option<JoinHandle<()>>>,
    tls: Option<(SinkTls, tls::Credentials)>,
}

/// Locks a mutex even if a panicking test thread poisoned it: the data stays usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Inner {
    /// Stores an accepted message and wakes [`SmtpSink::wait_for`] callers.
    fn store(&self, mail: StoredMail) {
        let count = {
            let mut mails = lock(&self.mails);
            mails.push(mail);
            mails.len()
        };
        self.received.send_replace(count);
    }

    fn required_login(&self) -> Option<(String, String)> {
        lock(&self.faults).required_login.clone()
    }

    fn accept_delay(&self) -> Duration {
        lock(&self.faults).accept_delay
    }

    /// The reply injected for the transaction now ending, if any (consumes one).
    fn take_data_failure(&self) -> Option<String> {
        let mut faults = lock(&self.faults);
        let (left, reply) = faults.next_data_failure.as_mut()?;
        let reply = reply.clone();
        *left -= 1;
        if *left == 0 {
            faults.next_data_failure = None;
        }
        Some(reply)
    }

    /// The configured rejection of `address`, if any.
    fn recipient_rejection(&self, address: &str) -> Option<String> {
        let faults = lock(&self.faults);
        if faults.rejected_recipients.is_empty() {
            return None;
        }
        faults
            .rejected_recipients
            .get(&address.to_ascii_lowercase())
            .cloned()
    }

    fn next_queue_id(&self) -> u64 {
        self.queue_ids.fetch_add(1, Ordering::Relaxed)
    }
}

/// A running SMTP sink; clones share the same server and mailbox.
#[derive(Debug, Clone)]
pub struct SmtpSink {
    inner: Arc<Inner>,
}

impl SmtpSink {
    /// Starts a sink on a free port of `127.0.0.1`.
    ///
    /// # Panics
    /// When no port can be bound.
    pub async fn start() -> SmtpSink {
        Self::start_on(0).await
    }

    /// Starts a sink on `127.0.0.1:port` (`0`: a free port).
    ///
    /// # Panics
    /// When the port cannot be bound (already in use).
    pub async fn start_on(port: u16) -> SmtpSink {
        Self::start_with(port, None).await
    }

    /// Starts a sink speaking TLS as `tls` says on a free port of `127.0.0.1`; clients trust it
    /// through [`SmtpSink::ca_pem`].
    ///
    /// # Panics
    /// When no port can be bound or the certificates cannot be made.
    #[allow(
        clippy::expect_used,
        reason = "a test cannot run without its SMTP sink"
    )]
    pub async fn start_tls(tls: SinkTls) -> SmtpSink {
        let credentials = tls::credentials().expect("making the SMTP sink's certificates");
        Self::start_with(0, Some((tls, credentials))).await
    }

    async fn start_with(port: u16, tls: Option<(SinkTls, tls::Credentials)>) -> SmtpSink {
        let (received, _) = watch::channel(0);
        let sink = SmtpSink {
            inner: Arc::new(Inner {
                port: AtomicU16::new(port),
                mails: Mutex::new(Vec::new()),
                received,
                faults: Mutex::new(Faults::default()),
                queue_ids: AtomicU64::new(0x1000),
                listener_task: Mutex::new(None),
                tls,
            }),
        };
        sink.listen().await;
        sink
    }

    /// The TCP port the sink listens on.
    pub fn port(&self) -> u16 {
        self.inner.port.load(Ordering::Relaxed)
    }

    /// The URL of the sink for `SMTP_URL`, without credentials: `smtp://127.0.0.1:<port>` (plain),
    /// `smtp://127.0.0.1:<port>?tls=required` (STARTTLS) or `smtps://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        let port = self.port();
        match self.inner.tls.as_ref().map(|(mode, _)| mode) {
            None => format!("smtp://127.0.0.1:{port}"),
            Some(SinkTls::StartTls) => format!("smtp://127.0.0.1:{port}?tls=required"),
            Some(SinkTls::Implicit) => format!("smtps://127.0.0.1:{port}"),
        }
    }

    /// The PEM certificate of the CA that signed the sink's certificate (TLS sinks only).
    pub fn ca_pem(&self) -> Option<&str> {
        self.inner
            .tls
            .as_ref()
            .map(|(_, credentials)| credentials.ca_pem.as_str())
    }

    /// Closes the listener and drops every open connection, as when the SMTP server goes down.
    /// Messages already received are kept.
    pub async fn stop(&self) {
        let task = lock(&self.inner.listener_task).take();
        if let Some(task) = task {
            // Until it restarts, no other sink of this process may take its port: a service still
            // retrying its old address would deliver into another test's sink.
            lock(&STOPPED_PORTS).insert(self.port());
            task.abort();
            // Awaiting the aborted task guarantees the socket is closed when `stop` returns.
            let _ = task.await;
        }
    }

    /// Listens again on the same port after [`SmtpSink::stop`], keeping received messages.
    /// Does nothing when the sink is running.
    ///
    /// # Panics
    /// When the port was taken by someone else meanwhile.
    pub async fn restart(&self) {
        if lock(&self.inner.listener_task).is_some() {
            return;
        }
        self.listen().await;
    }

    /// Every message received so far, in arrival order.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        lock(&self.inner.mails)
            .iter()
            .map(StoredMail::to_received)
            .collect()
    }

    /// How many messages were received so far.
    pub fn count(&self) -> usize {
        lock(&self.inner.mails).len()
    }

    /// Waits until at least `n` messages were received; `false` if `timeout` passed first.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let mut received = self.inner.received.subscribe();
        tokio::time::timeout(timeout, received.wait_for(|count| *count >= n))
            .await
            .is_ok_and(|waited| waited.is_ok())
    }

    /// Answers the next `n` transactions with `reply` (e.g. `451 4.3.0 try later` or
    /// `550 5.1.1 no such user`) at the end of DATA instead of accepting them.
    pub fn fail_next(&self, n: usize, reply: &str) {
        lock(&self.inner.faults).next_data_failure = (n > 0).then(|| (n, reply.to_owned()));
    }

    /// Keeps each message, then waits `delay` before answering 250: a relay that has accepted a
    /// message while its reply is still on the way, the moment a client can die in.
    pub fn delay_acceptance(&self, delay: Duration) {
        lock(&self.inner.faults).accept_delay = delay;
    }

    /// Accepts AUTH with this user name and password only (`535` for any other), as a relay
    /// checks its credentials.
    pub fn require_login(&self, user: &str, password: &str) {
        lock(&self.inner.faults).required_login = Some((user.to_owned(), password.to_owned()));
    }

    /// Answers `RCPT TO` for `address` (case-insensitive) with `reply`, e.g. `550 5.1.1 unknown`.
    pub fn reject_recipient(&self, address: &str, reply: &str) {
        lock(&self.inner.faults)
            .rejected_recipients
            .insert(address.to_ascii_lowercase(), reply.to_owned());
    }

    /// Binds the port and spawns the accept loop.
    #[allow(
        clippy::expect_used,
        reason = "a test cannot run without its SMTP sink"
    )]
    async fn listen(&self) {
        let listener = bind_unreserved(self.port()).expect("binding the SMTP sink on 127.0.0.1");
        let port = listener
            .local_addr()
            .expect("reading the SMTP sink's address")
            .port();
        self.inner.port.store(port, Ordering::Relaxed);
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&self.inner)));
        *lock(&self.inner.listener_task) = Some(task);
    }
}

/// Binds with `SO_REUSEADDR` so a restart on the same port works while old sockets linger.
/// The ports of the stopped sinks of this process (see [`SmtpSink::stop`]).
static STOPPED_PORTS: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// Binds `port`, or for `0` a free port that no stopped sink of this process holds; a restarting
/// sink takes its own port back.
fn bind_unreserved(port: u16) -> std::io::Result<TcpListener> {
    if port != 0 {
        lock(&STOPPED_PORTS).remove(&port);
        return bind(port);
    }
    // Ports handed out while looking stay bound until a good one is found, so none comes twice.
    let mut skipped = Vec::new();
    loop {
        let listener = bind(0)?;
        let got = listener.local_addr()?.port();
        if !lock(&STOPPED_PORTS).contains(&got) {
            return Ok(listener);
        }
        skipped.push(listener);
    }
}

fn bind(port: u16) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    socket.listen(1024)
}

/// Accepts connections until aborted; the connections live in a `JoinSet` owned by this task,
/// so aborting it drops them all, which is what [`SmtpSink::stop`] relies on.
async fn accept_loop(listener: TcpListener, inner: Arc<Inner>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Request/response protocol: Nagle would add 40 ms per round trip.
                    let _ = stream.set_nodelay(true);
                    connections.spawn(session::serve(stream, Arc::clone(&inner)));
                }
                // Out of file descriptors or similar: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}
