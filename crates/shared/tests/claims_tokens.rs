//! Signing, verification, refusals, rotation and key files of `shared::claims`.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use shared::claims::{
    AUD_PORTAL, AUD_TECH, Actor, CustomerClaims, Jwks, KeyRing, TokenError, TokenVerifier, new_jti,
};

const ISSUER: &str = "https://hub.gigafibre.test";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims() -> CustomerClaims {
    let now = now();
    CustomerClaims {
        iss: ISSUER.into(),
        aud: AUD_PORTAL.into(),
        sub: "CUST-00042".into(),
        name: "Josée Tremblay".into(),
        lang: "fr".into(),
        iat: now,
        nbf: now,
        exp: now + 24 * 3600,
        jti: new_jti(),
        ver: 3,
        act: None,
    }
}

fn verify(ring: &KeyRing, token: &str) -> Result<CustomerClaims, TokenError> {
    ring.verifier(ISSUER).verify(token, AUD_PORTAL)
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("claims-test-{}", new_jti()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn parts(token: &str) -> Vec<String> {
    token.split('.').map(String::from).collect()
}

#[test]
fn a_freshly_signed_token_verifies_and_round_trips_the_claims() {
    let ring = KeyRing::ephemeral().unwrap();
    let mut original = claims();
    original.act = Some(Actor {
        sub: "agent.lavoie".into(),
    });
    let token = ring.sign(&original).unwrap();
    assert_eq!(verify(&ring, &token).unwrap(), original);
}

#[test]
fn the_header_names_eddsa_jwt_and_the_signing_kid() {
    let ring = KeyRing::ephemeral().unwrap();
    let token = ring.sign(&claims()).unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert_eq!(header.kid.as_deref(), Some(ring.signing_key().kid()));
}

#[test]
fn a_token_verifies_through_the_published_jwks() {
    let ring = KeyRing::ephemeral().unwrap();
    let token = ring.sign(&claims()).unwrap();
    let json = serde_json::to_string(&ring.jwks(now(), 86_400)).unwrap();
    let jwks: Jwks = serde_json::from_str(&json).unwrap();
    let verifier = TokenVerifier::from_jwks(&jwks, ISSUER).unwrap();
    let verified: CustomerClaims = verifier.verify(&token, AUD_PORTAL).unwrap();
    assert_eq!(verified.sub, "CUST-00042");
}

#[test]
fn a_jwks_without_ed25519_keys_is_refused_and_foreign_keys_are_ignored() {
    let rsa_only: Jwks =
        serde_json::from_str(r#"{"keys":[{"kty":"RSA","n":"sXch","e":"AQAB","kid":"r1"}]}"#)
            .unwrap();
    assert!(TokenVerifier::from_jwks(&rsa_only, ISSUER).is_err());

    let ring = KeyRing::ephemeral().unwrap();
    let mut mixed = ring.jwks(now(), 86_400);
    mixed.keys.extend(rsa_only.keys);
    let verifier = TokenVerifier::from_jwks(&mixed, ISSUER).unwrap();
    let token = ring.sign(&claims()).unwrap();
    assert!(
        verifier
            .verify::<CustomerClaims>(&token, AUD_PORTAL)
            .is_ok()
    );
}

#[test]
fn a_signature_by_another_key_with_the_same_kid_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let impostor = KeyRing::ephemeral().unwrap();
    let forged = impostor.sign(&claims()).unwrap();
    // Swap in the genuine kid, keep the impostor's payload and signature.
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(ring.signing_key().kid().into());
    let p = parts(&forged);
    let token = format!(
        "{}.{}.{}",
        b64(&serde_json::to_vec(&header).unwrap()),
        p[1],
        p[2]
    );
    assert_eq!(verify(&ring, &token), Err(TokenError::BadSignature));
}

#[test]
fn a_modified_payload_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let p = parts(&ring.sign(&claims()).unwrap());
    let mut tampered = claims();
    tampered.sub = "CUST-00001".into();
    let payload = b64(&serde_json::to_vec(&tampered).unwrap());
    let token = format!("{}.{payload}.{}", p[0], p[2]);
    assert_eq!(verify(&ring, &token), Err(TokenError::BadSignature));
}

#[test]
fn an_unsigned_alg_none_token_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let header = format!(
        r#"{{"alg":"none","typ":"JWT","kid":"{}"}}"#,
        ring.signing_key().kid()
    );
    let payload = serde_json::to_vec(&claims()).unwrap();
    let token = format!("{}.{}.", b64(header.as_bytes()), b64(&payload));
    assert_eq!(verify(&ring, &token), Err(TokenError::WrongAlgorithm));
}

#[test]
fn hs256_signed_with_the_public_key_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let jwk = ring.signing_key().jwk();
    let x = jwk.x.clone().unwrap();
    let raw_public = URL_SAFE_NO_PAD.decode(&x).unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = jwk.kid.clone();
    for secret in [raw_public.as_slice(), x.as_bytes()] {
        let token =
            jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(secret)).unwrap();
        assert_eq!(verify(&ring, &token), Err(TokenError::WrongAlgorithm));
    }
}

#[test]
fn an_rs256_header_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let p = parts(&ring.sign(&claims()).unwrap());
    let header = format!(
        r#"{{"alg":"RS256","typ":"JWT","kid":"{}"}}"#,
        ring.signing_key().kid()
    );
    let token = format!("{}.{}.{}", b64(header.as_bytes()), p[1], p[2]);
    assert_eq!(verify(&ring, &token), Err(TokenError::WrongAlgorithm));
}

#[test]
fn an_expired_token_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let mut expired = claims();
    expired.iat -= 7200;
    expired.nbf -= 7200;
    expired.exp = now() - 120;
    let token = ring.sign(&expired).unwrap();
    assert_eq!(verify(&ring, &token), Err(TokenError::Expired));
}

#[test]
fn a_token_expired_within_the_leeway_still_passes() {
    let ring = KeyRing::ephemeral().unwrap();
    let mut just_expired = claims();
    just_expired.exp = now() - 5;
    let token = ring.sign(&just_expired).unwrap();
    assert!(verify(&ring, &token).is_ok());
}

#[test]
fn a_token_not_yet_valid_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let mut future = claims();
    future.nbf = now() + 600;
    let token = ring.sign(&future).unwrap();
    assert_eq!(verify(&ring, &token), Err(TokenError::NotYetValid));
}

#[test]
fn a_token_for_another_audience_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let token = ring.sign(&claims()).unwrap();
    let result = ring
        .verifier(ISSUER)
        .verify::<CustomerClaims>(&token, AUD_TECH);
    assert_eq!(result, Err(TokenError::WrongAudience));
}

#[test]
fn a_token_from_another_issuer_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let mut foreign = claims();
    foreign.iss = "https://evil.example".into();
    let token = ring.sign(&foreign).unwrap();
    assert_eq!(verify(&ring, &token), Err(TokenError::WrongIssuer));
}

#[test]
fn a_token_with_an_unknown_kid_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let other = KeyRing::ephemeral().unwrap();
    let token = other.sign(&claims()).unwrap();
    assert_eq!(verify(&ring, &token), Err(TokenError::UnknownKey));
}

#[test]
fn a_token_without_kid_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let p = parts(&ring.sign(&claims()).unwrap());
    let header = b64(br#"{"alg":"EdDSA","typ":"JWT"}"#);
    let token = format!("{header}.{}.{}", p[1], p[2]);
    assert_eq!(verify(&ring, &token), Err(TokenError::UnknownKey));
}

#[test]
fn a_token_missing_a_required_claim_is_refused() {
    let ring = KeyRing::ephemeral().unwrap();
    let mut no_nbf = serde_json::to_value(claims()).unwrap();
    no_nbf.as_object_mut().unwrap().remove("nbf");
    let token = ring.sign(&no_nbf).unwrap();
    assert_eq!(verify(&ring, &token), Err(TokenError::Malformed));
}

#[test]
fn garbage_empty_and_dotted_strings_are_malformed() {
    let ring = KeyRing::ephemeral().unwrap();
    let valid = ring.sign(&claims()).unwrap();
    for garbage in [
        "",
        "...",
        "..",
        "not a token",
        "a.b.c",
        "eyJhbGciOiJFZERTQSJ9",
        "%%%.%%%.%%%",
        &format!("{valid}.extra"),
    ] {
        assert_eq!(
            verify(&ring, garbage),
            Err(TokenError::Malformed),
            "{garbage:?}"
        );
    }
}

#[test]
fn after_rotation_new_tokens_use_the_new_key_and_old_tokens_still_verify() {
    let dir = TempDir::new();
    let before = KeyRing::load_or_generate(&dir.0).unwrap();
    let old_token = before.sign(&claims()).unwrap();
    let after = KeyRing::rotate(&dir.0).unwrap();
    let new_token = after.sign(&claims()).unwrap();

    let old_kid = before.signing_key().kid();
    let new_kid = after.signing_key().kid();
    assert_ne!(old_kid, new_kid);
    assert_eq!(
        jsonwebtoken::decode_header(&new_token)
            .unwrap()
            .kid
            .as_deref(),
        Some(new_kid)
    );
    assert!(verify(&after, &old_token).is_ok());
    assert!(verify(&after, &new_token).is_ok());
}

#[test]
fn an_old_key_leaves_the_jwks_once_the_longest_token_life_has_passed() {
    let dir = TempDir::new();
    let before = KeyRing::load_or_generate(&dir.0).unwrap();
    let after = KeyRing::rotate(&dir.0).unwrap();
    let ttl = 24 * 3600;
    let rotated_at = after.signing_key().created_at();
    let kids = |now: i64| -> Vec<String> {
        after
            .jwks(now, ttl)
            .keys
            .into_iter()
            .filter_map(|k| k.kid)
            .collect()
    };
    let old_kid = before.signing_key().kid().to_string();
    let new_kid = after.signing_key().kid().to_string();
    assert_eq!(kids(rotated_at), vec![new_kid.clone(), old_kid.clone()]);
    assert_eq!(kids(rotated_at + ttl - 1), vec![new_kid.clone(), old_kid]);
    assert_eq!(kids(rotated_at + ttl), vec![new_kid]);
}

#[test]
fn load_or_generate_creates_a_private_key_file_and_reloads_it() {
    let dir = TempDir::new();
    let first = KeyRing::load_or_generate(&dir.0).unwrap();
    let files: Vec<PathBuf> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_str().unwrap().to_string();
    let key = first.signing_key();
    assert_eq!(name, format!("{}-{}.pem", key.created_at(), key.kid()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let second = KeyRing::load_or_generate(&dir.0).unwrap();
    assert_eq!(second.signing_key().kid(), key.kid());
    assert_eq!(second.keys().len(), 1);
}

#[test]
fn load_fails_on_an_empty_directory_and_on_a_bad_key_file() {
    let dir = TempDir::new();
    assert!(KeyRing::load(&dir.0).is_err());
    std::fs::write(dir.0.join("1-broken.pem"), "not a key").unwrap();
    assert!(KeyRing::load(&dir.0).is_err());
}

#[test]
fn a_key_given_as_pem_text_signs_with_the_openssl_format() {
    // `openssl genpkey -algorithm ed25519` output (RFC 8410 example key).
    let pem = "-----BEGIN PRIVATE KEY-----\n\
               MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
               -----END PRIVATE KEY-----\n";
    let ring = KeyRing::from_pems(&[(1_700_000_000, pem.to_string())]).unwrap();
    let jwk = ring.signing_key().jwk();
    // RFC 8410 section 10.3 gives the matching public key.
    assert_eq!(
        URL_SAFE_NO_PAD.decode(jwk.x.unwrap()).unwrap(),
        hex::decode("19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1").unwrap()
    );
    let token = ring.sign(&claims()).unwrap();
    assert!(verify(&ring, &token).is_ok());
    assert!(KeyRing::from_pems(&[]).is_err());
}

#[test]
fn debug_output_never_shows_key_material() {
    let pem = "-----BEGIN PRIVATE KEY-----\n\
               MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
               -----END PRIVATE KEY-----\n";
    let ring = KeyRing::from_pems(&[(1, pem.to_string())]).unwrap();
    let debug = format!("{ring:?}");
    assert!(debug.contains("redacted"));
    assert!(!debug.contains("MC4CAQAw"));
    assert!(!debug.contains("d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842"));
    assert!(!debug.to_lowercase().contains("[212, 238"));
}

#[test]
fn with_three_keys_only_the_predecessors_of_recent_rotations_stay_published() {
    let pems: Vec<(i64, String)> = (0..3)
        .map(|i| {
            let dir = TempDir::new();
            KeyRing::load_or_generate(&dir.0).unwrap();
            let file = std::fs::read_dir(&dir.0).unwrap().next().unwrap().unwrap();
            (
                1_000 * (i + 1),
                std::fs::read_to_string(file.path()).unwrap(),
            )
        })
        .collect();
    let ring = KeyRing::from_pems(&pems).unwrap();
    let kids_at = |now: i64| -> Vec<String> {
        ring.jwks(now, 1_500)
            .keys
            .into_iter()
            .filter_map(|k| k.kid)
            .collect()
    };
    let kid = |i: usize| ring.keys()[i].kid().to_string();
    assert_eq!(ring.signing_key().created_at(), 3_000);
    // Key 0 was replaced at 2000, key 1 at 3000.
    assert_eq!(kids_at(3_000), vec![kid(2), kid(1), kid(0)]);
    assert_eq!(kids_at(3_500), vec![kid(2), kid(1)]);
    assert_eq!(kids_at(4_500), vec![kid(2)]);
}

#[test]
fn the_same_key_given_twice_counts_once_with_its_earliest_date() {
    let pem = "-----BEGIN PRIVATE KEY-----\n\
               MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
               -----END PRIVATE KEY-----\n";
    let ring = KeyRing::from_pems(&[(20, pem.to_string()), (10, pem.to_string())]).unwrap();
    assert_eq!(ring.keys().len(), 1);
    assert_eq!(ring.signing_key().created_at(), 10);
}
