//! `kustomize build` of the flux-system folder, for the subset Flux's documentation uses:
//! `resources` (local files), `patches` (inline or from a file, strategic merge or JSON 6902,
//! with `target` selectors) and the legacy `patchesStrategicMerge` and `patchesJson6902`.
//! Everything else kustomize can do is refused by name (`KUSTOMIZATION_UNSUPPORTED`), so what
//! the host applies is what kustomize — and so kustomize-controller — would apply, or nothing.
//!
//! Objects come out in the order their files list them (Flux's in-process kustomize does not
//! reorder); the host applies CRDs and Namespaces first anyway.

mod cluster;
mod file;
mod json6902;
mod merge;
mod select;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::yaml::{self, Node};
use file::{invalid, unsupported, PatchBody, PatchSpec};

pub use cluster::{cluster_objects, files_to_read, ClusterObjects, RepoFiles};

/// What a build reads: the kustomization and every file it names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "KustomizeInput", optional_fields)
)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Input {
    /// The repository-relative path of `kustomization.yaml`, e.g.
    /// `clusters/my-cluster/flux-system/kustomization.yaml`.
    pub kustomization: String,
    /// File contents by repository-relative path: the kustomization and the files it names
    /// (see [`named_files`]).
    pub files: BTreeMap<String, String>,
    /// Named paths that are directories in the repository (refused: nested kustomizations).
    pub directories: Vec<String>,
}

/// One object of the build and the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    /// The repository-relative path of the resource file.
    pub source: String,
    pub object: Node,
}

/// The build's objects as YAML, for the host and for tests against kustomize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "KustomizeOutput"))]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// Every object, as one multi-document YAML text, in build order.
    pub yaml: String,
    /// For each object, in the same order, the file it came from.
    pub sources: Vec<String>,
}

impl Output {
    pub fn from_built(built: &[Built]) -> Self {
        let objects: Vec<Node> = built.iter().map(|b| b.object.clone()).collect();
        Self {
            yaml: yaml::documents_to_string(&objects),
            sources: built.iter().map(|b| b.source.clone()).collect(),
        }
    }
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The repository-relative paths of the files the kustomization at `path` names (resources
/// and patch files), in the order named, each once: what the host reads for [`build`].
pub fn named_files(path: &str, text: &str) -> Result<Vec<String>> {
    let kustomization = file::parse(path, dir_of(path), text)?;
    let mut out: Vec<String> = Vec::new();
    let patch_files = kustomization.patches.iter().filter_map(|p| match &p.body {
        PatchBody::File(file) => Some(file),
        PatchBody::Inline(_) => None,
    });
    for name in kustomization.resources.iter().chain(patch_files) {
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    Ok(out)
}

/// Builds the kustomization as `kustomize build` would.
pub fn build(input: &Input) -> Result<Vec<Built>> {
    let path = input.kustomization.as_str();
    let read = |name: &str, origin: &str| -> Result<&str> {
        if input.directories.iter().any(|d| d == name) {
            return Err(unsupported(
                path,
                format!("{origin}: {name}"),
                "directories (nested kustomizations) are not built; list the folder's files here instead",
            ));
        }
        input.files.get(name).map(String::as_str).ok_or_else(|| {
            invalid(
                path,
                format!("{origin} names {name}, which is not in the repository"),
            )
        })
    };
    let text = read(path, "kustomization")?;
    let kustomization = file::parse(path, dir_of(path), text)?;

    let mut built: Vec<Built> = Vec::new();
    for (index, name) in kustomization.resources.iter().enumerate() {
        let origin = format!("resources[{index}]");
        for object in yaml::parse_documents(name, read(name, &origin)?)? {
            check_object(path, name, &object)?;
            if let Some(same) = built.iter().find(|b| same_id(&b.object, &object)) {
                return Err(invalid(
                    path,
                    format!(
                        "{name} and {} both define {}; kustomize refuses an object twice",
                        same.source,
                        describe(&object)
                    ),
                ));
            }
            built.push(Built {
                source: name.clone(),
                object,
            });
        }
    }
    for patch in &kustomization.patches {
        let (name, text) = match &patch.body {
            PatchBody::Inline(text) => (format!("{path} {}", patch.origin), text.as_str()),
            PatchBody::File(file) => (file.clone(), read(file, &patch.origin)?),
        };
        let documents = yaml::parse_documents(&name, text)?;
        apply_patch(path, patch, &documents, &mut built)?;
    }
    Ok(built)
}

fn check_object(path: &str, source: &str, object: &Node) -> Result<()> {
    let has = |key: &str| {
        object
            .get(key)
            .and_then(Node::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    if !matches!(object, Node::Map(_))
        || !has("apiVersion")
        || !has("kind")
        || object.name().is_empty()
    {
        return Err(invalid(
            path,
            format!("{source} holds a document that is not a Kubernetes object (apiVersion, kind and metadata.name)"),
        ));
    }
    if object.kind() == "List" || object.kind().ends_with("List") && object.get("items").is_some() {
        return Err(unsupported(
            path,
            format!("{source}: kind {}", object.kind()),
            "write the list's items as separate documents",
        ));
    }
    Ok(())
}

fn group_of(object: &Node) -> &str {
    let api_version = object
        .get("apiVersion")
        .and_then(Node::as_str)
        .unwrap_or_default();
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

fn namespace_of(object: &Node) -> String {
    object
        .at(&["metadata", "namespace"])
        .map(Node::scalar_text)
        .unwrap_or_default()
}

/// kustomize's resource id: group, kind, name and namespace (an empty namespace is `default`).
fn same_id(a: &Node, b: &Node) -> bool {
    let ns = |o: &Node| match namespace_of(o) {
        n if n.is_empty() => "default".to_owned(),
        n => n,
    };
    group_of(a) == group_of(b) && a.kind() == b.kind() && a.name() == b.name() && ns(a) == ns(b)
}

fn describe(object: &Node) -> String {
    let namespace = namespace_of(object);
    if namespace.is_empty() {
        format!("{} {}", object.kind(), object.name())
    } else {
        format!("{} {namespace}/{}", object.kind(), object.name())
    }
}

fn apply_patch(
    path: &str,
    patch: &PatchSpec,
    documents: &[Node],
    built: &mut Vec<Built>,
) -> Result<()> {
    let origin = &patch.origin;
    let fail = |reason: String| invalid(path, format!("{origin}: {reason}"));
    let json = documents.iter().any(merge::is_json6902);
    if json || patch.json6902_only {
        let [Node::Seq(operations)] = documents else {
            return Err(fail(
                "a JSON 6902 patch is one list of operations ({op, path, value})".into(),
            ));
        };
        let Some(target) = &patch.target else {
            return Err(fail(
                "a JSON 6902 patch needs a `target` (the objects it applies to)".into(),
            ));
        };
        for resource in built.iter_mut().filter(|b| target.matches(&b.object)) {
            json6902::apply(&mut resource.object, operations)
                .map_err(|e| fail(format!("{} on {}", e, describe(&resource.object))))?;
        }
        return Ok(());
    }
    for document in documents {
        let selected: Vec<usize> = match &patch.target {
            Some(target) => (0..built.len())
                .filter(|&i| target.matches(&built[i].object))
                .collect(),
            None => {
                let found: Vec<usize> = (0..built.len())
                    .filter(|&i| {
                        same_gvk(&built[i].object, document) && same_id(&built[i].object, document)
                    })
                    .collect();
                if found.is_empty() {
                    return Err(fail(format!(
                        "no resource matches the strategic merge patch for {}; name its kind, metadata.name and metadata.namespace as the object has them, or give a `target`",
                        describe(document)
                    )));
                }
                found
            }
        };
        let mut deleted = Vec::new();
        for &at in &selected {
            let mut own = document.clone();
            // With a target, the patch applies to each object as if written for it.
            if patch.target.is_some() {
                adopt_identity(&mut own, &built[at].object);
            }
            let refused = |reason: String| unsupported(path, origin.clone(), reason);
            match merge::apply(&mut built[at].object, &own).map_err(refused)? {
                merge::Outcome::Merged => {}
                merge::Outcome::Deleted => deleted.push(at),
            }
        }
        for at in deleted.into_iter().rev() {
            built.remove(at);
        }
    }
    Ok(())
}

fn same_gvk(a: &Node, b: &Node) -> bool {
    a.get("apiVersion") == b.get("apiVersion") && a.kind() == b.kind()
}

fn adopt_identity(patch: &mut Node, object: &Node) {
    if !matches!(patch, Node::Map(_)) {
        return;
    }
    for key in ["apiVersion", "kind"] {
        if let Some(value) = object.get(key) {
            patch.set(key, value.clone());
        }
    }
    if let Some(meta) = patch.map_entry("metadata") {
        meta.set("name", Node::str(object.name()));
        match object.at(&["metadata", "namespace"]) {
            Some(ns) => meta.set("namespace", ns.clone()),
            None => {
                if let Node::Map(entries) = meta {
                    entries.retain(|(k, _)| k != "namespace");
                }
            }
        }
    }
}
