//! Support staff open a customer's portal through the trusted proxy only.

use serde_json::Value;

use crate::helpers::{Backend, Bus, claims_of, problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn support_staff_from_the_trusted_proxy_get_a_one_hour_token() {
    let app = spawn_app(Backend::Sqlite).await;
    let r = app.impersonate("CUST-2024-00007", "alice", "support").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    let claims = claims_of(token);
    assert_eq!(claims["act"]["sub"], "alice");
    assert_eq!(claims["sub"], "CUST-2024-00007");
    let ttl = claims["exp"].as_i64().unwrap() - chrono::Utc::now().timestamp();
    assert!((3590..=3600).contains(&ttl), "ttl {ttl}");
    assert!(
        body["url"]
            .as_str()
            .unwrap()
            .starts_with("https://portail.example.ca/#/?token=")
    );
    let me: Value = app.me(token).await.json().await.unwrap();
    assert_eq!(me["impersonated_by"], "alice");
    assert_eq!(me["customer"], "CUST-2024-00007");
}

#[tokio::test]
async fn groups_in_authentik_format_are_understood() {
    let app = spawn_app(Backend::Sqlite).await;
    let r = app
        .impersonate("CUST-2024-00007", "bob", "employees|support")
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn staff_headers_from_an_untrusted_peer_are_refused() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Bus::InProcess,
        &[("TRUSTED_PROXIES", "10.9.9.9")],
    )
    .await;
    problem(
        app.impersonate("CUST-2024-00007", "alice", "support").await,
        403,
    )
    .await;
}

#[tokio::test]
async fn a_staff_member_outside_the_allowed_groups_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    problem(
        app.impersonate("CUST-2024-00007", "mallory", "billing")
            .await,
        403,
    )
    .await;
    problem(app.impersonate("CUST-2024-00007", "", "support").await, 403).await;
}

#[tokio::test]
async fn an_unknown_or_disabled_customer_is_not_found() {
    let app = spawn_app(Backend::Sqlite).await;
    problem(
        app.impersonate("CUST-1999-00001", "alice", "support").await,
        404,
    )
    .await;
    problem(
        app.impersonate("CUST-2024-00012", "alice", "support").await,
        404,
    )
    .await;
}
