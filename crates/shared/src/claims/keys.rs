//! Ed25519 signing keys on disk and the key ring that signs with the newest one.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::zeroize::Zeroizing;
use serde::Serialize;

use super::jwks::{Jwk, Jwks, thumbprint};
use super::key_files::{
    check_access, create_key_dir, created_from_name, io_error, modified_at, pem_files, write_key,
};
use super::pkcs8;
use super::verify::{TokenError, TokenVerifier};

/// Why a key ring could not be built.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing the key directory failed.
    #[error("key file I/O failed on {path}")]
    Io {
        /// File or directory concerned.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A key is not a PKCS#8 Ed25519 private key (or a JWK not a valid Ed25519 public key).
    #[error("{0} is not a valid Ed25519 key")]
    InvalidKey(String),
    /// No key was found where at least one is required.
    #[error("no Ed25519 key found in {0}")]
    NoKeys(String),
    /// The operating system could not provide randomness for a new key.
    #[error("no randomness available for key generation: {0}")]
    Random(String),
    /// A key file that users other than the service's may read (see [`KeyFileAccess`]).
    #[error(
        "signing key file {path} has mode {mode:04o}: {who} may read it; chmod 600 it (or 640/440 with root as its owner, as a Kubernetes secret volume)"
    )]
    Exposed {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
        /// `others` or `its group`.
        who: &'static str,
    },
}

/// What loading does with a key file that its group or others may access. Refused outside the
/// embedded default: the file must be `0600` (or `0640`/`0440` owned by root, the shape of a
/// Kubernetes secret volume read through the pod's `fsGroup`, as PostgreSQL allows for its key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFileAccess {
    /// Fail with [`KeyError::Exposed`] naming the file and its mode.
    Refuse,
    /// Log a warning and use the key (the embedded default, whose keys this process wrote).
    Warn,
}

/// One Ed25519 key pair. Debug output never shows the private half.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    created_at: i64,
    public: [u8; 32],
    private: EncodingKey,
}

impl SigningKey {
    pub(super) fn from_seed(seed: &[u8; 32], created_at: i64) -> Result<SigningKey, KeyError> {
        let public = ed25519_dalek::SigningKey::from_bytes(seed)
            .verifying_key()
            .to_bytes();
        let der = pkcs8::seed_to_der(seed)
            .ok_or_else(|| KeyError::InvalidKey("a new Ed25519 seed".into()))?;
        Ok(SigningKey {
            kid: thumbprint(&public),
            created_at,
            public,
            private: EncodingKey::from_ed_der(&der),
        })
    }

    /// Reads a PKCS#8 PEM Ed25519 private key; `origin` names it in errors.
    fn from_pem(pem: &str, created_at: i64, origin: &str) -> Result<SigningKey, KeyError> {
        let seed = pkcs8::pem_to_seed(pem).ok_or_else(|| KeyError::InvalidKey(origin.into()))?;
        SigningKey::from_seed(&seed, created_at)
    }

    /// Key id: the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Creation time (unix seconds); the newest key signs.
    pub fn created_at(&self) -> i64 {
        self.created_at
    }

    /// The public key as published in the JWKS.
    pub fn jwk(&self) -> Jwk {
        Jwk::ed25519(&self.kid, &self.public)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("created_at", &self.created_at)
            .field("private", &"[redacted]")
            .finish()
    }
}

/// Every key portal-auth knows, oldest first. The newest key known for at least the activation
/// delay signs; the others only verify. A new key is published (JWKS) and verifies at once but signs
/// only after the delay, so that every replica and every JWKS cache knows it before any token
/// signed with it is shown to them.
#[derive(Clone, Debug)]
pub struct KeyRing {
    keys: Vec<SigningKey>,
    activation_delay_s: i64,
}

/// Where one key of a ring stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Newer than the signing key and not yet old enough to sign: published, verifies, signs from
    /// `signs_from` (unix seconds).
    Pending {
        /// When it starts signing.
        signs_from: i64,
    },
    /// Signs new tokens.
    Signing,
    /// Replaced; published and verifying the tokens it signed until `until` (unix seconds).
    Verifying {
        /// When the last token it signed expires.
        until: i64,
    },
    /// None of its tokens can still be valid: no longer published.
    Retired,
}

impl KeyRing {
    /// Embedded default: loads every `*.pem` (PKCS#8 Ed25519) in `dir`, or generates one
    /// (file mode 0600, named `<created-unix>-<kid>.pem`) when there is none.
    /// A key file others may read is used with a warning ([`KeyFileAccess::Warn`]).
    pub fn load_or_generate(dir: &Path) -> Result<KeyRing, KeyError> {
        create_key_dir(dir)?;
        if pem_files(dir)?.is_empty() {
            write_key(dir, &*new_seed()?, now())?;
        }
        KeyRing::load_with(dir, KeyFileAccess::Warn)
    }

    /// Production: loads every `*.pem` in `dir` and fails when there is none, or when a key file is
    /// readable by others ([`KeyFileAccess::Refuse`]).
    pub fn load(dir: &Path) -> Result<KeyRing, KeyError> {
        KeyRing::load_with(dir, KeyFileAccess::Refuse)
    }

    /// Loads every `*.pem` in `dir`, treating exposed key files as `access` says.
    pub fn load_with(dir: &Path, access: KeyFileAccess) -> Result<KeyRing, KeyError> {
        let mut keys = Vec::new();
        for path in pem_files(dir)? {
            check_access(&path, access)?;
            let pem = Zeroizing::new(fs::read_to_string(&path).map_err(io_error(&path))?);
            let created = created_from_name(&path).unwrap_or_else(|| modified_at(&path));
            keys.push(SigningKey::from_pem(
                &pem,
                created,
                &path.display().to_string(),
            )?);
        }
        KeyRing::from_keys(keys, || dir.display().to_string())
    }

    /// Builds a ring from PEM texts (a key given in the environment) with their creation times.
    pub fn from_pems(pems: &[(i64, String)]) -> Result<KeyRing, KeyError> {
        let keys = pems
            .iter()
            .enumerate()
            .map(|(i, (created, pem))| SigningKey::from_pem(pem, *created, &format!("PEM #{i}")))
            .collect::<Result<Vec<_>, _>>()?;
        KeyRing::from_keys(keys, || "the given PEMs".into())
    }

    /// A ring with one fresh key held in memory only (tests, throwaway tools).
    pub fn ephemeral() -> Result<KeyRing, KeyError> {
        let key = SigningKey::from_seed(&*new_seed()?, now())?;
        KeyRing::from_keys(vec![key], || "memory".into())
    }

    /// Generates a fresh signing key in `dir` (rotation); older keys stay and remain published.
    pub fn rotate(dir: &Path) -> Result<KeyRing, KeyError> {
        create_key_dir(dir)?;
        let newest = match KeyRing::load(dir) {
            Ok(ring) => ring.newest().created_at,
            Err(KeyError::NoKeys(_)) => i64::MIN,
            Err(e) => return Err(e),
        };
        // Strictly newer than the current key, so the new one signs even within the same second.
        write_key(dir, &*new_seed()?, now().max(newest.saturating_add(1)))?;
        KeyRing::load(dir)
    }

    /// The same ring, a new key signing only `seconds` after its creation (0: at once).
    #[must_use]
    pub fn with_activation_delay(mut self, seconds: i64) -> KeyRing {
        self.activation_delay_s = seconds.max(0);
        self
    }

    /// The key that signs new tokens now.
    pub fn signing_key(&self) -> &SigningKey {
        self.signing_key_at(now())
    }

    /// The key that signs at `now`: the newest one past its activation delay, or the oldest key when
    /// none is yet (a first key, just generated: nobody else can know another one).
    pub fn signing_key_at(&self, now: i64) -> &SigningKey {
        &self.keys[self.signing_index(now)]
    }

    /// The most recently created key (signing or pending).
    pub fn newest(&self) -> &SigningKey {
        // from_keys guarantees at least one key, sorted oldest first.
        &self.keys[self.keys.len() - 1]
    }

    /// The state at `now` of `self.keys()[index]`, tokens living `max_token_ttl_s`.
    pub fn state(&self, index: usize, now: i64, max_token_ttl_s: i64) -> KeyState {
        let signing = self.signing_index(now);
        if index > signing {
            return KeyState::Pending {
                signs_from: self.activates_at(index),
            };
        }
        if index == signing {
            return KeyState::Signing;
        }
        // It signed until its successor took over; its last token lives one lifetime more.
        let until = self.activates_at(index + 1).saturating_add(max_token_ttl_s);
        if now < until {
            KeyState::Verifying { until }
        } else {
            KeyState::Retired
        }
    }

    fn activates_at(&self, index: usize) -> i64 {
        self.keys[index]
            .created_at
            .saturating_add(self.activation_delay_s)
    }

    fn signing_index(&self, now: i64) -> usize {
        if self.activation_delay_s == 0 {
            // No delay: the newest key signs, even one stamped a second ahead by `rotate`.
            return self.keys.len() - 1;
        }
        (0..self.keys.len())
            .rev()
            .find(|&i| self.activates_at(i) <= now)
            .unwrap_or(0)
    }

    /// All keys, oldest first.
    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }

    /// Signs `claims` with the signing key; header `alg: EdDSA`, `typ: JWT`, `kid`.
    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, TokenError> {
        let key = self.signing_key();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.private)
            .map_err(|e| TokenError::Signing(e.to_string()))
    }

    /// Public keys needed at `now`, newest first: pending keys (soon signing), the signing key, and
    /// every older key whose tokens may still be live.
    pub fn jwks(&self, now: i64, max_token_ttl_s: i64) -> Jwks {
        let keys = (0..self.keys.len())
            .rev()
            .filter(|&i| self.state(i, now, max_token_ttl_s) != KeyState::Retired)
            .map(|i| self.keys[i].jwk())
            .collect();
        Jwks { keys }
    }

    /// A verifier accepting tokens of every key of this ring, issued by `issuer`.
    pub fn verifier(&self, issuer: &str) -> TokenVerifier {
        TokenVerifier::from_public_keys(self.keys.iter().map(|k| (k.kid.clone(), k.public)), issuer)
    }

    fn from_keys(
        mut keys: Vec<SigningKey>,
        origin: impl FnOnce() -> String,
    ) -> Result<KeyRing, KeyError> {
        if keys.is_empty() {
            return Err(KeyError::NoKeys(origin()));
        }
        // The same key copied twice keeps its earliest date.
        keys.sort_by(|a, b| (&a.kid, a.created_at).cmp(&(&b.kid, b.created_at)));
        keys.dedup_by(|later, earlier| later.kid == earlier.kid);
        keys.sort_by(|a, b| (a.created_at, &a.kid).cmp(&(b.created_at, &b.kid)));
        Ok(KeyRing {
            keys,
            activation_delay_s: 0,
        })
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn new_seed() -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut_slice()).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(seed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TTL: i64 = 86_400;

    /// A ring of fresh keys created at `times`, a new key signing `delay` seconds after creation.
    fn ring(times: &[i64], delay: i64) -> KeyRing {
        let pems: Vec<(i64, String)> = times
            .iter()
            .map(|t| {
                (
                    *t,
                    pkcs8::seed_to_pem(&new_seed().unwrap())
                        .unwrap()
                        .to_string(),
                )
            })
            .collect();
        KeyRing::from_pems(&pems)
            .unwrap()
            .with_activation_delay(delay)
    }

    fn kids(jwks: &Jwks) -> Vec<String> {
        jwks.keys.iter().filter_map(|k| k.kid.clone()).collect()
    }

    #[test]
    fn a_new_key_is_published_at_once_but_signs_only_after_the_delay() {
        let r = ring(&[1_000, 2_000], 600);
        let (old, new) = (r.keys()[0].kid().to_owned(), r.keys()[1].kid().to_owned());
        assert_eq!(r.signing_key_at(2_599).kid(), old);
        assert_eq!(
            r.state(1, 2_599, TTL),
            KeyState::Pending { signs_from: 2_600 }
        );
        assert_eq!(kids(&r.jwks(2_599, TTL)), [new.clone(), old.clone()]);

        assert_eq!(r.signing_key_at(2_600).kid(), new);
        assert_eq!(
            r.state(0, 2_600, TTL),
            KeyState::Verifying { until: 2_600 + TTL }
        );
        assert_eq!(r.state(0, 2_600 + TTL, TTL), KeyState::Retired);
        assert_eq!(kids(&r.jwks(2_600 + TTL, TTL)), [new]);
    }

    #[test]
    fn the_oldest_key_signs_while_none_is_past_the_delay() {
        let r = ring(&[1_000, 1_100], 600);
        assert_eq!(r.signing_key_at(1_050).kid(), r.keys()[0].kid());
        assert_eq!(r.newest().kid(), r.keys()[1].kid());
    }

    #[test]
    fn without_a_delay_the_newest_key_signs() {
        let r = ring(&[1_000, 2_000], 0);
        assert_eq!(r.signing_key_at(2_000).kid(), r.keys()[1].kid());
        assert_eq!(
            r.state(0, 2_000 + TTL - 1, TTL),
            KeyState::Verifying { until: 2_000 + TTL }
        );
    }
}
