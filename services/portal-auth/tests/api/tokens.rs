//! Tokens: forged, expired, misaddressed or revoked ones are refused by `/auth/verify` and
//! `/portal/me`; a valid one passes with the customer's headers.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, Bus, PATIENCE, TestApp, claims_of, header_of, problem, spawn_app, spawn_app_with,
};
use crate::on_both_backends;

const MARIE: &str = "marie.tremblay@example.ca";

async fn assert_refused(app: &TestApp, token: &str) {
    let verify = app.auth_verify(token).await;
    assert!(verify.headers().get("X-Customer-Id").is_none());
    problem(verify, 401).await;
    problem(app.me(token).await, 401).await;
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

/// Valid claims for Marie, changed by `edit`, signed with the service's own key.
async fn signed_with_edited_claims(app: &TestApp, edit: impl Fn(&mut Value)) -> String {
    let good = app.login(MARIE).await;
    let mut claims = claims_of(&good);
    edit(&mut claims);
    app.key_ring().sign(&claims).unwrap()
}

#[tokio::test]
async fn a_valid_token_passes_with_the_customer_headers() {
    let app = spawn_app(Backend::Sqlite).await;
    let token = app.login(MARIE).await;
    let r = app.auth_verify(&token).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["X-Customer-Id"], "CUST-2024-00001");
    assert_eq!(r.headers()["X-Customer-Name"], "Marie Tremblay");
    let me: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(me["customer"], "CUST-2024-00001");
    assert_eq!(me["customer_name"], "Marie Tremblay");
    assert!(me["impersonated_by"].is_null());
    let claims = claims_of(&token);
    assert_eq!(claims["aud"], "portal");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        86_400
    );
    assert_eq!(header_of(&token)["alg"], "EdDSA");
}

#[tokio::test]
async fn no_token_and_a_garbage_token_are_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    problem(app.get("/auth/verify").await, 401).await;
    assert_refused(&app, "not-a-jwt").await;
}

#[tokio::test]
async fn a_token_signed_by_another_key_with_the_same_kid_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let good = app.login(MARIE).await;
    let other_dir = testkit::TempDir::new();
    shared::claims::KeyRing::load_or_generate(other_dir.path()).unwrap();
    let pem_path = std::fs::read_dir(other_dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pem"))
        .unwrap();
    let key = EncodingKey::from_ed_pem(&std::fs::read(pem_path).unwrap()).unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = header_of(&good)["kid"].as_str().map(str::to_owned);
    let forged = jsonwebtoken::encode(&header, &claims_of(&good), &key).unwrap();
    assert_refused(&app, &forged).await;
}

#[tokio::test]
async fn an_unsigned_token_with_alg_none_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let good = app.login(MARIE).await;
    let kid = header_of(&good)["kid"].clone();
    let header = json!({ "alg": "none", "typ": "JWT", "kid": kid });
    let claims = claims_of(&good);
    assert_refused(&app, &format!("{}.{}.", b64(&header), b64(&claims))).await;
    let signature = good.rsplit('.').next().unwrap();
    assert_refused(
        &app,
        &format!("{}.{}.{signature}", b64(&header), b64(&claims)),
    )
    .await;
}

#[tokio::test]
async fn a_token_signed_with_hs256_and_the_public_key_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let good = app.login(MARIE).await;
    let kid = header_of(&good)["kid"].as_str().unwrap().to_owned();
    let jwks = app.jwks().await;
    let x = jwks["keys"][0]["x"].as_str().unwrap().to_owned();
    let raw = URL_SAFE_NO_PAD.decode(&x).unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid);
    for secret in [x.as_bytes(), raw.as_slice()] {
        let forged = jsonwebtoken::encode(
            &header,
            &claims_of(&good),
            &EncodingKey::from_secret(secret),
        )
        .unwrap();
        assert_refused(&app, &forged).await;
    }
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let token = signed_with_edited_claims(&app, |c| {
        let now = chrono::Utc::now().timestamp();
        c["iat"] = json!(now - 90_000);
        c["nbf"] = json!(now - 90_000);
        c["exp"] = json!(now - 3_600);
    })
    .await;
    assert_refused(&app, &token).await;
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let token = signed_with_edited_claims(&app, |c| c["aud"] = json!("tech")).await;
    assert_refused(&app, &token).await;
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let token = signed_with_edited_claims(&app, |c| c["iss"] = json!("https://evil.example")).await;
    assert_refused(&app, &token).await;
}

#[tokio::test]
async fn the_service_key_with_untouched_claims_is_accepted() {
    // The control of the forging tests above: re-signing valid claims must still pass,
    // so their refusals come from the claim changed, not from the forging itself.
    let app = spawn_app(Backend::Sqlite).await;
    let token = signed_with_edited_claims(&app, |_| {}).await;
    assert_eq!(app.auth_verify(&token).await.status(), 200);
}

async fn a_token_is_refused_after_logout(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login(MARIE).await;
    let other = app.login(MARIE).await;
    assert_eq!(app.logout(&token, false).await.status(), 204);
    assert_refused(&app, &token).await;
    assert_eq!(app.auth_verify(&other).await.status(), 200);
    app.cleanup().await;
}
on_both_backends!(
    a_token_is_refused_after_logout_,
    a_token_is_refused_after_logout
);

async fn logout_everywhere_refuses_every_token_and_a_new_link_works(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.login(MARIE).await;
    let second = app.login(MARIE).await;
    assert_eq!(app.logout(&first, true).await.status(), 204);
    assert_refused(&app, &first).await;
    assert_refused(&app, &second).await;
    let fresh = app.login(MARIE).await;
    assert_eq!(app.auth_verify(&fresh).await.status(), 200);
    app.cleanup().await;
}
on_both_backends!(
    logout_everywhere_refuses_every_token_and_a_new_link_works_,
    logout_everywhere_refuses_every_token_and_a_new_link_works
);

#[tokio::test]
async fn a_logout_on_one_replica_is_honoured_by_another() {
    let app = spawn_app(Backend::Postgres).await;
    let replica = app.sibling().await;
    let token = app.login(MARIE).await;
    assert_eq!(replica.auth_verify(&token).await.status(), 200);
    assert_eq!(app.logout(&token, false).await.status(), 204);
    let refused = testkit::poll_until(crate::helpers::PATIENCE, || async {
        (replica.auth_verify(&token).await.status() == 401).then_some(())
    })
    .await;
    assert!(
        refused.is_some(),
        "the replica still accepts a revoked token"
    );
    drop(replica);
    app.cleanup().await;
}

#[tokio::test]
async fn the_jwks_publishes_the_ed25519_key_of_issued_tokens() {
    let app = spawn_app(Backend::Sqlite).await;
    let token = app.login(MARIE).await;
    let jwks = app.jwks().await;
    let kid = header_of(&token)["kid"].clone();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap();
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(key["x"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
    assert!(
        key.get("d").is_none(),
        "the private key must never be published"
    );
}

#[tokio::test]
async fn a_key_given_in_the_environment_signs_and_is_published() {
    use crate::helpers::{Bus, spawn_app_with};
    let dir = testkit::TempDir::new();
    let ring = shared::claims::KeyRing::load_or_generate(dir.path()).unwrap();
    let pem_file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "pem"))
        .unwrap();
    let pem = std::fs::read_to_string(pem_file).unwrap();
    let app = spawn_app_with(
        Backend::Sqlite,
        Bus::InProcess,
        &[("JWT_PRIVATE_KEY", pem.as_str())],
    )
    .await;
    let jwks = app.jwks().await;
    assert_eq!(jwks["keys"][0]["kid"], ring.signing_key().kid());
    let token = app.login(MARIE).await;
    assert_eq!(header_of(&token)["kid"], ring.signing_key().kid());
    app.cleanup().await;
}

async fn impersonation_token(app: &TestApp) -> String {
    let r = app.impersonate("CUST-2024-00007", "alice", "support").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// `keys rotate` on a running replica, no restart: the new key is published (and verifies) within a
/// reload, signs only once `JWT_KEY_ACTIVATION_S` has passed since its creation, and tokens of the
/// old key keep working.
#[tokio::test]
async fn a_key_rotated_on_disk_is_published_at_once_and_signs_after_its_activation_delay() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Bus::InProcess,
        &[("JWT_KEYS_RELOAD_S", "1"), ("JWT_KEY_ACTIVATION_S", "4")],
    )
    .await;
    let old_token = impersonation_token(&app).await;
    let old_kid = header_of(&old_token)["kid"].clone();

    let rotated_at = std::time::Instant::now();
    let new_kid = Value::from(app.rotate_key().newest().kid());
    let published = testkit::poll_until(PATIENCE, || async {
        let jwks = app.jwks().await;
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == new_kid)
            .then_some(jwks)
    })
    .await
    .expect("the rotated key was not published within a reload");
    assert_eq!(
        published["keys"][0]["kid"], new_kid,
        "pending key listed first"
    );
    let early = impersonation_token(&app).await;
    if rotated_at.elapsed() < std::time::Duration::from_secs(3) {
        assert_eq!(
            header_of(&early)["kid"],
            old_kid,
            "signed before its activation"
        );
    }

    let signed_new = testkit::poll_until(std::time::Duration::from_secs(15), || async {
        let token = impersonation_token(&app).await;
        (header_of(&token)["kid"] == new_kid).then_some(token)
    })
    .await
    .expect("the rotated key never signed");
    assert_eq!(app.auth_verify(&signed_new).await.status(), 200);
    assert_eq!(app.auth_verify(&old_token).await.status(), 200);
    app.cleanup().await;
}
