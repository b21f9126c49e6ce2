//! "Exactly once in effect", proven with real components: the notifications binary as a child
//! process, a real NATS JetStream (127.0.0.1:4222), a real SMTP server (the testkit sink) and
//! real databases, with the relay's records asked as Mailjet's are (`MAILJET_API_URL`, the testkit
//! fake over the sink's mailbox), and SMS through the testkit's Twilio fake. Each test runs under its own `NATS_PREFIX`, so its streams and subjects are its
//! own; the streams are deleted at the end.
//!
//! `TEST_LOG=1` lets the children's logs through to the test output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use shared::events::{EmailSend, Envelope, EventBus, SmsSend, connect_bus, known_domains};
use testkit::{MailjetFake, NatsServer, SmtpSink, TestDb, TwilioFake, nats_url};
use tokio::process::{Child, Command};
use tokio::time::Instant;

/// Redelivery delay of unacked messages for the children and the publisher.
const ACK_WAIT: Duration = Duration::from_secs(3);

/// One run's isolation on the shared NATS server: a unique prefix and a bus under it.
struct Run {
    prefix: String,
    nats: String,
    bus: Arc<dyn EventBus>,
    sink: SmtpSink,
    mailjet: MailjetFake,
    twilio: TwilioFake,
}

/// The relay login, which is also the key and secret of Mailjet's API.
const MAILJET_KEY: &str = "mj-test-key";
const MAILJET_SECRET: &str = "mj-test-secret";
const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
const TWILIO_TOKEN: &str = "test-twilio-auth-token";

impl Run {
    async fn new() -> Self {
        Self::on(nats_url()).await
    }

    /// A run on the NATS server at `nats`.
    async fn on(nats: String) -> Self {
        let prefix = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let bus = connect_bus(Some(&nats), &prefix, ACK_WAIT)
            .await
            .unwrap_or_else(|e| panic!("connecting to NATS at {nats}: {e}"));
        let sink = SmtpSink::start().await;
        let mailjet = MailjetFake::start(sink.clone(), MAILJET_KEY, MAILJET_SECRET).await;
        let twilio = TwilioFake::start(TWILIO_SID, TWILIO_TOKEN).await;
        Self {
            prefix,
            nats,
            bus,
            sink,
            mailjet,
            twilio,
        }
    }

    /// Starts the notifications binary on `database_url`, waits until it serves `/healthz` (it
    /// has migrated and subscribed by then).
    async fn service(&self, database_url: &str) -> Service {
        self.service_with(database_url, &[]).await
    }

    /// [`Run::service`] with `extra` settings over the usual ones.
    async fn service_with(&self, database_url: &str, extra: &[(&str, &str)]) -> Service {
        let smtp_url = format!(
            "smtp://{MAILJET_KEY}:{MAILJET_SECRET}@127.0.0.1:{}",
            self.sink.port()
        );
        let mut env = vec![
            ("DATABASE_URL", database_url.to_owned()),
            ("NATS_URL", self.nats.clone()),
            ("NATS_PREFIX", self.prefix.clone()),
            ("SMTP_URL", smtp_url),
            ("MAILJET_API_URL", self.mailjet.base_url()),
            ("TWILIO_ACCOUNT_SID", TWILIO_SID.to_owned()),
            ("TWILIO_AUTH_TOKEN", TWILIO_TOKEN.to_owned()),
            ("TWILIO_FROM", "+15145550100".to_owned()),
            ("TWILIO_API_URL", self.twilio.base_url()),
        ];
        env.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        Service::start(&env).await
    }

    /// Publishes `n` email commands to `n<i>@example.org` (allowlisted, so they really go to the
    /// sink); returns the Message-IDs they must arrive under.
    async fn publish_emails(&self, n: usize) -> HashSet<String> {
        let envelopes: Vec<Envelope> = (0..n).map(email_command).collect();
        let expected = envelopes
            .iter()
            .map(|e| format!("<{}@gigafibre.ca>", e.id))
            .collect();
        self.publish(envelopes).await;
        expected
    }

    /// Publishes `envelopes`, 32 awaiting their PubAck at once.
    async fn publish(&self, envelopes: Vec<Envelope>) {
        futures::stream::iter(envelopes)
            .map(|e| {
                let bus = Arc::clone(&self.bus);
                async move { bus.publish(&e).await }
            })
            .buffer_unordered(32)
            .for_each(|published| async move {
                published.expect("publishing a command");
            })
            .await;
    }

    /// Waits until the sink holds `n` emails (at most 60 s): the moment to cut something mid-way.
    async fn wait_until_delivered(&self, n: usize) {
        assert!(
            self.sink.wait_for(n, Duration::from_secs(60)).await,
            "the service delivered only {} of the first {n} emails in 60 s",
            self.sink.count()
        );
    }

    /// Waits until every expected Message-ID reached the sink, then a little longer so a late
    /// duplicate (a redelivery after the ack wait) would show up too, and checks each arrived once.
    async fn assert_each_arrives_exactly_once(&self, expected: &HashSet<String>, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let tally = tally(&self.sink);
            let arrived = expected.iter().filter(|id| tally.contains_key(*id)).count();
            if arrived == expected.len() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "only {arrived} of {} emails reached the SMTP sink within {within:?} ({} messages in all)",
                expected.len(),
                self.sink.count()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(ACK_WAIT + Duration::from_secs(2)).await;
        let tally = tally(&self.sink);
        let duplicated: Vec<(&String, &usize)> = tally.iter().filter(|(_, n)| **n > 1).collect();
        let extra: usize = duplicated.iter().map(|(_, n)| **n - 1).sum();
        let unexpected = tally.keys().filter(|id| !expected.contains(*id)).count();
        assert!(
            extra == 0 && unexpected == 0,
            "not exactly once: {} of {} emails arrived more than once ({extra} extra copies; e.g. {:?}), \
             {unexpected} unexpected Message-IDs, {} messages received in all",
            duplicated.len(),
            expected.len(),
            duplicated.iter().take(5).collect::<Vec<_>>(),
            self.sink.count()
        );
        assert_eq!(self.sink.count(), expected.len());
    }

    /// Deletes this run's streams (and so their consumers) from the shared NATS server.
    async fn cleanup(self) {
        if let Ok(client) = async_nats::connect(&self.nats).await {
            let js = async_nats::jetstream::new(client);
            for (_, stream) in known_domains() {
                let _ = js
                    .delete_stream(format!("{}_{stream}", self.prefix.to_uppercase()))
                    .await;
            }
        }
    }
}

/// A notifications process; SIGKILLed when dropped, so a failing test leaves nothing behind.
struct Service {
    child: Child,
    port: u16,
}

impl Service {
    /// With the test settings below, then `env` (the database, NATS, the providers; later wins).
    async fn start(env: &[(&str, String)]) -> Self {
        let port = free_port();
        let logs = || {
            if std::env::var_os("TEST_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            }
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_notifications"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("NATS_ACK_WAIT_S", ACK_WAIT.as_secs().to_string())
            .env("OUTBOUND_MODE", "sandbox")
            .env("OUTBOUND_ALLOWLIST", "@example.org")
            // Retries of an SMTP outage come quickly, so the outage test stays short.
            .env("NOTIFY_RETRY_BASE_MS", "200")
            .env("NOTIFY_LEASE_S", "10")
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(logs())
            .stderr(logs())
            .kill_on_drop(true)
            .spawn()
            .expect("starting the notifications binary");
        let http = reqwest::Client::new();
        let url = format!("http://127.0.0.1:{port}/healthz");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().expect("polling the child") {
                panic!(
                    "the notifications process exited at start ({status}); rerun with TEST_LOG=1"
                );
            }
            if http
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Self { child, port };
            }
            assert!(
                Instant::now() < deadline,
                "the notifications process did not serve {url} within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGTERM, as Kubernetes stops a pod: the process drains what it holds and exits.
    async fn sigterm(mut self) {
        let pid = self.child.id().expect("the child is running");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("running kill -TERM");
        assert!(status.success());
        tokio::time::timeout(Duration::from_secs(40), self.child.wait())
            .await
            .expect("the notifications process did not exit within 40 s of SIGTERM")
            .expect("waiting for the child");
    }

    /// SIGKILL: no shutdown hook, no flush, no ack; whatever was in flight is cut.
    async fn sigkill(mut self) {
        self.child
            .kill()
            .await
            .expect("SIGKILL to the notifications process");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("finding a free port")
}

fn email_command(i: usize) -> Envelope {
    let command = EmailSend {
        to: format!("n{i}@example.org"),
        to_name: Some(format!("Client {i}")),
        subject: format!("Votre facture n° {i}"),
        text: format!("Bonjour, votre facture {i} est prête."),
        html: format!("<p>Bonjour, votre facture <b>{i}</b> est prête.</p>"),
        reply_to: None,
        lang: "fr".to_owned(),
        template: "test.reliability".to_owned(),
        customer: Some(format!("CUST-{i:05}")),
        attachments: Vec::new(),
    };
    Envelope::new("/test", &command).expect("an email command serialises")
}

fn sms_command(i: usize) -> Envelope {
    let command = SmsSend {
        to: format!("+1514555{i:04}"),
        body: format!("Gigafibre : votre code est {i:06}"),
        template: "test.reliability".to_owned(),
        customer: Some(format!("CUST-{i:05}")),
    };
    Envelope::new("/test", &command).expect("an SMS command serialises")
}

/// Waits until `n` deliveries are recorded `sent` in the service's database.
async fn wait_until_recorded_sent(database_url: &str, n: i64, within: Duration) {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(database_url).await.unwrap();
    let count = Statement::from_string(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM delivery WHERE status = 'sent'",
    );
    let deadline = Instant::now() + within;
    loop {
        let row = db.query_one_raw(count.clone()).await.unwrap().unwrap();
        let sent: i64 = row.try_get("", "n").unwrap();
        if sent >= n {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {sent} of {n} deliveries recorded sent within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    db.close().await.unwrap();
}

/// How many times each Message-ID reached the sink.
fn tally(sink: &SmtpSink) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for mail in sink.messages() {
        let id = mail.message_id.unwrap_or_else(|| "<none>".to_owned());
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn a_consumer_killed_with_sigkill_mid_way_delivers_each_of_1000_emails_exactly_once() {
    let run = Run::new().await;
    // Each message kept by the sink 20 ms before its 250: at the kill, the emails in flight include
    // some the relay has accepted and the dead process will never record.
    run.sink.delay_acceptance(Duration::from_millis(20));
    let db = TestDb::sqlite();
    let first = run.service(db.url()).await;

    let expected = run.publish_emails(1000).await;
    run.wait_until_delivered(300).await;
    first.sigkill().await;
    let at_kill = run.sink.count();
    eprintln!("SIGKILL with {at_kill} of 1000 emails in the sink");
    assert!(
        at_kill < 1000,
        "all 1000 emails were delivered before the kill; nothing was tested"
    );

    let _second = run.service(db.url()).await;
    // Deliveries cut by the kill wait for their lease (NOTIFY_LEASE_S=10) to end before they are
    // taken again; for each, the relay's records are asked first, so one the relay had accepted just
    // before the kill is recorded as sent instead of being sent a second time. Those are already in
    // the sink, so the test waits for every delivery to be recorded, not only for every email to arrive.
    wait_until_recorded_sent(db.url(), 1000, Duration::from_secs(150)).await;
    run.assert_each_arrives_exactly_once(&expected, Duration::from_secs(150))
        .await;
    let lookups = run.mailjet.lookups();
    eprintln!("{lookups} interrupted deliveries checked against the relay's records");
    assert!(
        lookups > 0,
        "no delivery was cut by the kill; the records were never asked"
    );
    run.cleanup().await;
}

/// The same with SMS: Twilio keeps no key of ours, so each SMS cut by the kill is looked for in
/// Twilio's message list (same number and text, since the delivery began) before any resend.
#[tokio::test]
async fn a_consumer_killed_with_sigkill_mid_way_sends_each_of_600_sms_exactly_once() {
    let run = Run::new().await;
    // Each SMS answered 20 ms after Twilio took it: at the kill, Twilio has some SMS the dead
    // process will never record.
    run.twilio
        .answer_late(usize::MAX, Duration::from_millis(20));
    let db = TestDb::sqlite();
    let live = [("OUTBOUND_MODE", "live")];
    let first = run.service_with(db.url(), &live).await;

    run.publish((0..600).map(sms_command).collect()).await;
    let mid_way = testkit::poll_until(Duration::from_secs(60), || async {
        (run.twilio.messages().len() >= 150).then_some(())
    })
    .await;
    assert!(mid_way.is_some(), "150 SMS were not sent within 60 s");
    first.sigkill().await;
    let at_kill = run.twilio.messages().len();
    eprintln!("SIGKILL with {at_kill} of 600 SMS at Twilio");
    assert!(
        at_kill < 600,
        "all 600 SMS went before the kill; nothing was tested"
    );

    let _second = run.service_with(db.url(), &live).await;
    wait_until_recorded_sent(db.url(), 600, Duration::from_secs(150)).await;
    tokio::time::sleep(ACK_WAIT + Duration::from_secs(2)).await;
    let mut per_number: HashMap<String, usize> = HashMap::new();
    for sms in run.twilio.messages() {
        *per_number.entry(sms.to).or_insert(0) += 1;
    }
    let doubled: Vec<_> = per_number.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "sent more than once: {doubled:?}");
    assert_eq!(per_number.len(), 600, "not every number got its SMS");
    let asked = run.twilio.list_requests();
    eprintln!("{asked} pages of Twilio's list read for interrupted SMS");
    assert!(
        asked > 0,
        "no SMS was cut by the kill; the list was never read"
    );
    run.cleanup().await;
}

#[tokio::test]
async fn a_consumer_stopped_with_sigterm_mid_way_and_restarted_delivers_each_of_1000_emails_exactly_once()
 {
    let run = Run::new().await;
    let db = TestDb::sqlite();
    let first = run.service(db.url()).await;

    let expected = run.publish_emails(1000).await;
    run.wait_until_delivered(300).await;
    first.sigterm().await;
    let at_stop = run.sink.count();
    eprintln!("SIGTERM with {at_stop} of 1000 emails in the sink");
    assert!(
        at_stop < 1000,
        "all 1000 emails were delivered before the stop; nothing was tested"
    );

    let _second = run.service(db.url()).await;
    run.assert_each_arrives_exactly_once(&expected, Duration::from_secs(120))
        .await;
    run.cleanup().await;
}

#[tokio::test]
async fn emails_published_while_smtp_is_down_are_retried_and_arrive_exactly_once() {
    let run = Run::new().await;
    let db = TestDb::sqlite();
    let _service = run.service(db.url()).await;

    run.sink.stop().await;
    let expected = run.publish_emails(200).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        run.sink.count(),
        0,
        "the sink was down; nothing can have arrived"
    );
    run.sink.restart().await;

    run.assert_each_arrives_exactly_once(&expected, Duration::from_secs(90))
        .await;
    run.cleanup().await;
}

#[tokio::test]
async fn two_replicas_on_one_postgres_database_send_each_of_500_emails_once() {
    let run = Run::new().await;
    let db = TestDb::postgres().await;
    // One after the other: the first one migrates the fresh database.
    let a = run.service(db.url()).await;
    let b = run.service(db.url()).await;
    assert_ne!(a.port, b.port);

    let expected = run.publish_emails(500).await;
    run.assert_each_arrives_exactly_once(&expected, Duration::from_secs(90))
        .await;
    drop((a, b));
    run.cleanup().await;
    db.cleanup().await;
}

/// Every PostgreSQL connection of the service cut, three times, while it delivers (a failover, a
/// proxy restarting): claims and records whose replies were lost come back through redelivery and
/// the lease, Mailjet's records are asked where a send may have happened, and each email still
/// arrives exactly once.
#[tokio::test]
async fn postgres_connections_cut_mid_way_lose_and_double_nothing() {
    let run = Run::new().await;
    run.sink.delay_acceptance(Duration::from_millis(50));
    let db = TestDb::postgres().await;
    let _service = run.service(db.url()).await;

    let expected = run.publish_emails(2000).await;
    run.wait_until_delivered(100).await;
    for _ in 0..3 {
        testkit::terminate_connections(db.url()).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let after_cuts = run.sink.count();
    eprintln!("connections cut three times; {after_cuts} of 2000 emails in the sink");
    assert!(
        after_cuts < 2000,
        "all 2000 delivered before the cuts; nothing was tested"
    );

    wait_until_recorded_sent(db.url(), 2000, Duration::from_secs(150)).await;
    run.assert_each_arrives_exactly_once(&expected, Duration::from_secs(150))
        .await;
    run.cleanup().await;
    db.cleanup().await;
}

/// The bus itself dies (SIGKILL of a NATS server of the test's own, JetStream on file) while emails
/// are being delivered, and comes back 2 s later on the same port and store. Acks lost meanwhile
/// mean redeliveries, which the delivery log turns away; the consumer takes up its subscription by
/// itself, and commands published after the restart are delivered too.
#[tokio::test]
async fn a_nats_server_killed_mid_way_and_restarted_loses_and_doubles_nothing() {
    let mut nats = NatsServer::start();
    let run = Run::on(nats.url()).await;
    run.sink.delay_acceptance(Duration::from_millis(20));
    let db = TestDb::sqlite();
    let _service = run.service(db.url()).await;

    let mut expected = run.publish_emails(500).await;
    run.wait_until_delivered(100).await;
    nats.kill();
    let at_kill = run.sink.count();
    eprintln!("NATS killed with {at_kill} of 500 emails in the sink");
    assert!(
        at_kill < 500,
        "all 500 delivered before the kill; nothing was tested"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    nats.start_again();

    expected.extend(run.publish_emails_once_the_bus_is_back(100).await);
    run.assert_each_arrives_exactly_once(&expected, Duration::from_secs(120))
        .await;
    run.cleanup().await;
}

impl Run {
    /// [`Run::publish_emails`] after a restart of NATS: each publish is tried again until the
    /// publisher has reconnected (JetStream drops a second copy of an id it stored).
    async fn publish_emails_once_the_bus_is_back(&self, n: usize) -> HashSet<String> {
        let mut expected = HashSet::new();
        for i in 0..n {
            let e = email_command(i);
            let deadline = Instant::now() + Duration::from_secs(60);
            while let Err(err) = self.bus.publish(&e).await {
                assert!(
                    Instant::now() < deadline,
                    "NATS not back within 60 s: {err}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            expected.insert(format!("<{}@gigafibre.ca>", e.id));
        }
        expected
    }
}
