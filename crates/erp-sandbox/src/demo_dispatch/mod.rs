//! The demo dispatch day: 46 technicians based around Montréal (the island, Laval and the South
//! Shore) and about 300 Dispatch Jobs for one date, each with its Issue and its Service Location.
//!
//! Deterministic: [`demo_day`] builds the same day for a given date from a fixed seed, so tests
//! and the board's demo agree. Technicians work 07:00–15:30, 08:00–16:30 or 10:00–18:30
//! (America/Montreal) with a 30-minute lunch break inside a two-hour window; each has 2 to 4
//! skills, six of them a level-5 specialist of one family. Every job's window lies inside some
//! shift (all-day windows are the day shift's 08:00–16:30), and every job can be served: some
//! technician has its skill at its level and a shift overlapping its window by at least its
//! duration. About a tenth are already Assigned (with a technician, a route order and a planned
//! start), a few of those locked, a few Started, En Route or Done.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Map, Value, json};
use shared::erpnext::{
    DispatchJob, DispatchJobStatus, Issue, IssuePriority, IssueStatus, ServiceLocation,
    SkillFamily, Technician, TechnicianBreak, TechnicianSkill, TechnicianStatus,
};

use crate::demo_suppliers::standard;
use crate::dispatch_doctypes::{DISPATCH_JOB, ISSUE, TECHNICIAN};
use crate::operations_doctypes::SERVICE_LOCATION;
use crate::store::Store;

mod places;

use places::{AREAS, FIRST_NAMES, LAST_NAMES, Rng, address, ascii_lower};

/// The date of the demo day the sandbox is seeded with (a Tuesday).
pub const DEMO_DATE: &str = "2026-12-08";
/// How many technicians.
pub const TECHNICIAN_COUNT: usize = 46;
/// How many jobs the day has.
pub const JOB_COUNT: usize = 300;
/// The number of the first demo Service Location (`LOC-<year>-00101`), clear of the
/// customers' locations of [`crate::demo_equipment`].
pub const FIRST_LOCATION_NUMBER: usize = 101;

/// The demo date as a date.
pub fn demo_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default()
}

/// A whole demo day, as the DTOs the hub reads.
#[derive(Debug, Clone)]
pub struct DemoDay {
    /// `TECH-0001` … `TECH-0046` (the same whatever the date).
    pub technicians: Vec<Technician>,
    /// One per job, `LOC-<year>-00101` onwards.
    pub locations: Vec<ServiceLocation>,
    /// One per job, `ISS-<year>-00001` onwards.
    pub issues: Vec<Issue>,
    /// `DJ-<year>-00001` onwards, in name order.
    pub jobs: Vec<DispatchJob>,
}

/// An hour and a minute.
type Clock = (u32, u32);

/// The three shifts (start, end) and their lunch windows (start, end).
const SHIFTS: [(Clock, Clock, Clock, Clock); 3] = [
    ((7, 0), (15, 30), (11, 0), (13, 0)),
    ((8, 0), (16, 30), (11, 30), (13, 30)),
    ((10, 0), (18, 30), (13, 0), (15, 0)),
];

/// The subject of an Issue and the time on site (min, max minutes) by skill family.
fn family_work(family: SkillFamily) -> (&'static [&'static str], (u32, u32)) {
    match family {
        SkillFamily::FibreInstall => (
            &[
                "Installation fibre — nouveau branchement",
                "Installation fibre — déménagement",
            ],
            (90, 180),
        ),
        SkillFamily::FibreRepair => (
            &[
                "Panne Internet — signal optique faible",
                "Câble de branchement endommagé",
            ],
            (60, 150),
        ),
        SkillFamily::Gpon => (
            &["ONT hors ligne (voyant LOS rouge)", "Remplacement de l'ONT"],
            (30, 90),
        ),
        SkillFamily::Wifi => (
            &[
                "Wi-Fi faible à l'étage",
                "Installation d'un point d'accès maillé",
            ],
            (30, 60),
        ),
        SkillFamily::Tv => (
            &[
                "Décodeur sans signal",
                "Installation d'un deuxième décodeur",
            ],
            (30, 60),
        ),
        SkillFamily::Copper => (
            &[
                "Ligne téléphonique cuivre qui grésille",
                "Transfert de ligne cuivre",
            ],
            (45, 120),
        ),
    }
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default()
}

/// The 46 technicians.
pub fn technicians() -> Vec<Technician> {
    let mut rng = Rng(0x6769_6761_6669_6272);
    (0..TECHNICIAN_COUNT)
        .map(|i| {
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i * 7 + 3) % LAST_NAMES.len()];
            let area = &AREAS[(i * 5) % AREAS.len()];
            let (street, postal, (lat, lon)) = address(&mut rng, area);
            let (start, end, lunch_start, lunch_end) = SHIFTS[i % 3];
            let mut skills = Vec::new();
            // One specialist per family (TECH-0001, -0008, -0015…), across the three shifts.
            if i % 7 == 0 && i / 7 < SkillFamily::ALL.len() {
                skills.push(TechnicianSkill {
                    family: SkillFamily::ALL[i / 7],
                    level: 5,
                });
            }
            let wanted = 2 + rng.below(3);
            while skills.len() < wanted {
                let family = SkillFamily::ALL[rng.weighted(&[30, 25, 20, 15, 10, 6])];
                if skills.iter().any(|s: &TechnicianSkill| s.family == family) {
                    continue;
                }
                let level = if skills.is_empty() {
                    2 + rng.below(3)
                } else {
                    1 + rng.below(3)
                };
                skills.push(TechnicianSkill {
                    family,
                    level: level as u8,
                });
            }
            Technician {
                name: Some(format!("TECH-{:04}", i + 1)),
                technician_name: format!("{first} {last}"),
                mobile_no: Some(format!(
                    "+1{}555{:04}",
                    ["514", "438", "450"][i % 3],
                    100 + i
                )),
                email: Some(format!(
                    "{}.{}@gigafibre.ca",
                    ascii_lower(first),
                    ascii_lower(last)
                )),
                home_latitude: Some(lat),
                home_longitude: Some(lon),
                home_address: Some(format!("{street}, {}, QC {postal}", area.city)),
                shift_start: Some(hm(start.0, start.1)),
                shift_end: Some(hm(end.0, end.1)),
                breaks: vec![TechnicianBreak {
                    start: hm(lunch_start.0, lunch_start.1),
                    end: hm(lunch_end.0, lunch_end.1),
                    duration_minutes: 30,
                }],
                skills,
                status: TechnicianStatus::Active,
            }
        })
        .collect()
}

/// Whether `tech` can do a job of `family` at `level` lasting `minutes` inside the window.
pub fn can_serve(
    tech: &Technician,
    family: SkillFamily,
    level: u8,
    minutes: u32,
    window: (NaiveTime, NaiveTime),
) -> bool {
    let (Some(shift_start), Some(shift_end)) = (tech.shift_start, tech.shift_end) else {
        return false;
    };
    let from = shift_start.max(window.0);
    let to = shift_end.min(window.1);
    tech.level_in(family) >= level && to > from && (to - from).num_minutes() >= i64::from(minutes)
}

/// The demo day for `date`: the same technicians, the same jobs at the same places and times
/// of day, named in `date`'s year.
pub fn demo_day(date: NaiveDate) -> DemoDay {
    let technicians = technicians();
    let year = chrono::Datelike::year(&date);
    let at = |time: NaiveTime| NaiveDateTime::new(date, time);
    let mut rng = Rng(0x6469_7370_6174_6368);
    let mut day = DemoDay {
        technicians: Vec::new(),
        locations: Vec::new(),
        issues: Vec::new(),
        jobs: Vec::new(),
    };
    for j in 0..JOB_COUNT {
        let area = &AREAS[rng.below(AREAS.len())];
        let (street, postal, (lat, lon)) = address(&mut rng, area);
        let resident = format!(
            "{} {}",
            FIRST_NAMES[rng.below(FIRST_NAMES.len())],
            LAST_NAMES[rng.below(LAST_NAMES.len())]
        );
        // Drawn again until some technician can serve it (a rare specialist's job, late).
        let (family, level, minutes, window, subject) = loop {
            let family = SkillFamily::ALL[rng.weighted(&[30, 25, 15, 15, 10, 5])];
            let level = 1 + rng.weighted(&[30, 30, 25, 10, 5]) as u8;
            let (subjects, (min, max)) = family_work(family);
            let minutes = min + 15 * rng.below(((max - min) / 15 + 1) as usize) as u32;
            let window = if rng.below(100) < 12 {
                (hm(8, 0), hm(16, 30))
            } else {
                let hours = 2 + rng.below(3) as u32;
                let start = 8 + rng.below((18 - 8 - hours + 1) as usize) as u32;
                (hm(start, 0), hm(start + hours, 0))
            };
            if technicians
                .iter()
                .any(|t| can_serve(t, family, level, minutes, window))
            {
                break (
                    family,
                    level,
                    minutes,
                    window,
                    subjects[rng.below(subjects.len())],
                );
            }
        };
        let priority = rng.weighted(&[25, 45, 20, 10]) as u8;
        let location = format!("LOC-{year}-{:05}", FIRST_LOCATION_NUMBER + j);
        let issue = format!("ISS-{year}-{:05}", j + 1);
        day.locations.push(ServiceLocation {
            name: Some(location.clone()),
            location_name: format!("{resident} — {street}"),
            customer: None,
            customer_name: None,
            address_line1: Some(street.clone()),
            city: Some(area.city.to_owned()),
            postal_code: Some(postal),
            latitude: Some(lat),
            longitude: Some(lon),
            status: Some("Active".to_owned()),
        });
        day.issues.push(Issue {
            name: Some(issue.clone()),
            subject: subject.to_owned(),
            customer: None,
            status: IssueStatus::Open,
            priority: [
                IssuePriority::Low,
                IssuePriority::Medium,
                IssuePriority::High,
                IssuePriority::Urgent,
            ][usize::from(priority)],
            description: Some(format!("{subject}. {resident}, {street}, {}.", area.city)),
            custom_service_location: Some(location.clone()),
        });
        day.jobs.push(DispatchJob {
            name: Some(format!("DJ-{year}-{:05}", j + 1)),
            issue,
            customer: None,
            service_location: location,
            latitude: Some(lat),
            longitude: Some(lon),
            required_skill: family,
            required_level: level,
            duration_minutes: minutes,
            window_start: at(window.0),
            window_end: at(window.1),
            priority,
            status: DispatchJobStatus::Unassigned,
            locked: false,
            technician: None,
            route_order: None,
            planned_start: None,
        });
    }
    assign_some(&mut day, date, &technicians, &mut rng);
    day.technicians = technicians;
    day
}

/// Assigns every tenth job (30 of 300) to a technician who can serve it, orders each
/// technician's jobs by window, plans their starts, and moves a few along (Done, Started,
/// En Route) or locks them; their Issues follow (Resolved when Done).
fn assign_some(day: &mut DemoDay, date: NaiveDate, technicians: &[Technician], rng: &mut Rng) {
    let mut routes: Vec<Vec<usize>> = vec![Vec::new(); technicians.len()];
    for j in (3..day.jobs.len()).step_by(10) {
        let job = &day.jobs[j];
        let window = (job.window_start.time(), job.window_end.time());
        let offset = rng.below(technicians.len());
        let chosen = (0..technicians.len())
            .map(|k| (k + offset) % technicians.len())
            .find(|&t| {
                can_serve(
                    &technicians[t],
                    job.required_skill,
                    job.required_level,
                    job.duration_minutes,
                    window,
                )
            });
        if let Some(t) = chosen {
            routes[t].push(j);
        }
    }
    let mut moved = 0;
    let mut locked = 0;
    for (t, route) in routes.iter_mut().enumerate() {
        route.sort_by_key(|&j| (day.jobs[j].window_start, j));
        let shift_start = technicians[t].shift_start.unwrap_or_default();
        let mut free = NaiveDateTime::new(date, shift_start);
        for (order, &j) in route.iter().enumerate() {
            let job = &mut day.jobs[j];
            // 30 minutes of driving between two jobs, a rough figure before the optimiser runs.
            let start = (free + Duration::minutes(30)).max(job.window_start);
            free = start + Duration::minutes(i64::from(job.duration_minutes));
            job.technician = technicians[t].name.clone();
            job.route_order = Some(order as u32 + 1);
            job.planned_start = Some(start);
            job.status = DispatchJobStatus::Assigned;
            if order == 0 {
                job.status = match moved {
                    0..=3 => DispatchJobStatus::Done,
                    4..=6 => DispatchJobStatus::Started,
                    7..=8 => DispatchJobStatus::EnRoute,
                    _ => DispatchJobStatus::Assigned,
                };
                moved += 1;
            } else if locked < 5 && (j / 10) % 2 == 0 {
                job.locked = true;
                locked += 1;
            }
            if job.status == DispatchJobStatus::Done {
                day.issues[j].status = IssueStatus::Resolved;
            }
        }
    }
}

/// Stores the demo day of [`DEMO_DATE`]: technicians, then each job's Service Location, Issue
/// and Dispatch Job, in a few bulk inserts (every test's sandbox seeds it). The documents are
/// what an API write would store: the day is built consistent (its links resolve, its
/// coordinates are its locations'), which the crate's tests check through the API; the
/// technicians' child rows are filled by the same validation as a write.
pub async fn seed(store: &Store) -> anyhow::Result<()> {
    let day = demo_day(demo_date());
    let stamp = "2026-12-07 16:00:00.000000";
    let mut technicians = Vec::new();
    for tech in &day.technicians {
        let mut doc = object(tech)?;
        standard(&mut doc, TECHNICIAN, stamp, 0);
        crate::dispatch::validate_technician(&mut doc)?;
        technicians.push(Value::Object(doc));
    }
    store.create_many(TECHNICIAN, &technicians).await?;
    let locations = documents(&day.locations, SERVICE_LOCATION, stamp, |_| ())?;
    store.create_many(SERVICE_LOCATION, &locations).await?;
    let issues = documents(&day.issues, ISSUE, stamp, |doc| {
        doc.insert("opening_date".to_owned(), json!(&stamp[..10]));
        let resolved = matches!(doc.get("status").and_then(Value::as_str), Some("Resolved"));
        doc.insert(
            "resolution_date".to_owned(),
            if resolved { json!(stamp) } else { Value::Null },
        );
    })?;
    store.create_many(ISSUE, &issues).await?;
    let jobs = documents(&day.jobs, DISPATCH_JOB, stamp, |_| ())?;
    store.create_many(DISPATCH_JOB, &jobs).await?;
    Ok(())
}

/// The stored form of demo DTOs: Frappe's standard fields, the absent fields null.
fn documents<T: serde::Serialize>(
    dtos: &[T],
    doctype: &str,
    stamp: &str,
    finish: impl Fn(&mut Map<String, Value>),
) -> anyhow::Result<Vec<Value>> {
    let meta =
        crate::doctypes::find(doctype).ok_or_else(|| anyhow::anyhow!("{doctype} is not served"))?;
    dtos.iter()
        .map(|dto| {
            let mut doc = object(dto)?;
            for field in meta.fields {
                doc.entry(*field).or_insert(Value::Null);
            }
            standard(&mut doc, doctype, stamp, 0);
            finish(&mut doc);
            Ok(Value::Object(doc))
        })
        .collect()
}

fn object(dto: &impl serde::Serialize) -> anyhow::Result<Map<String, Value>> {
    match serde_json::to_value(dto)? {
        Value::Object(map) => Ok(map),
        other => anyhow::bail!("a demo document serialised to {other}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_seeded_day_is_what_the_api_validation_would_store() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        seed(&store).await.unwrap();
        for doctype in [SERVICE_LOCATION, ISSUE, DISPATCH_JOB] {
            for stored in store.find_by_doctype(doctype).await.unwrap() {
                let mut doc = stored.as_object().cloned().unwrap();
                let checked = match doctype {
                    SERVICE_LOCATION => crate::equipment::validate_location(&store, &mut doc).await,
                    ISSUE => crate::dispatch::validate_issue(&store, &mut doc).await,
                    _ => crate::dispatch::validate_job(&store, &mut doc).await,
                };
                assert_eq!(checked, Ok(()), "{}", stored["name"]);
                assert_eq!(Value::Object(doc), stored);
            }
        }
    }
}
