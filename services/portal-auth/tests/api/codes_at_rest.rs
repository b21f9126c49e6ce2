//! Codes at rest: the database holds keyed hashes only (issue 16, finding 3).

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, spawn_app, typed_code};

const MARIE: &str = "marie.tremblay@example.ca";

/// Every six-digit code whose unkeyed hash `sha256("{id}:{code}")` is `stored`.
fn brute_force_unkeyed(id: &str, stored: &str) -> Vec<String> {
    (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .filter(|code| hex::encode(Sha256::digest(format!("{id}:{code}"))) == stored)
        .collect()
}

/// Issue 16, finding 3: a copy of the database used to give every live code at once (SHA-256 of the
/// row id and six digits, a million tries). The hash is now keyed with a secret that is not in the
/// database: the same brute force finds nothing, and only the key gives the code back.
#[tokio::test]
async fn a_copy_of_the_database_gives_no_code_by_brute_force() {
    let app = spawn_app(Backend::Sqlite).await;
    let email = app.login_email(MARIE, MARIE).await;
    let sent = typed_code(&email.text);

    let row = app
        .database()
        .await
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT id, code_hash FROM login_code",
        ))
        .await
        .unwrap()
        .unwrap();
    let id: String = row.try_get("", "id").unwrap();
    let stored: String = row.try_get("", "code_hash").unwrap();
    let (row_id, hash) = (id.clone(), stored.clone());
    let found = tokio::task::spawn_blocking(move || brute_force_unkeyed(&row_id, &hash))
        .await
        .unwrap();
    assert_eq!(found, Vec::<String>::new(), "the copy gave the code away");

    let key_file = std::path::Path::new(&app.env["JWT_KEYS_DIR"])
        .join(portal_auth::code_key::GENERATED_KEY_FILE);
    let key = std::fs::read_to_string(key_file).unwrap();
    let key = portal_auth::code_key::CodeKey::from_secret(key.trim()).unwrap();
    assert_eq!(key.hash(&id, &sent), stored);
}
