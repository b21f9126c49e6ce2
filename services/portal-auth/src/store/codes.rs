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

/// One live code counted by a guess.
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
    /// An identifier without live codes reads and writes a budget of its own (`id:<key>`, never
    /// consulted), so that a wrong code costs the same statements whether the identifier is a
    /// customer's or not.
    pub async fn check_code(
        &self,
        key: &CodeKey,
        identifier_key: &str,
        code: &str,
        now: i64,
        backoff_base_ms: i64,
    ) -> Result<CodeCheck, DbErr> {
        let txn = super::begin_write(&self.db).await?;
        let counted = count_attempt(&txn, identifier_key, now).await?;
        let mut by_customer: BTreeMap<String, Vec<Counted>> = BTreeMap::new();
        for c in counted {
            by_customer.entry(c.customer.clone()).or_default().push(c);
        }
        if by_customer.is_empty() {
            by_customer.insert(format!("id:{identifier_key}"), Vec::new());
            // The hash a live code would have cost, so that no code costs the same time as a miss.
            std::hint::black_box(key.hash(identifier_key, code));
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
                    let missed = i32::try_from(n.max(1)).unwrap_or(i32::MAX);
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
