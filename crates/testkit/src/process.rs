//! Services as real OS processes: the workspace binaries started with a given environment, their
//! output captured to a log file, stopped with SIGTERM or SIGKILL as an orchestrator would.
//!
//! A [`Proc`] is SIGKILLed when dropped, so a failing test leaves nothing running, and when it is
//! dropped because a test panicked it prints the tail of its log: the reason of a failure is
//! usually in the log of the process that misbehaved.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::process::{Child, Command};
use tokio::time::Instant;

/// Lines of log printed when a test fails.
const TAIL_LINES: usize = 40;

/// The path of workspace binary `name`, built next to the running test executable
/// (`current_exe()` is `target/<profile>/deps/<test>-<hash>`, binaries are in `target/<profile>`).
///
/// `cargo test` builds the binaries of the package under test only, so a test that starts another
/// package's binary needs it built first (`cargo build -p <package>`, same target directory).
///
/// # Panics
/// When the binary is not there, with the cargo command that builds it.
pub fn binary(name: &str) -> PathBuf {
    #[allow(
        clippy::expect_used,
        reason = "a test that cannot find itself cannot find anything"
    )]
    let exe = std::env::current_exe().expect("locating the test executable");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "the `{name}` binary is missing at {}; build it first, with the same CARGO_TARGET_DIR: \
         cargo build --bin {name}",
        path.display()
    );
    path
}

/// A free TCP port on `127.0.0.1` (bound, read, released: another process may take it in between,
/// which on loopback in a test is unlikely enough).
///
/// # Panics
/// When no port can be bound.
pub fn free_port() -> u16 {
    #[allow(clippy::expect_used, reason = "a test cannot run without a port")]
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("finding a free port on 127.0.0.1")
}

/// One running process with a name, the port it serves HTTP on and a log file.
pub struct Proc {
    name: String,
    port: u16,
    log: PathBuf,
    child: Child,
    exited: Option<ExitStatus>,
}

impl Proc {
    /// Starts `program` with exactly `env` (plus `PATH`), stdout and stderr appended to
    /// `<log_dir>/<name>.log`. `port` is where it will serve (the caller puts it in `env`, e.g.
    /// as `BIND`).
    ///
    /// # Panics
    /// When the log file cannot be created or the program cannot be started.
    pub fn spawn(
        name: &str,
        program: &Path,
        env: &[(String, String)],
        port: u16,
        log_dir: &Path,
    ) -> Proc {
        Self::start(name, program, env, port, log_dir, None)
    }

    /// Like [`Proc::spawn`], running in `dir` (a program that writes beside itself, as the hub
    /// writes `var/`, then writes there).
    ///
    /// # Panics
    /// As [`Proc::spawn`].
    pub fn spawn_in(
        dir: &Path,
        name: &str,
        program: &Path,
        env: &[(String, String)],
        port: u16,
    ) -> Proc {
        Self::start(name, program, env, port, dir, Some(dir))
    }

    #[allow(
        clippy::expect_used,
        reason = "a test cannot run without its processes"
    )]
    fn start(
        name: &str,
        program: &Path,
        env: &[(String, String)],
        port: u16,
        log_dir: &Path,
        cwd: Option<&Path>,
    ) -> Proc {
        let log = log_dir.join(format!("{name}.log"));
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("creating a process log file");
        let _ = writeln!(file, "=== {name}: {} on port {port}", program.display());
        let err: File = file.try_clone().expect("duplicating a log file handle");
        let mut command = Command::new(program);
        if let Some(dir) = cwd {
            command.current_dir(dir);
        }
        let child = command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(err))
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name} ({}): {e}", program.display()));
        Proc {
            name: name.to_owned(),
            port,
            log,
            child,
            exited: None,
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The port it serves on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Where its output goes.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Waits until `GET <path>` answers below 500 (a `/readyz` answers 503 until the database, the
    /// bus and the ERP answer it).
    ///
    /// # Panics
    /// When the process exits first, or `timeout` passes; the message carries its log tail.
    pub async fn wait_ready(&mut self, path: &str, timeout: Duration) {
        let http = reqwest::Client::new();
        let url = self.url(path);
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.exited = Some(status);
                panic!(
                    "{} exited at start ({status}); its log:\n{}",
                    self.name,
                    self.log_tail(TAIL_LINES)
                );
            }
            if http
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| !r.status().is_server_error())
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not answer {url} within {timeout:?}; its log:\n{}",
                self.name,
                self.log_tail(TAIL_LINES)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends SIGTERM, as Kubernetes does to stop a pod, and returns at once.
    ///
    /// # Panics
    /// When the process is gone or `kill` cannot be run.
    pub fn sigterm(&self) {
        let pid = self
            .child
            .id()
            .unwrap_or_else(|| panic!("{} is not running", self.name));
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(sent, "sending SIGTERM to {} (pid {pid})", self.name);
    }

    /// Sends SIGKILL (no shutdown hook runs) and waits for the process to be gone.
    ///
    /// # Panics
    /// When the signal cannot be sent.
    pub async fn sigkill(&mut self) -> ExitStatus {
        if let Err(e) = self.child.start_kill() {
            panic!("sending SIGKILL to {}: {e}", self.name);
        }
        self.wait_exit(Duration::from_secs(10)).await
    }

    /// Waits for the process to exit.
    ///
    /// # Panics
    /// When it is still running after `timeout`; the message carries its log tail.
    pub async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        if let Some(status) = self.exited {
            return status;
        }
        match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(Ok(status)) => {
                self.exited = Some(status);
                status
            }
            Ok(Err(e)) => panic!("waiting for {}: {e}", self.name),
            Err(_) => panic!(
                "{} still runs {timeout:?} after it was told to stop; its log:\n{}",
                self.name,
                self.log_tail(TAIL_LINES)
            ),
        }
    }

    /// The last `lines` lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // kill_on_drop sends SIGKILL after this; the log is complete enough to read now.
        if std::thread::panicking() {
            eprintln!(
                "----- last lines of {} ({}) -----\n{}\n-----",
                self.name,
                self.log.display(),
                self.log_tail(TAIL_LINES)
            );
        }
    }
}

/// What one run of an operator command printed, and how it ended.
pub struct CliRun {
    /// Exit status 0.
    pub success: bool,
    /// Standard output (results).
    pub stdout: String,
    /// Standard error (logs, progress).
    pub stderr: String,
}

impl CliRun {
    /// The stdout line of `check-config` about `check` (`OK    check: …` or `FAIL  check: …`).
    pub fn line(&self, check: &str) -> &str {
        self.stdout
            .lines()
            .find(|l| l.split_once(": ").is_some_and(|(h, _)| h.ends_with(check)))
            .unwrap_or_else(|| panic!("no {check:?} line in:\n{}", self.stdout))
    }
}

/// Runs `program args…` to its end with only `env` (and PATH) in its environment.
pub async fn run_cli(program: &str, args: &[&str], env: &[(&str, &str)]) -> CliRun {
    let output = Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    CliRun {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
