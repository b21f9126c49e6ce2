//! Rate limits: per identifier, per client address, shared by replicas, kept across restarts.

use crate::helpers::{Backend, Bus, problem, spawn_app, spawn_app_with};
use crate::on_both_backends;

async fn the_fourth_request_for_one_identifier_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    for _ in 0..3 {
        assert_eq!(
            app.request_link_for("nobody@example.ca").await.status(),
            200
        );
    }
    // Same identifier written differently: the limit is on the normalised form.
    let refused = app.request_link_for("  NOBODY@example.ca ").await;
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body = problem(refused, 429).await;
    assert!(retry_after > 0 && retry_after <= 900);
    assert_eq!(body["retry_after_s"], retry_after);
    assert_eq!(
        app.request_link_for("somebody@example.ca").await.status(),
        200
    );
    app.cleanup().await;
}
on_both_backends!(
    the_fourth_request_for_one_identifier_is_refused_,
    the_fourth_request_for_one_identifier_is_refused
);

#[tokio::test]
async fn the_per_address_limit_refuses_the_request_over_it() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Bus::InProcess,
        &[("LINK_LIMIT_PER_IP", "5")],
    )
    .await;
    for i in 0..5 {
        let r = app.request_link_for(&format!("client{i}@example.ca")).await;
        assert_eq!(r.status(), 200);
    }
    problem(app.request_link_for("client5@example.ca").await, 429).await;
}

#[tokio::test]
async fn clients_behind_the_trusted_proxy_are_limited_each_on_their_own_address() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Bus::InProcess,
        &[("LINK_LIMIT_PER_IP", "2")],
    )
    .await;
    let from = |ip: &'static str, n: usize| {
        app.client
            .post(app.url("/portal/request-link"))
            .header("X-Forwarded-For", ip)
            .json(&serde_json::json!({ "identifier": format!("c{n}-{ip}@example.ca") }))
            .send()
    };
    assert_eq!(from("203.0.113.7", 0).await.unwrap().status(), 200);
    assert_eq!(from("203.0.113.7", 1).await.unwrap().status(), 200);
    assert_eq!(from("203.0.113.7", 2).await.unwrap().status(), 429);
    assert_eq!(from("198.51.100.9", 3).await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_fourth_request_overall_across_two_instances_is_refused() {
    let first = spawn_app(Backend::Postgres).await;
    let second = first.sibling().await;
    assert_eq!(
        first.request_link_for("quatre@example.ca").await.status(),
        200
    );
    assert_eq!(
        first.request_link_for("quatre@example.ca").await.status(),
        200
    );
    assert_eq!(
        second.request_link_for("quatre@example.ca").await.status(),
        200
    );
    problem(second.request_link_for("quatre@example.ca").await, 429).await;
    drop(second);
    first.cleanup().await;
}

#[tokio::test]
async fn the_limit_survives_a_restart_on_sqlite() {
    let before = spawn_app(Backend::Sqlite).await;
    for _ in 0..3 {
        assert_eq!(
            before.request_link_for("restart@example.ca").await.status(),
            200
        );
    }
    // A new instance on the same file starts with no memory of its own: only the database knows.
    let after = before.sibling().await;
    problem(after.request_link_for("restart@example.ca").await, 429).await;
}
