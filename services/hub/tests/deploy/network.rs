//! Who may connect to the pods of `deploy/k8s` (NetworkPolicies), and whose forwarded and staff
//! headers the services believe (`TRUSTED_PROXIES`).

use std::net::IpAddr;

use serde_json::{Value, json};

use crate::kubernetes::{containers, name_of};
use crate::kustomize::Rendered;
use crate::traefik_backends;

/// Traefik's pods, as its Helm chart labels them, in the namespace `traefik` (deploy/k8s/README.md).
fn traefik_peer() -> Value {
    json!({
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}},
    })
}

/// Prometheus' pods in the namespace `monitoring` (deploy/k8s/README.md).
fn prometheus_peer() -> Value {
    json!({
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
    })
}

/// A pod of this namespace by its name label.
fn pod_peer(name: &str) -> Value {
    json!({"podSelector": {"matchLabels": {"app.kubernetes.io/name": name}}})
}

/// The exceptions, `(deployment, the pod it admits)`: the staging erp-sandbox is called by
/// portal-auth, payments, quotation-signing and vision-ocr (ERP_URL), not by Traefik; portal-auth by
/// payments and quotation-signing (`/auth/verify`, `/internal/customer-tokens`) and vision-ocr (its
/// JWKS, for technicians' tokens); the staging
/// docuseal-sandbox by quotation-signing (DOCUSEAL_API_URL), which admits its webhooks.
const POD_CALLERS: [(&str, &str); 9] = [
    ("erp-sandbox", "portal-auth"),
    ("erp-sandbox", "payments"),
    ("erp-sandbox", "quotation-signing"),
    ("erp-sandbox", "vision-ocr"),
    ("portal-auth", "payments"),
    ("portal-auth", "quotation-signing"),
    ("portal-auth", "vision-ocr"),
    ("docuseal-sandbox", "quotation-signing"),
    ("quotation-signing", "docuseal-sandbox"),
];

fn pod_labels(deployment: &Value) -> &Value {
    &deployment["spec"]["template"]["metadata"]["labels"]
}

/// Whether a policy's podSelector (matchLabels only) takes the pods of `deployment`.
fn policy_selects(policy: &Value, deployment: &Value) -> bool {
    let selector = &policy["spec"]["podSelector"];
    assert!(
        selector["matchExpressions"].is_null(),
        "{}: only matchLabels is checked",
        name_of(policy)
    );
    let labels = pod_labels(deployment);
    selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| &labels[k] == v)
}

/// The container port number a NetworkPolicy port (a number or a container port's name) means.
fn port_number(deployment: &Value, port: &Value) -> u64 {
    if let Some(n) = port.as_u64() {
        return n;
    }
    let name = port.as_str().unwrap();
    containers(deployment)
        .iter()
        .flat_map(|c| c["ports"].as_array().unwrap())
        .find(|p| p["name"] == name)
        .and_then(|p| p["containerPort"].as_u64())
        .unwrap_or_else(|| panic!("{}: no container port {name}", name_of(deployment)))
}

/// `(peer, port)` for every connection the policies selecting `deployment` admit.
fn admitted(rendered: &Rendered, deployment: &Value) -> Vec<(Value, u64)> {
    let name = name_of(deployment);
    let policies: Vec<&Value> = rendered
        .of_kind("NetworkPolicy")
        .filter(|p| policy_selects(p, deployment))
        .collect();
    assert!(!policies.is_empty(), "no NetworkPolicy selects {name}");
    let mut found = Vec::new();
    for policy in policies {
        let types = policy["spec"]["policyTypes"].as_array().unwrap();
        assert!(
            types.contains(&json!("Ingress")),
            "{}: Ingress",
            name_of(policy)
        );
        for rule in policy["spec"]["ingress"].as_array().into_iter().flatten() {
            // A rule without `from` or `ports` admits every peer or every port.
            let peers = rule["from"].as_array().filter(|f| !f.is_empty());
            let ports = rule["ports"].as_array().filter(|p| !p.is_empty());
            let (Some(peers), Some(ports)) = (peers, ports) else {
                panic!("{}: a rule admits anyone or any port", name_of(policy));
            };
            for peer in peers {
                for port in ports {
                    assert_eq!(port["protocol"], "TCP", "{}", name_of(policy));
                    assert!(
                        port["endPort"].is_null(),
                        "{}: a port range",
                        name_of(policy)
                    );
                    found.push((peer.clone(), port_number(deployment, &port["port"])));
                }
            }
        }
    }
    found
}

/// Issue 16, finding 6: any pod could connect to the services and forge the `X-authentik-*`
/// headers when the whole pod network was trusted. Every Deployment is now selected by a
/// NetworkPolicy that admits Traefik on the port Traefik uses and Prometheus on the metrics port
/// only (plus [`POD_CALLERS`]), and nothing else.
#[test]
fn every_deployment_admits_only_traefik_and_prometheus_on_its_metrics_port() {
    let rendered = Rendered::all();
    let routed = traefik_backends();
    for d in rendered.of_kind("Deployment") {
        let name = name_of(d);
        let annotations = &d["spec"]["template"]["metadata"]["annotations"];
        let metrics_port = (annotations["prometheus.io/scrape"] == "true").then(|| {
            let port = annotations["prometheus.io/port"].as_str().unwrap();
            port.parse::<u64>().unwrap()
        });
        let mut traefik_ports = Vec::new();
        for (peer, port) in admitted(rendered, d) {
            if peer == traefik_peer() {
                traefik_ports.push(port);
            } else if peer == prometheus_peer() {
                assert_eq!(
                    Some(port),
                    metrics_port,
                    "{name}: Prometheus admitted on {port}, not on the scraped metrics port"
                );
            } else if POD_CALLERS
                .iter()
                .any(|(callee, caller)| *callee == name && peer == pod_peer(caller))
            {
                continue;
            } else {
                panic!("{name}: admits {peer} on {port}, which is neither Traefik nor Prometheus");
            }
        }
        if let Some(url) = routed.get(name) {
            let service = rendered.named("Service", name).unwrap();
            let target = port_number(d, &service["spec"]["ports"][0]["targetPort"]);
            assert_eq!(
                url.port().map(u64::from),
                service["spec"]["ports"][0]["port"].as_u64()
            );
            assert!(
                traefik_ports.contains(&target),
                "{name}: Traefik routes to it but is not admitted on {target}"
            );
        } else {
            assert!(
                traefik_ports.is_empty(),
                "{name}: Traefik has no route to it"
            );
        }
    }
}

/// Issue 16, finding 6: `TRUSTED_PROXIES` names Traefik's own addresses, never a pod network: the
/// services believe forwarded and staff headers from every address listed.
#[test]
fn trusted_proxies_in_kubernetes_are_addresses_not_a_network() {
    let rendered = Rendered::all();
    let proxies = rendered.data("ConfigMap", "hub-config")["TRUSTED_PROXIES"].clone();
    for entry in proxies.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (address, prefix) = entry.split_once('/').unwrap_or((entry, ""));
        let address: IpAddr = address.parse().unwrap_or_else(|e| panic!("{entry}: {e}"));
        let (narrowest, widest_allowed) = if address.is_ipv4() {
            (32, 28)
        } else {
            (128, 124)
        };
        let prefix: u8 = if prefix.is_empty() {
            narrowest
        } else {
            prefix.parse().unwrap()
        };
        assert!(
            prefix >= widest_allowed,
            "TRUSTED_PROXIES {entry} is a network: list Traefik's own addresses (deploy/k8s/README.md)"
        );
    }
}
