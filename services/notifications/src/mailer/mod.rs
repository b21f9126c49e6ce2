//! Email through SMTP: lettre builds the message and speaks the protocol; the connections are ours,
//! pooled, with TCP_NODELAY. lettre's own pool leaves Nagle on, so the final `.` of each message
//! waits ~40 ms for a delayed ACK: 22 messages/s per connection, and a 40 ms window in which a
//! crash leaves a message accepted by the relay but not yet recorded here. Such a message is looked
//! up in Mailjet's records (`X-MJ-CustomID`) before it is sent again: see [`Mailer::accepted_earlier`].
//!
//! TLS: STARTTLS through lettre (`?tls=required` or `opportunistic`), or from the first byte
//! (`smtps://`) over our own connection ([`crate::smtps`]); the relay's certificate must chain to a
//! public root or to `SMTP_CA_FILE`, and name the relay's host.
//!
//! Here the pool and the SMTP exchange; `relay.rs` reads `SMTP_URL`, `message.rs` builds messages.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters,
};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use secrecy::{ExposeSecret, SecretString};

use crate::config::Settings;
use crate::domain::{OutgoingEmail, SendError};
use crate::mailjet::SentLog;
use crate::smtps;

mod message;
mod relay;

use relay::{Relay, Tls, parse_relay};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for each reply of the relay, unless set (`SMTP_TIMEOUT_S`).
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);
const MAX_IDLE: usize = 32;
/// A connection idle longer than this is checked with NOOP before use (relays drop idle clients).
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(5);

/// A pooled SMTP client.
pub struct Mailer {
    relay: Relay,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    message_id_domain: String,
    sent_log: Option<SentLog>,
    /// CA certificates trusted for the relay besides the public roots (`SMTP_CA_FILE`), for STARTTLS.
    relay_ca: Option<Certificate>,
    /// The TLS of an `smtps://` relay (the public roots and `SMTP_CA_FILE`).
    smtps: Option<Arc<rustls::ClientConfig>>,
    /// Longest wait for each reply of the relay.
    timeout: Duration,
}

/// A configuration problem of the mailer.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    /// `SMTP_URL` cannot be used.
    #[error("SMTP_URL: {0}")]
    Url(String),
    /// `MAIL_FROM` / `MAIL_REPLY_TO` is not a mailbox.
    #[error("MAIL_FROM or MAIL_REPLY_TO: {0}")]
    Sender(String),
    /// `SMTP_CA_FILE` cannot be read or holds no certificate.
    #[error("SMTP_CA_FILE: {0}")]
    Ca(String),
}

fn smtp_error(e: lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else if e.is_transient() {
        SendError::Temporary(e.to_string())
    } else {
        SendError::Unavailable(e.to_string())
    }
}

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://user:pass@host:587?tls=required`, `smtps://host:465`, `smtp://127.0.0.1:2525`).
    pub fn new(
        smtp_url: &SecretString,
        from: &str,
        reply_to: Option<&str>,
        message_id_domain: &str,
    ) -> Result<Self, MailerError> {
        let relay = parse_relay(smtp_url)?;
        let smtps = match relay.tls {
            Tls::Implicit => Some(smtps::client_config(&[]).map_err(MailerError::Ca)?),
            _ => None,
        };
        Ok(Self {
            relay,
            hello: ClientId::Domain(message_id_domain.to_owned()),
            idle: Mutex::new(Vec::new()),
            from: from
                .parse()
                .map_err(|e| MailerError::Sender(format!("{e}")))?,
            reply_to: reply_to
                .map(str::parse)
                .transpose()
                .map_err(|e| MailerError::Sender(format!("{e}")))?,
            message_id_domain: message_id_domain.to_owned(),
            sent_log: None,
            relay_ca: None,
            smtps,
            timeout: REPLY_TIMEOUT,
        })
    }

    /// Waits at most `timeout` for each reply of the relay.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts the CA certificates of `pem` for the relay, besides the public roots (a relay inside
    /// the network with a certificate of its own CA).
    pub fn with_relay_ca(mut self, pem: &[u8]) -> Result<Self, MailerError> {
        let certificates = smtps::certificates(pem).map_err(MailerError::Ca)?;
        if self.smtps.is_some() {
            self.smtps = Some(smtps::client_config(&certificates).map_err(MailerError::Ca)?);
        }
        let ca = Certificate::from_pem(pem).map_err(|e| MailerError::Ca(e.to_string()))?;
        self.relay_ca = Some(ca);
        Ok(self)
    }

    /// The mailer `settings` describe: none without `SMTP_URL`; asking Mailjet's records before a
    /// resend when `MAILJET_API_URL` is set.
    pub fn from_settings(settings: &Settings) -> Result<Option<Self>, MailerError> {
        let Some(url) = &settings.smtp_url else {
            return Ok(None);
        };
        let mut mailer = Self::new(
            url,
            &settings.mail_from,
            settings.reply_to.as_deref(),
            &settings.message_id_domain,
        )?
        .with_timeout(settings.smtp_timeout);
        if let Some(path) = &settings.smtp_ca_file {
            let pem = std::fs::read(path).map_err(|e| MailerError::Ca(format!("{path}: {e}")))?;
            mailer = mailer.with_relay_ca(&pem)?;
        }
        match &settings.mailjet_api_url {
            Some(api) => mailer.with_sent_log(api).map(Some),
            None => Ok(Some(mailer)),
        }
    }

    /// Asks Mailjet's message records at `api_url` (`MAILJET_API_URL`) before sending again an email
    /// whose sender died mid-send; the relay's SMTP login is the API key and secret.
    fn with_sent_log(mut self, api_url: &str) -> Result<Self, MailerError> {
        let (user, pass) = self.relay.login.clone().ok_or_else(|| {
            MailerError::Url(
                "MAILJET_API_URL needs the API key and secret as SMTP_URL's user and password"
                    .into(),
            )
        })?;
        let log = SentLog::new(api_url, &user, pass)
            .map_err(|e| MailerError::Url(format!("MAILJET_API_URL: {e}")))?;
        self.sent_log = Some(log);
        Ok(self)
    }

    /// Whether Mailjet's records are asked before a resend (`MAILJET_API_URL`).
    pub fn has_sent_log(&self) -> bool {
        self.sent_log.is_some()
    }

    /// The provider's id of this event's email if the relay accepted it in an earlier attempt;
    /// `None` when it did not, or when no record can be asked (`MAILJET_API_URL` unset: then a
    /// resend may duplicate, under the same Message-ID).
    pub async fn accepted_earlier(&self, event_id: &str) -> Result<Option<String>, SendError> {
        match &self.sent_log {
            Some(log) => log.find(event_id).await,
            None => Ok(None),
        }
    }

    /// The `Message-ID` of an event: stable, so a resend after a crash is recognisably the same message.
    pub fn message_id(&self, event_id: &str) -> String {
        format!("<{event_id}@{}>", self.message_id_domain)
    }

    /// Sends one email; returns its Message-ID.
    #[tracing::instrument(name = "smtp send", skip_all, fields(otel.kind = "client",
        server.address = %self.relay.host, server.port = self.relay.port))]
    pub async fn send(&self, event_id: &str, email: &OutgoingEmail) -> Result<String, SendError> {
        let message = self.build(event_id, email)?;
        let bytes = message.formatted();
        let (mut conn, pooled) = self.ready_connection().await?;
        let mut opened = self
            .open_transaction(&mut conn, message.envelope(), &bytes)
            .await;
        if pooled && matches!(opened, Err(SendError::Unavailable(_))) {
            // A pooled connection the relay closed meanwhile; nothing was sent on it.
            conn = self.connect().await?;
            opened = self
                .open_transaction(&mut conn, message.envelope(), &bytes)
                .await;
        }
        let outcome = match opened {
            Ok(()) => self.deliver(&mut conn, &bytes).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                self.give_back(conn);
                Ok(self.message_id(event_id))
            }
            Err(e) => {
                self.settle(conn, &e).await;
                Err(e)
            }
        }
    }

    /// MAIL, RCPT and DATA; the relay then waits for the body.
    async fn open_transaction(
        &self,
        conn: &mut AsyncSmtpConnection,
        envelope: &Envelope,
        bytes: &[u8],
    ) -> Result<(), SendError> {
        let mut options = Vec::new();
        let non_ascii = envelope
            .from()
            .into_iter()
            .chain(envelope.to())
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii && conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            options.push(MailParameter::SmtpUtfEight);
        }
        if !bytes.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let mail = Mail::new(envelope.from().cloned(), options);
        self.within("MAIL", conn.command(mail))
            .await?
            .map_err(smtp_error)?;
        for to in envelope.to() {
            self.within("RCPT", conn.command(Rcpt::new(to.clone(), vec![])))
                .await?
                .map_err(smtp_error)?;
        }
        self.within("DATA", conn.command(Data))
            .await?
            .map_err(smtp_error)?;
        Ok(())
    }

    /// The message's data and its final `.`. From then on only the relay's reply tells what became
    /// of the message: without one (none in time, or the connection cut) it may have been accepted.
    async fn deliver(&self, conn: &mut AsyncSmtpConnection, bytes: &[u8]) -> Result<(), SendError> {
        match tokio::time::timeout(self.timeout, conn.message(bytes)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.status().is_some() => Err(smtp_error(e)),
            Ok(Err(e)) => Err(SendError::Uncertain(format!(
                "the relay's reply to the message was lost: {e}"
            ))),
            Err(_) => Err(SendError::Uncertain(format!(
                "no reply of the relay to the message within {} s",
                self.timeout.as_secs()
            ))),
        }
    }

    /// `exchange` (a command and its reply), given up as an outage after the reply timeout.
    async fn within<T>(
        &self,
        what: &str,
        exchange: impl std::future::Future<Output = T>,
    ) -> Result<T, SendError> {
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| {
                let secs = self.timeout.as_secs();
                self.unavailable(format!("no reply to {what} within {secs} s"))
            })
    }

    /// After a failed transaction: a healthy connection is reset and reused; a broken one, or one
    /// whose state is unknown, is dropped (closed without waiting on the relay for a QUIT).
    async fn settle(&self, mut conn: AsyncSmtpConnection, e: &SendError) {
        let unknown = matches!(e, SendError::Unavailable(_) | SendError::Uncertain(_));
        if unknown || conn.has_broken() {
            return;
        }
        let reset = conn.command(lettre::transport::smtp::commands::Rset);
        if let Ok(Ok(_)) = self.within("RSET", reset).await {
            self.give_back(conn);
        }
    }

    fn give_back(&self, conn: AsyncSmtpConnection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push((conn, Instant::now()));
        }
    }

    /// An idle connection that still answers (`true`: from the pool), or a new one.
    async fn ready_connection(&self) -> Result<(AsyncSmtpConnection, bool), SendError> {
        loop {
            let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            let Some((mut conn, since)) = pooled else {
                return Ok((self.connect().await?, false));
            };
            let fresh = since.elapsed() < CHECK_AFTER_IDLE;
            if !conn.has_broken() && (fresh || self.answers(&mut conn).await) {
                return Ok((conn, true));
            }
        }
    }

    /// The relay could not be used (not the message's fault).
    fn unavailable(&self, e: impl std::fmt::Display) -> SendError {
        let r = &self.relay;
        SendError::Unavailable(format!("SMTP relay {}:{}: {e}", r.host, r.port))
    }

    /// A TCP connection to the relay with TCP_NODELAY, in TLS from the first byte for `smtps://`.
    async fn open_stream(&self) -> Result<Box<dyn AsyncTokioStream>, SendError> {
        let r = &self.relay;
        let tcp = tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio::net::TcpStream::connect((r.host.as_str(), r.port)),
        )
        .await
        .map_err(|_| self.unavailable("connection timed out"))?
        .map_err(|e| self.unavailable(e))?;
        tcp.set_nodelay(true).map_err(|e| self.unavailable(e))?;
        let Some(config) = &self.smtps else {
            return Ok(Box::new(tcp));
        };
        let handshake = smtps::handshake(tcp, &r.host, Arc::clone(config));
        tokio::time::timeout(CONNECT_TIMEOUT, handshake)
            .await
            .map_err(|_| self.unavailable("TLS handshake timed out"))?
            .map_err(|e| self.unavailable(format!("TLS: {e}")))
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let r = &self.relay;
        let stream = self.open_stream().await?;
        let greeted = AsyncSmtpConnection::connect_with_transport(stream, &self.hello);
        let mut conn = self
            .within("EHLO", greeted)
            .await?
            .map_err(|e| self.unavailable(e))?;
        if r.tls == Tls::Required || (r.tls == Tls::Opportunistic && conn.can_starttls()) {
            let tls = self.starttls_parameters()?;
            self.within("STARTTLS", conn.starttls(tls, &self.hello))
                .await?
                .map_err(|e| self.unavailable(e))?;
        }
        if let Some((user, pass)) = &r.login {
            let credentials = Credentials::new(user.clone(), pass.expose_secret().to_owned());
            let mechanisms = [Mechanism::Plain, Mechanism::Login];
            self.within("AUTH", conn.auth(&mechanisms, &credentials))
                .await?
                .map_err(|e| self.unavailable(format!("authentication failed: {e}")))?;
        }
        Ok(conn)
    }

    /// STARTTLS with the public roots and `SMTP_CA_FILE`.
    fn starttls_parameters(&self) -> Result<TlsParameters, SendError> {
        let builder = TlsParameters::builder(self.relay.host.clone());
        match &self.relay_ca {
            Some(ca) => builder.add_root_certificate(ca.clone()),
            None => builder,
        }
        .build_rustls()
        .map_err(|e| self.unavailable(e))
    }

    /// Whether the relay answers NOOP on `conn` in time.
    async fn answers(&self, conn: &mut AsyncSmtpConnection) -> bool {
        self.within("NOOP", conn.test_connected())
            .await
            .unwrap_or(false)
    }

    /// Checks that the relay answers (readiness).
    pub async fn ping(&self) -> Result<(), String> {
        let (mut conn, _) = self.ready_connection().await.map_err(|e| e.to_string())?;
        if self.answers(&mut conn).await {
            self.give_back(conn);
            Ok(())
        } else {
            Err("SMTP relay does not answer".into())
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn an_email() -> OutgoingEmail {
        OutgoingEmail {
            to: "ops@example.org".into(),
            to_name: None,
            subject: "Votre lien".into(),
            text: "Bonjour".into(),
            html: "<p>Bonjour</p>".into(),
            reply_to: None,
            attachments: Vec::new(),
        }
    }

    /// The relay closed the pooled connections (a restart) less than `CHECK_AFTER_IDLE` ago, so
    /// the next email takes a dead one unchecked: nothing was sent on it, so it goes at once on a new
    /// connection instead of waiting for a retry.
    #[tokio::test]
    async fn a_pooled_connection_the_relay_closed_is_replaced_at_once() {
        let sink = testkit::SmtpSink::start().await;
        let url = SecretString::from(sink.url());
        let mailer = Mailer::new(&url, "noreply@gigafibre.ca", None, "gigafibre.ca").unwrap();
        mailer.send("first", &an_email()).await.unwrap();
        sink.stop().await;
        sink.restart().await;
        mailer.send("second", &an_email()).await.unwrap();
        assert_eq!(sink.count(), 2);
    }
}
