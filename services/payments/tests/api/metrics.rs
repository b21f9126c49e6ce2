//! payments' metrics at /metrics: the webhook's outcomes, the events processed, the checkouts, the
//! inbox's backlog; no label names a customer or an invoice.

use serde_json::json;
use testkit::metrics::scrape;

use crate::helpers::{Backend, MARIE, MARIE_UNPAID, Stack};

#[tokio::test]
async fn a_payment_shows_in_the_metrics_without_naming_anyone() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = stack.token(MARIE).await;
    stack.paid_invoice(&marie, MARIE_UNPAID).await;
    let forged = stack
        .http
        .post(format!("{}/webhook/stripe", stack.payments))
        .header("Stripe-Signature", "t=1,v1=00")
        .body(json!({"id": "evt_x"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let m = scrape(&stack.http, &stack.payments).await;
    assert_eq!(
        m.value("payments_checkouts_total", &[("kind", "invoice")]),
        1.0
    );
    assert!(m.value("payments_webhook_events_total", &[("outcome", "recorded")]) >= 2.0);
    assert_eq!(
        m.value("payments_webhook_events_total", &[("outcome", "refused")]),
        1.0
    );
    assert_eq!(
        m.value("payments_events_processed_total", &[("result", "booked")]),
        1.0
    );
    assert_eq!(
        m.value(
            "payments_events_processed_total",
            &[("result", "needs_a_person")]
        ),
        0.0
    );
    assert_eq!(m.value("payments_inbox_oldest_event_age_seconds", &[]), 0.0);
    let text = stack
        .http
        .get(format!("{}/metrics", stack.payments))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for private in [MARIE, MARIE_UNPAID, "pi_", "cus_"] {
        assert!(!text.contains(private), "{private} in /metrics");
    }
}
