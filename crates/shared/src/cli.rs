//! The operator's side of every binary (`portal-auth --help`, `hub check-config`, …), written once:
//! the subcommands every binary has (`serve`, `migrate`, `check-config`), the check-config runner
//! and its one line per check, the checks of what every service depends on (settings, database,
//! NATS, ERP), migrations with progress, and progress reporting for long operations (a bar on a
//! terminal, plain lines otherwise).

use std::future::Future;
use std::io::IsTerminal as _;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::Duration;

use sea_orm_migration::MigratorTrait;

mod service;
pub use service::{ServiceBinary, migrate_service, run_common, service_checks};

use crate::config::{BusSettings, ConfigError, ErpSettings};
use crate::erpnext::{ErpError, ListQuery};

/// How long one check may take before it is reported as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

const SERVE_HELP: &str =
    "Serve HTTP until SIGTERM or SIGINT (the default when no subcommand is given).

Applies pending migrations at start. On SIGTERM the listener closes at once, requests in flight \
finish and work already accepted (queued link requests, deliveries in hand) is completed, all \
within SHUTDOWN_GRACE_S seconds (default 25); what is left is picked up again by another replica \
or at the next start.";

const MIGRATE_HELP: &str = "Apply the pending database migrations of DATABASE_URL and exit.

Safe to run any number of times: applied migrations are skipped. The services also migrate at \
start; run this first when the database user of the service may not change the schema.";

const CHECK_HELP: &str = "Validate the environment and reach every dependency, then exit.

Prints one line per check, OK or FAIL with what is wrong in plain words and the variable to fix: \
the settings, the database (DATABASE_URL), NATS JetStream when NATS_URL is set, and the ERP \
(an authenticated Frappe call with ERP_URL, ERP_API_KEY and ERP_API_SECRET) for the services \
that use it. Exits 1 when any check fails, 0 otherwise. Nothing is changed.";

/// The subcommands every binary has; each binary flattens them into its own list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::Subcommand)]
pub enum Common {
    /// Serve HTTP until SIGTERM (the default)
    #[default]
    #[command(long_about = SERVE_HELP)]
    Serve,
    /// Apply the pending database migrations and exit
    #[command(long_about = MIGRATE_HELP)]
    Migrate,
    /// Validate the environment and reach the database, NATS and ERP; exit 1 on any failure
    #[command(long_about = CHECK_HELP)]
    CheckConfig,
}

/// Builds the runtime and runs one command; an error becomes one plain line on stderr and exit 1.
pub fn run<F>(command: F) -> ExitCode
where
    F: Future<Output = anyhow::Result<ExitCode>>,
{
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(command);
    // Background tasks (relays, pools) are abandoned rather than awaited: the work that mattered
    // was finished or handed back before `command` returned.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs of an operator command: plain text on stderr, warnings and errors only unless `RUST_LOG`
/// says otherwise, so that stdout carries the answer alone.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

type PendingCheck = Pin<Box<dyn Future<Output = Result<String, String>> + Send>>;

/// The checks of one `check-config` run, printed in the order they were added.
#[derive(Default)]
pub struct Checks {
    items: Vec<(String, PendingCheck)>,
}

impl Checks {
    /// No checks yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a check: `Ok` says what was found, `Err` what is wrong, naming the variable to fix.
    pub fn add<F>(&mut self, name: &str, check: F)
    where
        F: Future<Output = Result<String, String>> + Send + 'static,
    {
        self.items.push((name.to_owned(), Box::pin(check)));
    }

    /// Adds an outcome known already (settings that parse or not).
    pub fn known(&mut self, name: &str, outcome: Result<String, String>) {
        self.add(name, std::future::ready(outcome));
    }

    /// Runs every check at once, each within 10 s, and returns `(name, outcome)` in order.
    pub async fn outcomes(self) -> Vec<(String, Result<String, String>)> {
        let runs = self.items.into_iter().map(|(name, check)| async move {
            let outcome = tokio::time::timeout(CHECK_TIMEOUT, check)
                .await
                .unwrap_or_else(|_| Err(format!("no answer within {CHECK_TIMEOUT:?}")));
            (name, outcome)
        });
        futures::future::join_all(runs).await
    }

    /// Runs the checks and prints one line each on stdout, then a summary; exit 1 when any failed.
    pub async fn run(self) -> ExitCode {
        let outcomes = self.outcomes().await;
        let failed = outcomes.iter().filter(|(_, o)| o.is_err()).count();
        for (name, outcome) in &outcomes {
            println!("{}", check_line(name, outcome));
        }
        if failed == 0 {
            println!("all {} checks passed", outcomes.len());
            ExitCode::SUCCESS
        } else {
            println!("{failed} of {} checks failed", outcomes.len());
            ExitCode::FAILURE
        }
    }
}

/// `OK    name: what was found` or `FAIL  name: what is wrong`.
pub fn check_line(name: &str, outcome: &Result<String, String>) -> String {
    match outcome {
        Ok(found) => format!("OK    {name}: {found}"),
        Err(problem) => format!("FAIL  {name}: {problem}"),
    }
}

/// The outcome of reading settings: every variable valid, or the first one at fault.
pub fn settings_outcome<T>(parsed: &Result<T, ConfigError>) -> Result<String, String> {
    match parsed {
        Ok(_) => Ok("every variable is valid".to_owned()),
        Err(e) => Err(format!("{} is wrong: {}", e.name, e.problem)),
    }
}

/// Whether `BIND` names an address to listen on (`host:port`); nothing is bound, since the service
/// may be running already.
pub fn check_bind(bind: &str) -> Result<String, String> {
    use std::net::ToSocketAddrs as _;
    let resolves = bind
        .to_socket_addrs()
        .is_ok_and(|mut addresses| addresses.next().is_some());
    if resolves {
        Ok(format!("BIND={bind}"))
    } else {
        Err(format!("BIND={bind:?} is not a host:port to listen on"))
    }
}

/// Reaches the database of `url` (from `variable`, e.g. `DATABASE_URL`) and says how the
/// migrations of `M` stand, without changing anything.
pub async fn check_database<M: MigratorTrait>(
    url: String,
    variable: &'static str,
) -> Result<String, String> {
    let place = describe_database(&url);
    reach_server(&url)
        .await
        .map_err(|e| format!("cannot reach the server of {place} ({e}): check {variable}"))?;
    let db = crate::db::connect(&url)
        .await
        .map_err(|e| format!("cannot open {place} ({e}): check {variable}"))?;
    let pending = M::get_pending_migrations_read_only(&db)
        .await
        .map_err(|e| format!("{place} answers but its migrations cannot be read ({e})"));
    let _ = db.close().await;
    Ok(match pending?.len() {
        0 => format!("{place} answers; migrations up to date"),
        n => format!(
            "{place} answers; {n} migrations pending (`migrate` or the next start applies them)"
        ),
    })
}

/// A TCP connection to a PostgreSQL server, for a plain reason ("connection refused") where the
/// pool would only say it timed out. SQLite has no server.
async fn reach_server(url: &str) -> Result<(), String> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Ok(());
    };
    let (Some(host), "postgres" | "postgresql") = (parsed.host_str(), parsed.scheme()) else {
        return Ok(());
    };
    let address = (host.to_owned(), parsed.port().unwrap_or(5432));
    match tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect(address),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 5 s".to_owned()),
    }
}

/// Applies the pending migrations of `M` on `url` one by one, with progress; returns a summary.
pub async fn migrate<M: MigratorTrait>(url: &str, what: &str) -> anyhow::Result<String> {
    use anyhow::Context as _;
    let place = describe_database(url);
    let db = crate::db::connect(url)
        .await
        .with_context(|| format!("opening {place} (DATABASE_URL)"))?;
    let pending: Vec<String> = M::get_pending_migrations(&db)
        .await
        .with_context(|| format!("reading the migrations of {place}"))?
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let mut progress = Progress::new(pending.len() as u64, &format!("{what} migrations"));
    for name in &pending {
        M::up(&db, Some(1))
            .await
            .with_context(|| format!("applying {name} on {place}"))?;
        progress.item(&format!("applied {name}"));
    }
    progress.finish();
    let _ = db.close().await;
    Ok(match pending.len() {
        0 => format!("{what}: {place} is up to date; nothing to apply"),
        n => format!("{what}: applied {n} migrations on {place}"),
    })
}

/// Reaches NATS JetStream when `NATS_URL` is set (creating the streams if missing, as a service does
/// at start); otherwise says the in-process bus is used.
pub async fn check_nats(bus: BusSettings) -> Result<String, String> {
    let Some(nats) = bus.url.as_ref() else {
        return Ok("NATS_URL not set: events use the in-process bus (one process only)".to_owned());
    };
    let place = nats.address().to_owned();
    let connected = bus.connect().await.map_err(|e| {
        format!(
            "cannot use NATS at {place} ({}): check NATS_URL and the NATS_* credentials and TLS files",
            error_chain(&e)
        )
    })?;
    connected
        .ready()
        .await
        .map_err(|e| format!("NATS at {place} is not ready ({e}): check NATS_URL"))?;
    Ok(format!("JetStream at {place} answers; streams ready"))
}

/// Makes an authenticated Frappe call (a 1-row list of Customer) with `ERP_URL`, `ERP_API_KEY` and
/// `ERP_API_SECRET`.
pub async fn check_erp(erp: ErpSettings) -> Result<String, String> {
    let url = erp.url.as_str().trim_end_matches('/').to_owned();
    let client = erp
        .client()
        .map_err(|e| format!("{e}: check ERP_URL, ERP_API_KEY and ERP_API_SECRET"))?;
    let query = ListQuery::new().limit(1);
    match client.list::<serde_json::Value>("Customer", &query).await {
        Ok(_) => Ok(format!("{url} answers and lets ERP_API_KEY read customers")),
        Err(ErpError::Unauthorized) => Err(format!(
            "{url} refused the API credentials: check ERP_API_KEY and ERP_API_SECRET"
        )),
        Err(ErpError::Forbidden) => Err(format!(
            "{url} does not let the user of ERP_API_KEY read customers: grant it the Customer read permission"
        )),
        Err(ErpError::NotFound) => Err(format!("{url} has no Frappe API (404): check ERP_URL")),
        Err(ErpError::Unavailable(why)) => Err(format!(
            "cannot reach the ERP at {url} ({why}): check ERP_URL"
        )),
        Err(e) => Err(format!("{url} answered unexpectedly ({e}): check ERP_URL")),
    }
}

/// `PostgreSQL database hub on db.internal:5432` or `SQLite file var/hub.db`: where, never a password.
pub fn describe_database(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        return format!("SQLite file {path}");
    }
    match url::Url::parse(url) {
        Ok(u) => format!(
            "PostgreSQL database {} on {}:{}",
            u.path().trim_start_matches('/'),
            u.host_str().unwrap_or("?"),
            u.port().unwrap_or(5432)
        ),
        Err(_) => "the database".to_owned(),
    }
}

/// A URL without its user and password, for output.
pub fn without_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string().trim_end_matches('/').to_owned()
        }
        Err(_) => "the configured URL".to_owned(),
    }
}

/// The error and its sources on one line.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Progress of a long operation on stderr: a bar when stderr is a terminal, otherwise one plain
/// line per item (logs, CI, pipes), so stdout keeps only the answer.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: u64,
    done: u64,
}

impl Progress {
    /// Progress over `total` items of `what` (e.g. "dead letters").
    pub fn new(total: u64, what: &str) -> Self {
        let bar = (std::io::stderr().is_terminal() && total > 0).then(|| {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(what.to_owned());
            bar
        });
        Self {
            bar,
            total,
            done: 0,
        }
    }

    /// One item done; `line` says what became of it (above the bar, or as a plain line).
    pub fn item(&mut self, line: &str) {
        self.done += 1;
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.inc(1);
            }
            None => eprintln!("[{}/{}] {line}", self.done, self.total),
        }
    }

    /// Removes the bar.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_is_described_without_its_password() {
        assert_eq!(
            describe_database("postgres://hub:s3cret@db.internal:5433/hub"),
            "PostgreSQL database hub on db.internal:5433"
        );
        assert_eq!(
            describe_database("sqlite://var/hub.db?mode=rwc"),
            "SQLite file var/hub.db"
        );
    }

    #[test]
    fn credentials_are_dropped_from_urls() {
        assert_eq!(
            without_credentials("nats://user:pw@nats.internal:4222"),
            "nats://nats.internal:4222"
        );
    }

    #[test]
    fn a_bad_variable_is_named_first() {
        let parsed: Result<(), ConfigError> = Err(ConfigError {
            name: "DATABASE_URL".to_owned(),
            problem: "must start with sqlite: or postgres://".to_owned(),
        });
        let line = check_line("settings", &settings_outcome(&parsed));
        assert_eq!(
            line,
            "FAIL  settings: DATABASE_URL is wrong: must start with sqlite: or postgres://"
        );
    }

    #[tokio::test]
    async fn checks_are_reported_in_the_order_they_were_added() {
        let mut checks = Checks::new();
        checks.add("slow", async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok("found".to_owned())
        });
        checks.known("fast", Err("broken".to_owned()));
        let outcomes = checks.outcomes().await;
        assert_eq!(outcomes[0].0, "slow");
        assert_eq!(outcomes[1].1, Err("broken".to_owned()));
    }
}
