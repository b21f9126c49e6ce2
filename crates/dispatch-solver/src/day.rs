//! A dispatch day as the optimiser sees it (docs/dispatch.md): jobs with a place, a duration, a
//! window, a skill family and level, a priority, maybe pinned to their technician; technicians with
//! a start and an end place, a shift, breaks and skills 1-5; travel seconds between places (`None`:
//! unreachable). Times are seconds since the day's midnight, local time.
//!
//! [`schedule`] times one technician's route and lists every rule it breaks: the plan's ETAs, the
//! board's re-timing after a move, and its 409 all come from it.

use serde::{Deserialize, Serialize};

/// Seconds since the day's midnight.
pub type Seconds = i64;

/// An interval of the day, `start..=end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Opens.
    pub start: Seconds,
    /// Closes.
    pub end: Seconds,
}

/// A skill family and its level, 1 (beginner) to 5 (specialist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    /// `fibre_install`, `gpon`…
    pub family: String,
    /// 1-5.
    pub level: u8,
}

/// A break to take somewhere in its window, where the technician happens to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Break {
    /// When it may be taken (its start).
    pub window: Window,
    /// How long.
    pub duration: Seconds,
}

/// A technician's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Technician {
    /// ERPNext's name (`TECH-0001`).
    pub id: String,
    /// Place the day starts from (home, or the last position if fresh).
    pub start: usize,
    /// Place the day ends at (home).
    pub end: usize,
    /// Working hours: leaves `start` no earlier, back at `end` no later.
    pub shift: Window,
    /// Breaks to take.
    pub breaks: Vec<Break>,
    /// Skills with their levels.
    pub skills: Vec<Skill>,
}

impl Technician {
    /// True when the technician's level in the job's family is at least the job's.
    pub fn can_do(&self, job: &Job) -> bool {
        job.skill.as_ref().is_none_or(|need| {
            self.skills
                .iter()
                .any(|s| s.family == need.family && s.level >= need.level)
        })
    }
}

/// Where a job must stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pinned {
    /// Index of its technician in [`Day::technicians`].
    pub technician: usize,
    /// Its start, when it is locked in time too.
    pub start: Option<Seconds>,
}

/// A job of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// ERPNext's name (`DJ-2026-00001`).
    pub id: String,
    /// Index of its place in the travel matrix.
    pub place: usize,
    /// Time on site.
    pub duration: Seconds,
    /// When the work may start.
    pub window: Window,
    /// The skill needed, if any.
    pub skill: Option<Skill>,
    /// 0 (low) to 3 (urgent): who is left out first when not everything fits.
    pub priority: u8,
    /// Kept on its technician (started, assigned or locked jobs).
    pub pinned: Option<Pinned>,
}

/// Travel seconds between places, row-major; `None`: no road between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Travel {
    places: usize,
    seconds: Vec<Option<Seconds>>,
}

impl Travel {
    /// A square matrix of `places` rows; `None` if `seconds` is not `places`² long or holds a
    /// negative time.
    pub fn new(places: usize, seconds: Vec<Option<Seconds>>) -> Option<Self> {
        let square = places.checked_mul(places)? == seconds.len();
        let signed = seconds.iter().flatten().all(|&s| s >= 0);
        (square && signed).then_some(Self { places, seconds })
    }

    /// Seconds from `a` to `b`.
    pub fn get(&self, a: usize, b: usize) -> Option<Seconds> {
        if a == b {
            return Some(0);
        }
        self.seconds.get(a * self.places + b).copied().flatten()
    }

    /// Places in the matrix.
    pub fn places(&self) -> usize {
        self.places
    }
}

/// The whole day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Day {
    /// Who works.
    pub technicians: Vec<Technician>,
    /// What is to be done.
    pub jobs: Vec<Job>,
    /// How long it takes to get from one place to another.
    pub travel: Travel,
}

/// One item of a route, in visit order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub enum Item {
    /// A job (index in [`Day::jobs`]).
    Job(usize),
    /// A break (index in the technician's breaks).
    Break(usize),
}

/// An item with its times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stop {
    /// What.
    pub item: Item,
    /// Travel to it.
    pub travel: Seconds,
    /// Arrival (the ETA).
    pub arrival: Seconds,
    /// Start of the work or the break (after waiting for its window).
    pub start: Seconds,
    /// End.
    pub end: Seconds,
}

/// A rule a route breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Broken {
    /// The technician lacks the job's skill or level.
    Skill { job: usize },
    /// The job starts after its window closes.
    TimeWindow { job: usize, late_by: Seconds },
    /// The day ends after the shift.
    Shift { over_by: Seconds },
    /// A break outside its window, or missing while the route spans it.
    Break { index: usize },
    /// A pinned job moved to another technician or off its locked start.
    Locked { job: usize },
    /// No road between two consecutive places.
    Unreachable { job: usize },
}

/// A timed route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timed {
    /// Every item with its times.
    pub stops: Vec<Stop>,
    /// Total travel, back home included.
    pub travel: Seconds,
    /// Waiting before windows open.
    pub idle: Seconds,
    /// Back at the end place.
    pub end: Seconds,
    /// Every rule broken (empty: a valid route).
    pub broken: Vec<Broken>,
}

/// Times technician `t`'s route `items` from the start of the shift and lists every rule it
/// breaks. Unreachable legs count as zero travel so that the rest is still timed.
pub fn schedule(day: &Day, t: usize, items: &[Item]) -> Timed {
    let tech = &day.technicians[t];
    let mut broken = Vec::new();
    let (mut at, mut now) = (tech.start, tech.shift.start);
    let (mut stops, mut travel, mut idle) = (Vec::with_capacity(items.len()), 0, 0);
    for &item in items {
        let (place, window, duration) = match item {
            Item::Job(j) => {
                let job = &day.jobs[j];
                check_job(day, t, j, &mut broken);
                let window = match job.pinned.and_then(|p| p.start) {
                    Some(start) => Window { start, end: start },
                    None => job.window,
                };
                (job.place, window, job.duration)
            }
            Item::Break(b) => {
                let pause = tech.breaks[b];
                (at, pause.window, pause.duration)
            }
        };
        let leg = day.travel.get(at, place).unwrap_or_else(|| {
            if let Item::Job(job) = item {
                broken.push(Broken::Unreachable { job });
            }
            0
        });
        let arrival = now + leg;
        let start = arrival.max(window.start);
        if start > window.end {
            broken.push(match item {
                Item::Job(job) if day.jobs[job].pinned.is_some_and(|p| p.start.is_some()) => {
                    Broken::Locked { job }
                }
                Item::Job(job) => Broken::TimeWindow {
                    job,
                    late_by: start - window.end,
                },
                Item::Break(index) => Broken::Break { index },
            });
        }
        travel += leg;
        idle += start - arrival;
        now = start + duration;
        at = place;
        stops.push(Stop {
            item,
            travel: leg,
            arrival,
            start,
            end: now,
        });
    }
    let home = day.travel.get(at, tech.end).unwrap_or(0);
    let end = now + home;
    if end > tech.shift.end {
        broken.push(Broken::Shift {
            over_by: end - tech.shift.end,
        });
    }
    for (index, pause) in tech.breaks.iter().enumerate() {
        let taken = items.contains(&Item::Break(index));
        if !taken && !items.is_empty() && end > pause.window.end + pause.duration {
            broken.push(Broken::Break { index });
        }
    }
    Timed {
        stops,
        travel: travel + home,
        idle,
        end,
        broken,
    }
}

fn check_job(day: &Day, t: usize, j: usize, broken: &mut Vec<Broken>) {
    let job = &day.jobs[j];
    if !day.technicians[t].can_do(job) {
        broken.push(Broken::Skill { job: j });
    }
    if job.pinned.is_some_and(|p| p.technician != t) {
        broken.push(Broken::Locked { job: j });
    }
}

/// Why a job could not be placed: one code, the first that explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    /// Nobody has the skill at that level.
    Skill,
    /// No road reaches it from any qualified technician.
    Unreachable,
    /// Pinned to its technician (and maybe its start), and the plan could not keep it so.
    Locked,
    /// No qualified technician can be there before its window closes.
    TimeWindow,
    /// It fits no qualified technician's shift, even on an empty day.
    Shift,
    /// It would fit an empty shift, but not with the breaks taken.
    Break,
    /// It would fit, but every qualified technician's day is full.
    Capacity,
}

impl Reason {
    /// The dispatcher's text, French.
    pub fn fr(self) -> &'static str {
        match self {
            Reason::Skill => "Aucun technicien n'a la compétence requise à ce niveau.",
            Reason::Unreachable => "Aucun trajet ne permet de s'y rendre.",
            Reason::Locked => "Travail verrouillé que le plan n'a pas pu garder tel quel.",
            Reason::TimeWindow => {
                "Aucun technicien qualifié ne peut arriver avant la fin de la plage horaire."
            }
            Reason::Shift => "Le travail ne tient dans le quart d'aucun technicien qualifié.",
            Reason::Break => "Le travail ne tient qu'en sautant une pause.",
            Reason::Capacity => "Les journées des techniciens qualifiés sont pleines.",
        }
    }

    /// The dispatcher's text, English.
    pub fn en(self) -> &'static str {
        match self {
            Reason::Skill => "No technician has the required skill at that level.",
            Reason::Unreachable => "No road reaches it.",
            Reason::Locked => "A locked job the plan could not keep as it was.",
            Reason::TimeWindow => "No qualified technician can arrive before its window closes.",
            Reason::Shift => "The job fits no qualified technician's shift.",
            Reason::Break => "The job only fits by skipping a break.",
            Reason::Capacity => "Every qualified technician's day is full.",
        }
    }
}

/// Why job `j` was left out: tried alone on each qualified technician's empty day.
pub fn reason(day: &Day, j: usize) -> Reason {
    let job = &day.jobs[j];
    let qualified: Vec<usize> = (0..day.technicians.len())
        .filter(|&t| day.technicians[t].can_do(job))
        .collect();
    if job.pinned.is_some() {
        return Reason::Locked;
    }
    if qualified.is_empty() {
        return Reason::Skill;
    }
    let alone: Vec<Timed> = qualified
        .iter()
        .map(|&t| schedule(day, t, &[Item::Job(j)]))
        .collect();
    let all = |f: fn(&Broken) -> bool| alone.iter().all(|timed| timed.broken.iter().any(f));
    if all(|b| matches!(b, Broken::Unreachable { .. })) {
        return Reason::Unreachable;
    }
    if all(|b| matches!(b, Broken::TimeWindow { .. })) {
        return Reason::TimeWindow;
    }
    if all(|b| matches!(b, Broken::Shift { .. })) {
        return Reason::Shift;
    }
    if qualified.iter().all(|&t| !fits_with_breaks(day, t, j)) {
        return Reason::Break;
    }
    Reason::Capacity
}

/// True when job `j` fits technician `t`'s empty day with every break taken before or after it.
fn fits_with_breaks(day: &Day, t: usize, j: usize) -> bool {
    let breaks = day.technicians[t].breaks.len();
    (0..=breaks).any(|before| {
        let items: Vec<Item> = (0..before)
            .map(Item::Break)
            .chain([Item::Job(j)])
            .chain((before..breaks).map(Item::Break))
            .collect();
        schedule(day, t, &items).broken.is_empty()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const H: Seconds = 3600;

    fn day() -> Day {
        // Places: 0 home, 1 and 2 customers (20 min from home, 10 min apart), 3 an island.
        let m = 20 * 60;
        let seconds = vec![
            Some(0),
            Some(m),
            Some(m),
            None,
            Some(m),
            Some(0),
            Some(600),
            None,
            Some(m),
            Some(600),
            Some(0),
            None,
            None,
            None,
            None,
            Some(0),
        ];
        Day {
            technicians: vec![Technician {
                id: "TECH-1".into(),
                start: 0,
                end: 0,
                shift: Window {
                    start: 8 * H,
                    end: 16 * H,
                },
                breaks: vec![Break {
                    window: Window {
                        start: 12 * H,
                        end: 13 * H,
                    },
                    duration: H / 2,
                }],
                skills: vec![Skill {
                    family: "fibre_install".into(),
                    level: 3,
                }],
            }],
            jobs: vec![
                job("J1", 1, 9 * H, 11 * H, 3),
                job("J2", 2, 13 * H, 15 * H, 4),
                job("J3", 3, 8 * H, 16 * H, 1),
            ],
            travel: Travel::new(4, seconds).unwrap(),
        }
    }

    fn job(id: &str, place: usize, start: Seconds, end: Seconds, level: u8) -> Job {
        Job {
            id: id.into(),
            place,
            duration: H,
            window: Window { start, end },
            skill: Some(Skill {
                family: "fibre_install".into(),
                level,
            }),
            priority: 1,
            pinned: None,
        }
    }

    #[test]
    fn a_route_is_timed_with_waiting_travel_and_its_break() {
        let day = day();
        let timed = schedule(&day, 0, &[Item::Job(0), Item::Break(0)]);
        assert_eq!(timed.broken, []);
        assert_eq!(timed.stops[0].arrival, 8 * H + 1200);
        assert_eq!(timed.stops[0].start, 9 * H);
        assert_eq!(timed.stops[1].start, 12 * H);
        assert_eq!(timed.end, 12 * H + H / 2 + 1200);
        assert_eq!(timed.travel, 2400);
        assert_eq!(timed.idle, (H - 1200) + 2 * H);
    }

    #[test]
    fn every_broken_rule_is_listed() {
        let mut day = day();
        day.technicians[0].shift.end = 13 * H;
        day.jobs[0].pinned = Some(Pinned {
            technician: 1,
            start: None,
        });
        let timed = schedule(&day, 0, &[Item::Job(1), Item::Job(0), Item::Job(2)]);
        let rules: Vec<&str> = timed
            .broken
            .iter()
            .map(|b| match b {
                Broken::Skill { .. } => "SKILL",
                Broken::TimeWindow { .. } => "TIME_WINDOW",
                Broken::Shift { .. } => "SHIFT",
                Broken::Break { .. } => "BREAK",
                Broken::Locked { .. } => "LOCKED",
                Broken::Unreachable { .. } => "UNREACHABLE",
            })
            .collect();
        assert_eq!(
            rules,
            [
                "SKILL",
                "LOCKED",
                "TIME_WINDOW",
                "UNREACHABLE",
                "SHIFT",
                "BREAK"
            ]
        );
    }

    #[test]
    fn reasons_name_the_first_cause() {
        let mut day = day();
        assert_eq!(reason(&day, 1), Reason::Skill);
        assert_eq!(reason(&day, 2), Reason::Unreachable);
        day.jobs[0].window = Window {
            start: 7 * H,
            end: 8 * H,
        };
        assert_eq!(reason(&day, 0), Reason::TimeWindow);
        day.jobs[0].window = Window {
            start: 15 * H,
            end: 16 * H,
        };
        assert_eq!(reason(&day, 0), Reason::Shift);
        day.jobs[0].window = Window {
            start: 11 * H + 1800,
            end: 11 * H + 1800,
        };
        day.jobs[0].duration = 2 * H;
        assert_eq!(reason(&day, 0), Reason::Break);
        day.jobs[0].duration = H / 2;
        assert_eq!(reason(&day, 0), Reason::Capacity);
        day.jobs[0].pinned = Some(Pinned {
            technician: 0,
            start: Some(7 * H),
        });
        assert_eq!(reason(&day, 0), Reason::Locked);
    }
}
