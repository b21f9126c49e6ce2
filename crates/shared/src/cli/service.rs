//! The common subcommands of a service's own binary (`serve`, `migrate`, `check-config`), written
//! once: a service says its name, defaults and migrator, and adds the checks only it needs.

use std::process::ExitCode;

use sea_orm_migration::MigratorTrait;

use super::{Checks, Common, check_bind, check_database, check_nats, migrate, settings_outcome};
use crate::config::{self, BusSettings, ConfigError, Source};
use crate::http::{Application, ServiceSettings};

/// A service's binary: what the common subcommands need to know of it.
pub trait ServiceBinary: ServiceSettings {
    /// The binary's name (logs, telemetry, migration messages).
    const NAME: &'static str;
    /// `BIND` when unset.
    const DEFAULT_BIND: &'static str;
    /// `DATABASE_URL` when unset.
    const DEFAULT_DATABASE_URL: &'static str;
    /// The service's migrations.
    type Migrator: MigratorTrait;

    /// Reads the settings from `src`, failing on the first bad variable.
    fn from_source(src: &dyn Source) -> Result<Self, ConfigError>;

    /// The checks of `check-config` beyond settings, listen address, database and NATS; `settings`
    /// is `None` when they do not parse.
    fn more_checks(_src: &dyn Source, _settings: Option<&Self>, _checks: &mut Checks) {}
}

/// Runs one of the common subcommands of service `B` against the process environment.
pub async fn run_common<B: ServiceBinary>(command: Common) -> anyhow::Result<ExitCode> {
    match command {
        Common::Serve => serve::<B>().await,
        Common::Migrate => {
            println!("{}", migrate_service::<B>(&config::Env).await?);
            Ok(ExitCode::SUCCESS)
        }
        Common::CheckConfig => Ok(service_checks::<B>(&config::Env).run().await),
    }
}

/// Serves service `B` on its own until SIGTERM.
async fn serve<B: ServiceBinary>() -> anyhow::Result<ExitCode> {
    let _telemetry = crate::telemetry::init(B::NAME)?;
    let settings = B::from_source(&config::Env)?;
    let app = Application::build(settings).await?;
    tracing::info!(port = app.port(), "{} listening", B::NAME);
    app.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}

/// Applies the pending migrations of service `B` on `DATABASE_URL`; says what was done.
pub async fn migrate_service<B: ServiceBinary>(src: &dyn Source) -> anyhow::Result<String> {
    let url = config::database_url(src, B::DEFAULT_DATABASE_URL)?;
    migrate::<B::Migrator>(&url, B::NAME).await
}

/// Everything `check-config` checks for service `B`: its settings, the listen address, the
/// database, NATS, then the service's own.
pub fn service_checks<B: ServiceBinary>(src: &dyn Source) -> Checks {
    let mut checks = Checks::new();
    let settings = B::from_source(src);
    checks.known("settings", settings_outcome(&settings));
    let bind = config::string_or(src, "BIND", B::DEFAULT_BIND);
    checks.known("listen address", check_bind(&bind));
    match config::database_url(src, B::DEFAULT_DATABASE_URL) {
        Ok(url) => checks.add(
            "database",
            check_database::<B::Migrator>(url, "DATABASE_URL"),
        ),
        Err(e) => checks.known("database", settings_outcome::<()>(&Err(e))),
    }
    match BusSettings::from_source(src) {
        Ok(bus) => checks.add("NATS", check_nats(bus)),
        Err(e) => checks.known("NATS", settings_outcome::<()>(&Err(e))),
    }
    B::more_checks(src, settings.as_ref().ok(), &mut checks);
    checks
}
