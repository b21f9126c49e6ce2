//! The dispatch optimiser (docs/dispatch.md, increment 1): a dispatch day, its rules and the
//! reasons a job is left out (`day`), planned by vrp-core (`plan`, `engine`), straight-line travel
//! times (`travel`), a generated day around Montréal (`synthetic`); and Solomon's VRPTW instances
//! (`solomon`, `vrptw`) on the one integer matrix every solver is compared on (Euclidean distance
//! x 1000, rounded per leg; duration = distance), with the independent checker of such a plan
//! (`check`) that the tests and the benchmark trust instead of the optimiser's own account.

pub mod check;
pub mod day;
pub mod engine;
pub mod plan;
pub mod polish;
mod rng;
pub mod solomon;
pub mod synthetic;
pub mod travel;
pub mod vrptw;

pub use check::{Checked, Violation, check};
pub use engine::Budget;
pub use solomon::{Instance, Node, ParseError, parse};

/// The distance of a leg as the benchmark counts it: Euclidean x 1000, rounded.
pub fn leg(a: &Node, b: &Node) -> i64 {
    let (dx, dy) = ((a.x - b.x) as f64, (a.y - b.y) as f64);
    ((dx * dx + dy * dy).sqrt() * 1000.0).round() as i64
}
