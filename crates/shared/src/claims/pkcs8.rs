//! PKCS#8 (RFC 8410) Ed25519 private keys, read and written by ed25519-dalek's `pkcs8` and `pem`
//! features. OpenSSL's `genpkey -algorithm ed25519` output (v1) and v2 documents that append the
//! public key are both read (a v2 public key that does not match its seed is refused); keys are
//! written as v1, OpenSSL's own format.

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, KeypairBytes};
use secrecy::zeroize::Zeroizing;

/// The v1 PKCS#8 DER of an Ed25519 seed (`None` only if the encoder fails, which a 32-byte seed
/// under a fixed algorithm identifier cannot make it do).
pub(crate) fn seed_to_der(seed: &[u8; 32]) -> Option<Zeroizing<Vec<u8>>> {
    let document = v1(seed).to_pkcs8_der().ok()?;
    Some(Zeroizing::new(document.as_bytes().to_vec()))
}

/// The PEM (`PRIVATE KEY`) of an Ed25519 seed (`None` as for [`seed_to_der`]).
pub(crate) fn seed_to_pem(seed: &[u8; 32]) -> Option<Zeroizing<String>> {
    v1(seed).to_pkcs8_pem(LineEnding::LF).ok()
}

/// The Ed25519 seed inside a PKCS#8 PEM, or `None` when it is not one.
pub(crate) fn pem_to_seed(pem: &str) -> Option<Zeroizing<[u8; 32]>> {
    let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem.trim()).ok()?;
    Some(Zeroizing::new(key.to_bytes()))
}

/// A v1 document: the seed without the public key.
fn v1(seed: &[u8; 32]) -> KeypairBytes {
    KeypairBytes {
        secret_key: *seed,
        public_key: None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
    const PEM_END: &str = "-----END PRIVATE KEY-----";

    /// RFC 8410 section 10.3 example private key.
    const RFC_8410_PEM: &str = "-----BEGIN PRIVATE KEY-----\n\
        MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
        -----END PRIVATE KEY-----\n";

    #[test]
    fn a_seed_survives_a_pem_round_trip() {
        let seed = [7u8; 32];
        let pem = seed_to_pem(&seed).unwrap();
        assert_eq!(*pem_to_seed(&pem).unwrap(), seed);
    }

    #[test]
    fn the_rfc_8410_example_key_is_read() {
        let seed = pem_to_seed(RFC_8410_PEM).unwrap();
        assert_eq!(seed[0], 0xd4);
        assert_eq!(seed[31], 0x42);
    }

    #[test]
    fn a_non_ed25519_document_is_refused() {
        assert!(pem_to_seed("nothing here").is_none());
        let mut der = seed_to_der(&[1u8; 32]).unwrap().to_vec();
        der[11] = 0x71; // Ed448 OID
        let pem = format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", STANDARD.encode(&der));
        assert!(pem_to_seed(&pem).is_none());
        let truncated = format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", STANDARD.encode(&der[..40]));
        assert!(pem_to_seed(&truncated).is_none());
    }
}
