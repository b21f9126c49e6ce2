//! Issue 20: the real `hub` binary (embedded default) mounts vision-ocr on its own SQLite file, with
//! this machine staff (`LOOPBACK_IS_STAFF`): its paths are in the hub's `/openapi.json`, its staff
//! page is served, bad uploads and unknown jobs are refused through the hub, and a label photo
//! reaches the reader.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::Value;
use testkit::{Proc, TempDir, free_port};

async fn start_hub(dir: &TempDir) -> Proc {
    let port = free_port();
    let sqlite = |name: &str| format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
    let env: Vec<(String, String)> = [
        ("BIND", format!("127.0.0.1:{port}")),
        ("ERP_SANDBOX_BIND", format!("127.0.0.1:{}", free_port())),
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
        ("RUST_LOG", "warn".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let program = std::path::PathBuf::from(env!("CARGO_BIN_EXE_hub"));
    let mut proc = Proc::spawn("hub", &program, &env, port, dir.path());
    proc.wait_ready("/readyz", Duration::from_secs(60)).await;
    proc
}

/// `POST {path}` of `file` as the multipart part `file`, from this machine with no staff header.
async fn upload(http: &reqwest::Client, hub: &Proc, path: &str, file: Vec<u8>) -> (u16, Value) {
    let form = Form::new().part("file", Part::bytes(file).file_name("photo.png"));
    let answer = http
        .post(hub.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// A clean label of the fixtures' set, as a PNG.
fn label_png() -> Vec<u8> {
    let case = ocr_fixtures::label_set().into_iter().next().unwrap();
    let (_, img) = ocr_fixtures::label(case.seed, &case.style).unwrap();
    ocr_fixtures::png(&img)
}

#[tokio::test]
async fn the_hub_serves_vision_ocr_to_this_machine_as_staff() {
    let dir = TempDir::new();
    let hub = start_hub(&dir).await;
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
        "/vision/",
        "/vision/invoice",
        "/vision/equipment",
        "/vision/jobs/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} in /openapi.json");
    }
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["VisionInvoiceResult"].is_object(), "{schemas}");
    let ready: Value = http
        .get(hub.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["checks"]["vision-ocr-database"], "ok", "{ready}");
    assert!(dir.path().join("hub.vision-ocr.db").is_file());

    let page = http.get(hub.url("/vision/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Lire une facture"));
}

#[tokio::test]
async fn bad_uploads_and_unknown_jobs_are_refused_through_the_hub() {
    let dir = TempDir::new();
    let hub = start_hub(&dir).await;
    let http = reqwest::Client::new();

    let (status, problem) = upload(&http, &hub, "/vision/equipment", b"GIF89a....".to_vec()).await;
    assert_eq!((status, problem["code"].as_str()), (415, Some("VIS_02")));

    let answer = http
        .get(hub.url("/vision/jobs/unknown"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    let problem: Value = answer.json().await.unwrap();
    assert_eq!(problem["code"], "VIS_11", "{problem}");
}

#[tokio::test]
async fn a_label_photo_reaches_the_reader_through_the_hub() {
    let dir = TempDir::new();
    let hub = start_hub(&dir).await;
    let http = reqwest::Client::new();

    let (status, body) = upload(&http, &hub, "/vision/equipment", label_png()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["provider"]["name"], "local", "{body}");
    assert!(
        body["label"]["serial"].is_string(),
        "the label was read: {body}"
    );
}
