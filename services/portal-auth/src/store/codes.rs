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
    /// ([`code_budget`](super::code_budget)) are not compared (at the same cost); each code compared
    /// and missed counts against its customer. A match is used up.
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
        let mut budgets = Vec::with_capacity(by_customer.len());
        let mut matched = None;
        for (customer, codes) in &by_customer {
            let budget = code_budget::open(&txn, customer, now).await?;
            // A blocked customer's codes are not compared, yet cost the same: their hashes, and the
            // budget written back unchanged. A link lifts a customer's lockout, never an unknown
            // identifier's, so a blocked check that answered sooner would tell them apart.
            let blocked = budget.blocked_until > now;
            for c in codes {
                let hash = key.hash(&c.id, code);
                if bool::from(c.code_hash.as_bytes().ct_eq(hash.as_bytes())) && !blocked {
                    matched = Some((customer, c));
                }
            }
            budgets.push((customer, budget, if blocked { 0 } else { codes.len() }));
        }
        let outcome = match matched {
            Some((customer, c)) if use_code(&txn, &c.id, now).await? => {
                code_budget::record_success(&txn, customer).await?;
                CodeCheck::Valid(c.claims.clone())
            }
            _ => {
                for (customer, budget, n) in budgets {
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
mod tests;
