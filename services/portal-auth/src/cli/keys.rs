//! `portal-auth keys generate|rotate|list` on `JWT_KEYS_DIR`, and the signing-key line of
//! `check-config`. Only key ids, dates and public-key fingerprints are ever printed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use base64::Engine as _;
use secrecy::ExposeSecret as _;
use sha2::{Digest as _, Sha256};
use shared::claims::{KeyError, KeyRing, SigningKey};
use shared::config::{self, Source};

use super::KeysCommand;
use crate::tokens::CUSTOMER_TOKEN_TTL_S;

/// Runs one `keys` subcommand.
pub(super) fn run(command: KeysCommand, src: &dyn Source) -> anyhow::Result<ExitCode> {
    let dir = keys_dir(src);
    if src.get("JWT_PRIVATE_KEY").is_some() || src.get("JWT_PRIVATE_KEY_FILE").is_some() {
        eprintln!(
            "note: JWT_PRIVATE_KEY is set, so the service signs with that key and does not read JWT_KEYS_DIR"
        );
    }
    match command {
        KeysCommand::Generate => generate(&dir),
        KeysCommand::Rotate => rotate(&dir),
        KeysCommand::List => list(&dir),
    }
}

fn keys_dir(src: &dyn Source) -> PathBuf {
    config::path_or(src, "JWT_KEYS_DIR", "var/keys")
}

/// The keys in `dir`, or `None` when there is none yet (no directory, or no `*.pem` in it).
fn existing(dir: &Path) -> anyhow::Result<Option<KeyRing>> {
    match KeyRing::load(dir) {
        Ok(ring) => Ok(Some(ring)),
        Err(KeyError::NoKeys(_)) => Ok(None),
        Err(KeyError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Ok(None)
        }
        Err(e) => Err(e).with_context(|| format!("reading JWT_KEYS_DIR={}", dir.display())),
    }
}

fn generate(dir: &Path) -> anyhow::Result<ExitCode> {
    if let Some(ring) = existing(dir)? {
        anyhow::bail!(
            "JWT_KEYS_DIR={} already holds {} signing key(s); nothing was overwritten. \
             Use `portal-auth keys rotate` to add a new one",
            dir.display(),
            ring.keys().len()
        );
    }
    let ring = KeyRing::load_or_generate(dir)
        .with_context(|| format!("generating a key in JWT_KEYS_DIR={}", dir.display()))?;
    let key = ring.signing_key();
    println!(
        "generated signing key {} in {} (file mode 0600); restart portal-auth to use it",
        key.kid(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn rotate(dir: &Path) -> anyhow::Result<ExitCode> {
    let older = existing(dir)?.map_or(0, |ring| ring.keys().len());
    let ring = KeyRing::rotate(dir)
        .with_context(|| format!("adding a key in JWT_KEYS_DIR={}", dir.display()))?;
    let key = ring.signing_key();
    println!(
        "new signing key {} in {} (file mode 0600), created {}",
        key.kid(),
        dir.display(),
        date(key.created_at())
    );
    if older > 0 {
        println!(
            "the {older} older key(s) stay published and keep verifying the tokens they signed until {} \
             (the customer token lifetime, {} h, after this key's creation)",
            date(key.created_at() + CUSTOMER_TOKEN_TTL_S),
            CUSTOMER_TOKEN_TTL_S / 3600
        );
    }
    println!("restart every portal-auth replica to sign with it: keys are read at start");
    Ok(ExitCode::SUCCESS)
}

fn list(dir: &Path) -> anyhow::Result<ExitCode> {
    let Some(ring) = existing(dir)? else {
        anyhow::bail!(
            "JWT_KEYS_DIR={} holds no signing key: run `portal-auth keys generate`",
            dir.display()
        );
    };
    let now = chrono::Utc::now().timestamp();
    println!(
        "{:<44} {:<21} {:<36} FINGERPRINT",
        "KID", "CREATED", "STATUS"
    );
    let keys = ring.keys();
    for (i, key) in keys.iter().enumerate() {
        let successor = keys.get(i + 1).map(SigningKey::created_at);
        println!(
            "{:<44} {:<21} {:<36} {}",
            key.kid(),
            date(key.created_at()),
            status(successor, now),
            fingerprint(key)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Signing (the newest), verifying until its last token expires, or retired (no longer published).
fn status(successor_created: Option<i64>, now: i64) -> String {
    match successor_created {
        None => "active: signs new tokens".to_owned(),
        Some(created) if now < created + CUSTOMER_TOKEN_TTL_S => {
            format!("verifies until {}", date(created + CUSTOMER_TOKEN_TTL_S))
        }
        Some(_) => "retired: no longer published".to_owned(),
    }
}

/// `SHA256:<base64>` of the raw public key, as OpenSSH prints fingerprints.
fn fingerprint(key: &SigningKey) -> String {
    match key.jwk().ed25519_public_key() {
        Some(public) => format!(
            "SHA256:{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(public))
        ),
        None => "?".to_owned(),
    }
}

fn date(unix_s: i64) -> String {
    chrono::DateTime::from_timestamp(unix_s, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| unix_s.to_string())
}

/// The signing-key line of `check-config`: the key given in the environment, or the keys of
/// `JWT_KEYS_DIR` (none is fine only while `JWT_GENERATE_KEYS` is true).
pub fn check_keys(src: &dyn Source) -> Result<String, String> {
    match config::secret(src, "JWT_PRIVATE_KEY") {
        Err(e) => return Err(format!("{} is wrong: {}", e.name, e.problem)),
        Ok(Some(pem)) => {
            return KeyRing::from_pems(&[(0, pem.expose_secret().to_owned())])
                .map(|ring| {
                    format!(
                        "JWT_PRIVATE_KEY holds an Ed25519 key (kid {})",
                        ring.signing_key().kid()
                    )
                })
                .map_err(|_| "JWT_PRIVATE_KEY is not a PKCS#8 PEM Ed25519 private key".to_owned());
        }
        Ok(None) => {}
    }
    let dir = keys_dir(src);
    let generate = config::parsed_or(src, "JWT_GENERATE_KEYS", true)
        .map_err(|e| format!("{} is wrong: {}", e.name, e.problem))?;
    match existing(&dir) {
        Ok(Some(ring)) => Ok(format!(
            "JWT_KEYS_DIR={} holds {} key(s); {} signs",
            dir.display(),
            ring.keys().len(),
            ring.signing_key().kid()
        )),
        Ok(None) if generate => Ok(format!(
            "JWT_KEYS_DIR={} holds no key yet; one is generated at start (JWT_GENERATE_KEYS=true)",
            dir.display()
        )),
        Ok(None) => Err(format!(
            "JWT_KEYS_DIR={} holds no key and JWT_GENERATE_KEYS=false: run `portal-auth keys generate` \
             or fix JWT_KEYS_DIR",
            dir.display()
        )),
        Err(e) => Err(format!("{e:#}: fix JWT_KEYS_DIR")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_key_verifies_for_one_token_lifetime_after_its_successor() {
        let created = 1_800_000_000;
        assert!(status(Some(created), created + 10).starts_with("verifies until"));
        assert_eq!(
            status(Some(created), created + CUSTOMER_TOKEN_TTL_S),
            "retired: no longer published"
        );
        assert!(status(None, created).starts_with("active"));
    }
}
