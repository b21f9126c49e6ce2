//! `spawn_app`: a seeded sandbox on a free port, the real `FrappeClient` on it, and raw HTTP.

use erp_sandbox::{DEFAULT_API_KEY, DEFAULT_API_SECRET, Sandbox, SandboxSettings};
use secrecy::SecretString;
use shared::erpnext::FrappeClient;

pub struct TestApp {
    pub url: String,
    pub erp: FrappeClient,
    pub http: reqwest::Client,
}

pub async fn spawn_app() -> TestApp {
    let sandbox = Sandbox::build(SandboxSettings::for_tests()).await.unwrap();
    let url = sandbox.base_url();
    tokio::spawn(sandbox.run_until_stopped());
    let erp = FrappeClient::new(
        &url,
        DEFAULT_API_KEY,
        &SecretString::from(DEFAULT_API_SECRET),
    )
    .unwrap();
    TestApp {
        url,
        erp,
        http: reqwest::Client::new(),
    }
}

impl TestApp {
    pub fn token(&self) -> String {
        format!("token {DEFAULT_API_KEY}:{DEFAULT_API_SECRET}")
    }
}
