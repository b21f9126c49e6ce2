//! One trace across the services mode: a link request to portal-auth, its job, the outbox relay's
//! publish on NATS JetStream, the notifications consumer and its SMTP send, each the parent of the
//! next, in the caller's trace, exported by the two services to an OTLP/HTTP receiver.

use std::time::Duration;

use serde_json::json;
use testkit::OtlpReceiver;
use testkit::otlp::{carrying, chain};

use super::ONE_AT_A_TIME;
use super::cluster::{Cluster, PORTAL_1};
use super::mail::{link_token, nth_mail_to, text_of, typed_code};

/// The spans of one link request, each the parent of the next, with the service of each.
const CHAIN: [(&str, &str); 6] = [
    ("portal-auth", "POST /portal/request-link"),
    ("portal-auth", "request_link"),
    ("portal-auth", "link job"),
    ("portal-auth", "publish notify.email.send"),
    ("notifications", "process notify.email.send"),
    ("notifications", "smtp send"),
];

#[tokio::test]
async fn a_link_request_is_one_trace_across_portal_auth_nats_and_notifications() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let otlp = OtlpReceiver::start().await;
    let endpoint = otlp.endpoint();
    let cluster = Cluster::start_with(
        &[],
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            // Export every 100 ms rather than every 5 s.
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
    )
    .await;
    let email = cluster.create_customers(1).await.remove(0);

    let trace_id = uuid::Uuid::new_v4().simple().to_string();
    let callers_span_id = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    let answer = cluster
        .http
        .post(cluster.url(PORTAL_1, "/portal/request-link"))
        .header("traceparent", format!("00-{trace_id}-{callers_span_id}-01"))
        .json(&json!({ "identifier": email }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let text = text_of(&nth_mail_to(&cluster.sink, &email, 1).await);

    let names = CHAIN.map(|(_, name)| name);
    let found = otlp
        .wait_for(Duration::from_secs(20), |spans| {
            chain(spans, &trace_id, &callers_span_id, &names).is_ok()
        })
        .await
        .map(|spans| chain(&spans, &trace_id, &callers_span_id, &names));
    let found = match found {
        Some(Ok(found)) => found,
        _ => panic!(
            "{}",
            chain(&otlp.spans(), &trace_id, &callers_span_id, &names).unwrap_err()
        ),
    };
    let services: Vec<&str> = found.iter().map(|s| s.service.as_str()).collect();
    assert_eq!(services, CHAIN.map(|(service, _)| service));

    // Neither service puts the customer's address, code or link in a span.
    let (code, token) = (typed_code(&text), link_token(&text));
    let found = carrying(&otlp.spans(), &[&email, &code, &token]);
    assert!(found.is_none(), "{}", found.unwrap_or_default());
    cluster.cleanup().await;
}
