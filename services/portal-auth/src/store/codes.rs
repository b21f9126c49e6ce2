//! Typed one-time codes: 6 digits, 15 minutes, one use, burned after five wrong guesses.

use sea_orm::{ConnectionTrait, DbErr};
use subtle::ConstantTimeEq;

use super::{Store, stmt};
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

impl Store {
    /// Checks `code` against the live codes of an identifier. The attempt is counted first, on every
    /// live code of that identifier still under [`MAX_CODE_ATTEMPTS`], and only the codes it counted
    /// on are compared: guesses in flight together queue on the codes' rows, so no code is ever
    /// compared more than five times. A match is used up.
    pub async fn check_code(
        &self,
        key: &CodeKey,
        identifier_key: &str,
        code: &str,
        now: i64,
    ) -> Result<CodeCheck, DbErr> {
        let txn = super::begin_write(&self.db).await?;
        let b = txn.get_database_backend();
        let rows = txn
            .query_all_raw(stmt(
                b,
                "UPDATE login_code SET attempts = attempts + 1 \
                 WHERE identifier_key = $1 AND used_at IS NULL AND expires_at > $2 AND attempts < $3 \
                 RETURNING id, code_hash, claims",
                [identifier_key.into(), now.into(), MAX_CODE_ATTEMPTS.into()],
            ))
            .await?;
        let mut matched = None;
        for r in &rows {
            let id: String = r.try_get("", "id")?;
            let stored: String = r.try_get("", "code_hash")?;
            if bool::from(stored.as_bytes().ct_eq(key.hash(&id, code).as_bytes())) {
                matched = Some((id, r.try_get::<String>("", "claims")?));
            }
        }
        let outcome = match matched {
            Some((id, claims)) => {
                let used = txn
                    .execute_raw(stmt(
                        b,
                        "UPDATE login_code SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
                        [id.into(), now.into()],
                    ))
                    .await?;
                if used.rows_affected() == 1 {
                    CodeCheck::Valid(claims)
                } else {
                    CodeCheck::Invalid
                }
            }
            None => CodeCheck::Invalid,
        };
        txn.commit().await?;
        Ok(outcome)
    }
}
