//! The independent checker of a VRPTW plan: every customer served once, no vehicle over its
//! capacity, every service started within its window (a vehicle arriving early waits), every
//! vehicle back at the depot before it closes, no more vehicles than the fleet; and the plan's
//! distance on the shared matrix. It trusts nothing the solver says about its own plan.

use crate::{Instance, leg};

/// What is wrong with a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// A customer no route visits.
    Unserved(usize),
    /// A customer visited more than once.
    ServedTwice(usize),
    /// A number that is no customer of the instance (the depot included).
    UnknownCustomer(usize),
    /// A route carrying more than the capacity.
    OverCapacity { route: usize, load: i64 },
    /// A service started after its due date.
    Late {
        route: usize,
        customer: usize,
        start: i64,
    },
    /// A vehicle back after the depot closes.
    BackLate { route: usize, at: i64 },
    /// More routes than vehicles.
    TooManyRoutes(usize),
}

/// A plan that passed, with its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Total distance (the matrix's units: x 1000).
    pub distance: i64,
    /// Routes that serve someone.
    pub vehicles: usize,
}

/// Checks `routes` (customer numbers in visit order, the depot implied at both ends) against
/// `instance`; `unassigned` customers are allowed to be left out (a plan may say it could not
/// place them), all others must be served.
pub fn check(
    instance: &Instance,
    routes: &[Vec<usize>],
    unassigned: &[usize],
) -> Result<Checked, Vec<Violation>> {
    let mut violations = Vec::new();
    let mut seen = vec![0u32; instance.nodes.len()];
    let mut distance = 0;
    for (r, route) in routes.iter().enumerate() {
        distance += walk(instance, r, route, &mut seen, &mut violations);
    }
    for customer in instance.customers() {
        match seen[customer.id] {
            0 if !unassigned.contains(&customer.id) => {
                violations.push(Violation::Unserved(customer.id))
            }
            0 | 1 => {}
            _ => violations.push(Violation::ServedTwice(customer.id)),
        }
    }
    let vehicles = routes.iter().filter(|r| !r.is_empty()).count();
    if vehicles > instance.vehicles {
        violations.push(Violation::TooManyRoutes(vehicles));
    }
    match violations.is_empty() {
        true => Ok(Checked { distance, vehicles }),
        false => Err(violations),
    }
}

/// Drives one route from the depot and back; returns its distance.
fn walk(
    instance: &Instance,
    r: usize,
    route: &[usize],
    seen: &mut [u32],
    violations: &mut Vec<Violation>,
) -> i64 {
    let depot = &instance.nodes[0];
    let (mut at, mut clock, mut load, mut distance) = (depot, 0i64, 0i64, 0i64);
    for &id in route {
        let Some(next) = instance.node(id).filter(|n| n.id != 0) else {
            violations.push(Violation::UnknownCustomer(id));
            continue;
        };
        seen[id] += 1;
        let travel = leg(at, next);
        distance += travel;
        let start = (clock + travel).max(next.ready * 1000);
        if start > next.due * 1000 {
            violations.push(Violation::Late {
                route: r,
                customer: id,
                start,
            });
        }
        clock = start + next.service * 1000;
        load += next.demand;
        at = next;
    }
    let back = leg(at, depot);
    distance += back;
    if !route.is_empty() && clock + back > depot.due * 1000 {
        violations.push(Violation::BackLate {
            route: r,
            at: clock + back,
        });
    }
    if load > instance.capacity {
        violations.push(Violation::OverCapacity { route: r, load });
    }
    distance
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Depot at the origin, customers at 5 (window 0-15), 10 (10-30) and 5 (0-50) away.
    const TINY: &str = "TINY\nVEHICLE\nNUMBER CAPACITY\n2 10\nCUSTOMER\nCUST NO. X Y DEMAND READY DUE SERVICE\n\
0 0 0 0 0 100 0\n1 3 4 5 0 15 2\n2 6 8 5 10 30 2\n3 0 5 6 0 50 1\n";

    fn tiny() -> Instance {
        crate::parse(TINY).unwrap()
    }

    #[test]
    fn a_feasible_plan_passes_with_its_distance() {
        let checked = check(&tiny(), &[vec![1, 2], vec![3]], &[]).unwrap();
        // 0→1 5, 1→2 5, 2→0 10; 0→3 5, 3→0 5: 30 units, x 1000.
        assert_eq!(
            checked,
            Checked {
                distance: 30_000,
                vehicles: 2
            }
        );
    }

    #[test]
    fn every_broken_rule_is_named() {
        let instance = tiny();
        let v = check(&instance, &[vec![1, 2, 3]], &[]).unwrap_err();
        assert!(
            v.contains(&Violation::OverCapacity { route: 0, load: 16 }),
            "{v:?}"
        );
        let v = check(&instance, &[vec![2, 1], vec![3]], &[]).unwrap_err();
        assert!(matches!(v[0], Violation::Late { customer: 1, .. }), "{v:?}");
        let v = check(&instance, &[vec![1], vec![1, 2]], &[]).unwrap_err();
        assert!(v.contains(&Violation::ServedTwice(1)) && v.contains(&Violation::Unserved(3)));
        let v = check(&instance, &[vec![1], vec![2], vec![3]], &[]).unwrap_err();
        assert_eq!(v, [Violation::TooManyRoutes(3)]);
        let v = check(&instance, &[vec![0, 9]], &[1, 2, 3]).unwrap_err();
        assert_eq!(
            v,
            [Violation::UnknownCustomer(0), Violation::UnknownCustomer(9)]
        );
    }

    #[test]
    fn customers_left_unassigned_by_the_plan_are_allowed() {
        let checked = check(&tiny(), &[vec![1, 2]], &[3]).unwrap();
        assert_eq!(checked.vehicles, 1);
    }
}
