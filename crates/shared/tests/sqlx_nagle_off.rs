//! sqlx-core 0.9.0 leaves Nagle's algorithm on: a statement over TLS larger than one record then
//! waits ~40 ms for PostgreSQL's delayed acknowledgement (vendor/README.md). Until a release with
//! the fix is out, the workspace must build against the patched copy in `vendor/sqlx-core`.
#![allow(clippy::unwrap_used)]

fn workspace_file(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn sqlx_core_0_9_0_is_the_copy_that_sets_tcp_nodelay() {
    let lock = workspace_file("Cargo.lock");
    let entry = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"sqlx-core\"\n"))
        .unwrap();
    if entry.contains("version = \"0.9.0\"\n") {
        assert!(
            !entry.contains("source = "),
            "sqlx-core 0.9.0 comes from the registry: keep the [patch.crates-io] entry"
        );
        let socket = workspace_file("vendor/sqlx-core/src/net/socket/mod.rs");
        assert!(socket.contains("stream.set_nodelay(true)?;"));
    }
}
