//! A small kustomize: the `resources` of a kustomization.yaml (files and folders) and its
//! `configMapGenerator`/`secretGenerator` env files. Any other kustomize feature fails, so nothing
//! is skipped silently. Generated Secrets come from `secrets.env.example`, never `secrets.env`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{env_file, root, yaml, yaml_docs};

/// Kustomizations to render: the services, and the optional erp-sandbox for a staging namespace.
const KUSTOMIZATIONS: [&str; 2] = ["deploy/k8s", "deploy/k8s/erp-sandbox"];

/// Objects of one or more kustomizations.
#[derive(Default)]
pub(crate) struct Rendered {
    /// Resource files and their documents.
    pub(crate) files: Vec<(PathBuf, Vec<Value>)>,
    /// Generated ConfigMaps and Secrets (names without kustomize's hash suffix).
    pub(crate) generated: Vec<Value>,
    /// Every file a kustomization used.
    pub(crate) used: BTreeSet<PathBuf>,
}

impl Rendered {
    /// Every kustomization of [`KUSTOMIZATIONS`], rendered.
    pub(crate) fn all() -> Rendered {
        let mut r = Rendered::default();
        for k in KUSTOMIZATIONS {
            r.render(Path::new(k));
        }
        r
    }

    fn render(&mut self, dir: &Path) {
        let file = dir.join("kustomization.yaml");
        self.used.insert(file.clone());
        let k = yaml(&file);
        for key in k.as_object().unwrap().keys() {
            let known = [
                "apiVersion",
                "kind",
                "namespace",
                "labels",
                "resources",
                "configMapGenerator",
                "secretGenerator",
            ];
            assert!(
                known.contains(&key.as_str()),
                "{}: `{key}` is not rendered by this test; extend it",
                file.display()
            );
        }
        for resource in k["resources"].as_array().into_iter().flatten() {
            let path = dir.join(resource.as_str().unwrap());
            if root().join(&path).is_dir() {
                self.render(&path);
            } else {
                self.used.insert(path.clone());
                self.files.push((path.clone(), yaml_docs(&path)));
            }
        }
        for (key, kind) in [
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ] {
            for generator in k[key].as_array().into_iter().flatten() {
                self.generate(dir, kind, generator);
            }
        }
    }

    fn generate(&mut self, dir: &Path, kind: &str, generator: &Value) {
        let name = generator["name"].as_str().unwrap();
        for key in generator.as_object().unwrap().keys() {
            assert!(
                ["name", "envs"].contains(&key.as_str()),
                "{name}: generator key `{key}` is not rendered by this test"
            );
        }
        let mut data = BTreeMap::new();
        for env in generator["envs"].as_array().unwrap() {
            let mut path = dir.join(env.as_str().unwrap());
            if kind == "Secret" {
                // The real secrets.env stays unread; its example has the same variables.
                path = path.with_file_name(format!(
                    "{}.example",
                    path.file_name().unwrap().to_str().unwrap()
                ));
            }
            self.used.insert(path.clone());
            data.extend(env_file(&path));
        }
        let data_key = if kind == "Secret" {
            "stringData"
        } else {
            "data"
        };
        self.generated.push(serde_json::json!({
            "apiVersion": "v1", "kind": kind, "metadata": {"name": name}, data_key: data,
        }));
    }

    pub(crate) fn objects(&self) -> impl Iterator<Item = &Value> {
        self.files
            .iter()
            .flat_map(|(_, docs)| docs)
            .chain(&self.generated)
    }

    pub(crate) fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects().filter(move |o| o["kind"] == kind)
    }

    pub(crate) fn named(&self, kind: &str, name: &str) -> Option<&Value> {
        self.objects()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
    }

    /// The string data of a ConfigMap or Secret.
    pub(crate) fn data(&self, kind: &str, name: &str) -> BTreeMap<String, String> {
        let object = self
            .named(kind, name)
            .unwrap_or_else(|| panic!("{kind} {name} is not defined"));
        let data = if kind == "Secret" {
            &object["stringData"]
        } else {
            &object["data"]
        };
        data.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect()
    }
}
