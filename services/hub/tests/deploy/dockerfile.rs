//! `deploy/Dockerfile`: multi-stage, one binary per image, slim runtime, numeric non-root user.

use std::collections::{BTreeMap, BTreeSet};

use crate::kubernetes::{containers, name_of, pod_spec};
use crate::kustomize::Rendered;
use crate::{read, root};

/// `FROM image AS stage` lines of the Dockerfile: stage name → image.
pub(crate) fn dockerfile_stages() -> BTreeMap<String, String> {
    let from = regex::Regex::new(r"(?m)^FROM\s+(\S+)\s+AS\s+(\S+)").unwrap();
    from.captures_iter(&read("deploy/Dockerfile"))
        .map(|c| (c[2].to_owned(), c[1].to_owned()))
        .collect()
}

/// Binaries of the workspace: packages with a `src/main.rs`.
pub(crate) fn workspace_binaries() -> BTreeSet<String> {
    let name = regex::Regex::new(r#"(?m)^name\s*=\s*"([^"]+)""#).unwrap();
    ["crates", "services"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root().join(dir)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("src/main.rs").is_file())
        .map(|p| {
            let toml = std::fs::read_to_string(p.join("Cargo.toml")).unwrap();
            name.captures(&toml).unwrap()[1].to_owned()
        })
        .collect()
}

/// The lines of one stage of the Dockerfile.
fn stage_lines(stage: &str) -> Vec<String> {
    let text = read("deploy/Dockerfile");
    let header = regex::Regex::new(&format!(r"^FROM\s+\S+\s+AS\s+{stage}$")).unwrap();
    text.lines()
        .skip_while(|l| !header.is_match(l))
        .skip(1)
        .take_while(|l| !l.starts_with("FROM "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_dockerfile_builds_one_binary_into_a_slim_image_run_by_a_numeric_non_root_user() {
    let stages = dockerfile_stages();
    assert!(stages.len() >= 3, "multi-stage: {stages:?}");
    assert!(
        stages["runtime"].ends_with("-slim"),
        "runtime on {}",
        stages["runtime"]
    );
    for final_stage in ["service", "hub"] {
        assert_eq!(
            stages[final_stage], "runtime",
            "{final_stage} derives from runtime"
        );
    }
    let build = stage_lines("build").join("\n");
    assert!(build.contains("--locked"), "the build uses Cargo.lock");
    assert!(
        build.contains(r#"--bin "$SERVICE""#),
        "one binary, chosen by SERVICE"
    );
    let runtime = stage_lines("runtime");
    let user = runtime
        .iter()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the runtime stage sets USER");
    let uid: u32 = user
        .split(':')
        .next()
        .unwrap()
        .parse()
        .expect("USER is numeric, so Kubernetes can check runAsNonRoot");
    assert_ne!(uid, 0);
    let dockerfile = read("deploy/Dockerfile");
    for line in dockerfile.lines().filter(|l| l.starts_with("COPY deploy/")) {
        let source = line.split_whitespace().nth(1).unwrap();
        assert!(root().join(source).is_file(), "{source}");
    }
    // The Kubernetes pods of the Rust services run as that user.
    let rendered = Rendered::all();
    for d in rendered.of_kind("Deployment") {
        let image = containers(d)[0]["image"].as_str().unwrap();
        if image.contains("/portal:") {
            continue; // nginx-unprivileged's own user
        }
        assert_eq!(
            pod_spec(d)["securityContext"]["runAsUser"].as_u64(),
            Some(u64::from(uid)),
            "{}",
            name_of(d)
        );
    }
}

/// vision-ocr's image carries the local OCR engine it runs as child processes: Tesseract with its
/// French and English data and poppler's pdftoppm (prlimit is util-linux's, in every Debian image);
/// the all-in-one hub too, which serves vision-ocr. The install is chosen by `SERVICE` after the
/// layer every service shares, so the other images stay as they were.
#[test]
fn the_vision_ocr_image_has_tesseract_and_poppler() {
    let runtime = stage_lines("runtime").join("\n");
    let shared_layer = runtime.find("ca-certificates").unwrap();
    let argument = regex::Regex::new(r"(?m)^ARG SERVICE$")
        .unwrap()
        .find(&runtime)
        .expect("runtime: ARG SERVICE")
        .start();
    assert!(
        shared_layer < argument,
        "the shared layer comes before ARG SERVICE, so every service reuses it"
    );
    let ocr = &runtime[argument..];
    let case = regex::Regex::new(r"(?m)^\s*([a-z|-]+)\)\s*apt-get").unwrap();
    let services: Vec<&str> = case
        .captures(ocr)
        .expect("runtime: a `case \"$SERVICE\"` installing the OCR packages")
        .get(1)
        .unwrap()
        .as_str()
        .split('|')
        .collect();
    assert!(
        services.contains(&"vision-ocr") && services.contains(&"hub"),
        "{services:?}"
    );
    for package in [
        "tesseract-ocr",
        "tesseract-ocr-fra",
        "tesseract-ocr-eng",
        "poppler-utils",
    ] {
        assert!(
            ocr.split_whitespace().any(|w| w == package),
            "runtime: {package} for vision-ocr"
        );
    }
    assert!(ocr.contains("--no-install-recommends"), "no Recommends");
    assert!(
        ocr.contains("rm -rf /var/lib/apt/lists/*"),
        "apt's lists left in the image"
    );
}
