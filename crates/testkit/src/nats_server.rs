//! A NATS server of a test's own (JetStream, file storage in a temporary directory, a free loopback
//! port), for the tests that kill the bus and start it again. Everything else uses the machine's
//! server ([`crate::nats_url`]).

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{TempDir, free_port};

/// Debian's path; `NATS_SERVER_BIN` overrides it.
const DEFAULT_BINARY: &str = "/usr/sbin/nats-server";

/// A running `nats-server`; killed when dropped, its store removed.
#[derive(Debug)]
pub struct NatsServer {
    port: u16,
    store: TempDir,
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
            child: None,
        };
        server.start_again();
        server
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
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
        let child = Command::new(&binary)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.store.path())
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
