//! Token verification: EdDSA only, known `kid` only, `iss`/`aud`/`exp`/`nbf` always checked.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::jwks::Jwks;
use super::keys::KeyError;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_S: u64 = 30;

/// Why a token was refused (or could not be signed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a JWT: wrong shape, bad base64 or JSON, claims missing or of the wrong type.
    #[error("malformed token")]
    Malformed,
    /// The header's `kid` is missing or names no key we know.
    #[error("token signed by an unknown key")]
    UnknownKey,
    /// The signature does not match the header and payload.
    #[error("bad token signature")]
    BadSignature,
    /// The header's `alg` is not EdDSA.
    #[error("token algorithm not allowed")]
    WrongAlgorithm,
    /// `exp` has passed.
    #[error("token expired")]
    Expired,
    /// `nbf` is still in the future.
    #[error("token not yet valid")]
    NotYetValid,
    /// `aud` is not the audience expected here.
    #[error("token meant for another audience")]
    WrongAudience,
    /// `iss` is not our issuer.
    #[error("token from another issuer")]
    WrongIssuer,
    /// No verification keys could be obtained (JWKS endpoint unreachable and nothing cached).
    #[error("verification keys unavailable")]
    KeysUnavailable,
    /// Signing failed (a bug or a broken key, never the caller's fault).
    #[error("token signing failed: {0}")]
    Signing(String),
}

/// Verifies tokens against a fixed set of public keys. Cloning is cheap (shared state).
#[derive(Clone)]
pub struct TokenVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    keys: HashMap<String, DecodingKey>,
    issuer: String,
}

/// The only header fields we look at before the signature is checked.
#[derive(Deserialize)]
struct RawHeader {
    alg: Option<String>,
    kid: Option<String>,
    crit: Option<serde_json::Value>,
}

impl TokenVerifier {
    /// A verifier over the Ed25519 keys of `jwks`; keys of other types are ignored.
    /// Fails when the set holds no usable Ed25519 key.
    pub fn from_jwks(jwks: &Jwks, issuer: &str) -> Result<Self, KeyError> {
        let keys = jwks
            .keys
            .iter()
            .filter_map(|jwk| Some((jwk.kid.clone()?, jwk.ed25519_public_key()?)));
        let verifier = TokenVerifier::from_public_keys(keys, issuer);
        if verifier.inner.keys.is_empty() {
            return Err(KeyError::NoKeys("the JWKS".into()));
        }
        Ok(verifier)
    }

    /// Keys that are not valid curve points are dropped here, once, instead of failing each token.
    pub(crate) fn from_public_keys(
        keys: impl IntoIterator<Item = (String, [u8; 32])>,
        issuer: &str,
    ) -> TokenVerifier {
        let keys = keys
            .into_iter()
            .filter(|(_, public)| ed25519_dalek::VerifyingKey::from_bytes(public).is_ok())
            .filter_map(|(kid, public)| {
                let key = DecodingKey::from_ed_components(&URL_SAFE_NO_PAD.encode(public)).ok()?;
                Some((kid, key))
            })
            .collect();
        TokenVerifier {
            inner: Arc::new(Inner {
                keys,
                issuer: issuer.into(),
            }),
        }
    }

    /// Key ids this verifier accepts.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.inner.keys.keys().map(String::as_str)
    }

    /// Checks algorithm (EdDSA only), signature (the `kid` must be known), `iss`, `aud`,
    /// `exp` and `nbf` (30 s leeway), and that `sub`, `iss`, `aud`, `exp`, `nbf` are present;
    /// then returns the claims.
    pub fn verify<C: DeserializeOwned>(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<C, TokenError> {
        let header = read_header(token)?;
        // Decided here rather than by the library so `none`, HS256 and RS256 all get the same answer.
        if header.alg.as_deref() != Some("EdDSA") {
            return Err(TokenError::WrongAlgorithm);
        }
        if header.crit.is_some() {
            return Err(TokenError::Malformed);
        }
        let key = header
            .kid
            .and_then(|kid| self.inner.keys.get(&kid))
            .ok_or(TokenError::UnknownKey)?;
        jsonwebtoken::decode::<C>(token, key, &self.validation(audience))
            .map(|data| data.claims)
            .map_err(|e| token_error(e.kind()))
    }

    fn validation(&self, audience: &str) -> Validation {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = LEEWAY_S;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.inner.issuer]);
        validation.set_audience(&[audience]);
        validation
    }
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("issuer", &self.inner.issuer)
            .field("kids", &self.inner.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn read_header(token: &str) -> Result<RawHeader, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let json = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)
}

fn token_error(kind: &ErrorKind) -> TokenError {
    match kind {
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAlgorithm | ErrorKind::UnsupportedAlgorithm => TokenError::WrongAlgorithm,
        _ => TokenError::Malformed,
    }
}
