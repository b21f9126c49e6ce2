//! Admission on SQLite and PostgreSQL.

use super::*;

const WINDOW_MS: i64 = 60_000;

fn limits(per_identifier: u32, per_ip: u32) -> Limits {
    Limits {
        per_identifier,
        per_ip,
        window_ms: WINDOW_MS,
    }
}

/// A request from `ip` for `identifier`, keyed `id:<identifier>`.
pub(crate) fn admission(ip: &str, identifier: &str) -> Admission {
    Admission {
        identifier_key: format!("id:{identifier}"),
        ip_key: format!("ip:{ip}"),
        job: NewJob {
            id: uuid::Uuid::now_v7().to_string(),
            kind: "email".into(),
            identifier: identifier.into(),
            identifier_key: format!("id:{identifier}"),
            lang: None,
            client_ip: ip.into(),
            created_at: 1,
            traceparent: None,
        },
    }
}

async fn sqlite_store() -> Store {
    let file = std::env::temp_dir().join(format!("pa-admit-{}.db", uuid::Uuid::new_v4()));
    Store::connect(&format!("sqlite://{}?mode=rwc", file.display()))
        .await
        .unwrap()
}

fn limited(d: RateDecision) -> bool {
    matches!(d, RateDecision::Limited { .. })
}

async fn repeated_keys_are_counted_in_batch_order(store: Store) {
    let batch = [
        admission("1.1.1.1", "a"),
        admission("1.1.1.1", "a"),
        admission("1.1.1.1", "b"),
        admission("1.1.1.1", "a"),
        admission("2.2.2.2", "c"),
    ];
    let d = store.admit(&batch, limits(2, 3), 1_000_000).await.unwrap();
    // a, a admitted; b admitted (third on the address); fourth over the address limit;
    // the other address is untouched.
    assert_eq!(d[..3], [RateDecision::Admitted; 3]);
    assert!(limited(d[3]));
    assert_eq!(d[4], RateDecision::Admitted);
    assert_eq!(store.pending_jobs().await.unwrap(), 4);

    // A later batch continues the same windows: `a` is at its limit, `c` is not.
    let d = store
        .admit(
            &[admission("3.3.3.3", "a"), admission("3.3.3.3", "c")],
            limits(2, 3),
            1_000_001,
        )
        .await
        .unwrap();
    assert!(limited(d[0]));
    assert_eq!(d[1], RateDecision::Admitted);
    assert_eq!(store.pending_jobs().await.unwrap(), 5);

    // Once the window is over, counting starts again.
    let d = store
        .admit(
            &[admission("3.3.3.3", "a")],
            limits(2, 3),
            1_000_000 + WINDOW_MS,
        )
        .await
        .unwrap();
    assert_eq!(d, [RateDecision::Admitted]);
}

/// Requests refused by their address do not count against their identifiers: the hits taken
/// back leave the identifier as if they had never come (its window starts with its first
/// counted hit).
async fn an_address_over_its_limit_uses_up_no_identifier(store: Store) {
    let l = limits(2, 1);
    let start = 1_000_000;
    let batch = [
        admission("1.1.1.1", "x"),
        admission("1.1.1.1", "y"),
        admission("1.1.1.1", "x"),
    ];
    let d = store.admit(&batch, l, start).await.unwrap();
    assert_eq!(d[0], RateDecision::Admitted);
    assert!(limited(d[1]) && limited(d[2]), "{d:?}");

    let later = start + WINDOW_MS / 2;
    let batch = [
        admission("2.2.2.2", "y"),
        admission("3.3.3.3", "y"),
        admission("4.4.4.4", "x"),
        admission("5.5.5.5", "x"),
    ];
    let d = store.admit(&batch, l, later).await.unwrap();
    assert_eq!(
        d[..3],
        [RateDecision::Admitted; 3],
        "y has its whole allowance"
    );
    assert!(limited(d[3]), "x was counted once already");

    // x's window (from `start`) is over; y's started at `later`, with its first counted hit.
    let end = start + WINDOW_MS;
    let batch = [admission("6.6.6.6", "y"), admission("7.7.7.7", "x")];
    let d = store.admit(&batch, l, end).await.unwrap();
    let half = u64::try_from(WINDOW_MS / 2000).unwrap();
    assert_eq!(
        d,
        [
            RateDecision::Limited {
                retry_after_s: half,
                by: LimitKey::Identifier,
            },
            RateDecision::Admitted
        ]
    );
    assert_eq!(store.pending_jobs().await.unwrap(), 5);
}

#[tokio::test]
async fn an_address_over_its_limit_uses_up_no_identifier_on_sqlite_and_postgresql() {
    an_address_over_its_limit_uses_up_no_identifier(sqlite_store().await).await;
    let db = testkit::TestDb::postgres().await;
    an_address_over_its_limit_uses_up_no_identifier(Store::connect(db.url()).await.unwrap()).await;
    db.cleanup().await;
}

#[tokio::test]
async fn a_batch_counts_repeated_keys_in_order_and_queues_only_the_admitted_on_sqlite() {
    repeated_keys_are_counted_in_batch_order(sqlite_store().await).await;
}

#[tokio::test]
async fn a_batch_counts_repeated_keys_in_order_and_queues_only_the_admitted_on_postgresql() {
    let db = testkit::TestDb::postgres().await;
    repeated_keys_are_counted_in_batch_order(Store::connect(db.url()).await.unwrap()).await;
    db.cleanup().await;
}

#[test]
fn address_keys_are_locked_before_identifier_keys_whatever_their_bytes() {
    let batch = [admission("9.9.9.9", "zzzz"), admission("1.1.1.1", "AAAA")];
    let (ip, id) = key_counts(&batch);
    let order: Vec<&str> = in_lock_order(&ip, &id).iter().map(|(k, _)| *k).collect();
    assert_eq!(order, ["ip:1.1.1.1", "ip:9.9.9.9", "id:AAAA", "id:zzzz"]);
}

#[tokio::test]
async fn a_refused_request_reports_when_its_window_ends() {
    let store = sqlite_store().await;
    let batch = [admission("1.1.1.1", "a"), admission("1.1.1.1", "a")];
    let d = store.admit(&batch, limits(1, 10), 1_000_000).await.unwrap();
    assert_eq!(
        d[1],
        RateDecision::Limited {
            retry_after_s: (WINDOW_MS / 1000) as u64,
            by: LimitKey::Identifier,
        }
    );
}

/// Each request's trace context stays with its job (none stays none), whichever way it was queued:
/// SQLite's insert, PostgreSQL's transaction, PostgreSQL's one statement.
async fn the_trace_context_stays_with_its_job(store: Store) {
    const TRACE: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let traced = |ip: &str, identifier: &str| {
        let mut a = admission(ip, identifier);
        a.job.traceparent = Some(TRACE.to_owned());
        a
    };
    let batch = [traced("1.1.1.1", "a"), admission("1.1.1.1", "b")];
    store
        .admit(&batch, limits(10, 10), 1_000_000)
        .await
        .unwrap();
    let mut expected = vec![("a", Some(TRACE)), ("b", None)];
    if store.connection().get_database_backend() == DbBackend::Postgres {
        let batch = [traced("2.2.2.2", "c"), admission("2.2.2.2", "d")];
        admit_all_pg(store.writer(), &batch, limits(10, 10), 1_000_000)
            .await
            .unwrap();
        expected.extend([("c", Some(TRACE)), ("d", None)]);
    }
    let mut found: Vec<(String, Option<String>)> = store
        .claim_jobs(10, 60_000, 2_000_000)
        .await
        .unwrap()
        .into_iter()
        .map(|j| (j.job.identifier, j.job.traceparent))
        .collect();
    found.sort();
    let expected: Vec<(String, Option<String>)> = expected
        .into_iter()
        .map(|(i, t)| (i.to_owned(), t.map(str::to_owned)))
        .collect();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn the_trace_context_stays_with_its_job_on_sqlite_and_postgresql() {
    the_trace_context_stays_with_its_job(sqlite_store().await).await;
    let db = testkit::TestDb::postgres().await;
    the_trace_context_stays_with_its_job(Store::connect(db.url()).await.unwrap()).await;
    db.cleanup().await;
}
