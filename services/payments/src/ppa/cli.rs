//! `payments ppa run [--dry-run] [--date YYYY-MM-DD]`: the operator's auto-pay run, from the same
//! settings as the service: a progress bar on a terminal (plain lines otherwise), each invoice, and
//! the summary.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::NaiveDate;
use shared::cli::Progress;

use super::{Mode, RunError, Runner, Step, Summary};
use crate::config::Settings;
use crate::store::Store;

/// `payments ppa …`.
#[derive(Debug, clap::Subcommand)]
pub enum PpaCommand {
    /// Charges every enrolled customer's invoices due by the day (today in Quebec by default)
    Run {
        /// Says what would be charged; charges nothing
        #[arg(long)]
        dry_run: bool,
        /// The day to run, YYYY-MM-DD (default: today in Quebec)
        #[arg(long)]
        date: Option<NaiveDate>,
    },
}

/// Runs `command`; exit status 0 when the run was done, 75 (try later) when another process holds
/// the day.
pub async fn run(command: PpaCommand) -> anyhow::Result<ExitCode> {
    let PpaCommand::Run { dry_run, date } = command;
    let settings = Settings::from_source(&shared::config::Env)?;
    let runner = runner(&settings).await?;
    let day = date.unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&chrono_tz::America::Toronto)
            .date_naive()
    });
    let mode = if dry_run { Mode::DryRun } else { Mode::Manual };
    let mut progress: Option<Progress> = None;
    let result = runner
        .run(day, mode, &mut |step| match step {
            Step::Customers(n) => progress = Some(Progress::new(n as u64, "auto-pay")),
            Step::Customer(customer, lines) => {
                if let Some(bar) = progress.as_mut() {
                    bar.item(&describe(customer, lines));
                }
            }
        })
        .await;
    if let Some(bar) = progress {
        bar.finish();
    }
    match result {
        Ok(summary) => {
            print!("{}", report(&summary));
            Ok(ExitCode::SUCCESS)
        }
        Err(RunError::NotTaken) => {
            eprintln!("{day}: another process is running this day's auto-pay; try again later");
            Ok(ExitCode::from(75))
        }
        Err(e) => Err(e.into()),
    }
}

async fn runner(settings: &Settings) -> anyhow::Result<Runner> {
    let store = Store::connect(&settings.database_url)
        .await
        .context("opening the payments database (DATABASE_URL)")?;
    let erp = settings
        .erp
        .client()
        .context("building the ERP client (ERP_URL)")?;
    let stripe = settings.stripe_client()?;
    Ok(Runner::new(
        &settings.ppa,
        store,
        erp,
        stripe,
        &settings.portal_url,
        Arc::default(),
    ))
}

fn describe(customer: &str, lines: &[super::ChargeLine]) -> String {
    match lines {
        [] => format!("{customer}: nothing due"),
        lines => lines
            .iter()
            .map(|l| {
                format!(
                    "{customer} {} attempt {}: {} cents, {}",
                    l.invoice, l.attempt, l.amount_cents, l.outcome
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The summary as printed at the end.
fn report(s: &Summary) -> String {
    let verb = if s.dry_run { "to charge" } else { "charged" };
    format!(
        "auto-pay {day}{dry}: {customers} customers, {invoices} invoices, {charged} charged, \
         {processing} bank debits processing, {soft} declined (retried later), {hard} declined (never retried), {auth} needing \
         authentication (pay link sent), {errors} errors; {amount} {verb}\n",
        day = s.day,
        dry = if s.dry_run { " (dry run)" } else { "" },
        customers = s.customers,
        invoices = s.invoices,
        charged = s.charged,
        processing = s.processing,
        soft = s.declined_soft,
        hard = s.declined_hard,
        auth = s.needing_authentication,
        errors = s.errors,
        amount = crate::money::Cents::new(s.amount_cents)
            .map(|c| c.display("en"))
            .unwrap_or_default(),
    )
}
