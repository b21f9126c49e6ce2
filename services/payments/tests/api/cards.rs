//! Saved cards: saved on Stripe's setup page and back logged in, listed, made the default, removed;
//! the Billing Portal. Bad input tried: another customer's card (default and remove), a card id with
//! path characters, one that does not exist, no token.

use serde_json::Value;

use crate::helpers::{Backend, MARIE, PORTAL_URL, SOPHIE, Stack, assert_problem};

async fn save_a_card(stack: &Stack, token: &str, number: &str) {
    let answer = stack.post("/payments/save-card", Some(token), None).await;
    assert_eq!(answer.status(), 200);
    let url = answer.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let saved = stack.pay_on_page(&url, number).await;
    assert_eq!(saved.status(), 303);
    let back = saved.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        back.contains("/payments/return?status=card-added&session_id=cs_"),
        "{back}"
    );
    let landed = stack.http.get(&back).send().await.unwrap();
    let location = landed.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{PORTAL_URL}/#/carte-ajoutee?token=")),
        "{location}"
    );
}

async fn cards(stack: &Stack, token: &str) -> Vec<Value> {
    let answer = stack.get("/payments/methods", Some(token)).await;
    assert_eq!(answer.status(), 200);
    answer.json::<Value>().await.unwrap()["methods"]
        .as_array()
        .unwrap()
        .clone()
}

async fn saved_cards(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let marie = stack.token(MARIE).await;
    assert!(cards(&stack, &marie).await.is_empty());
    save_a_card(&stack, &marie, "4242 4242 4242 4242").await;
    save_a_card(&stack, &marie, "4000 0000 0000 0341").await;
    let saved = cards(&stack, &marie).await;
    assert_eq!(saved.len(), 2);
    assert!(saved.iter().all(|c| c["default"] == false));
    let visa = saved.iter().find(|c| c["last4"] == "4242").unwrap();
    let id = visa["id"].as_str().unwrap().to_owned();
    assert_eq!(visa["brand"], "visa");
    let made = stack
        .post(
            &format!("/payments/methods/{id}/default"),
            Some(&marie),
            None,
        )
        .await;
    assert_eq!(made.status(), 204);
    let saved = cards(&stack, &marie).await;
    let default: Vec<&Value> = saved.iter().filter(|c| c["default"] == true).collect();
    assert_eq!(default.len(), 1);
    assert_eq!(default[0]["id"], id.as_str());

    let sophie = stack.token(SOPHIE).await;
    for path in [
        format!("/payments/methods/{id}/default"),
        "/payments/methods/pm_nope/default".into(),
    ] {
        assert_problem(stack.post(&path, Some(&sophie), None).await, 404, "PAY_14").await;
    }
    let delete = |token: &str, card: &str| {
        stack
            .http
            .delete(format!("{}/payments/methods/{card}", stack.payments))
            .bearer_auth(token)
            .send()
    };
    assert_problem(delete(&sophie, &id).await.unwrap(), 404, "PAY_14").await;
    assert_problem(delete(&marie, "pm_..%2Fx").await.unwrap(), 404, "PAY_14").await;
    assert_eq!(cards(&stack, &marie).await.len(), 2);
    assert_eq!(delete(&marie, &id).await.unwrap().status(), 204);
    let left = cards(&stack, &marie).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["last4"], "0341");
    stack.cleanup().await;
}

#[tokio::test]
async fn saved_cards_on_sqlite() {
    saved_cards(Backend::Sqlite).await;
}

#[tokio::test]
async fn saved_cards_on_postgres() {
    saved_cards(Backend::Postgres).await;
}

#[tokio::test]
async fn the_billing_portal_opens_on_the_customers_cards() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = stack.token(MARIE).await;
    let answer = stack
        .post("/payments/billing-portal", Some(&marie), None)
        .await;
    assert_eq!(answer.status(), 200);
    let url = answer.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(url.starts_with(&stack.stripe), "{url}");
    let page = stack.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains(&format!("{PORTAL_URL}/#/compte"))
    );
    assert_problem(
        stack.post("/payments/billing-portal", None, None).await,
        401,
        "PAY_03",
    )
    .await;
}
