//! Black-box tests of quotation-signing with its real neighbours on loopback ports: the erp-sandbox
//! (Frappe's wire format), the DocuSeal stand-in (its API, signing page and webhooks with the
//! secret header), portal-auth (customer tokens), on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod confirm;
mod flow;
mod helpers;
mod refusals;

/// Runs a scenario on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test]
            async fn on_sqlite() {
                super::$scenario($crate::helpers::Backend::Sqlite).await;
            }
            #[tokio::test]
            async fn on_postgres() {
                super::$scenario($crate::helpers::Backend::Postgres).await;
            }
        }
    };
}
