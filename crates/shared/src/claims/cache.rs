//! JWKS fetched from portal-auth and cached, for every service that only verifies tokens.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use url::Url;

use super::jwks::Jwks;
use super::verify::{TokenError, TokenVerifier};

/// How often a [`JwksCache`] goes back to the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwksCacheSettings {
    /// A fetched set is used this long before it is refreshed.
    pub ttl: Duration,
    /// At most one fetch per this interval, whatever triggers it (unknown `kid`, failures).
    pub min_refetch: Duration,
    /// Timeout of one fetch.
    pub timeout: Duration,
    /// How long a set is used after the last fetch that confirmed it, while the endpoint fails:
    /// beyond that its keys stop verifying, so a key withdrawn from the JWKS (a leaked key) does not
    /// live on in a service that cannot reach portal-auth.
    pub max_stale: Duration,
}

impl Default for JwksCacheSettings {
    fn default() -> Self {
        JwksCacheSettings {
            ttl: Duration::from_secs(300),
            min_refetch: Duration::from_secs(30),
            timeout: Duration::from_secs(5),
            max_stale: Duration::from_secs(3600),
        }
    }
}

/// Verifies tokens with the keys published at `<auth base>/.well-known/jwks.json`.
///
/// The set is cached for 5 minutes; a token with an unknown `kid` (key rotation) triggers a
/// refetch at most once per 30 s; when a fetch fails the last good set keeps being used for at most
/// an hour after it was last fetched, then nothing verifies until the endpoint answers again.
/// Cloning is cheap and clones share the cache.
#[derive(Clone, Debug)]
pub struct JwksCache {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    url: Url,
    issuer: String,
    http: reqwest::Client,
    settings: JwksCacheSettings,
    state: Mutex<State>,
    // Serialises fetches so a burst of unknown kids costs one request.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct State {
    verifier: Option<TokenVerifier>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
}

#[derive(Debug, thiserror::Error)]
enum FetchError {
    #[error("request failed")]
    Http(#[from] reqwest::Error),
    #[error("unusable key set")]
    Keys(#[from] super::keys::KeyError),
}

impl JwksCache {
    /// A cache over `jwks_url` accepting tokens issued by `issuer`, with the default timings.
    pub fn new(jwks_url: Url, issuer: &str) -> Self {
        JwksCache::with_settings(jwks_url, issuer, JwksCacheSettings::default())
    }

    /// A cache with explicit timings (tests shorten them).
    pub fn with_settings(jwks_url: Url, issuer: &str, settings: JwksCacheSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .unwrap_or_default();
        JwksCache {
            inner: Arc::new(Inner {
                url: jwks_url,
                issuer: issuer.into(),
                http,
                settings,
                state: Mutex::new(State::default()),
                fetching: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Verifies `token` for audience `aud` (see [`TokenVerifier::verify`]); fails with
    /// [`TokenError::KeysUnavailable`] when no key set was obtained within `max_stale`.
    pub async fn verify<C: DeserializeOwned>(
        &self,
        token: &str,
        aud: &str,
    ) -> Result<C, TokenError> {
        let verifier = self.current().await.ok_or(TokenError::KeysUnavailable)?;
        match verifier.verify(token, aud) {
            Err(TokenError::UnknownKey) => {
                let refreshed = self.refresh().await.ok_or(TokenError::UnknownKey)?;
                refreshed.verify(token, aud)
            }
            other => other,
        }
    }

    /// The cached verifier, refreshed first when it is older than the TTL.
    async fn current(&self) -> Option<TokenVerifier> {
        let (verifier, fresh) = {
            let state = self.state();
            let fresh = state
                .fetched_at
                .is_some_and(|at| at.elapsed() < self.inner.settings.ttl);
            (self.usable(&state), fresh)
        };
        if fresh {
            verifier
        } else {
            self.refresh().await
        }
    }

    /// Fetches the set unless a fetch happened less than `min_refetch` ago; returns the
    /// verifier to use (the previous one when the fetch fails or is throttled).
    async fn refresh(&self) -> Option<TokenVerifier> {
        let _one_at_a_time = self.inner.fetching.lock().await;
        {
            let mut state = self.state();
            let throttled = state
                .last_attempt
                .is_some_and(|at| at.elapsed() < self.inner.settings.min_refetch);
            if throttled {
                return self.usable(&state);
            }
            state.last_attempt = Some(Instant::now());
        }
        match self.fetch().await {
            Ok(verifier) => {
                let mut state = self.state();
                state.verifier = Some(verifier.clone());
                state.fetched_at = Some(Instant::now());
                Some(verifier)
            }
            Err(error) => {
                tracing::warn!(url = %self.inner.url, error = %error, cause = ?std::error::Error::source(&error),
                    "JWKS fetch failed; keeping the last good key set until it is max_stale old");
                self.usable(&self.state())
            }
        }
    }

    /// The cached verifier, unless its set was last confirmed by the endpoint `max_stale` ago or more.
    fn usable(&self, state: &State) -> Option<TokenVerifier> {
        let confirmed = state
            .fetched_at
            .is_some_and(|at| at.elapsed() < self.inner.settings.max_stale);
        if confirmed {
            state.verifier.clone()
        } else {
            None
        }
    }

    async fn fetch(&self) -> Result<TokenVerifier, FetchError> {
        let jwks: Jwks = self
            .inner
            .http
            .get(self.inner.url.clone())
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(TokenVerifier::from_jwks(&jwks, &self.inner.issuer)?)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is always left consistent, so a panic elsewhere does not invalidate it.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
