//! The local search run on the engine's best plan before it is answered: the moves vrp-core's own
//! search lacks or only samples — 2-opt* (two routes swap their tails), relocating one to three
//! consecutive stops (or-opt), swapping two stops, reversing a stretch of a route — each tried
//! exhaustively and taken when it lowers the cost, until none does. A route's cost and feasibility
//! come from the model (`cost` is `None` for a route it refuses), so the rules stay in one place.

/// A route's cost under the model's rules, `None` when they refuse it. Route `r` is vehicle `r`'s:
/// `cost(r, stops)`, so that vehicles may differ.
pub trait RouteCost {
    /// The cost of vehicle `r` serving `stops` in that order (an empty route costs nothing).
    fn cost(&self, r: usize, stops: &[usize]) -> Option<i64>;
}

/// Improves `routes` (one per vehicle, some maybe empty) in place until no move lowers the total
/// cost; every route stays feasible. Returns the total cost.
pub fn polish(model: &impl RouteCost, routes: &mut [Vec<usize>]) -> i64 {
    let mut costs: Vec<i64> = routes
        .iter()
        .enumerate()
        .map(|(r, stops)| model.cost(r, stops).unwrap_or(i64::MAX / 4))
        .collect();
    while two_opt_star(model, routes, &mut costs)
        || relocate(model, routes, &mut costs)
        || swap(model, routes, &mut costs)
        || reverse(model, routes, &mut costs)
    {}
    costs.iter().sum()
}

/// Takes `a` and `b` as routes `ra` and `rb` when together they cost less than now.
fn take(
    model: &impl RouteCost,
    routes: &mut [Vec<usize>],
    costs: &mut [i64],
    (ra, a): (usize, Vec<usize>),
    (rb, b): (usize, Vec<usize>),
) -> bool {
    let before = if ra == rb {
        costs[ra]
    } else {
        costs[ra] + costs[rb]
    };
    let Some(ca) = model.cost(ra, &a) else {
        return false;
    };
    if ra == rb {
        if ca < before {
            routes[ra] = a;
            costs[ra] = ca;
            return true;
        }
        return false;
    }
    if ca >= before {
        return false;
    }
    match model.cost(rb, &b) {
        Some(cb) if ca + cb < before => {
            routes[ra] = a;
            routes[rb] = b;
            costs[ra] = ca;
            costs[rb] = cb;
            true
        }
        _ => false,
    }
}

fn pairs(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).flat_map(move |a| (0..n).filter(move |&b| b != a).map(move |b| (a, b)))
}

fn two_opt_star(model: &impl RouteCost, routes: &mut [Vec<usize>], costs: &mut [i64]) -> bool {
    for (ra, rb) in pairs(routes.len()).filter(|&(a, b)| a < b) {
        for i in 0..=routes[ra].len() {
            for j in 0..=routes[rb].len() {
                let a: Vec<usize> = routes[ra][..i]
                    .iter()
                    .chain(&routes[rb][j..])
                    .copied()
                    .collect();
                let b: Vec<usize> = routes[rb][..j]
                    .iter()
                    .chain(&routes[ra][i..])
                    .copied()
                    .collect();
                if take(model, routes, costs, (ra, a), (rb, b)) {
                    return true;
                }
            }
        }
    }
    false
}

fn relocate(model: &impl RouteCost, routes: &mut [Vec<usize>], costs: &mut [i64]) -> bool {
    for len in 1..=3 {
        for ra in 0..routes.len() {
            for i in 0..routes[ra].len().saturating_sub(len - 1) {
                let segment: Vec<usize> = routes[ra][i..i + len].to_vec();
                let mut rest = routes[ra].clone();
                rest.drain(i..i + len);
                for rb in 0..routes.len() {
                    let target = if rb == ra {
                        rest.clone()
                    } else {
                        routes[rb].clone()
                    };
                    for j in 0..=target.len() {
                        if rb == ra && j == i {
                            continue;
                        }
                        let mut b = target.clone();
                        b.splice(j..j, segment.iter().copied());
                        let moved = if rb == ra {
                            take(model, routes, costs, (ra, b), (ra, Vec::new()))
                        } else {
                            take(model, routes, costs, (rb, b), (ra, rest.clone()))
                        };
                        if moved {
                            return true;
                        }
                    }
                }
            }
        }
    }
    false
}

fn swap(model: &impl RouteCost, routes: &mut [Vec<usize>], costs: &mut [i64]) -> bool {
    for (ra, rb) in pairs(routes.len()).filter(|&(a, b)| a < b) {
        for i in 0..routes[ra].len() {
            for j in 0..routes[rb].len() {
                let (mut a, mut b) = (routes[ra].clone(), routes[rb].clone());
                std::mem::swap(&mut a[i], &mut b[j]);
                if take(model, routes, costs, (ra, a), (rb, b)) {
                    return true;
                }
            }
        }
    }
    false
}

fn reverse(model: &impl RouteCost, routes: &mut [Vec<usize>], costs: &mut [i64]) -> bool {
    for r in 0..routes.len() {
        let n = routes[r].len();
        for i in 0..n {
            for j in i + 2..=n {
                let mut a = routes[r].clone();
                a[i..j].reverse();
                if take(model, routes, costs, (r, a), (r, Vec::new())) {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points on a line, two vehicles, a route may hold three stops: the cost is the distance
    /// from 0 and back.
    struct Line;

    impl RouteCost for Line {
        fn cost(&self, _: usize, stops: &[usize]) -> Option<i64> {
            if stops.len() > 3 {
                return None;
            }
            let mut at = 0i64;
            let mut total = 0;
            for &s in stops {
                total += (s as i64 - at).abs();
                at = s as i64;
            }
            Some(total + at.abs())
        }
    }

    #[test]
    fn crossed_routes_are_untangled_without_breaking_the_rules() {
        let mut routes = vec![vec![1, 5, 2], vec![6, 3, 4]];
        let total = polish(&Line, &mut routes);
        assert_eq!(total, 2 * 3 + 2 * 6);
        for r in &routes {
            assert!(r.len() <= 3);
        }
        let mut all: Vec<usize> = routes.concat();
        all.sort_unstable();
        assert_eq!(all, [1, 2, 3, 4, 5, 6]);
    }
}
