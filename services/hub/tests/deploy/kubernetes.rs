//! `deploy/k8s`: the schemas (kubernetes-validate --strict), then what they cannot see: probes,
//! non-root, read-only root, references, scaling, stop timing, each service's environment.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::kustomize::Rendered;
use crate::monitoring::CUSTOM_RESOURCES;
use crate::settings::{check_environment, documented_variables};
use crate::{RUST_SERVICES, port_of, traefik_backends};

/// The pinned validator, in the venv `scripts/ensure-services.sh` creates.
const VENV_VALIDATE: &str = "/var/cache/gigafibre-hub/venv/bin/kubernetes-validate";
/// The oldest Kubernetes the manifests must load on, and the newest the pinned validator knows.
const KUBERNETES_VERSIONS: [&str; 2] = ["1.30.0", "1.37.0"];
/// Secrets referenced but created by the operator with kubectl (deploy/k8s/README.md), so that an
/// apply never replaces a signing key.
const EXTERNAL_SECRETS: [&str; 1] = ["portal-auth-keys"];

pub(crate) fn name_of(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap()
}

pub(crate) fn pod_spec(deployment: &Value) -> &Value {
    &deployment["spec"]["template"]["spec"]
}

pub(crate) fn containers(deployment: &Value) -> &Vec<Value> {
    pod_spec(deployment)["containers"].as_array().unwrap()
}

/// The environment a container gets: its envFrom ConfigMaps and Secrets, then its `env`.
fn container_env(rendered: &Rendered, container: &Value) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    for source in container["envFrom"].as_array().into_iter().flatten() {
        if let Some(name) = source["configMapRef"]["name"].as_str() {
            vars.extend(rendered.data("ConfigMap", name));
        }
        if let Some(name) = source["secretRef"]["name"].as_str() {
            vars.extend(rendered.data("Secret", name));
        }
    }
    for var in container["env"].as_array().into_iter().flatten() {
        let value = var["value"].as_str().unwrap_or_else(|| {
            panic!(
                "{}: only literal env values are checked",
                var["name"].as_str().unwrap()
            )
        });
        vars.insert(var["name"].as_str().unwrap().to_owned(), value.to_owned());
    }
    vars
}

/// Whether every label of `selector` is on the pods of `deployment`.
fn selects(selector: &Value, deployment: &Value) -> bool {
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    let selector = selector.as_object().unwrap();
    !selector.is_empty() && selector.iter().all(|(k, v)| &labels[k] == v)
}

#[test]
fn kubernetes_manifests_pass_the_schemas_strictly() {
    assert!(
        Path::new(VENV_VALIDATE).is_file(),
        "kubernetes-validate is missing ({VENV_VALIDATE}): run scripts/ensure-services.sh"
    );
    let rendered = Rendered::all();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("k8s-rendered");
    std::fs::create_dir_all(&out).unwrap();
    let files: Vec<PathBuf> = rendered
        .outputs
        .iter()
        .map(|(kustomization, text)| {
            let file = out.join(format!("{}.yaml", kustomization.replace('/', "_")));
            std::fs::write(&file, text).unwrap();
            file
        })
        .collect();
    assert!(rendered.of_kind("Deployment").count() >= 3);
    // It passes a kind it has no schema for with a warning: only the custom resources that
    // monitoring.rs holds to their own schemas may be passed so.
    let unknown = regex::Regex::new(r"find schema for kind (\S+) with api version (\S+)").unwrap();
    for version in KUBERNETES_VERSIONS {
        let run = std::process::Command::new(VENV_VALIDATE)
            .args(["--strict", "--quiet", "--kubernetes-version", version])
            .args(&files)
            .output()
            .unwrap_or_else(|e| {
                panic!("running {VENV_VALIDATE}: {e}; run scripts/ensure-services.sh")
            });
        let output = format!(
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            run.status.success(),
            "kubernetes-validate --strict (Kubernetes {version}) refused the manifests:\n{output}"
        );
        for found in unknown.captures_iter(&output) {
            assert!(
                CUSTOM_RESOURCES
                    .iter()
                    .any(|(api, kind, _)| *api == &found[2] && *kind == &found[1]),
                "kubernetes-validate has no schema for {} {}, and no test checks it",
                &found[2],
                &found[1]
            );
        }
    }
}

#[test]
fn every_pod_runs_non_root_on_a_read_only_root_with_bounded_resources() {
    let rendered = Rendered::all();
    for d in rendered.of_kind("Deployment") {
        let pod = pod_spec(d);
        let name = name_of(d);
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
        assert!(
            pod["securityContext"]["runAsUser"].as_u64().unwrap_or(0) > 0,
            "{name}: runAsUser"
        );
        assert_eq!(
            pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault",
            "{name}"
        );
        assert_eq!(pod["automountServiceAccountToken"], false, "{name}");
        for c in containers(d) {
            let sc = &c["securityContext"];
            assert_eq!(sc["readOnlyRootFilesystem"], true, "{name}");
            assert_eq!(sc["allowPrivilegeEscalation"], false, "{name}");
            assert_eq!(
                sc["capabilities"]["drop"],
                serde_json::json!(["ALL"]),
                "{name}"
            );
            for (kind, key) in [
                ("requests", "cpu"),
                ("requests", "memory"),
                ("limits", "memory"),
            ] {
                assert!(
                    c["resources"][kind][key].is_string(),
                    "{name}: resources.{kind}.{key}"
                );
            }
        }
    }
}

/// Directories a service writes to, from its environment: a SQLite file's folder, a key folder it
/// may generate keys in.
fn written_dirs(vars: &BTreeMap<String, String>) -> Vec<String> {
    let mut dirs = Vec::new();
    if let Some(path) = vars
        .get("DATABASE_URL")
        .and_then(|u| u.strip_prefix("sqlite://"))
    {
        let file = path.split('?').next().unwrap();
        dirs.push(Path::new(file).parent().unwrap().display().to_string());
    }
    if vars.get("JWT_GENERATE_KEYS").map(String::as_str) != Some("false")
        && let Some(keys) = vars.get("JWT_KEYS_DIR")
    {
        dirs.push(keys.clone());
    }
    dirs
}

#[test]
fn what_a_pod_writes_is_on_a_writable_volume() {
    let rendered = Rendered::all();
    for d in rendered.of_kind("Deployment") {
        let volumes: BTreeSet<&str> = pod_spec(d)["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v["name"].as_str().unwrap())
            .collect();
        for c in containers(d) {
            let mounts = c["volumeMounts"].as_array().cloned().unwrap_or_default();
            for m in &mounts {
                assert!(
                    volumes.contains(m["name"].as_str().unwrap()),
                    "{}: mount of an undefined volume {}",
                    name_of(d),
                    m["name"]
                );
            }
            for dir in written_dirs(&container_env(rendered, c)) {
                let writable = mounts.iter().any(|m| {
                    m["readOnly"] != true && dir.starts_with(m["mountPath"].as_str().unwrap())
                });
                assert!(
                    writable,
                    "{}: writes to {dir}, which is on the read-only root",
                    name_of(d)
                );
            }
        }
    }
}

#[test]
fn services_are_probed_on_readyz_and_healthz() {
    let rendered = Rendered::all();
    for d in rendered.of_kind("Deployment") {
        for c in containers(d) {
            for probe in ["readinessProbe", "livenessProbe"] {
                assert!(c[probe].is_object(), "{}: {probe}", name_of(d));
            }
            if RUST_SERVICES.contains(&name_of(d)) {
                assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
                assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
            }
        }
    }
}

#[test]
fn each_deployment_has_a_service_and_a_scaled_one_an_autoscaler_and_a_disruption_budget() {
    let rendered = Rendered::all();
    for d in rendered.of_kind("Deployment") {
        let name = name_of(d);
        let ports: BTreeSet<&str> = containers(d)
            .iter()
            .flat_map(|c| c["ports"].as_array().unwrap())
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let service = rendered
            .named("Service", name)
            .unwrap_or_else(|| panic!("no Service {name}"));
        assert!(selects(&service["spec"]["selector"], d), "Service {name}");
        for p in service["spec"]["ports"].as_array().unwrap() {
            assert!(ports.contains(p["targetPort"].as_str().unwrap()), "{name}");
        }
        if d["spec"]["replicas"] == 1 {
            continue; // one replica on purpose (the erp-sandbox's SQLite): nothing to scale
        }
        let hpa = rendered
            .named("HorizontalPodAutoscaler", name)
            .unwrap_or_else(|| panic!("no HorizontalPodAutoscaler {name}"));
        assert_eq!(hpa["apiVersion"], "autoscaling/v2");
        assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Deployment");
        assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], name);
        let min = hpa["spec"]["minReplicas"].as_u64().unwrap();
        assert!(min >= 2, "{name}: one replica is a single point of failure");
        assert!(
            d["spec"]["replicas"].is_null(),
            "{name}: the autoscaler owns replicas"
        );
        let pdb = rendered
            .named("PodDisruptionBudget", name)
            .unwrap_or_else(|| panic!("no PodDisruptionBudget {name}"));
        assert_eq!(pdb["apiVersion"], "policy/v1");
        assert!(
            selects(&pdb["spec"]["selector"]["matchLabels"], d),
            "PDB {name}"
        );
        let available = pdb["spec"]["minAvailable"].as_u64().unwrap();
        assert!(
            available < min,
            "{name}: the budget would block every drain"
        );
    }
}

#[test]
fn every_config_map_and_secret_a_pod_uses_exists() {
    let rendered = Rendered::all();
    for d in rendered.of_kind("Deployment") {
        let pod = pod_spec(d);
        let mut refs: Vec<(&str, &str)> = Vec::new();
        for c in containers(d) {
            for s in c["envFrom"].as_array().into_iter().flatten() {
                if let Some(n) = s["configMapRef"]["name"].as_str() {
                    refs.push(("ConfigMap", n));
                }
                if let Some(n) = s["secretRef"]["name"].as_str() {
                    refs.push(("Secret", n));
                }
            }
        }
        for v in pod["volumes"].as_array().into_iter().flatten() {
            if let Some(n) = v["secret"]["secretName"].as_str() {
                refs.push(("Secret", n));
            }
            if let Some(n) = v["configMap"]["name"].as_str() {
                refs.push(("ConfigMap", n));
            }
        }
        for (kind, name) in refs {
            let external = kind == "Secret" && EXTERNAL_SECRETS.contains(&name);
            assert!(
                external || rendered.named(kind, name).is_some(),
                "{}: {kind} {name} is not defined",
                name_of(d)
            );
        }
    }
}

/// Seconds in a duration such as `30s`.
pub(crate) fn seconds(duration: &str) -> u64 {
    duration.strip_suffix('s').unwrap().parse().unwrap()
}

#[test]
fn a_stopping_pod_has_time_for_its_pre_stop_pause_and_its_shutdown_grace() {
    let rendered = Rendered::all();
    for d in rendered
        .of_kind("Deployment")
        .filter(|d| RUST_SERVICES.contains(&name_of(d)))
    {
        let c = &containers(d)[0];
        let grace: u64 = container_env(rendered, c)
            .get("SHUTDOWN_GRACE_S")
            .map_or(25, |g| g.parse().unwrap());
        let pause = c["lifecycle"]["preStop"]["exec"]["command"]
            .as_array()
            .and_then(|cmd| cmd.last()?.as_str()?.parse::<u64>().ok())
            .unwrap_or(0);
        let termination = pod_spec(d)["terminationGracePeriodSeconds"]
            .as_u64()
            .unwrap_or(30);
        assert!(
            pause + grace < termination,
            "{}: preStop {pause} s + SHUTDOWN_GRACE_S {grace} s must end before SIGKILL at {termination} s",
            name_of(d)
        );
    }
}

/// Variables of the shared `hub-config` (base/hub.env) a service is given and does not read, and
/// why: quotation-signing builds no link on the hub's public origin (its links are DocuSeal's
/// signing page and the portal's quotes page); vision-ocr builds no link at all (a job's
/// `Location` is a path).
const SHARED_BUT_UNREAD: [(&str, &str); 2] = [
    ("quotation-signing", "PUBLIC_URL"),
    ("vision-ocr", "PUBLIC_URL"),
];

#[test]
fn kubernetes_gives_each_service_the_environment_it_needs() {
    let rendered = Rendered::all();
    let documented = documented_variables();
    let traefik = traefik_backends();
    for d in rendered.of_kind("Deployment") {
        let name = name_of(d);
        if !RUST_SERVICES.contains(&name) && !["erp-sandbox", "docuseal-sandbox"].contains(&name) {
            continue;
        }
        let c = &containers(d)[0];
        let mut vars = container_env(rendered, c);
        for (service, var) in SHARED_BUT_UNREAD {
            if service == name {
                vars.remove(var);
            }
        }
        let bind = check_environment(&format!("deploy/k8s {name}"), name, &vars, &documented);
        let container_port = c["ports"][0]["containerPort"].as_u64().unwrap().to_string();
        assert_eq!(
            port_of(&bind),
            container_port,
            "{name}: BIND and containerPort"
        );
        let service = rendered.named("Service", name).unwrap();
        let service_port = service["spec"]["ports"][0]["port"]
            .as_u64()
            .unwrap()
            .to_string();
        if let Some(url) = traefik.get(name) {
            assert_eq!(
                url.port().unwrap().to_string(),
                service_port,
                "Traefik's {name}"
            );
        }
    }
    let dbs: BTreeSet<String> = RUST_SERVICES
        .iter()
        .map(|s| rendered.data("Secret", &format!("{s}-secrets"))["DATABASE_URL"].clone())
        .collect();
    assert_eq!(dbs.len(), RUST_SERVICES.len(), "one database per service");
}

/// The secrets payments shares or holds are in Secrets, never ConfigMaps: `INTERNAL_API_SECRET` (in
/// portal-auth's and payments' alike), Stripe's key and webhook secrets; and payments reaches
/// portal-auth through its Service.
#[test]
fn payments_secrets_are_in_secrets_and_portal_auth_is_its_service() {
    let rendered = Rendered::all();
    for service in ["portal-auth", "payments"] {
        let secrets = rendered.data("Secret", &format!("{service}-secrets"));
        assert!(
            secrets.contains_key("INTERNAL_API_SECRET"),
            "{service}: INTERNAL_API_SECRET in its Secret"
        );
        let config = rendered.data("ConfigMap", &format!("{service}-config"));
        assert!(!config.contains_key("INTERNAL_API_SECRET"), "{service}");
    }
    let secrets = rendered.data("Secret", "payments-secrets");
    let config = rendered.data("ConfigMap", "payments-config");
    for name in ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRETS"] {
        assert!(secrets.contains_key(name), "payments: {name} in its Secret");
        assert!(
            !config.contains_key(name),
            "payments: {name} in a ConfigMap"
        );
    }
    let portal_auth = url::Url::parse(&config["PORTAL_AUTH_URL"]).unwrap();
    let service = rendered.named("Service", "portal-auth").unwrap();
    assert_eq!(portal_auth.host_str(), Some("portal-auth"));
    assert_eq!(
        portal_auth.port().map(u64::from),
        service["spec"]["ports"][0]["port"].as_u64()
    );
}

/// quotation-signing's secrets are in its Secret, never a ConfigMap (`INTERNAL_API_SECRET` as
/// portal-auth's, DocuSeal's key and webhook secrets); it reaches portal-auth through its Service;
/// the staging docuseal-sandbox sends its webhooks to quotation-signing's Service and route.
#[test]
fn quotation_signing_secrets_are_in_secrets_and_the_stand_in_calls_its_webhook() {
    let rendered = Rendered::all();
    let secrets = rendered.data("Secret", "quotation-signing-secrets");
    let config = rendered.data("ConfigMap", "quotation-signing-config");
    for name in [
        "INTERNAL_API_SECRET",
        "DOCUSEAL_API_KEY",
        "DOCUSEAL_WEBHOOK_SECRETS",
    ] {
        assert!(
            secrets.contains_key(name),
            "quotation-signing: {name} in its Secret"
        );
        assert!(
            !config.contains_key(name),
            "quotation-signing: {name} in a ConfigMap"
        );
    }
    assert_eq!(config["PORTAL_AUTH_URL"], "http://portal-auth:8081");
    let sandbox = rendered.data("ConfigMap", "docuseal-sandbox-config");
    let service = rendered.named("Service", "quotation-signing").unwrap();
    let port = service["spec"]["ports"][0]["port"].as_u64().unwrap();
    assert_eq!(
        sandbox["DOCUSEAL_SANDBOX_WEBHOOK_URL"],
        format!("http://quotation-signing:{port}/accept/docuseal-webhook")
    );
    let (header, _) = sandbox["DOCUSEAL_SANDBOX_WEBHOOK_HEADERS"]
        .split_once('=')
        .unwrap();
    assert!(header.eq_ignore_ascii_case(&config["DOCUSEAL_WEBHOOK_HEADER"]));
}

/// vision-ocr's Gemini key is in its Secret, never a ConfigMap; it checks technicians' tokens with
/// portal-auth's keys through portal-auth's Service, expecting portal-auth's issuer; and its pods
/// are bounded for local OCR: `VISION_WORKERS` readings at once within the CPU limit, and the memory
/// limit above what they hold (about 300 MB a Tesseract page next to its decoded image).
#[test]
fn vision_ocr_keeps_gemini_secret_trusts_portal_auths_keys_and_is_sized_for_ocr() {
    let rendered = Rendered::all();
    let secrets = rendered.data("Secret", "vision-ocr-secrets");
    let config = rendered.data("ConfigMap", "vision-ocr-config");
    assert!(secrets.contains_key("GEMINI_API_KEY"), "in its Secret");
    assert!(!config.contains_key("GEMINI_API_KEY"), "not in a ConfigMap");
    let portal_auth = url::Url::parse(&config["PORTAL_AUTH_URL"]).unwrap();
    let service = rendered.named("Service", "portal-auth").unwrap();
    assert_eq!(portal_auth.host_str(), Some("portal-auth"));
    assert_eq!(
        portal_auth.port().map(u64::from),
        service["spec"]["ports"][0]["port"].as_u64()
    );
    let issuer = rendered.data("ConfigMap", "portal-auth-config")["JWT_ISSUER"].clone();
    assert_eq!(config["JWT_ISSUER"], issuer, "the iss portal-auth signs");

    let deployment = rendered.named("Deployment", "vision-ocr").unwrap();
    let resources = &containers(deployment)[0]["resources"];
    let workers: u64 = config["VISION_WORKERS"].parse().unwrap();
    let cpus: u64 = resources["limits"]["cpu"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(workers <= cpus, "{workers} workers on {cpus} CPUs");
    let memory = resources["limits"]["memory"].as_str().unwrap();
    let mib: u64 = memory.strip_suffix("Mi").unwrap().parse().unwrap();
    let pixels: u64 = config["VISION_MAX_PIXELS"].parse().unwrap();
    // Tesseract's ~300 MB, and the decoded image: 4 bytes a pixel, plus its grey copy (1).
    let per_reading_mib = 300 + pixels * 5 / (1024 * 1024);
    assert!(
        mib >= 100 + workers * per_reading_mib,
        "{memory} for {workers} readings of {per_reading_mib} MiB"
    );
}
