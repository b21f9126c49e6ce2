//! A generated dispatch day around Montréal (island, Laval, South Shore), the same for the same
//! seed: the optimiser's tests and bench plan it (46 technicians and 300 jobs by default).

use crate::day::{Break, Day, Job, Seconds, Skill, Technician, Window};
use crate::rng::SplitMix;
use crate::travel::{Point, Speeds, estimate};

/// Skill families of the ISP's jobs.
pub const FAMILIES: [&str; 6] = [
    "fibre_install",
    "fibre_repair",
    "gpon",
    "wifi",
    "tv",
    "copper",
];

const H: Seconds = 3600;

/// A day of `technicians` and `jobs`.
pub fn day(technicians: usize, jobs: usize, seed: u64) -> Day {
    let mut rng = SplitMix(seed);
    let mut points = Vec::with_capacity(technicians + jobs);
    let technicians: Vec<Technician> = (0..technicians)
        .map(|t| {
            points.push(point(&mut rng));
            technician(&mut rng, t)
        })
        .collect();
    let jobs: Vec<Job> = (0..jobs)
        .map(|j| {
            points.push(point(&mut rng));
            job(&mut rng, j, technicians.len() + j)
        })
        .collect();
    Day {
        technicians,
        jobs,
        travel: estimate(&points, Speeds::default()),
    }
}

fn point(rng: &mut SplitMix) -> Point {
    Point {
        lat: 45.42 + rng.unit() * 0.26,
        lon: -73.92 + rng.unit() * 0.45,
    }
}

fn technician(rng: &mut SplitMix, t: usize) -> Technician {
    let (start, end) = [
        (7 * H, 15 * H + H / 2),
        (8 * H, 16 * H + H / 2),
        (10 * H, 18 * H + H / 2),
    ][rng.below(3)];
    let lunch = Break {
        window: Window {
            start: start + 4 * H,
            end: start + 5 * H + H / 2,
        },
        duration: H / 2,
    };
    let first = rng.below(FAMILIES.len());
    let skills = (0..2 + rng.below(3))
        .map(|k| Skill {
            family: FAMILIES[(first + k) % FAMILIES.len()].to_owned(),
            level: 1 + rng.below(5) as u8,
        })
        .collect();
    Technician {
        id: format!("TECH-{:04}", t + 1),
        start: t,
        end: t,
        shift: Window { start, end },
        breaks: vec![lunch],
        skills,
    }
}

fn job(rng: &mut SplitMix, j: usize, place: usize) -> Job {
    let window = match rng.below(4) {
        0 => Window {
            start: 8 * H,
            end: 12 * H,
        },
        1 => Window {
            start: 12 * H,
            end: 16 * H,
        },
        2 => Window {
            start: 9 * H + rng.below(6) as Seconds * H,
            end: 0,
        },
        _ => Window {
            start: 7 * H,
            end: 17 * H,
        },
    };
    let window = match window.end {
        0 => Window {
            start: window.start,
            end: window.start + 2 * H,
        },
        _ => window,
    };
    Job {
        id: format!("DJ-2026-{:05}", j + 1),
        place,
        duration: (20 + 10 * rng.below(6) as Seconds) * 60,
        window,
        skill: Some(Skill {
            family: FAMILIES[rng.below(FAMILIES.len())].to_owned(),
            level: [1, 1, 2, 2, 3, 4][rng.below(6)],
        }),
        priority: rng.below(4) as u8,
        pinned: None,
    }
}
