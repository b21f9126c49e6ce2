//! `POST /otp/tech-link`: dispatch staff send a technician the link of a job assigned to them; the
//! token (aud=tech) is only in the SMS's link fragment, lives until the end of the shift at most,
//! and verifies against the JWKS.

use chrono::{NaiveTime, TimeZone, Utc};
use chrono_tz::America::Montreal;
use regex::Regex;
use reqwest::Response;
use serde_json::{Value, json};
use shared::claims::{AUD_TECH, Jwks, TechClaims, TokenVerifier};
use shared::erpnext::{DispatchJob, FrappeClient, ListQuery, Op, Technician};
use shared::events::subjects::NOTIFY_SMS_SEND;

use crate::helpers::{Backend, TestApp, problem, spawn_app};
use crate::on_both_backends;

/// The issuer of every token in these tests (`JWT_ISSUER`'s default).
const ISSUER: &str = "https://hub.gigafibre.ca";

impl TestApp {
    /// `POST /otp/tech-link` as `username` in `groups`, in `lang` (`Accept-Language`).
    async fn tech_link(&self, body: &Value, username: &str, groups: &str, lang: &str) -> Response {
        self.client
            .post(self.url("/otp/tech-link"))
            .header("X-authentik-username", username)
            .header("X-authentik-groups", groups)
            .header("Accept-Language", lang)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    fn frappe(&self) -> FrappeClient {
        self.erp.client()
    }
}

/// A planned job of the demo day and its technician, whose shift is made to end two hours from
/// now (so the test does not depend on the time of day); the technician and the shift's end, UTC.
async fn planned_job(erp: &FrappeClient) -> (DispatchJob, Technician, i64) {
    let jobs: Vec<DispatchJob> = erp
        .list(
            "Dispatch Job",
            &ListQuery::new()
                .fields(DispatchJob::FIELDS)
                .filter("status", Op::Eq, json!("Assigned"))
                .order_by("name asc")
                .limit(1),
        )
        .await
        .unwrap();
    let job = jobs.into_iter().next().unwrap();
    let technician = job.technician.clone().unwrap();
    let now = Utc::now().with_timezone(&Montreal);
    let end = (now + chrono::Duration::hours(2)).time();
    let end = if end < now.time() {
        NaiveTime::from_hms_opt(23, 59, 59).unwrap()
    } else {
        end.with_nanosecond_zero()
    };
    let tech: Technician = erp
        .update(
            "Technician",
            &technician,
            &json!({"shift_start": "00:00:00", "shift_end": end.format("%H:%M:%S").to_string()}),
        )
        .await
        .unwrap();
    let end_utc = Montreal
        .from_local_datetime(&now.date_naive().and_time(end))
        .earliest()
        .unwrap()
        .timestamp();
    (job, tech, end_utc)
}

trait WithoutNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl WithoutNanos for NaiveTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap()
    }
}

/// The token of the first `<PUBLIC_URL>/dispatch/j/#t=` link in `text`.
fn tech_link_token(text: &str) -> String {
    let re = Regex::new(r"https://hub\.example\.ca/dispatch/j/#t=([A-Za-z0-9_\-\.]+)").unwrap();
    re.captures(text)
        .unwrap_or_else(|| panic!("no tech link in {text}"))[1]
        .to_owned()
}

async fn a_dispatcher_sends_a_link_whose_token_verifies_against_the_jwks(backend: Backend) {
    let app = spawn_app(backend).await;
    let (job, tech, shift_end) = planned_job(&app.frappe()).await;
    let job_name = job.name.clone().unwrap();
    let tech_name = tech.name.clone().unwrap();
    let mobile = tech.mobile_no.clone().unwrap();

    let r = app
        .tech_link(
            &json!({"technician": tech_name, "job": job_name}),
            "dora",
            "employees|dispatch",
            "fr-CA",
        )
        .await;
    assert_eq!(r.status(), 202);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    let last_four = &mobile[mobile.len() - 4..];
    let sent_to = body["sent_to"].as_str().unwrap();
    assert!(
        sent_to.ends_with(last_four) && !sent_to.contains(&mobile[2..8]),
        "{sent_to}"
    );

    let sms = app.wait_for_sms(&mobile, 1).await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].template, "dispatch.tech_link");
    assert!(
        sms[0].body.starts_with("Gigafibre : votre lien"),
        "{}",
        sms[0].body
    );
    assert!(sms[0].body.contains("Your link for job"), "{}", sms[0].body);
    assert!(
        !sms[0].body.contains('?'),
        "a token never goes in a query string"
    );
    let token = tech_link_token(&sms[0].body);
    assert!(!body.to_string().contains(&token));

    let jwks: Jwks = serde_json::from_value(app.jwks().await).unwrap();
    let verifier = TokenVerifier::from_jwks(&jwks, ISSUER).unwrap();
    let claims: TechClaims = verifier.verify(&token, AUD_TECH).unwrap();
    assert_eq!(claims.aud, AUD_TECH);
    assert_eq!(claims.sub, tech_name);
    assert_eq!(claims.job, job_name);
    assert!(
        claims.exp <= shift_end,
        "exp {} after the shift's end {shift_end}",
        claims.exp
    );
    assert!(claims.exp <= Utc::now().timestamp() + 12 * 3600);
    assert!(claims.exp > Utc::now().timestamp());
    let expires_at = chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    assert_eq!(expires_at, claims.exp);

    // One SMS command on the bus, and the staff action in the audit.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let commands = app
        .envelopes()
        .into_iter()
        .filter(|e| e.subject == NOTIFY_SMS_SEND)
        .count();
    assert_eq!(commands, 1);
    let db = app.database().await;
    let audit = audit_rows(&db).await;
    assert_eq!(
        audit,
        vec![("dora".to_owned(), tech_name, job_name, claims.jti,)]
    );
    app.cleanup().await;
}
on_both_backends!(
    a_dispatcher_sends_a_link,
    a_dispatcher_sends_a_link_whose_token_verifies_against_the_jwks
);

async fn audit_rows(db: &sea_orm::DatabaseConnection) -> Vec<(String, String, String, String)> {
    use sea_orm::ConnectionTrait;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT staff, customer, reason, token_id FROM impersonation_audit WHERE purpose = 'tech_link'",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "staff").unwrap(),
                r.try_get("", "customer").unwrap(),
                r.try_get::<Option<String>>("", "reason")
                    .unwrap()
                    .unwrap_or_default(),
                r.try_get("", "token_id").unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn without_a_shift_end_the_token_lives_twelve_hours() {
    let app = spawn_app(Backend::Sqlite).await;
    let erp = app.frappe();
    let (job, tech, _) = planned_job(&erp).await;
    let tech_name = tech.name.clone().unwrap();
    let _: Value = erp
        .update("Technician", &tech_name, &json!({"shift_end": null}))
        .await
        .unwrap();
    let r = app
        .tech_link(
            &json!({"technician": tech_name, "job": job.name}),
            "dora",
            "dispatch",
            "fr",
        )
        .await;
    assert_eq!(r.status(), 202);
    let body: Value = r.json().await.unwrap();
    let expires_at = chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    let ttl = expires_at - Utc::now().timestamp();
    assert!((12 * 3600 - 10..=12 * 3600).contains(&ttl), "ttl {ttl}");
}

#[tokio::test]
async fn staff_outside_the_dispatch_groups_or_no_staff_at_all_are_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let (job, tech, _) = planned_job(&app.frappe()).await;
    let body = json!({"technician": tech.name, "job": job.name});
    problem(app.tech_link(&body, "mallory", "billing", "fr").await, 403).await;
    problem(app.tech_link(&body, "", "dispatch", "fr").await, 403).await;
    let anonymous = app.post_json("/otp/tech-link", &body).await;
    problem(anonymous, 403).await;
    assert!(app.sms_to(tech.mobile_no.as_deref().unwrap()).is_empty());
}

#[tokio::test]
async fn an_unknown_technician_or_job_is_not_found_in_the_callers_language() {
    let app = spawn_app(Backend::Sqlite).await;
    let (job, tech, _) = planned_job(&app.frappe()).await;
    let unknown_tech = json!({"technician": "TECH-9999", "job": job.name});
    let body = problem(
        app.tech_link(&unknown_tech, "dora", "dispatch", "fr-CA")
            .await,
        404,
    )
    .await;
    assert_eq!(body["code"], "AUTH_09");
    assert_eq!(body["detail"], "Aucun technicien TECH-9999.");
    let body = problem(
        app.tech_link(&unknown_tech, "dora", "dispatch", "en-US,en;q=0.9")
            .await,
        404,
    )
    .await;
    assert_eq!(body["detail"], "No technician TECH-9999.");
    let unknown_job = json!({"technician": tech.name, "job": "DJ-1999-00001"});
    let body = problem(
        app.tech_link(&unknown_job, "dora", "dispatch", "en").await,
        404,
    )
    .await;
    assert_eq!(body["detail"], "No dispatch job DJ-1999-00001.");
}

#[tokio::test]
async fn a_job_of_another_technician_or_of_none_is_a_conflict() {
    let app = spawn_app(Backend::Sqlite).await;
    let erp = app.frappe();
    let (job, tech, _) = planned_job(&erp).await;
    let others: Vec<Value> = erp
        .list(
            "Technician",
            &ListQuery::new()
                .filter("name", Op::Ne, json!(tech.name))
                .limit(1),
        )
        .await
        .unwrap();
    let other = others[0]["name"].as_str().unwrap();
    let body = json!({"technician": other, "job": job.name});
    let answer = problem(app.tech_link(&body, "dora", "dispatch", "fr").await, 409).await;
    assert_eq!(answer["code"], "AUTH_10");
    assert_eq!(
        answer["detail"],
        format!(
            "L'intervention {} n'est pas assignée à {other}.",
            job.name.unwrap()
        )
    );
    let unassigned: Vec<Value> = erp
        .list(
            "Dispatch Job",
            &ListQuery::new()
                .filter("status", Op::Eq, json!("Unassigned"))
                .limit(1),
        )
        .await
        .unwrap();
    let body = json!({"technician": tech.name, "job": unassigned[0]["name"]});
    problem(app.tech_link(&body, "dora", "dispatch", "fr").await, 409).await;
}

#[tokio::test]
async fn malformed_or_incomplete_bodies_are_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let send = |body: &'static str| {
        app.client
            .post(app.url("/otp/tech-link"))
            .header("X-authentik-username", "dora")
            .header("X-authentik-groups", "dispatch")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };
    problem(send("{\"technician\": ").await.unwrap(), 400).await;
    problem(send("{\"technician\": \"TECH-0001\"}").await.unwrap(), 422).await;
    problem(
        send("{\"technician\": 1, \"job\": \"DJ-2026-00004\"}")
            .await
            .unwrap(),
        422,
    )
    .await;
    let blank = problem(
        send("{\"technician\": \" \", \"job\": \"DJ-2026-00004\"}")
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(blank["code"], "AUTH_11");
    let slash = problem(
        send("{\"technician\": \"TECH/0001\", \"job\": \"DJ-2026-00004\"}")
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(
        slash["detail"],
        "technician doit être un nom de document ERPNext."
    );
}

#[tokio::test]
async fn a_technician_without_a_mobile_number_is_unprocessable() {
    let app = spawn_app(Backend::Sqlite).await;
    let erp = app.frappe();
    let (job, tech, _) = planned_job(&erp).await;
    let tech_name = tech.name.clone().unwrap();
    let _: Value = erp
        .update("Technician", &tech_name, &json!({"mobile_no": null}))
        .await
        .unwrap();
    let body = json!({"technician": tech_name, "job": job.name});
    let answer = problem(app.tech_link(&body, "dora", "dispatch", "en").await, 422).await;
    assert_eq!(answer["code"], "AUTH_11");
    assert_eq!(
        answer["detail"],
        format!("Technician {tech_name} has no mobile number.")
    );
}
