//! Revoked tokens (`jti`) and per-customer token versions ("sign out everywhere").

use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

use super::{Store, stmt};

/// One row of the revocation log, replayed into every replica's in-memory set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationEntry {
    /// One token.
    Token {
        /// Its `jti`.
        jti: String,
    },
    /// Every token of a customer minted below `min_version`.
    Customer {
        /// ERPNext Customer name.
        customer: String,
        /// Lowest token version still valid.
        min_version: i64,
    },
}

impl Store {
    /// Revokes one token until its expiry.
    pub async fn revoke_token(&self, jti: &str, expires_at: i64) -> Result<(), DbErr> {
        self.db
            .execute_raw(stmt(
                self.db.get_database_backend(),
                "INSERT INTO revocation (jti, expires_at) VALUES ($1, $2)",
                [jti.into(), expires_at.into()],
            ))
            .await?;
        Ok(())
    }

    /// Bumps the customer's token version, revoking every token minted before; returns the new version.
    pub async fn revoke_customer(&self, customer: &str, expires_at: i64) -> Result<i64, DbErr> {
        let txn = self.db.begin().await?;
        let b = txn.get_database_backend();
        let row = txn
            .query_one_raw(stmt(
                b,
                "INSERT INTO token_version (customer, version) VALUES ($1, 1) \
                 ON CONFLICT (customer) DO UPDATE SET version = token_version.version + 1 RETURNING version",
                [customer.into()],
            ))
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("token_version upsert returned nothing".into()))?;
        let version: i64 = row.try_get_by_index(0)?;
        txn.execute_raw(stmt(
            b,
            "INSERT INTO revocation (customer, min_version, expires_at) VALUES ($1, $2, $3)",
            [customer.into(), version.into(), expires_at.into()],
        ))
        .await?;
        txn.commit().await?;
        Ok(version)
    }

    /// Revocations logged after `seq`, oldest first, with the last sequence number read.
    pub async fn revocations_since(
        &self,
        seq: i64,
        now: i64,
    ) -> Result<(Vec<RevocationEntry>, i64), DbErr> {
        let rows = self
            .db
            .query_all_raw(stmt(
                self.db.get_database_backend(),
                "SELECT seq, jti, customer, min_version FROM revocation WHERE seq > $1 AND expires_at > $2 ORDER BY seq",
                [seq.into(), now.into()],
            ))
            .await?;
        let mut last = seq;
        let mut entries = Vec::with_capacity(rows.len());
        for r in rows {
            last = last.max(r.try_get::<i64>("", "seq")?);
            let jti: Option<String> = r.try_get("", "jti")?;
            let customer: Option<String> = r.try_get("", "customer")?;
            let min_version: Option<i64> = r.try_get("", "min_version")?;
            match (jti, customer, min_version) {
                (Some(jti), _, _) => entries.push(RevocationEntry::Token { jti }),
                (None, Some(customer), Some(min_version)) => {
                    entries.push(RevocationEntry::Customer {
                        customer,
                        min_version,
                    })
                }
                _ => {}
            }
        }
        Ok((entries, last))
    }
}

/// The version new tokens of `customer` carry.
pub async fn token_version<C: ConnectionTrait>(db: &C, customer: &str) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(stmt(
            db.get_database_backend(),
            "SELECT version FROM token_version WHERE customer = $1",
            [customer.into()],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0))
}
