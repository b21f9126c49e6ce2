//! `deploy/grafana/gigafibre-hub.json`: imports anywhere (every query on the `${datasource}`
//! variable), its queries parse as PromQL and name only metrics of docs/metrics.md, it shows every
//! one of them, and the panels the runbooks send the engineer on call to exist.

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::{Value, json};

use crate::prometheus::{documented_series, metric_names, promtool};
use crate::{read, root};

const DASHBOARD: &str = "deploy/grafana/gigafibre-hub.json";
/// Grafana 10.3 and later write this version or a newer one.
const OLDEST_SCHEMA_VERSION: u64 = 39;
/// The rows the dashboard is read by.
const ROWS: [&str; 7] = [
    "Login funnel",
    "Delivery health",
    "Backlog",
    "HTTP and ERPNext",
    "Payments",
    "Quotes",
    "Vision OCR",
];

fn dashboard() -> Value {
    serde_json::from_str(&read(DASHBOARD)).unwrap_or_else(|e| panic!("{DASHBOARD}: {e}"))
}

/// Every panel, those inside a collapsed row included; rows themselves are left out.
fn panels(dashboard: &Value) -> Vec<Value> {
    let mut all = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        if panel["type"] == "row" {
            all.extend(panel["panels"].as_array().cloned().unwrap_or_default());
        } else {
            all.push(panel.clone());
        }
    }
    all
}

/// Every PromQL expression: the panels' queries and the query variables'.
fn expressions(dashboard: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for panel in panels(dashboard) {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let title = format!("{} ({})", panel["title"], target["refId"]);
            found.push((
                title,
                target["expr"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    for variable in dashboard["templating"]["list"].as_array().unwrap() {
        if variable["type"] == "query" {
            let query = variable["query"].as_str().unwrap();
            // label_values(selector, label): the selector is PromQL.
            let selector = query
                .strip_prefix("label_values(")
                .and_then(|q| q.rsplit_once(','))
                .map_or(query, |(s, _)| s);
            found.push((
                format!("variable {}", variable["name"]),
                selector.to_owned(),
            ));
        }
    }
    found
}

#[test]
fn the_dashboard_imports_anywhere_with_a_prometheus_datasource_variable() {
    let dashboard = dashboard();
    assert!(dashboard["uid"].is_string() && dashboard["title"].is_string());
    let version = dashboard["schemaVersion"].as_u64().unwrap();
    assert!(version >= OLDEST_SCHEMA_VERSION, "schemaVersion {version}");
    let variables = dashboard["templating"]["list"].as_array().unwrap();
    let datasource = variables
        .iter()
        .find(|v| v["name"] == "datasource")
        .expect("a `datasource` variable");
    assert_eq!(datasource["type"], "datasource");
    assert_eq!(datasource["query"], "prometheus");
    let through_variable = json!({"type": "prometheus", "uid": "${datasource}"});
    for v in variables.iter().filter(|v| v["type"] == "query") {
        assert_eq!(v["datasource"], through_variable, "variable {}", v["name"]);
    }
    let panels = panels(&dashboard);
    let mut ids = BTreeSet::new();
    for panel in &panels {
        let title = panel["title"].as_str().unwrap_or_default();
        assert!(!title.is_empty(), "a panel without a title");
        assert!(
            ids.insert(panel["id"].as_u64().unwrap()),
            "{title}: id taken"
        );
        assert!(panel["gridPos"]["w"].as_u64().is_some(), "{title}: gridPos");
        assert_eq!(panel["datasource"], through_variable, "{title}: datasource");
        let targets = panel["targets"].as_array().cloned().unwrap_or_default();
        assert!(!targets.is_empty(), "{title}: no query");
        for target in targets {
            assert_eq!(
                target["datasource"], through_variable,
                "{title}: query datasource"
            );
            assert!(
                target["expr"].as_str().is_some_and(|e| !e.is_empty()),
                "{title}: expr"
            );
        }
    }
    let rows: Vec<&str> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "row")
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(rows, ROWS);
}

/// Each query, its Grafana variables given values, goes through promtool as a recording rule:
/// promtool parses the PromQL.
#[test]
fn every_dashboard_query_parses_as_promql() {
    let rules: Vec<Value> = expressions(&dashboard())
        .iter()
        .enumerate()
        .map(|(i, (_, expr))| {
            let expr = expr.replace("$__rate_interval", "5m").replace("$job", ".*");
            json!({"record": format!("dashboard:query_{i}"), "expr": expr})
        })
        .collect();
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "dashboard-queries-{}.rules.yml",
        std::process::id()
    ));
    let doc = json!({"groups": [{"name": "dashboard", "rules": rules}]});
    std::fs::write(&file, doc.to_string()).unwrap();
    let checked = promtool(&["check", "rules", file.to_str().unwrap()]);
    assert!(
        checked.contains(&format!("{} rules found", rules.len())),
        "{checked}"
    );
    let _ = std::fs::remove_file(&file);
}

#[test]
fn the_dashboard_names_only_documented_metrics_and_shows_every_one() {
    let (documented, series) = documented_series();
    let mut shown = BTreeSet::new();
    for (title, expr) in expressions(&dashboard()) {
        let names = metric_names(&expr);
        assert!(!names.is_empty(), "{title}: no metric in {expr}");
        for name in names {
            assert!(
                series.contains(&name),
                "{title}: {name} is not in docs/metrics.md (a histogram is read as _bucket, _count, _sum)"
            );
            shown.insert(name);
        }
    }
    for metric in &documented {
        let as_series = ["", "_bucket", "_count", "_sum"].map(|s| format!("{metric}{s}"));
        assert!(
            as_series.iter().any(|s| shown.contains(s)),
            "{metric} (docs/metrics.md) is on no panel of {DASHBOARD}"
        );
    }
}

/// docs/runbooks.md names panels in italics (`*Provider errors*`): each must be on the dashboard.
#[test]
fn the_panels_the_runbooks_name_exist() {
    let titles: BTreeSet<String> = panels(&dashboard())
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_owned())
        .collect();
    let runbooks = std::fs::read_to_string(root().join("docs/runbooks.md")).unwrap();
    let without_bold = runbooks.replace("**", "");
    let italic = Regex::new(r"\*([^*]+)\*").unwrap();
    let named: Vec<String> = italic
        .captures_iter(&without_bold)
        .map(|c| c[1].split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(named.len() > 10, "docs/runbooks.md names no panel");
    for panel in named {
        assert!(
            titles.contains(&panel),
            "docs/runbooks.md names the panel {panel:?}, which {DASHBOARD} lacks"
        );
    }
}
