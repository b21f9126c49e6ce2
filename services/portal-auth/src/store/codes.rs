//! Typed one-time codes: 6 digits, 15 minutes, one use, burned after five wrong guesses.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr};
use subtle::ConstantTimeEq;

use super::{Store, code_budget, stmt};
use crate::code_key::CodeKey;

/// Wrong guesses that burn every live code of an identifier.
pub const MAX_CODE_ATTEMPTS: i32 = 5;

/// A code to store (its hash only).
#[derive(Debug, Clone)]
pub struct NewCode {
    /// Row id.
    pub id: String,
    /// Hash of the identifier it was sent for.
    pub identifier_key: String,
    /// ERPNext Customer name.
    pub customer: String,
    /// The 6 digits, hashed before storage.
    pub code: String,
    /// Claims of the token the code redeems for (JSON).
    pub claims: String,
    /// Expiry (ms).
    pub expires_at: i64,
}

/// The outcome of a code check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right code, now used: the claims to sign.
    Valid(String),
    /// Wrong, expired, used, burned or unknown identifier (indistinguishable on purpose).
    Invalid,
}

/// Stores a code inside the caller's transaction.
pub async fn insert_code<C: ConnectionTrait>(
    db: &C,
    key: &CodeKey,
    c: &NewCode,
) -> Result<(), DbErr> {
    db.execute_raw(stmt(
        db.get_database_backend(),
        "INSERT INTO login_code (id, identifier_key, customer, code_hash, claims, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        [
            c.id.clone().into(),
            c.identifier_key.clone().into(),
            c.customer.clone().into(),
            key.hash(&c.id, &c.code).into(),
            c.claims.clone().into(),
            c.expires_at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// A code counted by a guess: a live one, or the identifier's decoy.
struct Counted {
    id: String,
    customer: String,
    code_hash: String,
    claims: String,
}

impl Store {
    /// Checks `code` against the live codes of an identifier. The attempt is counted first, on every
    /// live code of that identifier still under [`MAX_CODE_ATTEMPTS`], and only the codes it counted
    /// on are compared: guesses in flight together queue on the codes' rows, so no code is ever
    /// compared more than five times. Codes of a customer over its failure budget
    /// ([`code_budget`](super::code_budget)) are not compared; each code compared and missed counts
    /// against its customer. A match is used up.
    ///
    /// An identifier without live codes counts the attempt on its decoy row instead
    /// ([`count_decoy`]), whose customer is a budget of its own (`id:<key>`, never consulted): a
    /// wrong code runs the same statements, writes the same rows and computes the same hash whether
    /// the identifier names a customer or not.
    pub async fn check_code(
        &self,
        key: &CodeKey,
        identifier_key: &str,
        code: &str,
        now: i64,
        backoff_base_ms: i64,
    ) -> Result<CodeCheck, DbErr> {
        let txn = super::begin_write(&self.db).await?;
        let live = count_attempt(&txn, identifier_key, now).await?;
        let decoy = count_decoy(&txn, identifier_key, live.is_empty(), now).await?;
        let mut by_customer: BTreeMap<String, Vec<Counted>> = BTreeMap::new();
        for c in live.into_iter().chain(decoy) {
            by_customer.entry(c.customer.clone()).or_default().push(c);
        }
        let mut compared = Vec::with_capacity(by_customer.len());
        let mut matched = None;
        for (customer, codes) in &by_customer {
            let budget = code_budget::open(&txn, customer, now).await?;
            if budget.blocked_until > now {
                continue;
            }
            for c in codes {
                if bool::from(
                    c.code_hash
                        .as_bytes()
                        .ct_eq(key.hash(&c.id, code).as_bytes()),
                ) {
                    matched = Some((customer, c));
                }
            }
            compared.push((customer, budget, codes.len()));
        }
        let outcome = match matched {
            Some((customer, c)) if use_code(&txn, &c.id, now).await? => {
                code_budget::record_success(&txn, customer).await?;
                CodeCheck::Valid(c.claims.clone())
            }
            _ => {
                for (customer, budget, n) in compared {
                    let missed = i32::try_from(n).unwrap_or(i32::MAX);
                    code_budget::record_failures(
                        &txn,
                        customer,
                        budget,
                        missed,
                        now,
                        backoff_base_ms,
                    )
                    .await?;
                }
                CodeCheck::Invalid
            }
        };
        txn.commit().await?;
        Ok(outcome)
    }
}

/// Counts one attempt on every live code of the identifier under the limit, and gives them.
async fn count_attempt<C: ConnectionTrait>(
    txn: &C,
    identifier_key: &str,
    now: i64,
) -> Result<Vec<Counted>, DbErr> {
    let rows = txn
        .query_all_raw(stmt(
            txn.get_database_backend(),
            "UPDATE login_code SET attempts = attempts + 1 \
             WHERE identifier_key = $1 AND used_at IS NULL AND expires_at > $2 AND attempts < $3 \
             RETURNING id, customer, code_hash, claims",
            [identifier_key.into(), now.into(), MAX_CODE_ATTEMPTS.into()],
        ))
        .await?;
    counted(&rows)
}

// The decoy of an identifier: one row of `login_code` per identifier key (its id, `decoy:<key>`, is
// no code's uuid), expired from the start, so that no check counts on it, nothing else reads it, and
// the janitor purges it with the expired codes. Its hash is empty, which no HMAC equals; its
// customer is the identifier's own budget key. The statement runs on every check, writing only when
// `$5` says that no live code was counted: both paths then send the same statements, and each writes
// one row of `login_code` (a live code's attempt, or the decoy's).
const COUNT_DECOY: &str = "INSERT INTO login_code \
      (id, identifier_key, customer, code_hash, claims, expires_at, attempts) \
    SELECT $1, $2, $3, '', '', $4, 1 WHERE $5 \
    ON CONFLICT (id) DO UPDATE SET attempts = login_code.attempts + 1 \
    RETURNING id, customer, code_hash, claims";

/// Counts the attempt on the identifier's decoy row when `nothing_counted`, and gives the decoy.
async fn count_decoy<C: ConnectionTrait>(
    txn: &C,
    identifier_key: &str,
    nothing_counted: bool,
    now: i64,
) -> Result<Vec<Counted>, DbErr> {
    let rows = txn
        .query_all_raw(stmt(
            txn.get_database_backend(),
            COUNT_DECOY,
            [
                format!("decoy:{identifier_key}").into(),
                identifier_key.into(),
                format!("id:{identifier_key}").into(),
                now.into(),
                nothing_counted.into(),
            ],
        ))
        .await?;
    counted(&rows)
}

fn counted(rows: &[sea_orm::QueryResult]) -> Result<Vec<Counted>, DbErr> {
    rows.iter()
        .map(|r| {
            Ok(Counted {
                id: r.try_get("", "id")?,
                customer: r.try_get("", "customer")?,
                code_hash: r.try_get("", "code_hash")?,
                claims: r.try_get("", "claims")?,
            })
        })
        .collect()
}

/// Marks a code used; false when another request used it first.
async fn use_code<C: ConnectionTrait>(txn: &C, id: &str, now: i64) -> Result<bool, DbErr> {
    let used = txn
        .execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE login_code SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
            [id.into(), now.into()],
        ))
        .await?;
    Ok(used.rows_affected() == 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn code_key() -> CodeKey {
        CodeKey::from_secret(&"k".repeat(32)).unwrap()
    }

    /// The statements `store` runs for one wrong code typed with `identifier_key`.
    async fn statements_of_a_wrong_code(store: &mut Store, identifier_key: &str) -> Vec<String> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        store
            .db
            .set_metric_callback(move |info| log.lock().unwrap().push(info.statement.sql.clone()));
        let check = store
            .check_code(&code_key(), identifier_key, "000000", NOW, 30_000)
            .await
            .unwrap();
        assert_eq!(check, CodeCheck::Invalid);
        seen.lock().unwrap().clone()
    }

    /// The attempts written in `login_code`, per identifier key.
    async fn attempts(store: &Store) -> Vec<(String, i64)> {
        let rows = store
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                store.db.get_database_backend(),
                "SELECT identifier_key, CAST(SUM(attempts) AS BIGINT) FROM login_code \
                 GROUP BY identifier_key ORDER BY identifier_key",
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| {
                (
                    r.try_get_by_index(0).unwrap(),
                    r.try_get_by_index(1).unwrap(),
                )
            })
            .collect()
    }

    /// Issue 16, finding 4: a wrong code for an identifier with a live code wrote the attempt on
    /// that code's row; for an identifier without, the same UPDATE changed nothing, and the answer
    /// came sooner. Both now run the same statements and write one attempt in `login_code`: the
    /// live code's, or the identifier's decoy's.
    async fn a_wrong_code_runs_the_same_statements_and_writes_one_attempt_with_or_without_a_code(
        mut store: Store,
    ) {
        let code = NewCode {
            id: uuid::Uuid::now_v7().to_string(),
            identifier_key: "key-of-a-customer".into(),
            customer: "CUST-2024-00001".into(),
            code: "123456".into(),
            claims: "{}".into(),
            expires_at: NOW + 900_000,
        };
        insert_code(&store.db, &code_key(), &code).await.unwrap();

        let with_a_code = statements_of_a_wrong_code(&mut store, "key-of-a-customer").await;
        let without = statements_of_a_wrong_code(&mut store, "key-of-nobody").await;
        assert_eq!(with_a_code, without);
        let decoy = stmt(store.db.get_database_backend(), COUNT_DECOY, []).sql;
        assert!(without.contains(&decoy), "{without:#?}");
        assert_eq!(
            attempts(&store).await,
            [("key-of-a-customer".into(), 1), ("key-of-nobody".into(), 1)]
        );
    }

    #[tokio::test]
    async fn a_wrong_code_costs_the_same_with_or_without_a_live_code_on_sqlite_and_postgresql() {
        let file = std::env::temp_dir().join(format!("pa-codes-{}.db", uuid::Uuid::new_v4()));
        let sqlite = Store::connect(&format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .unwrap();
        a_wrong_code_runs_the_same_statements_and_writes_one_attempt_with_or_without_a_code(sqlite)
            .await;
        let db = testkit::TestDb::postgres().await;
        let postgres = Store::connect(db.url()).await.unwrap();
        a_wrong_code_runs_the_same_statements_and_writes_one_attempt_with_or_without_a_code(
            postgres,
        )
        .await;
        db.cleanup().await;
    }
}
