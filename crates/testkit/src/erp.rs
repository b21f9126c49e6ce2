//! The erp-sandbox on a free port with an in-memory database seeded with the demo customers.

use actix_web::dev::ServerHandle;
use erp_sandbox::{DEFAULT_API_KEY, DEFAULT_API_SECRET, Sandbox, SandboxSettings};
use secrecy::SecretString;
use shared::erpnext::FrappeClient;

/// A running sandbox ERP (see the erp-sandbox README for its demo customers); stopped when dropped.
pub struct ErpHandle {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// API key with full rights.
    pub api_key: String,
    /// Its secret.
    pub api_secret: String,
    handle: ServerHandle,
}

/// Starts a sandbox ERP on `127.0.0.1:0` with a fresh in-memory database.
///
/// # Panics
/// When the sandbox cannot start.
#[allow(clippy::expect_used, reason = "a test cannot run without its ERP")]
pub async fn spawn_erp() -> ErpHandle {
    let sandbox = Sandbox::build(SandboxSettings::for_tests())
        .await
        .expect("starting the erp-sandbox");
    let handle = ErpHandle {
        url: sandbox.base_url(),
        api_key: DEFAULT_API_KEY.to_owned(),
        api_secret: DEFAULT_API_SECRET.to_owned(),
        handle: sandbox.handle(),
    };
    tokio::spawn(sandbox.run_until_stopped());
    handle
}

impl ErpHandle {
    /// A Frappe client with full rights on this sandbox (to create or change customers in a test).
    ///
    /// # Panics
    /// When the URL is rejected by the client (it never is).
    #[allow(
        clippy::expect_used,
        reason = "the URL was built by the sandbox itself"
    )]
    pub fn client(&self) -> FrappeClient {
        FrappeClient::new(
            &self.url,
            &self.api_key,
            &SecretString::from(self.api_secret.clone()),
        )
        .expect("building a Frappe client for the sandbox")
    }
}

impl Drop for ErpHandle {
    fn drop(&mut self) {
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let handle = self.handle.clone();
            rt.spawn(async move { handle.stop(false).await });
        }
    }
}
