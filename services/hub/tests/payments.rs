//! Issue 18: the real `hub` binary (embedded default) mounts payments: its paths in /openapi.json,
//! its database among /readyz's checks, and the Stripe stand-in it starts in-process, whose key is
//! `sk_test_sandbox` and whose webhook secret payments accepts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Value, json};
use testkit::{Proc, TempDir, free_port};

/// The documented secret the hub's stand-in signs its webhooks with (README, `hub --help`).
const SANDBOX_WEBHOOK_SECRET: &str = "whsec_sandbox_embedded";

async fn start_hub(dir: &TempDir, stripe_port: u16) -> Proc {
    let port = free_port();
    let sqlite = |name: &str| format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
    let origin = format!("http://127.0.0.1:{port}");
    let env: Vec<(String, String)> = [
        ("BIND", format!("127.0.0.1:{port}")),
        ("ERP_SANDBOX_BIND", format!("127.0.0.1:{}", free_port())),
        ("DATABASE_URL", sqlite("hub.db")),
        ("ERP_SANDBOX_DATABASE_URL", sqlite("erp.db")),
        ("STRIPE_SANDBOX_BIND", format!("127.0.0.1:{stripe_port}")),
        ("STRIPE_SANDBOX_DATABASE_URL", sqlite("stripe.db")),
        ("DOCUSEAL_SANDBOX_BIND", "127.0.0.1:0".to_owned()),
        ("DOCUSEAL_SANDBOX_DATABASE_URL", sqlite("docuseal.db")),
        (
            "JWT_KEYS_DIR",
            dir.path().join("keys").display().to_string(),
        ),
        ("SPA_DIR", dir.path().join("no-spa").display().to_string()),
        ("PORTAL_URL", origin.clone()),
        ("PUBLIC_URL", origin),
        ("RUST_LOG", "warn".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let program = std::path::PathBuf::from(env!("CARGO_BIN_EXE_hub"));
    let mut hub = Proc::spawn("hub", &program, &env, port, dir.path());
    hub.wait_ready("/readyz", Duration::from_secs(60)).await;
    hub
}

#[tokio::test]
async fn the_hub_serves_payments_with_the_stripe_stand_in_in_process() {
    let dir = TempDir::new();
    let stripe_port = free_port();
    let hub = start_hub(&dir, stripe_port).await;
    let http = reqwest::Client::new();

    let doc: Value = http
        .get(hub.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/payments/balance",
        "/payments/invoices",
        "/payments/pay-invoice/{name}",
        "/payments/return",
        "/webhook/stripe",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} in /openapi.json");
    }
    let ready: Value = http
        .get(hub.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["checks"]["payments-database"], "ok", "{ready}");

    // The stand-in answers on STRIPE_SANDBOX_BIND with the documented test key.
    let stripe = format!("http://127.0.0.1:{stripe_port}");
    let listed = http
        .get(format!("{stripe}/v1/payment_intents"))
        .bearer_auth("sk_test_sandbox")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);

    // payments accepts what the stand-in signs, and nothing signed otherwise.
    let body = serde_json::to_vec(&json!({
        "id": "evt_hub_wiring_test", "object": "event", "type": "customer.updated",
        "created": 1_765_000_000, "livemode": false, "api_version": "2025-03-31.basil",
        "data": {"object": {"id": "cus_x", "object": "customer"}},
    }))
    .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap();
    for (secret, status) in [(SANDBOX_WEBHOOK_SECRET, 200), ("whsec_someone_else", 400)] {
        let signature = payments::stripe::sign(&SecretString::from(secret), now, &body);
        let answer = http
            .post(hub.url("/webhook/stripe"))
            .header("Stripe-Signature", signature)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), status, "signed with {secret}");
    }
}
