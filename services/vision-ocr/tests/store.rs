//! The extraction table on SQLite and PostgreSQL: one reading per idempotency key however many ask
//! at once, a reading abandoned by a killed process (its lease passed) or failed for a passing reason
//! taken over by the next attempt, a job claimed by one worker at a time and taken over when its
//! worker died, and its answer recorded with its event in one transaction.
#![allow(clippy::unwrap_used)]

use sea_orm::{ConnectionTrait, Statement};
use shared::events::{Envelope, InvoiceExtracted, outbox};
use testkit::TestDb;
use vision_ocr::store::{Begun, NewExtraction, Outcome, Store, state};

fn ask(key: Option<&str>, job: bool) -> NewExtraction {
    NewExtraction {
        kind: "invoice",
        principal: "staff:c.bouchard".into(),
        key: key.map(str::to_owned),
        sha256: "ab".repeat(32),
        media_type: "image/png",
        draft: false,
        lang: "fr",
        job_input: job.then(|| vec![1, 2, 3]),
    }
}

async fn stores() -> Vec<(TestDb, Store)> {
    let mut out = Vec::new();
    for db in [TestDb::sqlite(), TestDb::postgres().await] {
        let store = Store::connect(db.url()).await.unwrap();
        out.push((db, store));
    }
    out
}

/// Moves every lease of `id` into the past, as if its holder had been killed long ago.
async fn expire(store: &Store, id: &str) {
    let db = store.connection();
    let sql = format!("UPDATE extraction SET claimed_until = 1 WHERE id = '{id}'");
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
}

fn event(id: &str) -> Envelope {
    Envelope::new(
        "vision-ocr",
        &InvoiceExtracted {
            extraction: id.into(),
            supplier: None,
            invoice_number: None,
            date: None,
            total_cents: None,
            currency: None,
            provider: "local".into(),
            warnings: 0,
            purchase_invoice: None,
            requested_by: "staff:c.bouchard".into(),
        },
    )
    .unwrap()
}

#[tokio::test]
async fn ten_requests_with_one_key_make_one_reading() {
    for (_db, store) in stores().await {
        let attempts = (0..10).map(|_| {
            let store = store.clone();
            async move { store.begin(ask(Some("same"), false)).await.unwrap() }
        });
        let begun = futures::future::join_all(attempts).await;
        let started = begun
            .iter()
            .filter(|b| matches!(b, Begun::Started(_)))
            .count();
        assert_eq!(started, 1, "{begun:?}");
        assert!(
            begun
                .iter()
                .all(|b| matches!(b, Begun::Started(_) | Begun::InProgress))
        );
    }
}

#[tokio::test]
async fn an_abandoned_or_failed_reading_is_taken_over_and_an_answer_replayed() {
    for (_db, store) in stores().await {
        let Begun::Started(first) = store.begin(ask(Some("k"), false)).await.unwrap() else {
            panic!("a new key starts");
        };
        assert!(matches!(
            store.begin(ask(Some("k"), false)).await.unwrap(),
            Begun::InProgress
        ));
        expire(&store, &first.id).await;
        let Begun::Started(again) = store.begin(ask(Some("k"), false)).await.unwrap() else {
            panic!("a reading whose lease passed is taken over");
        };
        assert_eq!((again.id.as_str(), again.attempts), (first.id.as_str(), 2));
        store.release(&again.id, 0).await.unwrap();
        let Begun::Started(third) = store.begin(ask(Some("k"), false)).await.unwrap() else {
            panic!("a reading released after a passing failure is taken over");
        };
        let outcome = Outcome {
            state: state::DONE,
            status: 200,
            body: "{\"id\":1}".into(),
            provider: Some("local"),
        };
        store
            .answer(&third.id, &outcome, &[event(&third.id)])
            .await
            .unwrap();
        let Begun::Replay(done) = store.begin(ask(Some("k"), false)).await.unwrap() else {
            panic!("an answered key is replayed");
        };
        assert_eq!(
            (done.status, done.body.as_deref()),
            (Some(200), Some("{\"id\":1}"))
        );
        assert_eq!(outbox::pending_count(store.connection()).await.unwrap(), 1);
        let mut other = ask(Some("k"), false);
        other.sha256 = "cd".repeat(32);
        assert!(matches!(
            store.begin(other).await.unwrap(),
            Begun::KeyReused
        ));
    }
}

#[tokio::test]
async fn a_job_is_held_by_one_worker_and_taken_over_when_it_died() {
    for (_db, store) in stores().await {
        let Begun::Started(job) = store.begin(ask(None, true)).await.unwrap() else {
            panic!("a job is recorded");
        };
        assert_eq!(job.state, state::QUEUED);
        let claimed = store.claim_job().await.unwrap().unwrap();
        assert_eq!(
            (claimed.id.as_str(), claimed.state.as_str()),
            (job.id.as_str(), state::RUNNING)
        );
        assert!(
            store.claim_job().await.unwrap().is_none(),
            "held by its worker"
        );
        expire(&store, &job.id).await;
        let again = store.claim_job().await.unwrap().unwrap();
        assert_eq!(again.attempts, 2);
        store.release(&again.id, i64::MAX).await.unwrap();
        assert!(
            store.claim_job().await.unwrap().is_none(),
            "not before its retry time"
        );
        let (waiting, oldest) = store.backlog().await.unwrap();
        assert_eq!((waiting, oldest), (1, Some(job.created_at)));
        let outcome = Outcome {
            state: state::DONE,
            status: 200,
            body: "{}".into(),
            provider: Some("gemini"),
        };
        store.answer(&job.id, &outcome, &[]).await.unwrap();
        let done = store.get(&job.id).await.unwrap().unwrap();
        assert_eq!(
            (done.state.as_str(), done.input),
            (state::DONE, None),
            "the upload is forgotten"
        );
        assert_eq!(store.backlog().await.unwrap().0, 0);
    }
}
