//! Pre-authorised auto-pay, black-box: enrolment with a card saved at the Stripe stand-in, a run
//! charging each due invoice once (booked by the webhook's Payment Entry), a second run charging
//! nothing more, a run SIGKILLed half-way and run again, two processes racing on the same day,
//! declines (soft retried later, hard never, 3-D Secure: a pay link at once), and bad input.

use std::process::Stdio;
use std::time::Duration;

use reqwest::Response;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use shared::events::{EmailSend, SmsSend};

use crate::helpers::{Backend, MARIE, MARIE_UNPAID, SOPHIE, Stack, assert_problem};

/// Jean Gagnon and Luc Côté (a partly paid December invoice) of the erp-sandbox.
const JEAN: &str = "CUST-2024-00002";
const LUC: &str = "CUST-2024-00004";
/// Sophie's overdue November invoice and her December one; Jean's December one.
const SOPHIE_INVOICES: [&str; 2] = ["ACC-SINV-2026-00008", "ACC-SINV-2026-00009"];
const JEAN_UNPAID: &str = "ACC-SINV-2026-00006";
/// A day after every December invoice is due.
pub(crate) const DAY: &str = "2027-01-05";
const CARD_OK: &str = "4242 4242 4242 4242";

/// A customer enrolled by card: their token, Stripe customer and saved card.
struct Enrolled {
    token: String,
    stripe_customer: String,
    card: String,
}

/// Enrols `customer` with a card saved from `number` through a setup-mode session's page.
async fn enrol(stack: &Stack, customer: &str, number: &str) -> Enrolled {
    let token = stack.token(customer).await;
    let stripe_customer = stripe_customer(stack, &token).await;
    let card = save_card(stack, &stripe_customer, number).await;
    let answer = put_ppa(
        stack,
        &token,
        json!({"method": "card", "payment_method": card}),
    )
    .await;
    assert_eq!(answer.status(), 200);
    Enrolled {
        token,
        stripe_customer,
        card,
    }
}

/// The customer's Stripe customer, made by the service when they ask to pay their balance.
pub(crate) async fn stripe_customer(stack: &Stack, token: &str) -> String {
    let answer = stack.post("/payments/pay-balance", Some(token), None).await;
    assert_eq!(answer.status(), 200);
    let url: Value = answer.json().await.unwrap();
    let session = url["url"].as_str().unwrap().rsplit('/').next().unwrap();
    let session = stack
        .stripe_get(&format!("/v1/checkout/sessions/{session}"))
        .await;
    session["customer"].as_str().unwrap().to_owned()
}

/// A card typed on a setup-mode session's page for `stripe_customer`: its `pm_…`.
async fn save_card(stack: &Stack, stripe_customer: &str, number: &str) -> String {
    let session: Value = stack
        .http
        .post(format!("{}/v1/checkout/sessions", stack.stripe))
        .bearer_auth(stack.stripe_key.expose_secret())
        .form(&[
            ("mode", "setup"),
            ("customer", stripe_customer),
            ("payment_method_types[]", "card"),
            ("success_url", "https://portail.example.ca/ok"),
            ("cancel_url", "https://portail.example.ca/non"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let saved = stack
        .pay_on_page(session["url"].as_str().unwrap(), number)
        .await;
    assert_eq!(saved.status(), 303);
    let cards = stack
        .stripe_get(&format!(
            "/v1/payment_methods?customer={stripe_customer}&type=card"
        ))
        .await;
    cards["data"][0]["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn put_ppa(stack: &Stack, token: &str, body: Value) -> Response {
    stack
        .http
        .put(format!("{}/payments/ppa", stack.payments))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// `POST /payments/ppa/run?{query}` as a billing agent behind the trusted proxy.
async fn run_as_staff(stack: &Stack, query: &str) -> Response {
    stack
        .http
        .post(format!("{}/payments/ppa/run?{query}", stack.payments))
        .header("X-authentik-username", "agent.roy")
        .header("X-authentik-groups", "billing")
        .send()
        .await
        .unwrap()
}

pub(crate) async fn run(stack: &Stack, query: &str) -> Value {
    let answer = run_as_staff(stack, query).await;
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

/// The PaymentIntents Stripe holds for `stripe_customer`.
pub(crate) async fn intents(stack: &Stack, stripe_customer: &str) -> Vec<Value> {
    let list = stack
        .stripe_get(&format!(
            "/v1/payment_intents?customer={stripe_customer}&limit=100"
        ))
        .await;
    list["data"].as_array().unwrap().clone()
}

/// Each invoice paid by exactly one Payment Entry.
async fn assert_booked_once(stack: &Stack, enrolled: &Enrolled, invoices: &[&str]) {
    let charged = intents(stack, &enrolled.stripe_customer).await;
    assert_eq!(charged.len(), invoices.len(), "{charged:?}");
    for invoice in invoices {
        stack.wait_paid(invoice).await;
    }
    for intent in &charged {
        let id = intent["id"].as_str().unwrap();
        assert_eq!(stack.entries_for(id).await.len(), 1, "{id}");
    }
}

async fn due_invoices_are_charged_once(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let marie = enrol(&stack, MARIE, CARD_OK).await;
    let sophie = enrol(&stack, SOPHIE, CARD_OK).await;
    let view: Value = stack
        .get("/payments/ppa", Some(&marie.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        view,
        json!({"enrolled": true, "method": "card", "payment_method": marie.card, "status": "active",
               "mandate": null, "last4": "4242"})
    );
    let said = cli_dry_run(&stack).await;
    assert!(
        said.contains("auto-pay 2027-01-05 (dry run): 2 customers, 3 invoices, 0 charged"),
        "{said}"
    );
    let dry = run(&stack, &format!("dry_run=true&date={DAY}")).await;
    assert_eq!(
        (dry["dry_run"].as_bool(), dry["invoices"].as_u64()),
        (Some(true), Some(3))
    );
    assert!(intents(&stack, &marie.stripe_customer).await.is_empty());
    let summary = run(&stack, &format!("date={DAY}")).await;
    assert_eq!(
        (summary["customers"].as_u64(), summary["charged"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(summary["amount_cents"], dry["amount_cents"]);
    assert_booked_once(&stack, &marie, &[MARIE_UNPAID]).await;
    assert_booked_once(&stack, &sophie, &SOPHIE_INVOICES).await;
    let again = run(&stack, &format!("date={DAY}")).await;
    assert_eq!(
        (again["invoices"].as_u64(), again["charged"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(intents(&stack, &sophie.stripe_customer).await.len(), 2);
    stack.cleanup().await;
}

#[tokio::test]
async fn a_run_charges_each_due_invoice_once_and_a_second_run_nothing_more_on_sqlite() {
    due_invoices_are_charged_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_run_charges_each_due_invoice_once_and_a_second_run_nothing_more_on_postgres() {
    due_invoices_are_charged_once(Backend::Postgres).await;
}

/// What `payments ppa run --dry-run --date DAY` prints.
async fn cli_dry_run(stack: &Stack) -> String {
    let mut command = cli(stack, 20);
    command.arg("--dry-run").stdout(Stdio::piped());
    let done = command.output().await.unwrap();
    assert!(done.status.success());
    String::from_utf8(done.stdout).unwrap()
}

/// `payments ppa run --date DAY` as its own process against the stack's database and stand-ins.
fn spawn_cli(stack: &Stack, rate_per_s: u32) -> tokio::process::Child {
    cli(stack, rate_per_s).spawn().unwrap()
}

fn cli(stack: &Stack, rate_per_s: u32) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_payments"));
    command
        .args(["ppa", "run", "--date", DAY])
        .env_clear()
        .env("DATABASE_URL", stack.db.as_ref().unwrap().url())
        .env("ERP_URL", &stack.erp.url)
        .env("STRIPE_API_URL", &stack.stripe)
        .env("STRIPE_SECRET_KEY", stack.stripe_key.expose_secret())
        .env("PPA_RATE_PER_S", rate_per_s.to_string())
        .env("PPA_LEASE_SECONDS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command
}

#[tokio::test]
async fn a_run_killed_half_way_and_run_again_charges_each_customer_once() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = enrol(&stack, MARIE, CARD_OK).await;
    let sophie = enrol(&stack, SOPHIE, CARD_OK).await;
    let jean = enrol(&stack, JEAN, CARD_OK).await;
    let everyone = [&marie, &sophie, &jean];
    let mut cli = spawn_cli(&stack, 1);
    let first = testkit::poll_until(Duration::from_secs(20), || async {
        let mut n = 0;
        for e in everyone {
            n += intents(&stack, &e.stripe_customer).await.len();
        }
        (n > 0).then_some(n)
    })
    .await
    .expect("the run charged nothing");
    cli.kill().await.unwrap();
    let mut charged = 0;
    for e in everyone {
        charged += intents(&stack, &e.stripe_customer).await.len();
    }
    assert!(
        first >= 1 && charged < 4,
        "killed after {charged} of 4 charges"
    );
    // The killed run's lease lasts 2 s; then the day is free again.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let summary = run(&stack, &format!("date={DAY}")).await;
    assert_eq!(
        summary["invoices"].as_u64(),
        Some(4 - charged as u64),
        "{summary}"
    );
    assert_booked_once(&stack, &marie, &[MARIE_UNPAID]).await;
    assert_booked_once(&stack, &sophie, &SOPHIE_INVOICES).await;
    assert_booked_once(&stack, &jean, &[JEAN_UNPAID]).await;
    stack.cleanup().await;
}

#[tokio::test]
async fn two_processes_racing_on_the_same_day_charge_once_on_postgres() {
    let stack = Stack::spawn(Backend::Postgres).await;
    let marie = enrol(&stack, MARIE, CARD_OK).await;
    let sophie = enrol(&stack, SOPHIE, CARD_OK).await;
    let mut cli = spawn_cli(&stack, 20);
    let query = format!("date={DAY}");
    let (status, answer) = tokio::join!(cli.wait(), run_as_staff(&stack, &query));
    // One took the day; the other found it under way (409, exit 75), or came after and found
    // nothing left to charge.
    let status = status.unwrap().code();
    assert!(matches!(status, Some(0 | 75)), "{status:?}");
    assert!(
        matches!(answer.status().as_u16(), 200 | 409),
        "{}",
        answer.status()
    );
    assert_booked_once(&stack, &marie, &[MARIE_UNPAID]).await;
    assert_booked_once(&stack, &sophie, &SOPHIE_INVOICES).await;
    stack.cleanup().await;
}

#[tokio::test]
async fn a_soft_decline_is_retried_later_a_hard_one_never_and_3_d_secure_gets_a_pay_link() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = enrol(&stack, MARIE, "4000 0027 6000 3184").await;
    let jean = enrol(&stack, JEAN, "4000 0000 0000 0002").await;
    let luc = enrol(&stack, LUC, "4000 0000 0000 9987").await;
    let first = run(&stack, &format!("date={DAY}")).await;
    assert_eq!(
        [
            &first["charged"],
            &first["declined_soft"],
            &first["declined_hard"],
            &first["needing_authentication"]
        ],
        [&json!(0), &json!(1), &json!(1), &json!(1)],
        "{first}"
    );
    let link = testkit::poll_until(Duration::from_secs(10), || async {
        let events = stack.events();
        let email = events.iter().find_map(|e| e.decode::<EmailSend>().ok())?;
        let sms = events.iter().find_map(|e| e.decode::<SmsSend>().ok())?;
        Some((email, sms))
    })
    .await
    .expect("no pay link was sent");
    assert_eq!(link.0.template, "payments.ppa_authentication");
    assert!(link.0.subject.starts_with("Votre paiement automatique"));
    assert!(
        link.0
            .text
            .contains("https://portail.example.ca/#/factures")
    );
    assert_eq!(link.1.to, "+15145550147");
    let next_day = run(&stack, "date=2027-01-06").await;
    assert_eq!(next_day["invoices"], 0, "{next_day}");
    let retry_day = run(&stack, "date=2027-01-08").await;
    assert_eq!(retry_day["charges"][0]["customer"], JEAN, "{retry_day}");
    assert_eq!(retry_day["charges"][0]["attempt"], 2);
    assert_eq!(retry_day["invoices"], 1);
    assert_eq!(intents(&stack, &jean.stripe_customer).await.len(), 2);
    assert_eq!(intents(&stack, &luc.stripe_customer).await.len(), 1);
    assert_eq!(intents(&stack, &marie.stripe_customer).await.len(), 1);
    stack.cleanup().await;
}

/// Bad input tried: another customer's card, a card id that is not one, bank debit with a card, an unknown
/// field, no token, a date that is not a date, a run by a customer or by staff outside the
/// payments groups.
#[tokio::test]
async fn bad_enrolments_and_runs_are_refused() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = enrol(&stack, MARIE, CARD_OK).await;
    let sophie = stack.token(SOPHIE).await;
    stripe_customer(&stack, &sophie).await;
    let card = |pm: &str| json!({"method": "card", "payment_method": pm});
    assert_problem(
        put_ppa(&stack, &sophie, card(&marie.card)).await,
        404,
        "PAY_14",
    )
    .await;
    assert_problem(
        put_ppa(&stack, &sophie, card("pm_../../v1/x")).await,
        404,
        "PAY_14",
    )
    .await;
    assert_problem(
        put_ppa(&stack, &sophie, card("pm_nope")).await,
        404,
        "PAY_14",
    )
    .await;
    let bank = json!({"method": "acss_debit", "payment_method": marie.card});
    assert_eq!(put_ppa(&stack, &sophie, bank).await.status(), 422);
    let extra = json!({"method": "card", "payment_method": marie.card, "amount": 1});
    assert_eq!(put_ppa(&stack, &marie.token, extra).await.status(), 422);
    assert_eq!(
        put_ppa(&stack, &marie.token, json!({"enabled": true}))
            .await
            .status(),
        422
    );
    assert_eq!(stack.get("/payments/ppa", None).await.status(), 401);
    let left: Value = put_ppa(&stack, &marie.token, json!({"enabled": false}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (left["enrolled"].as_bool(), left["status"].as_str()),
        (Some(false), Some("cancelled"))
    );
    assert_eq!(run_as_staff(&stack, "date=2027-13-01").await.status(), 400);
    assert_eq!(run_as_staff(&stack, "date=demain").await.status(), 400);
    assert_eq!(
        run_as_staff(&stack, "dry_run=peut-etre").await.status(),
        400
    );
    let by_customer = stack
        .post(
            &format!("/payments/ppa/run?date={DAY}"),
            Some(&marie.token),
            None,
        )
        .await;
    assert_problem(by_customer, 403, "PAY_06").await;
    let technician = stack
        .http
        .post(format!("{}/payments/ppa/run?date={DAY}", stack.payments))
        .header("X-authentik-username", "tech.roy")
        .header("X-authentik-groups", "technicians")
        .send()
        .await
        .unwrap();
    assert_problem(technician, 403, "PAY_06").await;
    let nobody_left = run(&stack, &format!("date={DAY}")).await;
    assert_eq!(nobody_left["customers"], 0);
    stack.cleanup().await;
}

/// Stripe's events lost: the repair finds the auto-pay PaymentIntent at Stripe and books it.
#[tokio::test]
async fn an_auto_pay_charge_whose_events_were_lost_is_booked_by_the_repair() {
    let stack = Stack::spawn_without_webhooks(Backend::Sqlite).await;
    let marie = enrol(&stack, MARIE, CARD_OK).await;
    assert_eq!(run(&stack, &format!("date={DAY}")).await["charged"], 1);
    let repaired: Value = stack
        .post_as_staff("/payments/repair?days=1", "agent.roy", "billing", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(repaired["booked"], 1, "{repaired}");
    assert_booked_once(&stack, &marie, &[MARIE_UNPAID]).await;
    stack.cleanup().await;
}

/// The staff member's connection closes long before the run ends: the run goes on to the end.
#[tokio::test]
async fn a_run_by_hand_goes_on_when_the_caller_stops_waiting() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let everyone = [
        enrol(&stack, MARIE, CARD_OK).await,
        enrol(&stack, SOPHIE, CARD_OK).await,
        enrol(&stack, JEAN, CARD_OK).await,
    ];
    let impatient = stack
        .http
        .post(format!("{}/payments/ppa/run?date={DAY}", stack.payments))
        .header("X-authentik-username", "agent.roy")
        .header("X-authentik-groups", "billing")
        .timeout(Duration::from_millis(30))
        .send()
        .await;
    assert!(impatient.is_err(), "the run takes more than 30 ms at 20/s");
    let charged = testkit::poll_until(Duration::from_secs(10), || async {
        let mut n = 0;
        for e in &everyone {
            n += intents(&stack, &e.stripe_customer).await.len();
        }
        (n == 4).then_some(n)
    })
    .await;
    assert_eq!(charged, Some(4), "every due invoice charged");
    stack.cleanup().await;
}
