//! `deploy/k8s` as `kubectl kustomize` renders it (kustomize v5.5 ships with the machine image's
//! kubectl), from a copy in a temp folder where each `secrets.env.example` is copied to
//! `secrets.env`, as an operator would: a real `secrets.env` in the checkout is never read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use base64::Engine;
use serde_json::Value;

use crate::kubernetes::name_of;
use crate::{env_file, root, yaml_docs};

/// Kustomizations to render: the services, the optional erp-sandbox and docuseal-sandbox for a
/// staging namespace, and the optional monitoring for a cluster with the Prometheus operator.
pub(crate) const KUSTOMIZATIONS: [&str; 4] = [
    "deploy/k8s",
    "deploy/k8s/erp-sandbox",
    "deploy/k8s/docuseal-sandbox",
    "deploy/k8s/monitoring",
];

/// The output of `kubectl kustomize` for every kustomization of [`KUSTOMIZATIONS`].
pub(crate) struct Rendered {
    /// Each kustomization's output as written by kubectl (multi-document YAML).
    pub(crate) outputs: Vec<(String, String)>,
    /// Every object of every output.
    pub(crate) objects: Vec<Value>,
}

impl Rendered {
    /// Every kustomization rendered once per test process.
    pub(crate) fn all() -> &'static Rendered {
        static RENDERED: OnceLock<Rendered> = OnceLock::new();
        RENDERED.get_or_init(render_all)
    }

    pub(crate) fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects.iter().filter(move |o| o["kind"] == kind)
    }

    /// The object of `kind` called `name`; a generated ConfigMap or Secret also by the name its
    /// generator gives, before kustomize's hash suffix (`portal-auth-config-7h2…`).
    pub(crate) fn named(&self, kind: &str, name: &str) -> Option<&Value> {
        self.objects.iter().find(|o| {
            let found = o["metadata"]["name"].as_str().unwrap_or_default();
            o["kind"] == kind
                && (found == name
                    || (["ConfigMap", "Secret"].contains(&kind)
                        && found
                            .strip_prefix(name)
                            .and_then(|rest| rest.strip_prefix('-'))
                            .is_some_and(|hash| {
                                hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_alphanumeric())
                            })))
        })
    }

    /// The string data of a ConfigMap, or the decoded data of a Secret.
    pub(crate) fn data(&self, kind: &str, name: &str) -> BTreeMap<String, String> {
        let object = self
            .named(kind, name)
            .unwrap_or_else(|| panic!("{kind} {name} is not defined"));
        data_of(object)
    }
}

/// A ConfigMap's `data`, or a Secret's `data` base64-decoded.
pub(crate) fn data_of(object: &Value) -> BTreeMap<String, String> {
    let secret = object["kind"] == "Secret";
    object["data"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let text = v.as_str().unwrap();
            let value = if secret {
                // kubectl folds long values over several lines.
                let joined: String = text.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .unwrap();
                String::from_utf8(bytes).unwrap()
            } else {
                text.to_owned()
            };
            (k.clone(), value)
        })
        .collect()
}

fn render_all() -> Rendered {
    let copy = operator_copy();
    let mut outputs = Vec::new();
    let mut objects = Vec::new();
    let separator = regex::Regex::new(r"(?m)^---\s*$").unwrap();
    for k in KUSTOMIZATIONS {
        let dir = copy.join(Path::new(k).strip_prefix("deploy/k8s").unwrap());
        let run = Command::new("kubectl")
            .arg("kustomize")
            .arg(&dir)
            .output()
            .unwrap_or_else(|e| {
                panic!("running `kubectl kustomize`: {e}; kubectl ships with this machine image")
            });
        let text = String::from_utf8(run.stdout).unwrap();
        assert!(
            run.status.success(),
            "kubectl kustomize {k} failed:\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
        for doc in separator.split(&text) {
            let value: serde_json::Value = serde_norway::from_str(doc)
                .unwrap_or_else(|e| panic!("kubectl kustomize {k}: not YAML: {e}"));
            if !value.is_null() {
                objects.push(value);
            }
        }
        outputs.push((k.to_owned(), text));
    }
    let _ = std::fs::remove_dir_all(&copy);
    Rendered { outputs, objects }
}

/// `deploy/k8s` copied under the test's temp folder, each `secrets.env` made from its example.
fn operator_copy() -> PathBuf {
    let copy = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("k8s-operator-copy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(&root().join("deploy/k8s"), &copy);
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else if name == "secrets.env.example" {
            std::fs::copy(&path, to.join("secrets.env")).unwrap();
        } else if name != "secrets.env" {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// kustomize cannot list the files it read, so a file is proved used by its content in the
/// output: each object of a manifest, each `KEY=VALUE` of an env file (a Secret's from its example).
#[test]
fn every_file_under_deploy_k8s_is_used_by_a_kustomization() {
    let rendered = Rendered::all();
    let generated: Vec<BTreeMap<String, String>> = rendered
        .objects
        .iter()
        .filter(|o| o["kind"] == "ConfigMap" || o["kind"] == "Secret")
        .map(data_of)
        .collect();
    let mut stack = vec![PathBuf::from("deploy/k8s")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(root().join(&dir)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let path = dir.join(&name);
            if root().join(&path).is_dir() {
                stack.push(path);
            } else if name.ends_with(".env") || name.ends_with(".env.example") {
                if name == "secrets.env" {
                    continue; // the operator's own, never read here
                }
                let pairs = env_file(&path);
                assert!(
                    generated
                        .iter()
                        .any(|data| pairs.iter().all(|(k, v)| data.get(k) == Some(v))),
                    "{} feeds no ConfigMap or Secret",
                    path.display()
                );
            } else if name.ends_with(".yaml") && name != "kustomization.yaml" {
                for doc in yaml_docs(&path) {
                    assert!(
                        rendered
                            .named(doc["kind"].as_str().unwrap(), name_of(&doc))
                            .is_some(),
                        "{}: {} {} is in no kustomization",
                        path.display(),
                        doc["kind"],
                        name_of(&doc)
                    );
                }
            } else {
                assert!(
                    ["README.md", ".gitignore", "kustomization.yaml"].contains(&name.as_str()),
                    "{} is neither a manifest nor an env file",
                    path.display()
                );
            }
        }
    }
}
