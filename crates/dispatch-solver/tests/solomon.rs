//! The 56 Solomon instances of `../shared/data/solomon/` are read, and the simplest plan — each
//! customer alone in a route — is judged: it serves everyone within its window (those instances are
//! built so a vehicle can reach any customer in time) and needs 100 vehicles, more than the fleet.
#![allow(clippy::unwrap_used)]

use dispatch_solver::{Violation, check, parse};

fn instances() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/solomon");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn all_56_instances_are_read_and_one_route_per_customer_is_timely_but_too_many() {
    let all = instances();
    assert_eq!(all.len(), 56);
    for (path, text) in all {
        let instance = parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(instance.customers().len(), 100, "{path}");
        let alone: Vec<Vec<usize>> = instance.customers().iter().map(|c| vec![c.id]).collect();
        let violations = check(&instance, &alone, &[]).unwrap_err();
        assert_eq!(violations, [Violation::TooManyRoutes(100)], "{path}");
    }
}
