//! The `Stripe-Signature` header of a webhook: `t=<unix>,v1=<hex>[,v1=<hex>…]`, each `v1` the
//! lowercase hex HMAC-SHA256 of `t + "." + body` keyed by the endpoint's whole secret (`whsec_…`).
//! Any `v1` made with any of our secrets is accepted (a secret roll signs with both); other schemes
//! (`v0`) are ignored; a `t` older than the tolerance is refused (a replay), as Stripe's libraries do.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// How old a signature's `t` may be: Stripe's libraries' default.
pub const TOLERANCE_S: i64 = 300;

/// Why a webhook's signature is refused; the request is then answered 400 and nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Stripe-Signature` header, or one without `t=` or any `v1=`.
    #[error("no Stripe-Signature header with a timestamp and a v1 signature")]
    Malformed,
    /// Signed more than [`TOLERANCE_S`] ago.
    #[error("the signature is {age_s} s old (at most {TOLERANCE_S} s)")]
    Stale {
        /// Its age.
        age_s: i64,
    },
    /// No `v1` matches the body with any of our secrets.
    #[error("no v1 signature matches the body")]
    NoMatch,
}

/// Checks `header` against the raw `body` with each of `secrets`; `now` in Unix seconds. Returns
/// the signature's timestamp.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[SecretString],
    now: i64,
) -> Result<i64, SignatureError> {
    let (t, signatures) = parse(header.ok_or(SignatureError::Malformed)?)?;
    let age_s = now - t;
    if age_s > TOLERANCE_S {
        return Err(SignatureError::Stale { age_s });
    }
    let matched = secrets.iter().any(|secret| {
        let mac = keyed(secret, t, body);
        // Each check is constant time (`verify_slice`); which secret or signature matched shows nowhere.
        signatures
            .iter()
            .any(|sig| mac.clone().verify_slice(sig).is_ok())
    });
    if matched {
        Ok(t)
    } else {
        Err(SignatureError::NoMatch)
    }
}

/// The header Stripe sends for `body` signed with `secret` at `t` (for the stand-in and tests).
pub fn sign(secret: &SecretString, t: i64, body: &[u8]) -> String {
    let signature = hex::encode(keyed(secret, t, body).finalize().into_bytes());
    format!("t={t},v1={signature}")
}

fn keyed(secret: &SecretString, t: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose_secret().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// `t` and the decoded `v1` signatures; items split on `,`, then on their first `=`.
fn parse(header: &str) -> Result<(i64, Vec<Vec<u8>>), SignatureError> {
    let mut t = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        match item.trim().split_once('=') {
            Some(("t", value)) if t.is_none() => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => {
                // A v1 that is not hex can match nothing; it is skipped, not fatal.
                if let Ok(bytes) = hex::decode(value) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    match t {
        Some(t) if !signatures.is_empty() => Ok((t, signatures)),
        _ => Err(SignatureError::Malformed),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_test_webhook","object":"event"}"#;
    /// third-party-contracts.md §2: computed with Python's hmac from Stripe's documented scheme.
    const VECTOR: &str =
        "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990";
    const T: i64 = 1_700_000_000;

    fn secrets(list: &[&str]) -> Vec<SecretString> {
        list.iter().map(|s| SecretString::from(*s)).collect()
    }

    #[test]
    fn the_contract_vector_is_what_sign_makes_and_verify_accepts() {
        assert_eq!(sign(&SecretString::from(SECRET), T, BODY), VECTOR);
        assert_eq!(
            verify(Some(VECTOR), BODY, &secrets(&[SECRET]), T + 10),
            Ok(T)
        );
    }

    #[test]
    fn any_v1_with_any_secret_is_accepted_during_a_roll() {
        let new = sign(&SecretString::from("whsec_new"), T, BODY);
        let both = format!(
            "{VECTOR},v1={},v0=ignored",
            &new[new.find("v1=").unwrap() + 3..]
        );
        for accepted in [&both, &new] {
            assert_eq!(
                verify(
                    Some(accepted),
                    BODY,
                    &secrets(&["whsec_old", "whsec_new"]),
                    T
                ),
                Ok(T)
            );
        }
        assert_eq!(
            verify(Some(&new), BODY, &secrets(&[SECRET]), T),
            Err(SignatureError::NoMatch)
        );
    }

    /// Bad input tried: another body, another secret, a stale or missing timestamp, no v1, garbage.
    #[test]
    fn forged_stale_or_malformed_signatures_are_refused() {
        let ours = secrets(&[SECRET]);
        assert_eq!(
            verify(Some(VECTOR), b"{}", &ours, T),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            verify(Some(VECTOR), BODY, &secrets(&["whsec_x"]), T),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            verify(Some(VECTOR), BODY, &ours, T + TOLERANCE_S + 1),
            Err(SignatureError::Stale {
                age_s: TOLERANCE_S + 1
            })
        );
        for malformed in [
            None,
            Some(""),
            Some("v1=00"),
            Some("t=1700000000"),
            Some("t=x,v1=00"),
            Some("garbage"),
        ] {
            assert_eq!(
                verify(malformed, BODY, &ours, T),
                Err(SignatureError::Malformed),
                "{malformed:?}"
            );
        }
        let not_hex = "t=1700000000,v1=zz";
        assert_eq!(
            verify(Some(not_hex), BODY, &ours, T),
            Err(SignatureError::Malformed)
        );
    }
}
