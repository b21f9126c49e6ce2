//! The secret key of the typed codes' hashes: HMAC-SHA256 of the row id and the six digits, so that a
//! copy of the database (or a backup) gives no code without the key, which never enters the database.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;

use shared::config::{self, Source};

use crate::config::Settings;

/// The file the embedded default generates the key in, inside `JWT_KEYS_DIR`.
pub const GENERATED_KEY_FILE: &str = "code-hash.key";

/// Fewest characters of a `CODE_HASH_KEY` (`openssl rand -hex 32` gives 64).
const MIN_KEY_LEN: usize = 32;

/// The keyed hash of the typed codes.
#[derive(Clone)]
pub struct CodeKey(Hmac<Sha256>);

impl std::fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeKey(..)")
    }
}

impl CodeKey {
    /// A key from its text (at least 32 characters).
    pub fn from_secret(secret: &str) -> Result<Self, String> {
        if secret.len() < MIN_KEY_LEN {
            return Err(format!(
                "must be at least {MIN_KEY_LEN} characters (e.g. `openssl rand -hex 32`)"
            ));
        }
        Hmac::new_from_slice(secret.as_bytes())
            .map(Self)
            .map_err(|e| e.to_string())
    }

    /// The key of `settings`: `CODE_HASH_KEY` (or `CODE_HASH_KEY_FILE`); else, in the embedded default
    /// (`JWT_GENERATE_KEYS=true`), the one generated in `JWT_KEYS_DIR` on the first start; else refused.
    pub fn load(settings: &Settings) -> anyhow::Result<Self> {
        if let Some(secret) = &settings.code_hash_key {
            return Self::from_secret(secret.expose_secret())
                .map_err(|e| anyhow::anyhow!("CODE_HASH_KEY {e}"));
        }
        if !settings.generate_keys {
            bail!(
                "CODE_HASH_KEY (or CODE_HASH_KEY_FILE) is required when JWT_GENERATE_KEYS=false: \
                 the typed codes are hashed with it"
            );
        }
        let path = settings.keys_dir.join(GENERATED_KEY_FILE);
        let secret = read_or_generate(&path).with_context(|| {
            format!("reading or generating the code hash key {}", path.display())
        })?;
        Self::from_secret(&secret).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// The stored hash of `code` sent in row `id`.
    pub fn hash(&self, id: &str, code: &str) -> String {
        let mut mac = self.0.clone();
        mac.update(id.as_bytes());
        mac.update(b":");
        mac.update(code.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The code-hash-key line of `check-config`: where the key comes from, or what is wrong and which
/// variable to fix. Nothing is generated, and the key is never shown.
pub fn check(src: &dyn Source) -> Result<String, String> {
    let wrong = |e: config::ConfigError| format!("{} is wrong: {}", e.name, e.problem);
    if let Some(secret) = config::secret(src, "CODE_HASH_KEY").map_err(wrong)? {
        let from = match src.get("CODE_HASH_KEY") {
            Some(_) => "CODE_HASH_KEY".to_owned(),
            None => format!(
                "CODE_HASH_KEY_FILE={}",
                src.get("CODE_HASH_KEY_FILE").unwrap_or_default()
            ),
        };
        return match CodeKey::from_secret(secret.expose_secret()) {
            Ok(_) => Ok(format!("from {from}")),
            Err(e) => Err(format!("{from} {e}")),
        };
    }
    if !config::parsed_or(src, "JWT_GENERATE_KEYS", true).map_err(wrong)? {
        return Err(
            "CODE_HASH_KEY (or CODE_HASH_KEY_FILE) is required when JWT_GENERATE_KEYS=false"
                .to_owned(),
        );
    }
    let path = config::path_or(src, "JWT_KEYS_DIR", "var/keys").join(GENERATED_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => match CodeKey::from_secret(text.trim()) {
            Ok(_) => Ok(format!("generated in {}", path.display())),
            Err(e) => Err(format!(
                "{} {e}: replace it, or set CODE_HASH_KEY",
                path.display()
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(format!(
            "none yet: generated in {} at the first start (JWT_GENERATE_KEYS=true)",
            path.display()
        )),
        Err(e) => Err(format!(
            "cannot read {}: {e}: fix JWT_KEYS_DIR, or set CODE_HASH_KEY",
            path.display()
        )),
    }
}

fn read_or_generate(path: &Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(text.trim().to_owned()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        Err(_) => {}
    }
    if let Some(dir) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    let secret = {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    };
    // Written under a temporary name, so a crash never leaves half a key; a replica that raced us
    // to it keeps its own (the rename is atomic, and both read it back below).
    let tmp = PathBuf::from(format!("{}.{}.tmp", path.display(), uuid::Uuid::new_v4()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(secret.as_bytes())?;
    file.sync_all()?;
    std::fs::hard_link(&tmp, path).or_else(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Ok(())
        } else {
            Err(e)
        }
    })?;
    std::fs::remove_file(&tmp)?;
    Ok(std::fs::read_to_string(path)?.trim().to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_short_key_is_refused() {
        assert!(CodeKey::from_secret("too-short").is_err());
        assert!(CodeKey::from_secret(&"k".repeat(32)).is_ok());
    }

    #[test]
    fn the_hash_depends_on_the_key_the_row_and_the_code() {
        let a = CodeKey::from_secret(&"a".repeat(32)).unwrap();
        let b = CodeKey::from_secret(&"b".repeat(32)).unwrap();
        assert_eq!(a.hash("row", "123456"), a.hash("row", "123456"));
        assert_ne!(a.hash("row", "123456"), b.hash("row", "123456"));
        assert_ne!(a.hash("row", "123456"), a.hash("row2", "123456"));
        assert_ne!(a.hash("row", "123456"), a.hash("row", "123457"));
    }

    #[test]
    fn the_generated_key_is_kept_and_readable_by_its_owner_only() {
        let dir = std::env::temp_dir().join(format!("pa-code-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join(GENERATED_KEY_FILE);
        let first = read_or_generate(&path).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(read_or_generate(&path).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
