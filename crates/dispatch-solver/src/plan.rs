//! A dispatch day planned by the engine: skills as cumulative sets (`family:1`…`family:level`),
//! pinned jobs kept by a skill only their technician has (and their locked start as a one-instant
//! window), breaks as jobs without a place that only their technician's route may take, priorities
//! as the weight of leaving a job out. Every route the engine answers is timed again by
//! [`schedule`](crate::day::schedule): a route it would refuse is never answered as planned.

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use vrp_core::construction::features::{
    BreakFeatureBuilder, BreakPolicy, JobSkills, JobSkillsDimension, VehicleSkillsDimension,
    create_skills_feature,
};
use vrp_core::models::common::TimeWindow;
use vrp_core::models::problem::{JobIdDimension, JobPlaceBuilder, VehicleIdDimension};
use vrp_core::prelude::*;

use crate::day::{Broken, Day, Item, Reason, Seconds, Timed, reason, schedule};
use crate::engine::{self, Budget};

/// A road the matrix lacks costs this much: no shift can absorb it.
const NO_ROAD: Float = 1.0e8;
/// Leaving a break out weighs this many low-priority jobs.
const BREAK_WEIGHT: Float = 100.0;
/// Leaving a pinned job out (it was already promised) weighs this many.
const PINNED_WEIGHT: Float = 50.0;

/// One technician's planned day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Index in [`Day::technicians`].
    pub technician: usize,
    /// Jobs and breaks in order.
    pub items: Vec<Item>,
    /// Their times.
    pub timed: Timed,
}

/// A job the plan could not place, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Left {
    /// Index in [`Day::jobs`].
    pub job: usize,
    /// The first cause.
    pub reason: Reason,
}

/// A plan of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Technicians with at least one job.
    pub routes: Vec<Route>,
    /// Jobs left out.
    pub unassigned: Vec<Left>,
    /// Its cost: total travel seconds.
    pub travel: Seconds,
    /// True when the time limit ended the search before its generation budget.
    pub stopped_by_time_limit: bool,
}

/// Plans `day` within `budget`.
pub fn plan(day: &Day, budget: Budget) -> GenericResult<Plan> {
    let outcome = engine::run(Arc::new(problem(day)?), budget, None)?;
    let mut routes = Vec::new();
    let mut placed = vec![false; day.jobs.len()];
    for route in &outcome.solution.routes {
        let Some(technician) = technician_of(&route.actor.vehicle) else {
            continue;
        };
        let items: Vec<Item> = route
            .tour
            .all_activities()
            .filter_map(|a| item(a.job.as_ref()?.dimens.get_job_id()?))
            .collect();
        let (items, timed) = repair(day, technician, items);
        for item in &items {
            if let Item::Job(j) = item {
                placed[*j] = true;
            }
        }
        if items.iter().any(|i| matches!(i, Item::Job(_))) {
            routes.push(Route {
                technician,
                items,
                timed,
            });
        }
    }
    routes.sort_by_key(|r| r.technician);
    let unassigned = (0..day.jobs.len())
        .filter(|&j| !placed[j])
        .map(|job| Left {
            job,
            reason: reason(day, job),
        })
        .collect();
    Ok(Plan {
        travel: routes.iter().map(|r| r.timed.travel).sum(),
        routes,
        unassigned,
        stopped_by_time_limit: outcome.stopped_by_time_limit,
    })
}

/// The route as the rules time it. Should the engine answer one they refuse (a break it judged
/// optional, say), jobs are taken off it, the one a rule names or else the last, until none is
/// broken; they are then reported as left out with their reason.
fn repair(day: &Day, t: usize, mut items: Vec<Item>) -> (Vec<Item>, Timed) {
    loop {
        let timed = schedule(day, t, &items);
        let named = timed.broken.iter().find_map(|b| match *b {
            Broken::Skill { job }
            | Broken::TimeWindow { job, .. }
            | Broken::Locked { job }
            | Broken::Unreachable { job } => Some(Item::Job(job)),
            Broken::Shift { .. } | Broken::Break { .. } => None,
        });
        let last = items.iter().rposition(|i| matches!(i, Item::Job(_)));
        match (timed.broken.is_empty(), named, last) {
            (true, ..) | (false, None, None) => return (items, timed),
            (false, Some(job), _) => items.retain(|&i| i != job),
            (false, None, Some(at)) => {
                items.remove(at);
            }
        }
    }
}

/// `j12` is job 12, `b3:1` technician 3's break 1.
fn item(id: &str) -> Option<Item> {
    if let Some(j) = id.strip_prefix('j') {
        return j.parse().ok().map(Item::Job);
    }
    let (_, b) = id.strip_prefix('b')?.split_once(':')?;
    b.parse().ok().map(Item::Break)
}

fn skill_keys(family: &str, level: u8) -> impl Iterator<Item = String> + '_ {
    (1..=level).map(move |l| format!("{family}:{l}"))
}

fn problem(day: &Day) -> GenericResult<Problem> {
    let n = day.travel.places();
    let matrix: Vec<Float> = (0..n)
        .flat_map(|a| (0..n).map(move |b| (a, b)))
        .map(|(a, b)| day.travel.get(a, b).map_or(NO_ROAD, |s| s as Float))
        .collect();
    let transport: Arc<dyn TransportCost> =
        Arc::new(SimpleTransportCost::new(matrix.clone(), matrix)?);
    let jobs = day.jobs.iter().enumerate().map(|(j, job)| {
        let window = match job.pinned.and_then(|p| p.start) {
            Some(start) => (start, start),
            None => (job.window.start, job.window.end),
        };
        let mut skills: Vec<String> = job
            .skill
            .iter()
            .map(|s| format!("{}:{}", s.family, s.level))
            .collect();
        skills.extend(job.pinned.map(|p| format!("tech:{}", p.technician)));
        SingleBuilder::default()
            .id(&format!("j{j}"))
            .location(job.place)?
            .duration(job.duration as Float)?
            .times(vec![TimeWindow::new(window.0 as Float, window.1 as Float)])?
            .dimension(|d| {
                d.set_job_skills(JobSkills::new(Some(skills), None, None));
            })
            .build_as_job()
    });
    let breaks = day.technicians.iter().enumerate().flat_map(|(t, tech)| {
        tech.breaks.iter().enumerate().map(move |(b, pause)| {
            SingleBuilder::default()
                .id(&format!("b{t}:{b}"))
                .add_place(
                    JobPlaceBuilder::default()
                        .location(None)
                        .duration(pause.duration as Float)
                        .times(vec![TimeWindow::new(
                            pause.window.start as Float,
                            pause.window.end as Float,
                        )])
                        .build()?,
                )
                .build_as_job()
        })
    });
    let jobs = jobs.chain(breaks).collect::<GenericResult<Vec<_>>>()?;
    let vehicles = day
        .technicians
        .iter()
        .enumerate()
        .map(|(t, tech)| {
            let skills: HashSet<String> = tech
                .skills
                .iter()
                .flat_map(|s| skill_keys(&s.family, s.level))
                .chain([format!("tech:{t}")])
                .collect();
            VehicleBuilder::default()
                .id(&format!("t{t}"))
                .add_detail(
                    VehicleDetailBuilder::default()
                        .set_start_location(tech.start)
                        .set_start_time(tech.shift.start as Float)
                        .set_end_location(tech.end)
                        .set_end_time(tech.shift.end as Float)
                        .build()?,
                )
                .dimension(|d| {
                    d.set_vehicle_skills(skills);
                })
                .build()
        })
        .collect::<GenericResult<Vec<_>>>()?;
    let priorities: Vec<Float> = day
        .jobs
        .iter()
        .map(|j| match j.pinned {
            Some(_) => PINNED_WEIGHT,
            None => 1. + Float::from(j.priority),
        })
        .collect();
    let goal = GoalContextBuilder::with_features(&[
        MinimizeUnassignedBuilder::new("min-unassigned")
            .set_job_estimator(move |_, job| weight(&priorities, job))
            .build()?,
        TransportFeatureBuilder::new("min-travel")
            .set_transport_cost(transport.clone())
            .set_time_constrained(true)
            .build_minimize_distance()?,
        create_skills_feature("skills", ViolationCode(10))?,
        BreakFeatureBuilder::new("breaks")
            .set_violation_code(ViolationCode(11))
            .set_is_break_single(|single| is_break(single.dimens.get_job_id()))
            .set_policy(|_| BreakPolicy::SkipIfNoIntersection)
            .set_belongs_to_route(|route, job| {
                let Some(id) = job.dimens().get_job_id() else {
                    return false;
                };
                let owner = id.strip_prefix('b').and_then(|b| b.split_once(':'));
                let vehicle = route.actor.vehicle.dimens.get_vehicle_id();
                matches!((owner, vehicle), (Some((t, _)), Some(v)) if v.strip_prefix('t') == Some(t))
            })
            .build()?,
    ])?
    .build()?;
    ProblemBuilder::default()
        .add_jobs(jobs.into_iter())
        .add_vehicles(vehicles.into_iter())
        .with_goal(goal)
        .with_transport_cost(transport)
        // Each technician is one of a kind (home, shift, skills): never interchangeable.
        .with_vehicle_similarity(|_| Box::new(|actor| technician_of(&actor.vehicle).unwrap_or(0)))
        .with_logger(Arc::new(|_: &str| {}))
        .build()
}

/// Vehicle `t12` is technician 12.
fn technician_of(vehicle: &Vehicle) -> Option<usize> {
    vehicle
        .dimens
        .get_vehicle_id()?
        .strip_prefix('t')?
        .parse()
        .ok()
}

fn is_break(id: Option<&String>) -> bool {
    id.is_some_and(|id| id.starts_with('b'))
}

/// The cost of leaving `job` out: its priority, or a pinned job's or a break's weight.
fn weight(priorities: &[Float], job: &vrp_core::models::problem::Job) -> Float {
    let id = job.dimens().get_job_id();
    if is_break(id) {
        return BREAK_WEIGHT;
    }
    id.and_then(|id| id.strip_prefix('j')?.parse::<usize>().ok())
        .and_then(|j| priorities.get(j).copied())
        .unwrap_or(1.)
}
