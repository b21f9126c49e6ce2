//! `notifications outbox list`: the events waiting for the relay, then the messages, newest first.

use std::process::ExitCode;

use crate::store::Store;

/// Prints the pending events and up to `limit` messages (to `to`; captured ones only if asked).
pub(super) async fn list(
    store: &Store,
    limit: u64,
    to: Option<&str>,
    captured: bool,
) -> anyhow::Result<ExitCode> {
    let pending = store.pending_events(limit).await?;
    if pending.is_empty() {
        println!("events waiting for the relay: none");
    } else {
        println!(
            "events waiting for the relay ({}), newest first:",
            pending.len()
        );
        println!(
            "{:<8} {:<25} {:<24} {:<36} {:>8}  LAST ERROR",
            "SEQ", "WRITTEN", "SUBJECT", "ID", "ATTEMPTS"
        );
        for e in &pending {
            println!(
                "{:<8} {:<25} {:<24} {:<36} {:>8}  {}",
                e.seq,
                millis(e.created_at),
                e.subject,
                e.id,
                e.attempts,
                e.last_error.as_deref().unwrap_or("-")
            );
        }
    }
    let messages = store.list(to, captured, limit).await?;
    let what = if captured {
        "captured messages"
    } else {
        "messages"
    };
    if messages.is_empty() {
        println!("{what}: none");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{what}, newest first:");
    println!(
        "{:<25} {:<11} {:<7} {:<32} {:<24} ID",
        "RECEIVED", "STATUS", "CHANNEL", "TO", "TEMPLATE"
    );
    for m in &messages {
        println!(
            "{:<25} {:<11} {:<7} {:<32} {:<24} {}",
            m.created_at,
            m.status,
            m.channel,
            m.to,
            m.template.as_deref().unwrap_or("-"),
            m.id
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn millis(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| ms.to_string())
}
