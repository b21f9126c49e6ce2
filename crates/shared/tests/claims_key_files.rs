//! Who may read a signing key file: refused outside the embedded default when its group or others
//! may (issue 16, also from the same read).
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use shared::claims::{KeyError, KeyFileAccess, KeyRing};
use testkit::TempDir;

/// A key directory with one key the embedded default generated (mode 0600).
fn key_dir() -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    KeyRing::load_or_generate(dir.path()).unwrap();
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pem"))
        .unwrap();
    (dir, file)
}

fn chmod(file: &Path, mode: u32) {
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Issue 16, also from the same read: a world-readable key file was loaded with a warning only.
#[test]
fn a_key_file_others_may_read_is_refused_naming_the_file_and_its_mode() {
    let (dir, file) = key_dir();
    chmod(&file, 0o644);

    let err = KeyRing::load(dir.path()).unwrap_err();
    assert!(matches!(err, KeyError::Exposed { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(message.contains("0644"), "{message}");
    assert!(message.contains("others"), "{message}");
    // A rotation (an operator's command on the production directory) refuses it too.
    assert!(matches!(
        KeyRing::rotate(dir.path()),
        Err(KeyError::Exposed { .. })
    ));
}

/// Issue 16, also from the same read: a group-readable key file of the service's own user.
#[test]
fn a_group_readable_key_file_not_owned_by_root_is_refused() {
    let (dir, file) = key_dir();
    chmod(&file, 0o640);
    // As root (this machine), give the file to an ordinary user, as the service's own would be.
    if std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&file).unwrap()) == 0 {
        std::os::unix::fs::chown(&file, Some(65_534), None).unwrap();
    }

    let err = KeyRing::load(dir.path()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("0640"), "{message}");
    assert!(message.contains("its group"), "{message}");
}

#[test]
fn an_owner_only_key_file_loads() {
    let (dir, file) = key_dir();
    chmod(&file, 0o400);
    assert_eq!(KeyRing::load(dir.path()).unwrap().keys().len(), 1);
}

#[test]
fn the_embedded_default_uses_an_exposed_key_file_with_a_warning() {
    let (dir, file) = key_dir();
    chmod(&file, 0o644);
    assert!(KeyRing::load_with(dir.path(), KeyFileAccess::Warn).is_ok());
    assert!(KeyRing::load_or_generate(dir.path()).is_ok());
}
