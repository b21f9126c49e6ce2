//! The `portal-auth` binary as the operator's tool, run as a process: `--help`, `check-config`
//! against real PostgreSQL, NATS and an erp-sandbox, `migrate`, `keys generate|rotate|list`, and
//! `serve` accepting a token signed before a rotation, then stopping on SIGTERM, and `audit list`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt as _;
use std::process::Stdio;
use std::time::Duration;

use shared::claims::{AUD_PORTAL, CustomerClaims, KeyRing, new_jti};
use testkit::{CliRun, TempDir, TestDb, nats_url, poll_until, run_cli, spawn_erp};

const ISSUER: &str = "https://hub.example.ca";

/// Runs `portal-auth args…` with only `env` (and PATH) in its environment.
async fn portal_auth(args: &[&str], env: &[(&str, &str)]) -> CliRun {
    run_cli(env!("CARGO_BIN_EXE_portal-auth"), args, env).await
}

#[tokio::test]
async fn help_explains_every_subcommand() {
    let help = portal_auth(&["--help"], &[]).await;
    assert!(help.success);
    for word in [
        "serve",
        "migrate",
        "check-config",
        "keys",
        "DATABASE_URL",
        "SHUTDOWN_GRACE_S",
    ] {
        assert!(
            help.stdout.contains(word),
            "{word} missing from:\n{}",
            help.stdout
        );
    }
    assert!(help.stdout.contains("audit"), "{}", help.stdout);
    let keys = portal_auth(&["keys", "--help"], &[]).await;
    for word in ["generate", "rotate", "list", "JWT_KEYS_DIR", "24 h"] {
        assert!(
            keys.stdout.contains(word),
            "{word} missing from:\n{}",
            keys.stdout
        );
    }
}

#[tokio::test]
async fn check_config_names_a_malformed_variable_and_exits_non_zero() {
    let run = portal_auth(
        &["check-config"],
        &[
            ("DATABASE_URL", "mysql://db/hub"),
            ("LINK_LIMIT_PER_IP", "lots"),
        ],
    )
    .await;
    assert!(!run.success);
    assert!(run.line("settings").starts_with("FAIL"));
    assert!(
        run.line("database").contains("DATABASE_URL"),
        "{}",
        run.stdout
    );
    let malformed = portal_auth(&["check-config"], &[("LINK_LIMIT_PER_IP", "lots")]).await;
    assert!(!malformed.success);
    assert!(
        malformed.line("settings").contains("LINK_LIMIT_PER_IP"),
        "{}",
        malformed.stdout
    );
}

/// Issue 16, finding 11: a malformed NATS setting stops the check naming its variable, and the
/// password in `NATS_URL` shows nowhere.
#[tokio::test]
async fn check_config_names_a_bad_nats_variable_without_showing_the_password() {
    let run = portal_auth(
        &["check-config"],
        &[
            ("NATS_URL", "nats://hub:s3cret-pw@127.0.0.1:4222"),
            ("NATS_TOKEN", "a-token-as-well"),
        ],
    )
    .await;
    assert!(!run.success);
    assert!(run.line("NATS").contains("NATS_TOKEN"), "{}", run.stdout);
    let everything = format!("{}{}", run.stdout, run.stderr);
    assert!(!everything.contains("s3cret-pw"), "{everything}");
    assert!(!everything.contains("a-token-as-well"), "{everything}");
}

/// Issue 16, also from the same read: a key file others may read was used with a warning only.
#[tokio::test]
async fn a_signing_key_file_others_may_read_is_refused_naming_the_file_and_its_mode() {
    let dir = TempDir::new();
    KeyRing::load_or_generate(dir.path()).unwrap();
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pem"))
        .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let keys_dir = dir.path().display().to_string();

    let run = portal_auth(&["keys", "list"], &[("JWT_KEYS_DIR", &keys_dir)]).await;
    assert!(!run.success);
    assert!(
        run.stderr.contains(&file.display().to_string()),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("0644"), "{}", run.stderr);
    let check = portal_auth(
        &["check-config"],
        &[("JWT_KEYS_DIR", &keys_dir), ("JWT_GENERATE_KEYS", "false")],
    )
    .await;
    assert!(
        check.line("signing keys").contains("0644"),
        "{}",
        check.stdout
    );
}

/// The `code hash key` line of `check-config` for `env` (with a database of its own).
async fn code_hash_key_line(env: &[(&str, &str)]) -> String {
    let data = TempDir::new();
    let database = format!("sqlite://{}/p.db?mode=rwc", data.path().display());
    let mut env = env.to_vec();
    env.push(("DATABASE_URL", &database));
    let run = portal_auth(&["check-config"], &env).await;
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(!said.contains(KEY), "the key was shown:\n{said}");
    run.line("code hash key").to_owned()
}

const KEY: &str = "a-code-hash-key-of-thirty-two-characters-or-more";

/// `check-config` says where the code hash key comes from (`CODE_HASH_KEY`, `CODE_HASH_KEY_FILE`,
/// or generated in `JWT_KEYS_DIR`), or what is wrong with it and which variable to fix; the key
/// never shows.
#[tokio::test]
async fn check_config_says_where_the_code_hash_key_comes_from_without_showing_it() {
    let keys = TempDir::new();
    let dir = keys.path().display().to_string();
    let file = keys.path().join("code-key");
    std::fs::write(&file, KEY).unwrap();
    let file = file.display().to_string();

    let given = code_hash_key_line(&[("CODE_HASH_KEY", KEY)]).await;
    assert!(
        given.starts_with("OK") && given.ends_with("from CODE_HASH_KEY"),
        "{given}"
    );
    let from_file = code_hash_key_line(&[("CODE_HASH_KEY_FILE", &file)]).await;
    assert!(
        from_file.starts_with("OK") && from_file.contains(&file),
        "{from_file}"
    );
    let generated = TempDir::new();
    let generated_file = generated
        .path()
        .join(portal_auth::code_key::GENERATED_KEY_FILE);
    std::fs::write(&generated_file, KEY).unwrap();
    let generated_dir = generated.path().display().to_string();
    let kept = code_hash_key_line(&[("JWT_KEYS_DIR", &generated_dir)]).await;
    let kept_from = format!("generated in {}", generated_file.display());
    assert!(
        kept.starts_with("OK") && kept.ends_with(&kept_from),
        "{kept}"
    );
    let to_generate = code_hash_key_line(&[("JWT_KEYS_DIR", &dir)]).await;
    assert!(
        to_generate.starts_with("OK") && to_generate.contains("generated in"),
        "{to_generate}"
    );

    let short = code_hash_key_line(&[("CODE_HASH_KEY", "too-short")]).await;
    assert!(
        short.starts_with("FAIL") && short.contains("CODE_HASH_KEY must be at least 32"),
        "{short}"
    );
    let unreadable = code_hash_key_line(&[("CODE_HASH_KEY_FILE", "/nonexistent/code-key")]).await;
    assert!(
        unreadable.starts_with("FAIL") && unreadable.contains("CODE_HASH_KEY_FILE"),
        "{unreadable}"
    );
    let missing =
        code_hash_key_line(&[("JWT_KEYS_DIR", &dir), ("JWT_GENERATE_KEYS", "false")]).await;
    assert!(
        missing.starts_with("FAIL") && missing.contains("CODE_HASH_KEY"),
        "{missing}"
    );
    assert!(
        !std::path::Path::new(&dir)
            .join(portal_auth::code_key::GENERATED_KEY_FILE)
            .exists(),
        "check-config generated a key"
    );
}

#[tokio::test]
async fn check_config_passes_against_postgres_nats_and_the_erp() {
    let db = TestDb::postgres().await;
    let erp = spawn_erp().await;
    let keys = TempDir::new();
    let nats = nats_url();
    let run = portal_auth(
        &["check-config"],
        &[
            ("DATABASE_URL", db.url()),
            ("NATS_URL", &nats),
            ("ERP_URL", &erp.url),
            ("ERP_API_KEY", &erp.api_key),
            ("ERP_API_SECRET", &erp.api_secret),
            ("JWT_KEYS_DIR", keys.path().to_str().unwrap()),
        ],
    )
    .await;
    assert!(run.success, "{}{}", run.stdout, run.stderr);
    for check in [
        "settings",
        "listen address",
        "database",
        "NATS",
        "ERP",
        "signing keys",
        "code hash key",
    ] {
        assert!(run.line(check).starts_with("OK"), "{}", run.stdout);
    }
    assert!(run.line("database").contains("PostgreSQL"));
    assert!(run.line("NATS").contains("JetStream"));

    let refused = portal_auth(
        &["check-config"],
        &[
            ("DATABASE_URL", db.url()),
            ("ERP_URL", &erp.url),
            ("ERP_API_KEY", &erp.api_key),
            ("ERP_API_SECRET", "not-the-secret"),
        ],
    )
    .await;
    assert!(!refused.success);
    assert!(
        refused.line("ERP").contains("ERP_API_SECRET"),
        "{}",
        refused.stdout
    );
    db.cleanup().await;
}

#[tokio::test]
async fn check_config_says_when_the_database_cannot_be_reached() {
    let run = portal_auth(
        &["check-config"],
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere")],
    )
    .await;
    assert!(!run.success);
    let line = run.line("database");
    assert!(line.starts_with("FAIL"), "{line}");
    assert!(
        line.contains("cannot reach") && line.contains("DATABASE_URL"),
        "{line}"
    );
}

#[tokio::test]
async fn migrate_twice_applies_once_then_nothing() {
    let db = TestDb::postgres().await;
    let first = portal_auth(&["migrate"], &[("DATABASE_URL", db.url())]).await;
    assert!(first.success, "{}", first.stderr);
    use sea_orm_migration::MigratorTrait as _;
    let all = portal_auth::store::Migrator::migrations().len();
    assert!(
        first.stdout.contains(&format!("applied {all} migrations")),
        "{}",
        first.stdout
    );
    let second = portal_auth(&["migrate"], &[("DATABASE_URL", db.url())]).await;
    assert!(second.success, "{}", second.stderr);
    assert!(second.stdout.contains("up to date"), "{}", second.stdout);
    db.cleanup().await;
}

/// Issue 16, finding 3: outside the embedded default the code hash key is never made up: without
/// `CODE_HASH_KEY` (or `_FILE`) the service refuses to start and names the variable.
#[tokio::test]
async fn serve_refuses_to_start_without_a_code_hash_key_when_keys_are_not_generated() {
    let keys = TempDir::new();
    let dir = keys.path().display().to_string();
    assert!(
        portal_auth(&["keys", "generate"], &[("JWT_KEYS_DIR", &dir)])
            .await
            .success
    );
    let erp = spawn_erp().await;
    let data = TempDir::new();
    let database = format!("sqlite://{}/p.db?mode=rwc", data.path().display());
    let run = portal_auth(
        &["serve"],
        &[
            ("BIND", "127.0.0.1:0"),
            ("DATABASE_URL", &database),
            ("ERP_URL", &erp.url),
            ("JWT_KEYS_DIR", &dir),
            ("JWT_GENERATE_KEYS", "false"),
        ],
    )
    .await;
    assert!(!run.success);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("CODE_HASH_KEY"), "{said}");
    assert!(
        !std::path::Path::new(&dir)
            .join(portal_auth::code_key::GENERATED_KEY_FILE)
            .exists()
    );
}

/// Issue 16, finding 7: `portal-auth audit list` prints the impersonations newest first, one
/// customer's with `--customer`, at most `--limit`.
#[tokio::test]
async fn audit_list_prints_the_impersonations_newest_first() {
    let db = TestDb::sqlite();
    let store = portal_auth::store::Store::connect(db.url()).await.unwrap();
    let groups = ["employees".to_owned(), "support".to_owned()];
    for (n, (staff, customer)) in [
        ("alice", "CUST-2024-00007"),
        ("bob", "CUST-2024-00001"),
        ("carol", "CUST-2024-00007"),
    ]
    .into_iter()
    .enumerate()
    {
        let token_id = format!("jti-{n}");
        portal_auth::store::record_impersonation(
            store.connection(),
            &portal_auth::store::NewImpersonation {
                staff,
                staff_groups: &groups,
                customer,
                reason: Some("ticket 42"),
                created_at: 1_780_000_000_000 + n as i64,
                client_ip: "198.51.100.4".to_owned(),
                token_id: &token_id,
                purpose: portal_auth::store::IMPERSONATION,
            },
        )
        .await
        .unwrap();
    }
    let env = [("DATABASE_URL", db.url())];
    let all = portal_auth(&["audit", "list"], &env).await;
    assert!(all.success, "{}", all.stderr);
    let lines: Vec<&str> = all.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", all.stdout);
    assert!(lines[0].starts_with("WHEN"), "{}", all.stdout);
    for (line, expected) in lines[1..].iter().zip(["carol", "bob", "alice"]) {
        assert!(line.contains(expected), "{}", all.stdout);
    }
    assert!(lines[1].contains("employees|support") && lines[1].contains("198.51.100.4"));
    assert!(lines[1].contains("jti-2") && lines[1].ends_with("ticket 42"));
    assert!(lines[0].contains("PURPOSE") && lines[1].contains("impersonation"));

    let one = portal_auth(
        &[
            "audit",
            "list",
            "--customer",
            "CUST-2024-00007",
            "--limit",
            "1",
        ],
        &env,
    )
    .await;
    assert!(one.success, "{}", one.stderr);
    assert_eq!(one.stdout.lines().count(), 2, "{}", one.stdout);
    assert!(one.stdout.contains("carol") && !one.stdout.contains("alice"));

    let none = portal_auth(&["audit", "list", "--customer", "CUST-1999-00001"], &env).await;
    assert!(
        none.stdout.contains("impersonations: none"),
        "{}",
        none.stdout
    );
}

/// A customer token signed with the current key of `dir`, as the service would have minted it.
fn token_signed_in(dir: &std::path::Path) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = CustomerClaims {
        iss: ISSUER.to_owned(),
        aud: AUD_PORTAL.to_owned(),
        sub: "CUST-2024-00001".to_owned(),
        name: "Marie Tremblay".to_owned(),
        lang: "fr".to_owned(),
        iat: now,
        nbf: now,
        exp: now + 3600,
        jti: new_jti(),
        ver: 0,
        act: None,
    };
    KeyRing::load(dir).unwrap().sign(&claims).unwrap()
}

/// The line of `keys list` output for `kid`.
fn row(listed: &CliRun, kid: &str) -> String {
    listed
        .stdout
        .lines()
        .find(|l| l.starts_with(kid))
        .unwrap_or_else(|| panic!("{kid} not listed: {}", listed.stdout))
        .to_owned()
}

#[tokio::test]
async fn keys_generate_rotate_list_and_a_token_from_before_the_rotation_is_still_accepted() {
    let keys = TempDir::new();
    let dir = keys.path().join("keys");
    let env = [("JWT_KEYS_DIR", dir.to_str().unwrap())];

    let empty = portal_auth(&["keys", "list"], &env).await;
    assert!(!empty.success);
    assert!(empty.stderr.contains("keys generate"), "{}", empty.stderr);

    let generated = portal_auth(&["keys", "generate"], &env).await;
    assert!(generated.success, "{}", generated.stderr);
    let first_kid = KeyRing::load(&dir).unwrap().signing_key().kid().to_owned();
    assert!(generated.stdout.contains(&first_kid));
    let again = portal_auth(&["keys", "generate"], &env).await;
    assert!(!again.success, "a second generate must refuse");
    assert!(again.stderr.contains("already holds"), "{}", again.stderr);

    let old_token = token_signed_in(&dir);
    let rotated = portal_auth(&["keys", "rotate"], &env).await;
    assert!(rotated.success, "{}", rotated.stderr);
    assert!(rotated.stdout.contains("24 h"), "{}", rotated.stdout);
    assert!(rotated.stdout.contains("signs from"), "{}", rotated.stdout);
    let ring = KeyRing::load(&dir).unwrap();
    let new_kid = ring.newest().kid().to_owned();
    assert_ne!(new_kid, first_kid);
    for file in std::fs::read_dir(&dir).unwrap() {
        let mode = file.unwrap().metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "key files are private");
    }

    // JWT_KEY_ACTIVATION_S (600 s by default): the new key is published but the old one still signs.
    let listed = portal_auth(&["keys", "list"], &env).await;
    assert!(listed.success);
    assert!(
        row(&listed, &new_kid).contains("pending: signs from"),
        "{}",
        listed.stdout
    );
    assert!(
        row(&listed, &first_kid).contains("active"),
        "{}",
        listed.stdout
    );
    let env_now = [
        ("JWT_KEYS_DIR", dir.to_str().unwrap()),
        ("JWT_KEY_ACTIVATION_S", "0"),
    ];
    let listed_now = portal_auth(&["keys", "list"], &env_now).await;
    assert!(
        row(&listed_now, &new_kid).contains("active"),
        "{}",
        listed_now.stdout
    );
    assert!(
        row(&listed_now, &first_kid).contains("verifies until"),
        "{}",
        listed_now.stdout
    );
    assert!(row(&listed, &first_kid).contains("SHA256:"));
    for out in [&generated, &rotated, &listed] {
        assert!(!out.stdout.contains("PRIVATE KEY") && !out.stderr.contains("PRIVATE KEY"));
    }

    let server = Server::start(&dir).await;
    let verified = server.verify(&old_token).await;
    assert_eq!(
        verified, 200,
        "a token signed before the rotation is accepted"
    );
    let jwks: serde_json::Value = reqwest::get(server.url("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["kid"].as_str())
        .collect();
    assert_eq!(kids, [new_kid.as_str(), first_kid.as_str()]);
    assert!(server.sigterm().await, "serve exits cleanly on SIGTERM");
}

/// `portal-auth` (no subcommand: serve) as a child process; SIGKILLed if the test fails first.
struct Server {
    child: tokio::process::Child,
    port: u16,
    _erp: testkit::ErpHandle,
    _db: TempDir,
}

impl Server {
    async fn start(keys: &std::path::Path) -> Self {
        let erp = spawn_erp().await;
        let db = TempDir::new();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let logs = || match std::env::var_os("TEST_LOG") {
            Some(_) => Stdio::inherit(),
            None => Stdio::null(),
        };
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portal-auth"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("BIND", format!("127.0.0.1:{port}"))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/p.db?mode=rwc", db.path().display()),
            )
            .env("ERP_URL", &erp.url)
            .env("ERP_API_KEY", &erp.api_key)
            .env("ERP_API_SECRET", &erp.api_secret)
            .env("JWT_KEYS_DIR", keys)
            .env("JWT_GENERATE_KEYS", "false")
            .env(
                "CODE_HASH_KEY",
                "a-test-key-of-thirty-two-characters-at-least",
            )
            .env("JWT_ISSUER", ISSUER)
            .env("RUST_LOG", "warn")
            .stdout(logs())
            .stderr(logs())
            .kill_on_drop(true)
            .spawn()
            .expect("starting portal-auth");
        let server = Self {
            child,
            port,
            _erp: erp,
            _db: db,
        };
        let up = poll_until(Duration::from_secs(30), || async {
            let healthz = reqwest::get(server.url("/healthz")).await.ok()?;
            healthz.status().is_success().then_some(())
        })
        .await;
        assert!(
            up.is_some(),
            "portal-auth did not serve /healthz within 30 s"
        );
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The status of `GET /auth/verify` with `token`.
    async fn verify(&self, token: &str) -> u16 {
        reqwest::Client::new()
            .get(self.url("/auth/verify"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// SIGTERM, then whether the process exited successfully (within a generous deadline).
    async fn sigterm(mut self) -> bool {
        let pid = self.child.id().unwrap().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        tokio::time::timeout(Duration::from_secs(40), self.child.wait())
            .await
            .expect("portal-auth did not exit within 40 s of SIGTERM")
            .unwrap()
            .success()
    }
}
