//! Issue 17: each of portal-auth's metrics moves when its event happens (docs/metrics.md). The
//! hub's own test scans the labels for personal data after a whole login.

use testkit::metrics::{Scrape, scrape};

use crate::helpers::{
    Backend, Bus, PATIENCE, TestApp, link_token, problem, spawn_app, spawn_app_with, typed_code,
};

const MARIE: &str = "marie.tremblay@example.ca";

async fn metrics(app: &TestApp) -> Scrape {
    scrape(&app.client, &app.address).await
}

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test]
async fn the_login_funnel_counts_each_step() {
    let app = spawn_app(Backend::Sqlite).await;
    let before = metrics(&app).await;
    for (name, label) in [
        ("portal_auth_link_requests_total", ("outcome", "admitted")),
        ("portal_auth_logins_total", ("method", "link")),
        ("portal_auth_links_sent_total", ("channel", "sms")),
    ] {
        assert!(before.has(name, &[label]), "{name} shows from the start");
        assert_eq!(before.value(name, &[label]), 0.0, "{name}");
    }

    let email = app.login_email(MARIE, MARIE).await;
    assert_eq!(
        app.request_link_for("nobody@example.com").await.status(),
        200
    );
    app.wait_until_idle().await;
    let code = typed_code(&email.text);
    problem(app.verify_code(MARIE, &wrong(&code)).await, 400).await;
    assert_eq!(app.verify_code(MARIE, &code).await.status(), 200);
    let link = link_token(&email.text);
    assert_eq!(
        app.get_with_token("/portal/me?via=link", &link)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.me(&link).await.status(),
        200,
        "a reload is no new sign-in"
    );
    assert_eq!(app.logout(&link, false).await.status(), 204);

    let m = metrics(&app).await;
    let v = |name: &str, labels: &[(&str, &str)]| m.value(name, labels);
    assert_eq!(
        v(
            "portal_auth_link_requests_total",
            &[("outcome", "admitted")]
        ),
        2.0
    );
    assert_eq!(
        v("portal_auth_link_lookups_total", &[("result", "matched")]),
        1.0
    );
    assert_eq!(
        v("portal_auth_link_lookups_total", &[("result", "unmatched")]),
        1.0
    );
    assert_eq!(
        v("portal_auth_links_sent_total", &[("channel", "email")]),
        1.0
    );
    let sms = app
        .envelopes()
        .iter()
        .filter(|e| e.subject == "notify.sms.send")
        .count();
    assert_eq!(
        v("portal_auth_links_sent_total", &[("channel", "sms")]),
        sms as f64
    );
    assert_eq!(v("portal_auth_code_failures_total", &[]), 1.0);
    assert_eq!(v("portal_auth_codes_verified_total", &[]), 1.0);
    assert_eq!(v("portal_auth_logins_total", &[("method", "code")]), 1.0);
    assert_eq!(v("portal_auth_logins_total", &[("method", "link")]), 1.0);
    assert_eq!(
        v("portal_auth_revocations_total", &[("scope", "token")]),
        1.0
    );
    assert_eq!(v("portal_auth_link_jobs_pending", &[]), 0.0);
    let erp = [("service", "portal-auth"), ("operation", "list")];
    assert!(v("erpnext_request_duration_seconds_count", &erp) >= 2.0);
    let published = v(
        "outbox_events_published_total",
        &[("service", "portal-auth")],
    );
    assert_eq!(
        published,
        (2 + sms) as f64,
        "Marie's email, SMS and fact; nothing for nobody"
    );
    assert_eq!(
        v("outbox_events_pending", &[("service", "portal-auth")]),
        0.0
    );
    assert_eq!(v("service_ready", &[]), 1.0);
    assert_eq!(v("readiness_check_ok", &[("check", "database")]), 1.0);
    assert!(m.has(
        "db_pool_connections",
        &[("service", "portal-auth"), ("state", "idle")]
    ));
}

/// Bad input tried: `?via=` with a value the portal never sends.
#[tokio::test]
async fn an_unknown_via_is_refused_and_counts_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let email = app.login_email(MARIE, MARIE).await;
    let link = link_token(&email.text);
    problem(app.get_with_token("/portal/me?via=email", &link).await, 400).await;
    let m = metrics(&app).await;
    assert_eq!(m.value("portal_auth_logins_total", &[]), 0.0);
}

#[tokio::test]
async fn a_refused_link_request_names_the_limit_that_refused_it() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Bus::InProcess,
        &[
            ("LINK_LIMIT_PER_IDENTIFIER", "1"),
            ("LINK_LIMIT_PER_IP", "2"),
        ],
    )
    .await;
    app.request_link_for(MARIE).await;
    problem(app.request_link_for(MARIE).await, 429).await;
    problem(app.request_link_for("emily.smith@example.com").await, 429).await;
    let m = metrics(&app).await;
    let v = |outcome: &str| m.value("portal_auth_link_requests_total", &[("outcome", outcome)]);
    assert_eq!(v("admitted"), 1.0);
    assert_eq!(v("limited_by_identifier"), 1.0);
    assert_eq!(v("limited_by_address"), 1.0);
}

#[tokio::test]
async fn an_unreachable_erpnext_shows_as_failed_lookups_and_waiting_jobs() {
    let closed = format!("http://127.0.0.1:{}", testkit::free_port());
    let app = spawn_app_with(Backend::Sqlite, Bus::InProcess, &[("ERP_URL", &closed)]).await;
    assert_eq!(app.request_link_for(MARIE).await.status(), 200);
    let m = testkit::poll_until(PATIENCE, || async {
        let m = metrics(&app).await;
        (m.value("portal_auth_link_lookups_total", &[("result", "failed")]) >= 1.0).then_some(m)
    })
    .await
    .expect("the failed look-up is counted");
    let errors = [("service", "portal-auth"), ("kind", "unavailable")];
    assert!(m.value("erpnext_request_errors_total", &errors) >= 1.0);
    assert_eq!(m.value("portal_auth_link_jobs_pending", &[]), 1.0);
    assert_eq!(m.value("readiness_check_ok", &[("check", "erp")]), 0.0);
    assert_eq!(
        m.value("service_ready", &[]),
        1.0,
        "ERPNext is not required to serve"
    );
}

#[tokio::test]
async fn an_impersonation_is_counted() {
    let app = spawn_app(Backend::Sqlite).await;
    let r = app.impersonate("CUST-2024-00007", "alice", "support").await;
    assert_eq!(r.status(), 200);
    let token: serde_json::Value = r.json().await.unwrap();
    let token = token["token"].as_str().unwrap();
    assert_eq!(
        app.get_with_token("/portal/me?via=link", token)
            .await
            .status(),
        200
    );
    let m = metrics(&app).await;
    assert_eq!(m.value("portal_auth_impersonations_total", &[]), 1.0);
    assert_eq!(
        m.value("portal_auth_logins_total", &[]),
        0.0,
        "staff opening a portal is no customer signing in"
    );
}
