//! The delivery log's hot writes, group-committed ([`shared::db::GroupCommit`]): the claims of a
//! batch go to the database as one statement, the `sent` outcomes as another, whatever the batch
//! size; rarer outcomes (captured, retry, dead) run one statement each in the same transaction.
//! On PostgreSQL the usual batch is a single statement and no transaction ([`ALONE_PG`]).
//! One statement per message, each a round trip on PostgreSQL, capped the service near 2,300
//! emails/s with the machine a third idle.

use std::collections::HashMap;
use std::sync::LazyLock;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement, Value,
};
use serde_json::json;
use shared::db::{WriteBatch, pg_array, stmt};

use super::{Claim, now_ms};

/// One write of the delivery log.
#[derive(Debug)]
pub(super) enum Write {
    /// Take a delivery for sending (see [`super::Store::claim`]).
    Claim(ClaimRow),
    /// Accepted by the provider.
    Sent {
        event_id: String,
        provider_id: String,
        subject: Option<String>,
    },
    /// Any other statement.
    Other(Statement),
}

/// The row a claim inserts when the delivery is new.
#[derive(Debug)]
pub(super) struct ClaimRow {
    pub event_id: String,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub customer: Option<String>,
    pub lease_ms: i64,
}

/// What a write gives back.
#[derive(Debug)]
pub(super) enum Written {
    Claim(Claim),
    Done,
}

/// Runs the batches.
pub(super) struct Writes;

// A row is ours when it is new, waiting for a retry, or its sender's lease ran out (a crashed worker:
// then `interrupted`, since that sender may have been cut after the provider accepted the message).
// The batch is one array per column on PostgreSQL (bound in binary: nothing to parse; an optional
// column comes with an array of booleans saying which entries are present) and one JSON parameter on
// SQLite, so the statement text (and its prepared plan) never changes.
const CLAIM_UPSERT: &str = " ON CONFLICT (event_id) DO UPDATE SET status = 'sending', \
      lease_until = excluded.lease_until, updated_at = $2, \
      interrupted = CASE WHEN delivery.status = 'sending' THEN 1 ELSE 0 END \
    WHERE delivery.status = 'retrying' OR (delivery.status = 'sending' AND delivery.lease_until < $2) \
    RETURNING event_id, CAST(attempts AS BIGINT), CAST(interrupted AS BIGINT)";

const CLAIM_PG: &str = "INSERT INTO delivery \
    (event_id, channel, recipient, status, attempts, lease_until, template, customer, created_at, updated_at) \
    SELECT c.event_id, c.channel, c.recipient, 'sending', 0, c.lease_until, c.template, CASE WHEN c.has_customer THEN c.customer END, $2, $2 \
    FROM unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::int8[]) \
      AS c(event_id, channel, recipient, template, customer, has_customer, lease_until)";

// SQLite needs `WHERE true` to tell the upsert's ON from a join's.
const CLAIM_SQLITE: &str = "INSERT INTO delivery \
    (event_id, channel, recipient, status, attempts, lease_until, template, customer, created_at, updated_at) \
    SELECT value ->> 'event_id', value ->> 'channel', value ->> 'recipient', 'sending', 0, \
      value ->> 'lease_until', value ->> 'template', value ->> 'customer', $2, $2 \
    FROM jsonb_each(jsonb($1)) WHERE true";

// Index lookups whatever the table's statistics: a prepared statement's plan is frozen after a few
// runs, and a join planned while the table was nearly empty (a hash over a scan of the whole table)
// made every later batch read all of it. An upsert finds its rows through the primary key, always.
const STATUS_PG: &str = "SELECT d.event_id, d.status FROM unnest($1::text[]) AS i(id) \
    CROSS JOIN LATERAL (SELECT event_id, status FROM delivery WHERE event_id = i.id LIMIT 1) AS d";

const STATUS_SQLITE: &str = "SELECT event_id, status FROM delivery \
    WHERE event_id IN (SELECT value FROM jsonb_each(jsonb($1)))";

// The claim wrote the row before the message was sent, so the upsert always updates it; the
// insert's values only satisfy the table's constraints.
const SENT_UPSERT: &str = " ON CONFLICT (event_id) DO UPDATE SET status = 'sent', \
      provider_id = excluded.provider_id, subject = excluded.subject, error = NULL, \
      updated_at = excluded.updated_at";

/// The claims' parameters on PostgreSQL: `$1`-`$8` of [`CLAIM_PG`] ([`claim_values_pg`]).
const CLAIM_PARAMS: usize = 8;
/// Where the `sent` insert's four arrays (event ids, provider ids, subjects, has-subject) are bound:
/// alone, around `now` at `$2` as in every statement here; after the claims in [`ALONE_PG`].
const SENT_ARRAYS_ALONE: [usize; 4] = [1, 3, 4, 5];
const SENT_ARRAYS_AFTER_CLAIMS: [usize; 4] = [
    CLAIM_PARAMS + 1,
    CLAIM_PARAMS + 2,
    CLAIM_PARAMS + 3,
    CLAIM_PARAMS + 4,
];

/// The `sent` insert on PostgreSQL, its arrays bound at `arrays` and `now` at `$2`. The statement
/// text and the values bound ([`sent_values`], [`take`]) both follow these numbers, so neither
/// can change without the other; the tests check every placeholder has a value.
fn sent_pg(arrays: [usize; 4]) -> String {
    let [ids, providers, subjects, has_subject] = arrays;
    format!(
        "INSERT INTO delivery \
         (event_id, channel, recipient, status, provider_id, subject, created_at, updated_at) \
         SELECT s.event_id, '', '', 'sent', s.provider_id, CASE WHEN s.has_subject THEN s.subject END, $2, $2 \
         FROM unnest(${ids}::text[], ${providers}::text[], ${subjects}::text[], ${has_subject}::bool[]) \
         AS s(event_id, provider_id, subject, has_subject)"
    )
}

static SENT_PG: LazyLock<String> = LazyLock::new(|| sent_pg(SENT_ARRAYS_ALONE));

const SENT_SQLITE: &str = "INSERT INTO delivery \
    (event_id, channel, recipient, status, provider_id, subject, created_at, updated_at) \
    SELECT value ->> 'event_id', '', '', 'sent', value ->> 'provider_id', value ->> 'subject', $2, $2 \
    FROM jsonb_each(jsonb($1)) WHERE true";

// On PostgreSQL the usual batch (claims and `sent` outcomes of distinct deliveries) is this one
// statement, without `BEGIN`/`COMMIT`: the outcomes in a data-modifying CTE (which runs whether or
// not it is read), then the claims. Parameters: the claims' `$1`-`$8`, then the outcomes' arrays.
static ALONE_PG: LazyLock<String> = LazyLock::new(|| {
    let sent = sent_pg(SENT_ARRAYS_AFTER_CLAIMS);
    format!("WITH sent AS ({sent}{SENT_UPSERT} RETURNING 1) {CLAIM_PG}{CLAIM_UPSERT}")
});

impl WriteBatch for Writes {
    type Op = Write;
    type Out = Written;

    /// One round trip instead of four for the usual batch on PostgreSQL; a batch with another
    /// statement, or with a claim and an outcome of the same delivery, runs in a transaction, as
    /// does one whose connection died idle (nothing was written).
    async fn run_alone(
        &self,
        db: &DatabaseConnection,
        ops: &[Write],
    ) -> Result<Option<Vec<Written>>, DbErr> {
        if db.get_database_backend() != DbBackend::Postgres
            || ops.iter().any(|op| matches!(op, Write::Other(_)))
        {
            return Ok(None);
        }
        let (claims, sent) = split(ops);
        if claims
            .iter()
            .any(|c| sent.iter().any(|s| s.event_id == c.event_id))
        {
            return Ok(None);
        }
        let now = now_ms();
        let written_alone = if claims.is_empty() {
            record_sent(db, &sent, now).await.map(|()| None)
        } else {
            take(db, &claims, now, &sent).await.map(Some)
        };
        let taken = match written_alone {
            Err(e) if shared::db::session_ended(&e) => return Ok(None),
            written => written?,
        };
        let claimed = match taken {
            Some(taken) => verdicts(db, &claims, taken).await?,
            None => Vec::new(),
        };
        Ok(Some(written(ops, claimed)))
    }

    async fn run(&self, txn: &DatabaseTransaction, ops: Vec<Write>) -> Result<Vec<Written>, DbErr> {
        let now = now_ms();
        let (claims, sent) = split(&ops);
        let claimed = claim_many(txn, &claims, now).await?;
        record_sent(txn, &sent, now).await?;
        let out = written(&ops, claimed);
        for op in ops {
            if let Write::Other(statement) = op {
                txn.execute_raw(statement).await?;
            }
        }
        Ok(out)
    }
}

/// The claims and the `sent` outcomes of a batch.
fn split(ops: &[Write]) -> (Vec<&ClaimRow>, Vec<SentRow<'_>>) {
    let claims = ops
        .iter()
        .filter_map(|op| match op {
            Write::Claim(row) => Some(row),
            _ => None,
        })
        .collect();
    let sent = ops
        .iter()
        .filter_map(|op| match op {
            Write::Sent {
                event_id,
                provider_id,
                subject,
            } => Some(SentRow {
                event_id,
                provider_id,
                subject: subject.as_deref(),
            }),
            _ => None,
        })
        .collect();
    (claims, sent)
}

/// One result per op, in order; `claimed` holds the claims' verdicts in order.
fn written(ops: &[Write], claimed: Vec<Claim>) -> Vec<Written> {
    let mut claimed = claimed.into_iter();
    ops.iter()
        .map(|op| match op {
            Write::Claim(_) => Written::Claim(claimed.next().unwrap_or(Claim::Done)),
            Write::Sent { .. } | Write::Other(_) => Written::Done,
        })
        .collect()
}

fn pick<'a>(backend: DbBackend, pg: &'a str, sqlite: &'a str) -> &'a str {
    match backend {
        DbBackend::Postgres => pg,
        _ => sqlite,
    }
}

struct SentRow<'a> {
    event_id: &'a str,
    provider_id: &'a str,
    subject: Option<&'a str>,
}

/// Marks every row of `rows` sent, in one statement.
async fn record_sent<C: ConnectionTrait>(
    db: &C,
    rows: &[SentRow<'_>],
    now: i64,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let sql = format!("{}{SENT_UPSERT}", pick(backend, &SENT_PG, SENT_SQLITE));
    let values = match backend {
        DbBackend::Postgres => sent_values(rows, now),
        _ => {
            let param = rows
                .iter()
                .map(|r| json!({"event_id": r.event_id, "provider_id": r.provider_id, "subject": r.subject}))
                .collect::<serde_json::Value>();
            vec![param.to_string().into(), now.into()]
        }
    };
    db.execute_raw(stmt(backend, &sql, values)).await?;
    Ok(())
}

/// The four arrays of the `sent` insert, in [`sent_pg`]'s order.
fn sent_arrays(rows: &[SentRow<'_>]) -> [Value; 4] {
    [
        pg_array(rows, |r| r.event_id.to_owned()),
        pg_array(rows, |r| r.provider_id.to_owned()),
        pg_array(rows, |r| r.subject.unwrap_or_default().to_owned()),
        pg_array(rows, |r| r.subject.is_some()),
    ]
}

/// The parameters of [`SENT_PG`]: `now` at `$2`, the arrays where [`SENT_ARRAYS_ALONE`] says.
fn sent_values(rows: &[SentRow<'_>], now: i64) -> Vec<Value> {
    let mut values: Vec<Option<Value>> = vec![None; SENT_ARRAYS_ALONE.len() + 1];
    values[1] = Some(now.into());
    for (place, array) in SENT_ARRAYS_ALONE.into_iter().zip(sent_arrays(rows)) {
        values[place - 1] = Some(array);
    }
    values.into_iter().flatten().collect()
}

/// The parameters of [`CLAIM_PG`], `$1`-`$8`.
fn claim_values_pg(rows: &[&ClaimRow], now: i64) -> Vec<Value> {
    vec![
        pg_array(rows, |r| r.event_id.clone()),
        now.into(),
        pg_array(rows, |r| r.channel.clone()),
        pg_array(rows, |r| r.recipient.clone()),
        pg_array(rows, |r| r.template.clone()),
        pg_array(rows, |r| r.customer.clone().unwrap_or_default()),
        pg_array(rows, |r| r.customer.is_some()),
        pg_array(rows, |r| now + r.lease_ms),
    ]
}

/// Claims every row of `rows` in one statement; one [`Claim`] per row, in order. A delivery that
/// appears twice in the batch (a redelivery racing the first copy) is claimed once: the later copy
/// finds it busy, or done, as it would one batch later.
async fn claim_many(
    txn: &DatabaseTransaction,
    rows: &[&ClaimRow],
    now: i64,
) -> Result<Vec<Claim>, DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let taken = take(txn, rows, now, &[]).await?;
    verdicts(txn, rows, taken).await
}

/// The claims a batch took: per event id, its first place in the batch; per id taken, its claim.
type Taken<'a> = (HashMap<&'a str, usize>, HashMap<String, Claim>);

/// The claim statement of [`claim_many`], its only write; with `sent` (PostgreSQL only), the same
/// statement records those outcomes too ([`ALONE_PG`]).
async fn take<'a, C: ConnectionTrait>(
    db: &C,
    rows: &[&'a ClaimRow],
    now: i64,
    sent: &[SentRow<'_>],
) -> Result<Taken<'a>, DbErr> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    let unique: Vec<&ClaimRow> = rows
        .iter()
        .enumerate()
        .filter(|(i, r)| *first.entry(r.event_id.as_str()).or_insert(*i) == *i)
        .map(|(_, r)| *r)
        .collect();
    let backend = db.get_database_backend();
    let mut values = match backend {
        DbBackend::Postgres => claim_values_pg(&unique, now),
        _ => {
            let param = unique
                .iter()
                .map(|r| {
                    json!({
                        "event_id": r.event_id, "channel": r.channel, "recipient": r.recipient,
                        "template": r.template, "customer": r.customer, "lease_until": now + r.lease_ms,
                    })
                })
                .collect::<serde_json::Value>();
            vec![param.to_string().into(), now.into()]
        }
    };
    let sql = if sent.is_empty() {
        format!("{}{CLAIM_UPSERT}", pick(backend, CLAIM_PG, CLAIM_SQLITE))
    } else {
        // After the claims' parameters, as `SENT_ARRAYS_AFTER_CLAIMS` numbers them.
        values.extend(sent_arrays(sent));
        ALONE_PG.clone()
    };
    let mut outcome: HashMap<String, Claim> = HashMap::with_capacity(rows.len());
    for row in db.query_all_raw(stmt(backend, &sql, values)).await? {
        let id: String = row.try_get_by_index(0)?;
        let attempts: i64 = row.try_get_by_index(1)?;
        let interrupted: i64 = row.try_get_by_index(2)?;
        let mine = Claim::Mine {
            attempts: u32::try_from(attempts).unwrap_or(0),
            interrupted: interrupted != 0,
        };
        outcome.insert(id, mine);
    }
    Ok((first, outcome))
}

/// Every claim's verdict, asking the database why the ones not taken were not.
async fn verdicts<C: ConnectionTrait>(
    db: &C,
    rows: &[&ClaimRow],
    (first, mut outcome): Taken<'_>,
) -> Result<Vec<Claim>, DbErr> {
    let backend = db.get_database_backend();
    // Not taken: done already (a redelivery) or held by a live worker.
    let others: Vec<&str> = first
        .keys()
        .filter(|id| !outcome.contains_key(**id))
        .copied()
        .collect();
    if !others.is_empty() {
        let param = match backend {
            DbBackend::Postgres => pg_array(&others, |id| (*id).to_owned()),
            _ => serde_json::to_string(&others)
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .into(),
        };
        let status = stmt(backend, pick(backend, STATUS_PG, STATUS_SQLITE), [param]);
        // A read, so it may go again when its connection died idle: the claims are committed
        // already, and failing now would leave them `sending` until their lease runs out.
        let rows = match db.query_all_raw(status.clone()).await {
            Err(e) if shared::db::session_ended(&e) => db.query_all_raw(status).await?,
            rows => rows?,
        };
        for row in rows {
            let id: String = row.try_get_by_index(0)?;
            let status: String = row.try_get_by_index(1)?;
            let claim = if status == "sending" {
                Claim::Busy
            } else {
                Claim::Done
            };
            outcome.insert(id, claim);
        }
    }
    Ok(rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let claim = outcome
                .get(r.event_id.as_str())
                .cloned()
                .unwrap_or(Claim::Done);
            match claim {
                Claim::Mine { .. } if first[r.event_id.as_str()] != i => Claim::Busy,
                claim => claim,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use super::{
        ALONE_PG, CLAIM_PARAMS, CLAIM_PG, CLAIM_UPSERT, ClaimRow, SENT_PG, SentRow,
        claim_values_pg, sent_arrays, sent_values,
    };

    /// The `$n` placeholders of a statement.
    fn placeholders(sql: &str) -> BTreeSet<usize> {
        sql.split('$')
            .skip(1)
            .filter_map(|rest| {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
            .collect()
    }

    /// Every placeholder of each PostgreSQL statement has exactly one value bound, `$1` to `$n`
    /// with no gap: renumbering one part of the one-statement batch without the other fails here.
    #[test]
    fn each_postgresql_statement_binds_one_value_per_placeholder() {
        let claim = ClaimRow {
            event_id: "e".into(),
            channel: "email".into(),
            recipient: "a@example.org".into(),
            template: "t".into(),
            customer: None,
            lease_ms: 1,
        };
        let sent = [SentRow {
            event_id: "e",
            provider_id: "p",
            subject: None,
        }];
        let claims = claim_values_pg(&[&claim], 0).len();
        let alone = claims + sent_arrays(&sent).len();
        for (name, sql, bound) in [
            ("claim", format!("{CLAIM_PG}{CLAIM_UPSERT}"), claims),
            ("sent", SENT_PG.clone(), sent_values(&sent, 0).len()),
            ("alone", ALONE_PG.clone(), alone),
        ] {
            assert_eq!(
                placeholders(&sql),
                (1..=bound).collect::<BTreeSet<_>>(),
                "{name}: {sql}"
            );
        }
        assert_eq!(claims, CLAIM_PARAMS);
    }

    use super::super::{Claim, Finish, NewDelivery, Store};
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    use shared::db::stmt;

    fn delivery(event_id: &str) -> NewDelivery<'_> {
        NewDelivery {
            event_id,
            channel: "email",
            recipient: "a@example.org",
            template: "t",
            customer: None,
        }
    }

    /// Claims that land in one batch get the verdicts they would get one by one: new -> mine, a
    /// second copy of the same command -> busy, sent -> done, held by a live lease -> busy, left
    /// `sending` past its lease -> mine and interrupted, waiting for a retry -> mine with its attempts.
    async fn one_batch_of_claims(url: &str) -> Result<(), sea_orm::DbErr> {
        let store = Store::connect(url).await?;
        let long = Duration::from_secs(60);
        for id in ["sent", "held", "retrying"] {
            assert!(matches!(
                store.claim(&delivery(id), long).await?,
                Claim::Mine { .. }
            ));
        }
        store.claim(&delivery("expired"), Duration::ZERO).await?;
        let sent = Finish::Sent {
            provider_id: "<sent@x>",
            subject: Some("s"),
        };
        store.record("sent", &sent).await?;
        let retry = Finish::Retry {
            error: "421",
            count_attempt: true,
        };
        store.record("retrying", &retry).await?;
        tokio::time::sleep(Duration::from_millis(5)).await;

        let ids = ["new", "new", "sent", "held", "expired", "retrying"];
        let claims = futures::future::try_join_all(ids.map(|id| claim(&store, id, long))).await?;
        let mine = |attempts, interrupted| Claim::Mine {
            attempts,
            interrupted,
        };
        assert_eq!(
            claims,
            [
                mine(0, false),
                Claim::Busy,
                Claim::Done,
                Claim::Busy,
                mine(0, true),
                mine(1, false)
            ]
        );
        let rows = store.list(None, false, 10).await?;
        let sent = rows.iter().find(|r| r.id == "sent").expect("the sent row");
        assert_eq!(
            (sent.status.as_str(), sent.provider_id.as_deref()),
            ("sent", Some("<sent@x>"))
        );
        assert_eq!(
            sent.to, "a@example.org",
            "recording kept the row's recipient"
        );
        Ok(())
    }

    /// Optional columns go through a batch as they are: no subject or customer stays none, an empty
    /// subject stays empty (PostgreSQL's arrays carry them with a "present" flag).
    async fn optional_columns_survive_a_batch(url: &str) -> Result<(), sea_orm::DbErr> {
        let store = Store::connect(url).await?;
        let long = Duration::from_secs(60);
        let subjects = [
            ("none", None),
            ("empty", Some("")),
            ("some", Some("Objet é")),
        ];
        for (id, subject) in subjects {
            let customer = subject.map(|_| "C-1");
            store
                .claim(
                    &NewDelivery {
                        customer,
                        ..delivery(id)
                    },
                    long,
                )
                .await?;
            let sent = Finish::Sent {
                provider_id: "<p@x>",
                subject,
            };
            store.record(id, &sent).await?;
        }
        let rows = store.list(None, false, 10).await?;
        for (id, subject) in subjects {
            let row = rows.iter().find(|r| r.id == id).expect("the row");
            assert_eq!(row.subject.as_deref(), subject, "{id}");
            let customer = store
                .connection()
                .query_one_raw(shared::db::stmt(
                    store.connection().get_database_backend(),
                    "SELECT customer FROM delivery WHERE event_id = $1",
                    [id.into()],
                ))
                .await?
                .expect("the row")
                .try_get_by_index::<Option<String>>(0)?;
            assert_eq!(customer.as_deref(), subject.map(|_| "C-1"), "{id}");
        }
        Ok(())
    }

    #[tokio::test]
    async fn optional_columns_survive_a_batch_on_sqlite_and_postgres() {
        let db = testkit::TestDb::sqlite();
        let outcome = optional_columns_survive_a_batch(db.url()).await;
        db.cleanup().await;
        outcome.expect("SQLite answers");
        let db = testkit::TestDb::postgres().await;
        let outcome = optional_columns_survive_a_batch(db.url()).await;
        db.cleanup().await;
        outcome.expect("PostgreSQL answers");
    }

    async fn claim(store: &Store, id: &str, lease: Duration) -> Result<Claim, sea_orm::DbErr> {
        store.claim(&delivery(id), lease).await
    }

    #[tokio::test]
    async fn a_batch_of_claims_on_sqlite() {
        let db = testkit::TestDb::sqlite();
        let outcome = one_batch_of_claims(db.url()).await;
        db.cleanup().await;
        outcome.expect("the store answers");
    }

    /// The plan of `sql` prepared on an empty log, once `fill` has run (PostgreSQL).
    async fn frozen_plan(types: &str, sql: &str, warm: &str, fill: &str, args: &str) -> String {
        let db = testkit::TestDb::postgres().await;
        let store = Store::connect(db.url()).await.expect("the store");
        let plan = testkit::frozen_plan(store.connection(), types, sql, warm, fill, args).await;
        db.cleanup().await;
        plan.expect("the plan")
    }

    /// Frozen while the log was empty, the look-up of claims not taken still goes through the
    /// primary key, not a scan of the whole log.
    #[tokio::test]
    async fn the_status_plan_frozen_on_an_empty_log_still_uses_the_primary_key() {
        let plan = frozen_plan(
            "text[]",
            super::STATUS_PG,
            "'{a}'",
            "INSERT INTO delivery (event_id, channel, recipient, status, created_at, updated_at) \
             SELECT 'ev-' || g, 'email', 'a@example.org', 'sent', g, g FROM generate_series(1, 20000) AS g",
            "'{ev-1,ev-2}'",
        )
        .await;
        assert!(plan.contains("delivery_pkey"), "{plan}");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }

    /// Twilio's status callbacks find their row through the SMS-only provider index.
    #[tokio::test]
    async fn the_sms_status_plan_uses_the_sms_provider_index() {
        let plan = frozen_plan(
            "text, text, text, bigint",
            crate::store::SMS_STATUS,
            "'SM0', 'delivered', NULL, 1",
            "INSERT INTO delivery (event_id, channel, recipient, status, provider_id, created_at, updated_at) \
             SELECT 'ev-' || g, CASE WHEN g % 10 = 0 THEN 'sms' ELSE 'email' END, 'a@example.org', \
               'sent', 'id-' || g, g, g FROM generate_series(1, 20000) AS g",
            "'id-10', 'delivered', NULL, 2",
        )
        .await;
        assert!(plan.contains("delivery_provider_sms"), "{plan}");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }

    /// Claims and outcomes in one batch (on PostgreSQL one statement when they name distinct
    /// deliveries, a transaction when one names the same delivery twice or after the writer's
    /// connections were terminated): the same verdicts and rows as one by one.
    async fn claims_and_outcomes_in_one_batch(url: &str, cut: bool) -> Result<(), sea_orm::DbErr> {
        let store = Store::connect(url).await?;
        let long = Duration::from_secs(60);
        for id in ["a", "b", "held"] {
            claim(&store, id, long).await?;
        }
        let sent = Finish::Sent {
            provider_id: "<p@x>",
            subject: Some("s"),
        };
        let (a, b, new, held) = tokio::try_join!(
            store.record("a", &sent),
            store.record("b", &sent),
            claim(&store, "new", long),
            claim(&store, "held", long),
        )?;
        assert_eq!((a, b), ((), ()));
        assert!(matches!(
            new,
            Claim::Mine {
                attempts: 0,
                interrupted: false
            }
        ));
        assert_eq!(held, Claim::Busy);
        // The claim and the outcome of one delivery in one batch.
        let (same, ()) =
            tokio::try_join!(claim(&store, "same", long), store.record("same", &sent))?;
        assert!(matches!(same, Claim::Mine { .. }));
        if cut {
            testkit::terminate_connections(url).await;
        }
        let (after, ()) =
            tokio::try_join!(claim(&store, "after", long), store.record("new", &sent))?;
        assert!(matches!(after, Claim::Mine { .. }));

        let rows = store.list(None, false, 10).await?;
        let status = |id: &str| rows.iter().find(|r| r.id == id).map(|r| r.status.clone());
        for (id, expected) in [
            ("a", "sent"),
            ("b", "sent"),
            ("new", "sent"),
            ("held", "sending"),
            ("same", "sent"),
            ("after", "sending"),
        ] {
            assert_eq!(status(id).as_deref(), Some(expected), "{id}");
        }
        Ok(())
    }

    #[tokio::test]
    async fn claims_and_outcomes_in_one_batch_on_sqlite_and_postgres() {
        let db = testkit::TestDb::sqlite();
        let outcome = claims_and_outcomes_in_one_batch(db.url(), false).await;
        db.cleanup().await;
        outcome.expect("SQLite answers");
        let db = testkit::TestDb::postgres().await;
        let outcome = claims_and_outcomes_in_one_batch(db.url(), true).await;
        db.cleanup().await;
        outcome.expect("PostgreSQL answers");
    }

    /// A claim of a delivery already sent, after one of the writer's connections died idle (a
    /// failover, a proxy's idle timeout), each of them in turn: the claim statement runs on one
    /// connection and the status look-up that follows it on the other, so whichever died, the batch
    /// must still answer (the statement falls back, the look-up asks again).
    async fn one_dead_writer_connection(url: &str) -> Result<(), sea_orm::DbErr> {
        let store = Store::connect(url).await?;
        let sent = Finish::Sent {
            provider_id: "<p@x>",
            subject: None,
        };
        claim(&store, "done", Duration::from_secs(60)).await?;
        store.record("done", &sent).await?;
        // One connection, so that the listing leaves out every connection of its own.
        let mut options = sea_orm::ConnectOptions::new(url);
        options.max_connections(1);
        let admin = sea_orm::Database::connect(options).await?;
        let backends = "SELECT pid FROM pg_stat_activity \
            WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY pid";
        // Which connection the pool hands out first depends on the order they came back in, so a
        // few rounds.
        for round in 0..4 {
            let pids: Vec<i32> = admin
                .query_all_raw(Statement::from_string(DbBackend::Postgres, backends))
                .await?
                .iter()
                .map(|row| row.try_get_by_index(0))
                .collect::<Result<_, _>>()?;
            assert!(
                round > 0 || pids.len() >= 2,
                "the writer's two and the pool's: {pids:?}"
            );
            for pid in pids {
                terminated_one(&store, &admin, pid, &format!("new-{round}-{pid}")).await?;
            }
        }
        admin.close().await
    }

    /// Terminates backend `pid`, then claims `done` (not taken: its status is looked up) and `id`.
    async fn terminated_one(
        store: &Store,
        admin: &sea_orm::DatabaseConnection,
        pid: i32,
        id: &str,
    ) -> Result<(), sea_orm::DbErr> {
        let terminate = "SELECT pg_terminate_backend($1, 5000)";
        admin
            .execute_raw(stmt(DbBackend::Postgres, terminate, [pid.into()]))
            .await?;
        let long = Duration::from_secs(60);
        let (again, new) = tokio::try_join!(claim(store, "done", long), claim(store, id, long))?;
        assert_eq!(again, Claim::Done, "after backend {pid} was terminated");
        assert!(matches!(new, Claim::Mine { .. }), "after backend {pid}");
        Ok(())
    }

    #[tokio::test]
    async fn one_dead_writer_connection_fails_no_batch_on_postgres() {
        let db = testkit::TestDb::postgres().await;
        let outcome = one_dead_writer_connection(db.url()).await;
        db.cleanup().await;
        outcome.expect("PostgreSQL answers");
    }

    #[tokio::test]
    async fn a_batch_of_claims_on_postgres() {
        let db = testkit::TestDb::postgres().await;
        let outcome = one_batch_of_claims(db.url()).await;
        db.cleanup().await;
        outcome.expect("the store answers");
    }
}
