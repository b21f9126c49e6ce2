//! `portal-auth audit list`: the audit of customer tokens minted for others (impersonations,
//! internal callers), newest first.

use std::process::ExitCode;

use anyhow::Context as _;
use shared::config::{self, Source};

use crate::config::DEFAULT_DATABASE_URL;
use crate::store::{Store, find_impersonations};

/// Prints up to `limit` impersonations, newest first, of `customer` when given.
pub(super) async fn list(
    src: &dyn Source,
    customer: Option<&str>,
    limit: u64,
) -> anyhow::Result<ExitCode> {
    let url = config::database_url(src, DEFAULT_DATABASE_URL)?;
    let store = Store::connect(&url).await.with_context(|| {
        format!(
            "opening {} (DATABASE_URL)",
            shared::cli::describe_database(&url)
        )
    })?;
    let rows = find_impersonations(store.connection(), customer, None, limit)
        .await
        .context("reading the impersonation audit")?;
    if rows.is_empty() {
        println!("impersonations: none");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<25} {:<14} {:<20} {:<24} {:<18} {:<39} {:<36} REASON",
        "WHEN", "PURPOSE", "STAFF", "GROUPS", "CUSTOMER", "CLIENT", "TOKEN ID"
    );
    for r in rows {
        let when = chrono::DateTime::from_timestamp_millis(r.created_at)
            .map(|t| t.to_rfc3339())
            .unwrap_or_default();
        println!(
            "{:<25} {:<14} {:<20} {:<24} {:<18} {:<39} {:<36} {}",
            when,
            r.purpose,
            r.staff,
            r.staff_groups,
            r.customer,
            r.client_ip,
            r.token_id,
            r.reason.as_deref().unwrap_or("-")
        );
    }
    Ok(ExitCode::SUCCESS)
}
