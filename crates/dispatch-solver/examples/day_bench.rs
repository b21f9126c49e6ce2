//! `make bench` (mode dispatch): a generated 46-technician, 300-job day planned within a 4 s search
//! budget; the whole call (problem built, searched, re-timed, reasons found) must stay under 5 s.
//! Prints `PASS|FAIL|INFO <target> <value>` lines, and the same day searched for 30 s as a yardstick.
use std::time::Instant;

use dispatch_solver::Budget;
use dispatch_solver::plan::plan;
use dispatch_solver::synthetic;

fn main() {
    let day = synthetic::day(46, 300, 2026);
    let run = |seconds: f64| {
        let started = Instant::now();
        let budget = Budget {
            seconds,
            generations: None,
            seed: 1,
        };
        let plan = plan(&day, budget).expect("a plan");
        (started.elapsed().as_secs_f64(), plan)
    };
    let (elapsed, quick) = run(4.0);
    let (_, long) = run(30.0);
    let verdict = if elapsed < 5.0 { "PASS" } else { "FAIL" };
    println!("{verdict} 46-technician 300-job day planned (< 5 s) {elapsed:.2}s");
    println!(
        "INFO 4 s plan: placed, left out, travel hours {}/{}/{:.1}",
        300 - quick.unassigned.len(),
        quick.unassigned.len(),
        quick.travel as f64 / 3600.
    );
    let mut reasons = std::collections::BTreeMap::new();
    for left in &quick.unassigned {
        *reasons.entry(format!("{:?}", left.reason)).or_insert(0) += 1;
    }
    let reasons: Vec<String> = reasons.iter().map(|(r, n)| format!("{r}:{n}")).collect();
    println!(
        "INFO 4 s plan: reasons of those left out {}",
        reasons.join(",")
    );
    println!(
        "INFO 30 s plan: placed, left out, travel hours {}/{}/{:.1}",
        300 - long.unassigned.len(),
        long.unassigned.len(),
        long.travel as f64 / 3600.
    );
}
