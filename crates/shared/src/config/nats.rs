//! Where NATS is and how to log in to it: the server of `NATS_URL` (its credentials taken out, so the
//! address can be logged), one way to authenticate, and TLS. Every value is checked at start; a bad
//! one stops the service naming its variable, never showing a secret.
//!
//! | variable | meaning |
//! |---|---|
//! | `NATS_URL` | `nats://host:4222`, or `tls://host:4222` to require TLS; may carry `user:password@` or `token@` (percent-encoded) |
//! | `NATS_USER`, `NATS_PASSWORD` (or `NATS_PASSWORD_FILE`) | user and password |
//! | `NATS_TOKEN` (or `NATS_TOKEN_FILE`) | a token |
//! | `NATS_CREDS_FILE` | a `.creds` file (user JWT and NKey seed, decentralised auth) |
//! | `NATS_TLS_CA_FILE` | PEM certificates trusted for the server instead of the system's; requires TLS |
//! | `NATS_TLS_CERT_FILE`, `NATS_TLS_KEY_FILE` | a client certificate and its key (mutual TLS); require TLS |

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use secrecy::{ExposeSecret as _, SecretString};
use url::Url;

use super::{ConfigError, Source, secret};

/// How the service logs in to NATS. `Debug` never shows a secret.
#[derive(Clone)]
pub enum NatsAuth {
    /// No credentials (a server without authorization, such as a developer's).
    None,
    /// User and password.
    UserPassword {
        /// The user.
        user: String,
        /// Its password.
        password: SecretString,
    },
    /// A token.
    Token(SecretString),
    /// The content of a `.creds` file: user JWT and NKey seed.
    Credentials(SecretString),
}

impl fmt::Debug for NatsAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NatsAuth::None => "None",
            NatsAuth::UserPassword { .. } => "UserPassword([redacted])",
            NatsAuth::Token(_) => "Token([redacted])",
            NatsAuth::Credentials(_) => "Credentials([redacted])",
        })
    }
}

/// TLS towards NATS. The client configuration is built (files read and parsed) when the settings
/// are read, so a bad file stops the start; it names rustls' `ring` provider itself: with two
/// providers in the build (ring, aws-lc-rs), async-nats' own configuration would panic.
#[derive(Clone)]
pub struct NatsTls {
    /// Refuse a connection without TLS (`tls://`, or any TLS file given).
    pub required: bool,
    /// PEM certificates trusted for the server (`NATS_TLS_CA_FILE`); the system's when unset.
    pub ca_file: Option<PathBuf>,
    /// Client certificate and key (`NATS_TLS_CERT_FILE`, `NATS_TLS_KEY_FILE`).
    pub client: Option<(PathBuf, PathBuf)>,
    config: rustls::ClientConfig,
}

impl fmt::Debug for NatsTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsTls")
            .field("required", &self.required)
            .field("ca_file", &self.ca_file)
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// A NATS server and how to reach it.
#[derive(Clone, Debug)]
pub struct NatsConnection {
    address: String,
    /// How the service logs in.
    pub auth: NatsAuth,
    /// TLS settings.
    pub tls: NatsTls,
}

impl NatsConnection {
    /// `NATS_URL` and the `NATS_*` credential and TLS variables; `None` when `NATS_URL` is unset.
    pub fn from_source(src: &dyn Source) -> Result<Option<Self>, ConfigError> {
        let Some(raw) = src.get("NATS_URL") else {
            return Ok(None);
        };
        let (address, url_auth, tls_scheme) = parse_url(&raw, "NATS_URL")?;
        let auth = one_auth(url_auth, variable_auths(src)?)?;
        let tls = tls(src, tls_scheme)?;
        Ok(Some(NatsConnection { address, auth, tls }))
    }

    /// A URL alone (tests and tools): `nats://` or `tls://`, credentials in the URL allowed.
    pub fn from_url(url: &str) -> Result<Self, ConfigError> {
        let (address, auth, required) = parse_url(url, "NATS_URL")?;
        let auth = auth.map_or(NatsAuth::None, |(_, auth)| auth);
        Ok(NatsConnection {
            address,
            auth,
            tls: NatsTls {
                required,
                ca_file: None,
                client: None,
                config: client_config(None, None)?,
            },
        })
    }

    /// `nats://host:port` or `tls://host:port`, without credentials: safe to log.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The client options these settings describe (named `name` on the server).
    pub fn connect_options(&self, name: &str) -> Result<async_nats::ConnectOptions, ConfigError> {
        let options = match &self.auth {
            NatsAuth::None => async_nats::ConnectOptions::new(),
            NatsAuth::UserPassword { user, password } => {
                async_nats::ConnectOptions::with_user_and_password(
                    user.clone(),
                    password.expose_secret().to_owned(),
                )
            }
            NatsAuth::Token(token) => {
                async_nats::ConnectOptions::with_token(token.expose_secret().to_owned())
            }
            NatsAuth::Credentials(creds) => {
                async_nats::ConnectOptions::with_credentials(creds.expose_secret())
                    .map_err(|_| not_creds())?
            }
        }
        .name(name)
        .require_tls(self.tls.required)
        // Always ours: a plain nats:// server may still ask for TLS.
        .tls_client_config(self.tls.config.clone());
        Ok(options)
    }
}

/// The address without credentials, the credentials found in the URL (with the variable to blame),
/// and whether the scheme requires TLS.
type ParsedUrl = (String, Option<(&'static str, NatsAuth)>, bool);

fn parse_url(raw: &str, name: &'static str) -> Result<ParsedUrl, ConfigError> {
    // Never echo the value: it may hold a password.
    let mut url = Url::parse(raw.trim()).map_err(|e| {
        ConfigError::new(
            name,
            format!("not a URL ({e}); expected nats://host:4222 or tls://host:4222"),
        )
    })?;
    let tls = match url.scheme() {
        "nats" => false,
        "tls" => true,
        _ => {
            return Err(ConfigError::new(
                name,
                "the scheme must be nats:// or tls://",
            ));
        }
    };
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigError::new(name, "has no host"));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::new(
            name,
            "must be a server address only (no path, query or fragment)",
        ));
    }
    let decode = |part: &str, what: &str| {
        percent_decode(part).ok_or_else(|| {
            ConfigError::new(name, format!("the {what} is not valid UTF-8 once decoded"))
        })
    };
    let auth = match (url.username(), url.password()) {
        ("", None) => None,
        ("", Some(_)) => return Err(ConfigError::new(name, "has a password but no user")),
        (user, None) => Some((name, NatsAuth::Token(decode(user, "token")?.into()))),
        (user, Some(password)) => Some((
            name,
            NatsAuth::UserPassword {
                user: decode(user, "user")?,
                password: decode(password, "password")?.into(),
            },
        )),
    };
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if url.port().is_none() {
        let _ = url.set_port(Some(4222));
    }
    Ok((url.as_str().trim_end_matches('/').to_owned(), auth, tls))
}

/// RFC 3986 percent-decoding, as URL userinfo is encoded (a `+` stays a `+`).
fn percent_decode(part: &str) -> Option<String> {
    percent_encoding::percent_decode_str(part)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// The credentials given in variables, each with the variable to blame.
fn variable_auths(src: &dyn Source) -> Result<Vec<(&'static str, NatsAuth)>, ConfigError> {
    let mut found = Vec::new();
    match (src.get("NATS_USER"), secret(src, "NATS_PASSWORD")?) {
        (None, None) => {}
        (Some(user), Some(password)) => {
            found.push(("NATS_USER", NatsAuth::UserPassword { user, password }));
        }
        (Some(_), None) => {
            return Err(ConfigError::new(
                "NATS_PASSWORD",
                "must be set (or NATS_PASSWORD_FILE) with NATS_USER",
            ));
        }
        (None, Some(_)) => {
            return Err(ConfigError::new(
                "NATS_USER",
                "must be set with NATS_PASSWORD",
            ));
        }
    }
    if let Some(token) = secret(src, "NATS_TOKEN")? {
        found.push(("NATS_TOKEN", NatsAuth::Token(token)));
    }
    if let Some(path) = src.get("NATS_CREDS_FILE") {
        let creds = std::fs::read_to_string(path.trim()).map_err(|e| {
            ConfigError::new("NATS_CREDS_FILE", format!("cannot read the file: {e}"))
        })?;
        if async_nats::ConnectOptions::with_credentials(&creds).is_err() {
            return Err(not_creds());
        }
        found.push(("NATS_CREDS_FILE", NatsAuth::Credentials(creds.into())));
    }
    Ok(found)
}

fn not_creds() -> ConfigError {
    ConfigError::new(
        "NATS_CREDS_FILE",
        "not a NATS credentials file (a user JWT and an NKey seed, as `nsc` writes them)",
    )
}

/// At most one way to log in.
fn one_auth(
    from_url: Option<(&'static str, NatsAuth)>,
    from_variables: Vec<(&'static str, NatsAuth)>,
) -> Result<NatsAuth, ConfigError> {
    let mut all: Vec<_> = from_url.into_iter().chain(from_variables).collect();
    match all.len() {
        0 => Ok(NatsAuth::None),
        1 => Ok(all.remove(0).1),
        _ => Err(ConfigError::new(
            all[1].0,
            format!(
                "NATS credentials are given by both {} and {}: keep one",
                all[0].0, all[1].0
            ),
        )),
    }
}

fn tls(src: &dyn Source, tls_scheme: bool) -> Result<NatsTls, ConfigError> {
    let ca_file = src.get("NATS_TLS_CA_FILE").map(|p| PathBuf::from(p.trim()));
    let client = match (src.get("NATS_TLS_CERT_FILE"), src.get("NATS_TLS_KEY_FILE")) {
        (None, None) => None,
        (Some(cert), Some(key)) => Some((PathBuf::from(cert.trim()), PathBuf::from(key.trim()))),
        (Some(_), None) => {
            return Err(ConfigError::new(
                "NATS_TLS_KEY_FILE",
                "must be set with NATS_TLS_CERT_FILE",
            ));
        }
        (None, Some(_)) => {
            return Err(ConfigError::new(
                "NATS_TLS_CERT_FILE",
                "must be set with NATS_TLS_KEY_FILE",
            ));
        }
    };
    let config = client_config(ca_file.as_deref(), client.as_ref())?;
    Ok(NatsTls {
        required: tls_scheme || ca_file.is_some() || client.is_some(),
        ca_file,
        client,
        config,
    })
}

/// rustls' client configuration with the `ring` provider: the CAs of `ca_file` (else the system's)
/// and, for mutual TLS, a client certificate chain and its key.
fn client_config(
    ca_file: Option<&Path>,
    client: Option<&(PathBuf, PathBuf)>,
) -> Result<rustls::ClientConfig, ConfigError> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            for cert in certificates("NATS_TLS_CA_FILE", path)? {
                roots.add(cert).map_err(|e| {
                    ConfigError::new(
                        "NATS_TLS_CA_FILE",
                        format!("{}: not a usable CA certificate: {e}", path.display()),
                    )
                })?;
            }
        }
        None => {
            // Unreadable system certificates leave an empty store: TLS then fails with its cause.
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::new("NATS_URL", format!("TLS setup: {e}")))?
        .with_root_certificates(roots);
    let Some((cert, key)) = client else {
        return Ok(builder.with_no_client_auth());
    };
    let chain = certificates("NATS_TLS_CERT_FILE", cert)?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        ConfigError::new(
            "NATS_TLS_KEY_FILE",
            format!("{}: no PEM private key read ({e})", key.display()),
        )
    })?;
    builder.with_client_auth_cert(chain, key).map_err(|e| {
        ConfigError::new(
            "NATS_TLS_KEY_FILE",
            format!("does not go with NATS_TLS_CERT_FILE: {e}"),
        )
    })
}

/// Every certificate of a PEM file; at least one.
fn certificates(name: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let unreadable = |e: rustls::pki_types::pem::Error| {
        ConfigError::new(name, format!("{}: {e}", path.display()))
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(unreadable)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(unreadable)?;
    if certs.is_empty() {
        return Err(ConfigError::new(
            name,
            format!("{} holds no PEM certificate", path.display()),
        ));
    }
    Ok(certs)
}
