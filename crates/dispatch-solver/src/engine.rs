//! vrp-core behind one function: a problem in, the best solution within a budget out. Its stock
//! configuration (the dynamic hyper-heuristic over ruin-and-recreate and local search, the rosomaxa
//! population sized to the cores) with a seeded random source, our time and generation limits, and
//! optionally our own local search run on a share of its offspring (`Polisher`): with it, vrp-core
//! goes from 4.5 % above PyVRP on Solomon's instances to about 1 % (docs/dispatch.md).
//!
//! Not bit-repeatable: vrp-core's operators are rewarded by their run time and iterate hash sets
//! keyed by addresses, so the same seed and budget can end on different plans of close cost; the
//! service keeps each plan it proposes by its input, seed and budget instead (docs/dispatch.md).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use vrp_core::prelude::*;
use vrp_core::rosomaxa::evolution::TelemetryMode;
use vrp_core::rosomaxa::hyper::HyperHeuristic;
use vrp_core::rosomaxa::utils::{Quota, RandomGen, TimeQuota};
use vrp_core::solver::{RefinementContext, TargetHeuristic, get_default_heuristic};

use crate::rng::SplitMix;

/// The share of offspring polished: measured on R105, RC105, RC202, R211 at 10 s, 0.15 did better
/// than 0.05 (too few local optima) and 0.3 (too few generations).
const EDUCATION_RATE: Float = 0.15;

/// A local search applied to some of the engine's offspring (`None`: nothing better found).
pub type Polisher = Arc<dyn Fn(&InsertionContext) -> Option<InsertionContext> + Send + Sync>;

/// How long to search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Wall-clock limit, seconds.
    pub seconds: f64,
    /// Generation limit (`None`: the time limit alone).
    pub generations: Option<usize>,
    /// Seed of the search.
    pub seed: u64,
}

/// What the search ended with, before it is read back into the caller's terms.
pub struct Outcome {
    /// The best solution found.
    pub solution: Solution,
    /// True when the time limit ended the search before its generation budget.
    pub stopped_by_time_limit: bool,
    /// Generations run.
    pub generations: usize,
}

/// Searches `problem` within `budget` on a thread pool made for this run, so that vrp-core's
/// thread-local random state starts afresh and no other work interleaves with it.
pub fn run(
    problem: Arc<Problem>,
    budget: Budget,
    polisher: Option<Polisher>,
) -> GenericResult<Outcome> {
    let pool = rayon::ThreadPoolBuilder::new()
        .build()
        .map_err(|e| GenericError::from(e.to_string()))?;
    pool.install(|| search(problem, budget, polisher))
}

fn search(
    problem: Arc<Problem>,
    budget: Budget,
    polisher: Option<Polisher>,
) -> GenericResult<Outcome> {
    let started = Instant::now();
    let quota: Arc<dyn Quota> = Arc::new(TimeQuota::new(budget.seconds));
    let environment = Arc::new(Environment {
        random: Arc::new(SeededRandom::new(budget.seed)),
        quota: Some(quota),
        logger: Arc::new(|_: &str| {}),
        ..Environment::default()
    });
    let mut builder = VrpConfigBuilder::new(problem.clone());
    if let Some(polish) = polisher {
        builder = builder.set_heuristic(Box::new(Educating {
            inner: get_default_heuristic(problem.clone(), environment.clone()),
            polish,
            random: environment.random.clone(),
        }));
    }
    let config = builder
        .set_environment(environment)
        .set_telemetry_mode(TelemetryMode::OnlyMetrics {
            track_population: usize::MAX,
        })
        .prebuild()?
        .with_max_generations(budget.generations)
        .with_max_time(Some(budget.seconds.ceil() as usize))
        .build()?;
    let solution = Solver::new(problem, config).solve()?;
    let generations = solution.telemetry.as_ref().map_or(0, |t| t.generations);
    let limit = budget.generations.unwrap_or(usize::MAX);
    Ok(Outcome {
        stopped_by_time_limit: generations < limit
            && started.elapsed().as_secs_f64() >= budget.seconds,
        generations,
        solution,
    })
}

/// vrp-core's hyper-heuristic with a share of its offspring polished before they join the
/// population (HGS's "education"), so that the search goes on from local optima of the moves it
/// lacks.
struct Educating {
    inner: TargetHeuristic,
    polish: Polisher,
    random: Arc<dyn Random>,
}

impl Educating {
    fn educate(&self, offspring: Vec<InsertionContext>) -> Vec<InsertionContext> {
        offspring
            .into_iter()
            .map(|child| match self.random.is_hit(EDUCATION_RATE) {
                true => (self.polish)(&child).unwrap_or(child),
                false => child,
            })
            .collect()
    }
}

impl HyperHeuristic for Educating {
    type Context = RefinementContext;
    type Objective = GoalContext;
    type Solution = InsertionContext;

    fn search(
        &mut self,
        ctx: &RefinementContext,
        solution: &InsertionContext,
    ) -> Vec<InsertionContext> {
        let offspring = self.inner.search(ctx, solution);
        self.educate(offspring)
    }

    fn search_many(
        &mut self,
        ctx: &RefinementContext,
        solutions: Vec<&InsertionContext>,
    ) -> Vec<InsertionContext> {
        let offspring = self.inner.search_many(ctx, solutions);
        self.educate(offspring)
    }

    fn diversify(
        &self,
        ctx: &RefinementContext,
        solution: &InsertionContext,
    ) -> Vec<InsertionContext> {
        self.inner.diversify(ctx, solution)
    }

    fn diversify_many(
        &self,
        ctx: &RefinementContext,
        solutions: Vec<&InsertionContext>,
    ) -> Vec<InsertionContext> {
        self.inner.diversify_many(ctx, solutions)
    }
}

impl std::fmt::Display for Educating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "educating {}", self.inner)
    }
}

/// A seeded random source: the same seed, the same draws. Distributions drawn through `get_rng`
/// use vrp-core's repeatable thread-local generator, fresh in each run's own thread.
struct SeededRandom(Mutex<SplitMix>);

impl SeededRandom {
    fn new(seed: u64) -> Self {
        Self(Mutex::new(SplitMix(seed)))
    }

    fn next(&self) -> u64 {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).next()
    }

    fn unit(&self) -> f64 {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).unit()
    }
}

impl Random for SeededRandom {
    fn uniform_int(&self, min: i32, max: i32) -> i32 {
        if min >= max {
            return min;
        }
        let span = (i64::from(max) - i64::from(min) + 1) as u64;
        (i64::from(min) + (self.next() % span) as i64) as i32
    }

    fn uniform_real(&self, min: Float, max: Float) -> Float {
        if (max - min).abs() < Float::EPSILON {
            return min;
        }
        min + self.unit() * (max - min)
    }

    fn is_head_not_tails(&self) -> bool {
        self.next() & 1 == 1
    }

    fn is_hit(&self, probability: Float) -> bool {
        self.unit() < probability.clamp(0., 1.)
    }

    fn weighted(&self, weights: &[usize]) -> usize {
        weights
            .iter()
            .enumerate()
            .map(|(index, &weight)| (-(1. - self.unit()).ln() / weight.max(1) as Float, index))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map_or(0, |(_, index)| index)
    }

    fn get_rng(&self) -> RandomGen {
        RandomGen::new_repeatable()
    }
}
