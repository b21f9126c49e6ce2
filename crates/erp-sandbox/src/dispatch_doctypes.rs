//! The dispatch doctypes: Gigafibre's Technician (with its child tables Technician Skill and
//! Technician Break) and Dispatch Job, and ERPNext's Issue (the subset the hub uses, with the
//! custom field `custom_service_location`).

use crate::doctypes::DocTypeMeta;

/// Technician (custom doctype): a field technician with a home base, a shift and skills.
pub const TECHNICIAN: &str = "Technician";
/// The child doctype of Technician's `skills`.
pub const TECHNICIAN_SKILL: &str = "Technician Skill";
/// The child doctype of Technician's `breaks`.
pub const TECHNICIAN_BREAK: &str = "Technician Break";
/// Issue (ERPNext Support).
pub const ISSUE: &str = "Issue";
/// Dispatch Job (custom doctype): one visit at a Service Location for an Issue.
pub const DISPATCH_JOB: &str = "Dispatch Job";

/// The metas of the doctypes above.
pub const DOCTYPES: &[DocTypeMeta] = &[
    DocTypeMeta {
        name: TECHNICIAN,
        fields: &[
            "technician_name",
            "mobile_no",
            "email",
            "home_latitude",
            "home_longitude",
            "home_address",
            "shift_start",
            "shift_end",
            "breaks",
            "skills",
            "status",
        ],
        mandatory: &[("technician_name", "Technician Name")],
        autoname: "TECH-.####",
    },
    DocTypeMeta {
        name: ISSUE,
        fields: &[
            "naming_series",
            "subject",
            "customer",
            "raised_by",
            "status",
            "priority",
            "description",
            "opening_date",
            "resolution_date",
            "custom_service_location",
        ],
        mandatory: &[("subject", "Subject")],
        autoname: "ISS-.YYYY.-",
    },
    DocTypeMeta {
        name: DISPATCH_JOB,
        fields: &[
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
        ],
        mandatory: &[
            ("issue", "Issue"),
            ("service_location", "Service Location"),
            ("required_skill", "Required Skill"),
            ("duration_minutes", "Duration (minutes)"),
            ("window_start", "Window Start"),
            ("window_end", "Window End"),
        ],
        autoname: "DJ-.YYYY.-",
    },
];
