//! `notifications dead-letters list|replay`.

use std::process::ExitCode;

use shared::cli::Progress;

use crate::store::{Replay, Store};

/// Prints the dead letters, the latest first.
pub(super) async fn list(store: &Store, limit: u64, all: bool) -> anyhow::Result<ExitCode> {
    let letters = store.dead_letters(all, limit).await?;
    if letters.is_empty() {
        println!("dead letters: none");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<36} {:<25} {:<7} {:<32} {:>8}  {:<44} REASON",
        "ID", "DIED", "CHANNEL", "TO", "ATTEMPTS", "REPLAY"
    );
    for d in &letters {
        let replay = match (&d.replayed_as, d.replayable) {
            (Some(id), _) => format!("replayed as {id}"),
            (None, true) => "can be replayed".to_owned(),
            (None, false) => "no command kept".to_owned(),
        };
        println!(
            "{:<36} {:<25} {:<7} {:<32} {:>8}  {:<44} {}",
            d.id,
            d.died_at,
            d.channel,
            d.to,
            d.attempts,
            replay,
            d.error.as_deref().unwrap_or("-")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What a replay run did, for its summary line.
#[derive(Default)]
struct Tally {
    queued: usize,
    already: usize,
    refused: usize,
}

/// Replays `ids` (or every dead letter not replayed yet), one transaction each, with progress.
pub(super) async fn replay(store: &Store, ids: Vec<String>, all: bool) -> anyhow::Result<ExitCode> {
    let ids = if all {
        store.replayable_dead_letters().await?
    } else {
        ids
    };
    if ids.is_empty() {
        println!("no dead letter to replay");
        return Ok(ExitCode::SUCCESS);
    }
    let mut progress = Progress::new(ids.len() as u64, "replaying");
    let mut tally = Tally::default();
    for id in &ids {
        let line = match store.replay_dead_letter(id).await {
            Ok(Replay::Queued { new_id }) => {
                tally.queued += 1;
                format!("{id}: queued again as {new_id}")
            }
            Ok(Replay::AlreadyReplayed { new_id }) => {
                tally.already += 1;
                format!("{id}: already replayed as {new_id}; not sent again")
            }
            Ok(Replay::NoCommand) => {
                tally.refused += 1;
                format!(
                    "{id}: its command was not kept (unreadable, or older than replay); cannot replay"
                )
            }
            Ok(Replay::NotDead) => {
                tally.refused += 1;
                format!("{id}: no dead letter has this id")
            }
            Err(e) => {
                tally.refused += 1;
                format!("{id}: failed: {e}")
            }
        };
        progress.item(&line);
    }
    progress.finish();
    println!(
        "{} queued again, {} already replayed, {} not replayable",
        tally.queued, tally.already, tally.refused
    );
    if tally.queued > 0 {
        println!(
            "the service's outbox relay sends them (within a second if it runs, else at its next start)"
        );
    }
    Ok(if tally.refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
