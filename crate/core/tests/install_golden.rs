//! Golden tests: our output must equal Flux v2.9.4's `flux install --export` byte for byte.
//! The expected files and the bundle are Flux's own, read from the shared test data.

// Tests are the host here: reading the shared files is their job, not the core's.
#![allow(clippy::disallowed_methods)]

mod common;

use common::{assert_reference, assert_text_eq, flux_bundle as bundle, read_reference as read};
use flux_azdo_core::bundle::BUNDLE_FILES;
use flux_azdo_core::install::{self, Options};
use flux_azdo_core::yaml;

/// The body of a golden file: everything after the 4 header lines.
fn body(golden: &str) -> &str {
    let mut rest = golden;
    for _ in 0..4 {
        rest = &rest[rest.find('\n').expect("header line") + 1..];
    }
    rest
}

#[test]
fn writer_reproduces_every_golden_document() {
    for file in [
        "install.yaml",
        "variants/components-extra-all.yaml",
        "variants/custom-options.yaml",
    ] {
        let golden = read(file);
        let docs = yaml::parse_documents(file, body(&golden)).expect("golden parses");
        assert_text_eq(&yaml::documents_to_string(&docs), body(&golden), file);
    }
    // The bundle files are kustomize output too, so they round-trip as well.
    for name in BUNDLE_FILES {
        let text = read(&format!("manifests/{name}"));
        let docs = yaml::parse_documents(name, &text).expect("bundle parses");
        assert_text_eq(&yaml::documents_to_string(&docs), &text, name);
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn check(options: &Options, golden: &str) {
    let manifest = install::generate(options, &bundle()).expect("generate succeeds");
    assert_reference(golden, &manifest.content);
}

#[test]
fn default_options_give_install_yaml() {
    let manifest = install::generate(&Options::default(), &bundle()).expect("generate");
    assert_eq!(manifest.path, "flux-system/gotk-components.yaml");
    assert_reference("install.yaml", &manifest.content);
}

#[test]
fn extra_image_components() {
    let options = Options {
        components_extra: strings(&["image-reflector-controller", "image-automation-controller"]),
        ..Options::default()
    };
    check(&options, "variants/components-extra-image.yaml");
}

#[test]
fn all_extra_components_with_source_watcher_feature_gate() {
    let options = Options {
        components_extra: strings(&[
            "image-reflector-controller",
            "image-automation-controller",
            "source-watcher",
        ]),
        ..Options::default()
    };
    check(&options, "variants/components-extra-all.yaml");
}

#[test]
fn minimal_components_have_no_events_address() {
    let options = Options {
        components: strings(&["source-controller", "kustomize-controller"]),
        ..Options::default()
    };
    check(&options, "variants/components-minimal.yaml");
}

#[test]
fn custom_namespace_registry_secret_tolerations_and_flags() {
    let options = Options {
        namespace: "gitops".into(),
        registry: "myregistry.azurecr.io/fluxcd".into(),
        image_pull_secret: "regcred".into(),
        network_policy: false,
        watch_all_namespaces: false,
        log_level: "debug".into(),
        cluster_domain: "cluster.example".into(),
        toleration_keys: strings(&["CriticalAddonsOnly", "node.kubernetes.io/not-ready"]),
        target_path: "clusters/prod".into(),
        ..Options::default()
    };
    let manifest = install::generate(&options, &bundle()).expect("generate");
    assert_eq!(manifest.path, "clusters/prod/gitops/gotk-components.yaml");
    assert_reference("variants/custom-options.yaml", &manifest.content);
}

/// Checked against kustomize v0.21.1 building Flux's templates: a secret named `null` (or `~`)
/// is a null merge key in Flux's node-selector patch, so the merge leaves an empty list.
#[test]
fn pull_secret_that_reads_as_null_leaves_an_empty_list() {
    for secret in ["null", "~"] {
        let options = Options {
            image_pull_secret: secret.into(),
            ..Options::default()
        };
        let content = install::generate(&options, &bundle())
            .expect("generate")
            .content;
        assert_eq!(content.matches("      imagePullSecrets: []\n").count(), 4);
        assert!(!content.contains("- name: null"));
    }
    let options = Options {
        image_pull_secret: "123".into(),
        ..Options::default()
    };
    let content = install::generate(&options, &bundle())
        .expect("generate")
        .content;
    // Bare in Flux's template, so YAML reads it as a number.
    assert_eq!(
        content
            .matches("      imagePullSecrets:\n      - name: 123\n")
            .count(),
        4
    );
}
