//! The dispatch optimiser's ground (docs/dispatch.md, increment 1): Solomon's VRPTW instances read
//! from their text format, the one integer matrix every solver is compared on (Euclidean distance
//! x 1000, rounded per leg; duration = distance), and the independent checker of a plan that the
//! optimiser's tests and benchmark trust instead of the optimiser's own account.

pub mod check;
pub mod solomon;

pub use check::{Checked, Violation, check};
pub use solomon::{Instance, Node, ParseError, parse};

/// The distance of a leg as the benchmark counts it: Euclidean x 1000, rounded.
pub fn leg(a: &Node, b: &Node) -> i64 {
    let (dx, dy) = ((a.x - b.x) as f64, (a.y - b.y) as f64);
    ((dx * dx + dy * dy).sqrt() * 1000.0).round() as i64
}
