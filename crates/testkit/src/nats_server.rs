//! A NATS server of a test's own (JetStream, file storage in a temporary directory, a free loopback
//! port), for the tests that kill the bus and start it again, and for those that need a login or TLS
//! ([`NatsServer::start_secured`]). Everything else uses the machine's server ([`crate::nats_url`]).

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::tls::ServerCertificate;
use crate::{TempDir, free_port};

/// How clients must log in to a [`NatsServer::start_secured`] server.
#[derive(Debug, Clone)]
pub enum NatsServerAuth {
    /// A user and its password.
    UserPassword(String, String),
    /// A token.
    Token(String),
}

/// The configuration file and TLS material of a secured server.
#[derive(Debug)]
struct Secured {
    dir: TempDir,
    tls: bool,
}

/// Debian's path; `NATS_SERVER_BIN` overrides it.
const DEFAULT_BINARY: &str = "/usr/sbin/nats-server";

/// A running `nats-server`; killed when dropped, its store removed.
#[derive(Debug)]
pub struct NatsServer {
    port: u16,
    store: TempDir,
    secured: Option<Secured>,
    child: Option<Child>,
}

impl NatsServer {
    /// Starts a server with JetStream on a free port and waits until it accepts connections.
    ///
    /// # Panics
    /// When the binary cannot be started or does not listen within 10 s.
    pub fn start() -> Self {
        let mut server = Self {
            port: free_port(),
            store: TempDir::new(),
            secured: None,
            child: None,
        };
        server.start_again();
        server
    }

    /// Starts a server that admits only clients logging in as `auth`, and with `tls` only over TLS,
    /// with a certificate for `127.0.0.1` signed by a CA made now ([`NatsServer::ca_file`]).
    ///
    /// # Panics
    /// When the certificates or the configuration cannot be written, or the server does not start.
    #[allow(clippy::expect_used, reason = "a NATS test cannot run without NATS")]
    pub fn start_secured(auth: &NatsServerAuth, tls: bool) -> Self {
        let dir = TempDir::new();
        let port = free_port();
        let store = TempDir::new();
        let quoted = |s: &str| serde_json::to_string(s).expect("a JSON string");
        let mut conf = format!(
            "listen: \"127.0.0.1:{port}\"\njetstream {{ store_dir: {} }}\n",
            quoted(&store.path().display().to_string())
        );
        conf.push_str(&match auth {
            NatsServerAuth::UserPassword(user, password) => format!(
                "authorization {{ user: {}, password: {} }}\n",
                quoted(user),
                quoted(password)
            ),
            NatsServerAuth::Token(token) => {
                format!("authorization {{ token: {} }}\n", quoted(token))
            }
        });
        if tls {
            let certificate =
                ServerCertificate::generate("testkit NATS CA").expect("making the certificates");
            let write = |name: &str, pem: &str| {
                let path = dir.path().join(name);
                std::fs::write(&path, pem).expect("writing a certificate");
                path.display().to_string()
            };
            write("ca.pem", &certificate.ca_pem);
            conf.push_str(&format!(
                "tls {{ cert_file: {}, key_file: {}, timeout: 5 }}\n",
                quoted(&write("server.pem", &certificate.cert_pem)),
                quoted(&write("server-key.pem", &certificate.key_pem))
            ));
        }
        std::fs::write(dir.path().join("nats.conf"), conf).expect("writing nats.conf");
        let mut server = Self {
            port,
            store,
            secured: Some(Secured { dir, tls }),
            child: None,
        };
        server.start_again();
        server
    }

    /// `nats://127.0.0.1:<port>` (`tls://` for a server started with TLS).
    pub fn url(&self) -> String {
        let scheme = match &self.secured {
            Some(Secured { tls: true, .. }) => "tls",
            _ => "nats",
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The PEM file of the CA that signed the certificate of a server started with TLS.
    pub fn ca_file(&self) -> Option<PathBuf> {
        match &self.secured {
            Some(Secured { dir, tls: true }) => Some(dir.path().join("ca.pem")),
            _ => None,
        }
    }

    /// SIGKILL, as a crash: no flush, no goodbye to the clients.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port with the same store (after [`NatsServer::kill`]).
    ///
    /// # Panics
    /// When the binary cannot be started or does not listen within 10 s.
    #[allow(clippy::expect_used, reason = "a NATS test cannot run without NATS")]
    pub fn start_again(&mut self) {
        self.kill();
        let binary = std::env::var("NATS_SERVER_BIN").unwrap_or_else(|_| DEFAULT_BINARY.to_owned());
        let mut command = Command::new(&binary);
        match &self.secured {
            Some(secured) => command.arg("-c").arg(secured.dir.path().join("nats.conf")),
            None => command
                .args([
                    "-a",
                    "127.0.0.1",
                    "-p",
                    &self.port.to_string(),
                    "-js",
                    "-sd",
                ])
                .arg(self.store.path()),
        };
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {binary}: {e}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "{binary} did not listen on {} within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}
