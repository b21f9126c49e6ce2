//! The typed 6-digit code: once, for the same token as the link; five wrong guesses burn it.

use serde_json::Value;

use crate::helpers::{Backend, TestApp, claims_of, link_token, problem, spawn_app, typed_code};
use crate::on_both_backends;

const MARIE: &str = "marie.tremblay@example.ca";

/// The code and link token sent to Marie by email.
async fn codes_for_marie(app: &TestApp) -> (String, String) {
    let email = app.login_email(MARIE, MARIE).await;
    (typed_code(&email.text), link_token(&email.text))
}

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

async fn the_right_code_gives_the_link_token_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (code, link) = codes_for_marie(&app).await;
    let r = app.verify_code(MARIE, &code).await;
    assert_eq!(r.status(), 200);
    let token: Value = r.json().await.unwrap();
    let token = token["token"].as_str().unwrap();
    assert_eq!(claims_of(token)["jti"], claims_of(&link)["jti"]);
    assert_eq!(app.auth_verify(token).await.status(), 200);
    problem(app.verify_code(MARIE, &code).await, 400).await;
    app.cleanup().await;
}
on_both_backends!(
    the_right_code_gives_the_link_token_once_,
    the_right_code_gives_the_link_token_once
);

async fn five_wrong_codes_burn_the_right_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let (code, _) = codes_for_marie(&app).await;
    for _ in 0..5 {
        problem(app.verify_code(MARIE, &wrong(&code)).await, 400).await;
    }
    problem(app.verify_code(MARIE, &code).await, 400).await;
    app.cleanup().await;
}
on_both_backends!(
    five_wrong_codes_burn_the_right_one_,
    five_wrong_codes_burn_the_right_one
);

#[tokio::test]
async fn four_wrong_codes_leave_the_right_one_usable() {
    let app = spawn_app(Backend::Sqlite).await;
    let (code, _) = codes_for_marie(&app).await;
    for _ in 0..4 {
        problem(app.verify_code(MARIE, &wrong(&code)).await, 400).await;
    }
    assert_eq!(app.verify_code(MARIE, &code).await.status(), 200);
}

#[tokio::test]
async fn the_code_works_with_the_identifier_written_differently() {
    let app = spawn_app(Backend::Sqlite).await;
    let (code, _) = codes_for_marie(&app).await;
    assert_eq!(
        app.verify_code("  Marie.Tremblay@EXAMPLE.ca ", &code)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_code_of_another_identifier_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let (code, _) = codes_for_marie(&app).await;
    problem(app.verify_code("emily.smith@example.com", &code).await, 400).await;
    assert_eq!(app.verify_code(MARIE, &code).await.status(), 200);
}

#[tokio::test]
async fn an_unknown_identifier_and_a_wrong_code_get_identical_answers() {
    let app = spawn_app(Backend::Sqlite).await;
    let (code, _) = codes_for_marie(&app).await;
    let unknown = app.verify_code("nobody@example.ca", "123456").await;
    let wrong_code = app.verify_code(MARIE, &wrong(&code)).await;
    assert_eq!(unknown.status(), wrong_code.status());
    let names = |r: &reqwest::Response| {
        let mut v: Vec<_> = r
            .headers()
            .keys()
            .map(|k| k.as_str().to_owned())
            .filter(|k| k != "date")
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&unknown), names(&wrong_code));
    assert_eq!(
        unknown.bytes().await.unwrap(),
        wrong_code.bytes().await.unwrap()
    );
}

#[tokio::test]
async fn a_code_after_logout_everywhere_gives_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let (code, link) = codes_for_marie(&app).await;
    assert_eq!(app.logout(&link, true).await.status(), 204);
    problem(app.verify_code(MARIE, &code).await, 400).await;
}
