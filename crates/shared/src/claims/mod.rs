//! JWT claims, Ed25519 signing keys, JWKS and token verification.
//!
//! portal-auth alone holds the private keys ([`KeyRing`]) and publishes their public
//! halves at `/.well-known/jwks.json` ([`Jwks`]). Every other service verifies tokens
//! through a [`JwksCache`]. The algorithm is pinned to EdDSA; `iss`, `aud`, `exp` and
//! `nbf` are always checked. Revocation (`jti` on logout, `ver` on "sign out
//! everywhere") needs server state and stays with the caller, after verification.

mod cache;
mod jwks;
mod key_files;
mod keys;
mod pkcs8;
mod verify;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

pub use cache::{JwksCache, JwksCacheSettings};
pub use jwks::{Jwk, Jwks};
pub use keys::{KeyError, KeyFileAccess, KeyRing, KeyState, SigningKey};
pub use verify::{TokenError, TokenVerifier};

/// Audience of customer portal tokens.
pub const AUD_PORTAL: &str = "portal";
/// Audience of field technician tokens.
pub const AUD_TECH: &str = "tech";
/// Lifetime of a customer token from a login link or a code (24 h): how long a link sent by email or
/// SMS lets its holder in, and so how long the `notify` stream may keep it.
pub const CUSTOMER_TOKEN_TTL_S: i64 = 24 * 3600;

/// Claims of a customer portal token (`aud` = [`AUD_PORTAL`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerClaims {
    /// Issuer: the public origin of portal-auth.
    pub iss: String,
    /// Audience: [`AUD_PORTAL`].
    pub aud: String,
    /// ERPNext Customer name (the document id, e.g. `CUST-00042`).
    pub sub: String,
    /// Display name of the customer.
    pub name: String,
    /// Preferred language (`fr` or `en`).
    pub lang: String,
    /// Issued at (unix seconds).
    pub iat: i64,
    /// Not before (unix seconds).
    pub nbf: i64,
    /// Expiry (unix seconds).
    pub exp: i64,
    /// Unique token id, checked against the revocation list on logout.
    pub jti: String,
    /// Customer token version at minting ("sign out everywhere" bumps it).
    pub ver: i64,
    /// Staff member acting as the customer (impersonation), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Actor>,
}

/// The staff member behind an impersonation token (RFC 8693 `act` claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Staff username (as given by Authentik).
    pub sub: String,
}

/// Claims of a field technician token (`aud` = [`AUD_TECH`]), bound to one job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechClaims {
    /// Issuer: the public origin of portal-auth.
    pub iss: String,
    /// Audience: [`AUD_TECH`].
    pub aud: String,
    /// Technician id.
    pub sub: String,
    /// Dispatch job the token is bound to.
    pub job: String,
    /// Issued at (unix seconds).
    pub iat: i64,
    /// Not before (unix seconds).
    pub nbf: i64,
    /// Expiry (unix seconds).
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
}

/// A fresh token id: 128 random bits, base64url without padding.
pub fn new_jti() -> String {
    random_token(16)
}

/// `bytes` random bytes from the OS, base64url without padding (short-link codes, nonces).
///
/// # Panics
/// When the operating system cannot provide randomness: no secure fallback exists,
/// and handing out predictable tokens would be worse than stopping.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    #[allow(
        clippy::expect_used,
        reason = "no safe way to continue without an OS RNG"
    )]
    getrandom::fill(&mut buf).expect("the OS random number generator failed");
    URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jti_carries_128_bits_in_22_url_safe_characters() {
        let jti = new_jti();
        assert_eq!(jti.len(), 22);
        assert!(
            jti.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(jti, new_jti());
    }

    #[test]
    fn customer_claims_omit_act_when_nobody_impersonates() {
        let claims = CustomerClaims {
            iss: "i".into(),
            aud: AUD_PORTAL.into(),
            sub: "CUST-1".into(),
            name: "N".into(),
            lang: "fr".into(),
            iat: 1,
            nbf: 1,
            exp: 2,
            jti: "j".into(),
            ver: 0,
            act: None,
        };
        let json = serde_json::to_value(&claims).unwrap_or_default();
        assert!(json.get("act").is_none());
        assert_eq!(json["sub"], "CUST-1");
    }
}
