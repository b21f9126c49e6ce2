//! The sink's TLS: a certificate authority made for one sink at test time, and a server certificate
//! it signed for `localhost` and `127.0.0.1`. A client trusts the sink by adding the CA
//! ([`super::SmtpSink::ca_pem`]); nothing is ever written to disk by the sink itself.

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;

/// How the sink speaks TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkTls {
    /// Plain at first; `STARTTLS` offered, and required before `AUTH` or `MAIL` (as Mailjet on 587).
    StartTls,
    /// TLS from the first byte (`smtps://`, port 465).
    Implicit,
}

/// The acceptor and the CA's certificate (PEM) of one sink.
pub(super) struct Credentials {
    pub acceptor: TlsAcceptor,
    pub ca_pem: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").finish_non_exhaustive()
    }
}

/// A fresh CA and a server certificate it signed.
pub(super) fn credentials() -> Result<Credentials, Box<dyn std::error::Error + Send + Sync>> {
    let certificate = crate::tls::ServerCertificate::generate("testkit SMTP sink CA")?;
    let (chain, key) = certificate.rustls_pair();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Credentials {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: certificate.ca_pem,
    })
}
