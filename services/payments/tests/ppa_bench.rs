//! Auto-pay at scale, against the erp-sandbox and the Stripe stand-in: a dry run over 7,000 enrolled
//! customers, each with one due invoice (target: under 30 s), and a real run reporting its time per
//! customer at the configured pace. Benchmarks, not run by `cargo test`:
//! `cargo test --release -p payments --test ppa_bench -- --ignored --nocapture --test-threads 1`
//! (`PPA_BENCH_CUSTOMERS`, 7,000, and `PPA_BENCH_CHARGED`, 400, change the counts;
//! `PPA_RATE_PER_S` the pace).
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt as _, TryStreamExt as _};
use payments::ppa::{Mode, PpaSettings, Runner};
use payments::store::{Store, ppa_enrolment};
use payments::stripe::StripeClient;
use secrecy::SecretString;
use serde_json::{Value, json};
use shared::erpnext::{ErpError, FrappeClient};
use stripe_sandbox::{Sandbox, SandboxSettings};
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

fn count(variable: &str, default: usize) -> usize {
    std::env::var(variable)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The Stripe stand-in: its origin and key.
async fn stripe() -> (String, SecretString) {
    let settings = SandboxSettings::for_tests();
    let key = settings.secret_key.clone();
    let sandbox = Sandbox::build(settings).await.unwrap();
    let url = sandbox.base_url();
    tokio::spawn(sandbox.run_until_stopped());
    (url, key)
}

/// A Stripe customer with a card saved through a setup session's page: `(cus_…, pm_…)`.
async fn saved_card(http: &reqwest::Client, stripe: &(String, SecretString)) -> (String, String) {
    let (url, key) = stripe;
    stripe_sandbox::fixtures::customer_with_a_card(http, url, key, "Client", "4242 4242 4242 4242")
        .await
}

/// What must live as long as the run, and the settings it runs with.
struct Seeded {
    _erp: testkit::ErpHandle,
    _db: TestDb,
    settings: PpaSettings,
}

/// `count` enrolled customers, each with a due invoice (and, with `stripe`, a saved card): a runner
/// over them.
async fn enrolled(count: usize, stripe: Option<&(String, SecretString)>) -> (Runner, Seeded) {
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
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for customer in &customers {
        let mut card = "pm_bench".to_owned();
        if let Some(stripe) = stripe {
            let (stripe_customer, saved) = saved_card(&http, stripe).await;
            store
                .set_stripe_customer(customer, &stripe_customer)
                .await
                .unwrap();
            card = saved;
        }
        store
            .set_ppa_enrolment(ppa_enrolment::Model {
                customer: customer.clone(),
                method: "card".to_owned(),
                payment_method: Some(card),
                mandate: None,
                status: "active".to_owned(),
                updated_at: 0,
            })
            .await
            .unwrap();
    }
    eprintln!("seeded {count} customers in {:.1?}", seeding.elapsed());
    let env: HashMap<String, String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("PPA_"))
        .collect();
    let settings = PpaSettings::from_source(&env).unwrap();
    let client = stripe.map(|(url, key)| StripeClient::new(url, key).unwrap());
    let runner = Runner::new(
        &settings,
        store,
        erp,
        client,
        "https://portail",
        Arc::default(),
    );
    (
        runner,
        Seeded {
            _erp: handle,
            _db: db,
            settings,
        },
    )
}

#[tokio::test]
#[ignore = "a benchmark: --release --ignored"]
async fn a_dry_run_over_seven_thousand_customers_takes_under_thirty_seconds() {
    let count = count("PPA_BENCH_CUSTOMERS", 7_000);
    let (runner, _seeded) = enrolled(count, None).await;
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
    // The line scripts/bench.sh reads.
    println!(
        "PPA_BENCH dry_run_s={:.3} customers={count}",
        took.as_secs_f64()
    );
    assert_eq!((summary.customers, summary.invoices), (count, count));
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[tokio::test]
#[ignore = "a benchmark: --release --ignored"]
async fn a_real_run_reports_its_time_per_customer_at_the_configured_pace() {
    let count = count("PPA_BENCH_CHARGED", 400);
    let stripe = stripe().await;
    let (runner, seeded) = enrolled(count, Some(&stripe)).await;
    let started = Instant::now();
    let summary = runner
        .run("2027-01-05".parse().unwrap(), Mode::Manual, &mut |_| {})
        .await
        .unwrap();
    let took = started.elapsed();
    let per_customer = took.as_secs_f64() * 1_000.0 / count as f64;
    eprintln!(
        "real run at {}/s: {} charged in {took:.2?} ({per_customer:.1} ms per customer, the pace \
         alone {:.1} ms; 7,000 customers: {:.0} s)",
        seeded.settings.rate_per_s,
        summary.charged,
        1_000.0 / f64::from(seeded.settings.rate_per_s.get()),
        per_customer * 7.0
    );
    println!(
        "PPA_BENCH per_customer_ms={per_customer:.2} rate_per_s={} charged={}",
        seeded.settings.rate_per_s, summary.charged
    );
    assert_eq!(summary.charged, count);
}
