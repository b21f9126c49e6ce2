//! Two quotation-signing replicas behave as one: staff send a quotation to sign, the customer signs
//! it on the DocuSeal stand-in's page, and the stand-in's `form.completed` webhook, delivered five
//! times at once across both replicas, accepts the quote once: one Sales Order, one set of
//! Subscriptions, one `quotation.quote.accepted` on the QUOTATION stream.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::erpnext::Op;
use shared::events::{QuoteAccepted, subjects};
use testkit::metrics::scrape;
use tokio::time::Instant;

use crate::ONE_AT_A_TIME;
use crate::cluster::{Cluster, DOCUSEAL_WEBHOOK_SECRET, QUOTES_1, QUOTES_2};

/// Marie Tremblay's quotation (crates/erp-sandbox, `demo_quotations::QUOTATION_FIBRE_BUNDLE`):
/// FIBRE-1G, TV-BASE and STATIC-IP recur, INSTALL and ROUTER-WIFI7 once.
const QUOTATION: &str = "SAL-QTN-2026-00001";
const RECURRING_ITEMS: usize = 3;

#[tokio::test]
async fn a_signatures_webhook_delivered_five_times_across_both_replicas_accepts_the_quote_once() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(&[]).await;
    cluster.start_quotes().await;

    let sent = generate(&cluster).await;
    let signed = docuseal_sandbox::fixtures::sign(sent["url"].as_str().unwrap(), "Marie Tremblay")
        .await
        .unwrap();
    assert!(signed.status().is_success() || signed.status().is_redirection());
    let completed = cluster
        .docuseal_hooks()
        .first("form.completed", Duration::from_secs(30))
        .await;
    assert_eq!(
        completed["data"]["submission_id"].to_string(),
        sent["envelope_id"].as_str().unwrap(),
        "the signature of the quote sent"
    );

    let started = Instant::now();
    let replicas = [QUOTES_1, QUOTES_2, QUOTES_1, QUOTES_2, QUOTES_1];
    let answers = futures::future::join_all(
        replicas
            .iter()
            .map(|replica| deliver(&cluster, replica, &completed)),
    )
    .await;
    assert!(
        answers.iter().all(|a| a["received"] == true),
        "every delivery answered 200: {answers:?}"
    );
    let first_times = answers.iter().filter(|a| a["first_time"] == true).count();
    assert_eq!(
        first_times, 1,
        "one delivery recorded, four duplicates: {answers:?}"
    );

    let status = wait_accepted(&cluster, Duration::from_secs(60)).await;
    eprintln!(
        "five deliveries over {QUOTES_1} and {QUOTES_2}: accepted {:?} after the first",
        started.elapsed()
    );
    // Both replicas have had time to act on anything they recorded or leased.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let orders = cluster
        .erp_list("Sales Order", &["name", "docstatus", "customer"], |q| {
            q.child_filter(
                "Sales Order Item",
                "prevdoc_docname",
                Op::Eq,
                json!(QUOTATION),
            )
        })
        .await;
    assert_eq!(
        orders.len(),
        1,
        "one Sales Order from {QUOTATION}: {orders:?}"
    );
    assert_eq!(orders[0]["docstatus"], 1, "submitted");
    let order = orders[0]["name"].as_str().unwrap();
    assert_eq!(status["sales_order"], order);
    let subscriptions = cluster
        .erp_list("Subscription", &["name", "custom_quotation_item"], |q| {
            q.filter("custom_quotation", Op::Eq, json!(QUOTATION))
        })
        .await;
    assert_eq!(
        subscriptions.len(),
        RECURRING_ITEMS,
        "one Subscription per recurring item: {subscriptions:?}"
    );

    let accepted = cluster
        .stored_events(subjects::QUOTATION_QUOTE_ACCEPTED)
        .await;
    let accepted: Vec<QuoteAccepted> = accepted.iter().map(|e| e.decode().unwrap()).collect();
    assert_eq!(
        accepted.len(),
        1,
        "one quotation.quote.accepted: {accepted:?}"
    );
    assert_eq!(accepted[0].quotation, QUOTATION);
    assert_eq!(accepted[0].sales_order, order);
    assert_eq!(accepted[0].subscriptions.len(), RECURRING_ITEMS);

    // Each replica counted what it did; together, one of each.
    let (url_1, url_2) = (cluster.url(QUOTES_1, ""), cluster.url(QUOTES_2, ""));
    let (m1, m2) = tokio::join!(scrape(&cluster.http, &url_1), scrape(&cluster.http, &url_2));
    let both =
        |name: &str, labels: &[(&str, &str)]| m1.value(name, labels) + m2.value(name, labels);
    let outcome = |o| both("quotes_webhook_events_total", &[("outcome", o)]);
    assert_eq!((outcome("recorded"), outcome("duplicate")), (1.0, 4.0));
    assert_eq!(
        both("quotes_accepted_total", &[("method", "signature")]),
        1.0
    );
    assert_eq!(both("quotes_sent_total", &[("type", "signature")]), 1.0);
    for m in [&m1, &m2] {
        assert_eq!(m.value("quotes_signed_waiting", &[]), 0.0);
        assert_eq!(m.value("quotes_acceptance_failing", &[]), 0.0);
        assert_eq!(m.value("quotes_inbox_events_waiting", &[]), 0.0);
        let served = m.families();
        for name in documented_quotes_metrics() {
            assert!(
                served.contains(&name),
                "docs/metrics.md names {name}, not served"
            );
        }
    }
    cluster.cleanup().await;
}

/// `POST /accept/generate` as sales staff on replica 1 (staff headers from loopback, its trusted
/// proxy): `{url, envelope_id, …}`.
async fn generate(cluster: &Cluster) -> Value {
    let answer = cluster
        .http
        .post(cluster.url(QUOTES_1, "/accept/generate"))
        .header("X-authentik-username", "replicas-test")
        .header("X-authentik-groups", "sales")
        .json(&json!({"quotation": QUOTATION, "quote_type": "signature"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.unwrap()
}

/// DocuSeal's delivery of `event` to `replica`, with the secret header: the answer's body.
async fn deliver(cluster: &Cluster, replica: &str, event: &Value) -> Value {
    let answer = cluster
        .http
        .post(cluster.url(replica, "/accept/docuseal-webhook"))
        .header("X-Docuseal-Secret", DOCUSEAL_WEBHOOK_SECRET)
        .header("User-Agent", "DocuSeal.com Webhook")
        .json(event)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK, "{replica}");
    answer.json().await.unwrap()
}

/// The quote's status (asked as staff of either replica in turn) once it is `accepted`.
async fn wait_accepted(cluster: &Cluster, timeout: Duration) -> Value {
    let path = format!("/accept/{QUOTATION}/status");
    let mut turn = 0;
    testkit::poll_until(timeout, || {
        turn += 1;
        let url = cluster.url([QUOTES_1, QUOTES_2][turn % 2], &path);
        async move {
            let body: Value = cluster
                .http
                .get(url)
                .header("X-authentik-username", "replicas-test")
                .header("X-authentik-groups", "sales")
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (body["status"] == "accepted").then_some(body)
        }
    })
    .await
    .unwrap_or_else(|| panic!("{QUOTATION} not accepted within {timeout:?}"))
}

/// The metric names of docs/metrics.md's quotation-signing table.
fn documented_quotes_metrics() -> Vec<String> {
    let doc = include_str!("../../../../docs/metrics.md");
    let name = regex::Regex::new(r"^\| `(quotes_[a-z_]+)` \|").unwrap();
    let found: Vec<String> = doc
        .lines()
        .filter_map(|l| name.captures(l).map(|c| c[1].to_owned()))
        .collect();
    assert!(
        found.len() >= 8,
        "the quotation-signing table of docs/metrics.md"
    );
    found
}
