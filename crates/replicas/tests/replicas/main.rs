//! Proof that N replicas behave as one (issue 5): the erp-sandbox, two replicas of portal-auth and
//! two of notifications run as separate OS processes on loopback, on the real PostgreSQL and NATS
//! JetStream, delivering to a real SMTP server. Logins, rate limits, logouts and deliveries must
//! not depend on which replica a request reaches, and stopping or killing a replica must lose
//! nothing.
//!
//! payments (issue 18): two replicas and the stripe-sandbox, started by the tests that need them: a
//! payment's events booked once, and one auto-pay day run by both at once charging once.
//! quotation-signing (issue 19): two replicas and the docuseal-sandbox: a signature's webhook
//! delivered five times across both accepts the quote once.
//!
//! The binaries must be built first: `cargo build -p portal-auth -p notifications -p payments
//! -p quotation-signing -p erp-sandbox -p stripe-sandbox -p docuseal-sandbox`.
//! A failing test prints the log tail of every process and keeps the full logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auto_pay;
mod cluster;
mod hooks;
mod load;
mod mail;
mod payments;
mod quotes;
mod traces;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::time::Instant;

use cluster::{Cluster, NOTIFY_1, NOTIFY_2, PORTAL_1, PORTAL_2};
use load::{Load, Target};
use mail::{link_token, mails_to, nth_mail_to, text_of, typed_code, wait_for_each};

/// One cluster at a time: each test runs five processes, and the machine has few cores.
pub(crate) static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How long a batch of link requests may take from request to SMTP.
const DELIVERY_PATIENCE: Duration = Duration::from_secs(150);

#[tokio::test]
async fn a_login_requested_on_one_replica_is_completed_on_the_other() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::start(&[]).await;
    let email = cluster.create_customers(1).await.remove(0);

    let text = login_message(&cluster, PORTAL_1, &email).await;
    let verified = post(
        &cluster,
        PORTAL_2,
        "/portal/verify-code",
        &json!({ "identifier": email, "code": typed_code(&text) }),
    )
    .await;
    assert_eq!(verified.status(), StatusCode::OK);
    let token = verified.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let profile = me(&cluster, PORTAL_1, &token).await;
    assert_eq!(profile.status(), StatusCode::OK);
    let profile: Value = profile.json().await.unwrap();
    assert_eq!(profile["email"], json!(email));
    assert_eq!(profile["customer_name"], json!("Client 0"));

    // The link of the same message opens the portal through either replica too.
    let from_link = link_token(&text);
    assert_eq!(
        me(&cluster, PORTAL_2, &from_link).await.status(),
        StatusCode::OK
    );
    cluster.cleanup().await;
}

#[tokio::test]
async fn three_link_requests_per_15_minutes_hold_across_both_portal_auth_replicas() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::start(&[
        ("LINK_LIMIT_PER_IDENTIFIER", "3"),
        ("LINK_LIMIT_WINDOW_S", "900"),
    ])
    .await;
    let email = cluster.create_customers(1).await.remove(0);

    for replica in [PORTAL_1, PORTAL_2, PORTAL_1] {
        assert_eq!(
            request_link(&cluster, replica, &email).await.status(),
            StatusCode::OK,
            "one of the first three requests was refused by {replica}"
        );
    }
    for replica in [PORTAL_2, PORTAL_1] {
        let refused = request_link(&cluster, replica, &email).await;
        assert_eq!(
            refused.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "a 4th request within 15 minutes was not refused by {replica}"
        );
        assert!(refused.headers().contains_key("retry-after"));
    }
    cluster.cleanup().await;
}

#[tokio::test]
async fn a_token_logged_out_on_one_replica_is_refused_by_the_other() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::start(&[]).await;
    let email = cluster.create_customers(1).await.remove(0);
    let token = link_token(&login_message(&cluster, PORTAL_1, &email).await);
    for replica in [PORTAL_1, PORTAL_2] {
        assert_eq!(
            verify(&cluster, replica, &token).await,
            StatusCode::OK,
            "{replica} refused a fresh token"
        );
    }

    let logout = cluster
        .http
        .post(cluster.url(PORTAL_2, "/portal/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        verify(&cluster, PORTAL_2, &token).await,
        StatusCode::UNAUTHORIZED
    );
    // The other replica learns of it through the database within its sync interval.
    let refused = testkit::poll_until(Duration::from_secs(10), || async {
        (verify(&cluster, PORTAL_1, &token).await == StatusCode::UNAUTHORIZED).then_some(())
    })
    .await;
    assert!(
        refused.is_some(),
        "{PORTAL_1} still accepts a token logged out on {PORTAL_2} after 10 s"
    );
    assert_eq!(
        me(&cluster, PORTAL_1, &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    cluster.cleanup().await;
}

#[tokio::test]
async fn a_thousand_link_requests_over_both_replicas_send_each_email_once_even_across_a_sigkill() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(&[("LINK_LIMIT_PER_IDENTIFIER", "100000")]).await;
    let customers = cluster.create_customers(20).await;

    // Every replica up: strictly exactly once.
    let since = cluster.sink.count();
    let mut commands = cluster.email_commands().await;
    request_links(&cluster, &customers, 1000).await;
    cluster
        .wait_for_commands(&mut commands, 1000, DELIVERY_PATIENCE)
        .await;
    let arrivals = wait_for_each(
        &cluster.sink,
        since,
        &commands.message_ids,
        DELIVERY_PATIENCE,
    )
    .await;
    assert_eq!(
        arrivals.extra_copies, 0,
        "{} of 1000 emails arrived more than once with every replica up",
        arrivals.duplicated
    );
    assert_one_command_per_request(&cluster, &mut commands, 1000).await;

    // notifications-1 killed half-way: nothing lost, nothing doubled. What it was sending when it died
    // is taken over after the lease, and Mailjet's records are asked first: an email the relay had
    // accepted just before the kill is recorded as sent, not sent again.
    let since = cluster.sink.count();
    let mut commands = cluster.email_commands().await;
    request_links(&cluster, &customers, 1000).await;
    assert!(
        cluster.sink.wait_for(since + 300, DELIVERY_PATIENCE).await,
        "only {} of 1000 emails delivered before the kill",
        cluster.sink.count() - since
    );
    cluster.sigkill(NOTIFY_1).await;
    let at_kill = cluster.sink.count() - since;
    assert!(
        at_kill < 1000,
        "all 1000 emails were delivered before the kill; nothing was tested"
    );
    // Kubernetes starts a new pod in its place, with no memory of what the dead one held.
    cluster.restart(NOTIFY_1).await;
    cluster
        .wait_for_commands(&mut commands, 1000, DELIVERY_PATIENCE)
        .await;
    let arrivals = wait_for_each(
        &cluster.sink,
        since,
        &commands.message_ids,
        DELIVERY_PATIENCE,
    )
    .await;
    eprintln!(
        "SIGKILL to {NOTIFY_1} with {at_kill} of 1000 emails delivered; {} interrupted sends checked \
         against the relay's records",
        cluster.mailjet.lookups()
    );
    assert_eq!(
        arrivals.extra_copies, 0,
        "{} of 1000 emails arrived more than once across the SIGKILL",
        arrivals.duplicated
    );
    assert_one_command_per_request(&cluster, &mut commands, 1000).await;
    cluster.cleanup().await;
}

#[tokio::test]
async fn a_notifications_replica_stopped_with_sigterm_under_load_loses_and_doubles_nothing() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(&[("LINK_LIMIT_PER_IDENTIFIER", "100000")]).await;
    let customers = cluster.create_customers(20).await;

    let since = cluster.sink.count();
    let mut commands = cluster.email_commands().await;
    request_links(&cluster, &customers, 500).await;
    assert!(
        cluster.sink.wait_for(since + 100, DELIVERY_PATIENCE).await,
        "only {} of 500 emails delivered before the stop",
        cluster.sink.count() - since
    );
    cluster.sigterm(NOTIFY_2);
    let status = cluster.wait_exit(NOTIFY_2).await;
    let at_stop = cluster.sink.count() - since;
    assert!(
        status.success(),
        "{NOTIFY_2} exited with {status} after SIGTERM"
    );
    assert!(
        at_stop < 500,
        "all 500 emails were delivered before the stop; nothing was tested"
    );

    cluster
        .wait_for_commands(&mut commands, 500, DELIVERY_PATIENCE)
        .await;
    let arrivals = wait_for_each(
        &cluster.sink,
        since,
        &commands.message_ids,
        DELIVERY_PATIENCE,
    )
    .await;
    eprintln!("SIGTERM to {NOTIFY_2} with {at_stop} of 500 emails delivered");
    assert_eq!(
        arrivals.extra_copies, 0,
        "{} emails arrived twice across a SIGTERM",
        arrivals.duplicated
    );
    assert_one_command_per_request(&cluster, &mut commands, 500).await;
    cluster.cleanup().await;
}

#[tokio::test]
async fn a_portal_auth_replica_stopped_with_sigterm_under_load_fails_no_request_in_flight() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(&[("LINK_LIMIT_PER_IDENTIFIER", "100000")]).await;
    let email = cluster.create_customers(1).await.remove(0);
    let token = link_token(&login_message(&cluster, PORTAL_1, &email).await);

    let since = cluster.sink.count();
    let mut commands = cluster.email_commands().await;
    let targets = [PORTAL_1, PORTAL_2].map(|name| Target::new(name, cluster.url(name, "")));
    let load = Load::start(targets, &token, &email, 8);
    // Steady state first (connections open and reused), then a moment with work in progress.
    tokio::time::sleep(Duration::from_secs(1)).await;
    load.wait_until_busy(PORTAL_1, 3).await;
    let stopped_at = Instant::now();
    cluster.sigterm(PORTAL_1);
    let status = cluster.wait_exit(PORTAL_1).await;
    // The load goes on a while with one replica gone.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let outcome = load.finish().await;

    eprintln!(
        "load: {} answered by {PORTAL_1} ({} of them after its SIGTERM, {} in flight at that moment), \
         {} by {PORTAL_2}, {} refused at connection and sent to {PORTAL_2}, {} failed",
        outcome.served.get(PORTAL_1).copied().unwrap_or(0),
        outcome.answered_after(PORTAL_1, stopped_at),
        outcome.in_flight_at(PORTAL_1, stopped_at),
        outcome.served.get(PORTAL_2).copied().unwrap_or(0),
        outcome.rerouted,
        outcome.failures.len()
    );
    assert!(
        outcome.failures.is_empty(),
        "{} requests failed around the SIGTERM to {PORTAL_1}:\n{}",
        outcome.failures.len(),
        outcome.failures_around(stopped_at).join("\n")
    );
    assert!(
        status.success(),
        "{PORTAL_1} exited with {status} after SIGTERM"
    );
    assert!(
        outcome.in_flight_at(PORTAL_1, stopped_at) > 0,
        "no request was in flight on {PORTAL_1} when it got SIGTERM; nothing was tested"
    );
    assert!(outcome.answered_after(PORTAL_2, stopped_at) > 0);

    // Every link request either replica accepted gives its email: none was lost with the stopped
    // one.
    cluster
        .wait_for_commands(&mut commands, outcome.known_links, DELIVERY_PATIENCE)
        .await;
    let arrivals = wait_for_each(
        &cluster.sink,
        since,
        &commands.message_ids,
        DELIVERY_PATIENCE,
    )
    .await;
    assert_eq!(arrivals.extra_copies, 0);
    assert_one_command_per_request(&cluster, &mut commands, outcome.known_links).await;
    cluster.cleanup().await;
}

/// Requests a link for `email` on `replica` and returns the text of the message it receives.
async fn login_message(cluster: &Cluster, replica: &str, email: &str) -> String {
    let before = mails_to(&cluster.sink, email);
    assert_eq!(
        request_link(cluster, replica, email).await.status(),
        StatusCode::OK
    );
    text_of(&nth_mail_to(&cluster.sink, email, before + 1).await)
}

/// `n` link requests over `customers` in turn, alternating replicas, 32 at a time; all accepted.
async fn request_links(cluster: &Cluster, customers: &[String], n: usize) {
    use futures::StreamExt as _;
    let urls = [PORTAL_1, PORTAL_2].map(|r| cluster.url(r, "/portal/request-link"));
    let refused: Vec<String> = futures::stream::iter(0..n)
        .map(|i| {
            let (url, identifier) = (&urls[i % 2], &customers[i % customers.len()]);
            async move {
                let sent = cluster
                    .http
                    .post(url)
                    .json(&json!({ "identifier": identifier }))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == StatusCode::OK => None,
                    Ok(r) => Some(format!("{url}: {}", r.status())),
                    Err(e) => Some(format!("{url}: {e}")),
                }
            }
        })
        .buffer_unordered(32)
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    assert!(
        refused.is_empty(),
        "{} of {n} link requests were not accepted, e.g. {:?}",
        refused.len(),
        refused.first()
    );
}

/// Once everything settled, exactly one email command per accepted request: no link request was
/// handled twice by the two link workers.
async fn assert_one_command_per_request(
    cluster: &Cluster,
    commands: &mut cluster::EmailCommands,
    requests: usize,
) {
    cluster.read_commands(commands).await;
    assert_eq!(
        commands.message_ids.len(),
        requests,
        "portal-auth published {} email commands for {requests} accepted link requests",
        commands.message_ids.len()
    );
}

async fn request_link(cluster: &Cluster, replica: &str, identifier: &str) -> reqwest::Response {
    post(
        cluster,
        replica,
        "/portal/request-link",
        &json!({ "identifier": identifier }),
    )
    .await
}

async fn post(cluster: &Cluster, replica: &str, path: &str, body: &Value) -> reqwest::Response {
    cluster
        .http
        .post(cluster.url(replica, path))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn me(cluster: &Cluster, replica: &str, token: &str) -> reqwest::Response {
    cluster
        .http
        .get(cluster.url(replica, "/portal/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn verify(cluster: &Cluster, replica: &str, token: &str) -> StatusCode {
    cluster
        .http
        .get(cluster.url(replica, "/auth/verify"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}
