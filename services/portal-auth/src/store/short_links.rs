//! Short links of the SMS: `<PUBLIC_URL>/portal/l/<code>`, stored by the hash of their code.

use sea_orm::{ConnectionTrait, DbErr};
use sha2::{Digest, Sha256};

use super::{Store, stmt};

fn hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// Stores a short link inside the caller's transaction.
pub async fn insert_short_link<C: ConnectionTrait>(
    db: &C,
    code: &str,
    claims: &str,
    expires_at: i64,
) -> Result<(), DbErr> {
    db.execute_raw(stmt(
        db.get_database_backend(),
        "INSERT INTO short_link (code_hash, claims, expires_at) VALUES ($1, $2, $3)",
        [hash(code).into(), claims.into(), expires_at.into()],
    ))
    .await?;
    Ok(())
}

impl Store {
    /// The claims behind a live short link. Following it does not use it up: mail and SMS scanners
    /// fetch links before the customer does.
    pub async fn find_short_link(&self, code: &str, now: i64) -> Result<Option<String>, DbErr> {
        let row = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                "SELECT claims FROM short_link WHERE code_hash = $1 AND expires_at > $2",
                [hash(code).into(), now.into()],
            ))
            .await?;
        row.map(|r| r.try_get("", "claims")).transpose()
    }
}
