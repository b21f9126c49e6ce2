//! Technician, Issue and Dispatch Job: lists with filters, a document with its child rows,
//! inserts and updates through the real client, and Frappe's errors for bad links and missing
//! fields.

use chrono::NaiveTime;
use erp_sandbox::demo_dispatch::{DEMO_DATE, demo_date, demo_day};
use serde_json::{Value, json};
use shared::erpnext::{
    DispatchJob, DispatchJobStatus, Issue, IssuePriority, IssueStatus, ListQuery, Op, SkillFamily,
    Technician, TechnicianBreak, TechnicianSkill, TechnicianStatus,
};

use crate::helpers::{exception, spawn_app};

fn a_job(issue: &str, location: &str) -> Value {
    json!({
        "issue": issue, "service_location": location, "required_skill": "wifi",
        "required_level": 2, "duration_minutes": 45,
        "window_start": format!("{DEMO_DATE} 13:00:00"), "window_end": format!("{DEMO_DATE} 15:00:00")
    })
}

#[tokio::test]
async fn the_jobs_of_a_date_list_with_filters_on_status_and_technician() {
    let app = spawn_app().await;
    let expected = demo_day(demo_date()).jobs;

    let all = app.jobs_of_the_day(None).await;
    assert_eq!(all, expected);
    let by_like: Vec<Value> = app
        .erp
        .list(
            "Dispatch Job",
            &ListQuery::new()
                .filter("window_start", Op::Like, json!(format!("{DEMO_DATE}%")))
                .limit(0),
        )
        .await
        .unwrap();
    assert_eq!(by_like.len(), expected.len());
    let other_day = app
        .erp
        .list::<Value>(
            "Dispatch Job",
            &ListQuery::new().filter("window_start", Op::Like, json!("2026-12-09%")),
        )
        .await
        .unwrap();
    assert!(other_day.is_empty());

    let assigned = app
        .jobs_of_the_day(Some(("status", Op::Eq, json!("Assigned"))))
        .await;
    let expected_assigned: Vec<&DispatchJob> = expected
        .iter()
        .filter(|j| j.status == DispatchJobStatus::Assigned)
        .collect();
    assert!(!assigned.is_empty());
    assert_eq!(assigned.iter().collect::<Vec<_>>(), expected_assigned);

    let tech = assigned[0].technician.clone().unwrap();
    let of_tech = app
        .jobs_of_the_day(Some(("technician", Op::Eq, json!(tech))))
        .await;
    assert!(!of_tech.is_empty());
    assert!(
        of_tech
            .iter()
            .all(|j| j.technician.as_deref() == Some(tech.as_str()))
    );
    assert_eq!(
        of_tech.len(),
        expected
            .iter()
            .filter(|j| j.technician.as_deref() == Some(tech.as_str()))
            .count()
    );
}

#[tokio::test]
async fn a_technician_comes_back_with_its_skills_and_breaks_as_child_rows() {
    let app = spawn_app().await;
    let raw = app.get_raw("Technician", "TECH-0001").await;
    assert_eq!(raw["doctype"], "Technician");
    assert_eq!(raw["shift_start"], "07:00:00");
    let skill = &raw["skills"][0];
    assert_eq!(skill["parent"], "TECH-0001");
    assert_eq!(skill["parentfield"], "skills");
    assert_eq!(skill["parenttype"], "Technician");
    assert_eq!(skill["doctype"], "Technician Skill");
    assert_eq!(skill["idx"], 1);
    assert!(skill["name"].as_str().is_some_and(|n| !n.is_empty()));
    let lunch = &raw["breaks"][0];
    assert_eq!(lunch["parentfield"], "breaks");
    assert_eq!(lunch["doctype"], "Technician Break");
    assert_eq!(lunch["duration_minutes"], 30);

    let tech: Technician = app.erp.get("Technician", "TECH-0001").await.unwrap();
    assert_eq!(tech, demo_day(demo_date()).technicians[0]);
    assert_eq!(tech.level_in(SkillFamily::FibreInstall), 5);
}

#[tokio::test]
async fn technicians_filter_on_a_row_of_their_skills() {
    let app = spawn_app().await;
    let rows: Vec<Value> = app
        .erp
        .list(
            "Technician",
            &ListQuery::new()
                .child_filter("Technician Skill", "family", Op::Eq, json!("copper"))
                .order_by("name asc")
                .limit(0),
        )
        .await
        .unwrap();
    let expected: Vec<String> = demo_day(demo_date())
        .technicians
        .into_iter()
        .filter(|t| t.level_in(SkillFamily::Copper) > 0)
        .filter_map(|t| t.name)
        .collect();
    assert!(!expected.is_empty());
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn a_new_technician_takes_the_next_number_and_reads_back_the_same() {
    let app = spawn_app().await;
    let tech = Technician {
        name: None,
        technician_name: "Rosalie Beauchamp".to_owned(),
        mobile_no: Some("+15145550199".to_owned()),
        email: Some("rosalie.beauchamp@gigafibre.ca".to_owned()),
        home_latitude: Some(45.5312),
        home_longitude: Some(-73.5521),
        home_address: Some("2500 rue Ontario Est, Montréal, QC H2K 1W6".to_owned()),
        shift_start: NaiveTime::from_hms_opt(8, 0, 0),
        shift_end: NaiveTime::from_hms_opt(16, 30, 0),
        breaks: vec![TechnicianBreak {
            start: NaiveTime::from_hms_opt(11, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(13, 30, 0).unwrap(),
            duration_minutes: 30,
        }],
        skills: vec![
            TechnicianSkill {
                family: SkillFamily::Gpon,
                level: 4,
            },
            TechnicianSkill {
                family: SkillFamily::Tv,
                level: 2,
            },
        ],
        status: TechnicianStatus::Active,
    };
    let saved: Technician = app
        .erp
        .create("Technician", &serde_json::to_value(&tech).unwrap())
        .await
        .unwrap();
    assert_eq!(saved.name.as_deref(), Some("TECH-0047"));
    let read: Technician = app.erp.get("Technician", "TECH-0047").await.unwrap();
    assert_eq!(
        read,
        Technician {
            name: Some("TECH-0047".to_owned()),
            ..tech
        }
    );
}

#[tokio::test]
async fn a_job_fetches_its_coordinates_and_customer_and_its_issue_closes_through_put() {
    let app = spawn_app().await;
    let issue = Issue {
        name: None,
        subject: "Wi-Fi faible au sous-sol".to_owned(),
        customer: Some("CUST-2024-00001".to_owned()),
        status: IssueStatus::Open,
        priority: IssuePriority::High,
        description: None,
        custom_service_location: Some("LOC-2026-00001".to_owned()),
    };
    let issue: Issue = app
        .erp
        .create("Issue", &serde_json::to_value(&issue).unwrap())
        .await
        .unwrap();
    let issue_name = issue.name.clone().unwrap();
    assert!(issue_name.starts_with("ISS-"));
    assert_ne!(issue_name, "ISS-2026-00001");

    let job: DispatchJob = app
        .erp
        .create("Dispatch Job", &a_job(&issue_name, "LOC-2026-00001"))
        .await
        .unwrap();
    assert!(job.name.as_deref().unwrap().starts_with("DJ-"));
    assert_eq!(
        (job.latitude, job.longitude),
        (Some(45.5246), Some(-73.5663))
    );
    assert_eq!(job.customer.as_deref(), Some("CUST-2024-00001"));
    assert_eq!(job.status, DispatchJobStatus::Unassigned);
    assert_eq!(job.priority, 1);
    assert!(!job.locked);

    let assigned: DispatchJob = app
        .erp
        .update(
            "Dispatch Job",
            job.name.as_deref().unwrap(),
            &json!({"status": "Assigned", "technician": "TECH-0002", "route_order": 3,
                    "planned_start": format!("{DEMO_DATE} 13:20:00"), "locked": 1}),
        )
        .await
        .unwrap();
    assert_eq!(assigned.status, DispatchJobStatus::Assigned);
    assert_eq!(assigned.route_order, Some(3));
    assert!(assigned.locked);

    let closed: Value = app
        .erp
        .update("Issue", &issue_name, &json!({"status": "Closed"}))
        .await
        .unwrap();
    assert_eq!(closed["status"], "Closed");
    assert!(closed["resolution_date"].as_str().is_some());
    let read: Issue = app.erp.get("Issue", &issue_name).await.unwrap();
    assert_eq!(read.status, IssueStatus::Closed);
}

#[tokio::test]
async fn a_job_naming_a_missing_issue_location_or_technician_is_a_link_validation_error() {
    let app = spawn_app().await;
    let cases = [
        (
            a_job("ISS-1999-00001", "LOC-2026-00001"),
            "Could not find Issue: ISS-1999-00001",
        ),
        (
            a_job("ISS-2026-00001", "LOC-1999-00001"),
            "Could not find Service Location: LOC-1999-00001",
        ),
        (
            {
                let mut job = a_job("ISS-2026-00001", "LOC-2026-00001");
                job["technician"] = json!("TECH-9999");
                job
            },
            "Could not find Technician: TECH-9999",
        ),
    ];
    for (job, message) in cases {
        let (status, body) = app.post("Dispatch Job", &job).await;
        assert_eq!(status, 417);
        assert_eq!(
            exception(&body),
            ("LinkValidationError".to_owned(), message.to_owned())
        );
    }
    let (status, body) = app
        .post(
            "Issue",
            &json!({"subject": "x", "customer": "CUST-1999-00001"}),
        )
        .await;
    assert_eq!(status, 417);
    assert_eq!(exception(&body).0, "LinkValidationError");
}

#[tokio::test]
async fn a_job_without_its_window_or_a_technician_without_a_name_is_a_mandatory_error() {
    let app = spawn_app().await;
    let mut job = a_job("ISS-2026-00001", "LOC-2026-00001");
    job.as_object_mut().unwrap().remove("window_start");
    let (status, body) = app.post("Dispatch Job", &job).await;
    assert_eq!(status, 417);
    assert_eq!(
        exception(&body),
        (
            "MandatoryError".to_owned(),
            "Window Start is required".to_owned()
        )
    );
    let (status, body) = app
        .post("Technician", &json!({"mobile_no": "+15145550100"}))
        .await;
    assert_eq!(status, 417);
    assert_eq!(
        exception(&body),
        (
            "MandatoryError".to_owned(),
            "Technician Name is required".to_owned()
        )
    );
    let mut assigned = a_job("ISS-2026-00001", "LOC-2026-00001");
    assigned["status"] = json!("Assigned");
    let (status, body) = app.post("Dispatch Job", &assigned).await;
    assert_eq!(status, 417);
    assert_eq!(
        exception(&body),
        (
            "MandatoryError".to_owned(),
            "Technician is required when Status is Assigned".to_owned()
        )
    );
}

#[tokio::test]
async fn options_levels_phone_numbers_and_windows_outside_their_rules_are_refused() {
    let app = spawn_app().await;
    let cases = [
        (
            "Technician",
            json!({"technician_name": "A", "skills": [{"family": "plumbing", "level": 2}]}),
            "Row #1: Family cannot be \"plumbing\". It should be one of \"fibre_install\", \"fibre_repair\", \"gpon\", \"wifi\", \"tv\", \"copper\"",
        ),
        (
            "Technician",
            json!({"technician_name": "A", "skills": [{"family": "tv", "level": 6}]}),
            "Row #1: Level must be between 1 and 5",
        ),
        (
            "Technician",
            json!({"technician_name": "A", "mobile_no": "514-555-0100"}),
            "514-555-0100 is not a valid Phone Number",
        ),
        (
            "Issue",
            json!({"subject": "A", "status": "Pending"}),
            "Status cannot be \"Pending\". It should be one of \"Open\", \"Replied\", \"On Hold\", \"Resolved\", \"Closed\"",
        ),
        (
            "Dispatch Job",
            {
                let mut job = a_job("ISS-2026-00001", "LOC-2026-00001");
                job["window_end"] = json!(format!("{DEMO_DATE} 12:00:00"));
                job
            },
            "Window End must be after Window Start",
        ),
        (
            "Dispatch Job",
            {
                let mut job = a_job("ISS-2026-00001", "LOC-2026-00001");
                job["priority"] = json!(4);
                job
            },
            "Priority must be between 0 and 3",
        ),
    ];
    for (doctype, doc, message) in cases {
        let (status, body) = app.post(doctype, &doc).await;
        assert_eq!(status, 417, "{doctype} {doc}");
        assert_eq!(
            exception(&body),
            ("ValidationError".to_owned(), message.to_owned())
        );
    }
}
