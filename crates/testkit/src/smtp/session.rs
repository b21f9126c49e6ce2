//! One SMTP connection: reads commands line by line and answers them in order.
//!
//! Replies are buffered and flushed only when no further command is already waiting in the
//! read buffer, which gives PIPELINING for free and keeps one write per round trip. On a TLS sink
//! the same session runs over the TLS stream: from the first byte, or after STARTTLS.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, BufWriter,
};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use super::{Inner, MAX_MESSAGE_SIZE, SinkTls, StoredMail};

const EHLO_EXTENSIONS: &str = "250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 26214400\r\n\
                               250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n";
/// Longest command line read before the connection is considered hostile and closed.
const MAX_LINE: usize = 64 * 1024;

/// Where the client stands in the SMTP dialogue.
#[derive(Debug, Default)]
struct Transaction {
    greeted: bool,
    from: Option<String>,
    to: Vec<String>,
}

/// What the command loop does after a reply.
enum Next {
    Continue,
    Close,
    /// `220` to STARTTLS was sent: the TLS handshake comes next.
    StartTls,
}

/// Where the connection stands with TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// A plain sink.
    Plain,
    /// Plain so far; STARTTLS offered and required before AUTH and MAIL.
    Offered,
    /// Over TLS.
    Encrypted,
}

/// Serves one connection until QUIT, EOF or an I/O error.
pub(super) async fn serve(stream: TcpStream, inner: Arc<Inner>) {
    // Errors only mean the peer went away; there is nobody to report them to.
    let _ = serve_connection(stream, inner).await;
}

async fn serve_connection(stream: TcpStream, inner: Arc<Inner>) -> std::io::Result<()> {
    let tls = inner
        .tls
        .as_ref()
        .map(|(mode, credentials)| (*mode, credentials.acceptor.clone()));
    let Some((mode, acceptor)) = tls else {
        let (read, write) = stream.into_split();
        return Session::new(read, write, inner, Security::Plain)
            .run(true)
            .await
            .map(drop);
    };
    let (stream, greet) = match mode {
        SinkTls::Implicit => (stream, true),
        SinkTls::StartTls => {
            let (read, write) = stream.into_split();
            let mut plain = Session::new(read, write, Arc::clone(&inner), Security::Offered);
            let Next::StartTls = plain.run(true).await? else {
                return Ok(());
            };
            // What the client sent before the handshake is dropped (RFC 3207, section 4.2).
            (plain.into_stream()?, false)
        }
    };
    let (read, write) = tokio::io::split(acceptor.accept(stream).await?);
    Session::new(read, write, inner, Security::Encrypted)
        .run(greet)
        .await
        .map(drop)
}

struct Session<R, W> {
    reader: BufReader<R>,
    writer: BufWriter<W>,
    inner: Arc<Inner>,
    line: Vec<u8>,
    tx: Transaction,
    security: Security,
    login: Option<String>,
}

impl Session<OwnedReadHalf, OwnedWriteHalf> {
    /// The TCP stream again, for the TLS handshake.
    fn into_stream(self) -> std::io::Result<TcpStream> {
        let read = self.reader.into_inner();
        let write = self.writer.into_inner();
        read.reunite(write).map_err(std::io::Error::other)
    }
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> Session<R, W> {
    fn new(read: R, write: W, inner: Arc<Inner>, security: Security) -> Self {
        Session {
            reader: BufReader::with_capacity(16 * 1024, read),
            writer: BufWriter::with_capacity(4 * 1024, write),
            inner,
            line: Vec::with_capacity(512),
            tx: Transaction::default(),
            security,
            login: None,
        }
    }

    /// Answers commands until QUIT, EOF (both [`Next::Close`]) or STARTTLS; greets first when
    /// `greet` (not after STARTTLS: the client speaks first then).
    async fn run(&mut self, greet: bool) -> std::io::Result<Next> {
        if greet {
            self.reply("220 127.0.0.1 ESMTP testkit sink ready").await?;
        }
        loop {
            if !self.read_line().await? {
                return Ok(Next::Close);
            }
            let line = String::from_utf8_lossy(trim_crlf(&self.line)).into_owned();
            match self.command(&line).await? {
                Next::Continue => {}
                ended => return Ok(ended),
            }
        }
    }

    /// Dispatches one command line.
    async fn command(&mut self, line: &str) -> std::io::Result<Next> {
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        let arg = arg.trim();
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" if !arg.is_empty() => {
                self.tx = Transaction {
                    greeted: true,
                    ..Transaction::default()
                };
                self.writer.write_all(b"250-127.0.0.1 greets ").await?;
                self.writer.write_all(arg.as_bytes()).await?;
                self.writer.write_all(b"\r\n").await?;
                if self.security == Security::Offered {
                    self.writer.write_all(b"250-STARTTLS\r\n").await?;
                }
                self.raw_reply(EHLO_EXTENSIONS).await?;
            }
            "HELO" if !arg.is_empty() => {
                self.tx = Transaction {
                    greeted: true,
                    ..Transaction::default()
                };
                self.reply("250 127.0.0.1").await?;
            }
            "EHLO" | "HELO" => self.reply("501 5.5.4 a domain is required").await?,
            "STARTTLS" => return self.starttls().await,
            "AUTH" | "MAIL" if self.security == Security::Offered => {
                self.reply("530 5.7.0 Must issue a STARTTLS command first")
                    .await?;
            }
            "AUTH" => self.auth(arg).await?,
            "MAIL" => self.mail(arg).await?,
            "RCPT" => self.rcpt(arg).await?,
            "DATA" => self.data().await?,
            "RSET" => {
                self.tx.from = None;
                self.tx.to.clear();
                self.reply("250 2.0.0 Ok").await?;
            }
            "NOOP" => self.reply("250 2.0.0 Ok").await?,
            "QUIT" => {
                self.reply("221 2.0.0 Bye").await?;
                return Ok(Next::Close);
            }
            _ => self.reply("500 5.5.2 command not recognized").await?,
        }
        Ok(Next::Continue)
    }

    /// STARTTLS: `220`, flushed, then the caller runs the handshake; refused when not offered (a
    /// plain sink, or already on TLS).
    async fn starttls(&mut self) -> std::io::Result<Next> {
        if self.security != Security::Offered {
            self.reply("454 4.7.0 TLS not available").await?;
            return Ok(Next::Continue);
        }
        self.writer
            .write_all(b"220 2.0.0 Ready to start TLS\r\n")
            .await?;
        self.writer.flush().await?;
        Ok(Next::StartTls)
    }

    /// AUTH PLAIN and AUTH LOGIN, with or without an initial response; any credentials pass unless
    /// [`super::SmtpSink::require_login`] named some, and the user name is kept for the messages of
    /// the connection.
    async fn auth(&mut self, arg: &str) -> std::io::Result<()> {
        if !self.tx.greeted || self.tx.from.is_some() {
            return self.reply("503 5.5.1 bad sequence of commands").await;
        }
        let mut parts = arg.split_whitespace();
        let mechanism = parts.next().unwrap_or_default().to_ascii_uppercase();
        let initial = parts.next();
        let prompts: &[&str] = match (mechanism.as_str(), initial) {
            ("PLAIN", Some(_)) => &[],
            ("PLAIN", None) => &["334 "],
            ("LOGIN", Some(_)) => &["334 UGFzc3dvcmQ6"],
            ("LOGIN", None) => &["334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"],
            _ => {
                return self
                    .reply("504 5.5.4 unrecognized authentication type")
                    .await;
            }
        };
        let mut responses: Vec<Vec<u8>> =
            initial.map(|i| i.as_bytes().to_vec()).into_iter().collect();
        for prompt in prompts {
            self.reply(prompt).await?;
            if !self.read_line().await? {
                return Ok(());
            }
            if trim_crlf(&self.line) == b"*" {
                return self.reply("501 5.7.0 authentication cancelled").await;
            }
            responses.push(trim_crlf(&self.line).to_vec());
        }
        let given = credentials(&mechanism, &responses);
        if let Some(required) = self.inner.required_login()
            && given.as_ref() != Some(&required)
        {
            return self
                .reply("535 5.7.8 Authentication credentials invalid")
                .await;
        }
        self.login = given.map(|(user, _)| user);
        self.reply("235 2.7.0 Authentication successful").await
    }

    async fn mail(&mut self, arg: &str) -> std::io::Result<()> {
        if !self.tx.greeted || self.tx.from.is_some() {
            return self.reply("503 5.5.1 bad sequence of commands").await;
        }
        match path_argument(arg, "FROM:") {
            Some(from) => {
                self.tx.from = Some(from.to_owned());
                self.reply("250 2.1.0 Ok").await
            }
            None => self.reply("501 5.5.4 syntax: MAIL FROM:<address>").await,
        }
    }

    async fn rcpt(&mut self, arg: &str) -> std::io::Result<()> {
        if self.tx.from.is_none() {
            return self.reply("503 5.5.1 need MAIL before RCPT").await;
        }
        let Some(to) = path_argument(arg, "TO:").filter(|to| !to.is_empty()) else {
            return self.reply("501 5.5.4 syntax: RCPT TO:<address>").await;
        };
        if let Some(rejection) = self.inner.recipient_rejection(to) {
            return self.reply(&rejection).await;
        }
        self.tx.to.push(to.to_owned());
        self.reply("250 2.1.5 Ok").await
    }

    /// DATA: 354, the message up to `.` alone on a line (dot-unstuffed), then the verdict.
    async fn data(&mut self) -> std::io::Result<()> {
        if self.tx.from.is_none() {
            return self.reply("503 5.5.1 need MAIL before DATA").await;
        }
        if self.tx.to.is_empty() {
            return self.reply("554 5.5.1 no valid recipients").await;
        }
        self.reply("354 End data with <CR><LF>.<CR><LF>").await?;
        let mut data = Vec::with_capacity(4 * 1024);
        let mut too_big = false;
        loop {
            if !self.read_line().await? {
                return Ok(());
            }
            let line = self.line.as_slice();
            if trim_crlf(line) == b"." {
                break;
            }
            // Keep reading to stay in sync with the client, but stop storing.
            too_big |= data.len() + line.len() > MAX_MESSAGE_SIZE;
            if !too_big {
                data.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
            }
        }
        let from = self.tx.from.take().unwrap_or_default();
        let to = std::mem::take(&mut self.tx.to);
        if too_big {
            return self
                .reply("552 5.3.4 message size exceeds fixed limit")
                .await;
        }
        if let Some(failure) = self.inner.take_data_failure() {
            return self.reply(&failure).await;
        }
        let data = String::from_utf8(data)
            .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned());
        self.inner.store(StoredMail {
            from,
            to,
            data,
            encrypted: self.security == Security::Encrypted,
            login: self.login.clone(),
        });
        let delay = self.inner.accept_delay();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let id = self.inner.next_queue_id();
        self.reply(&format!("250 2.0.0 Ok: queued as {id:X}")).await
    }

    /// Reads one line (with its line ending) into `self.line`; `false` at end of stream.
    async fn read_line(&mut self) -> std::io::Result<bool> {
        self.line.clear();
        let read = (&mut self.reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut self.line)
            .await?;
        if read == MAX_LINE && !self.line.ends_with(b"\n") {
            return Err(std::io::Error::other("SMTP line too long"));
        }
        Ok(read > 0)
    }

    async fn reply(&mut self, text: &str) -> std::io::Result<()> {
        self.writer.write_all(text.as_bytes()).await?;
        self.raw_reply("\r\n").await
    }

    /// Writes `text` and flushes unless pipelined commands are already waiting to be answered.
    async fn raw_reply(&mut self, text: &str) -> std::io::Result<()> {
        self.writer.write_all(text.as_bytes()).await?;
        if self.reader.buffer().is_empty() {
            self.writer.flush().await?;
        }
        Ok(())
    }
}

/// The address of `FROM:<a@b> PARAMS` / `TO:<a@b>` (keyword case-insensitive), brackets removed.
fn path_argument<'a>(arg: &'a str, keyword: &str) -> Option<&'a str> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let path = arg[keyword.len()..].trim_start();
    let path = path.split_whitespace().next().unwrap_or_default();
    match path.strip_prefix('<') {
        Some(inner) => inner.strip_suffix('>'),
        None => Some(path),
    }
}

/// The user name and password of AUTH PLAIN (`authzid NUL authcid NUL password`) or AUTH LOGIN
/// (the two responses), each base64.
fn credentials(mechanism: &str, responses: &[Vec<u8>]) -> Option<(String, String)> {
    let decoded = |i: usize| BASE64.decode(responses.get(i)?).ok();
    let (user, password) = match mechanism {
        "PLAIN" => {
            let first = decoded(0)?;
            let mut parts = first.split(|b| *b == 0).skip(1);
            (
                parts.next()?.to_vec(),
                parts.next().unwrap_or_default().to_vec(),
            )
        }
        _ => (decoded(0)?, decoded(1).unwrap_or_default()),
    };
    Some((
        String::from_utf8(user).ok()?,
        String::from_utf8(password).ok()?,
    ))
}

fn trim_crlf(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::{credentials, path_argument};

    #[test]
    fn the_credentials_of_auth_plain_and_auth_login() {
        // base64("\0key\0secret"), base64("key"), base64("secret")
        let key_and_secret = Some(("key".to_owned(), "secret".to_owned()));
        assert_eq!(
            credentials("PLAIN", &[b"AGtleQBzZWNyZXQ=".to_vec()]),
            key_and_secret
        );
        assert_eq!(
            credentials("LOGIN", &[b"a2V5".to_vec(), b"c2VjcmV0".to_vec()]),
            key_and_secret
        );
        assert_eq!(credentials("PLAIN", &[b"not base64!".to_vec()]), None);
        assert_eq!(credentials("PLAIN", &[]), None);
    }

    #[test]
    fn a_bracketed_path_with_parameters_gives_the_bare_address() {
        assert_eq!(
            path_argument("FROM:<a@b.ca> BODY=8BITMIME SIZE=12", "FROM:"),
            Some("a@b.ca")
        );
        assert_eq!(path_argument("to: <x@y.ca>", "TO:"), Some("x@y.ca"));
        assert_eq!(path_argument("FROM:<>", "FROM:"), Some(""));
        assert_eq!(path_argument("FRM:<a@b>", "FROM:"), None);
    }
}
