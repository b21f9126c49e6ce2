//! Plans of generated dispatch days, judged by a validator written here from the rules alone (not
//! the crate's `schedule`): each job once or left out with a reason, skills at or above the job's
//! level, work started inside its window, every leg's travel from the matrix, the day inside the
//! shift, each break taken inside its window when the day spans it, pinned jobs on their technician
//! and at their locked start. Bad input tried: a job nobody is qualified for, a job on an island no
//! road reaches, a window before every shift, a locked start its technician cannot make.
#![allow(clippy::unwrap_used)]

use dispatch_solver::Budget;
use dispatch_solver::day::{Day, Item, Pinned, Reason, Skill, Travel, Window};
use dispatch_solver::plan::{Plan, plan};
use dispatch_solver::synthetic;

fn validate(day: &Day, plan: &Plan) {
    let mut seen = vec![0; day.jobs.len()];
    for route in &plan.routes {
        let tech = &day.technicians[route.technician];
        let (mut at, mut now) = (tech.start, tech.shift.start);
        let mut breaks = vec![false; tech.breaks.len()];
        assert_eq!(route.items.len(), route.timed.stops.len());
        for (item, stop) in route.items.iter().zip(&route.timed.stops) {
            let (place, open, close, duration) = match *item {
                Item::Job(j) => {
                    let job = &day.jobs[j];
                    seen[j] += 1;
                    if let Some(need) = &job.skill {
                        assert!(
                            tech.skills
                                .iter()
                                .any(|s| s.family == need.family && s.level >= need.level),
                            "{} lacks {need:?} for {}",
                            tech.id,
                            job.id
                        );
                    }
                    if let Some(pin) = job.pinned {
                        assert_eq!(pin.technician, route.technician, "{} moved", job.id);
                        if let Some(start) = pin.start {
                            assert_eq!(stop.start, start, "{} off its locked start", job.id);
                        }
                    }
                    (job.place, job.window.start, job.window.end, job.duration)
                }
                Item::Break(b) => {
                    breaks[b] = true;
                    let pause = tech.breaks[b];
                    (at, pause.window.start, pause.window.end, pause.duration)
                }
            };
            let leg = day.travel.get(at, place).expect("a leg without a road");
            assert_eq!(stop.arrival, now + leg);
            assert!(stop.start >= stop.arrival && stop.start >= open);
            assert!(stop.start <= close, "{item:?} of {} starts late", tech.id);
            assert_eq!(stop.end, stop.start + duration);
            now = stop.end;
            at = place;
        }
        let end = now + day.travel.get(at, tech.end).unwrap();
        assert!(end <= tech.shift.end, "{} back after the shift", tech.id);
        for (b, pause) in tech.breaks.iter().enumerate() {
            assert!(
                breaks[b] || end <= pause.window.end + pause.duration,
                "{} skipped break {b}",
                tech.id
            );
        }
    }
    for left in &plan.unassigned {
        seen[left.job] += 1;
    }
    assert!(seen.iter().all(|&n| n == 1), "each job once: {seen:?}");
}

fn budget(generations: usize) -> Budget {
    Budget {
        seconds: 60.0,
        generations: Some(generations),
        seed: 1,
    }
}

#[test]
fn a_generated_day_is_planned_within_every_rule() {
    let day = synthetic::day(12, 60, 7);
    let plan = plan(&day, budget(60)).unwrap();
    validate(&day, &plan);
    assert!(plan.unassigned.len() < 6, "{:?}", plan.unassigned);
    assert_eq!(
        plan.travel,
        plan.routes.iter().map(|r| r.timed.travel).sum()
    );
    assert!(!plan.stopped_by_time_limit);
}

#[test]
fn pinned_jobs_stay_with_their_technician_and_locked_starts_hold() {
    let mut day = synthetic::day(6, 30, 11);
    let first = plan(&day, budget(30)).unwrap();
    validate(&day, &first);
    // Pin every job of the first route to that technician at its planned start, as auto-assign
    // does with the jobs already on the board.
    let route = &first.routes[0];
    for (item, stop) in route.items.iter().zip(&route.timed.stops) {
        if let Item::Job(j) = *item {
            day.jobs[j].pinned = Some(Pinned {
                technician: route.technician,
                start: Some(stop.start),
            });
        }
    }
    let second = plan(&day, budget(400)).unwrap();
    validate(&day, &second);
    // The validator has checked that none moved to another technician or off its start; one the
    // search could not keep says so.
    for left in &second.unassigned {
        if day.jobs[left.job].pinned.is_some() {
            assert_eq!(left.reason, Reason::Locked);
        }
    }
}

#[test]
fn jobs_that_cannot_be_placed_say_why() {
    let mut day = synthetic::day(4, 8, 3);
    // A job nobody is qualified for.
    day.jobs[0].skill = Some(Skill {
        family: "satellite".into(),
        level: 1,
    });
    // A window closed before any shift starts.
    day.jobs[1].window = Window {
        start: 3 * 3600,
        end: 4 * 3600,
    };
    // A locked start at 05:00 its technician cannot make.
    day.jobs[2].skill = None;
    day.jobs[2].pinned = Some(Pinned {
        technician: 0,
        start: Some(5 * 3600),
    });
    // A job on an island: no road to or from its place.
    let n = day.travel.places();
    let island = day.jobs[3].place;
    let seconds = (0..n)
        .flat_map(|a| (0..n).map(move |b| (a, b)))
        .map(|(a, b)| {
            if a != b && (a == island || b == island) {
                None
            } else {
                day.travel.get(a, b)
            }
        })
        .collect();
    day.travel = Travel::new(n, seconds).unwrap();
    let plan = plan(&day, budget(20)).unwrap();
    validate(&day, &plan);
    let reason = |j: usize| {
        plan.unassigned
            .iter()
            .find(|l| l.job == j)
            .map(|l| l.reason)
    };
    assert_eq!(reason(0), Some(Reason::Skill));
    assert_eq!(reason(1), Some(Reason::TimeWindow));
    assert_eq!(reason(2), Some(Reason::Locked));
    assert_eq!(reason(3), Some(Reason::Unreachable));
    for left in &plan.unassigned {
        assert!(!left.reason.fr().is_empty() && !left.reason.en().is_empty());
    }
}
