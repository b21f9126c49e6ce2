//! The group-commit writer on PostgreSQL: its own connections, which are not pinged before use,
//! must not fail a batch when they died while idle (a database restart, an idle-session timeout).
#![allow(clippy::unwrap_used)]

use sea_orm::{ConnectionTrait, Database, DatabaseTransaction, DbBackend, DbErr, Statement};
use shared::db::{GroupCommit, WriteBatch, connect_writer};
use uuid::Uuid;

const PG_SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// Each op inserts its number; the result is the op.
struct Inserts;

impl WriteBatch for Inserts {
    type Op = i64;
    type Out = i64;

    async fn run(&self, txn: &DatabaseTransaction, ops: Vec<i64>) -> Result<Vec<i64>, DbErr> {
        for n in &ops {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO t (n) VALUES ($1)",
                [(*n).into()],
            ))
            .await?;
        }
        Ok(ops)
    }
}

async fn admin(sql: &str) {
    let admin = Database::connect(format!("{PG_SERVER}/postgres"))
        .await
        .unwrap();
    admin.execute_unprepared(sql).await.unwrap();
    admin.close().await.unwrap();
}

#[tokio::test]
async fn a_batch_survives_writer_connections_that_died_idle() {
    let name = format!("group_commit_{}", Uuid::new_v4().simple());
    admin(&format!("CREATE DATABASE {name}")).await;
    let url = format!("{PG_SERVER}/{name}");
    let db = Database::connect(&url).await.unwrap();
    db.execute_unprepared("CREATE TABLE t (n BIGINT NOT NULL)")
        .await
        .unwrap();
    let writes = GroupCommit::spawn(connect_writer(&url).await.unwrap(), Inserts);
    assert_eq!(writes.execute(1).await.unwrap(), 1);

    // Both of the writer's connections are cut while idle, as by a restart of the server.
    admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}'"
    ))
    .await;
    assert_eq!(writes.execute(2).await.unwrap(), 2);
    assert_eq!(writes.execute(3).await.unwrap(), 3);

    let db = Database::connect(&url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT n FROM t ORDER BY n",
        ))
        .await
        .unwrap();
    let got: Vec<i64> = rows.iter().map(|r| r.try_get("", "n").unwrap()).collect();
    assert_eq!(got, [1, 2, 3]);
    db.close().await.unwrap();
    admin(&format!("DROP DATABASE {name} WITH (FORCE)")).await;
}
