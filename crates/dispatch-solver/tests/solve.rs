//! The optimiser on Solomon instances, judged by the independent checker, and `dispatch solve` as
//! the operator runs it. Bad input tried: a missing file, a malformed row (its line is named), a
//! zero, negative or non-numeric budget, an unknown option.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use dispatch_solver::{Budget, check, parse, vrptw};

fn path(name: &str) -> String {
    format!(
        "{}/../../../shared/data/solomon/{name}.txt",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn instance(name: &str) -> dispatch_solver::Instance {
    parse(&std::fs::read_to_string(path(name)).unwrap()).unwrap()
}

#[test]
fn a_short_search_serves_everyone_within_windows_capacity_and_fleet() {
    for name in ["C101", "R201", "RC105"] {
        let instance = instance(name);
        let budget = Budget {
            seconds: 30.0,
            generations: Some(40),
            seed: 3,
        };
        let plan = vrptw::solve(&instance, budget).unwrap();
        assert!(plan.unassigned.is_empty(), "{name}: {:?}", plan.unassigned);
        let checked = check(&instance, &plan.routes, &plan.unassigned)
            .unwrap_or_else(|v| panic!("{name}: {v:?}"));
        assert_eq!(checked.distance, plan.distance, "{name}");
        assert_eq!(plan.generations, 40, "{name}");
        assert!(!plan.stopped_by_time_limit, "{name}");
    }
}

#[test]
fn a_search_cut_by_its_time_limit_says_so_and_still_answers_a_valid_plan() {
    let instance = instance("R101");
    let budget = Budget {
        seconds: 0.5,
        generations: Some(1_000_000),
        seed: 1,
    };
    let plan = vrptw::solve(&instance, budget).unwrap();
    assert!(plan.stopped_by_time_limit);
    assert!(plan.generations < 1_000_000);
    check(&instance, &plan.routes, &plan.unassigned).unwrap();
}

fn dispatch(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dispatch"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn dispatch_solve_prints_a_plan_the_checker_accepts() {
    let out = dispatch(&["solve", &path("C201"), "--seconds", "1", "--seed", "5"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let routes: Vec<Vec<usize>> = serde_json::from_value(plan["routes"].clone()).unwrap();
    let unassigned: Vec<usize> = serde_json::from_value(plan["unassigned"].clone()).unwrap();
    let checked = check(&instance("C201"), &routes, &unassigned).unwrap();
    assert_eq!(plan["distance"], checked.distance);
    assert!(unassigned.is_empty());
}

#[test]
fn dispatch_solve_refuses_bad_input_with_a_clear_message() {
    let dir = std::env::temp_dir().join(format!("dispatch-solve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.txt");
    let mut text = std::fs::read_to_string(path("C101")).unwrap();
    text = text.replacen("        45        68", "        4x5        68", 1);
    std::fs::write(&bad, text).unwrap();

    let cases: [(&[&str], &str); 6] = [
        (&["solve", "/nonexistent/C999.txt"], "cannot read"),
        (&["solve", bad.to_str().unwrap()], "line 11"),
        (
            &["solve", &path("C101"), "--seconds", "0"],
            "not a positive",
        ),
        (
            &["solve", &path("C101"), "--seconds", "-3"],
            "not a positive",
        ),
        (
            &["solve", &path("C101"), "--seconds", "ten"],
            "not a positive",
        ),
        (&["solve", &path("C101"), "--fast"], "--fast"),
    ];
    for (args, expected) in cases {
        let out = dispatch(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
