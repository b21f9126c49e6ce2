//! API credentials: `Authorization: token key:secret` or `Basic base64(key:secret)`.

use std::future::{Ready, ready};

use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::FrappeError;

/// One accepted API key/secret pair and the user it stands for.
#[derive(Debug, Clone)]
pub struct Credential {
    /// API key.
    pub key: String,
    /// API secret.
    pub secret: SecretString,
    /// The Frappe user (`get_logged_user`, `owner`, `modified_by`).
    pub user: &'static str,
    /// A read-only user may list and get, not create, update or delete.
    pub read_only: bool,
}

impl Credential {
    fn accepts(&self, key: &str, secret: &str) -> bool {
        // Both compared in constant time, and both always compared.
        let key_ok = self.key.as_bytes().ct_eq(key.as_bytes());
        let secret_ok = self
            .secret
            .expose_secret()
            .as_bytes()
            .ct_eq(secret.as_bytes());
        (key_ok & secret_ok).into()
    }
}

/// The authenticated API user of a request.
#[derive(Debug, Clone)]
pub struct ApiUser {
    /// Frappe user name.
    pub user: &'static str,
    /// Whether writes are refused.
    pub read_only: bool,
}

impl ApiUser {
    /// Refuses a write by a read-only user with 403 `PermissionError`.
    pub fn ensure_can_write(&self, doctype: &str) -> Result<(), FrappeError> {
        if self.read_only {
            return Err(FrappeError::permission(format!(
                "No permission to write {doctype}"
            )));
        }
        Ok(())
    }
}

/// `(key, secret)` from a `token` or `Basic` authorization header value.
fn parse_authorization(value: &str) -> Option<(String, String)> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    let pair = if scheme.eq_ignore_ascii_case("token") {
        rest.trim().to_owned()
    } else if scheme.eq_ignore_ascii_case("basic") {
        String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?
    } else {
        return None;
    };
    let (key, secret) = pair.split_once(':')?;
    Some((key.to_owned(), secret.to_owned()))
}

pub(crate) fn authenticate(req: &HttpRequest) -> Result<ApiUser, FrappeError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| FrappeError::internal(&"sandbox state missing"))?;
    let (key, secret) = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_authorization)
        .ok_or_else(FrappeError::authentication)?;
    state
        .credentials
        .iter()
        .find(|c| c.accepts(&key, &secret))
        .map(|c| ApiUser {
            user: c.user,
            read_only: c.read_only,
        })
        .ok_or_else(FrappeError::authentication)
}

impl FromRequest for ApiUser {
    type Error = FrappeError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_and_basic_headers_yield_the_pair() {
        let pair = Some(("k".to_owned(), "s:x".to_owned()));
        assert_eq!(parse_authorization("token k:s:x"), pair);
        let basic = format!("Basic {}", STANDARD.encode("k:s:x"));
        assert_eq!(parse_authorization(&basic), pair);
        assert_eq!(parse_authorization("Bearer abc"), None);
        assert_eq!(parse_authorization("token nocolon"), None);
    }

    #[test]
    fn a_credential_needs_both_key_and_secret() {
        let cred = Credential {
            key: "k".into(),
            secret: SecretString::from("s"),
            user: "u",
            read_only: false,
        };
        assert!(cred.accepts("k", "s"));
        assert!(!cred.accepts("k", "S"));
        assert!(!cred.accepts("x", "s"));
    }
}
