//! `erp-sandbox`: the Frappe stand-in as a process (`BIND`, `DATABASE_URL`, `ERP_API_KEY`,
//! `ERP_API_SECRET` or `ERP_API_SECRET_FILE`).

use anyhow::Context;
use erp_sandbox::{DEFAULT_API_KEY, DEFAULT_API_SECRET, Sandbox, SandboxSettings};
use secrecy::SecretString;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn api_secret() -> anyhow::Result<SecretString> {
    if let Ok(path) = std::env::var("ERP_API_SECRET_FILE") {
        let secret = std::fs::read_to_string(&path).context("reading ERP_API_SECRET_FILE")?;
        return Ok(SecretString::from(secret.trim().to_owned()));
    }
    Ok(SecretString::from(env_or(
        "ERP_API_SECRET",
        DEFAULT_API_SECRET,
    )))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = SandboxSettings {
        bind: env_or("BIND", "127.0.0.1:8000"),
        database_url: env_or("DATABASE_URL", "sqlite://var/erp-sandbox.db?mode=rwc"),
        api_key: env_or("ERP_API_KEY", DEFAULT_API_KEY),
        api_secret: api_secret()?,
    };
    let sandbox = Sandbox::build(settings).await?;
    println!("erp-sandbox listening on {}", sandbox.base_url());
    sandbox
        .run_until_stopped()
        .await
        .context("erp-sandbox server failed")
}
