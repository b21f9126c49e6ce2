//! Minimal PKCS#8 (RFC 8410) handling for Ed25519 private keys.
//!
//! An Ed25519 private key is a fixed-layout DER document, so a prefix check is enough
//! and spares us a general ASN.1 parser. OpenSSL's `genpkey -algorithm ed25519`
//! output (v1) and v2 documents that append the public key are both accepted.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::zeroize::Zeroizing;

/// DER of a v1 `OneAsymmetricKey` for Ed25519, up to the 32-byte seed.
const V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
/// The algorithm identifier and seed wrapper, shared by v1 and v2 documents.
const AFTER_VERSION: [u8; 11] = [
    0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";

/// The v1 PKCS#8 DER of an Ed25519 seed.
pub(crate) fn seed_to_der(seed: &[u8; 32]) -> Zeroizing<Vec<u8>> {
    let mut der = Zeroizing::new(Vec::with_capacity(48));
    der.extend_from_slice(&V1_PREFIX);
    der.extend_from_slice(seed);
    der
}

/// The PEM (`PRIVATE KEY`) of an Ed25519 seed.
pub(crate) fn seed_to_pem(seed: &[u8; 32]) -> Zeroizing<String> {
    let body = Zeroizing::new(STANDARD.encode(seed_to_der(seed).as_slice()));
    Zeroizing::new(format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", body.as_str()))
}

/// The Ed25519 seed inside a PKCS#8 PEM, or `None` when it is not one.
pub(crate) fn pem_to_seed(pem: &str) -> Option<Zeroizing<[u8; 32]>> {
    let start = pem.find(PEM_BEGIN)? + PEM_BEGIN.len();
    let end = start + pem[start..].find(PEM_END)?;
    let body: Zeroizing<String> = Zeroizing::new(
        pem[start..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
    );
    let der = Zeroizing::new(STANDARD.decode(body.as_bytes()).ok()?);
    der_to_seed(&der)
}

fn der_to_seed(der: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
    // SEQUENCE with a short-form length covering the whole document.
    let outer_ok = der.len() >= 48 && der[0] == 0x30 && usize::from(der[1]) + 2 == der.len();
    // INTEGER version 0 (v1) or 1 (v2).
    let version_ok = der
        .get(2..5)
        .is_some_and(|v| v == [0x02, 0x01, 0x00] || v == [0x02, 0x01, 0x01]);
    if !outer_ok || !version_ok || der.get(5..16)? != AFTER_VERSION {
        return None;
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    seed.copy_from_slice(der.get(16..48)?);
    Some(seed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// RFC 8410 section 10.3 example private key.
    const RFC_8410_PEM: &str = "-----BEGIN PRIVATE KEY-----\n\
        MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
        -----END PRIVATE KEY-----\n";

    #[test]
    fn a_seed_survives_a_pem_round_trip() {
        let seed = [7u8; 32];
        let pem = seed_to_pem(&seed);
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
        let mut der = seed_to_der(&[1u8; 32]).to_vec();
        der[11] = 0x71; // Ed448 OID
        let pem = format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", STANDARD.encode(&der));
        assert!(pem_to_seed(&pem).is_none());
        let truncated = format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", STANDARD.encode(&der[..40]));
        assert!(pem_to_seed(&truncated).is_none());
    }
}
