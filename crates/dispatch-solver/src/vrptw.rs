//! A Solomon instance solved by the engine on the benchmark's matrix: distance = duration =
//! Euclidean x 1000 rounded per leg, times x 1000; the fleet is the instance's, and the goal is the
//! one every solver of the bench is compared on: serve everyone, then the least distance. The
//! engine's best plan is then polished by the local search (`polish`), whose moves it lacks.

use std::sync::Arc;

use serde::Serialize;
use vrp_core::models::common::TimeWindow;
use vrp_core::models::solution::Activity;
use vrp_core::prelude::*;
use vrp_core::rosomaxa::prelude::HeuristicSolution;

use crate::engine::{self, Budget, Polisher};
use crate::polish::{RouteCost, polish};
use crate::{Instance, leg};

/// The plan `dispatch solve` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SolomonPlan {
    /// Customer numbers in visit order, one list per vehicle used.
    pub routes: Vec<Vec<usize>>,
    /// Total distance on the benchmark's matrix.
    pub distance: i64,
    /// Customers left out.
    pub unassigned: Vec<usize>,
    /// True when the time limit ended the search before its generation budget.
    pub stopped_by_time_limit: bool,
    /// Generations the search ran.
    pub generations: usize,
}

/// Solves `instance` within `budget`.
pub fn solve(instance: &Instance, budget: Budget) -> GenericResult<SolomonPlan> {
    let problem = Arc::new(problem(instance)?);
    let matrix = Arc::new(Matrix::new(instance));
    let polisher: Polisher = {
        let matrix = matrix.clone();
        Arc::new(move |child| educated(&matrix, child))
    };
    let outcome = engine::run(problem, budget, Some(polisher))?;
    let routes: Vec<Vec<usize>> = outcome
        .solution
        .get_locations()
        .map(|stops| stops.filter(|&l| l != 0).collect::<Vec<_>>())
        .filter(|r| !r.is_empty())
        .collect();
    let routes = polished(&matrix, routes);
    let mut unassigned: Vec<usize> = (1..instance.nodes.len())
        .filter(|c| !routes.iter().any(|r| r.contains(c)))
        .collect();
    unassigned.sort_unstable();
    Ok(SolomonPlan {
        distance: distance(instance, &routes),
        routes,
        unassigned,
        stopped_by_time_limit: outcome.stopped_by_time_limit,
        generations: outcome.generations,
    })
}

/// `routes` after the local search, on the instance's whole fleet (empty routes dropped again).
fn polished(matrix: &Matrix, mut routes: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    routes.resize(matrix.instance.vehicles.max(routes.len()), Vec::new());
    polish(matrix, &mut routes);
    routes.retain(|r| !r.is_empty());
    routes
}

/// `child` polished: its routes read as customer numbers (a job's location is its number), the
/// local search run on them over the whole fleet, and the tours rebuilt in the new order.
fn educated(matrix: &Matrix, child: &InsertionContext) -> Option<InsertionContext> {
    let customers = |route: &RouteContext| -> Vec<usize> {
        route
            .route()
            .tour
            .all_activities()
            .filter(|a| a.job.is_some())
            .map(|a| a.place.location)
            .collect()
    };
    let mut routes: Vec<Vec<usize>> = child.solution.routes.iter().map(customers).collect();
    let before = distance(&matrix.instance, &routes);
    routes.resize(matrix.instance.vehicles.max(routes.len()), Vec::new());
    let after = polish(matrix, &mut routes);
    if after >= before {
        return None;
    }
    let mut ctx = child.deep_copy();
    let mut activities: Vec<Option<Activity>> = Vec::new();
    activities.resize_with(matrix.instance.nodes.len(), || None);
    for route in &mut ctx.solution.routes {
        let tour = &mut route.route_mut().tour;
        while tour.job_activity_count() > 0 {
            let activity = tour.get(1)?.deep_copy();
            tour.remove_activity_at(1);
            let location = activity.place.location;
            activities[location] = Some(activity);
        }
    }
    let mut slots = 0..ctx.solution.routes.len();
    for stops in routes.into_iter().filter(|r| !r.is_empty()) {
        let index = match slots.next() {
            Some(index) => index,
            None => {
                let registry = &mut ctx.solution.registry;
                let actor = registry.next_route().next()?.route().actor.clone();
                let fresh = registry.get_route(&actor)?;
                ctx.solution.routes.push(fresh);
                ctx.solution.routes.len() - 1
            }
        };
        let tour = &mut ctx.solution.routes[index].route_mut().tour;
        for (k, c) in stops.into_iter().enumerate() {
            tour.insert_at(activities[c].take()?, k + 1);
        }
    }
    ctx.restore();
    Some(ctx)
}

/// The instance's matrix and rules, for the local search.
struct Matrix {
    instance: Instance,
    legs: Vec<i64>,
}

impl Matrix {
    fn new(instance: &Instance) -> Self {
        let legs = instance
            .nodes
            .iter()
            .flat_map(|a| instance.nodes.iter().map(move |b| leg(a, b)))
            .collect();
        Self {
            instance: instance.clone(),
            legs,
        }
    }
}

impl RouteCost for Matrix {
    fn cost(&self, _: usize, stops: &[usize]) -> Option<i64> {
        let nodes = &self.instance.nodes;
        let n = nodes.len();
        let load: i64 = stops.iter().map(|&c| nodes[c].demand).sum();
        if load > self.instance.capacity {
            return None;
        }
        let (mut at, mut now, mut distance) = (0, nodes[0].ready * 1000, 0);
        for &c in stops {
            let leg = self.legs[at * n + c];
            distance += leg;
            now = (now + leg).max(nodes[c].ready * 1000);
            if now > nodes[c].due * 1000 {
                return None;
            }
            now += nodes[c].service * 1000;
            at = c;
        }
        let back = if stops.is_empty() {
            0
        } else {
            self.legs[at * n]
        };
        (now + back <= nodes[0].due * 1000).then_some(distance + back)
    }
}

/// The total distance of `routes`, each from and back to the depot.
pub fn distance(instance: &Instance, routes: &[Vec<usize>]) -> i64 {
    let depot = &instance.nodes[0];
    routes
        .iter()
        .map(|route| {
            let mut at = depot;
            let mut total = 0;
            for &c in route {
                let next = &instance.nodes[c];
                total += leg(at, next);
                at = next;
            }
            total + leg(at, depot)
        })
        .sum()
}

const SCALE: f64 = 1000.;

fn problem(instance: &Instance) -> GenericResult<Problem> {
    let n = instance.nodes.len();
    let matrix: Vec<Float> = instance
        .nodes
        .iter()
        .flat_map(|a| instance.nodes.iter().map(move |b| leg(a, b) as Float))
        .collect();
    debug_assert_eq!(matrix.len(), n * n);
    let transport: Arc<dyn TransportCost> =
        Arc::new(SimpleTransportCost::new(matrix.clone(), matrix)?);
    let jobs = instance
        .customers()
        .iter()
        .map(|c| {
            SingleBuilder::default()
                .id(&c.id.to_string())
                .demand(Demand::delivery(load(c.demand)?))
                .location(c.id)?
                .duration(c.service as Float * SCALE)?
                .times(vec![TimeWindow::new(
                    c.ready as Float * SCALE,
                    c.due as Float * SCALE,
                )])?
                .build_as_job()
        })
        .collect::<GenericResult<Vec<_>>>()?;
    let depot = &instance.nodes[0];
    let vehicles = (0..instance.vehicles)
        .map(|i| {
            VehicleBuilder::default()
                .id(&format!("v{i}"))
                .add_detail(
                    VehicleDetailBuilder::default()
                        .set_start_location(0)
                        .set_start_time(depot.ready as Float * SCALE)
                        .set_end_location(0)
                        .set_end_time(depot.due as Float * SCALE)
                        .build()?,
                )
                .capacity(SingleDimLoad::new(load(instance.capacity)?))
                .build()
        })
        .collect::<GenericResult<Vec<_>>>()?;
    let goal = GoalContextBuilder::with_features(&[
        MinimizeUnassignedBuilder::new("min-unassigned").build()?,
        TransportFeatureBuilder::new("min-distance")
            .set_transport_cost(transport.clone())
            .set_time_constrained(true)
            .build_minimize_distance()?,
        CapacityFeatureBuilder::<SingleDimLoad>::new("capacity").build()?,
    ])?
    .build()?;
    ProblemBuilder::default()
        .add_jobs(jobs.into_iter())
        .add_vehicles(vehicles.into_iter())
        .with_goal(goal)
        .with_transport_cost(transport)
        .with_logger(Arc::new(|_: &str| {}))
        .build()
}

fn load(value: i64) -> GenericResult<i32> {
    i32::try_from(value).map_err(|_| GenericError::from(format!("load {value} out of range")))
}
