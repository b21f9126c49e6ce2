//! The repair: payments Stripe received whose events never reached us are booked anyway, once.
//! Bad input tried: no staff identity, a staff group that may not act, days 0 and 31, days "x".

use std::time::Duration;

use serde_json::Value;
use shared::events::EmailSend;

use crate::helpers::{Backend, MARIE, MARIE_UNPAID, Stack, assert_problem};

async fn lost_events_are_repaired(backend: Backend) {
    let stack = Stack::spawn_without_webhooks(backend).await;
    let marie = stack.token(MARIE).await;
    let url = stack.checkout_url(&marie, MARIE_UNPAID, "card").await;
    assert_eq!(
        stack.pay_on_page(&url, "4242424242424242").await.status(),
        303
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let invoice: Value = stack
        .erp
        .client()
        .get("Sales Invoice", MARIE_UNPAID)
        .await
        .unwrap();
    assert_ne!(
        invoice["status"], "Paid",
        "no event came: nothing booked yet"
    );

    let answer = stack
        .post_as_staff("/payments/repair?days=1", "agent.roy", "billing", None)
        .await;
    assert_eq!(answer.status(), 200);
    let found: Value = answer.json().await.unwrap();
    assert_eq!(
        (found["checked"].as_u64(), found["booked"].as_u64()),
        (Some(1), Some(1)),
        "{found}"
    );
    stack.wait_paid(MARIE_UNPAID).await;
    let again: Value = stack
        .post_as_staff("/payments/repair", "agent.roy", "billing", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (again["checked"].as_u64(), again["booked"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(stack.sent::<EmailSend>(1).await.len(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(stack.sent::<EmailSend>(1).await.len(), 1, "one receipt");
    stack.cleanup().await;
}

#[tokio::test]
async fn lost_events_are_repaired_on_sqlite() {
    lost_events_are_repaired(Backend::Sqlite).await;
}

#[tokio::test]
async fn lost_events_are_repaired_on_postgres() {
    lost_events_are_repaired(Backend::Postgres).await;
}

#[tokio::test]
async fn only_payments_staff_repair() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let anonymous = stack.post("/payments/repair", None, None).await;
    assert_problem(anonymous, 403, "PAY_06").await;
    let technician = stack
        .post_as_staff("/payments/repair", "tech.1", "technicians", None)
        .await;
    assert_problem(technician, 403, "PAY_06").await;
    for days in ["0", "31"] {
        let answer = stack
            .post_as_staff(
                &format!("/payments/repair?days={days}"),
                "agent.roy",
                "billing",
                None,
            )
            .await;
        assert_problem(answer, 422, "PAY_04").await;
    }
    let answer = stack
        .post_as_staff("/payments/repair?days=x", "agent.roy", "billing", None)
        .await;
    assert_problem(answer, 400, "REQ_05").await;
}
