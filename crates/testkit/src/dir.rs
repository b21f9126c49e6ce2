//! Temporary directories removed on drop (keys, SQLite files).

use std::path::{Path, PathBuf};

/// A fresh directory under the system temp dir, removed with its content when dropped.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `<tmp>/gigafibre-test-<uuid>`.
    ///
    /// # Panics
    /// When the directory cannot be created.
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!("gigafibre-test-{}", uuid::Uuid::new_v4()));
        #[allow(
            clippy::expect_used,
            reason = "a test cannot run without its directory"
        )]
        std::fs::create_dir_all(&path).expect("creating a temporary directory");
        Self { path }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Best effort: a leftover directory in /tmp harms nobody.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
