//! Auto-pay at scale, against the erp-sandbox: a dry run over 7,000 enrolled customers, each with one
//! due invoice (target: under 30 s). A benchmark, not run by `cargo test`:
//! `cargo test --release -p payments --test ppa_bench -- --ignored --nocapture`
//! (`PPA_BENCH_CUSTOMERS` changes the count).
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt as _, TryStreamExt as _};
use payments::ppa::{Mode, PpaSettings, Runner};
use payments::store::{Store, ppa_enrolment};
use secrecy::SecretString;
use serde_json::{Value, json};
use shared::erpnext::{ErpError, FrappeClient};
use testkit::TestDb;

/// A customer of the erp-sandbox with one December invoice due: its name.
async fn customer_with_a_due_invoice(erp: &FrappeClient, n: usize) -> Result<String, ErpError> {
    let customer: Value = erp
        .create(
            "Customer",
            &json!({"customer_name": format!("Client {n}"), "customer_type": "Individual",
                "territory": "Quebec", "language": "fr"}),
        )
        .await?;
    let name = customer["name"].as_str().unwrap().to_owned();
    let _: Value = erp
        .create(
            "Sales Invoice",
            &json!({"customer": name, "company": "Gigafibre", "posting_date": "2026-12-01",
                "due_date": "2026-12-31", "docstatus": 1,
                "items": [{"item_code": "FIBRE-500", "item_name": "Internet Fibre 500 Mbit/s",
                    "qty": 1, "rate": 75.0}]}),
        )
        .await?;
    Ok(name)
}

#[tokio::test]
#[ignore = "a benchmark: --release --ignored"]
async fn a_dry_run_over_seven_thousand_customers_takes_under_thirty_seconds() {
    let count: usize = std::env::var("PPA_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7_000);
    let handle = testkit::spawn_erp().await;
    let erp = FrappeClient::new(
        &handle.url,
        &handle.api_key,
        &SecretString::from(handle.api_secret.clone()),
    )
    .unwrap();
    let db = TestDb::sqlite();
    let store = Store::connect(db.url()).await.unwrap();
    let seeding = Instant::now();
    let customers: Vec<String> = futures::stream::iter(0..count)
        .map(|n| customer_with_a_due_invoice(&erp, n))
        .buffer_unordered(16)
        .try_collect()
        .await
        .unwrap();
    for customer in &customers {
        store
            .set_ppa_enrolment(ppa_enrolment::Model {
                customer: customer.clone(),
                method: "card".to_owned(),
                payment_method: Some("pm_bench".to_owned()),
                mandate: None,
                status: "active".to_owned(),
                updated_at: 0,
            })
            .await
            .unwrap();
    }
    eprintln!("seeded {count} customers in {:.1?}", seeding.elapsed());
    let settings = PpaSettings::from_source(&HashMap::<String, String>::new()).unwrap();
    let runner = Runner::new(
        &settings,
        store,
        erp,
        None,
        "https://portail",
        Arc::default(),
    );
    let started = Instant::now();
    let summary = runner
        .run("2027-01-05".parse().unwrap(), Mode::DryRun, &mut |_| {})
        .await
        .unwrap();
    let took = started.elapsed();
    eprintln!(
        "dry run: {} customers, {} invoices in {took:.2?} ({:.0} µs per customer)",
        summary.customers,
        summary.invoices,
        took.as_micros() as f64 / count as f64
    );
    assert_eq!((summary.customers, summary.invoices), (count, count));
    assert!(took < Duration::from_secs(30), "{took:?}");
}
