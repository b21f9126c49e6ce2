//! Signing key files on disk: the directory, the `.pem` files, writing a new key, and who may read
//! them.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::keys::{KeyError, KeyFileAccess, SigningKey};
use super::pkcs8;

pub(super) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(super) fn create_key_dir(dir: &Path) -> Result<(), KeyError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_error(dir))
}

pub(super) fn pem_files(dir: &Path) -> Result<Vec<PathBuf>, KeyError> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let path = entry.map_err(io_error(dir))?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "pem") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Writes the key under a temporary name first so a crash never leaves a half-written `.pem`.
pub(super) fn write_key(dir: &Path, seed: &[u8; 32], created_at: i64) -> Result<(), KeyError> {
    let key = SigningKey::from_seed(seed, created_at)?;
    let name = format!("{}-{}.pem", key.created_at(), key.kid());
    let final_path = dir.join(&name);
    let tmp_path = dir.join(format!(".{name}.tmp"));
    let pem = pkcs8::seed_to_pem(seed)
        .ok_or_else(|| KeyError::InvalidKey("a new Ed25519 seed".into()))?;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp_path).map_err(io_error(&tmp_path))?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io_error(&tmp_path))?;
    fs::rename(&tmp_path, &final_path).map_err(io_error(&final_path))
}

pub(super) fn created_from_name(path: &Path) -> Option<i64> {
    let stem = path.file_stem()?.to_str()?;
    stem.split_once('-')?.0.parse().ok()
}

pub(super) fn modified_at(path: &Path) -> i64 {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}

/// Refuses (or warns about) a key file its group or others may access: see [`KeyFileAccess`].
pub(super) fn check_access(path: &Path, access: KeyFileAccess) -> Result<(), KeyError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let meta = fs::metadata(path).map_err(io_error(path))?;
        if let Some(who) = exposed_to(meta.mode() & 0o777, meta.uid()) {
            let error = KeyError::Exposed {
                path: path.to_path_buf(),
                mode: meta.mode() & 0o7777,
                who,
            };
            match access {
                KeyFileAccess::Refuse => return Err(error),
                KeyFileAccess::Warn => tracing::warn!("{error}"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, access);
    Ok(())
}

/// Who besides the owner may access a key file of `mode` owned by `uid`: any access by others, any
/// access by the group unless root owns the file and the group may only read it.
fn exposed_to(mode: u32, uid: u32) -> Option<&'static str> {
    if mode & 0o007 != 0 {
        Some("others")
    } else if mode & 0o070 != 0 && !(uid == 0 && mode & 0o070 == 0o040) {
        Some("its group")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::exposed_to;

    #[test]
    fn only_the_owner_or_a_root_owned_group_read_is_accepted() {
        for (mode, uid) in [(0o600, 1000), (0o400, 1000), (0o640, 0), (0o440, 0)] {
            assert_eq!(exposed_to(mode, uid), None, "{mode:o} owned by {uid}");
        }
        assert_eq!(exposed_to(0o644, 0), Some("others"));
        assert_eq!(exposed_to(0o604, 1000), Some("others"));
        assert_eq!(exposed_to(0o640, 1000), Some("its group"));
        assert_eq!(exposed_to(0o660, 0), Some("its group"));
        assert_eq!(exposed_to(0o610, 0), Some("its group"));
    }
}
