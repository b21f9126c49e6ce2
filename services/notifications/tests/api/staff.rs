//! Who may read the outbox and the delivery log (issue 16, finding 5): staff vouched for by the
//! trusted proxy and in a group allowed to impersonate customers (`IMPERSONATION_GROUPS`) see
//! everything; the groups of `OUTBOX_READER_GROUPS` see links and codes masked; any other
//! Authentik user, and a loopback peer without Authentik in the services mode, see nothing.

use serde_json::Value;

use crate::helpers::{Backend, email, envelope, sms, spawn_app};

const PATHS: [&str; 3] = [
    "/notifications/log",
    "/notifications/outbox.json",
    "/notifications/outbox",
];

/// What Traefik forwards for an Authentik user of `groups`.
fn through_traefik<'a>(username: &'a str, groups: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("X-Forwarded-For", "203.0.113.7"),
        ("X-authentik-username", username),
        ("X-authentik-groups", groups),
    ]
}

/// Issue 16, finding 5: an Authentik user outside the staff groups reads neither the outbox nor
/// the log, with or without groups.
#[tokio::test]
async fn another_authentik_user_is_refused() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    for path in PATHS {
        for groups in ["employees|billing", ""] {
            let r = app.get_as(path, &through_traefik("mallory", groups)).await;
            assert_eq!(r.status(), 403, "{path} as {groups:?}");
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["code"], "NOTIF_01");
        }
        let support = app
            .get_as(path, &through_traefik("sophie", "employees|Support"))
            .await;
        assert_eq!(support.status(), 200, "{path}");
        let anonymous = app
            .get_as(path, &[("X-Forwarded-For", "203.0.113.7")])
            .await;
        assert_eq!(anonymous.status(), 403, "{path}");
    }
    app.cleanup().await;
}

/// Issue 16, finding 5: in the services mode a loopback peer that forwards nothing (a same-host
/// proxy that adds no header) is not staff; the shortcut is `LOOPBACK_IS_STAFF`, which the hub's
/// embedded default turns on.
#[tokio::test]
async fn a_loopback_peer_without_the_header_is_not_staff_in_the_services_mode() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    for path in PATHS {
        assert_eq!(app.get_as(path, &[]).await.status(), 403, "{path}");
    }
    app.cleanup().await;

    let embedded = spawn_app(Backend::Sqlite, &[("LOOPBACK_IS_STAFF", "true")]).await;
    for path in PATHS {
        assert_eq!(embedded.get_as(path, &[]).await.status(), 200, "{path}");
        let forwarded = embedded
            .get_as(path, &[("X-Forwarded-For", "203.0.113.7")])
            .await;
        assert_eq!(forwarded.status(), 403, "{path}: forwarded is not local");
    }
    embedded.cleanup().await;
}

#[tokio::test]
async fn staff_headers_from_an_untrusted_proxy_are_not_believed() {
    // 127.0.0.1 is no longer a trusted proxy: its staff headers mean nothing.
    let app = spawn_app(Backend::Sqlite, &[("TRUSTED_PROXIES", "10.0.0.1")]).await;
    for path in PATHS {
        let r = app
            .get_as(path, &through_traefik("sophie", "support"))
            .await;
        assert_eq!(r.status(), 403, "{path}");
    }
    app.cleanup().await;
}

/// Issue 16, finding 5: the groups of `OUTBOX_READER_GROUPS` read the outbox and the log, but
/// links keep only their origin, codes are hidden, and the rendered HTML is not shown.
#[tokio::test]
async fn outbox_readers_see_links_and_codes_masked() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOX_READER_GROUPS", "billing")]).await;
    let mail = envelope(&email("marie@example.ca"));
    app.publish(&mail).await;
    app.publish(&envelope(&sms("+15145550147"))).await;
    let billing = through_traefik("bruno", "employees|billing");

    let r = app.get_as("/notifications/outbox.json", &billing).await;
    assert_eq!(r.status(), 200);
    let raw = r.text().await.unwrap();
    assert!(
        !raw.contains("/l/abc"),
        "a link in the masked outbox: {raw}"
    );
    assert!(
        !raw.contains("123456"),
        "a code in the masked outbox: {raw}"
    );
    assert!(raw.contains("https://portail.example.ca/…"), "{raw}");
    assert!(raw.contains("votre code est ••••••"), "{raw}");

    let page = app.get_as("/notifications/outbox", &billing).await;
    let page = page.text().await.unwrap();
    assert!(
        !page.contains("123456") && page.contains("••••••"),
        "{page}"
    );
    let message = app
        .get_as(&format!("/notifications/outbox/{}", mail.id), &billing)
        .await;
    let message = message.text().await.unwrap();
    assert!(
        !message.contains("/l/abc") && !message.contains("<iframe"),
        "{message}"
    );
    let html = app
        .get_as(&format!("/notifications/outbox/{}/html", mail.id), &billing)
        .await;
    assert_eq!(html.status(), 403);
    assert_eq!(
        app.get_as("/notifications/log", &billing).await.status(),
        200
    );

    // Support, who may impersonate the customer anyway, sees the message whole.
    let support = app.outbox_json("marie@example.ca").await;
    assert_eq!(
        support[0]["text"],
        "Bonjour, voici votre lien : https://portail.example.ca/l/abc"
    );
    app.cleanup().await;
}
