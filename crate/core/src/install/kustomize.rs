//! The parts of kustomize that Flux's install build uses, applied to [`Node`] resources with
//! kustomize's semantics: the namespace transformer, name suffixes with role references
//! fixed up, the label transformer, strategic-merge and JSON 6902 patches on Deployments, and
//! the image transformer.

use crate::error::{Error, Result};
use crate::yaml::Node;

/// Kinds kustomize treats as cluster-scoped (it never sets their `metadata.namespace`).
const CLUSTER_SCOPED: [&str; 24] = [
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "SelfSubjectAccessReview",
    "StorageClass",
    "TokenReview",
    "ValidatingAdmissionPolicy",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

fn is_role_binding(kind: &str) -> bool {
    matches!(kind, "RoleBinding" | "ClusterRoleBinding")
}

/// kustomize's `namespace:` field: `metadata.namespace` on namespaced objects, the name of
/// `v1` Namespace objects, binding subjects named `default`, the service of an APIService and
/// of a CRD conversion webhook. The value is always written as a string.
pub(super) fn set_namespace(resource: &mut Node, namespace: &str) {
    let kind = resource.kind().to_owned();
    let value = || Node::str(namespace);
    if kind == "Namespace" && resource.get("apiVersion").and_then(Node::as_str) == Some("v1") {
        if let Some(meta) = resource.map_entry("metadata") {
            meta.set("name", value());
        }
    }
    if !CLUSTER_SCOPED.contains(&kind.as_str()) {
        if let Some(meta) = resource.map_entry("metadata") {
            meta.set("namespace", value());
        }
    }
    if is_role_binding(&kind) {
        if let Some(subjects) = resource.get_mut("subjects").and_then(Node::as_seq_mut) {
            for subject in subjects.iter_mut() {
                if subject.get("name").and_then(Node::as_str) == Some("default") {
                    subject.set("namespace", value());
                }
            }
        }
    }
    // The remaining field specs of kustomize's namespace transformer (api v0.21).
    let group = resource
        .get("apiVersion")
        .and_then(Node::as_str)
        .and_then(|v| v.split_once('/'))
        .map(|(g, _)| g.to_owned())
        .unwrap_or_default();
    match (kind.as_str(), group.as_str()) {
        ("APIService", "apiregistration.k8s.io") => {
            if let Some(service) = resource.map_path(&["spec", "service"]) {
                service.set("namespace", value());
            }
        }
        ("CustomResourceDefinition", "apiextensions.k8s.io") => {
            let path = ["spec", "conversion", "webhook", "clientConfig", "service"];
            if let Some(service) = resource.at_mut(&path) {
                if service.get("namespace").is_some() {
                    service.set("namespace", value());
                }
            }
        }
        _ => {}
    }
}

/// kustomize's `nameSuffix:` on a set of resources, then its name-reference fix-up of
/// `roleRef`s that point at a renamed (Cluster)Role.
pub(super) fn add_name_suffix(resources: &mut [Node], suffix: &str) {
    let mut renamed: Vec<(String, String, String)> = Vec::new();
    for resource in resources.iter_mut() {
        let kind = resource.kind().to_owned();
        if matches!(
            kind.as_str(),
            "CustomResourceDefinition" | "APIService" | "Namespace"
        ) {
            continue;
        }
        let old = resource.name();
        let new = format!("{old}{suffix}");
        if let Some(meta) = resource.map_entry("metadata") {
            meta.set("name", Node::str(new.clone()));
        }
        renamed.push((kind, old, new));
    }
    for resource in resources.iter_mut() {
        if !is_role_binding(resource.kind()) {
            continue;
        }
        let Some(role_ref) = resource.get_mut("roleRef") else {
            continue;
        };
        let ref_kind = role_ref
            .get("kind")
            .map(Node::scalar_text)
            .unwrap_or_default();
        let ref_name = role_ref
            .get("name")
            .map(Node::scalar_text)
            .unwrap_or_default();
        if let Some((_, _, new)) = renamed
            .iter()
            .find(|(kind, old, _)| *kind == ref_kind && *old == ref_name)
        {
            role_ref.set("name", Node::str(new.clone()));
        }
    }
}

/// A builtin `LabelTransformer` with field specs `metadata/labels` (all objects) and
/// `spec/template/metadata/labels` (Deployments), both created when missing.
pub(super) fn add_labels(resource: &mut Node, labels: &[(&str, &str)]) {
    let is_deployment = resource.kind() == "Deployment";
    let mut targets: Vec<&[&str]> = vec![&["metadata", "labels"]];
    if is_deployment {
        targets.push(&["spec", "template", "metadata", "labels"]);
    }
    for path in targets {
        if let Some(map) = resource.map_path(path) {
            for (key, value) in labels {
                map.set(key, Node::str(*value));
            }
        }
    }
}

/// The pod-spec fields of Flux's `node-selector.yaml` strategic-merge patch.
#[derive(Debug, Default)]
pub(super) struct PodPatch {
    pub node_selector: Vec<(String, String)>,
    /// `imagePullSecrets` entries (merged by `name`).
    pub image_pull_secrets: Vec<Node>,
    /// `tolerations` (no merge key in the PodSpec schema, so the list is replaced).
    pub tolerations: Vec<Node>,
}

pub(super) fn apply_pod_patch(deployment: &mut Node, patch: &PodPatch) {
    let Some(spec) = deployment.map_path(&["spec", "template", "spec"]) else {
        return;
    };
    if let Some(selector) = spec.map_entry("nodeSelector") {
        for (key, value) in &patch.node_selector {
            selector.set(key, Node::str(value.clone()));
        }
    }
    if !patch.image_pull_secrets.is_empty() {
        if !matches!(spec.get("imagePullSecrets"), Some(Node::Seq(_))) {
            spec.set("imagePullSecrets", Node::Seq(Vec::new()));
        }
        if let Some(list) = spec.get_mut("imagePullSecrets").and_then(Node::as_seq_mut) {
            for secret in &patch.image_pull_secrets {
                let name = secret.get("name");
                // kustomize's merge drops an entry whose merge key is null (a secret named
                // `null` or `~` in Flux's template) and leaves the list, empty.
                if matches!(name, None | Some(Node::Null)) {
                    continue;
                }
                match list.iter_mut().find(|s| s.get("name") == name) {
                    Some(existing) => *existing = secret.clone(),
                    None => list.push(secret.clone()),
                }
            }
        }
    }
    if !patch.tolerations.is_empty() {
        spec.set("tolerations", Node::Seq(patch.tolerations.clone()));
    }
}

/// A JSON 6902 `replace` of `containers[0].args[index]`.
pub(super) fn replace_arg(deployment: &mut Node, index: usize, value: &str) -> Result<()> {
    let name = deployment.name();
    let args = first_container_args(deployment).ok_or_else(|| missing_args(&name))?;
    let slot = args.get_mut(index).ok_or_else(|| Error::InvalidBundle {
        reason: format!(
            "Deployment {name} has no argument {index} to replace in its first container"
        ),
    })?;
    *slot = Node::str(value);
    Ok(())
}

/// A JSON 6902 `add` of `containers[0].args/-`.
pub(super) fn append_arg(deployment: &mut Node, value: &str) -> Result<()> {
    let name = deployment.name();
    let args = first_container_args(deployment).ok_or_else(|| missing_args(&name))?;
    args.push(Node::str(value));
    Ok(())
}

fn first_container_args(deployment: &mut Node) -> Option<&mut Vec<Node>> {
    deployment
        .at_mut(&["spec", "template", "spec", "containers"])?
        .as_seq_mut()?
        .first_mut()?
        .get_mut("args")?
        .as_seq_mut()
}

fn missing_args(name: &str) -> Error {
    Error::InvalidBundle {
        reason: format!("Deployment {name} has no container args for Flux's install patches"),
    }
}

/// kustomize's `images:` entry `{name, newName}`: rewrites matching container images,
/// keeping their tag and digest.
pub(super) fn set_image_name(resource: &mut Node, name: &str, new_name: &str) {
    const POD_SPECS: [&[&str]; 3] = [
        &["spec"],
        &["spec", "template", "spec"],
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ];
    for path in POD_SPECS {
        let Some(pod) = resource.at_mut(path) else {
            continue;
        };
        for list in ["containers", "initContainers"] {
            let Some(containers) = pod.get_mut(list).and_then(Node::as_seq_mut) else {
                continue;
            };
            for container in containers.iter_mut() {
                let Some(image) = container.get("image").and_then(Node::as_str) else {
                    continue;
                };
                if let Some(rest) = image_suffix(image, name) {
                    let renamed = format!("{new_name}{rest}");
                    container.set("image", Node::str(renamed));
                }
            }
        }
    }
}

/// When `image` is `name` optionally followed by `@sha256…` and/or `:tag`, the part after
/// the name.
fn image_suffix<'a>(image: &'a str, name: &str) -> Option<&'a str> {
    let rest = image.strip_prefix(name)?;
    let after_digest = match rest.strip_prefix("@sha256") {
        Some(r) => r,
        None => rest,
    };
    let tag_ok = match after_digest.strip_prefix(':') {
        Some(tag) => tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.{}-".contains(c)),
        None => after_digest.is_empty(),
    };
    tag_ok.then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::image_suffix;

    #[test]
    fn image_names_match_like_kustomize() {
        assert_eq!(image_suffix("fluxcd/x:v1", "fluxcd/x"), Some(":v1"));
        assert_eq!(image_suffix("fluxcd/x", "fluxcd/x"), Some(""));
        assert_eq!(image_suffix("fluxcd/xy:v1", "fluxcd/x"), None);
        assert_eq!(image_suffix("fluxcd/x/y:v1", "fluxcd/x"), None);
    }
}
