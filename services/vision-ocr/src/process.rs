//! Child processes (Tesseract, poppler) run with bounded memory, CPU and wall-clock time, their
//! input on stdin and their output read whole.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

/// The bounds of one child process.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Address space (`prlimit --as`), bytes.
    pub memory_bytes: u64,
    /// CPU seconds (`prlimit --cpu`).
    pub cpu_s: u64,
    /// Wall clock; the process is killed after it.
    pub wall: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 1 << 30,
            cpu_s: 60,
            wall: Duration::from_secs(90),
        }
    }
}

/// How a child process failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// It could not be started (not installed).
    #[error("{program} could not be started: {source}")]
    Missing {
        program: String,
        source: std::io::Error,
    },
    /// It ran past its wall-clock limit and was killed.
    #[error("{program} took longer than {0:?}", .limit)]
    TimedOut { program: String, limit: Duration },
    /// It exited with an error.
    #[error("{program} failed ({status}): {stderr}")]
    Failed {
        program: String,
        status: String,
        stderr: String,
    },
}

/// What a child process printed.
#[derive(Debug)]
pub struct Output {
    /// Its standard output.
    pub stdout: Vec<u8>,
    /// Its standard error (a warning on success, the reason on failure).
    pub stderr: String,
}

/// Runs `program args…` under `limits` with `stdin` as its input; fails when it exits non-zero.
pub async fn run(
    program: &str,
    args: &[&str],
    stdin: &[u8],
    limits: Limits,
) -> Result<Output, RunError> {
    let mut child = Command::new("prlimit")
        .arg(format!("--as={}", limits.memory_bytes))
        .arg(format!("--cpu={}", limits.cpu_s))
        .arg("--")
        .arg(program)
        .args(args)
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| RunError::Missing {
            program: program.to_owned(),
            source,
        })?;
    let mut input = child.stdin.take();
    let feed = async {
        if let Some(pipe) = input.as_mut() {
            // A child that exits without reading all of it is judged by its exit status.
            let _ = pipe.write_all(stdin).await;
        }
        drop(input);
    };
    let (_, output) = tokio::time::timeout(limits.wall, async {
        tokio::join!(feed, child.wait_with_output())
    })
    .await
    .map_err(|_| RunError::TimedOut {
        program: program.to_owned(),
        limit: limits.wall,
    })?;
    let output = output.map_err(|source| RunError::Missing {
        program: program.to_owned(),
        source,
    })?;
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    match output.status.success() {
        true => Ok(Output {
            stdout: output.stdout,
            stderr,
        }),
        false if stderr.contains("failed to execute") => Err(RunError::Missing {
            program: program.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, stderr),
        }),
        false => Err(RunError::Failed {
            program: program.to_owned(),
            status: output.status.to_string(),
            stderr,
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn output_errors_missing_programs_and_timeouts() {
        let out = run("cat", &[], b"hello", Limits::default()).await.unwrap();
        assert_eq!(out.stdout, b"hello");
        let e = run("false", &[], b"", Limits::default()).await.unwrap_err();
        assert!(matches!(e, RunError::Failed { .. }), "{e}");
        let e = run("no-such-program-here", &[], b"", Limits::default())
            .await
            .unwrap_err();
        assert!(matches!(e, RunError::Missing { .. }), "{e}");
        let short = Limits {
            wall: Duration::from_millis(200),
            ..Limits::default()
        };
        let e = run("sleep", &["5"], b"", short).await.unwrap_err();
        assert!(matches!(e, RunError::TimedOut { .. }), "{e}");
    }
}
