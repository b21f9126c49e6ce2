//! JSON Web Key Set (RFC 7517) with Ed25519 keys in the OKP form of RFC 8037.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The document served at `/.well-known/jwks.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// Published keys, newest (signing) key first.
    pub keys: Vec<Jwk>,
}

/// One public key. Other key types found in a fetched set keep their `kty` and are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `OKP` for Ed25519.
    pub kty: String,
    /// Curve: `Ed25519`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// Public key, base64url without padding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Key id, matched against the token header's `kid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Intended use: `sig`.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// Algorithm: `EdDSA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
}

impl Jwk {
    /// The JWK of an Ed25519 public key.
    pub fn ed25519(kid: &str, public_key: &[u8; 32]) -> Jwk {
        Jwk {
            kty: "OKP".into(),
            crv: Some("Ed25519".into()),
            x: Some(URL_SAFE_NO_PAD.encode(public_key)),
            kid: Some(kid.into()),
            use_: Some("sig".into()),
            alg: Some("EdDSA".into()),
        }
    }

    /// The 32 public key bytes when this is a usable Ed25519 signing key with a `kid`.
    pub fn ed25519_public_key(&self) -> Option<[u8; 32]> {
        let is_ed25519 = self.kty == "OKP" && self.crv.as_deref() == Some("Ed25519");
        let usable = self.use_.as_deref().is_none_or(|u| u == "sig")
            && self.alg.as_deref().is_none_or(|a| a == "EdDSA");
        if !is_ed25519 || !usable || self.kid.is_none() {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(self.x.as_deref()?).ok()?;
        bytes.try_into().ok()
    }
}

/// RFC 7638 thumbprint of an Ed25519 public key, used as its `kid`.
pub(crate) fn thumbprint(public_key: &[u8; 32]) -> String {
    // Required members only, in lexicographic order, no whitespace (RFC 7638 section 3).
    let canonical = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(public_key)
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_ed25519_jwk_serialises_as_rfc_8037_says() {
        let jwk = Jwk::ed25519("k1", &[0u8; 32]);
        let json = serde_json::to_value(&jwk).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kty":"OKP","crv":"Ed25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "kid":"k1","use":"sig","alg":"EdDSA"})
        );
    }

    #[test]
    fn the_thumbprint_matches_the_rfc_8037_example() {
        // RFC 8037 appendix A.3.
        let x = URL_SAFE_NO_PAD
            .decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
            .unwrap();
        let key: [u8; 32] = x.try_into().unwrap();
        assert_eq!(
            thumbprint(&key),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn rsa_and_malformed_keys_are_not_ed25519_keys() {
        let rsa: Jwk =
            serde_json::from_str(r#"{"kty":"RSA","n":"abc","e":"AQAB","kid":"r"}"#).unwrap();
        assert!(rsa.ed25519_public_key().is_none());
        let mut short = Jwk::ed25519("k", &[1u8; 32]);
        short.x = Some("AAAA".into());
        assert!(short.ed25519_public_key().is_none());
        let mut no_kid = Jwk::ed25519("k", &[1u8; 32]);
        no_kid.kid = None;
        assert!(no_kid.ed25519_public_key().is_none());
    }
}
