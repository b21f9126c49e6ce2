//! `deploy/prometheus`: the alert rules pass promtool's checks and their unit tests, every alert is
//! tested firing and quiet, names only metrics of docs/metrics.md, and has its runbook entry.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;
use serde_json::Value;

use crate::{read, root, yaml};

/// promtool, from Debian's prometheus package (`scripts/ensure-services.sh` installs it).
const PROMTOOL: &str = "/usr/bin/promtool";
/// The rule file; deploy/k8s/monitoring/prometheusrule.yaml is generated from it.
pub(crate) const RULES: &str = "deploy/prometheus/rules/gigafibre.rules.yml";
const TESTS: &str = "deploy/prometheus/tests";
const SCRAPE_CONFIG: &str = "deploy/prometheus/prometheus.yml";
const RUNBOOKS: &str = "docs/runbooks.md";
/// Runbook sections that are not an alert's entry.
const RUNBOOK_INTRODUCTION: [&str; 1] = ["Where to run the commands"];
/// Labels an annotation may show: none of them can carry personal data.
const LABELS_IN_ANNOTATIONS: [&str; 5] = ["channel", "service", "consumer", "job", "instance"];

/// Runs promtool in the repository's root; its output, or a panic with it when it fails.
pub(crate) fn promtool(args: &[&str]) -> String {
    assert!(
        Path::new(PROMTOOL).is_file(),
        "promtool is missing ({PROMTOOL}): run scripts/ensure-services.sh"
    );
    let run = Command::new(PROMTOOL)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("running {PROMTOOL}: {e}"));
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        run.status.success(),
        "promtool {} failed:\n{output}",
        args.join(" ")
    );
    output
}

/// The promtool unit-test files, `deploy/prometheus/tests/*.test.yml`.
fn test_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(TESTS))
        .unwrap()
        .map(|e| Path::new(TESTS).join(e.unwrap().file_name()))
        .filter(|p| p.to_str().unwrap().ends_with(".test.yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no promtool test in {TESTS}");
    files
}

/// Every alerting rule of the rule file (an alert with two severities is two rules).
pub(crate) fn alert_rules() -> Vec<Value> {
    let rules: Vec<Value> = yaml(RULES)["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap().clone())
        .collect();
    assert!(
        rules.iter().all(|r| r["alert"].is_string()),
        "{RULES}: only alerts"
    );
    rules
}

/// The jobs the rules expect, from their `up{job=~"…"}` selectors.
pub(crate) fn expected_jobs() -> BTreeSet<String> {
    let selector = Regex::new(r#"up\{job=~"([^"]+)"\}"#).unwrap();
    let jobs: BTreeSet<String> = alert_rules()
        .iter()
        .flat_map(|r| {
            let expr = r["expr"].as_str().unwrap().to_owned();
            selector
                .captures_iter(&expr)
                .flat_map(|c| c[1].split('|').map(str::to_owned).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!jobs.is_empty(), "{RULES}: no up{{job=~…}} selector");
    jobs
}

#[test]
fn the_rules_pass_promtool_check_and_their_unit_tests() {
    let checked = promtool(&["check", "rules", RULES]);
    assert!(
        checked.contains(&format!("{} rules found", alert_rules().len())),
        "{checked}"
    );
    let files = test_files();
    let mut args = vec!["test", "rules"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let tested = promtool(&args);
    assert_eq!(
        tested.matches("SUCCESS").count(),
        files.len(),
        "every test file passes:\n{tested}"
    );
    promtool(&["check", "config", SCRAPE_CONFIG]);
}

/// promtool passes a test whose `alertname` matches no rule (nothing fires, as `exp_alerts: []`
/// expects), so each test's alert is checked to exist, and each alert and severity to fire in one.
#[test]
fn every_alert_is_unit_tested_firing_and_quiet() {
    let mut fired = BTreeSet::new();
    let mut quiet = BTreeSet::new();
    for file in test_files() {
        let doc = yaml(&file);
        let loaded: Vec<PathBuf> = doc["rule_files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| file.parent().unwrap().join(f.as_str().unwrap()))
            .collect();
        let rules = root().join(RULES).canonicalize().unwrap();
        assert!(
            loaded
                .iter()
                .any(|f| root().join(f).canonicalize().ok() == Some(rules.clone())),
            "{}: does not load {RULES}",
            file.display()
        );
        for test in doc["tests"].as_array().unwrap() {
            for case in test["alert_rule_test"].as_array().into_iter().flatten() {
                let name = case["alertname"].as_str().unwrap().to_owned();
                let expected = case["exp_alerts"].as_array().cloned().unwrap_or_default();
                if expected.is_empty() {
                    quiet.insert(name.clone());
                }
                for alert in expected {
                    let severity = alert["exp_labels"]["severity"].as_str().unwrap_or_default();
                    fired.insert((name.clone(), severity.to_owned()));
                }
            }
        }
    }
    let alerts: BTreeSet<(String, String)> = alert_rules()
        .iter()
        .map(|r| {
            let name = r["alert"].as_str().unwrap().to_owned();
            (name, r["labels"]["severity"].as_str().unwrap().to_owned())
        })
        .collect();
    for (name, severity) in &alerts {
        assert!(
            fired.contains(&(name.clone(), severity.clone())),
            "{name} ({severity}) fires in no promtool test"
        );
        assert!(
            quiet.contains(name),
            "{name} has no test where it stays quiet"
        );
    }
    let names: BTreeSet<&String> = alerts.iter().map(|(n, _)| n).collect();
    for name in fired.iter().map(|(n, _)| n).chain(&quiet) {
        assert!(
            names.contains(name),
            "a promtool test expects {name}, which no rule defines"
        );
    }
}

/// GitHub's anchor of a Markdown heading.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn every_alert_has_a_severity_a_summary_and_its_runbook_entry() {
    let headings: Vec<String> = read(RUNBOOKS)
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(str::to_owned)
        .collect();
    let anchors: BTreeSet<String> = headings.iter().map(|h| anchor(h)).collect();
    let template = Regex::new(r"\{\{(.*?)\}\}").unwrap();
    let allowed = Regex::new(r"^\s*\$(value|labels\.(\w+))\s*(\|\s*\w+\s*)?$").unwrap();
    let rules = alert_rules();
    for rule in &rules {
        let name = rule["alert"].as_str().unwrap();
        let severity = rule["labels"]["severity"].as_str().unwrap_or_default();
        assert!(
            ["warning", "critical"].contains(&severity),
            "{name}: severity {severity:?}"
        );
        let annotations = &rule["annotations"];
        for key in ["summary", "description"] {
            let text = annotations[key].as_str().unwrap_or_default();
            assert!(!text.trim().is_empty(), "{name}: no {key}");
            for t in template.captures_iter(text) {
                let Some(found) = allowed.captures(&t[1]) else {
                    panic!(
                        "{name}: {key} shows {{{{{}}}}}; only $value and labels",
                        &t[1]
                    );
                };
                if let Some(label) = found.get(2) {
                    assert!(
                        LABELS_IN_ANNOTATIONS.contains(&label.as_str()),
                        "{name}: {key} shows the label {}, which could carry personal data",
                        label.as_str()
                    );
                }
            }
        }
        let url = format!("{RUNBOOKS}#{}", anchor(name));
        assert_eq!(
            annotations["runbook_url"],
            url.as_str(),
            "{name}: runbook_url"
        );
        assert!(
            anchors.contains(&anchor(name)),
            "{RUNBOOKS} has no entry {name}"
        );
    }
    for heading in &headings {
        assert!(
            RUNBOOK_INTRODUCTION.contains(&heading.as_str())
                || rules.iter().any(|r| r["alert"] == heading.as_str()),
            "{RUNBOOKS}: the entry {heading} is for no alert"
        );
    }
}

/// Metric names of docs/metrics.md (first column of its tables): plain names, and the series
/// Prometheus makes of a histogram (`_bucket`, `_count`, `_sum`; not the bare name), with `up`.
pub(crate) fn documented_series() -> (BTreeSet<String>, BTreeSet<String>) {
    let row = Regex::new(r"^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|\s*([^|]*)\|").unwrap();
    let mut documented = BTreeSet::new();
    let mut series = BTreeSet::from(["up".to_owned()]);
    for line in read("docs/metrics.md").lines() {
        let Some(c) = row.captures(line) else {
            continue;
        };
        let name = c[1].to_owned();
        if c[2].contains("histogram") {
            for suffix in ["_bucket", "_count", "_sum"] {
                series.insert(format!("{name}{suffix}"));
            }
        } else {
            series.insert(name.clone());
        }
        documented.insert(name);
    }
    assert!(documented.len() > 20, "docs/metrics.md: tables not found");
    (documented, series)
}

/// The metric names a PromQL expression selects: what is left once strings, label matchers,
/// ranges, grouping lists, numbers and Grafana variables are taken out, and is neither a keyword
/// nor called as a function.
pub(crate) fn metric_names(expr: &str) -> BTreeSet<String> {
    const KEYWORDS: [&str; 14] = [
        "and",
        "or",
        "unless",
        "bool",
        "offset",
        "atan2",
        "inf",
        "nan",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
    ];
    let strings = Regex::new(r#""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`"#).unwrap();
    let matchers = Regex::new(r"\{[^}]*\}|\[[^\]]*\]").unwrap();
    let groupings =
        Regex::new(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)").unwrap();
    let numbers = Regex::new(r"\b\d[\w.]*").unwrap();
    let token = Regex::new(r"\$?\{?[A-Za-z_:][A-Za-z0-9_:]*\}?(\s*\()?").unwrap();
    let text = strings.replace_all(expr, " ");
    let text = matchers.replace_all(&text, " ");
    let text = groupings.replace_all(&text, " ");
    let text = numbers.replace_all(&text, " ");
    token
        .captures_iter(&text)
        .filter(|c| c.get(1).is_none())
        .map(|c| c[0].trim().to_owned())
        .filter(|t| !t.starts_with('$') && !KEYWORDS.contains(&t.to_lowercase().as_str()))
        .collect()
}

#[test]
fn metric_names_are_read_from_promql_without_functions_labels_or_keywords() {
    let expr = r#"sum by (channel) (rate(a_total{outcome=~"x|y", b="c"}[10m]))
        / on (job) group_left max(up offset 5m) > bool 0.5
        and histogram_quantile(0.95, sum by (le) (rate(h_bucket{job=~"$job"}[$__rate_interval])))
        unless absent(g{job="n"}) or vector(1e3) * 2"#;
    let expected: BTreeSet<String> = ["a_total", "up", "h_bucket", "g"].map(str::to_owned).into();
    assert_eq!(metric_names(expr), expected);
}

#[test]
fn the_rules_name_only_documented_metrics() {
    let (_, series) = documented_series();
    for rule in alert_rules() {
        let expr = rule["expr"].as_str().unwrap();
        let names = metric_names(expr);
        assert!(
            !names.is_empty(),
            "{}: no metric found in {expr}",
            rule["alert"]
        );
        for name in names {
            assert!(
                series.contains(&name),
                "{}: {name} is not in docs/metrics.md (a histogram is read as _bucket, _count, _sum)",
                rule["alert"]
            );
        }
    }
}

#[test]
fn the_scrape_jobs_are_the_ones_the_rules_expect() {
    let expected = expected_jobs();
    for job in yaml(SCRAPE_CONFIG)["scrape_configs"].as_array().unwrap() {
        let name = job["job_name"].as_str().unwrap();
        assert!(
            expected.contains(name),
            "{SCRAPE_CONFIG}: job {name} is unknown to the rules"
        );
    }
}
