//! Customer tokens: minting, verification (signature, claims, revocation) and the in-memory
//! revocation set that every replica replays from the database.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sha2::{Digest, Sha256};
use shared::claims::{
    AUD_PORTAL, AUD_TECH, Actor, CustomerClaims, Jwks, KeyFileAccess, KeyRing, TechClaims,
    TokenError, TokenVerifier, new_jti,
};

use crate::store::{RevocationEntry, Store, now_ms};

/// Lifetime of a token from a link or a code (24 h; the `notify` stream keeps no message longer).
pub use shared::claims::CUSTOMER_TOKEN_TTL_S;
/// Lifetime of a token minted by support staff.
pub const IMPERSONATION_TTL_S: i64 = 3600;
const VERIFIED_CACHE_MAX: usize = 50_000;

/// Why a presented token is refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Bad signature, claims or format.
    #[error("invalid token: {0}")]
    Invalid(#[from] TokenError),
    /// Logged out (this token or everywhere).
    #[error("token revoked")]
    Revoked,
}

/// Revoked `jti`s and per-customer minimum versions, replayed from the `revocation` table.
#[derive(Default)]
struct RevocationSet {
    jtis: HashSet<String>,
    min_versions: HashMap<String, i64>,
    last_seq: i64,
}

impl RevocationSet {
    fn apply(&mut self, entry: RevocationEntry) {
        match entry {
            RevocationEntry::Token { jti } => {
                self.jtis.insert(jti);
            }
            RevocationEntry::Customer {
                customer,
                min_version,
            } => {
                let v = self.min_versions.entry(customer).or_insert(0);
                *v = (*v).max(min_version);
            }
        }
    }

    fn refuses(&self, claims: &CustomerClaims) -> bool {
        self.jtis.contains(&claims.jti)
            || self
                .min_versions
                .get(&claims.sub)
                .is_some_and(|min| claims.ver < *min)
    }
}

/// The keys in force and the verifier built from them, swapped together on a reload.
struct Signer {
    ring: KeyRing,
    verifier: TokenVerifier,
}

/// Mints and verifies customer tokens.
pub struct Tokens {
    signer: RwLock<Arc<Signer>>,
    issuer: String,
    revoked: RwLock<RevocationSet>,
    // Tokens whose signature already verified, by hash: the hot path of /auth/verify.
    verified: RwLock<HashMap<[u8; 32], CustomerClaims>>,
}

impl Tokens {
    /// Tokens signed by `keys` for `issuer`.
    pub fn new(keys: KeyRing, issuer: &str) -> Self {
        let verifier = keys.verifier(issuer);
        Self {
            signer: RwLock::new(Arc::new(Signer {
                ring: keys,
                verifier,
            })),
            issuer: issuer.to_owned(),
            revoked: RwLock::default(),
            verified: RwLock::default(),
        }
    }

    fn signer(&self) -> Arc<Signer> {
        match self.signer.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The public keys to publish at `now` (`/.well-known/jwks.json`).
    pub fn jwks(&self, now: i64) -> Jwks {
        self.signer().ring.jwks(now, CUSTOMER_TOKEN_TTL_S)
    }

    /// Puts `keys` in force when they differ from the keys in force (a key added or removed on
    /// disk); says whether they did. Tokens already verified are checked again against the new keys.
    pub fn replace_keys(&self, keys: KeyRing) -> bool {
        let kids = |r: &KeyRing| {
            r.keys()
                .iter()
                .map(|k| k.kid().to_owned())
                .collect::<Vec<_>>()
        };
        if kids(&self.signer().ring) == kids(&keys) {
            return false;
        }
        let verifier = keys.verifier(&self.issuer);
        let signer = Arc::new(Signer {
            ring: keys,
            verifier,
        });
        match self.signer.write() {
            Ok(mut s) => *s = signer,
            Err(poisoned) => *poisoned.into_inner() = signer,
        }
        if let Ok(mut m) = self.verified.write() {
            m.clear();
        }
        true
    }

    /// Reloads the keys of `dir` every `every`, so that a rotation reaches every replica without a
    /// restart; a directory that cannot be read, or a key file others may read (`access`), keeps the
    /// keys in force (and says so in the log).
    pub fn spawn_key_reload(
        self: &Arc<Self>,
        dir: std::path::PathBuf,
        access: KeyFileAccess,
        activation_delay_s: i64,
        every: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let tokens = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                match KeyRing::load_with(&dir, access) {
                    Ok(ring) => {
                        let ring = ring.with_activation_delay(activation_delay_s);
                        let kids: Vec<String> =
                            ring.keys().iter().map(|k| k.kid().to_owned()).collect();
                        if tokens.replace_keys(ring) {
                            tracing::info!(?kids, "signing keys reloaded from JWT_KEYS_DIR");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot reload the signing keys; keeping those in force");
                    }
                }
            }
        })
    }

    /// Claims of a fresh customer token.
    pub fn claims(
        &self,
        customer: &str,
        name: &str,
        lang: &str,
        version: i64,
        ttl_s: i64,
        actor: Option<&str>,
    ) -> CustomerClaims {
        let now = now_ms() / 1000;
        CustomerClaims {
            iss: self.issuer.clone(),
            aud: AUD_PORTAL.to_owned(),
            sub: customer.to_owned(),
            name: name.to_owned(),
            lang: lang.to_owned(),
            iat: now,
            nbf: now,
            exp: now + ttl_s,
            jti: new_jti(),
            ver: version,
            act: actor.map(|a| Actor { sub: a.to_owned() }),
        }
    }

    /// Signs claims. Ed25519 is deterministic: the same claims give the same token, which is how a
    /// typed code or a short link redeems "the same token" as the email link.
    pub fn sign(&self, claims: &CustomerClaims) -> Result<String, TokenError> {
        self.signer().ring.sign(claims)
    }

    /// Claims of a fresh tech token: `technician` working on `job`, from now until `exp` (Unix
    /// seconds), with our issuer.
    pub fn tech_claims(&self, technician: &str, job: &str, exp: i64) -> TechClaims {
        let now = now_ms() / 1000;
        TechClaims {
            iss: self.issuer.clone(),
            aud: AUD_TECH.to_owned(),
            sub: technician.to_owned(),
            job: job.to_owned(),
            iat: now,
            nbf: now,
            exp,
            jti: new_jti(),
        }
    }

    /// Signs a tech token with the signing key in force (the same keys and JWKS as customer
    /// tokens; a tech token lives 12 h at most, less than the 24 h old keys stay published).
    pub fn sign_tech(&self, claims: &TechClaims) -> Result<String, TokenError> {
        self.signer().ring.sign(claims)
    }

    /// Verifies a token: pinned EdDSA, known key, issuer, audience, time, then revocation.
    pub fn verify(&self, token: &str) -> Result<CustomerClaims, Refusal> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let cached = self
            .verified
            .read()
            .ok()
            .and_then(|m| m.get(&digest).cloned());
        let claims = match cached {
            Some(c) if c.exp > now_ms() / 1000 => c,
            _ => {
                let c: CustomerClaims = self.signer().verifier.verify(token, AUD_PORTAL)?;
                if let Ok(mut m) = self.verified.write() {
                    if m.len() >= VERIFIED_CACHE_MAX {
                        m.clear();
                    }
                    m.insert(digest, c.clone());
                }
                c
            }
        };
        let revoked = self
            .revoked
            .read()
            .map(|r| r.refuses(&claims))
            .unwrap_or(true);
        if revoked {
            Err(Refusal::Revoked)
        } else {
            Ok(claims)
        }
    }

    /// Records a revocation made by this replica at once (others replay it within a poll).
    pub fn remember(&self, entry: RevocationEntry) {
        if let Ok(mut r) = self.revoked.write() {
            r.apply(entry);
        }
    }

    /// Replays revocations logged since the last call (by any replica).
    pub async fn sync_revocations(&self, store: &Store) -> Result<(), sea_orm::DbErr> {
        let since = self.revoked.read().map(|r| r.last_seq).unwrap_or(0);
        let (entries, last) = store.revocations_since(since, now_ms()).await?;
        if let Ok(mut r) = self.revoked.write() {
            entries.into_iter().for_each(|e| r.apply(e));
            r.last_seq = r.last_seq.max(last);
        }
        Ok(())
    }

    /// Keeps the revocation set in step with the database.
    pub fn spawn_revocation_sync(
        self: &Arc<Self>,
        store: Store,
        every: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let tokens = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if let Err(e) = tokens.sync_revocations(&store).await {
                    tracing::warn!(error = %e, "revocation sync failed; retrying");
                }
            }
        })
    }
}
