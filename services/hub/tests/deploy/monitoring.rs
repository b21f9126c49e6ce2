//! `deploy/k8s/monitoring`, for a cluster with the Prometheus operator: the `PrometheusRule` is the
//! plain rule file (generated from it), the custom resources fit the structure their CRDs define
//! (kubernetes-validate knows no CRD), and the `ServiceMonitor` scrapes each service on the port
//! its pods announce and the NetworkPolicy admits Prometheus on.
//!
//! After changing deploy/prometheus/rules/gigafibre.rules.yml, regenerate with
//! `UPDATE_PROMETHEUS_RULE=1 cargo test -p hub --test deploy` and commit.

use serde_json::{Value, json};

use crate::kubernetes::{containers, name_of};
use crate::kustomize::Rendered;
use crate::prometheus::{RULES, expected_jobs};
use crate::{RUST_SERVICES, read, root, yaml};

const PROMETHEUS_RULE: &str = "deploy/k8s/monitoring/prometheusrule.yaml";
const REGENERATE: &str =
    "run `UPDATE_PROMETHEUS_RULE=1 cargo test -p hub --test deploy` and commit";

/// The custom resources of deploy/k8s, which kubernetes-validate has no schema for, with the
/// schema each is held to here: `(apiVersion, kind, schema file)`.
pub(crate) const CUSTOM_RESOURCES: [(&str, &str, &str); 2] = [
    (
        "monitoring.coreos.com/v1",
        "PrometheusRule",
        "services/hub/tests/deploy/schemas/prometheusrule.yaml",
    ),
    (
        "monitoring.coreos.com/v1",
        "ServiceMonitor",
        "services/hub/tests/deploy/schemas/servicemonitor.yaml",
    ),
];

/// The PrometheusRule's text: a fixed head, then the rule file from `groups:` on, under `spec:`.
/// Made from the text, not re-serialised, so that the comments and block strings stay as written.
fn generated_prometheus_rule() -> String {
    let mut text = format!(
        "# Generated from {RULES}: edit that file, then\n\
         # `UPDATE_PROMETHEUS_RULE=1 cargo test -p hub --test deploy`. The hub's alert rules for the\n\
         # Prometheus operator; each alert's runbook is its entry in docs/runbooks.md.\n\
         apiVersion: monitoring.coreos.com/v1\n\
         kind: PrometheusRule\n\
         metadata:\n  name: gigafibre-hub\n  labels:\n    app.kubernetes.io/name: gigafibre-hub\n\
         spec:\n"
    );
    let plain = read(RULES);
    let body = plain
        .lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty());
    for line in body {
        if line.is_empty() {
            text.push('\n');
        } else {
            text.push_str(&format!("  {line}\n"));
        }
    }
    text
}

#[test]
fn the_prometheus_rule_is_generated_from_the_plain_rule_file() {
    let generated = generated_prometheus_rule();
    if std::env::var_os("UPDATE_PROMETHEUS_RULE").is_some() {
        std::fs::write(root().join(PROMETHEUS_RULE), &generated).unwrap();
        return;
    }
    assert!(
        read(PROMETHEUS_RULE) == generated,
        "{PROMETHEUS_RULE} is not {RULES} any more: {REGENERATE}"
    );
}

/// What kustomize renders carries exactly the plain file's groups: nothing lost or changed on the
/// way into the cluster.
#[test]
fn the_rendered_prometheus_rule_carries_the_plain_rule_groups() {
    let rendered = Rendered::all();
    let rules: Vec<&Value> = rendered.of_kind("PrometheusRule").collect();
    assert_eq!(rules.len(), 1, "one PrometheusRule");
    assert_eq!(
        rules[0]["spec"]["groups"],
        yaml(RULES)["groups"],
        "{PROMETHEUS_RULE}: {REGENERATE}"
    );
}

fn validate(schema: &Value, object: &Value) -> Result<(), String> {
    let validator = jsonschema::validator_for(schema).map_err(|e| e.to_string())?;
    let errors: Vec<String> = validator
        .iter_errors(object)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

fn schema_of(object: &Value) -> Option<Value> {
    CUSTOM_RESOURCES
        .iter()
        .find(|(api, kind, _)| object["apiVersion"] == *api && object["kind"] == *kind)
        .map(|(_, _, schema)| yaml(schema))
}

#[test]
fn custom_resources_fit_the_structure_of_their_crds_strictly() {
    let rendered = Rendered::all();
    for (api, kind, _) in CUSTOM_RESOURCES {
        let objects: Vec<&Value> = rendered
            .objects
            .iter()
            .filter(|o| o["apiVersion"] == api && o["kind"] == kind)
            .collect();
        assert!(!objects.is_empty(), "no {kind} rendered");
        for object in objects {
            let schema = schema_of(object).unwrap();
            if let Err(e) = validate(&schema, object) {
                panic!("{kind} {}: {e}", name_of(object));
            }
        }
    }
}

/// The schemas would be worthless if they took anything: a misspelt field, a rule without an
/// expression, and a duration Prometheus cannot read are each refused.
#[test]
fn the_custom_resource_schemas_refuse_what_the_operator_would() {
    let rendered = Rendered::all();
    let rule = rendered.of_kind("PrometheusRule").next().unwrap();
    let monitor = rendered.of_kind("ServiceMonitor").next().unwrap();
    let mut broken = Vec::new();
    let mut misspelt = rule.clone();
    misspelt["spec"]["groups"][0]["rules"][0]["expression"] = json!("up == 0");
    broken.push(misspelt);
    let mut no_expr = rule.clone();
    no_expr["spec"]["groups"][0]["rules"][0]
        .as_object_mut()
        .unwrap()
        .remove("expr");
    broken.push(no_expr);
    let mut bad_for = rule.clone();
    bad_for["spec"]["groups"][0]["rules"][0]["for"] = json!("five minutes");
    broken.push(bad_for);
    let mut misspelt_port = monitor.clone();
    misspelt_port["spec"]["endpoints"][0]["ports"] = json!("http");
    broken.push(misspelt_port);
    for object in broken {
        let schema = schema_of(&object).unwrap();
        assert!(
            validate(&schema, &object).is_err(),
            "accepted: {}",
            object["spec"]
        );
    }
}

/// Whether a label selector (matchLabels, matchExpressions) takes an object with these labels.
fn selects(selector: &Value, labels: &Value) -> bool {
    let by_label = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| &labels[k] == v);
    let by_expression = selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|e| {
            let value = &labels[e["key"].as_str().unwrap()];
            let values = e["values"].as_array().cloned().unwrap_or_default();
            match e["operator"].as_str().unwrap() {
                "In" => values.contains(value),
                "NotIn" => !values.contains(value),
                "Exists" => !value.is_null(),
                "DoesNotExist" => value.is_null(),
                other => panic!("selector operator {other}"),
            }
        });
    by_label && by_expression
}

#[test]
fn a_service_monitor_scrapes_each_service_on_its_metrics_port_as_the_job_the_rules_expect() {
    let rendered = Rendered::all();
    let monitors: Vec<&Value> = rendered.of_kind("ServiceMonitor").collect();
    let jobs = expected_jobs();
    for service in rendered.of_kind("Service") {
        let name = name_of(service);
        let scraping: Vec<&&Value> = monitors
            .iter()
            .filter(|m| m["metadata"]["namespace"] == service["metadata"]["namespace"])
            .filter(|m| selects(&m["spec"]["selector"], &service["metadata"]["labels"]))
            .collect();
        if !RUST_SERVICES.contains(&name) {
            assert!(
                scraping.is_empty(),
                "{name} serves no /metrics but is scraped"
            );
            continue;
        }
        assert_eq!(scraping.len(), 1, "{name}: one ServiceMonitor scrapes it");
        let monitor = scraping[0];
        assert!(
            monitor["spec"]["jobLabel"].is_null() && jobs.contains(name),
            "{name}: the job (the Service's name) must be one of the rules' jobs {jobs:?}"
        );
        let deployment = rendered.named("Deployment", name).unwrap();
        let annotations = &deployment["spec"]["template"]["metadata"]["annotations"];
        assert_eq!(annotations["prometheus.io/scrape"], "true", "{name}");
        let metrics_port: u64 = annotations["prometheus.io/port"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        for endpoint in monitor["spec"]["endpoints"].as_array().unwrap() {
            let port = service["spec"]["ports"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == endpoint["port"])
                .unwrap_or_else(|| panic!("{name}: no Service port {}", endpoint["port"]));
            let container_port = containers(deployment)
                .iter()
                .flat_map(|c| c["ports"].as_array().unwrap())
                .find(|p| {
                    p["name"] == port["targetPort"] || p["containerPort"] == port["targetPort"]
                })
                .and_then(|p| p["containerPort"].as_u64());
            assert_eq!(
                container_port,
                Some(metrics_port),
                "{name}: scraped on another port than prometheus.io/port, which the NetworkPolicy admits"
            );
            assert_eq!(
                endpoint["path"], annotations["prometheus.io/path"],
                "{name}"
            );
            assert_eq!(
                endpoint["honorLabels"], true,
                "{name}: the metrics' own `service` label must win over the Service's name"
            );
        }
    }
}
