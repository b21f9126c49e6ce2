//! The customer's routes: balance, invoices, PDF, and the refusals of paying (nothing outstanding,
//! cancelled, Klarna for a company, another customer's invoice). Bad input tried: no token, a forged
//! token, another customer's invoice name, an unknown one, a name with path characters, page 0,
//! per_page 500 and "abc", an unknown JSON field, a method that does not exist, a body that is not
//! JSON.

use serde_json::{Value, json};

use crate::helpers::{
    Backend, COMPANY, MARIE, MARIE_PAID, MARIE_UNPAID, SOPHIE, Stack, assert_problem,
};

async fn balance_and_invoices(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let sophie = stack.token(SOPHIE).await;
    let answer = stack.get("/payments/balance", Some(&sophie)).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let balance: Value = answer.json().await.unwrap();
    assert_eq!(balance["currency"], "CAD");
    assert_eq!(balance["overdue"], true);
    assert_eq!(
        balance["invoices"],
        json!(["ACC-SINV-2026-00008", "ACC-SINV-2026-00009"])
    );
    let page: Value = stack
        .get("/payments/invoices?per_page=2", Some(&sophie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["has_more"], true);
    let invoices = page["invoices"].as_array().unwrap();
    assert_eq!(invoices[0]["name"], "ACC-SINV-2026-00009");
    assert_eq!(invoices[0]["status"], "unpaid");
    assert_eq!(invoices[1]["status"], "overdue");
    let owed: i64 = invoices
        .iter()
        .map(|i| i["outstanding_cents"].as_i64().unwrap())
        .sum();
    assert_eq!(balance["balance_cents"].as_i64().unwrap(), owed);
    let taxes = invoices[0]["taxes"].as_array().unwrap();
    assert_eq!(taxes[0]["label"], "TPS");
    assert_eq!(
        (taxes[1]["label"].as_str(), taxes[1]["rate"].as_f64()),
        (Some("TVQ"), Some(9.975))
    );
    let last: Value = stack
        .get("/payments/invoices?per_page=2&page=2", Some(&sophie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(last["has_more"], false);
    assert_eq!(last["invoices"][0]["status"], "paid");
    stack.cleanup().await;
}

#[tokio::test]
async fn balance_and_invoices_on_sqlite() {
    balance_and_invoices(Backend::Sqlite).await;
}

#[tokio::test]
async fn balance_and_invoices_on_postgres() {
    balance_and_invoices(Backend::Postgres).await;
}

#[tokio::test]
async fn the_pdf_is_the_customers_own_only() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = stack.token(MARIE).await;
    let pdf = stack
        .get(
            &format!("/payments/invoices/{MARIE_UNPAID}/pdf"),
            Some(&marie),
        )
        .await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    let sophie = stack.token(SOPHIE).await;
    for name in [MARIE_UNPAID, "ACC-SINV-2026-99999", "..%2F..%2Fetc"] {
        let answer = stack
            .get(&format!("/payments/invoices/{name}/pdf"), Some(&sophie))
            .await;
        assert_problem(answer, 404, "PAY_14").await;
    }
}

#[tokio::test]
async fn without_a_valid_token_nothing_is_shown() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = stack.token(MARIE).await;
    let forged = format!("{}x", &marie[..marie.len() - 1]);
    for token in [None, Some("not-a-jwt"), Some(forged.as_str())] {
        for path in ["/payments/balance", "/payments/invoices"] {
            assert_problem(stack.get(path, token).await, 401, "PAY_03").await;
        }
        let pay = stack
            .post(
                &format!("/payments/pay-invoice/{MARIE_UNPAID}"),
                token,
                Some(json!({})),
            )
            .await;
        assert_problem(pay, 401, "PAY_03").await;
        assert_problem(
            stack.post("/payments/pay-balance", token, None).await,
            401,
            "PAY_03",
        )
        .await;
    }
}

#[tokio::test]
async fn bad_pages_and_bodies_are_refused() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = stack.token(MARIE).await;
    for query in ["page=0", "per_page=500", "per_page=0"] {
        let answer = stack
            .get(&format!("/payments/invoices?{query}"), Some(&marie))
            .await;
        assert_problem(answer, 422, "PAY_04").await;
    }
    let answer = stack.get("/payments/invoices?page=abc", Some(&marie)).await;
    assert_problem(answer, 400, "REQ_05").await;
    let path = format!("/payments/pay-invoice/{MARIE_UNPAID}");
    for body in [
        json!({"method": "bitcoin"}),
        json!({"method": "card", "amount": 1}),
    ] {
        let answer = stack.post(&path, Some(&marie), Some(body)).await;
        assert_eq!(answer.status(), 422);
    }
    let answer = stack
        .http
        .post(format!("{}{path}", stack.payments))
        .bearer_auth(&marie)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let answer = stack.post(&path, Some(&marie), None).await;
    assert!(
        matches!(answer.status().as_u16(), 400 | 415),
        "{}",
        answer.status()
    );
}

#[tokio::test]
async fn what_cannot_be_paid_is_refused_with_its_reason() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = stack.token(MARIE).await;
    let paid = stack
        .post(
            &format!("/payments/pay-invoice/{MARIE_PAID}"),
            Some(&marie),
            Some(json!({})),
        )
        .await;
    assert_problem(paid, 409, "PAY_10").await;
    let sophie = stack.token(SOPHIE).await;
    let others = stack
        .post(
            &format!("/payments/pay-invoice/{MARIE_UNPAID}"),
            Some(&sophie),
            Some(json!({})),
        )
        .await;
    assert_problem(others, 404, "PAY_14").await;
    let company = stack.token(COMPANY).await;
    let balance: Value = stack
        .get("/payments/balance", Some(&company))
        .await
        .json()
        .await
        .unwrap();
    let invoice = balance["invoices"][0].as_str().unwrap().to_owned();
    let klarna = stack
        .post(
            &format!("/payments/pay-invoice/{invoice}"),
            Some(&company),
            Some(json!({"method": "klarna"})),
        )
        .await;
    assert_problem(klarna, 422, "PAY_12").await;
}

#[tokio::test]
async fn a_second_click_gets_the_same_checkout() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = stack.token(MARIE).await;
    let first = stack.checkout_url(&marie, MARIE_UNPAID, "card").await;
    let again = stack.checkout_url(&marie, MARIE_UNPAID, "card").await;
    assert_eq!(first, again);
    let klarna = stack.checkout_url(&marie, MARIE_UNPAID, "klarna").await;
    assert_ne!(first, klarna);
    let balance = stack
        .post("/payments/pay-balance", Some(&marie), None)
        .await;
    assert_eq!(balance.status(), 200);
}
