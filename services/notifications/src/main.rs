//! The notifications service as its own process.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _telemetry = shared::telemetry::init("notifications")?;
    let settings = notifications::Settings::from_env()?;
    let app = notifications::Application::build(settings).await?;
    tracing::info!(port = app.port(), "notifications listening");
    app.run_until_stopped().await?;
    Ok(())
}
