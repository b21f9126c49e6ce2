//! The demo dispatch day: 46 technicians, 300 jobs, every job servable, everything in the
//! Montréal area, the same day for any date.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use erp_sandbox::demo_dispatch::{JOB_COUNT, TECHNICIAN_COUNT, can_serve, demo_date, demo_day};
use serde_json::json;
use shared::erpnext::{
    DispatchJobStatus, Issue, IssueStatus, ListQuery, Op, ServiceLocation, TechnicianStatus,
};

use crate::helpers::spawn_app;

/// Lat 45.40–45.70, lon −73.95 to −73.40: the island, Laval and the South Shore.
fn in_montreal_box(lat: Option<f64>, lon: Option<f64>) -> bool {
    matches!((lat, lon), (Some(lat), Some(lon))
        if (45.40..=45.70).contains(&lat) && (-73.95..=-73.40).contains(&lon))
}

#[tokio::test]
async fn the_demo_day_has_46_technicians_and_300_jobs_each_one_servable_by_someone() {
    let app = spawn_app().await;
    let technicians = app.technicians().await;
    assert_eq!(technicians.len(), TECHNICIAN_COUNT);
    assert_eq!(TECHNICIAN_COUNT, 46);
    let shifts = [
        (
            NaiveTime::from_hms_opt(7, 0, 0),
            NaiveTime::from_hms_opt(15, 30, 0),
        ),
        (
            NaiveTime::from_hms_opt(8, 0, 0),
            NaiveTime::from_hms_opt(16, 30, 0),
        ),
        (
            NaiveTime::from_hms_opt(10, 0, 0),
            NaiveTime::from_hms_opt(18, 30, 0),
        ),
    ];
    for tech in &technicians {
        let name = tech.name.as_deref().unwrap();
        assert!(
            in_montreal_box(tech.home_latitude, tech.home_longitude),
            "{name}"
        );
        assert!(
            shifts.contains(&(tech.shift_start, tech.shift_end)),
            "{name}"
        );
        assert!((2..=4).contains(&tech.skills.len()), "{name}");
        assert!(tech.skills.iter().all(|s| (1..=5).contains(&s.level)));
        assert_eq!(tech.breaks.len(), 1);
        assert_eq!(tech.breaks[0].duration_minutes, 30);
        assert!(
            tech.mobile_no
                .as_deref()
                .is_some_and(|m| m.starts_with("+1") && m.len() == 12)
        );
        assert!(
            tech.home_address
                .as_deref()
                .is_some_and(|a| a.contains(", QC "))
        );
        assert_eq!(tech.status, TechnicianStatus::Active);
    }
    let specialists = technicians
        .iter()
        .filter(|t| t.skills.iter().any(|s| s.level == 5))
        .count();
    assert!((6..=12).contains(&specialists), "{specialists} specialists");

    let jobs = app.jobs_of_the_day(None).await;
    assert_eq!(jobs.len(), JOB_COUNT);
    for job in &jobs {
        let name = job.name.as_deref().unwrap();
        assert!(in_montreal_box(job.latitude, job.longitude), "{name}");
        let window = (job.window_start.time(), job.window_end.time());
        let hours = (job.window_end - job.window_start).num_minutes();
        assert!(
            (120..=240).contains(&hours)
                || window
                    == (
                        NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
                        NaiveTime::from_hms_opt(16, 30, 0).unwrap()
                    ),
            "{name}: a window of {hours} minutes"
        );
        assert!(
            technicians
                .iter()
                .any(|t| t.shift_start.unwrap() <= window.0 && window.1 <= t.shift_end.unwrap()),
            "{name}: its window is inside no shift"
        );
        assert!((30..=180).contains(&job.duration_minutes), "{name}");
        assert!(job.priority <= 3 && (1..=5).contains(&job.required_level));
        assert!(
            technicians.iter().any(|t| can_serve(
                t,
                job.required_skill,
                job.required_level,
                job.duration_minutes,
                window
            )),
            "{name}: nobody can serve it"
        );
        if let Some(tech) = &job.technician {
            let tech = technicians
                .iter()
                .find(|t| t.name.as_ref() == Some(tech))
                .unwrap();
            assert!(
                can_serve(
                    tech,
                    job.required_skill,
                    job.required_level,
                    job.duration_minutes,
                    window
                ),
                "{name}"
            );
        }
    }
    let all_day = jobs
        .iter()
        .filter(|j| (j.window_end - j.window_start).num_hours() > 4)
        .count();
    assert!(
        all_day > 0 && all_day < JOB_COUNT / 4,
        "{all_day} all-day windows"
    );
}

#[tokio::test]
async fn a_tenth_of_the_jobs_are_already_planned_in_route_order() {
    let app = spawn_app().await;
    let jobs = app
        .jobs_of_the_day(Some(("technician", Op::Is, json!("set"))))
        .await;
    assert!((25..=35).contains(&jobs.len()), "{} planned", jobs.len());
    let count = |status: DispatchJobStatus| jobs.iter().filter(|j| j.status == status).count();
    assert!(count(DispatchJobStatus::Done) >= 2);
    assert!(count(DispatchJobStatus::Started) >= 2);
    assert!(count(DispatchJobStatus::Assigned) >= 15);
    let locked = jobs.iter().filter(|j| j.locked).count();
    assert!((2..=10).contains(&locked), "{locked} locked");

    let mut routes: BTreeMap<&str, Vec<(u32, chrono::NaiveDateTime)>> = BTreeMap::new();
    for job in &jobs {
        routes
            .entry(job.technician.as_deref().unwrap())
            .or_default()
            .push((job.route_order.unwrap(), job.planned_start.unwrap()));
    }
    for (tech, mut route) in routes {
        route.sort();
        let orders: Vec<u32> = route.iter().map(|(order, _)| *order).collect();
        assert_eq!(
            orders,
            (1..=route.len() as u32).collect::<Vec<_>>(),
            "{tech}"
        );
        assert!(route.windows(2).all(|pair| pair[0].1 < pair[1].1), "{tech}");
    }

    let unassigned = app
        .jobs_of_the_day(Some(("status", Op::Eq, json!("Unassigned"))))
        .await;
    assert_eq!(unassigned.len() + jobs.len(), JOB_COUNT);
    assert!(
        unassigned
            .iter()
            .all(|j| j.technician.is_none() && j.route_order.is_none())
    );

    let done = jobs
        .iter()
        .find(|j| j.status == DispatchJobStatus::Done)
        .unwrap();
    let issue: Issue = app.erp.get("Issue", &done.issue).await.unwrap();
    assert_eq!(issue.status, IssueStatus::Resolved);
    let location: ServiceLocation = app
        .erp
        .get("Service Location", &done.service_location)
        .await
        .unwrap();
    assert_eq!(
        (location.latitude, location.longitude),
        (done.latitude, done.longitude)
    );
    assert_eq!(
        issue.custom_service_location.as_ref(),
        Some(&done.service_location)
    );
    let issues: Vec<Issue> = app
        .erp
        .list("Issue", &ListQuery::new().fields(Issue::FIELDS).limit(0))
        .await
        .unwrap();
    assert_eq!(issues.len(), JOB_COUNT);
}

#[test]
fn the_demo_day_is_the_same_for_any_date_but_its_dates_and_year() {
    let day = demo_day(demo_date());
    let other = demo_day(NaiveDate::from_ymd_opt(2027, 3, 2).unwrap());
    assert_eq!(day.technicians, other.technicians);
    assert_eq!(other.jobs.len(), day.jobs.len());
    assert_eq!(other.jobs[0].name.as_deref(), Some("DJ-2027-00001"));
    assert_eq!(other.jobs[0].issue, "ISS-2027-00001");
    for (a, b) in day.jobs.iter().zip(&other.jobs) {
        assert_eq!(a.window_start.time(), b.window_start.time());
        assert_eq!(
            b.window_start.date(),
            NaiveDate::from_ymd_opt(2027, 3, 2).unwrap()
        );
        assert_eq!(
            (a.required_skill, a.required_level, a.duration_minutes),
            (b.required_skill, b.required_level, b.duration_minutes)
        );
        assert_eq!(
            (a.status, &a.technician, a.route_order),
            (b.status, &b.technician, b.route_order)
        );
        assert_eq!(
            a.planned_start.map(|t| t.time()),
            b.planned_start.map(|t| t.time())
        );
    }
    assert_eq!(demo_day(demo_date()).jobs, day.jobs);
}
