//! `portal-auth keys generate|rotate|list` on `JWT_KEYS_DIR`, and the signing-key line of
//! `check-config`. Only key ids, dates and public-key fingerprints are ever printed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use base64::Engine as _;
use secrecy::ExposeSecret as _;
use sha2::{Digest as _, Sha256};
use shared::claims::{KeyError, KeyRing, KeyState, SigningKey};
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
    let activation: i64 = config::parsed_or(src, "JWT_KEY_ACTIVATION_S", 600)?;
    match command {
        KeysCommand::Generate => generate(&dir),
        KeysCommand::Rotate => rotate(&dir, activation),
        KeysCommand::List => list(&dir, activation),
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

fn rotate(dir: &Path, activation: i64) -> anyhow::Result<ExitCode> {
    let older = existing(dir)?.map_or(0, |ring| ring.keys().len());
    let ring = KeyRing::rotate(dir)
        .with_context(|| format!("adding a key in JWT_KEYS_DIR={}", dir.display()))?;
    let key = ring.newest();
    let signs_from = key.created_at() + activation;
    println!(
        "new signing key {} in {} (file mode 0600), created {}",
        key.kid(),
        dir.display(),
        date(key.created_at())
    );
    println!(
        "it is published at once and signs from {} (JWT_KEY_ACTIVATION_S={activation}); every \
         portal-auth replica reads JWT_KEYS_DIR again within JWT_KEYS_RELOAD_S (10 s by default): no \
         restart. On Kubernetes, apply the Secret now: the kubelet updates mounted Secrets within about a minute",
        date(signs_from)
    );
    if older > 0 {
        println!(
            "the {older} older key(s) stay published and keep verifying the tokens they signed until {} \
             (the customer token lifetime, {} h, after this key starts signing)",
            date(signs_from + CUSTOMER_TOKEN_TTL_S),
            CUSTOMER_TOKEN_TTL_S / 3600
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn list(dir: &Path, activation: i64) -> anyhow::Result<ExitCode> {
    let Some(ring) = existing(dir)? else {
        anyhow::bail!(
            "JWT_KEYS_DIR={} holds no signing key: run `portal-auth keys generate`",
            dir.display()
        );
    };
    let now = chrono::Utc::now().timestamp();
    println!(
        "{:<44} {:<21} {:<42} FINGERPRINT",
        "KID", "CREATED", "STATUS"
    );
    let ring = ring.with_activation_delay(activation);
    for (i, key) in ring.keys().iter().enumerate() {
        println!(
            "{:<44} {:<21} {:<42} {}",
            key.kid(),
            date(key.created_at()),
            status(ring.state(i, now, CUSTOMER_TOKEN_TTL_S)),
            fingerprint(key)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Pending (published, signs later), signing, verifying until its last token expires, or retired.
fn status(state: KeyState) -> String {
    match state {
        KeyState::Pending { signs_from } => format!("pending: signs from {}", date(signs_from)),
        KeyState::Signing => "active: signs new tokens".to_owned(),
        KeyState::Verifying { until } => format!("verifies until {}", date(until)),
        KeyState::Retired => "retired: no longer published".to_owned(),
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
    fn each_key_state_reads_as_the_operator_expects() {
        let t = 1_800_000_000;
        assert!(status(KeyState::Pending { signs_from: t }).starts_with("pending: signs from"));
        assert_eq!(status(KeyState::Signing), "active: signs new tokens");
        assert!(status(KeyState::Verifying { until: t }).starts_with("verifies until"));
        assert_eq!(status(KeyState::Retired), "retired: no longer published");
    }
}
