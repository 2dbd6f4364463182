//! What bootstrap applies to the cluster: the build of the flux-system folder as it will be
//! after the plan's commits (the plan's three files over the repository's other files), as
//! Flux applies it, so the user's patches and the host key patch are in from the first apply
//! and a re-run applies exactly what kustomize-controller applies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::plan::Plan;
use crate::yaml;

use super::{build, named_files, Input};

/// The repository's files the plan's kustomization names, other than the plan's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "RepoFiles", optional_fields)
)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RepoFiles {
    /// File contents by repository-relative path.
    pub files: BTreeMap<String, String>,
    /// Named paths that are directories in the repository.
    pub directories: Vec<String>,
}

/// The objects bootstrap applies, as YAML texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ClusterObjects {
    /// At install: the build without the sync objects of `gotk-sync.yaml` (they follow once
    /// the Git Secret is in place).
    pub install: String,
    /// At the apply step of every run: the whole build, as kustomize-controller applies it.
    pub apply: String,
}

/// The paths the host reads for [`cluster_objects`]: those the plan's kustomization names
/// that the plan does not write itself.
pub fn files_to_read(plan: &Plan) -> Result<Vec<String>> {
    let own: Vec<&str> = plan.files().iter().map(|f| f.path.as_str()).collect();
    Ok(
        named_files(&plan.kustomization.path, &plan.kustomization.content)?
            .into_iter()
            .filter(|name| !own.contains(&name.as_str()))
            .collect(),
    )
}

/// Builds the flux-system folder of `plan` with the repository's other `files`.
pub fn cluster_objects(plan: &Plan, repo: &RepoFiles) -> Result<ClusterObjects> {
    let mut files = repo.files.clone();
    for manifest in plan.files() {
        files.insert(manifest.path.clone(), manifest.content.clone());
    }
    let built = build(&Input {
        kustomization: plan.kustomization.path.clone(),
        files,
        directories: repo.directories.clone(),
    })?;
    let install: Vec<_> = built
        .iter()
        .filter(|b| b.source != plan.sync.path)
        .map(|b| b.object.clone())
        .collect();
    let all: Vec<_> = built.iter().map(|b| b.object.clone()).collect();
    Ok(ClusterObjects {
        install: yaml::documents_to_string(&install),
        apply: yaml::documents_to_string(&all),
    })
}
