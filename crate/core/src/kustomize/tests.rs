#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::error::{Error, ErrorCode};

const DIR: &str = "clusters/c/flux-system";

const RESOURCES: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kustomize-controller
  namespace: flux-system
  labels: {app: kustomize-controller, control-plane: controller}
spec:
  template:
    metadata:
      labels: {app: kustomize-controller}
    spec:
      containers:
      - name: manager
        args: [--events-addr=x, --log-level=info]
        resources:
          limits: {cpu: 1000m, memory: 1Gi}
          requests: {cpu: 100m}
        env:
        - {name: RUNTIME_NAMESPACE, value: flux-system}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: source-controller
  namespace: flux-system
  labels: {app: source-controller, control-plane: controller}
  annotations: {team: git}
spec:
  template:
    spec:
      containers:
      - name: manager
        args: [--events-addr=x]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: source-controller
  namespace: flux-system
";

fn input(kustomization: &str, extra: &[(&str, &str)]) -> Input {
    let mut files = BTreeMap::new();
    files.insert(
        format!("{DIR}/kustomization.yaml"),
        kustomization.to_owned(),
    );
    files.insert(format!("{DIR}/gotk-components.yaml"), RESOURCES.to_owned());
    for (name, text) in extra {
        files.insert(format!("{DIR}/{name}"), (*text).to_owned());
    }
    Input {
        kustomization: format!("{DIR}/kustomization.yaml"),
        files,
        directories: vec![format!("{DIR}/nested")],
    }
}

fn built(kustomization: &str, extra: &[(&str, &str)]) -> Vec<Built> {
    build(&input(kustomization, extra)).unwrap()
}

fn code(kustomization: &str, extra: &[(&str, &str)]) -> ErrorCode {
    build(&input(kustomization, extra)).unwrap_err().code()
}

fn object<'a>(built: &'a [Built], name: &str) -> &'a Node {
    &built
        .iter()
        .find(|b| b.object.name() == name && b.object.kind() == "Deployment")
        .unwrap()
        .object
}

fn at<'a>(node: &'a Node, path: &[&str]) -> &'a Node {
    node.at(path).unwrap()
}

fn first_container(deployment: &Node) -> &Node {
    match at(deployment, &["spec", "template", "spec", "containers"]) {
        Node::Seq(items) => &items[0],
        _ => panic!("no containers"),
    }
}

const HEAD: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n";

#[test]
fn resources_come_out_in_file_order() {
    let out = built(HEAD, &[]);
    let names: Vec<_> = out
        .iter()
        .map(|b| (b.object.kind().to_owned(), b.object.name()))
        .collect();
    assert_eq!(names.len(), 3);
    assert_eq!(names[0].1, "kustomize-controller");
    assert!(out
        .iter()
        .all(|b| b.source == format!("{DIR}/gotk-components.yaml")));
}

#[test]
fn resource_limits_merge_into_the_named_container() {
    let k = format!("{HEAD}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: kustomize-controller\n      namespace: flux-system\n    spec:\n      template:\n        spec:\n          containers:\n          - name: manager\n            resources:\n              limits:\n                memory: 2Gi\n");
    let out = built(&k, &[]);
    let resources = at(
        first_container(object(&out, "kustomize-controller")),
        &["resources"],
    );
    assert_eq!(at(resources, &["limits", "memory"]), &Node::str("2Gi"));
    assert_eq!(at(resources, &["limits", "cpu"]), &Node::str("1000m"));
    assert_eq!(at(resources, &["requests", "cpu"]), &Node::str("100m"));
}

#[test]
fn json6902_adds_a_flag_to_the_deployments_a_name_regex_selects() {
    let k = format!("{HEAD}patches:\n- patch: |\n    - op: add\n      path: /spec/template/spec/containers/0/args/-\n      value: --concurrent=20\n  target:\n    kind: Deployment\n    name: (kustomize|source)-controller\n");
    let out = built(&k, &[]);
    for name in ["kustomize-controller", "source-controller"] {
        let Node::Seq(args) = at(first_container(object(&out, name)), &["args"]) else {
            panic!()
        };
        assert_eq!(args.last(), Some(&Node::str("--concurrent=20")), "{name}");
    }
}

#[test]
fn label_and_annotation_selectors_pick_their_objects() {
    let patch = |selector: &str| {
        format!("{HEAD}patches:\n- patch: |\n    - op: add\n      path: /metadata/labels/picked\n      value: \"yes\"\n  target:\n    {selector}\n")
    };
    let picked = |k: &str| -> Vec<String> {
        built(k, &[])
            .iter()
            .filter(|b| b.object.at(&["metadata", "labels", "picked"]).is_some())
            .map(|b| b.object.name())
            .collect()
    };
    assert_eq!(
        picked(&patch("labelSelector: app=source-controller")),
        ["source-controller"]
    );
    assert_eq!(
        picked(&patch("annotationSelector: team in (git, oci)")),
        ["source-controller"]
    );
    assert_eq!(
        picked(&patch(
            "labelSelector: control-plane,app!=source-controller"
        )),
        ["kustomize-controller"]
    );
}

#[test]
fn a_target_sets_the_patch_identity_to_each_object() {
    // The patch's own name is irrelevant with a target, as in kustomize.
    let k = format!("{HEAD}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: not-used\n    spec:\n      template:\n        spec:\n          nodeSelector:\n            pool: flux\n  target:\n    kind: Deployment\n");
    let out = built(&k, &[]);
    for name in ["kustomize-controller", "source-controller"] {
        let deployment = object(&out, name);
        assert_eq!(deployment.name(), name);
        assert_eq!(
            at(
                deployment,
                &["spec", "template", "spec", "nodeSelector", "pool"]
            ),
            &Node::str("flux")
        );
    }
}

#[test]
fn legacy_fields_apply_from_files_in_kustomize_order() {
    // patchesStrategicMerge runs before patches, patchesJson6902 after: the last write wins.
    let smp = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: source-controller\n  namespace: flux-system\nspec:\n  replicas: 1\n";
    let json = "- op: replace\n  path: /spec/replicas\n  value: 3\n";
    let k = format!("{HEAD}patchesJson6902:\n- path: json.yaml\n  target: {{group: apps, version: v1, kind: Deployment, name: source-controller}}\npatches:\n- patch: |\n    - op: replace\n      path: /spec/replicas\n      value: 2\n  target: {{kind: Deployment, name: source-controller}}\npatchesStrategicMerge:\n- smp.yaml\n");
    let out = built(&k, &[("smp.yaml", smp), ("json.yaml", json)]);
    assert_eq!(
        at(object(&out, "source-controller"), &["spec", "replicas"]),
        &Node::Int(3)
    );
    assert_eq!(
        named_files(&format!("{DIR}/kustomization.yaml"), &k).unwrap(),
        [
            format!("{DIR}/gotk-components.yaml"),
            format!("{DIR}/smp.yaml"),
            format!("{DIR}/json.yaml")
        ]
    );
}

#[test]
fn patch_delete_removes_the_object() {
    let k = format!("{HEAD}patchesStrategicMerge:\n- |\n  apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: source-controller\n    namespace: flux-system\n  $patch: delete\n");
    assert_eq!(built(&k, &[]).len(), 2);
}

#[test]
fn refusals_name_the_field_with_a_stable_code() {
    for (text, name) in [
        ("components:\n- ../c\n", "components"),
        ("configMapGenerator:\n- name: x\n", "configMapGenerator"),
        ("helmCharts:\n- name: x\n", "helmCharts"),
        ("namePrefix: x-\n", "namePrefix"),
        ("images:\n- name: x\n", "images"),
        ("replacements: []\n", "replacements"),
        ("transformers: [t.yaml]\n", "transformers"),
    ] {
        let Err(Error::KustomizationUnsupported { field, .. }) =
            build(&input(&format!("{HEAD}{text}"), &[]))
        else {
            panic!("{text}")
        };
        assert_eq!(field, name);
    }
    let remote = "resources:\n- https://github.com/fluxcd/flux2/manifests/install?ref=main\n";
    assert_eq!(code(remote, &[]), ErrorCode::KustomizationUnsupported);
    assert_eq!(
        code("resources:\n- nested\n", &[]),
        ErrorCode::KustomizationUnsupported
    );
    assert_eq!(
        code("kind: Component\n", &[]),
        ErrorCode::KustomizationUnsupported
    );
    let retain = format!("{HEAD}patches:\n- patch: |\n    apiVersion: v1\n    kind: ServiceAccount\n    metadata: {{name: source-controller, namespace: flux-system}}\n    $retainKeys: [a]\n");
    assert_eq!(code(&retain, &[]), ErrorCode::KustomizationUnsupported);
    let Err(Error::KustomizationUnsupported { field, .. }) =
        build(&input(&format!("{HEAD}components: []\n"), &[]))
    else {
        panic!()
    };
    assert_eq!(field, "components");
}

#[test]
fn builds_kustomize_refuses_are_refused() {
    // Each of these fails `kustomize build` too.
    let smp_without_namespace = format!("{HEAD}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: source-controller\n    spec: {{replicas: 2}}\n");
    let json_without_target =
        format!("{HEAD}patches:\n- patch: |\n    - {{op: add, path: /x, value: 1}}\n");
    let json_bad_path = format!("{HEAD}patches:\n- patch: |\n    - {{op: replace, path: /spec/nothing, value: 1}}\n  target: {{kind: ServiceAccount}}\n");
    for k in [
        "resources:\n- missing.yaml\n".to_owned(),
        "resources:\n- ../../../../x.yaml\n".to_owned(),
        format!("{HEAD}- gotk-components.yaml\n"),
        smp_without_namespace,
        json_without_target,
        json_bad_path,
        format!("{HEAD}patches:\n- patch: x\n  path: y\n"),
        format!("{HEAD}patches:\n- target: {{name: \"(\"}}\n  patch: \"[]\"\n"),
    ] {
        assert_eq!(code(&k, &[]), ErrorCode::KustomizationInvalid, "{k}");
    }
}

#[test]
fn lists_merge_on_their_kubernetes_merge_keys() {
    let doc = |t: &str| crate::yaml::parse_documents("t", t).unwrap().remove(0);
    let mut deployment = doc("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      tolerations: [{key: a}]\n      volumes: [{name: a, emptyDir: {}}, {name: b}]\n      containers:\n      - name: m\n        args: [--a]\n        env: [{name: A, value: '1'}, {name: B, value: '2'}]\n        volumeMounts: [{mountPath: /a, name: a}]\n        ports: [{containerPort: 1}]\n");
    let patch = doc("spec:\n  template:\n    spec:\n      tolerations: [{key: b}]\n      volumes: [{name: b, $patch: delete}, {name: c, emptyDir: null}]\n      containers:\n      - name: m\n        args: [--b]\n        env: [{name: C, value: '3'}, {name: A, value: '9'}]\n        volumeMounts: [{mountPath: /c, name: c}]\n        ports: [{containerPort: 2}]\n");
    merge::apply_for_test(&mut deployment, &patch).unwrap();
    let want = doc("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      tolerations: [{key: b}]\n      volumes: [{name: c}, {name: a, emptyDir: {}}]\n      containers:\n      - name: m\n        args: [--b]\n        env: [{name: C, value: '3'}, {name: A, value: '9'}, {name: B, value: '2'}]\n        volumeMounts: [{mountPath: /c, name: c}, {mountPath: /a, name: a}]\n        ports: [{containerPort: 2}, {containerPort: 1}]\n");
    assert_eq!(deployment, want);
}

fn env_list() -> impl Strategy<Value = Vec<(u8, u8)>> {
    prop::collection::vec((0u8..6, 0u8..4), 0..6)
}

fn env_node(entries: &[(u8, u8)]) -> Node {
    let mut seen = Vec::new();
    let mut items = Vec::new();
    for (name, value) in entries {
        if seen.contains(name) {
            continue;
        }
        seen.push(*name);
        items.push(Node::map_of([
            ("name", Node::str(format!("V{name}"))),
            ("value", Node::str(value.to_string())),
        ]));
    }
    Node::map_of([(
        "spec",
        Node::map_of([(
            "template",
            Node::map_of([(
                "spec",
                Node::map_of([(
                    "containers",
                    Node::Seq(vec![Node::map_of([
                        ("name", Node::str("m")),
                        ("env", Node::Seq(items)),
                    ])]),
                )]),
            )]),
        )]),
    )])
}

proptest! {
    /// A re-run applies the same patch to what it already patched: nothing may change.
    #[test]
    fn merging_twice_is_merging_once(base in env_list(), patch in env_list()) {
        let mut once = env_node(&base);
        once.set("apiVersion", Node::str("apps/v1"));
        merge::apply_for_test(&mut once, &env_node(&patch)).unwrap();
        let mut twice = once.clone();
        merge::apply_for_test(&mut twice, &env_node(&patch)).unwrap();
        prop_assert_eq!(&once, &twice);
        // Every patch entry is in the result with the patch's value.
        let Node::Seq(env) = once.at(&["spec", "template", "spec", "containers"]).and_then(|c| match c { Node::Seq(c) => c[0].get("env"), _ => None }).unwrap().clone() else { panic!() };
        let Node::Seq(want) = env_node(&patch).at(&["spec", "template", "spec", "containers"]).and_then(|c| match c { Node::Seq(c) => c[0].get("env"), _ => None }).unwrap().clone() else { panic!() };
        prop_assert_eq!(&env[..want.len()], &want[..]);
    }
}
