//! Support staff open a customer's portal through the trusted proxy only; each time is recorded in
//! the impersonation audit, which the same staff read a page at a time.

use serde_json::Value;

use crate::helpers::{Backend, Bus, claims_of, problem, spawn_app, spawn_app_with};
use crate::on_both_backends;

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

/// Issue 16, finding 7: every impersonation leaves a durable row (staff, groups, customer, reason,
/// time, client address, token id), listed newest first, a page at a time, per customer.
async fn each_impersonation_is_recorded_and_listed_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut tokens = Vec::new();
    for (customer, staff) in [
        ("CUST-2024-00007", "alice"),
        ("CUST-2024-00001", "bob"),
        ("CUST-2024-00007", "carol"),
    ] {
        let r = app.impersonate(customer, staff, "employees|support").await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        tokens.push(claims_of(body["token"].as_str().unwrap()));
    }

    let r = app.impersonations("limit=2", "dave", "admin").await;
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let newest = &entries[0];
    assert_eq!(newest["staff"], "carol");
    assert_eq!(
        newest["staff_groups"],
        serde_json::json!(["employees", "support"])
    );
    assert_eq!(newest["customer"], "CUST-2024-00007");
    assert_eq!(newest["reason"], "ticket 42");
    assert_eq!(newest["client_ip"], "127.0.0.1");
    assert_eq!(newest["token_id"], tokens[2]["jti"]);
    assert!(chrono::DateTime::parse_from_rfc3339(newest["at"].as_str().unwrap()).is_ok());
    assert_eq!(entries[1]["staff"], "bob");

    let before = page["next_before"].as_i64().unwrap();
    let last: Value = app
        .impersonations(&format!("limit=2&before={before}"), "dave", "admin")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(last["entries"].as_array().unwrap().len(), 1);
    assert_eq!(last["entries"][0]["staff"], "alice");
    assert_eq!(last["entries"][0]["token_id"], tokens[0]["jti"]);
    assert!(last["next_before"].is_null());

    let one: Value = app
        .impersonations("customer=CUST-2024-00001", "dave", "admin")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["entries"].as_array().unwrap().len(), 1);
    assert_eq!(one["entries"][0]["staff"], "bob");
    app.cleanup().await;
}
on_both_backends!(
    each_impersonation_is_recorded_and_listed_newest_first,
    each_impersonation_is_recorded_and_listed_newest_first
);

/// Issue 16, finding 7: the audit is for the staff groups that may impersonate, through the proxy.
#[tokio::test]
async fn the_audit_listing_is_for_impersonating_staff_only() {
    let app = spawn_app(Backend::Sqlite).await;
    problem(app.impersonations("", "mallory", "billing").await, 403).await;
    problem(app.impersonations("", "", "support").await, 403).await;
    let anonymous = app.get("/portal/impersonations").await;
    problem(anonymous, 403).await;
    for bad in ["limit=0", "limit=201", "limit=ten", "before=0", "before=x"] {
        problem(app.impersonations(bad, "alice", "support").await, 400).await;
    }
    let untrusted = spawn_app_with(
        Backend::Sqlite,
        Bus::InProcess,
        &[("TRUSTED_PROXIES", "10.9.9.9")],
    )
    .await;
    problem(untrusted.impersonations("", "alice", "support").await, 403).await;
}

/// A refused impersonation mints nothing and records nothing.
#[tokio::test]
async fn a_refused_impersonation_leaves_no_audit_row() {
    let app = spawn_app(Backend::Sqlite).await;
    problem(
        app.impersonate("CUST-2024-00007", "mallory", "billing")
            .await,
        403,
    )
    .await;
    problem(
        app.impersonate("CUST-1999-00001", "alice", "support").await,
        404,
    )
    .await;
    let page: Value = app
        .impersonations("", "alice", "support")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["entries"], serde_json::json!([]));
}
