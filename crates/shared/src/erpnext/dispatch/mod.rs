//! The dispatch doctypes: Gigafibre's `Technician` (home base, shift, breaks and skills) and
//! `Dispatch Job` (a visit at a Service Location for an Issue), and ERPNext's `Issue`, as the
//! dispatch service and portal-auth's tech links read and write them.
//!
//! Frappe writes a Time as `HH:MM:SS` (and may read one back as `7:00:00`), a Datetime as
//! `2026-12-08 08:00:00` (a fraction of a second may follow); both are read leniently and written
//! in Frappe's form. Serialised for a `create`, the `None` fields are left out; blank texts read
//! as `None`.

use chrono::{NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::dto::{flag, opt_text};
use super::equipment::opt_float;

mod frappe_fields;

use frappe_fields::{
    check, frappe_datetime, frappe_time, opt_frappe_datetime, opt_frappe_time, opt_u32, rows,
};
pub use frappe_fields::{frappe_datetime_text, parse_frappe_datetime, parse_frappe_time};

/// A skill family (`Technician Skill.family`, `Dispatch Job.required_skill`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkillFamily {
    /// A new fibre drop and ONT.
    FibreInstall,
    /// A fibre fault (cut, bend, dirty connector).
    FibreRepair,
    /// GPON provisioning and ONT faults.
    Gpon,
    /// In-home Wi-Fi.
    Wifi,
    /// IPTV set-top boxes.
    Tv,
    /// Legacy copper lines.
    Copper,
}

impl SkillFamily {
    /// Every family, in declaration order.
    pub const ALL: [SkillFamily; 6] = [
        SkillFamily::FibreInstall,
        SkillFamily::FibreRepair,
        SkillFamily::Gpon,
        SkillFamily::Wifi,
        SkillFamily::Tv,
        SkillFamily::Copper,
    ];

    /// The Select option (`fibre_install`).
    pub fn as_str(self) -> &'static str {
        match self {
            SkillFamily::FibreInstall => "fibre_install",
            SkillFamily::FibreRepair => "fibre_repair",
            SkillFamily::Gpon => "gpon",
            SkillFamily::Wifi => "wifi",
            SkillFamily::Tv => "tv",
            SkillFamily::Copper => "copper",
        }
    }
}

/// A row of the child table `skills` (`Technician Skill`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechnicianSkill {
    /// The family.
    pub family: SkillFamily,
    /// 1 (can assist) to 5 (specialist).
    pub level: u8,
}

/// A row of the child table `breaks` (`Technician Break`): a break of `duration_minutes` taken
/// somewhere between `start` and `end` (local time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechnicianBreak {
    /// Earliest start.
    #[serde(with = "frappe_time")]
    pub start: NaiveTime,
    /// Latest end.
    #[serde(with = "frappe_time")]
    pub end: NaiveTime,
    /// Length of the break.
    pub duration_minutes: u32,
}

/// The Select `status` of Technician; `Active` is the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TechnicianStatus {
    /// Works and may be dispatched.
    #[default]
    Active,
    /// Left, on leave: never dispatched.
    Inactive,
}

/// A Gigafibre `Technician` (`TECH-0001`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Technician {
    /// Document name; `None` to let the naming series pick it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Full name (`Mathieu Bergeron`).
    pub technician_name: String,
    /// Mobile number, E.164 (`+15145550147`): where tech links are sent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub mobile_no: Option<String>,
    /// Work e-mail.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub email: Option<String>,
    /// Home base latitude in degrees (where the day starts and ends).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_float"
    )]
    pub home_latitude: Option<f64>,
    /// Home base longitude in degrees.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_float"
    )]
    pub home_longitude: Option<f64>,
    /// Home base address as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub home_address: Option<String>,
    /// Start of the shift, local time (America/Montreal).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_frappe_time"
    )]
    pub shift_start: Option<NaiveTime>,
    /// End of the shift, local time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_frappe_time"
    )]
    pub shift_end: Option<NaiveTime>,
    /// Breaks (child table `Technician Break`).
    #[serde(default, deserialize_with = "rows")]
    pub breaks: Vec<TechnicianBreak>,
    /// Skills (child table `Technician Skill`).
    #[serde(default, deserialize_with = "rows")]
    pub skills: Vec<TechnicianSkill>,
    /// Active or Inactive.
    #[serde(default)]
    pub status: TechnicianStatus,
}

impl Technician {
    /// The fields to request in a list call so every field of this DTO is filled (a list call
    /// never returns child tables: `get` the document for its breaks and skills).
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "technician_name",
        "mobile_no",
        "email",
        "home_latitude",
        "home_longitude",
        "home_address",
        "shift_start",
        "shift_end",
        "status",
    ];

    /// The technician's level in `family`, 0 when it is not among the skills.
    pub fn level_in(&self, family: SkillFamily) -> u8 {
        self.skills
            .iter()
            .filter(|skill| skill.family == family)
            .map(|skill| skill.level)
            .max()
            .unwrap_or(0)
    }
}

/// The Select `status` of Issue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IssueStatus {
    /// New (the default).
    #[default]
    Open,
    /// Answered, waiting on the customer.
    Replied,
    /// Paused.
    #[serde(rename = "On Hold")]
    OnHold,
    /// Fixed.
    Resolved,
    /// Done with.
    Closed,
}

/// Issue's `priority` (a Link to `Issue Priority` in ERPNext; these four are the defaults).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum IssuePriority {
    /// Low.
    Low,
    /// Medium (the default).
    #[default]
    Medium,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

/// An ERPNext `Issue` (`ISS-2026-00001`), the subset the hub uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// Document name; `None` to let the naming series pick it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// One line (`Panne Internet — signal optique faible`).
    pub subject: String,
    /// The Customer who raised it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub customer: Option<String>,
    /// Open, Replied, On Hold, Resolved or Closed.
    #[serde(default)]
    pub status: IssueStatus,
    /// Low, Medium, High or Urgent.
    #[serde(default)]
    pub priority: IssuePriority,
    /// The details.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub description: Option<String>,
    /// Custom field: the Service Location concerned.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub custom_service_location: Option<String>,
}

impl Issue {
    /// The fields to request in a list call so every field of this DTO is filled.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "subject",
        "customer",
        "status",
        "priority",
        "description",
        "custom_service_location",
    ];
}

/// The Select `status` of Dispatch Job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DispatchJobStatus {
    /// No technician yet (the default).
    #[default]
    Unassigned,
    /// In a technician's route.
    Assigned,
    /// The technician is driving there.
    #[serde(rename = "En Route")]
    EnRoute,
    /// On site.
    Started,
    /// Finished.
    Done,
    /// Called off.
    Cancelled,
}

/// A Gigafibre `Dispatch Job` (`DJ-2026-00001`): one visit for an Issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchJob {
    /// Document name; `None` to let the naming series pick it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Issue it serves.
    pub issue: String,
    /// The Customer (fetched from the Issue when blank).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub customer: Option<String>,
    /// Where the work is.
    pub service_location: String,
    /// Latitude in degrees (fetched from the Service Location).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_float"
    )]
    pub latitude: Option<f64>,
    /// Longitude in degrees (fetched from the Service Location).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_float"
    )]
    pub longitude: Option<f64>,
    /// The skill family the work needs.
    pub required_skill: SkillFamily,
    /// The lowest level that may do it, 1 to 5.
    #[serde(default = "one")]
    pub required_level: u8,
    /// Time on site.
    pub duration_minutes: u32,
    /// Earliest arrival, local time.
    #[serde(with = "frappe_datetime")]
    pub window_start: NaiveDateTime,
    /// Latest arrival, local time.
    #[serde(with = "frappe_datetime")]
    pub window_end: NaiveDateTime,
    /// 0 (low) to 3 (urgent).
    #[serde(default)]
    pub priority: u8,
    /// Unassigned, Assigned, En Route, Started, Done or Cancelled.
    #[serde(default)]
    pub status: DispatchJobStatus,
    /// A dispatcher pinned it: the optimiser keeps its technician and order.
    #[serde(default, deserialize_with = "flag", serialize_with = "check")]
    pub locked: bool,
    /// The Technician in charge.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub technician: Option<String>,
    /// Position in the technician's route, from 1.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_u32"
    )]
    pub route_order: Option<u32>,
    /// Planned arrival, local time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_frappe_datetime"
    )]
    pub planned_start: Option<NaiveDateTime>,
}

impl DispatchJob {
    /// The fields to request in a list call so every field of this DTO is filled.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "issue",
        "customer",
        "service_location",
        "latitude",
        "longitude",
        "required_skill",
        "required_level",
        "duration_minutes",
        "window_start",
        "window_end",
        "priority",
        "status",
        "locked",
        "technician",
        "route_order",
        "planned_start",
    ];
}

fn one() -> u8 {
    1
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_technician_reads_its_child_tables_and_frappes_short_times() {
        let body = json!({
            "name": "TECH-0001", "technician_name": "Mathieu Bergeron",
            "mobile_no": "+15145550101", "email": "", "home_latitude": 45.53,
            "home_longitude": "-73.58", "home_address": "4120 rue Saint-Denis, Montréal",
            "shift_start": "7:00:00", "shift_end": "15:30:00",
            "breaks": [{"name": "a1b2c3", "parent": "TECH-0001", "parentfield": "breaks",
                        "parenttype": "Technician", "idx": 1, "doctype": "Technician Break",
                        "start": "11:30:00", "end": "13:30:00", "duration_minutes": 30}],
            "skills": [{"parent": "TECH-0001", "idx": 1, "family": "fibre_install", "level": 5},
                       {"parent": "TECH-0001", "idx": 2, "family": "wifi", "level": 2}],
            "status": "Active", "doctype": "Technician"
        });
        let tech: Technician = serde_json::from_value(body).unwrap();
        assert_eq!(tech.email, None);
        assert_eq!(tech.home_longitude, Some(-73.58));
        assert_eq!(tech.shift_start, NaiveTime::from_hms_opt(7, 0, 0));
        assert_eq!(tech.breaks[0].duration_minutes, 30);
        assert_eq!(tech.level_in(SkillFamily::FibreInstall), 5);
        assert_eq!(tech.level_in(SkillFamily::Copper), 0);
        let written = serde_json::to_value(&tech).unwrap();
        assert_eq!(written["shift_start"], "07:00:00");
        assert_eq!(written["skills"][1], json!({"family": "wifi", "level": 2}));
        assert_eq!(serde_json::from_value::<Technician>(written).unwrap(), tech);
    }

    #[test]
    fn a_dispatch_job_writes_frappe_datetimes_and_a_check() {
        let body = json!({
            "name": "DJ-2026-00001", "issue": "ISS-2026-00001", "customer": null,
            "service_location": "LOC-2026-00101", "latitude": 45.5, "longitude": -73.6,
            "required_skill": "fibre_repair", "required_level": 3, "duration_minutes": 90,
            "window_start": "2026-12-08 08:00:00", "window_end": "2026-12-08 12:00:00.000000",
            "priority": 2, "status": "En Route", "locked": 1, "technician": "TECH-0004",
            "route_order": 2, "planned_start": "2026-12-08 09:15:00"
        });
        let job: DispatchJob = serde_json::from_value(body).unwrap();
        assert_eq!(job.status, DispatchJobStatus::EnRoute);
        assert!(job.locked);
        assert_eq!(job.route_order, Some(2));
        let written = serde_json::to_value(&job).unwrap();
        assert_eq!(written["window_end"], "2026-12-08 12:00:00");
        assert_eq!(written["locked"], 1);
        assert!(written.get("customer").is_none());
        assert_eq!(serde_json::from_value::<DispatchJob>(written).unwrap(), job);
    }

    #[test]
    fn an_issue_defaults_to_open_and_medium() {
        let issue: Issue = serde_json::from_value(json!({"subject": "Wi-Fi faible"})).unwrap();
        assert_eq!(issue.status, IssueStatus::Open);
        assert_eq!(issue.priority, IssuePriority::Medium);
        let closed: Issue = serde_json::from_value(
            json!({"subject": "x", "status": "On Hold", "priority": "Urgent"}),
        )
        .unwrap();
        assert_eq!(closed.status, IssueStatus::OnHold);
        assert_eq!(closed.priority, IssuePriority::Urgent);
    }
}
