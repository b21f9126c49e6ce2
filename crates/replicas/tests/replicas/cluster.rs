//! The system under test, as it runs in production but on loopback: the erp-sandbox, two replicas
//! of portal-auth and two of notifications, each its own OS process, on the real PostgreSQL (one
//! fresh database per service and run) and the real NATS JetStream (streams and subjects under a
//! prefix of the run), delivering to a real SMTP server (the testkit sink, with the Mailjet fake's
//! records of it).

use std::collections::HashMap;
use std::process::ExitStatus;
use std::time::Duration;

use async_nats::jetstream;
use futures::StreamExt;
use secrecy::SecretString;
use serde_json::json;
use shared::claims::KeyRing;
use shared::erpnext::FrappeClient;
use shared::events::{Envelope, known_domains, subjects};
use testkit::{MailjetFake, Proc, SmtpSink, TempDir, TestDb, binary, free_port, nats_url};

/// The sandbox ERP.
pub const ERP: &str = "erp-sandbox";
/// The first portal-auth replica.
pub const PORTAL_1: &str = "portal-auth-1";
/// The second portal-auth replica.
pub const PORTAL_2: &str = "portal-auth-2";
/// The first notifications replica.
pub const NOTIFY_1: &str = "notifications-1";
/// The second notifications replica.
pub const NOTIFY_2: &str = "notifications-2";
/// The Stripe stand-in (only with [`Cluster::start_payments`]).
pub const STRIPE: &str = "stripe-sandbox";
/// The first payments replica.
pub const PAY_1: &str = "payments-1";
/// The second payments replica.
pub const PAY_2: &str = "payments-2";
/// The endpoint secret payments accepts Stripe's webhooks under.
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_replicas_test";
/// The stand-in's API key, which payments uses.
pub const STRIPE_KEY: &str = "sk_test_replicas";
/// The DocuSeal stand-in (only with [`Cluster::start_quotes`]).
pub const DOCUSEAL: &str = "docuseal-sandbox";
/// The first quotation-signing replica.
pub const QUOTES_1: &str = "quotation-signing-1";
/// The second quotation-signing replica.
pub const QUOTES_2: &str = "quotation-signing-2";
/// The DocuSeal stand-in's API key, which quotation-signing uses.
pub const DOCUSEAL_KEY: &str = "docuseal-replicas-key";
/// The value of the secret header (`X-Docuseal-Secret`) quotation-signing accepts webhooks under.
pub const DOCUSEAL_WEBHOOK_SECRET: &str = "docuseal-replicas-webhook-secret";

/// Origin of the customer portal in login links.
pub const PORTAL_URL: &str = "https://portail.example.ca";
/// Public origin (SMS short links).
const PUBLIC_URL: &str = "https://hub.example.ca";
/// Customers created by the tests have an address here; only it is allowlisted out of the sandbox.
pub const MAIL_DOMAIN: &str = "replicas.example.org";
/// Domain of the Message-IDs notifications generates.
const MESSAGE_ID_DOMAIN: &str = "gigafibre.ca";
/// JetStream redelivers an unacknowledged command after this long.
pub const ACK_WAIT: Duration = Duration::from_secs(3);
/// A delivery claimed by a dead notifications replica is taken over after this long.
pub const LEASE: Duration = Duration::from_secs(5);
/// What a replica gets after SIGTERM to finish its requests and work in hand.
const SHUTDOWN_GRACE_S: u64 = 15;
const ERP_KEY: &str = "sandbox-key";
const ERP_SECRET: &str = "sandbox-secret";
/// The relay's login, which is also Mailjet's API key and secret.
const MAILJET_KEY: &str = "mj-replicas-key";
const MAILJET_SECRET: &str = "mj-replicas-secret";
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The whole system; every process is SIGKILLed when it is dropped, and a failing test prints the
/// log tail of each (the full logs are then kept, at the path printed).
pub struct Cluster {
    /// The SMTP server notifications delivers to.
    pub sink: SmtpSink,
    /// Mailjet's records of what the sink accepted, asked before an interrupted send is retried.
    pub mailjet: MailjetFake,
    /// A plain HTTP client (no redirects followed).
    pub http: reqwest::Client,
    running: HashMap<&'static str, Proc>,
    /// Stopped processes, kept so a later failure still prints their logs.
    stopped: Vec<Proc>,
    envs: HashMap<&'static str, Vec<(String, String)>>,
    /// Added to the environment of every portal-auth and notifications replica.
    service_env_extra: Vec<(String, String)>,
    prefix: String,
    jetstream: jetstream::Context,
    erp: FrappeClient,
    /// One fresh PostgreSQL database per service of the run, dropped at the end.
    databases: Vec<TestDb>,
    /// What the DocuSeal stand-in sent to its webhook URL (with [`Cluster::start_quotes`]).
    docuseal_hooks: Option<crate::hooks::Hooks>,
    /// Logs, the signing key and the ERP's SQLite file; kept when a test fails.
    dir: Option<TempDir>,
}

impl Cluster {
    /// Starts everything and waits until each replica answers `/readyz`. `portal_env_extra` adds
    /// to or overrides portal-auth's environment (e.g. `LINK_LIMIT_PER_IDENTIFIER`).
    pub async fn start(portal_env_extra: &[(&str, &str)]) -> Cluster {
        Self::start_with(portal_env_extra, &[]).await
    }

    /// Like [`Cluster::start`], with `service_env_extra` added to the environment of every
    /// portal-auth and notifications replica (e.g. `OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub async fn start_with(
        portal_env_extra: &[(&str, &str)],
        service_env_extra: &[(&str, &str)],
    ) -> Cluster {
        let dir = TempDir::new();
        let prefix = format!("r{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let (auth_db, notify_db) = tokio::join!(TestDb::postgres(), TestDb::postgres());
        let sink = SmtpSink::start().await;
        let mailjet = MailjetFake::start(sink.clone(), MAILJET_KEY, MAILJET_SECRET).await;
        let key_file = signing_key(&dir);
        let erp_port = free_port();
        let erp_url = format!("http://127.0.0.1:{erp_port}");

        let portal = portal_env(auth_db.url(), &erp_url, &key_file, portal_env_extra);
        let relay = format!(
            "smtp://{MAILJET_KEY}:{MAILJET_SECRET}@127.0.0.1:{}",
            sink.port()
        );
        let notify = notify_env(notify_db.url(), &relay, &mailjet.base_url());
        let erp_env = erp_env(erp_port, &dir);

        let jetstream = jetstream::new(
            async_nats::connect(nats_url())
                .await
                .expect("connecting to NATS at 127.0.0.1:4222 (NATS_URL)"),
        );
        let erp = FrappeClient::new(&erp_url, ERP_KEY, &SecretString::from(ERP_SECRET))
            .expect("a Frappe client for the sandbox");
        let mut cluster = Cluster {
            sink,
            mailjet,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            running: HashMap::new(),
            stopped: Vec::new(),
            envs: HashMap::new(),
            service_env_extra: pairs(service_env_extra),
            prefix,
            jetstream,
            erp,
            databases: vec![auth_db, notify_db],
            docuseal_hooks: None,
            dir: Some(dir),
        };
        cluster.envs.insert(ERP, erp_env);
        for name in [PORTAL_1, PORTAL_2] {
            cluster.envs.insert(name, portal.clone());
        }
        for name in [NOTIFY_1, NOTIFY_2] {
            cluster.envs.insert(name, notify.clone());
        }
        cluster.launch(&[ERP], erp_port).await;
        // The first replica of each service migrates its fresh database; the second starts on it.
        cluster.launch(&[PORTAL_1, NOTIFY_1], 0).await;
        cluster.launch(&[PORTAL_2, NOTIFY_2], 0).await;
        cluster
    }

    /// Adds the Stripe stand-in (no webhook endpoint: a test delivers the events itself) and two
    /// payments replicas on a fresh PostgreSQL database, checking tokens on portal-auth-1.
    pub async fn start_payments(&mut self) {
        let pay_db = TestDb::postgres().await;
        let stripe_port = free_port();
        let dir = self.dir.as_ref().expect("the cluster's directory").path();
        let stripe_env = pairs(&[
            ("BIND", &format!("127.0.0.1:{stripe_port}")),
            (
                "DATABASE_URL",
                &format!("sqlite://{}/stripe.db?mode=rwc", dir.display()),
            ),
            ("STRIPE_SECRET_KEY", STRIPE_KEY),
            ("RUST_LOG", "info"),
        ]);
        let mut pay = self.erp_service_env(pay_db.url());
        pay.extend(pairs(&[
            ("STRIPE_API_URL", &format!("http://127.0.0.1:{stripe_port}")),
            ("STRIPE_SECRET_KEY", STRIPE_KEY),
            ("STRIPE_WEBHOOK_SECRETS", STRIPE_WEBHOOK_SECRET),
        ]));
        self.databases.push(pay_db);
        self.start_stand_in_and_replicas(STRIPE, stripe_env, stripe_port, [PAY_1, PAY_2], pay)
            .await;
    }

    /// Adds the DocuSeal stand-in, its webhooks sent to a capture the test reads
    /// ([`Cluster::docuseal_hooks`]) and delivers itself, and two quotation-signing replicas on a
    /// fresh PostgreSQL database, checking tokens on portal-auth-1.
    pub async fn start_quotes(&mut self) {
        let quotes_db = TestDb::postgres().await;
        let hooks = crate::hooks::Hooks::start().await;
        let docuseal_port = free_port();
        let dir = self.dir.as_ref().expect("the cluster's directory").path();
        let docuseal_env = pairs(&[
            ("BIND", &format!("127.0.0.1:{docuseal_port}")),
            (
                "DATABASE_URL",
                &format!("sqlite://{}/docuseal.db?mode=rwc", dir.display()),
            ),
            ("DOCUSEAL_API_KEY", DOCUSEAL_KEY),
            ("DOCUSEAL_SANDBOX_WEBHOOK_URL", &hooks.url()),
            (
                "DOCUSEAL_SANDBOX_WEBHOOK_HEADERS",
                &format!("X-Docuseal-Secret={DOCUSEAL_WEBHOOK_SECRET}"),
            ),
            ("RUST_LOG", "info"),
        ]);
        let mut quotes = self.erp_service_env(quotes_db.url());
        quotes.extend(pairs(&[
            (
                "DOCUSEAL_API_URL",
                &format!("http://127.0.0.1:{docuseal_port}/api"),
            ),
            ("DOCUSEAL_API_KEY", DOCUSEAL_KEY),
            ("DOCUSEAL_WEBHOOK_SECRETS", DOCUSEAL_WEBHOOK_SECRET),
        ]));
        self.databases.push(quotes_db);
        self.docuseal_hooks = Some(hooks);
        let replicas = [QUOTES_1, QUOTES_2];
        self.start_stand_in_and_replicas(DOCUSEAL, docuseal_env, docuseal_port, replicas, quotes)
            .await;
    }

    /// What the DocuSeal stand-in has sent to its webhook URL so far.
    pub fn docuseal_hooks(&self) -> &crate::hooks::Hooks {
        self.docuseal_hooks
            .as_ref()
            .expect("the DocuSeal stand-in runs (Cluster::start_quotes)")
    }

    /// The environment of a service on the sandbox ERP with its own `database_url`, checking
    /// customer tokens on portal-auth-1 (the bus and `BIND` come from [`Cluster::env_of`]).
    fn erp_service_env(&self, database_url: &str) -> Vec<(String, String)> {
        pairs(&[
            ("DATABASE_URL", database_url),
            ("ERP_URL", self.erp.base_url()),
            ("ERP_API_KEY", ERP_KEY),
            ("ERP_API_SECRET", ERP_SECRET),
            ("PORTAL_AUTH_URL", &self.url(PORTAL_1, "")),
            ("PORTAL_URL", PORTAL_URL),
        ])
    }

    /// Starts a third party's stand-in on `port`, then two replicas of the service using it (the
    /// first migrates its fresh database, the second starts on it).
    async fn start_stand_in_and_replicas(
        &mut self,
        stand_in: &'static str,
        stand_in_env: Vec<(String, String)>,
        port: u16,
        replicas: [&'static str; 2],
        replica_env: Vec<(String, String)>,
    ) {
        self.envs.insert(stand_in, stand_in_env);
        for name in replicas {
            self.envs.insert(name, replica_env.clone());
        }
        self.launch(&[stand_in], port).await;
        self.launch(&replicas[..1], 0).await;
        self.launch(&replicas[1..], 0).await;
    }

    /// The messages of `subject` (without the run's prefix) stored in its domain's stream, in order.
    pub async fn stored_events(&self, subject: &str) -> Vec<Envelope> {
        let stream = shared::events::stream_for(subject);
        let name = format!("{}_{stream}", self.prefix.to_uppercase());
        let mut stream = self
            .jetstream
            .get_stream(&name)
            .await
            .unwrap_or_else(|e| panic!("the stream {name} exists once the services run: {e}"));
        let (first, last) = {
            let state = &stream.info().await.expect("reading a stream").state;
            (state.first_sequence.max(1), state.last_sequence)
        };
        let subject = format!("{}.{subject}", self.prefix);
        let mut found = Vec::new();
        for seq in first..=last {
            let Ok(message) = stream.get_raw_message(seq).await else {
                continue; // deleted
            };
            if message.subject.as_str() == subject {
                found.push(Envelope::from_bytes(&message.payload).expect("an event envelope"));
            }
        }
        found
    }

    /// The documents of `doctype` in the ERP matching `filters` (`[doctype, field, op, value]` of
    /// a child table included), with `fields`.
    pub async fn erp_list(
        &self,
        doctype: &str,
        fields: &[&str],
        query: impl FnOnce(shared::erpnext::ListQuery) -> shared::erpnext::ListQuery,
    ) -> Vec<serde_json::Value> {
        let query = query(shared::erpnext::ListQuery::new().fields(fields));
        self.erp
            .list(doctype, &query)
            .await
            .unwrap_or_else(|e| panic!("listing {doctype} in the sandbox: {e}"))
    }

    /// The Payment Entries in the ERP whose `reference_no` is `payment_intent` (cancelled ones too).
    pub async fn payment_entries(&self, payment_intent: &str) -> Vec<serde_json::Value> {
        let query = shared::erpnext::ListQuery::new()
            .fields(&["name", "docstatus", "paid_amount"])
            .filter(
                "reference_no",
                shared::erpnext::Op::Eq,
                json!(payment_intent),
            );
        self.erp
            .list("Payment Entry", &query)
            .await
            .expect("listing Payment Entries in the sandbox")
    }

    /// One Sales Invoice of the ERP.
    pub async fn invoice(&self, name: &str) -> serde_json::Value {
        self.erp
            .get("Sales Invoice", name)
            .await
            .expect("reading a Sales Invoice of the sandbox")
    }

    /// The environment of `name` listening on `port`.
    fn env_of(&self, name: &str, port: u16) -> Vec<(String, String)> {
        let mut env = self.envs[name].clone();
        if ![ERP, STRIPE, DOCUSEAL].contains(&name) {
            env.extend(pairs(&[
                ("BIND", &format!("127.0.0.1:{port}")),
                ("NATS_URL", &nats_url()),
                ("NATS_PREFIX", &self.prefix),
                ("NATS_ACK_WAIT_S", &ACK_WAIT.as_secs().to_string()),
                ("SHUTDOWN_GRACE_S", &SHUTDOWN_GRACE_S.to_string()),
                // Unready for a second before the listener closes: the load client's health
                // check (every 100 ms, as Traefik's) takes the replica out first.
                ("SHUTDOWN_DELAY_S", "1"),
                ("PUBLIC_URL", PUBLIC_URL),
                ("RUST_LOG", "info"),
            ]));
            env.extend(self.service_env_extra.iter().cloned());
        }
        env
    }

    /// Starts `names` at once (on `port`, or free ports when 0) and waits until each is ready.
    async fn launch(&mut self, names: &[&'static str], port: u16) {
        let log_dir = self.dir.as_ref().map(|d| d.path().to_path_buf());
        let log_dir = log_dir.expect("the cluster's directory");
        let mut procs: Vec<Proc> = names
            .iter()
            .map(|name| {
                let port = if port == 0 { free_port() } else { port };
                let env = self.env_of(name, port);
                let program = binary(program_of(name));
                Proc::spawn(name, &program, &env, port, &log_dir)
            })
            .collect();
        futures::future::join_all(procs.iter_mut().map(|p| {
            let path = match p.name() {
                ERP => "/",
                STRIPE => "/v1/nothing-here",
                DOCUSEAL => "/sandbox/health",
                _ => "/readyz",
            };
            p.wait_ready(path, START_TIMEOUT)
        }))
        .await;
        for (name, proc) in names.iter().zip(procs) {
            self.running.insert(name, proc);
        }
    }

    /// Starts replica `name` again (a new process on a new port, as a rescheduled pod).
    pub async fn restart(&mut self, name: &'static str) {
        assert!(
            !self.running.contains_key(name),
            "{name} is already running"
        );
        self.launch(&[name], 0).await;
    }

    /// `http://127.0.0.1:<port of name><path>`.
    pub fn url(&self, name: &str, path: &str) -> String {
        self.proc(name).url(path)
    }

    fn proc(&self, name: &str) -> &Proc {
        self.running
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not running"))
    }

    /// Sends SIGTERM to `name` and returns at once (the process drains meanwhile).
    pub fn sigterm(&self, name: &str) {
        self.proc(name).sigterm();
    }

    /// Waits until `name`, told to stop, has exited; it then counts as stopped.
    pub async fn wait_exit(&mut self, name: &str) -> ExitStatus {
        let mut proc = self
            .running
            .remove(name)
            .unwrap_or_else(|| panic!("{name} is not running"));
        // The grace period, plus time to notice it and exit.
        let status = proc
            .wait_exit(Duration::from_secs(SHUTDOWN_GRACE_S + 11))
            .await;
        self.stopped.push(proc);
        status
    }

    /// SIGKILL to `name`: no drain, no ack, no record of what was in flight.
    pub async fn sigkill(&mut self, name: &str) {
        let mut proc = self
            .running
            .remove(name)
            .unwrap_or_else(|| panic!("{name} is not running"));
        proc.sigkill().await;
        self.stopped.push(proc);
    }

    /// Creates `n` customers in the ERP, each with its own address
    /// `c<i>.<run>@replicas.example.org`; returns the addresses.
    pub async fn create_customers(&self, n: usize) -> Vec<String> {
        let emails: Vec<String> = (0..n)
            .map(|i| format!("c{i}.{}@{MAIL_DOMAIN}", self.prefix))
            .collect();
        futures::stream::iter(emails.iter().enumerate())
            .map(|(i, email)| async move {
                let doc = json!({
                    "customer_name": format!("Client {i}"),
                    "customer_type": "Individual",
                    "email_id": email,
                    "language": "fr",
                    "disabled": 0,
                });
                self.erp
                    .create::<serde_json::Value>("Customer", &doc)
                    .await
                    .unwrap_or_else(|e| panic!("creating customer {email} in the sandbox: {e}"))
            })
            .buffer_unordered(4)
            .collect::<Vec<_>>()
            .await;
        emails
    }

    /// The `notify.email.send` commands published from now on, read as they come.
    pub async fn email_commands(&self) -> EmailCommands {
        EmailCommands {
            next: self.notify_stream().await.cached_info().state.last_sequence + 1,
            message_ids: Vec::new(),
        }
    }

    /// Reads what was published since the last read into `commands`.
    pub async fn read_commands(&self, commands: &mut EmailCommands) {
        let mut stream = self.notify_stream().await;
        let last = stream
            .info()
            .await
            .expect("reading the NOTIFY stream")
            .state
            .last_sequence;
        let subject = format!("{}.{}", self.prefix, subjects::NOTIFY_EMAIL_SEND);
        while commands.next <= last {
            let message = stream
                .get_raw_message(commands.next)
                .await
                .expect("reading a message of the NOTIFY stream");
            commands.next += 1;
            if message.subject.as_str() != subject {
                continue;
            }
            let envelope =
                Envelope::from_bytes(&message.payload).expect("an email command is an envelope");
            commands
                .message_ids
                .push(format!("<{}@{MESSAGE_ID_DOMAIN}>", envelope.id));
        }
    }

    /// Waits until `commands` holds at least `n` commands.
    pub async fn wait_for_commands(
        &self,
        commands: &mut EmailCommands,
        n: usize,
        timeout: Duration,
    ) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            self.read_commands(commands).await;
            if commands.message_ids.len() >= n {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "portal-auth published {} of {n} email commands within {timeout:?}",
                commands.message_ids.len()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn notify_stream(&self) -> jetstream::stream::Stream {
        let name = format!("{}_NOTIFY", self.prefix.to_uppercase());
        self.jetstream
            .get_stream(&name)
            .await
            .unwrap_or_else(|e| panic!("the stream {name} exists once the services run: {e}"))
    }

    /// Stops every process, deletes the run's streams and drops the databases.
    pub async fn cleanup(mut self) {
        for (_, mut proc) in self.running.drain() {
            proc.sigkill().await;
        }
        let databases = std::mem::take(&mut self.databases);
        remove_run(&self.prefix, databases).await;
    }
}

impl Drop for Cluster {
    /// After a failure: prints each process's log tail, keeps the logs, and still removes the
    /// run's streams and databases (on a thread of its own: the test's runtime is unwinding).
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(dir) = self.dir.take()
        {
            eprintln!("the cluster's logs are kept in {}", dir.path().display());
            std::mem::forget(dir);
        }
        // Dropping a process prints its log tail (when panicking) and SIGKILLs it.
        self.running.clear();
        self.stopped.clear();
        let databases = std::mem::take(&mut self.databases);
        if databases.is_empty() {
            return;
        }
        let prefix = self.prefix.clone();
        let cleaning = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(remove_run(&prefix, databases));
            }
        });
        let _ = cleaning.join();
    }
}

/// Deletes the run's streams (and so their consumers) from the shared NATS server and drops its
/// databases. It connects anew: it may run outside the runtime the test's connections live in.
async fn remove_run(prefix: &str, databases: Vec<TestDb>) {
    if let Ok(client) = async_nats::connect(nats_url()).await {
        let jetstream = jetstream::new(client);
        for (_, stream) in known_domains() {
            let _ = jetstream
                .delete_stream(format!("{}_{stream}", prefix.to_uppercase()))
                .await;
        }
    }
    for db in databases {
        db.cleanup().await;
    }
}

/// Message-IDs of the email commands published since [`Cluster::email_commands`], in order.
pub struct EmailCommands {
    next: u64,
    /// `<event-id@gigafibre.ca>`: the Message-ID each must arrive under.
    pub message_ids: Vec<String>,
}

/// The binary a replica runs.
fn program_of(name: &str) -> &'static str {
    match name {
        ERP => "erp-sandbox",
        PORTAL_1 | PORTAL_2 => "portal-auth",
        STRIPE => "stripe-sandbox",
        PAY_1 | PAY_2 => "payments",
        DOCUSEAL => "docuseal-sandbox",
        QUOTES_1 | QUOTES_2 => "quotation-signing",
        _ => "notifications",
    }
}

/// One Ed25519 key, generated for this run, in a file both portal-auth replicas read (as a
/// Kubernetes secret would be mounted): tokens signed by one verify on the other.
fn signing_key(dir: &TempDir) -> String {
    let keys = dir.path().join("keys");
    KeyRing::load_or_generate(&keys).expect("generating a signing key");
    let pem = std::fs::read_dir(&keys)
        .expect("reading the key directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "pem"))
        .expect("the generated key file");
    pem.display().to_string()
}

/// portal-auth's environment (the bus and `BIND` come from [`Cluster::env_of`]).
fn portal_env(
    database_url: &str,
    erp_url: &str,
    key_file: &str,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut env = pairs(&[
        ("DATABASE_URL", database_url),
        ("ERP_URL", erp_url),
        ("ERP_API_KEY", ERP_KEY),
        ("ERP_API_SECRET", ERP_SECRET),
        ("PORTAL_URL", PORTAL_URL),
        ("JWT_PRIVATE_KEY_FILE", key_file),
        ("JWT_GENERATE_KEYS", "false"),
        // The same for every replica, as the Secret gives it to every pod.
        (
            "CODE_HASH_KEY",
            "replicas-test-code-hash-key-of-32-characters",
        ),
        // Every request of the tests comes from 127.0.0.1; the per-address limit is not under test.
        ("LINK_LIMIT_PER_IP", "1000000"),
        // The load tests ask dozens of links for each customer; the daily email cap is not under test.
        ("EMAIL_CAP_PER_ADDRESS", "1000000"),
        ("LINK_WORKER_ERP_RATE", "1000"),
    ]);
    for (k, v) in extra {
        env.retain(|(name, _)| name != k);
        env.push(((*k).to_owned(), (*v).to_owned()));
    }
    env
}

/// The environment of notifications: only the tests' own domain leaves the sandbox, to the sink.
fn notify_env(database_url: &str, smtp_url: &str, mailjet_url: &str) -> Vec<(String, String)> {
    pairs(&[
        ("DATABASE_URL", database_url),
        ("SMTP_URL", smtp_url),
        ("MAILJET_API_URL", mailjet_url),
        ("OUTBOUND_MODE", "sandbox"),
        ("OUTBOUND_ALLOWLIST", &format!("@{MAIL_DOMAIN}")),
        ("MESSAGE_ID_DOMAIN", MESSAGE_ID_DOMAIN),
        ("NOTIFY_LEASE_S", &LEASE.as_secs().to_string()),
        ("NOTIFY_RETRY_BASE_MS", "200"),
    ])
}

/// The environment of the erp-sandbox: its own SQLite file in the cluster's directory.
fn erp_env(port: u16, dir: &TempDir) -> Vec<(String, String)> {
    pairs(&[
        ("BIND", &format!("127.0.0.1:{port}")),
        (
            "DATABASE_URL",
            &format!("sqlite://{}/erp.db?mode=rwc", dir.path().display()),
        ),
        ("ERP_API_KEY", ERP_KEY),
        ("ERP_API_SECRET", ERP_SECRET),
        ("RUST_LOG", "info"),
    ])
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
