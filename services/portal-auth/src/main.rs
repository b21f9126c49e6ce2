//! portal-auth as its own process.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _telemetry = shared::telemetry::init("portal-auth")?;
    let settings = portal_auth::Settings::from_env()?;
    let app = portal_auth::Application::build(settings).await?;
    tracing::info!(port = app.port(), "portal-auth listening");
    app.run_until_stopped().await?;
    Ok(())
}
