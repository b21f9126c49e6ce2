//! `JwksCache` against a real HTTP server on 127.0.0.1 serving a JWKS.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use shared::claims::{
    AUD_PORTAL, CustomerClaims, JwksCache, JwksCacheSettings, KeyRing, TokenError, new_jti,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use url::Url;

const ISSUER: &str = "http://127.0.0.1:8081";

/// A one-route HTTP server whose answer the test can change, counting requests.
#[derive(Clone)]
struct JwksServer {
    body: Arc<Mutex<Option<String>>>,
    hits: Arc<AtomicUsize>,
    url: Url,
}

impl JwksServer {
    async fn start(ring: &KeyRing) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().unwrap()
        ))
        .unwrap();
        let server = JwksServer {
            body: Arc::new(Mutex::new(None)),
            hits: Arc::new(AtomicUsize::new(0)),
            url,
        };
        server.publish(ring);
        let handle = server.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let handle = handle.clone();
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    handle.hits.fetch_add(1, Ordering::SeqCst);
                    let body = handle.body.lock().unwrap().clone();
                    let response = match body {
                        Some(json) => format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
                            json.len()
                        ),
                        None => "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into(),
                    };
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        server
    }

    fn publish(&self, ring: &KeyRing) {
        let now = chrono::Utc::now().timestamp();
        let json = serde_json::to_string(&ring.jwks(now, 86_400)).unwrap();
        *self.body.lock().unwrap() = Some(json);
    }

    fn fail(&self) {
        *self.body.lock().unwrap() = None;
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn claims() -> CustomerClaims {
    let now = chrono::Utc::now().timestamp();
    CustomerClaims {
        iss: ISSUER.into(),
        aud: AUD_PORTAL.into(),
        sub: "CUST-00042".into(),
        name: "Marc Gagnon".into(),
        lang: "en".into(),
        iat: now,
        nbf: now,
        exp: now + 3600,
        jti: new_jti(),
        ver: 0,
        act: None,
    }
}

fn settings(ttl_s: u64, min_refetch_s: u64) -> JwksCacheSettings {
    JwksCacheSettings {
        ttl: Duration::from_secs(ttl_s),
        min_refetch: Duration::from_secs(min_refetch_s),
        timeout: Duration::from_secs(5),
        ..JwksCacheSettings::default()
    }
}

async fn verify(cache: &JwksCache, token: &str) -> Result<CustomerClaims, TokenError> {
    cache.verify(token, AUD_PORTAL).await
}

#[tokio::test]
async fn a_token_verifies_through_the_served_jwks_and_the_set_is_cached() {
    let ring = KeyRing::ephemeral().unwrap();
    let server = JwksServer::start(&ring).await;
    let cache = JwksCache::new(server.url.clone(), ISSUER);
    let token = ring.sign(&claims()).unwrap();

    assert_eq!(verify(&cache, &token).await.unwrap().sub, "CUST-00042");
    assert!(verify(&cache, &token).await.is_ok());
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_when_its_kid_first_shows_up() {
    let dir = std::env::temp_dir().join(format!("claims-cache-{}", new_jti()));
    let before = KeyRing::load_or_generate(&dir).unwrap();
    let server = JwksServer::start(&before).await;
    let cache = JwksCache::with_settings(server.url.clone(), ISSUER, settings(300, 0));
    assert!(
        verify(&cache, &before.sign(&claims()).unwrap())
            .await
            .is_ok()
    );

    let after = KeyRing::rotate(&dir).unwrap();
    server.publish(&after);
    let new_token = after.sign(&claims()).unwrap();
    assert!(verify(&cache, &new_token).await.is_ok());
    assert_eq!(server.hits(), 2);
    // Tokens of the previous key keep working from the refreshed set.
    assert!(
        verify(&cache, &before.sign(&claims()).unwrap())
            .await
            .is_ok()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn unknown_kids_trigger_at_most_one_fetch_per_interval() {
    let ring = KeyRing::ephemeral().unwrap();
    let server = JwksServer::start(&ring).await;
    let cache = JwksCache::new(server.url.clone(), ISSUER);
    assert!(verify(&cache, &ring.sign(&claims()).unwrap()).await.is_ok());

    for _ in 0..5 {
        let stranger = KeyRing::ephemeral().unwrap();
        let token = stranger.sign(&claims()).unwrap();
        assert_eq!(verify(&cache, &token).await, Err(TokenError::UnknownKey));
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn the_last_good_set_is_served_while_the_jwks_endpoint_fails() {
    let ring = KeyRing::ephemeral().unwrap();
    let server = JwksServer::start(&ring).await;
    // TTL zero: every call tries to refresh.
    let cache = JwksCache::with_settings(server.url.clone(), ISSUER, settings(0, 0));
    let token = ring.sign(&claims()).unwrap();
    assert!(verify(&cache, &token).await.is_ok());

    server.fail();
    assert!(verify(&cache, &token).await.is_ok());
    assert_eq!(server.hits(), 2);
}

/// Issue 16, also from the same read: a service that cannot reach the JWKS endpoint used to keep
/// its last key set forever, so a key withdrawn from portal-auth (a leaked one) went on verifying.
#[tokio::test]
async fn a_key_set_not_confirmed_within_max_stale_stops_verifying_while_the_endpoint_is_down() {
    let ring = KeyRing::ephemeral().unwrap();
    let server = JwksServer::start(&ring).await;
    let cache = JwksCache::with_settings(
        server.url.clone(),
        ISSUER,
        JwksCacheSettings {
            max_stale: Duration::from_millis(300),
            ..settings(0, 0)
        },
    );
    let token = ring.sign(&claims()).unwrap();
    assert!(verify(&cache, &token).await.is_ok());

    server.fail();
    let refused = testkit::poll_until(Duration::from_secs(10), || async {
        match verify(&cache, &token).await {
            Err(TokenError::KeysUnavailable) => Some(()),
            _ => None,
        }
    })
    .await;
    assert!(refused.is_some(), "the stale key set kept verifying");

    // Back once the endpoint answers again.
    server.publish(&ring);
    assert!(verify(&cache, &token).await.is_ok());
}

#[tokio::test]
async fn without_any_key_set_verification_reports_keys_unavailable() {
    let ring = KeyRing::ephemeral().unwrap();
    let server = JwksServer::start(&ring).await;
    server.fail();
    let cache = JwksCache::new(server.url.clone(), ISSUER);
    let token = ring.sign(&claims()).unwrap();
    assert_eq!(
        verify(&cache, &token).await,
        Err(TokenError::KeysUnavailable)
    );
}

#[tokio::test]
async fn a_token_for_another_issuer_is_refused_through_the_cache() {
    let ring = KeyRing::ephemeral().unwrap();
    let server = JwksServer::start(&ring).await;
    let cache = JwksCache::new(server.url.clone(), "http://someone-else");
    let token = ring.sign(&claims()).unwrap();
    assert_eq!(verify(&cache, &token).await, Err(TokenError::WrongIssuer));
}
