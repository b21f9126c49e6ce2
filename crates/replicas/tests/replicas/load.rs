//! Steady load on both portal-auth replicas, spread the way Traefik spreads it, judged the way a
//! customer would judge it.
//!
//! Like Traefik, the load balancer checks each replica's `/readyz` (here every
//! [`HEALTH_CHECK_INTERVAL`]) and sends nothing to a replica that fails it. A replica that has
//! stopped accepting refuses new connections; Traefik would then try the other replica, so
//! "connection refused" is retried there and is no failure. A request that was sent and got no
//! complete answer, or a 5xx, or any status other than the expected 200, is a failure.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How often the load balancer checks `/readyz` (Traefik's `healthCheck.interval`, shortened).
pub const HEALTH_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// One request of the mix.
#[derive(Debug, Clone)]
enum Call {
    /// Traefik's forwardAuth check: `GET /auth/verify`.
    Verify,
    /// The profile, which asks the ERP: `GET /portal/me`.
    Me,
    /// `POST /portal/request-link`, which writes to the database.
    RequestLink(String),
}

/// A replica as the load balancer sees it.
pub struct Target {
    /// Replica name.
    pub name: &'static str,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Whether its last health check passed.
    healthy: AtomicBool,
    /// Requests sent to it and not answered yet.
    in_flight: AtomicUsize,
}

impl Target {
    /// A replica, healthy until its first check says otherwise.
    pub fn new(name: &'static str, base: String) -> Target {
        Target {
            name,
            base,
            healthy: AtomicBool::new(true),
            in_flight: AtomicUsize::new(0),
        }
    }
}

/// What the load saw.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Requests answered as expected, per replica.
    pub served: HashMap<&'static str, usize>,
    /// Requests refused at connection and sent to the other replica instead.
    pub rerouted: usize,
    /// Link requests for the known customer that were accepted (each must give one email).
    pub known_links: usize,
    /// `(replica, sent at, answered at)` of every answered request.
    pub spans: Vec<(&'static str, Instant, Instant)>,
    /// Every failure: when its request was sent, and what happened.
    pub failures: Vec<(Instant, String)>,
}

impl Outcome {
    /// Requests to `replica` sent before `at` and answered after it.
    pub fn in_flight_at(&self, replica: &str, at: Instant) -> usize {
        self.spans
            .iter()
            .filter(|(name, sent, answered)| *name == replica && *sent < at && *answered > at)
            .count()
    }

    /// The failures, each with when its request was sent relative to `at` (negative: before).
    pub fn failures_around(&self, at: Instant) -> Vec<String> {
        self.failures
            .iter()
            .map(|(sent, what)| {
                let ms = |d: Duration| d.as_millis();
                match sent.checked_duration_since(at) {
                    Some(after) => format!("sent {} ms after: {what}", ms(after)),
                    None => format!("sent {} ms before: {what}", ms(at - *sent)),
                }
            })
            .collect()
    }

    /// Requests to `replica` answered after `at`.
    pub fn answered_after(&self, replica: &str, at: Instant) -> usize {
        self.spans
            .iter()
            .filter(|(name, _, answered)| *name == replica && *answered > at)
            .count()
    }
}

/// Running load; [`Load::finish`] stops it and returns what it saw.
pub struct Load {
    targets: Arc<[Target; 2]>,
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<Outcome>>,
    checker: JoinHandle<()>,
}

impl Load {
    /// Starts `workers` clients, each sending one request after another, alternating between the
    /// healthy targets: verify and profile with `token`, link requests for `known` (a customer's
    /// email) and for unknown addresses.
    pub fn start(targets: [Target; 2], token: &str, known: &str, workers: usize) -> Load {
        let (stop, stopping) = watch::channel(false);
        let targets = Arc::new(targets);
        let sequence = Arc::new(AtomicUsize::new(0));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        let checker = tokio::spawn(health_checks(http.clone(), Arc::clone(&targets)));
        let workers = (0..workers)
            .map(|_| {
                let worker = Worker {
                    http: http.clone(),
                    targets: Arc::clone(&targets),
                    token: token.to_owned(),
                    known: known.to_owned(),
                    sequence: Arc::clone(&sequence),
                    outcome: Outcome::default(),
                };
                tokio::spawn(worker.run(stopping.clone()))
            })
            .collect();
        Load {
            targets,
            stop,
            workers,
            checker,
        }
    }

    /// Waits until at least `n` requests are in flight on `replica`, so that a signal sent next
    /// finds work in progress.
    pub async fn wait_until_busy(&self, replica: &str, n: usize) {
        let target = self
            .targets
            .iter()
            .find(|t| t.name == replica)
            .expect("a target of the load");
        let busy = testkit::poll_until(Duration::from_secs(30), || async {
            (target.in_flight.load(Ordering::Relaxed) >= n).then_some(())
        })
        .await;
        assert!(
            busy.is_some(),
            "the load never had {n} requests in flight on {replica}"
        );
    }

    /// Stops sending, waits for the answers in flight, and merges what every client saw.
    pub async fn finish(self) -> Outcome {
        let _ = self.stop.send(true);
        let mut total = Outcome::default();
        for worker in self.workers {
            let seen = worker.await.expect("a load client panicked");
            for (name, n) in seen.served {
                *total.served.entry(name).or_default() += n;
            }
            total.rerouted += seen.rerouted;
            total.known_links += seen.known_links;
            total.spans.extend(seen.spans);
            total.failures.extend(seen.failures);
        }
        self.checker.abort();
        total
    }
}

/// Traefik's health check: a replica whose `/readyz` does not answer 200 gets no new request.
async fn health_checks(http: reqwest::Client, targets: Arc<[Target; 2]>) {
    let mut tick = tokio::time::interval(HEALTH_CHECK_INTERVAL);
    loop {
        tick.tick().await;
        for target in targets.iter() {
            let ready = http
                .get(format!("{}/readyz", target.base))
                .timeout(HEALTH_CHECK_INTERVAL * 5)
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK);
            target.healthy.store(ready, Ordering::Relaxed);
        }
    }
}

struct Worker {
    http: reqwest::Client,
    targets: Arc<[Target; 2]>,
    token: String,
    known: String,
    sequence: Arc<AtomicUsize>,
    outcome: Outcome,
}

impl Worker {
    async fn run(mut self, stopping: watch::Receiver<bool>) -> Outcome {
        while !*stopping.borrow() {
            let n = self.sequence.fetch_add(1, Ordering::Relaxed);
            let call = match n % 4 {
                0 => Call::Verify,
                1 => Call::Me,
                2 => Call::RequestLink(self.known.clone()),
                _ => Call::RequestLink(format!("nobody.{n}@unknown.example.net")),
            };
            let mut first = n / 4 % 2;
            if !self.targets[first].healthy.load(Ordering::Relaxed) {
                first = 1 - first;
            }
            self.one(&call, first).await;
        }
        self.outcome
    }

    /// Sends `call` to target `first`; if it refuses the connection, to the other one.
    async fn one(&mut self, call: &Call, first: usize) {
        let targets = Arc::clone(&self.targets);
        for (index, target) in [(first, &targets[first]), (1 - first, &targets[1 - first])] {
            let name = target.name;
            let sent = Instant::now();
            target.in_flight.fetch_add(1, Ordering::Relaxed);
            let result = self.send(&target.base, call).await;
            target.in_flight.fetch_sub(1, Ordering::Relaxed);
            match result {
                Ok(StatusCode::OK) => {
                    *self.outcome.served.entry(name).or_default() += 1;
                    self.outcome.spans.push((name, sent, Instant::now()));
                    if matches!(call, Call::RequestLink(id) if *id == self.known) {
                        self.outcome.known_links += 1;
                    }
                    return;
                }
                Ok(status) => {
                    self.fail(sent, format!("{name}: {call:?} answered {status}"));
                    return;
                }
                Err(e) if e.is_connect() && index == first => self.outcome.rerouted += 1,
                Err(e) if e.is_connect() => {
                    self.fail(sent, format!("{call:?}: both replicas refused it: {e}"));
                    return;
                }
                Err(e) => {
                    self.fail(
                        sent,
                        format!("{name}: {call:?} got no complete answer: {}", chain(&e)),
                    );
                    return;
                }
            }
        }
    }

    fn fail(&mut self, sent: Instant, what: String) {
        self.outcome.failures.push((sent, what));
    }

    async fn send(&self, base: &str, call: &Call) -> Result<StatusCode, reqwest::Error> {
        let request = match call {
            Call::Verify => self
                .http
                .get(format!("{base}/auth/verify"))
                .bearer_auth(&self.token),
            Call::Me => self
                .http
                .get(format!("{base}/portal/me"))
                .bearer_auth(&self.token),
            Call::RequestLink(identifier) => self
                .http
                .post(format!("{base}/portal/request-link"))
                .json(&json!({ "identifier": identifier })),
        };
        let response = request.send().await?;
        let status = response.status();
        // The answer is complete only once its body is read.
        response.bytes().await?;
        Ok(status)
    }
}

/// An error and its causes, `: `-separated (reqwest's own message hides the cause).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
