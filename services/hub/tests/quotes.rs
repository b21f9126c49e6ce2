//! Issue 19: the real `hub` binary (embedded default) mounts quotation-signing with the DocuSeal
//! stand-in in-process: a quote sent from this machine without staff headers (`LOOPBACK_IS_STAFF`),
//! signed on the stand-in's page, its webhook accepted with the secret made at start, and the
//! Sales Order made in the erp-sandbox; a click quote accepted with a customer token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::{Value, json};
use testkit::{Proc, TempDir, free_port, poll_until};

/// The erp-sandbox's documented dev-only credentials.
const ERP_TOKEN: &str = "token sandbox-key:sandbox-secret";

struct Hub {
    proc: Proc,
    erp: String,
    origin: String,
}

async fn start_hub(dir: &TempDir) -> Hub {
    let port = free_port();
    let erp_port = free_port();
    let sqlite = |name: &str| format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
    let origin = format!("http://127.0.0.1:{port}");
    let env: Vec<(String, String)> = [
        ("BIND", format!("127.0.0.1:{port}")),
        ("ERP_SANDBOX_BIND", format!("127.0.0.1:{erp_port}")),
        ("DATABASE_URL", sqlite("hub.db")),
        ("ERP_SANDBOX_DATABASE_URL", sqlite("erp.db")),
        ("STRIPE_SANDBOX_BIND", "127.0.0.1:0".to_owned()),
        ("STRIPE_SANDBOX_DATABASE_URL", sqlite("stripe.db")),
        ("DOCUSEAL_SANDBOX_BIND", "127.0.0.1:0".to_owned()),
        ("DOCUSEAL_SANDBOX_DATABASE_URL", sqlite("docuseal.db")),
        (
            "JWT_KEYS_DIR",
            dir.path().join("keys").display().to_string(),
        ),
        ("SPA_DIR", dir.path().join("no-spa").display().to_string()),
        ("PUBLIC_URL", origin.clone()),
        ("RUST_LOG", "warn".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let program = std::path::PathBuf::from(env!("CARGO_BIN_EXE_hub"));
    let mut proc = Proc::spawn("hub", &program, &env, port, dir.path());
    proc.wait_ready("/readyz", Duration::from_secs(60)).await;
    Hub {
        proc,
        erp: format!("http://127.0.0.1:{erp_port}"),
        origin,
    }
}

async fn json(answer: reqwest::Response) -> (u16, Value) {
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// The quote's status as staff (this machine) reads it, once `status` is reached (30 s at most).
async fn status_once(http: &reqwest::Client, hub: &Hub, quotation: &str, status: &str) -> Value {
    let url = hub.proc.url(&format!("/accept/{quotation}/status"));
    poll_until(Duration::from_secs(30), || async {
        let (code, body) = json(http.get(&url).send().await.ok()?).await;
        (code == 200 && body["status"] == status).then_some(body)
    })
    .await
    .unwrap_or_else(|| panic!("{quotation} not {status} within 30 s"))
}

/// The Sales Order as the erp-sandbox has it.
async fn sales_order(http: &reqwest::Client, hub: &Hub, name: &str) -> Value {
    let answer = http
        .get(format!("{}/api/resource/Sales Order/{name}", hub.erp))
        .header("Authorization", ERP_TOKEN)
        .send()
        .await
        .unwrap();
    let (code, body) = json(answer).await;
    assert_eq!(code, 200, "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn a_quote_signed_on_the_docuseal_stand_in_becomes_a_sales_order() {
    let dir = TempDir::new();
    let hub = start_hub(&dir).await;
    let http = reqwest::Client::new();

    let doc: Value = http
        .get(hub.proc.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/accept/generate",
        "/accept/quotes",
        "/accept/confirm",
        "/accept/docuseal-webhook",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} in /openapi.json");
    }
    let (_, ready) = json(http.get(hub.proc.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(
        ready["checks"]["quotation-signing-database"], "ok",
        "{ready}"
    );

    // Sent from this machine with no staff header: the hub's LOOPBACK_IS_STAFF.
    let (code, sent) = json(
        http.post(hub.proc.url("/accept/generate"))
            .json(&json!({"quotation": "SAL-QTN-2026-00001"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200, "{sent}");
    assert_eq!(sent["quote_type"], "signature");
    let page = sent["url"].as_str().unwrap().to_owned();
    assert!(page.contains("/s/"), "the stand-in's signing page: {page}");
    assert!(
        !page.starts_with(&hub.origin),
        "on the stand-in's own origin"
    );

    // Signed on the stand-in's page: back to the portal's quotes page, on the hub's origin.
    let signed = docuseal_sandbox::fixtures::sign(&page, "Marie Tremblay")
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let back = signed.headers()["location"].to_str().unwrap();
    assert_eq!(back, format!("{}/#/soumissions", hub.origin));

    // The webhook came with the secret made at start; the acceptor made the Sales Order.
    let accepted = status_once(&http, &hub, "SAL-QTN-2026-00001", "accepted").await;
    assert_eq!(accepted["acceptance"]["method"], "signature", "{accepted}");
    let order = accepted["sales_order"].as_str().unwrap();
    let order = sales_order(&http, &hub, order).await;
    assert_eq!(order["docstatus"], 1);
    assert_eq!(order["customer"], "CUST-2024-00001");
    assert_eq!(order["items"][0]["prevdoc_docname"], "SAL-QTN-2026-00001");
}

#[tokio::test]
async fn a_click_quote_is_accepted_with_the_customers_token() {
    let dir = TempDir::new();
    let hub = start_hub(&dir).await;
    let http = reqwest::Client::new();

    let (code, sent) = json(
        http.post(hub.proc.url("/accept/generate"))
            .json(&json!({"quotation": "SAL-QTN-2026-00002", "quote_type": "click"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200, "{sent}");
    assert_eq!(sent["url"], format!("{}/#/soumissions", hub.origin));

    let (code, session) = json(
        http.post(hub.proc.url("/portal/impersonate"))
            .header("X-authentik-username", "agent.test")
            .header("X-authentik-groups", "support")
            .json(&json!({"customer": "CUST-2024-00007", "reason": "hub test"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200, "{session}");
    let token = session["token"].as_str().unwrap();

    let (code, listed) = json(
        http.get(hub.proc.url("/accept/quotes"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200, "{listed}");
    assert_eq!(
        listed["quotes"][0]["quote"]["quotation"],
        "SAL-QTN-2026-00002"
    );
    assert_eq!(listed["quotes"][0]["status"], "sent");

    let (code, done) = json(
        http.post(hub.proc.url("/accept/confirm"))
            .bearer_auth(token)
            .json(&json!({"quotation": "SAL-QTN-2026-00002"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200, "{done}");
    assert_eq!(done["status"], "accepted");
    let order = sales_order(&http, &hub, done["sales_order"].as_str().unwrap()).await;
    assert_eq!(order["customer"], "CUST-2024-00007");
}
